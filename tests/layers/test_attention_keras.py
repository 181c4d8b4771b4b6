"""Attention layers against real Keras 3 (fixtures made by tools/fixtures/keras_attention.py):
MultiHeadAttention, Attention and AdditiveAttention built from Keras's get_config(), given
Keras's weights, inputs, Keras masks and attention masks, must give Keras's outputs (and
attention scores) at 1e-5; weight names and order are Keras's."""
import numpy as np
import pytest

import tfjs as tf
from test_preprocessing_keras import arrays, assert_close, keras_layer, load_cases

CASES = load_cases('attention')


def _inputs(case, masks_as: str):
    xs = [tf.tensor(a) for a in arrays(case, 'in')]
    masks = [case['arrays'].get(f'mask{i}') for i in range(len(xs))]
    kwargs = dict(case['kwargs'])
    if 'kw_attention_mask' in case['arrays']:
        kwargs['attentionMask'] = tf.tensor(case['arrays']['kw_attention_mask'])
    if any(m is not None for m in masks):
        if masks_as == 'kwargs':
            kwargs['mask'] = [None if m is None else tf.tensor(m) for m in masks]
        else:                                       # eager: the tensors carry their masks
            for x, m in zip(xs, masks):
                x.kerasMask = None if m is None else tf.tensor(m)
    return xs, kwargs


@pytest.mark.parametrize('masks_as', ['tensors', 'kwargs'])
@pytest.mark.parametrize('case', CASES, ids=[c['name'] for c in CASES])
def test_attention_layer_matches_keras(case, masks_as):
    layer = keras_layer(case)
    xs, kwargs = _inputs(case, masks_as)
    layer.apply(xs, dict(kwargs))
    names = [w.originalName.split('/', 1)[1] for w in layer.weights]
    assert names == case['weight_names']
    layer.setWeights([tf.tensor(w) for w in arrays(case, 'w')])
    out = layer.apply(xs, dict(kwargs))
    outs = out if isinstance(out, list) else [out]
    expected = arrays(case, 'out')
    assert len(outs) == len(expected)
    for i, (o, e) in enumerate(zip(outs, expected)):
        assert_close(o, e, f'{case["name"]} output {i}', rtol=1e-5, atol=1e-5)
    if 'activity_loss' in case['arrays']:        # kernel + projections' activity losses
        total = sum(float(np.asarray(loss)) for loss in layer.calculateLosses())
        np.testing.assert_allclose(total, case['arrays']['activity_loss'], rtol=1e-5)
    shapes = layer.computeOutputShape([list(x.shape) for x in xs])
    shapes = shapes if isinstance(shapes[0], list) else [shapes]
    assert [list(s) for s in shapes] == [list(e.shape) for e in expected]


def test_multi_head_attention_in_a_functional_model_with_masks_from_embedding():
    case = next(c for c in CASES if c['name'] == 'mha_self')
    tokens = tf.input({'shape': [4], 'dtype': 'int32'})
    emb = tf.layers.embedding({'inputDim': 10, 'outputDim': 6, 'maskZero': True})
    x = emb.apply(tokens)
    layer = keras_layer(case)
    y = layer.apply([x, x])
    model = tf.model({'inputs': tokens, 'outputs': y})
    layer.setWeights([tf.tensor(w) for w in arrays(case, 'w')])
    ids = np.array([[1, 2, 0, 0], [3, 4, 5, 6]], dtype=np.int32)
    out = np.asarray(model.predict(tf.tensor(ids, None, 'int32')))
    # the same with the masks given by hand, eagerly
    e = emb.apply(tf.tensor(ids, None, 'int32'))
    m = tf.tensor(ids != 0)
    ref = layer.apply([e, e], {'mask': [m, m]})
    assert_close(out, ref, 'model vs eager')
    assert e.kerasMask is not None                 # eager tensors carry the Embedding's mask
    assert_close(layer.apply([e, e]), ref, 'eager with kerasMask')
    plain = tf.tensor(np.asarray(e))
    assert not np.allclose(np.asarray(layer.apply([plain, plain])), out)


def test_model_with_preprocessing_and_attention_layers_saves_and_loads(tmp_path):
    x, v = tf.input({'shape': [4, 6]}), tf.input({'shape': [5, 6]})
    norm = tf.layers.normalization()
    norm.adapt(np.random.RandomState(0).rand(10, 4, 6).astype(np.float32))
    h = tf.layers.multiHeadAttention({'numHeads': 2, 'keyDim': 3}).apply([norm.apply(x), v])
    h = tf.layers.attention({'useScale': True}).apply([h, v])
    h = tf.layers.additiveAttention().apply([h, v])
    img = tf.input({'shape': [8, 8, 3]})
    g = tf.layers.rescaling({'scale': 1 / 255}).apply(img)
    for layer in (tf.layers.randomFlip(), tf.layers.randomRotation({'factor': 0.1}),
                  tf.layers.resizing({'height': 4, 'width': 4}),
                  tf.layers.centerCrop({'height': 3, 'width': 3}),
                  tf.layers.randomCrop({'height': 2, 'width': 2})):
        g = layer.apply(g)
    model = tf.model({'inputs': [x, v, img], 'outputs': [h, tf.layers.flatten().apply(g)]})
    ins = [tf.randomNormal([2, 4, 6]), tf.randomNormal([2, 5, 6]),
           tf.randomUniform([2, 8, 8, 3], 0, 255)]
    before = model.predict(ins)
    model.save(f'file://{tmp_path}')
    loaded = tf.loadLayersModel(f'file://{tmp_path}/model.json')
    for a, b in zip(before, loaded.predict(ins)):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_multi_head_attention_call_forms_dropout_and_errors():
    rs = np.random.RandomState(1)
    q = tf.tensor(rs.randn(2, 4, 6).astype(np.float32))
    v = tf.tensor(rs.randn(2, 5, 3).astype(np.float32))
    mha = tf.layers.multiHeadAttention({'numHeads': 2, 'keyDim': 3, 'dropout': 0.5, 'seed': 4})
    listed = np.asarray(mha.apply([q, v]))
    tfjs_form = np.asarray(mha.apply(q, {'value': v}))          # TF.js's nlp call convention
    np.testing.assert_array_equal(listed, tfjs_form)
    np.testing.assert_array_equal(listed, np.asarray(mha.apply([q, v], training=False)))
    dropped = np.asarray(mha.apply([q, v], {'training': True}))
    assert not np.allclose(dropped, listed)
    out, scores = mha.apply([q, v], {'returnAttentionScores': True})
    assert scores.shape == [2, 2, 4, 5]
    np.testing.assert_allclose(np.asarray(scores).sum(-1), 1, rtol=1e-6)
    with pytest.raises(ValueError, match='list of inputs'):
        mha.apply(q)
    qi, vi = tf.input({'shape': [4, 6]}), tf.input({'shape': [5, 3]})
    mask = tf.input({'shape': [4, 5]})
    with pytest.raises(NotImplementedError, match='attentionMask given as a SymbolicTensor'):
        tf.layers.multiHeadAttention({'numHeads': 1, 'keyDim': 2}).apply(
            [qi, vi], {'attentionMask': mask})


def test_attention_dropout_only_in_training():
    q = tf.randomNormal([2, 3, 4])
    layer = tf.layers.attention({'dropout': 0.5, 'seed': 1})
    a, b = np.asarray(layer.apply([q, q])), np.asarray(layer.apply([q, q]))
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(np.asarray(layer.apply([q, q], {'training': True})), a)
