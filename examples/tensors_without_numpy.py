"""Section "No NumPy for TensorFlow.js": tensors and math come from the package itself
(NumPy arrays are accepted and `np.asarray(t)` works, but are never needed)."""
import tfjs as tf

xs = tf.tensor2d([[1], [2], [3], [4]], [4, 1])
xs.print()
a = tf.tensor2d([[1, 2], [3, 4]])
b = tf.tensor2d([[5, 6], [7, 8]])
tf.matMul(a, b).print()
a.matMul(b).add(1).print()      # chained methods
(a @ b + 1).print()             # Python operators
print(a.mean().arraySync(), a.sum(1).arraySync())
