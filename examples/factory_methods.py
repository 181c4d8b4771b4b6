"""Section "Factory methods, not constructors": `tf.sequential()`, `tf.layers.batchNormalization`
(the classes exist too, for subclassing and isinstance checks)."""
import tfjs as tf

model = tf.sequential()
layer = tf.layers.batchNormalization({'axis': 1})
print(type(model).__name__, model.name)
print(type(layer).__name__, layer.name, layer.axis)
print(isinstance(model, tf.Sequential), isinstance(layer, tf.layers.Layer))
