"""Section "Memory management of Layer and Model objects": `dispose()` frees weights; `tf.tidy`
and `tf.memory()` work as in TF.js."""
import tfjs as tf

before = tf.memory()['numTensors']
model = tf.sequential()
model.add(tf.layers.dense({'units': 4, 'inputShape': [3]}))
model.add(tf.layers.dense({'units': 1}))
print('tensors after building:', tf.memory()['numTensors'] - before)
y = tf.tidy(lambda: model.predict(tf.ones([2, 3])).mul(2))
print('tidy kept only the result:', y.shape)
y.dispose()
result = model.dispose()
print('disposed variables:', result['numDisposedVariables'])
print('tensors after dispose:', tf.memory()['numTensors'] - before)
