"""Pooling ops (TF.js doc section "Operations / Convolution"): avgPool, avgPool3d, maxPool,
maxPool3d, maxPoolWithArgmax, pool.

As in TF.js: padded positions are ignored (max) or not counted (avg); NaN never wins a max; the
max gradient goes to the first maximum of each window. One deliberate difference: TF.js's avgPool
gradient divides by the full window size even where the forward pass divided by the smaller
count of a border window ('same' padding); here the gradient is that of the forward pass (as in
TensorFlow/Keras). The `*_raw` helpers take and return torch tensors (for the layers)."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from ..errors import ValueError
from . import _conv_util as cu
from ._dispatch import float32, numeric, tensor_of, wrap

__all__ = ['avgPool', 'avgPool3d', 'maxPool', 'maxPool3d', 'maxPoolWithArgmax', 'pool']

_MAX = {2: F.max_pool2d, 3: F.max_pool3d}
_AVG = {2: F.avg_pool2d, 3: F.avg_pool3d}


def _assert(cond, msg):
    if not cond:
        raise ValueError(msg)


def max_pool_raw(x, filterSize, strides, pad='valid', dimRoundingMode=None, return_indices=False):
    """Max pooling on torch tensors x [N, *spatial, C] (2 or 3 spatial dims)."""
    n = x.ndim - 2
    k, s = cu.tuple_param(filterSize, n, 'filterSize'), cu.tuple_param(strides, n)
    pads, outs = cu.geometry(x.shape[1:1 + n], k, s, pad, dimRoundingMode, clamp_same=n == 2)
    dtype = x.dtype
    xf = x if dtype.is_floating_point else x.to(torch.float64)
    if xf.numel() and torch.isnan(xf).any():
        xf = torch.where(torch.isnan(xf), torch.tensor(float('-inf'), dtype=xf.dtype,
                                                         device=xf.device), xf)
    xc = cu.pad_spatial(cu.to_channels_first(xf), pads, float('-inf'))
    if xc.numel() == 0 or 0 in outs:
        y = xc.new_zeros((x.shape[0], x.shape[-1], *outs))
        idx = torch.zeros(y.shape, dtype=torch.int64, device=y.device)
    else:
        y, idx = _MAX[n](xc, k, s, return_indices=True)
    y = cu.to_channels_last(y)
    y = y if dtype == y.dtype else y.to(dtype)
    if return_indices:
        return y, idx, pads, xc.shape[2:]
    return y


def avg_pool_raw(x, filterSize, strides, pad='valid', dimRoundingMode=None):
    """Average pooling on torch tensors x [N, *spatial, C]; border windows average only the
    positions inside the input."""
    n = x.ndim - 2
    k, s = cu.tuple_param(filterSize, n, 'filterSize'), cu.tuple_param(strides, n)
    pads, outs = cu.geometry(x.shape[1:1 + n], k, s, pad, dimRoundingMode, clamp_same=n == 2)
    xc = cu.to_channels_first(x)
    if xc.numel() == 0 or 0 in outs:
        return x.new_zeros((x.shape[0], *outs, x.shape[-1]))
    if all(b == 0 and a <= 0 for b, a in pads):
        return cu.to_channels_last(_AVG[n](cu.pad_spatial(xc, pads), k, s))
    total = _AVG[n](cu.pad_spatial(xc, pads), k, s, divisor_override=1)
    ones = torch.ones((1, 1, *x.shape[1:1 + n]), dtype=x.dtype, device=x.device)
    count = _AVG[n](cu.pad_spatial(ones, pads), k, s, divisor_override=1)
    y = total / count
    if n == 3:                      # TF.js's 3D kernel gives 0 for a window wholly in the padding
        y = torch.where(count > 0, y, torch.zeros((), dtype=y.dtype, device=y.device))
    return cu.to_channels_last(y)


def _prep(x, rank, op, dtype_check):
    t = float32(x, 'x', op) if dtype_check else numeric(x, 'x', op)._value()
    if t.ndim == rank - 1:
        return t.unsqueeze(0), True
    return t, False


def maxPool(x, filterSize, strides, pad, dimRoundingMode: str | None = None):
    """2D max pooling of x [batch, h, w, c] (or [h, w, c]).

    >>> import tfjs as tf
    >>> tf.maxPool(tf.tensor3d([[[1], [2]], [[3], [4]]]), 2, 1, 'valid').arraySync()
    [[[4.0]]]
    """
    t, squeeze = _prep(x, 4, 'maxPool', False)
    _assert(t.ndim == 4, f'Error in maxPool: input must be rank 4 but got rank {t.ndim}.')
    cu.check_pad_rounding('maxPool', pad, dimRoundingMode)
    y = max_pool_raw(t, filterSize, strides, pad, dimRoundingMode)
    return wrap(y[0] if squeeze else y, _out_dtype(x))


def _out_dtype(x):
    return getattr(x, 'dtype', 'float32')


def avgPool(x, filterSize, strides, pad, dimRoundingMode: str | None = None):
    """2D average pooling of x [batch, h, w, c] (or [h, w, c]); float32 only.

    >>> import tfjs as tf
    >>> tf.avgPool(tf.tensor3d([[[1], [2]], [[3], [4]]]), 2, 1, 'valid').arraySync()
    [[[2.5]]]
    """
    t, squeeze = _prep(x, 4, 'avgPool', True)
    _assert(t.ndim == 4, f'Error in avgPool: x must be rank 4 but got rank {t.ndim}.')
    cu.check_pad_rounding('avgPool', pad, dimRoundingMode)
    y = avg_pool_raw(t, filterSize, strides, pad, dimRoundingMode)
    return wrap(y[0] if squeeze else y, 'float32')


def _check3d(op, t, strides, dataFormat):
    _assert(t.ndim == 5, f'Error in {op}: x must be rank 5 but got rank {t.ndim}.')
    _assert(dataFormat == 'NDHWC', f'Error in {op}: Only NDHWC is currently supported, but got '
                                   f'dataFormat of {dataFormat}')


def maxPool3d(x, filterSize=(1, 1, 1), strides=None, pad='valid', dimRoundingMode: str | None = None,
              dataFormat: str = 'NDHWC'):
    """3D max pooling of x [batch, d, h, w, c] (or without batch).

    >>> import tfjs as tf
    >>> tf.maxPool3d(tf.ones([2, 2, 2, 1]), 2, 1, 'valid').shape
    [1, 1, 1, 1]
    """
    t, squeeze = _prep(x, 5, 'maxPool3d', False)
    _check3d('maxPool3d', t, strides, dataFormat)
    cu.check_pad_rounding('maxPool3d', pad, dimRoundingMode)
    y = max_pool_raw(t, filterSize, strides, pad, dimRoundingMode)
    return wrap(y[0] if squeeze else y, _out_dtype(x))


def avgPool3d(x, filterSize, strides, pad, dimRoundingMode: str | None = None,
              dataFormat: str = 'NDHWC'):
    """3D average pooling of x [batch, d, h, w, c] (or without batch); float32 only.

    >>> import tfjs as tf
    >>> tf.avgPool3d(tf.ones([2, 2, 2, 1]), 2, 1, 'valid').arraySync()
    [[[[1.0]]]]
    """
    t, squeeze = _prep(x, 5, 'avgPool3d', True)
    _check3d('avgPool3d', t, strides, dataFormat)
    s = cu.tuple_param(strides, 3)
    _assert(all(v > 0 for v in s), f"Error in avgPool3d: Stride must be > 0, but got '{strides}'")
    cu.check_pad_rounding('avgPool3d', pad, dimRoundingMode)
    y = avg_pool_raw(t, filterSize, strides, pad, dimRoundingMode)
    return wrap(y[0] if squeeze else y, 'float32')


def maxPoolWithArgmax(x, filterSize, strides, pad, includeBatchInIndex: bool = False) -> dict:
    """2D max pooling and the flattened index of each maximum:
    {'result': ..., 'indexes': int32}; index (y * width + x) * channels + c (plus the batch
    offset when includeBatchInIndex).

    >>> import tfjs as tf
    >>> r = tf.maxPoolWithArgmax(tf.tensor4d([1, 4, 3, 2], [1, 2, 2, 1]), 2, 1, 'valid')
    >>> r['result'].arraySync(), r['indexes'].arraySync()
    ([[[[4.0]]]], [[[[1]]]])
    """
    t = numeric(x, 'x', 'maxPoolWithArgmax')._value()
    _assert(t.ndim == 4, f'Error in maxPoolWithArgmax: x must be rank 4 but got rank {t.ndim}.')
    y, idx, pads, padded = max_pool_raw(t, filterSize, strides, pad, None, return_indices=True)
    n, h, w, c = t.shape
    wp = padded[1]
    r = torch.div(idx, wp, rounding_mode='floor') - pads[0][0]
    col = idx % wp - pads[1][0]
    flat = (r * w + col) * c + torch.arange(c, device=idx.device).reshape(1, c, 1, 1)
    if includeBatchInIndex:
        flat = flat + torch.arange(n, device=idx.device).reshape(n, 1, 1, 1) * (h * w * c)
    flat = cu.to_channels_last(flat).to(torch.int32)
    return {'result': wrap(y, _out_dtype(x)), 'indexes': wrap(flat.contiguous(), 'int32')}


def _space_to_batch_pads(in_sizes, block, base):
    pad_start = [b[0] for b in base]
    orig_end = [b[1] for b in base]
    full = [s + pad_start[i] + orig_end[i] for i, s in enumerate(in_sizes)]
    extra = [(block[i] - f % block[i]) % block[i] for i, f in enumerate(full)]
    paddings = [[pad_start[i], orig_end[i] + extra[i]] for i in range(len(in_sizes))]
    crops = [[0, e] for e in extra]
    return paddings, crops


def pool(input, windowShape, poolingType: str, pad, dilations=None, strides=None,
         dimRoundingMode: str | None = None):
    """Max or average pooling with optional dilations (done, as in TF.js, by space-to-batch:
    with dilations, 'same' pads with zeros that count).

    >>> import tfjs as tf
    >>> tf.pool(tf.tensor3d([[[1], [2]], [[3], [4]]]), 2, 'avg', 'valid').arraySync()
    [[[2.5]]]
    """
    from . import batchToSpaceND, reshape, spaceToBatchND
    dilations = [1, 1] if dilations is None else dilations
    strides = 1 if strides is None else strides
    if isinstance(pad, (int, float)) and pad == 0:
        pad = 'valid'
    x = tensor_of(input, 'x', 'maxPool')
    squeeze = x.rank == 3
    x4 = reshape(x, [1, *x.shape]) if squeeze else x
    s, d = cu.tuple_param(strides, 2), cu.tuple_param(dilations, 2, 'dilations')
    _assert(cu.either_one(s, d), 'Error in pool: Either strides or dilations must be 1. Got '
                                 f"strides {strides} and dilations '{dilations}'")
    k = cu.tuple_param(windowShape, 2, 'windowShape')
    if x4.rank == 4:
        cu.geometry(x4.shape[1:3], cu.effective(k, d), s, pad)     # validates pad
    fn = avgPool if poolingType == 'avg' else maxPool
    if d == (1, 1):
        y = fn(x4, windowShape, strides, pad, dimRoundingMode)
    else:
        if pad == 'same':
            eff = cu.effective(k, d)
            base = [[(e - 1) // 2, (e - 1) - (e - 1) // 2] for e in eff]
        else:
            base = [[0, 0], [0, 0]]
        paddings, crops = _space_to_batch_pads(x4.shape[1:3], d, base)
        y = fn(spaceToBatchND(x4, list(d), paddings), windowShape, strides, 'valid',
               dimRoundingMode)
        y = batchToSpaceND(y, list(d), crops)
    return reshape(y, y.shape[1:]) if squeeze else y
