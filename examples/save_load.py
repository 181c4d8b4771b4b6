"""Section "loadLayersModel() loads from a URL": `model.save('file://dir')` writes the TF.js
files (model.json + weights.bin) that TF.js loads unchanged; `tf.loadLayersModel` reads them."""
import os
import tempfile

import tfjs as tf

model = tf.sequential()
model.add(tf.layers.dense({'units': 3, 'inputShape': [2], 'activation': 'relu'}))
model.add(tf.layers.dense({'units': 1}))
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, 'my-model')
    model.save(f'file://{path}')
    print(sorted(os.listdir(path)))
    loaded = tf.loadLayersModel(f'file://{path}/model.json')
    x = tf.tensor2d([[1, 2]])
    print(model.predict(x).arraySync(), loaded.predict(x).arraySync())
