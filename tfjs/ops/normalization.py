"""Normalization ops (TF.js doc section "Operations / Normalization")."""
from __future__ import annotations

import torch

from ..errors import ValueError
from ._dispatch import float32, float_raw, numeric, parse_axis, wrap

__all__ = ['softmax', 'logSoftmax', 'moments', 'batchNorm']


def softmax(logits, dim: int = -1):
    """Softmax over `dim`, which must be the last dimension (-1 or rank - 1), as in TF.js
    (float32 only).

    >>> import tfjs as tf
    >>> tf.softmax(tf.tensor1d([0, 0])).arraySync()
    [0.5, 0.5]
    """
    t = float32(logits, 'logits', 'softmax')
    if dim == -1:
        dim = t.ndim - 1
    if dim != t.ndim - 1:
        raise ValueError(f'Softmax along a non-last dimension is not yet supported. Logits was rank '
                         f'{t.ndim} and dim was {dim}')
    return wrap(torch.softmax(t, dim=-1), 'float32')


def logSoftmax(logits, axis: int = -1):
    """log(softmax(x)) over the last axis (-1 or rank - 1), computed stably; int32 gives float32.

    >>> import tfjs as tf
    >>> round(tf.logSoftmax(tf.tensor1d([0, 0])).arraySync()[0], 4)
    -0.6931
    """
    x = numeric(logits, 'logits', 'logSoftmax')
    t = x._t if x.dtype == 'float32' else x._t.float()
    if axis == -1:
        axis = t.ndim - 1
    if axis != t.ndim - 1:
        raise ValueError(f'Log Softmax along a non-last dimension is not yet supported. Logits was '
                         f'rank {t.ndim} and axis was {axis}')
    return wrap(torch.log_softmax(t, dim=-1), 'float32')


def moments(x, axes=None, keepDims: bool = False):
    """Mean and population variance over `axes` (all when None): {'mean': ..., 'variance': ...},
    both float32, with the reduced axes kept as size 1 when keepDims is true.

    >>> import tfjs as tf
    >>> m = tf.moments(tf.tensor1d([1, 3]))
    >>> m['mean'].arraySync(), m['variance'].arraySync()
    (2.0, 1.0)
    """
    x = numeric(x, 'x', 'moments')
    t = x._t if x.dtype == 'float32' else x._t.float()
    ax = parse_axis(axes, t.ndim)
    if not ax:
        return {'mean': wrap(t.clone(), 'float32'), 'variance': wrap(torch.zeros_like(t), 'float32')}
    if t.numel() == 0:
        zeros = torch.sum(t, dim=ax, keepdim=keepDims)
        return {'mean': wrap(zeros, 'float32'), 'variance': wrap(zeros.clone(), 'float32')}
    mean = torch.mean(t, dim=ax, keepdim=True)
    variance = torch.mean(torch.square(t - mean), dim=ax, keepdim=keepDims)
    if not keepDims:
        mean = mean.reshape(variance.shape)
    return {'mean': wrap(mean, 'float32'), 'variance': wrap(variance, 'float32')}


def batchNorm(x, mean, variance, offset=None, scale=None, varianceEpsilon: float = 0.001):
    """(x - mean) * scale / sqrt(variance + eps) + offset, with broadcasting.

    >>> import tfjs as tf
    >>> tf.batchNorm(tf.tensor1d([2]), tf.tensor1d([1]), tf.tensor1d([1]), None, None, 0).arraySync()
    [1.0]
    """
    if varianceEpsilon is None:
        varianceEpsilon = 0.001
    tm = float_raw(mean, 'mean', 'batchNorm')
    tv = float_raw(variance, 'variance', 'batchNorm')
    if tm.ndim != tv.ndim:
        raise ValueError('Batch normalization gradient requires mean and variance to have equal '
                         'ranks.')
    tx = float_raw(x, 'x', 'batchNorm')
    inv = torch.rsqrt(tv + varianceEpsilon)
    if scale is not None:
        inv = inv * float_raw(scale, 'scale', 'batchNorm')
    out = (tx - tm) * inv
    if offset is not None:
        out = out + float_raw(offset, 'offset', 'batchNorm')
    return wrap(out, 'float32')
