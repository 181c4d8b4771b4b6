"""Preprocessing layers against real Keras 3 (fixtures made by
tools/fixtures/keras_preprocessing.py): each case builds our layer from Keras's class name and
get_config(), sets Keras's weights and compares the outputs (inference mode); for the random
augmentation layers it applies our transform to the random parameters Keras drew and compares.
Also: Normalization.adapt and Discretization.adapt learn what Keras learnt.

The helpers here (load_cases, keras_layer) also serve test_attention_keras.py."""
import json
import os

import numpy as np
import pytest
import torch

import tfjs as tf
from tfjs.serialization import convert_pythonic_to_ts
from tfjs.serialization.registry import deserialize
from keras_fixture import from_keras, keras_layer as _keras_layer

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'keras')


def load_cases(family: str) -> list:
    """The cases of tests/fixtures/keras/<family>/cases.json, each with its arrays."""
    folder = os.path.join(FIXTURES, family)
    with open(os.path.join(folder, 'cases.json')) as f:
        cases = json.load(f)['cases']
    for case in cases:
        with np.load(os.path.join(folder, case['name'] + '.npz')) as data:
            case['arrays'] = {k: data[k] for k in data.files}
    return cases


def keras_layer(case: dict):
    """Our layer deserialized from the case's Keras class name and get_config()."""
    return _keras_layer(case['class_name'], case['config'])


def arrays(case: dict, prefix: str) -> list:
    """The case's arrays named <prefix>0, <prefix>1, ... in order."""
    out, i = [], 0
    while f'{prefix}{i}' in case['arrays']:
        out.append(case['arrays'][f'{prefix}{i}'])
        i += 1
    return out


def assert_close(ours, theirs, what, rtol=1e-5, atol=1e-5):
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.shape == theirs.shape, f'{what}: shape {ours.shape} != Keras {theirs.shape}'
    np.testing.assert_allclose(ours.astype(np.float64), theirs.astype(np.float64), rtol=rtol,
                               atol=atol, err_msg=what)


CASES = load_cases('preprocessing')
LAYER_CASES = [c for c in CASES if c['note'] != 'transform']
TRANSFORM_CASES = [c for c in CASES if c['note'] == 'transform']


@pytest.mark.parametrize('case', LAYER_CASES, ids=[c['name'] for c in LAYER_CASES])
def test_inference_output_matches_keras(case):
    layer = keras_layer(case)
    if case['class_name'].endswith('Lookup') and 'adapt_data' in case['arrays']:
        layer.adapt(case['arrays']['adapt_data'])           # Keras keeps this vocabulary as an
        assert layer.getVocabulary() == case['arrays']['vocab'].tolist()   # asset file
        if 'idf' in case['arrays']:
            assert_close(layer._idf.cpu(), case['arrays']['idf'], 'idf weights')
    xs = [tf.tensor(a) for a in arrays(case, 'in')]
    kwargs = {convert_pythonic_to_ts(k): tf.tensor(case['arrays'][f'kw_{k}'])
              for k in case['tensor_kwargs']}
    layer.apply(xs[0] if len(xs) == 1 else xs, dict(kwargs))
    weights = arrays(case, 'w')
    if weights:
        layer.setWeights([tf.tensor(w) for w in weights])
    names = [w.originalName.split('/', 1)[1] for w in layer.weights]
    assert names == case['weight_names']
    out = layer.apply(xs[0] if len(xs) == 1 else xs, dict(kwargs))
    outs = out if isinstance(out, list) else [out]
    expected = arrays(case, 'out')
    for i, (o, e) in enumerate(zip(outs, expected)):
        if e.dtype.kind == 'U':
            assert o.dtype == 'string' and o.arraySync() == e.tolist()
        elif e.dtype.kind in 'iu':              # Keras's integer outputs (int64 there, int32 here)
            assert o.dtype == 'int32', f'{case["name"]}: dtype {o.dtype}'
            np.testing.assert_array_equal(np.asarray(o), e)
        else:
            assert_close(o, e, f'{case["name"]} output {i}', atol=1e-4 if e.max() > 10 else 1e-5)
    assert list(layer.computeOutputShape(list(xs[0].shape))) == list(expected[0].shape)


def _params(case):
    out = {}
    for k, v in case['arrays'].items():
        if k.startswith('p_'):
            key = k[2:]
            out[key] = int(v) if key in ('h_start', 'w_start') else torch.as_tensor(v)
    return out


@pytest.mark.parametrize('case', TRANSFORM_CASES, ids=[c['name'] for c in TRANSFORM_CASES])
def test_training_transform_matches_keras_for_the_same_draw(case):
    layer = keras_layer(case)
    x = torch.as_tensor(case['arrays']['in0'])
    ours = layer.transform(x, _params(case))
    assert_close(ours, case['arrays']['out0'], case['name'], atol=2e-4)


def _by_name(name):
    return next(c for c in CASES if c['name'] == name)


@pytest.mark.parametrize('name', ['normalization_adapt_last', 'normalization_adapt_12',
                                  'normalization_adapt_none'])
def test_normalization_adapt_learns_what_keras_learnt(name):
    case = _by_name(name)
    config = from_keras(convert_pythonic_to_ts(dict(case['config'])))
    layer = tf.layers.normalization({'axis': config['axis']})
    layer.adapt(case['arrays']['adapt_data'])
    mean, var, count = arrays(case, 'w')
    assert_close(layer.getWeights()[0], mean, 'mean', rtol=1e-5, atol=1e-5)
    assert_close(layer.getWeights()[1], var, 'variance', rtol=1e-5, atol=1e-5)
    assert_close(layer.apply(tf.tensor(case['arrays']['in0'])), case['arrays']['out0'], 'output')


def test_normalization_adapt_on_batches_merges_as_keras():
    case = _by_name('normalization_adapt_batches')
    layer = tf.layers.normalization()
    layer.adapt([case['arrays'][f'adapt_b{i}'] for i in range(3)])
    assert_close(layer.getWeights()[0], case['arrays']['w0'], 'mean')
    assert_close(layer.getWeights()[1], case['arrays']['w1'], 'variance')


@pytest.mark.parametrize('name', ['discretization_adapt_4', 'discretization_adapt_5'])
def test_discretization_adapt_learns_keras_boundaries(name):
    case = _by_name(name)
    conf = case['config']
    layer = tf.layers.discretization({'numBins': conf['num_bins'], 'epsilon': conf['epsilon']})
    layer.adapt(tf.tensor(case['arrays']['adapt_data']))
    np.testing.assert_allclose(layer.binBoundaries, conf['bin_boundaries'], rtol=1e-6)
    np.testing.assert_array_equal(np.asarray(layer.apply(tf.tensor(case['arrays']['in0']))),
                                  case['arrays']['out0'])


def test_string_lookup_vocabulary_survives_the_json_round_trip():
    # TF.js snake-cases every string value when saving; vocabularies and the OOV/mask tokens
    # are data and must stay verbatim ('Hello_World', '[UNK]').
    from tfjs.serialization import convert_ts_to_pythonic
    layer = tf.layers.stringLookup({'vocabulary': ['Hello_World', 'aB', 'x y'], 'maskToken': 'PAD'})
    conf = layer.getConfig()
    text = json.dumps(convert_ts_to_pythonic({'className': 'StringLookup', 'config': conf}))
    assert '"Hello_World"' in text and '"[UNK]"' in text and '"PAD"' in text
    again = deserialize(convert_pythonic_to_ts(json.loads(text)), kind='layer')
    assert again.getVocabulary() == ['PAD', '[UNK]', 'Hello_World', 'aB', 'x y']
    x = tf.tensor([['aB', 'PAD', 'nope', 'Hello_World']])
    assert again.apply(x).arraySync() == [[3, 0, 1, 2]]


def test_lookup_errors_are_clear():
    with pytest.raises(NotImplementedError, match='vocabulary file'):
        tf.layers.stringLookup({'vocabulary': '/tmp/vocab.txt'})
    with pytest.raises(NotImplementedError, match='FarmHash'):
        tf.layers.stringLookup({'vocabulary': ['a'], 'numOovIndices': 2})
    with pytest.raises(ValueError, match='repeated'):
        tf.layers.integerLookup({'vocabulary': [1, 2, 1]})
    with pytest.raises(ValueError, match='numOovIndices=0'):
        tf.layers.integerLookup({'vocabulary': [1, 2], 'numOovIndices': 0}).apply(
            tf.tensor([[3]], None, 'int32'))
    for name in ('Hashing', 'TextVectorization'):
        with pytest.raises(NotImplementedError, match=f'The Keras layer {name} is not implemented'):
            deserialize({'className': name, 'config': {'numBins': 3}}, kind='layer')


RANDOM_LAYERS = [
    ('randomFlip', {'mode': 'horizontal'}),
    ('randomFlip', {}),
    ('randomRotation', {'factor': 0.25, 'fillMode': 'constant'}),
    ('randomZoom', {'heightFactor': [-0.3, 0.3], 'widthFactor': 0.2}),
    ('randomTranslation', {'heightFactor': 0.3, 'widthFactor': [-0.1, 0.4], 'fillMode': 'wrap'}),
    ('randomContrast', {'factor': 0.5}),
    ('randomBrightness', {'factor': 0.3}),
    ('randomCrop', {'height': 5, 'width': 4}),
]


@pytest.mark.parametrize('factory,config', RANDOM_LAYERS,
                         ids=[f'{f}-{i}' for i, (f, _) in enumerate(RANDOM_LAYERS)])
def test_random_layers_in_training_are_seeded_shaped_and_in_range(factory, config):
    x = tf.tensor(np.random.RandomState(0).uniform(0, 255, (4, 7, 9, 2)).astype(np.float32))
    make = getattr(tf.layers, factory)
    layer = make({**config, 'seed': 11})
    outs = [np.asarray(layer.apply(x, {'training': True})) for _ in range(3)]
    twin = make({**config, 'seed': 11})
    for o in outs:                                      # same seed, same sequence of draws
        np.testing.assert_array_equal(o, np.asarray(twin.apply(x, {'training': True})))
    assert not all(np.array_equal(outs[0], o) for o in outs[1:])   # the draws change per call
    shape = layer.computeOutputShape(list(x.shape))
    assert all(list(o.shape) == shape for o in outs)
    assert all(o.min() >= 0 and o.max() <= 255 for o in outs)   # value range / fill / interp
    inference = np.asarray(layer.apply(x))
    if factory != 'randomCrop':
        np.testing.assert_array_equal(inference, np.asarray(x))
    else:
        assert list(inference.shape) == shape


def test_random_parameters_stay_in_their_ranges():
    rot = tf.layers.randomRotation({'factor': [-0.1, 0.2], 'seed': 1})
    angles = rot.draw(500, 5, 5)['angle']
    assert -36 <= float(angles.min()) and float(angles.max()) <= 72
    zoom = tf.layers.randomZoom({'heightFactor': [-0.5, -0.2], 'seed': 1})
    z = zoom.draw(500, 5, 5)
    assert 0.5 <= float(z['height_zoom'].min()) and float(z['height_zoom'].max()) <= 0.8
    np.testing.assert_array_equal(z['height_zoom'].cpu(), z['width_zoom'].cpu())
    shift = tf.layers.randomTranslation({'heightFactor': 0.2, 'widthFactor': [0.1, 0.3], 'seed': 1})
    t = shift.draw(500, 10, 20)['translations'].cpu().numpy()
    assert (t[:, 0] >= 2).all() and (t[:, 0] <= 6).all() and (np.abs(t[:, 1]) <= 2).all()
    contrast = tf.layers.randomContrast({'factor': 0.4, 'seed': 1})
    c = contrast.draw(500, 5, 5)['contrast_factor']
    assert 1.0 <= float(c.min()) and float(c.max()) <= 1.4              # Keras 3: [1, 1 + f]
    bright = tf.layers.randomBrightness({'factor': 0.1, 'valueRange': [0, 1], 'seed': 1})
    d = bright.draw(500, 5, 5)['rgb_delta']
    assert -0.1 <= float(d.min()) and float(d.max()) <= 0.1
    flips = tf.layers.randomFlip({'seed': 1}).draw(2000, 5, 5)['flips'].float().mean()
    assert 0.45 < float(flips) < 0.55


def test_random_layer_factor_validation():
    with pytest.raises(ValueError, match='factor'):
        tf.layers.randomRotation({'factor': 1.5})
    with pytest.raises(ValueError, match='heightFactor'):
        tf.layers.randomZoom({'heightFactor': -1.0})
    with pytest.raises(NotImplementedError, match='fillMode'):
        tf.layers.randomRotation({'factor': 0.1, 'fillMode': 'mirror'})
    with pytest.raises(ValueError, match='mode'):
        tf.layers.randomFlip({'mode': 'diagonal'})
