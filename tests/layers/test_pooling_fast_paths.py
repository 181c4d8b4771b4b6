"""Uneven TF 'same' pooling runs as torch's ceil_mode pooling (no padded copy of the input)
where its windows are exactly TF's; it must give the padded computation's values and input
gradients bit for bit, and fall back to the padded computation everywhere else (strides 1,
windows smaller than the strides...). TF.js itself is compared in
tests/layers/test_pooling_padding_parity.py, whose uneven 'same' cases take this path."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import tfjs as tf
from tfjs.layers import _conv_common as cc
from tfjs.layers import pooling as P

_MAX = {2: F.max_pool2d, 3: F.max_pool3d}
_AVG = {2: F.avg_pool2d, 3: F.avg_pool3d}


def _pad(x, pads, value: float = 0.0):
    flat = [p for b, a in reversed(pads) for p in (b, a)]
    return F.pad(x, flat, value=value)


def _padded_max(x, kernel, strides, pads):
    """The plain computation: the input padded with -inf, then unpadded windows."""
    return _MAX[x.ndim - 2](_pad(x, pads, float('-inf')), tuple(kernel), tuple(strides))


def _padded_avg(x, kernel, strides, pads):
    """The plain computation: window sums of the zero-padded input over real-element counts."""
    n = x.ndim - 2
    total = _AVG[n](_pad(x, pads), tuple(kernel), tuple(strides), divisor_override=1)
    ones = torch.ones((1, 1) + tuple(x.shape[2:]), dtype=x.dtype)
    count = _AVG[n](_pad(ones, pads), tuple(kernel), tuple(strides), divisor_override=1)
    return total / count


def _value_and_grad(fn, x, r_seed=1):
    t = x.detach().clone().requires_grad_(True)
    with torch.enable_grad():
        y = fn(t)
        r = torch.from_numpy(np.random.RandomState(r_seed).randn(*y.shape).astype(np.float32))
        g, = torch.autograd.grad((y * r).sum(), [t])
    return y.detach(), g


GRID = [(size, k, s) for size, k, s in itertools.product(range(1, 10), range(1, 6), range(1, 5))]


@pytest.mark.parametrize('mode', ['max', 'avg'])
def test_same_pooling_equals_the_padded_computation_2d(mode):
    ours, ref = (P.max_pool, _padded_max) if mode == 'max' else (P.avg_pool, _padded_avg)
    rs = np.random.RandomState(0)
    fast = 0
    for (h, kh, sh), (w, kw, sw) in zip(GRID, GRID[::-1]):
        pads = cc.conv_pads([h, w], [kh, kw], [sh, sw], [1, 1], 'same')
        x = torch.from_numpy(rs.randn(2, 3, h, w).astype(np.float32)).permute(0, 1, 3, 2)
        x = x.contiguous().permute(0, 1, 3, 2)                      # a strided input too
        fast += P._ceil_mode_fits([h, w], [kh, kw], [sh, sw], pads) and \
            any(b != a for b, a in pads)
        a = _value_and_grad(lambda t: ours(t, [kh, kw], [sh, sw], pads), x)
        b = _value_and_grad(lambda t: ref(t, [kh, kw], [sh, sw], pads), x)
        assert a[0].shape == b[0].shape, (h, w, kh, kw, sh, sw)
        assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1]), (h, w, kh, kw, sh, sw)
    assert fast > 20                     # the grid reaches the ceil_mode path often


@pytest.mark.parametrize('mode', ['max', 'avg'])
@pytest.mark.parametrize('sizes,kernel,strides', [([5, 6, 7], [3, 3, 3], [2, 2, 2]),
                                                  ([4, 5, 3], [2, 3, 2], [2, 3, 2]),
                                                  ([6, 4, 5], [3, 2, 4], [1, 2, 3])])
def test_same_pooling_equals_the_padded_computation_3d(mode, sizes, kernel, strides):
    ours, ref = (P.max_pool, _padded_max) if mode == 'max' else (P.avg_pool, _padded_avg)
    pads = cc.conv_pads(sizes, kernel, strides, [1, 1, 1], 'same')
    x = torch.from_numpy(np.random.RandomState(3).randn(2, 2, *sizes).astype(np.float32))
    x = x.contiguous(memory_format=torch.channels_last_3d)
    a = _value_and_grad(lambda t: ours(t, kernel, strides, pads), x)
    b = _value_and_grad(lambda t: ref(t, kernel, strides, pads), x)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])


def test_ceil_mode_window_rule():
    # strides 1 with an uneven total: ceil_mode adds no window, the padded path is needed
    assert not P._ceil_mode_fits([5], [2], [1], [(0, 1)])
    assert P._ceil_mode_fits([6], [3], [2], [(0, 1)])
    assert P._ceil_mode_fits([28], [5], [2], [(1, 2)])
    assert not P._ceil_mode_fits([6], [3], [2], [(1, 0)])      # more before than after


def test_same_pooling_layers_nhwc():
    x = np.random.RandomState(5).randn(2, 8, 6, 3).astype(np.float32)
    layer = tf.layers.averagePooling2d({'poolSize': 3, 'strides': 2, 'padding': 'same'})
    out = np.asarray(layer.apply(tf.tensor(x)))
    assert out.shape == (2, 4, 3, 3)
    # pads (0, 1) on both axes: the last window holds 2x2 real elements, the first 3x3
    np.testing.assert_allclose(out[:, 3, 2], x[:, 6:, 4:].mean(axis=(1, 2)), rtol=1e-6)
    np.testing.assert_allclose(out[:, 0, 0], x[:, :3, :3].mean(axis=(1, 2)), rtol=1e-6)
