"""The convolution layers' speed paths give the numbers of the plain ones.

ReLU runs in place on a convolution's (or Dense's) own output, and a transposed convolution
whose TF 'same' crop is uneven crops with a pad (whose gradient keeps the incoming memory
format) and adds its bias in place. Each path is checked here against the plain computation
written out with torch ops (ReLU out of place, the crop as a narrowed view): outputs and the
gradients of the weights and the input, exactly; higher-order gradients; inputs left
untouched; non-contiguous and channels_last inputs. The new paths are also compared with
TF.js 4.22 (the oracle) where the existing parity cases did not reach them.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import tfjs as tf
from tfjs.activations import get_activation
from layer_parity import check_layer

CF = 'channelsFirst'


def _layer(factory: str, config: dict, shape: list, seed: int = 0):
    """(layer built on `shape`, a random float32 input of that shape as a torch tensor)."""
    layer = getattr(tf.layers, factory)(config)
    x = np.random.RandomState(seed).randn(*shape).astype(np.float32)
    layer.apply(tf.tensor(x))
    return layer, torch.from_numpy(x)


def _grads(fn, x: torch.Tensor, params: list, r: torch.Tensor) -> list:
    """fn(x) and the gradients of sum(fn(x) * r) for x and every parameter."""
    x = x.detach().clone().requires_grad_(True)
    for p in params:
        p.requires_grad_(True)
    try:
        with torch.enable_grad():
            y = fn(x)
            gs = torch.autograd.grad((y * r).sum(), [x] + params)
    finally:
        for p in params:
            p.requires_grad_(False)
    return [y.detach()] + list(gs)


def _plain_relu(layer, x: torch.Tensor) -> torch.Tensor:
    """The layer with its ReLU applied out of place, after the layer's other work."""
    saved = layer.activation
    layer.activation = get_activation('linear')
    try:
        return torch.relu(layer.forward(x, True))
    finally:
        layer.activation = saved


RELU_CASES = [
    ('conv1d', {'filters': 3, 'kernelSize': 3, 'activation': 'relu'}, [2, 9, 2]),
    ('conv1d', {'filters': 3, 'kernelSize': 2, 'padding': 'causal', 'activation': 'relu',
                'dilationRate': 2}, [2, 9, 2]),
    ('conv2d', {'filters': 4, 'kernelSize': 3, 'activation': 'relu'}, [2, 7, 6, 1]),
    ('conv2d', {'filters': 4, 'kernelSize': 3, 'strides': 2, 'padding': 'same',
                'activation': 'relu', 'dataFormat': CF}, [2, 3, 7, 6]),
    ('conv2d', {'filters': 4, 'kernelSize': 2, 'padding': 'same', 'activation': 'relu',
                'useBias': False}, [2, 5, 5, 3]),
    ('conv3d', {'filters': 2, 'kernelSize': 2, 'activation': 'relu'}, [2, 4, 4, 3, 2]),
    ('conv2dTranspose', {'filters': 3, 'kernelSize': 3, 'strides': 2, 'padding': 'same',
                         'activation': 'relu'}, [2, 4, 5, 2]),
    ('conv2dTranspose', {'filters': 3, 'kernelSize': 4, 'strides': 2, 'padding': 'same',
                         'activation': 'relu'}, [2, 4, 4, 2]),
    ('conv2dTranspose', {'filters': 2, 'kernelSize': 3, 'strides': 2, 'activation': 'relu',
                         'dataFormat': CF}, [2, 3, 3, 4]),
    ('conv3dTranspose', {'filters': 2, 'kernelSize': 3, 'strides': 2, 'padding': 'same',
                         'activation': 'relu'}, [2, 3, 3, 2, 2]),
    ('depthwiseConv2d', {'kernelSize': 3, 'depthMultiplier': 2, 'activation': 'relu'},
     [2, 6, 6, 3]),
    ('separableConv2d', {'filters': 4, 'kernelSize': 3, 'padding': 'same', 'activation': 'relu'},
     [2, 6, 6, 3]),
    ('dense', {'units': 5, 'activation': 'relu'}, [4, 7]),
    ('dense', {'units': 5, 'activation': 'relu', 'useBias': False}, [2, 3, 7]),
    ('dense', {'units': 5, 'activation': 'relu'}, [2, 3, 7]),
]


@pytest.mark.parametrize('factory,config,shape', RELU_CASES,
                         ids=[f'{c[0]}-{i}' for i, c in enumerate(RELU_CASES)])
def test_in_place_relu_matches_plain_relu(factory, config, shape):
    layer, x = _layer(factory, config, shape)
    params = [v.val._t for v in layer.trainableWeights]
    out_shape = layer.forward(x, False).shape
    r = torch.from_numpy(np.random.RandomState(1).randn(*out_shape).astype(np.float32))
    ours = _grads(lambda t: layer.forward(t, True), x, params, r)
    plain = _grads(lambda t: _plain_relu(layer, t), x, params, r)
    assert (ours[0] == 0).any() and (ours[0] > 0).any()      # both sides of the kink are hit
    for a, b in zip(ours, plain):
        assert torch.equal(a, b)


@pytest.mark.parametrize('factory,config,shape', [RELU_CASES[2], RELU_CASES[6], RELU_CASES[12]])
def test_in_place_relu_leaves_the_input_alone(factory, config, shape):
    layer, x = _layer(factory, config, shape)
    before = x.clone()
    layer.forward(x, False)
    with torch.enable_grad():
        layer.forward(x.clone().requires_grad_(True), True)
    assert torch.equal(x, before)


def test_in_place_relu_second_order_gradients():
    layer, x = _layer('conv2d', {'filters': 3, 'kernelSize': 2, 'activation': 'relu'},
                      [2, 4, 4, 2])

    def second(fn):
        t = x.clone().requires_grad_(True)
        with torch.enable_grad():
            g, = torch.autograd.grad((fn(t) ** 2).sum(), [t], create_graph=True)
            gg, = torch.autograd.grad((g ** 2).sum(), [t])
        return gg
    assert torch.equal(second(lambda t: layer.forward(t, True)),
                       second(lambda t: _plain_relu(layer, t)))
    # and through the public API: tf.grad of tf.grad
    xt = tf.tensor(x.numpy())
    gg = tf.grad(lambda t: tf.sum(tf.square(
        tf.grad(lambda u: tf.sum(tf.square(layer.apply(u))))(t))))(xt)
    assert np.asarray(gg).shape == tuple(x.shape)
    np.testing.assert_array_equal(np.asarray(gg), second(lambda t: _plain_relu(layer, t)).numpy())


@pytest.mark.parametrize('make', [
    lambda x: x.permute(0, 2, 1, 3).contiguous().permute(0, 2, 1, 3),     # strided
    lambda x: x.permute(0, 3, 1, 2).contiguous().permute(0, 2, 3, 1),     # NCHW memory
    lambda x: torch.stack([x, x], dim=3)[:, :, :, 0],                     # gaps
])
def test_non_contiguous_inputs(make):
    layer, x = _layer('conv2d', {'filters': 4, 'kernelSize': 3, 'activation': 'relu'},
                      [2, 6, 6, 3])
    y = make(x)
    assert torch.equal(y, x) and not y.is_contiguous()
    params = [v.val._t for v in layer.trainableWeights]
    r = torch.from_numpy(np.random.RandomState(1).randn(2, 4, 4, 4).astype(np.float32))
    ours = _grads(lambda t: layer.forward(make(t), True), x, params, r)
    plain = _grads(lambda t: layer.forward(t, True), x, params, r)
    for a, b in zip(ours, plain):
        torch.testing.assert_close(a, b, rtol=1e-6, atol=1e-6)


def _transpose_by_narrow(layer, x: torch.Tensor) -> torch.Tensor:
    """Conv2DTranspose (channelsLast, TF 'same') computed the plain way: the unpadded
    transposed convolution, TF's crop as a narrowed view, then the bias."""
    kernel = layer.kernel.val._t
    w = kernel.permute(3, 2, 0, 1)
    y = F.conv_transpose2d(x.permute(0, 3, 1, 2), w, None, tuple(layer.strides))
    for axis, size in ((2, x.shape[1]), (3, x.shape[2])):
        s, k = layer.strides[axis - 2], layer.kernelSize[axis - 2]
        out = size * s
        total = max((size - 1) * s + k - out, 0)
        y = y.narrow(axis, total // 2, out)
    y = y + layer.bias.val._t.reshape(1, -1, 1, 1)
    return y.permute(0, 2, 3, 1)


@pytest.mark.parametrize('kernel,strides,shape', [(3, 2, [2, 4, 5, 3]), (5, 2, [2, 3, 3, 2]),
                                                  ([3, 4], [2, 3], [1, 4, 3, 2])])
def test_transposed_uneven_crop_matches_narrowed_view(kernel, strides, shape):
    layer, x = _layer('conv2dTranspose', {'filters': 3, 'kernelSize': kernel,
                                          'strides': strides, 'padding': 'same',
                                          'biasInitializer': 'randomNormal'}, shape)
    params = [v.val._t for v in layer.trainableWeights]
    out_shape = layer.forward(x, False).shape
    r = torch.from_numpy(np.random.RandomState(1).randn(*out_shape).astype(np.float32))
    ours = _grads(lambda t: layer.forward(t, True), x, params, r)
    plain = _grads(lambda t: _transpose_by_narrow(layer, t), x, params, r)
    for a, b in zip(ours, plain):
        assert torch.equal(a, b)


# TF.js on the new paths: uneven 'same' crops with a bias and ReLU (2D, 1D, and 3D values)
@pytest.mark.parametrize('factory,config,shape', [
    ('conv2dTranspose', {'filters': 3, 'kernelSize': 3, 'strides': 2, 'padding': 'same',
                         'activation': 'relu', 'biasInitializer': 'randomNormal'}, [3, 4, 2]),
    ('conv2dTranspose', {'filters': 2, 'kernelSize': 5, 'strides': 2, 'padding': 'same',
                         'biasInitializer': 'ones', 'dataFormat': CF}, [2, 3, 3]),
    ('conv2d', {'filters': 4, 'kernelSize': 3, 'activation': 'relu',
                'biasInitializer': 'randomNormal'}, [6, 6, 1]),
    ('dense', {'units': 4, 'activation': 'relu', 'biasInitializer': 'randomNormal'}, [3, 5]),
])
def test_fast_paths_against_tfjs(oracle, factory, config, shape):
    check_layer(oracle, factory, config, shape)


def test_conv3d_transpose_uneven_crop_against_tfjs(oracle):
    # TF.js 4.22 has no gradient for Conv3DBackpropInputV2: values only
    check_layer(oracle, 'conv3dTranspose', {'filters': 2, 'kernelSize': 3, 'strides': 2,
                                            'padding': 'same', 'activation': 'relu',
                                            'biasInitializer': 'randomNormal'}, [2, 3, 2, 1],
                gradients=False)
