"""Normalization ops (TF.js doc section "Operations / Normalization")."""
from __future__ import annotations

import torch

from ..errors import ValueError
from ._dispatch import check_axis, float_raw, wrap

__all__ = ['softmax', 'logSoftmax', 'moments', 'batchNorm']


def softmax(logits, dim: int = -1):
    """Softmax over `dim` (TF.js supports only the last dimension)."""
    t = float_raw(logits, 'logits', 'softmax')
    if dim != -1 and dim != t.ndim - 1:
        raise ValueError(f'Softmax along a non-last dimension is not yet supported. Logits was rank '
                         f'{t.ndim} and dim was {dim}.')
    return wrap(torch.softmax(t, dim=-1), 'float32')


def logSoftmax(logits, axis: int = -1):
    """log(softmax(x)) over the last axis, computed stably."""
    t = float_raw(logits, 'logits', 'logSoftmax')
    if axis != -1 and axis != t.ndim - 1:
        raise ValueError('logSoftmax along a non-last dimension is not yet supported.')
    return wrap(torch.log_softmax(t, dim=-1), 'float32')


def moments(x, axes=None, keepDims: bool = False):
    """Mean and (population) variance over `axes`: returns {'mean': ..., 'variance': ...}."""
    t = float_raw(x, 'x', 'moments')
    ax = check_axis(axes, t.ndim)
    if not ax:
        return {'mean': wrap(t.clone(), 'float32'), 'variance': wrap(torch.zeros_like(t), 'float32')}
    mean = torch.mean(t, dim=ax, keepdim=True)
    variance = torch.mean(torch.square(t - mean), dim=ax, keepdim=keepDims)
    if not keepDims:
        mean = mean.squeeze(ax) if len(ax) else mean
        if len(ax) > 1:
            mean = mean.reshape(variance.shape)
    return {'mean': wrap(mean, 'float32'), 'variance': wrap(variance, 'float32')}


def batchNorm(x, mean, variance, offset=None, scale=None, varianceEpsilon: float = 0.001):
    """(x - mean) * scale / sqrt(variance + eps) + offset, with broadcasting."""
    tx = float_raw(x, 'x', 'batchNorm')
    inv = torch.rsqrt(float_raw(variance, 'variance', 'batchNorm') + varianceEpsilon)
    if scale is not None:
        inv = inv * float_raw(scale, 'scale', 'batchNorm')
    out = (tx - float_raw(mean, 'mean', 'batchNorm')) * inv
    if offset is not None:
        out = out + float_raw(offset, 'offset', 'batchNorm')
    return wrap(out, 'float32')


