"""Keras 3 parity for the convolution, pooling, padding, cropping and upsampling layers TF.js
lacks or configurations beyond TF.js (fixtures from tools/fixtures/keras_conv.py in
tests/fixtures/keras/conv/): the layer is built from the Keras config, given the Keras
weights, and must give Keras's output, input gradient and weight gradients; its config,
saved the TF.js way (snake_case), must agree with Keras's on every key both have."""
import numpy as np
import pytest

import tfjs as tf
from tfjs.serialization import convert_pythonic_to_ts, convert_ts_to_pythonic
from tfjs.serialization.registry import deserialize
from keras_fixture import case_names, keras_layer, load, numbered

CASES = case_names('conv')


def _load(name):
    meta, arrays = load('conv', name)
    return meta, arrays, keras_layer(meta['class_name'], meta['config'])


def test_there_are_fixtures():
    assert len(CASES) >= 50


@pytest.mark.parametrize('name', CASES)
def test_keras_fixture(name):
    meta, arrays, layer = _load(name)
    x = tf.tensor(arrays['x0'])
    kwargs = {'mask': tf.tensor(arrays['mask'])} if 'mask' in arrays else {}
    layer.apply(x, kwargs)
    weights = numbered(arrays, 'w')
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
        for i, (v, expected) in enumerate(zip(vals, numbered(arrays, 'gw'))):
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
