"""Section "Optimizers are under train.*": `tf.train.sgd({lr: 0.2})` as the guide writes it,
TF.js's positional form, and keyword arguments."""
import tfjs as tf

my_sgd = tf.train.sgd({'lr': 0.2})
print(my_sgd.getClassName(), my_sgd.getConfig())
print(tf.train.adam(0.01).getConfig())
print(tf.train.rmsprop(learning_rate=0.01, momentum=0.9).getConfig())

# optimizer.minimize on a variable: fit y = a * x
a = tf.variable(tf.scalar(0.0))
xs = tf.tensor1d([1, 2, 3])
ys = tf.tensor1d([2, 4, 6])
for _ in range(50):
    my_sgd.minimize(lambda: xs.mul(a).sub(ys).square().mean())
print('a =', round(a.arraySync(), 4))
