"""The cross-language round trip TF.js itself tests (e2e/integration_tests/create_save_predict):
nine models built here and saved load in TF.js with the same predictions; built and saved by
TF.js, they load here with the same predictions; and both write the same model topology."""
import json

import numpy as np
import pytest

import tfjs as tf
from tfjs.engine.common import reset_uids

# name -> (Python builder, the same model in TF.js, integer input max or None)
MODELS = {}


def model(name, js, int_max=None):
    def register(fn):
        MODELS[name] = (fn, js, int_max)
        return fn
    return register


@model('mlp', """
  const model = tf.sequential();
  model.add(tf.layers.dense({units: 100, inputShape: [200], activation: 'relu'}));
  model.add(tf.layers.dense({units: 50, activation: 'elu'}));
  model.add(tf.layers.dense({units: 24}));
  model.add(tf.layers.activation({activation: 'elu'}));
  model.add(tf.layers.dense({units: 8, activation: 'softmax'}));""")
def mlp():
    m = tf.sequential()
    m.add(tf.layers.dense({'units': 100, 'inputShape': [200], 'activation': 'relu'}))
    m.add(tf.layers.dense({'units': 50, 'activation': 'elu'}))
    m.add(tf.layers.dense({'units': 24}))
    m.add(tf.layers.activation({'activation': 'elu'}))
    m.add(tf.layers.dense({'units': 8, 'activation': 'softmax'}))
    return m


@model('cnn', """
  const model = tf.sequential();
  model.add(tf.layers.conv2d({filters: 32, kernelSize: [3, 3], strides: [2, 2],
                              inputShape: [40, 40, 3], padding: 'valid'}));
  model.add(tf.layers.batchNormalization({}));
  model.add(tf.layers.activation({activation: 'relu'}));
  model.add(tf.layers.dropout({rate: 0.5}));
  model.add(tf.layers.maxPooling2d({poolSize: 2}));
  model.add(tf.layers.separableConv2d({filters: 32, kernelSize: [4, 4], strides: [3, 3]}));
  model.add(tf.layers.batchNormalization({}));
  model.add(tf.layers.activation({activation: 'relu'}));
  model.add(tf.layers.dropout({rate: 0.5}));
  model.add(tf.layers.avgPooling2d({poolSize: [2, 2]}));
  model.add(tf.layers.flatten({}));
  model.add(tf.layers.dense({units: 100, activation: 'softmax'}));""")
def cnn():
    m = tf.sequential()
    m.add(tf.layers.conv2d({'filters': 32, 'kernelSize': [3, 3], 'strides': [2, 2],
                            'inputShape': [40, 40, 3], 'padding': 'valid'}))
    m.add(tf.layers.batchNormalization({}))
    m.add(tf.layers.activation({'activation': 'relu'}))
    m.add(tf.layers.dropout({'rate': 0.5}))
    m.add(tf.layers.maxPooling2d({'poolSize': 2}))
    m.add(tf.layers.separableConv2d({'filters': 32, 'kernelSize': [4, 4], 'strides': [3, 3]}))
    m.add(tf.layers.batchNormalization({}))
    m.add(tf.layers.activation({'activation': 'relu'}))
    m.add(tf.layers.dropout({'rate': 0.5}))
    m.add(tf.layers.avgPooling2d({'poolSize': [2, 2]}))
    m.add(tf.layers.flatten({}))
    m.add(tf.layers.dense({'units': 100, 'activation': 'softmax'}))
    return m


@model('depthwise_cnn', """
  const model = tf.sequential();
  model.add(tf.layers.depthwiseConv2d({depthMultiplier: 2, kernelSize: [3, 3], strides: [2, 2],
                                       inputShape: [40, 40, 3], padding: 'valid'}));
  model.add(tf.layers.batchNormalization({}));
  model.add(tf.layers.activation({activation: 'relu'}));
  model.add(tf.layers.dropout({rate: 0.5}));
  model.add(tf.layers.maxPooling2d({poolSize: 2}));
  model.add(tf.layers.flatten({}));
  model.add(tf.layers.dense({units: 100, activation: 'softmax'}));""")
def depthwise_cnn():
    m = tf.sequential()
    m.add(tf.layers.depthwiseConv2d({'depthMultiplier': 2, 'kernelSize': [3, 3],
                                     'strides': [2, 2], 'inputShape': [40, 40, 3],
                                     'padding': 'valid'}))
    m.add(tf.layers.batchNormalization({}))
    m.add(tf.layers.activation({'activation': 'relu'}))
    m.add(tf.layers.dropout({'rate': 0.5}))
    m.add(tf.layers.maxPooling2d({'poolSize': 2}))
    m.add(tf.layers.flatten({}))
    m.add(tf.layers.dense({'units': 100, 'activation': 'softmax'}))
    return m


@model('simple_rnn', """
  const model = tf.sequential();
  model.add(tf.layers.embedding({inputDim: 100, outputDim: 20, inputShape: [10]}));
  model.add(tf.layers.simpleRNN({units: 4}));""", int_max=100)
def simple_rnn():
    m = tf.sequential()
    m.add(tf.layers.embedding({'inputDim': 100, 'outputDim': 20, 'inputShape': [10]}))
    m.add(tf.layers.simpleRNN({'units': 4}))
    return m


@model('gru', """
  const model = tf.sequential();
  model.add(tf.layers.embedding({inputDim: 100, outputDim: 20, inputShape: [10]}));
  model.add(tf.layers.gru({units: 4, goBackwards: true}));""", int_max=100)
def gru():
    m = tf.sequential()
    m.add(tf.layers.embedding({'inputDim': 100, 'outputDim': 20, 'inputShape': [10]}))
    m.add(tf.layers.gru({'units': 4, 'goBackwards': True}))
    return m


@model('bidirectional_lstm', """
  const model = tf.sequential();
  model.add(tf.layers.embedding({inputDim: 100, outputDim: 20, inputShape: [10]}));
  const lstm = tf.layers.lstm({units: 4, goBackwards: true});
  model.add(tf.layers.bidirectional({layer: lstm, mergeMode: 'concat'}));""", int_max=100)
def bidirectional_lstm():
    m = tf.sequential()
    m.add(tf.layers.embedding({'inputDim': 100, 'outputDim': 20, 'inputShape': [10]}))
    lstm = tf.layers.lstm({'units': 4, 'goBackwards': True})
    m.add(tf.layers.bidirectional({'layer': lstm, 'mergeMode': 'concat'}))
    return m


@model('time_distributed_lstm', """
  const model = tf.sequential();
  model.add(tf.layers.embedding({inputDim: 100, outputDim: 20, inputShape: [10]}));
  model.add(tf.layers.lstm({units: 4, returnSequences: true}));
  model.add(tf.layers.timeDistributed({
    layer: tf.layers.dense({units: 2, useBias: false, activation: 'softmax'})}));""",
       int_max=100)
def time_distributed_lstm():
    m = tf.sequential()
    m.add(tf.layers.embedding({'inputDim': 100, 'outputDim': 20, 'inputShape': [10]}))
    m.add(tf.layers.lstm({'units': 4, 'returnSequences': True}))
    m.add(tf.layers.timeDistributed({
        'layer': tf.layers.dense({'units': 2, 'useBias': False, 'activation': 'softmax'})}))
    return m


@model('one_dimensional', """
  const model = tf.sequential();
  model.add(tf.layers.conv1d({filters: 16, kernelSize: [4], inputShape: [80, 1],
                              activation: 'relu'}));
  model.add(tf.layers.maxPooling1d({poolSize: 3}));
  model.add(tf.layers.conv1d({filters: 8, kernelSize: [3], activation: 'relu'}));
  model.add(tf.layers.avgPooling1d({poolSize: 5}));
  model.add(tf.layers.flatten());""")
def one_dimensional():
    m = tf.sequential()
    m.add(tf.layers.conv1d({'filters': 16, 'kernelSize': [4], 'inputShape': [80, 1],
                            'activation': 'relu'}))
    m.add(tf.layers.maxPooling1d({'poolSize': 3}))
    m.add(tf.layers.conv1d({'filters': 8, 'kernelSize': [3], 'activation': 'relu'}))
    m.add(tf.layers.avgPooling1d({'poolSize': 5}))
    m.add(tf.layers.flatten())
    return m


@model('functional_merge', """
  const input1 = tf.input({shape: [2, 5]});
  const input2 = tf.input({shape: [4, 5]});
  const input3 = tf.input({shape: [30]});
  const reshaped1 = tf.layers.reshape({targetShape: [10]}).apply(input1);
  const reshaped2 = tf.layers.reshape({targetShape: [20]}).apply(input2);
  const dense1 = tf.layers.dense({units: 5}).apply(reshaped1);
  const dense2 = tf.layers.dense({units: 5}).apply(reshaped2);
  const dense3 = tf.layers.dense({units: 5}).apply(input3);
  const avg = tf.layers.average().apply([dense1, dense2]);
  const concat = tf.layers.concatenate({axis: -1}).apply([avg, dense3]);
  const output = tf.layers.dense({units: 1}).apply(concat);
  const model = tf.model({inputs: [input1, input2, input3], outputs: output});""")
def functional_merge():
    input1 = tf.input({'shape': [2, 5]})
    input2 = tf.input({'shape': [4, 5]})
    input3 = tf.input({'shape': [30]})
    reshaped1 = tf.layers.reshape({'targetShape': [10]}).apply(input1)
    reshaped2 = tf.layers.reshape({'targetShape': [20]}).apply(input2)
    dense1 = tf.layers.dense({'units': 5}).apply(reshaped1)
    dense2 = tf.layers.dense({'units': 5}).apply(reshaped2)
    dense3 = tf.layers.dense({'units': 5}).apply(input3)
    avg = tf.layers.average().apply([dense1, dense2])
    concat = tf.layers.concatenate({'axis': -1}).apply([avg, dense3])
    output = tf.layers.dense({'units': 1}).apply(concat)
    return tf.model({'inputs': [input1, input2, input3], 'outputs': output})


def _build(name):
    return MODELS[name][0]()


def _inputs(m, int_max, seed=0):
    rs = np.random.RandomState(seed)
    xs = []
    for t in m.inputs:
        shape = [2] + list(t.shape[1:])
        xs.append(np.floor(rs.uniform(0, int_max, shape)).astype(np.float32) if int_max
                  else rs.randn(*shape).astype(np.float32))
    return xs


def _predict(m, xs):
    out = m.predict([tf.tensor(x) for x in xs] if len(xs) > 1 else tf.tensor(xs[0]))
    return [np.asarray(o) for o in (out if isinstance(out, list) else [out])]


def _close(ours, theirs):
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


PREDICT_JS = """
  const out = model.predict(args.xs.length > 1 ? args.xs : args.xs[0]);
  return Array.isArray(out) ? out : [out];
"""


@pytest.mark.parametrize('name', list(MODELS))
def test_saved_here_loads_in_tfjs(oracle, tmp_path, name):
    m = _build(name)
    xs = _inputs(m, MODELS[name][2])
    ours = _predict(m, xs)
    m.save(f'file://{tmp_path}/m')
    theirs = oracle.eval('const model = await helpers.loadModelFromDir(args.path);' + PREDICT_JS,
                         {'path': str(tmp_path / 'm' / 'model.json'), 'xs': xs})
    _close(ours, theirs)


@pytest.mark.parametrize('name', list(MODELS))
def test_saved_by_tfjs_loads_here(oracle, tmp_path, name):
    js = MODELS[name][1]
    shapes = oracle.eval(js + 'return model.inputs.map(t => t.shape);')
    rs = np.random.RandomState(1)
    int_max = MODELS[name][2]
    xs = [np.floor(rs.uniform(0, int_max, [2] + s[1:])).astype(np.float32) if int_max
          else rs.randn(*([2] + s[1:])).astype(np.float32) for s in shapes]
    theirs = oracle.eval(js + 'await helpers.saveModelToDir(model, args.dir);' + PREDICT_JS,
                         {'dir': str(tmp_path / 'js'), 'xs': xs})
    loaded = tf.loadLayersModel(f'file://{tmp_path}/js/model.json')
    _close(_predict(loaded, xs), theirs)


@pytest.mark.parametrize('name', list(MODELS))
def test_same_topology_as_tfjs(oracle, name):
    oracle.restart()                      # fresh TF.js name counters
    theirs = oracle.eval(MODELS[name][1] + 'return model.toJSON(null, false);')
    reset_uids()
    ours = _build(name).toJSON(None, False)
    ours, theirs = json.loads(json.dumps(ours)), json.loads(json.dumps(theirs))
    ours.pop('keras_version', None), theirs.pop('keras_version', None)
    assert ours == theirs
