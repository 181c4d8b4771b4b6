"""Section "Constructors take JavaScript objects as configurations": a TF.js config dict, or
Python keyword arguments, camelCase or snake_case: all four build the same layer."""
import tfjs as tf

a = tf.layers.dense({'units': 1, 'inputShape': [1]})        # TF.js style
b = tf.layers.dense(units=1, inputShape=[1])                 # keyword arguments, camelCase
c = tf.layers.dense(units=1, input_shape=[1])                # keyword arguments, snake_case
d = tf.layers.dense({'units': 1}, input_shape=[1])           # both at once

for layer in (a, b, c, d):
    print(layer.name, layer.units, layer.batchInputShape)

# fit/evaluate/predict take x and y positionally, then a config object (or kwargs).
model = tf.sequential({'layers': [a]})
model.compile({'optimizer': 'sgd', 'loss': 'meanSquaredError'})
xs = tf.tensor2d([[1], [2], [3], [4]])
ys = tf.tensor2d([[1], [3], [5], [7]])
model.fit(xs, ys, {'epochs': 5, 'verbose': 0})
model.fit(xs, ys, epochs=5, verbose=0)
print('trained with both styles')
