"""Models built with tfjs the TF.js way (TF.js names, VarianceScaling initializers, hardSigmoid
recurrent activations, batchInputShape on the first layer), for the round-trip tests."""
import numpy as np

import tfjs as tf

L = tf.layers


def _randomize(model, seed):
    rs = np.random.RandomState(seed)
    for w in model.weights:
        shape = list(w.shape)
        if 'moving_variance' in w.originalName or w.originalName.endswith('/variance'):
            value = rs.uniform(0.5, 1.5, shape)
        else:
            value = rs.randn(*shape) * 0.4
        w.write(tf.tensor(value.astype(np.float32), shape))
    return model


def mlp():
    m = tf.sequential({'layers': [
        L.dense({'units': 6, 'activation': 'relu', 'inputShape': [5]}),
        L.dropout({'rate': 0.2}), L.dense({'units': 3, 'activation': 'softmax'})]})
    return m, [(3, 5)]


def recurrent():
    m = tf.sequential({'layers': [
        L.lstm({'units': 4, 'returnSequences': True, 'inputShape': [5, 3]}),
        L.gru({'units': 3, 'returnSequences': True}),
        L.simpleRNN({'units': 2, 'activation': 'hardSigmoid'}),
        L.dense({'units': 2, 'activation': 'hardSigmoid'})]})
    return m, [(2, 5, 3)]


def cnn():
    m = tf.sequential({'layers': [
        L.conv2d({'filters': 3, 'kernelSize': 3, 'activation': 'relu', 'inputShape': [8, 8, 2]}),
        L.batchNormalization(), L.maxPooling2d({'poolSize': 2}),
        L.separableConv2d({'filters': 2, 'kernelSize': 2, 'padding': 'same'}),
        L.flatten(), L.dense({'units': 2})]})
    return m, [(2, 8, 8, 2)]


def functional():
    a = tf.input({'shape': [4], 'name': 'a'})
    b = tf.input({'shape': [3], 'name': 'b'})
    inner = tf.sequential({'layers': [L.dense({'units': 3, 'inputShape': [4], 'activation':
                                               'tanh'})], 'name': 'inner'})
    shared = L.dense({'units': 4, 'name': 'shared'})
    h1 = inner.apply(shared.apply(a))
    h2 = inner.apply(shared.apply(L.dense({'units': 4}).apply(b)))
    s = L.add().apply([h1, h2])
    c = L.concatenate().apply([s, L.multiply().apply([h1, h2])])
    out1 = L.dense({'units': 2, 'name': 'out1'}).apply(c)
    out2 = L.dense({'units': 1, 'activation': 'sigmoid', 'name': 'out2'}).apply(s)
    return tf.model({'inputs': [a, b], 'outputs': [out1, out2]}), [(3, 4), (3, 3)]


def wrappers():
    m = tf.sequential({'layers': [
        L.timeDistributed({'layer': L.dense({'units': 3}), 'inputShape': [4, 2]}),
        L.bidirectional({'layer': L.lstm({'units': 2, 'returnSequences': True})}),
        L.bidirectional({'layer': L.gru({'units': 2}), 'mergeMode': 'ave'}),
        L.dense({'units': 1})]})
    return m, [(2, 4, 2)]


def text():
    m = tf.sequential({'layers': [
        L.embedding({'inputDim': 12, 'outputDim': 4, 'maskZero': True, 'inputShape': [6]}),
        L.lstm({'units': 3}), L.dense({'units': 2, 'activation': 'softmax'})]})
    return m, [('int', (3, 6), 12)]


def keras_extras():
    """Layers TF.js lacks and tfjs supports (Keras semantics)."""
    x = tf.input({'shape': [5, 4]})
    h = L.layerNormalization().apply(x)
    h = L.gru({'units': 4, 'returnSequences': True, 'resetAfter': True,
               'recurrentActivation': 'sigmoid'}).apply(h)
    h = L.conv1d({'filters': 3, 'kernelSize': 2, 'padding': 'causal'}).apply(h)
    y = L.globalAveragePooling1d().apply(h)
    return tf.model({'inputs': x, 'outputs': y}), [(2, 5, 4)]


MODELS = {'mlp': mlp, 'recurrent': recurrent, 'cnn': cnn, 'functional': functional,
          'wrappers': wrappers, 'text': text, 'keras_extras': keras_extras}


def build(name, seed=0):
    model, specs = MODELS[name]()
    _randomize(model, seed)
    rs = np.random.RandomState(seed + 1)
    xs = []
    for spec in specs:
        if spec[0] == 'int':
            x = rs.randint(1, spec[2], spec[1]).astype(np.int32)
            x[:, -2:] = 0
            xs.append(x.astype(np.float32))
        else:
            xs.append(rs.randn(*spec).astype(np.float32))
    return model, xs
