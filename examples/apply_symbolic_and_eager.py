"""Sections "Layer objects are run with apply()" and "apply() supports eager evaluation":
SymbolicTensors in give SymbolicTensors out; concrete tensors in give tensors out."""
import tfjs as tf

my_input = tf.input({'shape': [2, 4]})
flatten = tf.layers.flatten()
print(flatten.apply(my_input).shape)          # [None, 8]

flatten = tf.layers.flatten()
flatten.apply(tf.ones([2, 3, 4])).print()     # a concrete [2, 12] tensor
print(flatten(tf.ones([1, 2, 2])).shape)      # Python's call syntax works as well
