"""The seed guide's opening example: fit y = 2x - 1 with one Dense unit, then predict x = 5.

Run: `make demo` (or `.venv/bin/python examples/quickstart.py`). Prints a value near 9.
"""
import tfjs as tf

# Build and compile model.
model = tf.sequential()
model.add(tf.layers.dense({'units': 1, 'inputShape': [1]}))
model.compile({'optimizer': 'sgd', 'loss': 'meanSquaredError'})

# Generate some synthetic data for training.
xs = tf.tensor2d([[1], [2], [3], [4]], [4, 1])
ys = tf.tensor2d([[1], [3], [5], [7]], [4, 1])

# Train model with fit().
model.fit(xs, ys, {'epochs': 1000, 'verbose': 0})

# Run inference with predict().
model.predict(tf.tensor2d([[5]], [1, 1])).print()
