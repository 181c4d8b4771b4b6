"""A generic harness run over every layer: symbolic and eager build, output shape against
computeOutputShape, config and JSON round trips, weight names, and one training step that
changes the trainable weights and only those (in the style of Keras's layer test harness).

The cases come from every `tests/layers/cases_*.py` module's `HARNESS_CASES`: tuples
`(factory, config, input shape without batch, expected weight names[, options])`. A list of
shapes means a multi-input layer. Options: `input` ('float', ('int', lo, hi) or
('uniform', lo, hi)), `train` (False to skip the training step: layers with no gradient path),
`non_trainable_changes` (names of non-trainable weights that legitimately change in training),
`random_size` (True: computeOutputShape may give None for a size only known per call).
Nested layers in a config (RNN cells, wrapped layers) are `{'factory': name, 'config': {...}}`.
"""
import glob
import importlib
import json
import os

import numpy as np
import pytest

import tfjs as tf
from layer_parity import build_nested, make_input
from tfjs.serialization import convert_pythonic_to_ts, convert_ts_to_pythonic
from tfjs.serialization.registry import deserialize

_HERE = os.path.dirname(os.path.abspath(__file__))


def _collect():
    cases = []
    for path in sorted(glob.glob(os.path.join(_HERE, 'cases_*.py'))):
        module = importlib.import_module(os.path.basename(path)[:-3])
        for case in module.HARNESS_CASES:
            name, config, shape, weights = case[:4]
            opts = case[4] if len(case) > 4 else {}
            cases.append(pytest.param(name, config, shape, weights, opts,
                                      id=f'{name}-{len(cases)}'))
    return cases


CASES = _collect()


def _is_multi(shape) -> bool:
    return bool(shape) and isinstance(shape[0], (list, tuple))


def _inputs(shape, opts, batch=2, seed=0):
    rs = np.random.RandomState(seed)
    shapes = shape if _is_multi(shape) else [shape]
    spec = opts.get('input', 'float')
    specs = spec if isinstance(spec, list) else [spec] * len(shapes)
    arrays = [make_input([batch] + list(s), sp, rs) for s, sp in zip(shapes, specs)]
    return [tf.tensor(a) for a in arrays]


def _symbolic(shape, opts):
    shapes = shape if _is_multi(shape) else [shape]
    spec = opts.get('input', 'float')
    specs = spec if isinstance(spec, list) else [spec] * len(shapes)
    return [tf.input({'shape': list(s), 'dtype': 'int32' if sp != 'float' and sp[0] == 'int'
                      else 'float32'}) for s, sp in zip(shapes, specs)]


def _one(xs, shape):
    return xs if _is_multi(shape) else xs[0]


def _shapes(outputs):
    outs = outputs if isinstance(outputs, list) else [outputs]
    return [list(o.shape) for o in outs]


@pytest.mark.parametrize('name,config,shape,weights,opts', CASES)
def test_symbolic_and_eager_agree_with_compute_output_shape(name, config, shape, weights, opts):
    layer = getattr(tf.layers, name)(build_nested(dict(config)))
    symbolic = layer.apply(_one(_symbolic(shape, opts), shape))
    xs = _inputs(shape, opts)
    eager = layer.apply(_one(xs, shape))
    for s, e in zip(_shapes(symbolic), _shapes(eager)):
        assert s[0] is None and all(a is None or a == b for a, b in zip(s[1:], e[1:])), (s, e)
    expected = layer.computeOutputShape(_one([list(x.shape) for x in xs], shape))
    expected = expected if _is_multi(expected) else [expected]
    if opts.get('random_size'):
        expected = [[a if e is None else e for e, a in zip(ex, ea)]
                    for ex, ea in zip(expected, _shapes(eager))]
    assert [list(e) for e in expected] == _shapes(eager)
    assert [w.originalName[w.originalName.index('/') + 1:] for w in layer.weights] == weights
    assert all(w.originalName.startswith(layer.name + '/') for w in layer.weights)


@pytest.mark.parametrize('name,config,shape,weights,opts', CASES)
def test_config_and_json_round_trip(name, config, shape, weights, opts):
    layer = getattr(tf.layers, name)(build_nested(dict(config)))
    layer.apply(_one(_symbolic(shape, opts), shape))
    conf = layer.getConfig()
    rebuilt = type(layer).fromConfig(conf)
    assert rebuilt.getConfig() == conf
    text = json.dumps(convert_ts_to_pythonic({'className': layer.getClassName(), 'config': conf}))
    again = deserialize(convert_pythonic_to_ts(json.loads(text)), kind='layer')
    assert again.getConfig() == conf


@pytest.mark.parametrize('name,config,shape,weights,opts', CASES)
def test_one_training_step_changes_trainable_weights_only(name, config, shape, weights, opts):
    if opts.get('train') is False:
        pytest.skip('this layer has no gradient path to train through')
    layer = getattr(tf.layers, name)(build_nested(dict(config)))
    inputs = _symbolic(shape, opts)
    out = layer.apply(_one(inputs, shape))
    outs = out if isinstance(out, list) else [out]
    heads = []
    for o in outs:
        h = tf.layers.flatten().apply(o) if len(o.shape) > 2 else o
        heads.append(tf.layers.dense({'units': 1}).apply(h))
    head = heads[0] if len(heads) == 1 else tf.layers.add().apply(heads)
    model = tf.model({'inputs': inputs, 'outputs': head})
    model.compile({'optimizer': tf.train.sgd(0.1), 'loss': 'meanSquaredError'})
    before = {w.originalName: np.asarray(w.read()) for w in layer.weights}
    trainable = {w.originalName for w in layer.trainableWeights}
    may_change = set(opts.get('non_trainable_changes', ())) | {'moving_mean', 'moving_variance'}
    xs = _inputs(shape, opts, batch=4)
    model.fit(_one(xs, shape), tf.randomNormal([4, 1]), {'epochs': 1, 'verbose': 0})
    for w in layer.weights:
        changed = not np.array_equal(before[w.originalName], np.asarray(w.read()))
        if w.originalName in trainable:
            assert changed, w.originalName
        elif w.originalName.split('/')[-1] not in may_change:
            assert not changed, w.originalName
