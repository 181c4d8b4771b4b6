"""A generic harness run over every layer: symbolic and eager build, output shape against
computeOutputShape, config and JSON round trips, weight names, and one training step that
changes the trainable weights and only those (in the style of Keras's layer test harness)."""
import json

import numpy as np
import pytest

import tfjs as tf
from tfjs.serialization import convert_pythonic_to_ts, convert_ts_to_pythonic
from tfjs.serialization.registry import deserialize

# (factory name, config, input shape without batch, expected weight names)
CASES = [
    ('dense', {'units': 3}, [4], ['kernel', 'bias']),
    ('dense', {'units': 2, 'useBias': False, 'activation': 'tanh'}, [5, 4], ['kernel']),
    ('flatten', {}, [2, 3], []),
    ('flatten', {'dataFormat': 'channelsFirst'}, [2, 3, 2], []),
    ('activation', {'activation': 'relu'}, [3], []),
    ('dropout', {'rate': 0.5}, [3], []),
    ('reshape', {'targetShape': [2, -1]}, [6], []),
    ('batchNormalization', {}, [3], ['gamma', 'beta', 'moving_mean', 'moving_variance']),
    ('batchNormalization', {'axis': 1, 'center': False}, [3, 2],
     ['gamma', 'moving_mean', 'moving_variance']),
]
MERGE_CASES = [('add', {}), ('multiply', {}), ('average', {}), ('maximum', {}), ('minimum', {}),
               ('concatenate', {'axis': -1})]


def ids(cases):
    return [f'{c[0]}-{i}' for i, c in enumerate(cases)]


@pytest.mark.parametrize('name,config,shape,weights', CASES, ids=ids(CASES))
def test_symbolic_and_eager_agree_with_compute_output_shape(name, config, shape, weights):
    layer = getattr(tf.layers, name)(config)
    symbolic = layer.apply(tf.input({'shape': shape}))
    x = tf.randomNormal([2] + shape)
    eager = layer.apply(x)
    assert symbolic.shape[1:] == eager.shape[1:]
    assert layer.computeOutputShape([2] + shape) == eager.shape
    assert [w.originalName.split('/')[-1] for w in layer.weights] == weights
    assert all(w.originalName.startswith(layer.name + '/') for w in layer.weights)


@pytest.mark.parametrize('name,config,shape,weights', CASES, ids=ids(CASES))
def test_config_and_json_round_trip(name, config, shape, weights):
    layer = getattr(tf.layers, name)(config)
    layer.apply(tf.input({'shape': shape}))
    conf = layer.getConfig()
    rebuilt = type(layer).fromConfig(conf)
    assert rebuilt.getConfig() == conf
    text = json.dumps(convert_ts_to_pythonic({'className': layer.getClassName(), 'config': conf}))
    again = deserialize(convert_pythonic_to_ts(json.loads(text)), kind='layer')
    assert again.getConfig() == conf


@pytest.mark.parametrize('name,config,shape,weights', CASES, ids=ids(CASES))
def test_one_training_step_changes_trainable_weights_only(name, config, shape, weights):
    layer = getattr(tf.layers, name)(config)
    model = tf.sequential()
    model.add(tf.layers.inputLayer({'inputShape': shape}))
    model.add(layer)
    model.add(tf.layers.flatten() if len(model.outputs[0].shape) > 2 else tf.layers.activation({'activation': 'linear'}))
    model.add(tf.layers.dense({'units': 1}))
    model.compile({'optimizer': tf.train.sgd(0.1), 'loss': 'meanSquaredError'})
    before = {w.originalName: np.asarray(w.read()) for w in layer.weights}
    trainable = {w.originalName for w in layer.trainableWeights}
    model.fit(tf.randomNormal([4] + shape), tf.randomNormal([4, 1]), {'epochs': 1, 'verbose': 0})
    for w in layer.weights:
        changed = not np.array_equal(before[w.originalName], np.asarray(w.read()))
        if w.originalName in trainable:
            assert changed, w.originalName
        elif 'moving' not in w.originalName:      # moving statistics update in training
            assert not changed, w.originalName


@pytest.mark.parametrize('name,config', MERGE_CASES, ids=[c[0] for c in MERGE_CASES])
def test_merge_layers(name, config):
    layer = getattr(tf.layers, name)(config)
    a, b = tf.input({'shape': [3]}), tf.input({'shape': [3]})
    out = layer.apply([a, b])
    xa, xb = tf.randomNormal([2, 3]), tf.randomNormal([2, 3])
    eager = layer.apply([xa, xb])
    assert out.shape[1:] == eager.shape[1:]
    ref = {'add': np.add, 'multiply': np.multiply, 'average': lambda p, q: (p + q) / 2,
           'maximum': np.maximum, 'minimum': np.minimum,
           'concatenate': lambda p, q: np.concatenate([p, q], -1)}[name]
    np.testing.assert_allclose(np.asarray(eager), ref(np.asarray(xa), np.asarray(xb)), rtol=1e-6)
    assert type(layer).fromConfig(layer.getConfig()).getConfig() == layer.getConfig()
