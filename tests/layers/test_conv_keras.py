"""Keras 3 parity for the convolution, pooling, padding, cropping and upsampling layers TF.js
lacks or configurations beyond TF.js (fixtures from tools/fixtures/keras_conv.py in
tests/fixtures/keras/conv/): the layer is built from the Keras config, given the Keras
weights, and must give Keras's output, input gradient and weight gradients; its config,
saved the TF.js way (snake_case), must agree with Keras's on every key both have."""
import glob
import json
import os

import numpy as np
import pytest

import tfjs as tf
from tfjs.serialization import convert_pythonic_to_ts, convert_ts_to_pythonic
from tfjs.serialization.registry import deserialize

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'keras',
                        'conv')
CASES = sorted(os.path.basename(p)[:-5] for p in glob.glob(os.path.join(FIXTURES, '*.json')))


# Keras 3.15's VarianceScaling initializers carry input_axes / output_axes (null here), which
# tfjs.initializers does not know (yet); they do not matter once the weights are set.
_NEW_INITIALIZER_KEYS = ('inputAxes', 'outputAxes')


def _from_keras(obj):
    """A Keras 3 get_config() after convert_pythonic_to_ts: dtype policies as dtype strings,
    Keras 3 object dicts reduced to {className, config}."""
    if isinstance(obj, list):
        return [_from_keras(v) for v in obj]
    if not isinstance(obj, dict):
        return obj
    if 'className' in obj and 'config' in obj:
        config = {k: v for k, v in (obj['config'] or {}).items()
                  if not (k in _NEW_INITIALIZER_KEYS and v is None)}
        return {'className': obj['className'], 'config': _from_keras(config)}
    out = {}
    for key, value in obj.items():
        if key == 'dtype' and isinstance(value, dict):
            value = value['config']['name']
        out[key] = _from_keras(value)
    return out


def _load(name):
    with open(os.path.join(FIXTURES, name + '.json')) as f:
        meta = json.load(f)
    arrays = dict(np.load(os.path.join(FIXTURES, name + '.npz')))
    config = _from_keras(convert_pythonic_to_ts(meta['config']))
    layer = deserialize({'className': meta['class_name'], 'config': config}, kind='layer')
    return meta, arrays, layer


def _weights(arrays, prefix):
    return [arrays[f'{prefix}{i}'] for i in range(len([k for k in arrays
                                                       if k[:len(prefix)] == prefix
                                                       and k[len(prefix):].isdigit()]))]


def test_there_are_fixtures():
    assert len(CASES) >= 50


@pytest.mark.parametrize('name', CASES)
def test_keras_fixture(name):
    meta, arrays, layer = _load(name)
    x = tf.tensor(arrays['x0'])
    kwargs = {'mask': tf.tensor(arrays['mask'])} if 'mask' in arrays else {}
    layer.apply(x, kwargs)
    weights = _weights(arrays, 'w')
    assert len(weights) == len(layer.weights)
    assert [list(w.shape) for w in weights] == [list(w.shape) for w in layer.weights]
    if weights:
        layer.setWeights([tf.tensor(w) for w in weights])
    y = layer.apply(x, kwargs)
    np.testing.assert_allclose(np.asarray(y), arrays['y'], rtol=1e-5, atol=1e-5)
    assert layer.computeOutputShape(list(x.shape)) == list(arrays['y'].shape)

    r = tf.tensor(arrays['r'])
    g = tf.grad(lambda t: tf.sum(tf.mul(layer.apply(t, kwargs), r)))(x)
    np.testing.assert_allclose(np.asarray(g), arrays['g0'], rtol=1e-5, atol=1e-5,
                               err_msg='input gradient')
    if layer.trainableWeights:
        vals = [w.read() for w in layer.trainableWeights]
        grads = tf.variableGrads(lambda: tf.sum(tf.mul(layer.apply(x, kwargs), r)), vals)['grads']
        for i, (v, expected) in enumerate(zip(vals, _weights(arrays, 'gw'))):
            np.testing.assert_allclose(np.asarray(grads[v.name]), expected, rtol=1e-5, atol=1e-4,
                                       err_msg=f'gradient of weight {i}')


def _simple(value) -> bool:
    return value is None or isinstance(value, (bool, int, float, str)) or \
        (isinstance(value, list) and all(_simple(v) for v in value))


@pytest.mark.parametrize('name', CASES)
def test_config_agrees_with_keras(name):
    meta, _, layer = _load(name)
    ours = convert_ts_to_pythonic(layer.getConfig())
    keras = meta['config']
    common = [k for k in ours if k in keras and k not in ('name', 'dtype') and _simple(keras[k])]
    assert common
    for key in common:
        assert ours[key] == keras[key], (key, ours[key], keras[key])
    # the config reloads into the same layer
    again = deserialize({'className': meta['class_name'],
                         'config': convert_pythonic_to_ts(ours)}, kind='layer')
    assert again.getConfig() == {**layer.getConfig(), 'name': again.name}
