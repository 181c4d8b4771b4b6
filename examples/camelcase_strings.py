"""Section "String values are lowerCamelCase": `'glorotNormal'`, `'meanSquaredError'`,
`'channelsFirst'`; the Keras snake_case spellings are accepted too, and saved files use
snake_case as Keras does."""
import json

import tfjs as tf

model = tf.sequential()
model.add(tf.layers.dense({'units': 4, 'inputShape': [3], 'kernelInitializer': 'glorotNormal'}))
model.add(tf.layers.dense({'units': 1, 'kernel_initializer': 'glorot_uniform'}))
model.add(tf.layers.activation({'activation': 'hardSigmoid'}))
model.compile({'optimizer': 'sgd', 'loss': 'meanSquaredError'})
model.compile({'optimizer': 'sgd', 'loss': 'mean_squared_error'})
topology = model.toJSON(None, False)
print(json.dumps(topology['config']['layers'][0]['config']['kernel_initializer']))
print(topology['config']['layers'][2]['config']['activation'])
