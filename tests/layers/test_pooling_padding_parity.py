"""Pooling, zero padding, cropping and upsampling layers against TF.js 4.22 through the generic
parity check (tests/layers/layer_parity.py), plus symbolic shapes with unknown dims and TF.js's
invalid configurations.

TF.js 4.22 kernel bugs met here (CPU backend), each worked around by comparing what TF.js gets
right: its maxPool3d gradient mixes up the window height and width (wrong for poolSize with
height != width); its resizeNearestNeighbor gradient offsets dy by the input's batch stride
(wrong for every batch entry but the first); its resizeBilinear gradient comes back with
height and width swapped (fails for non-square images); Cropping2D's symbolic output shape
turns an unknown dim into -1."""
import numpy as np
import pytest

import tfjs as tf
from layer_parity import check_layer

CF = 'channelsFirst'

CASES = [
    # 1D pooling (and TF.js's aliases)
    ('maxPooling1d', {}, [6, 3]),
    ('maxPooling1d', {'poolSize': 3, 'strides': 1, 'padding': 'same'}, [5, 2]),
    ('maxPool1d', {'poolSize': [2], 'strides': [3]}, [8, 2]),
    ('averagePooling1d', {'poolSize': 2}, [6, 3]),
    ('avgPool1d', {'poolSize': 3, 'strides': 2}, [7, 2]),
    ('avgPooling1d', {'poolSize': 2, 'strides': 1}, [4, 2]),
    # 2D pooling
    ('maxPooling2d', {'poolSize': 2}, [4, 4, 3]),
    ('maxPooling2d', {'poolSize': [3, 2], 'strides': 2, 'padding': 'same', 'dataFormat': CF},
     [2, 5, 5]),
    ('maxPool2d', {'poolSize': 3, 'strides': 1, 'padding': 'same'}, [4, 5, 2]),
    ('maxPooling2d', {'poolSize': 2, 'strides': [1, 2]}, [5, 6, 1]),
    ('averagePooling2d', {'poolSize': 2, 'strides': 1}, [4, 4, 2]),
    ('avgPool2d', {'poolSize': [2, 3], 'dataFormat': CF}, [2, 4, 6]),
    ('avgPooling2d', {'poolSize': 2, 'padding': 'same'}, [4, 6, 1]),      # windows inside: exact
    # 3D pooling
    ('maxPooling3d', {'poolSize': 2}, [4, 4, 4, 2]),
    ('maxPooling3d', {'poolSize': [2, 3, 2], 'strides': 1, 'padding': 'same'}, [3, 4, 3, 1],
     {'gradients': False}),                           # TF.js's gradient: height != width bug
    ('maxPooling3d', {'poolSize': [3, 2, 2], 'strides': 1, 'padding': 'same'}, [3, 4, 3, 2]),
    ('maxPooling3d', {'poolSize': 2, 'dataFormat': CF}, [2, 4, 2, 4]),
    ('averagePooling3d', {'poolSize': 2}, [4, 4, 4, 1]),
    ('avgPool3d', {'poolSize': [1, 2, 2], 'dataFormat': CF}, [2, 3, 4, 4]),
    ('avgPooling3d', {'poolSize': 2, 'strides': 1}, [3, 3, 3, 2]),
    # global pooling
    ('globalAveragePooling1d', {}, [5, 3]),
    ('globalMaxPooling1d', {}, [5, 3]),
    ('globalMaxPool1d', {}, [4, 2]),
    ('globalAveragePooling2d', {}, [4, 4, 3]),
    ('globalAveragePooling2d', {'dataFormat': CF}, [3, 4, 5]),
    ('globalMaxPooling2d', {}, [4, 3, 3]),
    ('globalMaxPool2d', {'dataFormat': CF}, [3, 2, 4]),
    # zero padding
    ('zeroPadding2d', {}, [3, 3, 2]),
    ('zeroPadding2d', {'padding': 2}, [2, 3, 1]),
    ('zeroPadding2d', {'padding': [1, 2]}, [2, 2, 2]),
    ('zeroPadding2d', {'padding': [[1, 0], [2, 3]], 'dataFormat': CF}, [2, 3, 3]),
    # cropping
    ('cropping2D', {'cropping': 1}, [4, 4, 2]),
    ('cropping2D', {'cropping': [1, 2]}, [4, 6, 1]),
    ('cropping2D', {'cropping': [[1, 0], [0, 2]], 'dataFormat': CF}, [2, 4, 5]),
    # upsampling: nearest gradients with batch 1 (TF.js's are wrong past the first entry),
    # bilinear gradients on square images (TF.js's fail on others)
    ('upSampling2d', {}, [2, 3, 2], {'batch': 1}),
    ('upSampling2d', {}, [2, 3, 2], {'gradients': False}),
    ('upSampling2d', {'size': [2, 3]}, [3, 2, 1], {'batch': 1}),
    ('upSampling2d', {'size': [3, 2], 'dataFormat': CF}, [2, 2, 3], {'batch': 1}),
    ('upSampling2d', {'size': [3, 2], 'dataFormat': CF}, [2, 2, 3], {'gradients': False}),
    ('upSampling2d', {'size': [2, 3], 'interpolation': 'bilinear'}, [3, 3, 2]),
    ('upSampling2d', {'size': [2, 3], 'interpolation': 'bilinear'}, [3, 4, 2], {'gradients': False}),
    ('upSampling2d', {'size': [3, 2], 'interpolation': 'bilinear', 'dataFormat': CF}, [2, 3, 3]),
    ('upSampling2d', {'size': [3, 2], 'interpolation': 'bilinear', 'dataFormat': CF}, [2, 3, 2],
     {'gradients': False}),
    ('upSampling2d', {'size': [4, 4], 'interpolation': 'bilinear'}, [1, 2, 1], {'gradients': False}),
]


@pytest.mark.parametrize('case', CASES, ids=[f'{c[0]}-{i}' for i, c in enumerate(CASES)])
def test_pooling_padding_layer_parity(oracle, case):
    factory, config, shape = case[:3]
    check_layer(oracle, factory, config, shape, **(case[3] if len(case) > 3 else {}))


@pytest.mark.parametrize('factory,config,shape', [
    ('averagePooling1d', {'poolSize': 3, 'strides': 2, 'padding': 'same'}, [6, 2]),
    ('averagePooling2d', {'poolSize': 3, 'strides': 2, 'padding': 'same'}, [6, 5, 2]),
    ('averagePooling2d', {'poolSize': [2, 3], 'padding': 'same', 'dataFormat': CF}, [2, 5, 5]),
    ('averagePooling3d', {'poolSize': 2, 'strides': 1, 'padding': 'same'}, [3, 3, 3, 1]),
])
def test_same_average_pooling_divides_by_real_elements(oracle, factory, config, shape):
    # Border windows average only their real elements, as in TF.js. TF.js's gradient of such
    # windows divides by the full window size (its backward pass disagrees with its forward
    # pass), so the gradient is checked against the forward pass here: sum(out) is linear in x.
    res = check_layer(oracle, factory, config, shape, gradients=False)
    layer = res['layer']
    x = tf.tensor(np.random.RandomState(1).randn(2, *shape).astype(np.float32))
    g = np.asarray(tf.grad(lambda t: tf.sum(layer.apply(t)))(x))
    eye = np.eye(int(np.prod(shape)), dtype=np.float32).reshape([-1] + shape)
    expected = np.asarray(layer.apply(tf.tensor(eye))).reshape(eye.shape[0], -1).sum(axis=1)
    np.testing.assert_allclose(g[0].reshape(-1), expected, rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------------------- symbolic shapes

SYMBOLIC = [
    ('maxPooling1d', {'poolSize': 3}, [None, 3]),
    ('averagePooling2d', {'poolSize': 2, 'padding': 'same'}, [None, None, 3]),
    ('maxPooling2d', {'poolSize': 2, 'dataFormat': CF}, [3, None, 6]),
    ('maxPooling3d', {'poolSize': 2}, [None, 4, None, 1]),
    ('globalAveragePooling1d', {}, [None, 3]),
    ('globalMaxPooling2d', {}, [None, None, 4]),
    ('zeroPadding2d', {'padding': [1, 2]}, [None, None, 3]),
    ('zeroPadding2d', {'dataFormat': CF}, [3, None, 4]),
    ('cropping2D', {'cropping': [[1, 0], [0, 2]]}, [4, 5, 3]),
    ('upSampling2d', {'size': [2, 3]}, [None, 4, 3]),
    ('upSampling2d', {'dataFormat': CF}, [3, 4, None]),
]

SYMBOLIC_JS = "return tf.layers[args.f](args.c).apply(tf.input({shape: args.s})).shape;"


@pytest.mark.parametrize('factory,config,shape', SYMBOLIC,
                         ids=[f'{c[0]}-{i}' for i, c in enumerate(SYMBOLIC)])
def test_symbolic_output_shape_with_unknown_dims(oracle, factory, config, shape):
    ours = getattr(tf.layers, factory)(config).apply(tf.input({'shape': shape})).shape
    assert ours == oracle.eval(SYMBOLIC_JS, {'f': factory, 'c': config, 's': shape})


# ------------------------------------------------------------------------- invalid configs

INVALID = [
    ('maxPooling1d', {'poolSize': [2, 2]}),
    ('maxPooling1d', {'poolSize': 0}),
    ('maxPooling1d', {'strides': [1, 2]}),
    ('maxPooling2d', {'strides': [1, 2, 3]}),
    ('maxPooling2d', {'poolSize': 2.5}),
    ('maxPooling2d', {'padding': 'full'}),
    ('maxPooling2d', {'dataFormat': 'NCHW'}),
    ('maxPooling3d', {'strides': [1, 2]}),
    ('globalAveragePooling2d', {'dataFormat': 'channels-last'}),
    ('zeroPadding2d', {'padding': [1, 2, 3]}),
    ('zeroPadding2d', {'padding': [[1, 2, 3], [1, 1]]}),
    ('upSampling2d', {'interpolation': 'cubic'}),
    ('upSampling2d', {'dataFormat': 'channels-first'}),
]

INVALID_JS = "try { tf.layers[args.f](args.c); return null; } catch (e) { return e.message; }"


@pytest.mark.parametrize('factory,config', INVALID,
                         ids=[f'{c[0]}-{i}' for i, c in enumerate(INVALID)])
def test_invalid_configs_raise_like_tfjs(oracle, factory, config):
    assert oracle.eval(INVALID_JS, {'f': factory, 'c': config}) is not None
    with pytest.raises(ValueError):
        getattr(tf.layers, factory)(config)


def test_cropping_keeps_unknown_dims_unknown(oracle):
    # TF.js computes null - top - bottom = -1 for an unknown dim; ours stays None.
    config = {'cropping': [[1, 0], [0, 2]]}
    theirs = oracle.eval(SYMBOLIC_JS, {'f': 'cropping2D', 'c': config, 's': [None, 5, 3]})
    assert theirs == [None, -1, 3, 3]
    assert tf.layers.cropping2D(config).apply(tf.input({'shape': [None, 5, 3]})).shape == \
        [None, None, 3, 3]


def test_cropping_everything_away_raises():
    layer = tf.layers.cropping2D({'cropping': [[2, 2], [0, 0]]})
    with pytest.raises(ValueError, match='smaller'):
        layer.apply(tf.input({'shape': [4, 4, 1]}))


def test_keras_only_interpolations_are_not_implemented():
    with pytest.raises(NotImplementedError, match='bicubic'):
        tf.layers.upSampling2d({'interpolation': 'bicubic'})


def test_max_pooling_keeps_int32(oracle):
    x = np.random.RandomState(2).randint(-9, 9, size=(2, 4, 4, 3)).astype(np.int32)
    ours = tf.layers.maxPooling2d({'poolSize': 2}).apply(tf.tensor(x, None, 'int32'))
    theirs = oracle.eval("return tf.layers.maxPooling2d({poolSize: 2}).apply(args.x);", {'x': x})
    assert ours.dtype == 'int32'
    np.testing.assert_array_equal(np.asarray(ours), theirs)


def test_masked_global_average_pooling_1d():
    # Keras averages the unmasked steps only (TF.js rejects a mask on this layer).
    emb = tf.layers.embedding({'inputDim': 5, 'outputDim': 2, 'maskZero': True,
                               'embeddingsInitializer': 'randomNormal'})
    pool = tf.layers.globalAveragePooling1d()
    ids = tf.tensor([[1, 2, 0, 0], [3, 0, 0, 0]], None, 'int32')
    out = np.asarray(pool.apply(emb.apply(ids), {'mask': emb.computeMask(ids)}))
    table = np.asarray(emb.getWeights()[0])
    np.testing.assert_allclose(out, [table[[1, 2]].mean(0), table[3]], rtol=1e-6)
    inp = tf.input({'shape': [4], 'dtype': 'int32'})
    model = tf.model({'inputs': inp, 'outputs': pool.apply(emb.apply(inp))})
    np.testing.assert_allclose(np.asarray(model.predict(ids)), out, rtol=1e-6)


@pytest.mark.parametrize('factory', ['maxPooling3d', 'averagePooling3d', 'conv3d'])
def test_3d_same_windows_smaller_than_strides_start_at_zero(oracle, factory):
    # TF.js's 3D 'same' padding is not clamped at 0: with window < stride its windows start
    # at -pad > 0 (a shift). TensorFlow/Keras (and TF.js's 2D layers) start them at 0: with a
    # 1-wide window the output is x[:, ::4, ::4, ::4] (checked with Keras 3 as well).
    x = np.arange(216, dtype=np.float32).reshape(1, 6, 6, 6, 1)
    config = {'poolSize': 1, 'strides': 4, 'padding': 'same'} if factory != 'conv3d' else \
        {'filters': 1, 'kernelSize': 1, 'strides': 4, 'padding': 'same',
         'kernelInitializer': 'ones', 'useBias': False}
    ours = np.asarray(getattr(tf.layers, factory)(config).apply(tf.tensor(x)))
    np.testing.assert_array_equal(ours, x[:, ::4, ::4, ::4])
    theirs = oracle.eval("return tf.layers[args.f](args.c).apply(args.x);",
                         {'f': factory, 'c': config, 'x': x})
    np.testing.assert_array_equal(theirs, x[:, 1::4, 1::4, 1::4])
