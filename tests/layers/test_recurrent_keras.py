"""Keras 3 parity for the recurrent layers and wrappers (fixtures from
tools/fixtures/keras_recurrent.py in tests/fixtures/keras/recurrent/): GRU `reset_after=True`
(Keras's default, which TF.js rejects) and `False`, Keras's default `sigmoid` recurrent
activation, Bidirectional merge modes, masks (also from a Masking layer in a model), given
and returned states, stateful layers across calls, TimeDistributed and ConvLSTM2D.

Each layer is built from its Keras config, given the Keras weights, and must give Keras's
outputs and the gradients with respect to the input, the given initial states and every
weight.

One documented difference: Keras's Bidirectional forces `zero_output_for_mask` on its RNNs, so
with `return_sequences` Keras outputs zeros at masked steps, where TF.js (and we) repeat the
previous output. Those steps are compared only through the objective `sum(y * r * mask)`,
which both sides agree on.
"""
import numpy as np
import pytest

import tfjs as tf
from tfjs.serialization import convert_pythonic_to_ts, convert_ts_to_pythonic
from tfjs.serialization.registry import deserialize
from keras_fixture import case_names, keras_layer, load, numbered

CASES = case_names('recurrent')
RTOL, ATOL = 1e-5, 1e-5


def _load_case(name):
    return load('recurrent', name)


def _close(ours, theirs, what):
    np.testing.assert_allclose(np.asarray(ours), theirs, rtol=RTOL, atol=ATOL, err_msg=what)


def _as_list(x):
    return x if isinstance(x, list) else [x]


def test_there_are_fixtures():
    assert len(CASES) >= 30


LAYER_CASES = [c for c in CASES if _load_case(c)[0]['kind'] == 'layer']


@pytest.mark.parametrize('name', LAYER_CASES)
def test_keras_layer_fixture(name):
    meta, arrays = _load_case(name)
    layer = keras_layer(meta['class_name'], meta['config'])
    x = tf.tensor(arrays['x0'])
    states = [tf.tensor(s) for s in numbered(arrays, 's')]
    kwargs = {}
    if 'mask' in arrays:
        kwargs['mask'] = tf.tensor(arrays['mask'])
    if states:
        kwargs['initialState'] = states
    layer.apply(x, dict(kwargs))
    weights = numbered(arrays, 'w')
    assert [list(w.shape) for w in weights] == [w.shape for w in layer.weights]
    layer.setWeights([tf.tensor(w) for w in weights])
    expected = numbered(arrays, 'y')
    rs = [a.copy() for a in numbered(arrays, 'r')]
    outs = _as_list(layer.apply(x, dict(kwargs)))
    assert len(outs) == len(expected)
    zeroed = meta['class_name'] == 'Bidirectional' and 'mask' in arrays and \
        meta['config']['layer']['config']['return_sequences']
    for i, (o, e) in enumerate(zip(outs, expected)):
        o = np.asarray(o)
        if zeroed and o.ndim == 3:       # Keras zeroes masked steps here (see module docstring)
            keep = arrays['mask'][:, :, None]
            assert np.all(e[~arrays['mask']] == 0)
            o, rs[i] = o * keep, rs[i] * keep
        _close(o, e, f'output {i}')
    assert _as_list(layer.computeOutputShape(list(x.shape))) == \
        [list(e.shape) for e in expected] or len(expected) == 1 and \
        layer.computeOutputShape(list(x.shape)) == list(expected[0].shape)

    r = [tf.tensor(a) for a in rs]

    def objective(inp, *given):
        kw = dict(kwargs)
        if given:
            kw['initialState'] = list(given)
        o = _as_list(layer.apply(inp, kw))
        return tf.addN([tf.sum(tf.mul(t, ri)) for t, ri in zip(o, r)])
    grads = tf.grads(objective)([x] + states)
    _close(grads[0], arrays['g0'], 'input gradient')
    for i, (g, e) in enumerate(zip(grads[1:], numbered(arrays, 'gs'))):
        _close(g, e, f'gradient of initial state {i}')
    vals = [w.read() for w in layer.trainableWeights]
    wgrads = tf.variableGrads(lambda: objective(x, *states), vals)['grads']
    for i, (v, e) in enumerate(zip(vals, numbered(arrays, 'gw'))):
        np.testing.assert_allclose(np.asarray(wgrads[v.name]), e, rtol=RTOL, atol=1e-4,
                                   err_msg=f'gradient of weight {i}')


@pytest.mark.parametrize('name', [c for c in CASES if _load_case(c)[0]['kind'] == 'stateful'])
def test_keras_stateful_fixture(name):
    meta, arrays = _load_case(name)
    layer = keras_layer(meta['class_name'], meta['config'])
    assert layer.stateful
    x0, x1 = tf.tensor(arrays['x0']), tf.tensor(arrays['x1'])
    layer.apply(x0)
    layer.setWeights([tf.tensor(w) for w in numbered(arrays, 'w')])
    layer.resetStates()
    for o, e in zip(_as_list(layer.apply(x0)), numbered(arrays, 'y')):
        _close(o, e, 'first call')
    for o, e in zip(_as_list(layer.apply(x1)), numbered(arrays, 'z')):
        _close(o, e, 'second call (continuing the states)')
    layer.resetStates()
    for o, e in zip(_as_list(layer.apply(x0)), numbered(arrays, 'y')):
        _close(o, e, 'after resetStates')


@pytest.mark.parametrize('name', [c for c in CASES if _load_case(c)[0]['kind'] == 'model'])
def test_keras_masking_model_fixture(name):
    if not hasattr(tf.layers, 'masking'):
        pytest.skip('tf.layers.masking is built by another engineer and is not available yet')
    meta, arrays = _load_case(name)
    x = arrays['x0']
    layers = [keras_layer(spec['class_name'], spec['config']) for spec in meta['layers']]
    inp = tf.input({'shape': list(x.shape[1:])})
    out = inp
    for layer in layers:
        out = layer.apply(out)
    model = tf.model({'inputs': inp, 'outputs': out})
    model.setWeights([tf.tensor(w) for w in numbered(arrays, 'w')])
    _close(model.predict(tf.tensor(x)), arrays['y0'], 'model output')


def _simple(value) -> bool:
    return value is None or isinstance(value, (bool, int, float, str)) or \
        (isinstance(value, list) and all(_simple(v) for v in value))


@pytest.mark.parametrize('name', [c for c in CASES if _load_case(c)[0]['kind'] != 'model'])
def test_config_agrees_with_keras(name):
    meta, _ = _load_case(name)
    layer = keras_layer(meta['class_name'], meta['config'])
    ours = convert_ts_to_pythonic(layer.getConfig())
    keras = meta['config']
    common = [k for k in ours if k in keras and k not in ('name', 'dtype') and _simple(keras[k])]
    assert common
    for key in common:
        assert ours[key] == keras[key], (key, ours[key], keras[key])
    again = deserialize({'className': meta['class_name'],
                         'config': convert_pythonic_to_ts(ours)}, kind='layer')
    assert again.getConfig() == {**layer.getConfig(), 'name': again.name}
