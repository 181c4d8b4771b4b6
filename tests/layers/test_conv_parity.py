"""Convolution layers against TF.js 4.22 through the generic parity check
(tests/layers/layer_parity.py): outputs, input and weight gradients, weight names and shapes,
getConfig. Where TF.js is wrong (each case below says how), the comparable part is compared
and the rest is checked against an independent TF.js computation or left to the Keras
fixtures (tests/layers/test_conv_keras.py)."""
import numpy as np
import pytest

import tfjs as tf
from layer_parity import _json_like, check_layer

CF = 'channelsFirst'

CASES = [
    # conv1d
    ('conv1d', {'filters': 3, 'kernelSize': 2}, [6, 2]),
    ('conv1d', {'filters': 2, 'kernelSize': 3, 'strides': 2, 'padding': 'same',
                'activation': 'relu'}, [8, 3]),
    ('conv1d', {'filters': 4, 'kernelSize': [4], 'useBias': False,
                'kernelInitializer': 'heNormal'}, [8, 1]),
    ('conv1d', {'filters': 2, 'kernelSize': 2, 'strides': 3, 'biasInitializer': 'ones'}, [10, 2]),
    # conv2d
    ('conv2d', {'filters': 4, 'kernelSize': 3}, [5, 5, 2]),
    ('conv2d', {'filters': 2, 'kernelSize': [2, 3], 'strides': 2, 'padding': 'same'}, [5, 6, 3]),
    ('conv2d', {'filters': 2, 'kernelSize': 2, 'strides': [1, 2], 'padding': 'same',
                'dataFormat': CF}, [3, 5, 6]),
    ('conv2d', {'filters': 2, 'kernelSize': 1, 'activation': 'sigmoid', 'useBias': False}, [3, 3, 4]),
    ('conv2d', {'filters': 2, 'kernelSize': 3, 'activation': 'relu', 'biasInitializer': 'ones'},
     [4, 4, 1]),
    ('conv2d', {'filters': 2, 'kernelSize': 3, 'padding': 'same', 'kernelRegularizer': 'l1l2',
                'biasConstraint': 'nonNeg', 'kernelInitializer': 'glorotUniform'}, [4, 4, 2]),
    ('conv2d', {'filters': 3, 'kernelSize': 4, 'strides': 3, 'padding': 'same',
                'activation': 'elu', 'dataFormat': CF}, [2, 8, 7]),
    # conv3d
    ('conv3d', {'filters': 2, 'kernelSize': 2}, [3, 4, 3, 2]),
    ('conv3d', {'filters': 2, 'kernelSize': [2, 3, 2], 'strides': 2, 'padding': 'same'},
     [4, 5, 3, 1]),
    ('conv3d', {'filters': 3, 'kernelSize': 2, 'dataFormat': CF, 'activation': 'relu'},
     [2, 3, 4, 3]),
    # conv2dTranspose
    ('conv2dTranspose', {'filters': 3, 'kernelSize': 3, 'strides': 2}, [3, 3, 2]),
    ('conv2dTranspose', {'filters': 2, 'kernelSize': 3, 'strides': 2, 'padding': 'same'}, [3, 4, 2]),
    ('conv2dTranspose', {'filters': 2, 'kernelSize': [2, 3], 'strides': [2, 1], 'padding': 'same',
                         'dataFormat': CF}, [2, 3, 4]),
    ('conv2dTranspose', {'filters': 2, 'kernelSize': 2, 'strides': 3}, [2, 3, 1]),
    ('conv2dTranspose', {'filters': 2, 'kernelSize': 4, 'strides': 2, 'padding': 'same',
                         'activation': 'relu', 'useBias': False}, [3, 3, 2]),
    ('conv2dTranspose', {'filters': 1, 'kernelSize': 3}, [4, 4, 3]),
    # depthwiseConv2d (dilation 1: TF.js ignores dilationRate, see below)
    ('depthwiseConv2d', {'kernelSize': 3, 'depthMultiplier': 2}, [5, 5, 2]),
    ('depthwiseConv2d', {'kernelSize': [2, 3], 'strides': 2, 'padding': 'same'}, [5, 6, 3]),
    ('depthwiseConv2d', {'kernelSize': 2, 'dataFormat': CF, 'useBias': False,
                         'depthMultiplier': 3, 'activation': 'relu6'}, [2, 4, 4]),
    # separableConv2d (depthMultiplier 1: TF.js's config omits it, see below)
    ('separableConv2d', {'filters': 3, 'kernelSize': 3}, [5, 5, 2]),
    ('separableConv2d', {'filters': 4, 'kernelSize': 2, 'padding': 'same', 'dataFormat': CF,
                         'useBias': False}, [2, 5, 5]),
    ('separableConv2d', {'filters': 2, 'kernelSize': [3, 2], 'strides': 2, 'padding': 'same',
                         'activation': 'softmax'}, [6, 5, 3]),
]


@pytest.mark.parametrize('case', CASES, ids=[f'{c[0]}-{i}' for i, c in enumerate(CASES)])
def test_conv_layer_parity(oracle, case):
    factory, config, shape = case[:3]
    check_layer(oracle, factory, config, shape, **(case[3] if len(case) > 3 else {}))


# TF.js 4.22 has no gradient for Conv3DBackpropInputV2 (conv3dTranspose's kernel): values only.
CONV3D_TRANSPOSE = [
    ({'filters': 2, 'kernelSize': 2, 'strides': 2}, [2, 2, 2, 3]),
    ({'filters': 2, 'kernelSize': 3, 'strides': [1, 2, 2], 'padding': 'same'}, [2, 3, 2, 2]),
    ({'filters': 3, 'kernelSize': 2, 'dataFormat': CF, 'activation': 'relu'}, [2, 2, 3, 2]),
]


@pytest.mark.parametrize('config,shape', CONV3D_TRANSPOSE)
def test_conv3d_transpose_parity(oracle, config, shape):
    check_layer(oracle, 'conv3dTranspose', config, shape, gradients=False)


def _dilate(kernel: np.ndarray, dilations) -> np.ndarray:
    """The undilated kernel equivalent to `kernel` dilated: zeros between the taps."""
    rank = len(dilations)
    eff = [k + (k - 1) * (d - 1) for k, d in zip(kernel.shape[:rank], dilations)]
    out = np.zeros(eff + list(kernel.shape[rank:]), np.float32)
    out[tuple(slice(None, None, d) for d in dilations)] = kernel
    return out


CONFIG_JS = ("return JSON.parse(JSON.stringify(tf.layers[args.f](args.c).getConfig(), "
             "(k, v) => v === undefined ? null : v));")

# TF.js computes dilated convolutions but not their gradients ("dilation rates greater than 1
# are not yet supported in gradients"). The dilated layer is compared with TF.js's undilated
# layer holding the zero-interleaved kernel: same outputs, same input gradient, and the
# kernel gradient is TF.js's at the taps.
DILATED = [
    ('conv1d', {'filters': 2, 'kernelSize': 3, 'dilationRate': 2, 'padding': 'same'}, [9, 2]),
    ('conv1d', {'filters': 2, 'kernelSize': 2, 'dilationRate': 3}, [9, 2]),
    ('conv2d', {'filters': 3, 'kernelSize': 3, 'dilationRate': 2, 'padding': 'same'}, [7, 7, 2]),
    ('conv2d', {'filters': 3, 'kernelSize': 3, 'dilationRate': [2, 1], 'dataFormat': CF,
                'activation': 'tanh'}, [2, 7, 6]),
    ('conv3d', {'filters': 2, 'kernelSize': 2, 'dilationRate': 2, 'padding': 'same'}, [5, 5, 4, 1]),
    ('separableConv2d', {'filters': 4, 'kernelSize': 3, 'dilationRate': 2, 'padding': 'same'},
     [7, 7, 2]),
]


@pytest.mark.parametrize('factory,config,shape', DILATED,
                         ids=[f'{c[0]}-{i}' for i, c in enumerate(DILATED)])
def test_dilated_conv_parity(oracle, factory, config, shape):
    x = np.random.RandomState(7).randn(3, *shape).astype(np.float32)
    layer = getattr(tf.layers, factory)(config)
    xt = tf.tensor(x)
    out = layer.apply(xt)
    weights = [np.asarray(w) for w in layer.getWeights()]
    d = layer.dilationRate
    undilated = dict(config, dilationRate=1, kernelSize=list(_dilate(weights[0], d).shape[:len(d)]))
    # atol 1e-5 on gradients of ~10: float32 summation order (elements that cancel to ~0.1)
    res = check_layer(oracle, factory, undilated, shape, inputs=[x], seed=11, atol=1e-5,
                      weights=[_dilate(weights[0], d)] + weights[1:], compare_config=False)
    theirs = res['theirs']
    np.testing.assert_allclose(np.asarray(out), theirs['outs'][0], rtol=1e-5, atol=1e-6)
    r = tf.tensor(np.random.RandomState(11).randn(*out.shape).astype(np.float32))
    gx = tf.grads(lambda t: tf.sum(tf.mul(layer.apply(t), r)))([xt])[0]
    np.testing.assert_allclose(np.asarray(gx), theirs['gx'][0], rtol=1e-5, atol=1e-5)
    vals = [w.read() for w in layer.trainableWeights]
    grads = tf.variableGrads(lambda: tf.sum(tf.mul(layer.apply(xt), r)), vals)['grads']
    kernel_grad = np.asarray(theirs['gw'][0])[tuple(slice(None, None, s) for s in d)]
    np.testing.assert_allclose(np.asarray(grads[vals[0].name]), kernel_grad, rtol=1e-5, atol=1e-5)
    for v, t in zip(vals[1:], theirs['gw'][1:]):
        np.testing.assert_allclose(np.asarray(grads[v.name]), t, rtol=1e-5, atol=1e-5)
    their_config = oracle.eval(CONFIG_JS, {'f': factory, 'c': config})
    assert _json_like({k: v for k, v in layer.getConfig().items() if k != 'name'}) == \
        _json_like({k: v for k, v in their_config.items() if k != 'name'})


def test_separable_channels_first_with_bias(oracle):
    # TF.js's SeparableConv2D adds the bias with the channelsFirst layout to its channels-last
    # intermediate result and fails ("Operands could not be broadcast"). Ours must equal
    # TF.js's channelsLast layer on the transposed input, transposed back.
    x = np.random.RandomState(8).randn(2, 3, 6, 5).astype(np.float32)       # N, C, H, W
    config = {'filters': 4, 'kernelSize': 3, 'padding': 'same', 'biasInitializer': 'randomNormal'}
    layer = tf.layers.separableConv2d(dict(config, dataFormat=CF))
    ours = np.asarray(layer.apply(tf.tensor(x)))
    res = check_layer(oracle, 'separableConv2d', config, [6, 5, 3],
                      inputs=[x.transpose(0, 2, 3, 1)],
                      weights=[np.asarray(w) for w in layer.getWeights()])
    np.testing.assert_allclose(ours, np.asarray(res['theirs']['outs'][0]).transpose(0, 3, 1, 2),
                               rtol=1e-5, atol=1e-6)
    msg = oracle.eval("try { tf.layers.separableConv2d(args.c).apply(tf.ones([1, 3, 6, 5]));"
                      " return null; } catch (e) { return e.message; }",
                      {'c': dict(config, dataFormat=CF)})
    assert 'broadcast' in msg


def _config_without(layer, theirs, keys):
    ours = _json_like({k: v for k, v in layer.getConfig().items() if k not in keys + ['name']})
    js = _json_like({k: v for k, v in theirs['config'].items() if k not in keys + ['name']})
    assert ours == js


def test_separable_depth_multiplier_is_kept_in_the_config(oracle):
    # TF.js's SeparableConv.getConfig() omits depthMultiplier (the layer then does not reload
    # with its weights); ours keeps it when it is not 1. Everything else is TF.js's.
    config = {'filters': 2, 'kernelSize': 2, 'strides': 2, 'padding': 'same', 'depthMultiplier': 2}
    res = check_layer(oracle, 'separableConv2d', config, [5, 5, 3], compare_config=False)
    assert 'depthMultiplier' not in res['theirs']['config']
    assert res['layer'].getConfig()['depthMultiplier'] == 2
    _config_without(res['layer'], res['theirs'], ['depthMultiplier'])
    again = tf.layers.separableConv2d(res['layer'].getConfig())
    again.apply(tf.zeros([1, 5, 5, 3]))
    assert [w.shape for w in again.weights] == [w.shape for w in res['layer'].weights]


def test_separable_pointwise_initializer_is_used(oracle):
    # TF.js initializes pointwise_kernel with depthwiseInitializer (pointwiseInitializer is
    # read from the wrong key); ours uses pointwiseInitializer, as Keras does.
    config = {'filters': 3, 'kernelSize': 2, 'depthwiseInitializer': 'ones',
              'pointwiseInitializer': 'zeros'}
    res = check_layer(oracle, 'separableConv2d', config, [4, 4, 2], compare_config=False)
    assert res['theirs']['config']['pointwiseInitializer']['className'] == 'Ones'
    assert res['layer'].getConfig()['pointwiseInitializer']['className'] == 'Zeros'
    _config_without(res['layer'], res['theirs'], ['pointwiseInitializer'])
    layer = tf.layers.separableConv2d(config)
    layer.apply(tf.zeros([1, 4, 4, 2]))
    assert not np.asarray(layer.getWeights()[1]).any()


def test_depthwise_constraint_is_serialized(oracle):
    # TF.js serializes depthwiseRegularizer under the key depthwiseConstraint.
    config = {'kernelSize': 2, 'depthwiseRegularizer': 'l1l2', 'depthwiseConstraint': 'maxNorm'}
    res = check_layer(oracle, 'depthwiseConv2d', config, [4, 4, 2], compare_config=False)
    assert res['theirs']['config']['depthwiseConstraint']['className'] == 'L1L2'
    assert res['layer'].getConfig()['depthwiseConstraint']['className'] == 'MaxNorm'
    _config_without(res['layer'], res['theirs'], ['depthwiseConstraint'])


def test_conv1d_channels_first_is_conv1d_of_the_transposed_input(oracle):
    # TF.js's conv1d with channelsFirst transposes the input to NWC but returns the NWC result
    # (its computeOutputShape says NCW). Ours is NCW; it must equal TF.js's channelsLast
    # convolution of the transposed input, transposed back.
    x = np.random.RandomState(3).randn(2, 3, 9).astype(np.float32)          # N, C, W
    layer = tf.layers.conv1d({'filters': 4, 'kernelSize': 3, 'strides': 2, 'padding': 'same',
                              'dataFormat': CF})
    ours = np.asarray(layer.apply(tf.tensor(x)))
    weights = [np.asarray(w) for w in layer.getWeights()]
    res = check_layer(oracle, 'conv1d', {'filters': 4, 'kernelSize': 3, 'strides': 2,
                                         'padding': 'same'}, [9, 3],
                      inputs=[x.transpose(0, 2, 1)], weights=weights)
    np.testing.assert_allclose(ours, np.asarray(res['theirs']['outs'][0]).transpose(0, 2, 1),
                               rtol=1e-5, atol=1e-6)
    assert layer.getConfig()['dataFormat'] == CF      # TF.js drops it; needed to reload
    assert layer.computeOutputShape([None, 3, 9]) == [None, 4, 5]


@pytest.mark.parametrize('dilation', [1, 2])
def test_causal_conv1d_is_valid_conv_of_left_padded_input(oracle, dilation):
    # TF.js throws NotImplementedError for 'causal'; Keras pads dilation * (k - 1) zeros on the
    # left and convolves 'valid'. Checked against TF.js's valid conv1d of the padded input.
    x = np.random.RandomState(4).randn(2, 7, 2).astype(np.float32)
    config = {'filters': 3, 'kernelSize': 3, 'dilationRate': dilation}
    layer = tf.layers.conv1d(dict(config, padding='causal'))
    ours = np.asarray(layer.apply(tf.tensor(x)))
    assert ours.shape == (2, 7, 3)
    padded = np.pad(x, [(0, 0), (dilation * 2, 0), (0, 0)])
    res = check_layer(oracle, 'conv1d', config, [padded.shape[1], 2], inputs=[padded],
                      weights=[np.asarray(w) for w in layer.getWeights()],
                      gradients=dilation == 1)     # TF.js has no dilated conv gradient
    np.testing.assert_allclose(ours, res['theirs']['outs'][0], rtol=1e-5, atol=1e-6)
    msg = oracle.eval("try { tf.layers.conv1d(args.c).apply(tf.ones([1, 5, 2])); return null; }"
                      " catch (e) { return e.message; }", {'c': dict(config, padding='causal')})
    assert 'CAUSAL' in msg


def test_depthwise_dilation_is_applied(oracle):
    # TF.js keeps dilationRate in DepthwiseConv2D's config but convolves undilated (and
    # computes the undilated output shape); ours dilates, as Keras does (see the Keras
    # fixtures). The undilated TF.js result differs, as expected.
    x = np.random.RandomState(5).randn(1, 7, 7, 2).astype(np.float32)
    layer = tf.layers.depthwiseConv2d({'kernelSize': 3, 'dilationRate': 2})
    ours = np.asarray(layer.apply(tf.tensor(x)))
    assert ours.shape == (1, 3, 3, 2)
    shape = oracle.eval("return tf.layers.depthwiseConv2d({kernelSize: 3, dilationRate: 2})"
                        ".apply(tf.ones([1, 7, 7, 2])).shape;")
    assert shape == [1, 5, 5, 2]


# ------------------------------------------------------------------------- symbolic shapes

SYMBOLIC = [
    ('conv1d', {'filters': 2, 'kernelSize': 3, 'strides': 2}, [None, 3]),
    ('conv2d', {'filters': 2, 'kernelSize': 3, 'padding': 'same', 'strides': 2}, [None, None, 3]),
    ('conv2d', {'filters': 2, 'kernelSize': 3, 'dilationRate': 2}, [None, 9, 3]),
    ('conv2d', {'filters': 2, 'kernelSize': 2, 'dataFormat': CF}, [3, None, None]),
    ('conv3d', {'filters': 2, 'kernelSize': 2}, [None, 4, None, 1]),
    ('conv2dTranspose', {'filters': 2, 'kernelSize': 3, 'strides': 2}, [None, None, 3]),
    ('conv2dTranspose', {'filters': 2, 'kernelSize': 3, 'strides': 2, 'padding': 'same',
                         'dataFormat': CF}, [3, None, 5]),
    ('conv3dTranspose', {'filters': 2, 'kernelSize': 2, 'strides': 2}, [None, 2, None, 3]),
    ('depthwiseConv2d', {'kernelSize': 3, 'depthMultiplier': 2}, [None, None, 3]),
    ('separableConv2d', {'filters': 4, 'kernelSize': 3, 'padding': 'same'}, [None, 6, 3]),
]

SYMBOLIC_JS = "return tf.layers[args.f](args.c).apply(tf.input({shape: args.s})).shape;"


@pytest.mark.parametrize('factory,config,shape', SYMBOLIC,
                         ids=[f'{c[0]}-{i}' for i, c in enumerate(SYMBOLIC)])
def test_symbolic_output_shape_with_unknown_dims(oracle, factory, config, shape):
    ours = getattr(tf.layers, factory)(config).apply(tf.input({'shape': shape})).shape
    assert ours == oracle.eval(SYMBOLIC_JS, {'f': factory, 'c': config, 's': shape})


# ------------------------------------------------------------------------- invalid configs

INVALID = [
    ('conv2d', {'kernelSize': 3}),                                    # no filters
    ('conv2d', {'filters': 0, 'kernelSize': 3}),
    ('conv2d', {'filters': 2}),                                       # no kernelSize
    ('conv2d', {'filters': 2, 'kernelSize': [3, 3, 3]}),
    ('conv1d', {'filters': 2, 'kernelSize': [3, 3]}),
    ('conv3d', {'filters': 2, 'kernelSize': [3, 3]}),
    ('conv2d', {'filters': 2, 'kernelSize': 3, 'padding': 'full'}),
    ('conv2d', {'filters': 2, 'kernelSize': 3, 'dataFormat': 'NHWC'}),
    ('conv2d', {'filters': 2, 'kernelSize': 3, 'strides': [1, 2, 3]}),
    ('conv1d', {'filters': 2, 'kernelSize': 3, 'dilationRate': [1, 2]}),
    ('conv2dTranspose', {'filters': 2, 'kernelSize': 3, 'padding': 'causal'}),
    ('conv3dTranspose', {'filters': 2, 'kernelSize': 3, 'padding': 'causal'}),
    ('separableConv2d', {'kernelSize': 3}),
    ('separableConv2d', {'filters': 2, 'kernelSize': 3, 'kernelInitializer': 'ones'}),
    ('separableConv2d', {'filters': 2, 'kernelSize': 3, 'padding': 'causal'}),
]

INVALID_JS = "try { tf.layers[args.f](args.c); return null; } catch (e) { return e.message; }"


@pytest.mark.parametrize('factory,config', INVALID,
                         ids=[f'{c[0]}-{i}' for i, c in enumerate(INVALID)])
def test_invalid_configs_raise_like_tfjs(oracle, factory, config):
    assert oracle.eval(INVALID_JS, {'f': factory, 'c': config}) is not None
    with pytest.raises(ValueError):
        getattr(tf.layers, factory)(config)


@pytest.mark.parametrize('factory,config,shape', [
    ('conv2d', {'filters': 2, 'kernelSize': 3}, [2, 5, 5]),                 # rank 3 input
    ('conv2d', {'filters': 2, 'kernelSize': 3, 'dataFormat': CF}, [2, None, 5, 5]),
    ('conv1d', {'filters': 2, 'kernelSize': 3}, [2, 5, 5, 1]),
    ('depthwiseConv2d', {'kernelSize': 3}, [2, 5, 5]),
])
def test_invalid_inputs_raise(factory, config, shape):
    layer = getattr(tf.layers, factory)(config)
    with pytest.raises(ValueError):
        layer.apply(tf.input({'batchShape': shape}))


def test_strides_with_dilation_is_rejected_at_construction(oracle):
    config = {'filters': 2, 'kernelSize': 3, 'strides': 2, 'dilationRate': 2}
    msg = oracle.eval("try { tf.layers.conv2d(args.c).apply(tf.ones([1, 9, 9, 1])); return null; }"
                      " catch (e) { return e.message; }", {'c': config})
    assert 'dilations' in msg
    with pytest.raises(ValueError, match='dilationRate'):
        tf.layers.conv2d(config)


@pytest.mark.parametrize('factory,config,shape', [
    ('conv2d', {'filters': 1, 'kernelSize': 5}, [1, 3, 3, 1]),
    ('conv1d', {'filters': 1, 'kernelSize': 3, 'dilationRate': 2}, [1, 4, 1]),
    ('maxPooling1d', {'poolSize': 4}, [1, 3, 2]),
])
def test_too_small_inputs_raise_clearly(factory, config, shape):
    with pytest.raises(ValueError, match='too small'):
        getattr(tf.layers, factory)(config).apply(tf.ones(shape))
