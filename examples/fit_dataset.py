"""Section "Use fitDataset() to train on tf.data.Dataset objects"."""
import tfjs as tf

xs = tf.data.array([[1], [2], [3], [4]])
ys = tf.data.array([[1], [3], [5], [7]])
dataset = tf.data.zip({'xs': xs, 'ys': ys}).shuffle(4, seed=1).batch(2)

model = tf.sequential()
model.add(tf.layers.dense({'units': 1, 'inputShape': [1]}))
model.compile({'optimizer': 'sgd', 'loss': 'meanSquaredError'})
history = model.fitDataset(dataset, {'epochs': 5, 'verbose': 0})
print('epochs run:', history.epoch)
print('final loss:', round(history.history['loss'][-1], 4))
