"""batchNorm2d/3d/4d (rank-checked batchNorm) and localResponseNormalization."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from ..errors import ValueError
from ._dispatch import float32, tensor_of, wrap

__all__ = ['batchNorm2d', 'batchNorm3d', 'batchNorm4d', 'localResponseNormalization']
CHAINED = ['localResponseNormalization']


def _batch_norm_ranked(rank, x, mean, variance, offset, scale, varianceEpsilon):
    from .normalization import batchNorm
    name = f'batchNorm{rank}D'
    x, mean, variance = (tensor_of(v, n, 'batchNorm') for v, n in
                         ((x, 'x'), (mean, 'mean'), (variance, 'variance')))
    if x.rank != rank:
        raise ValueError(f'Error in {name}: x must be rank {rank} but got rank {x.rank}.')
    for label, v in (('mean', mean), ('variance', variance), ('scale', scale), ('offset', offset)):
        if v is None:
            continue
        v = tensor_of(v, label, 'batchNorm')
        if v.rank not in (rank, 1):
            raise ValueError(f'Error in {name}: {label} must be rank {rank} or rank 1 but got rank '
                             f'{v.rank}.')
    return batchNorm(x, mean, variance, offset, scale, varianceEpsilon)


def batchNorm2d(x, mean, variance, offset=None, scale=None, varianceEpsilon: float | None = None):
    """batchNorm for a rank-2 x (mean, variance, offset, scale rank 2 or 1).

    >>> import tfjs as tf
    >>> tf.batchNorm2d(tf.tensor2d([[2]]), tf.tensor1d([1]), tf.tensor1d([1]), None, None, 0).arraySync()
    [[1.0]]
    """
    return _batch_norm_ranked(2, x, mean, variance, offset, scale, varianceEpsilon)


def batchNorm3d(x, mean, variance, offset=None, scale=None, varianceEpsilon: float | None = None):
    """batchNorm for a rank-3 x (mean, variance, offset, scale rank 3 or 1).

    >>> import tfjs as tf
    >>> tf.batchNorm3d(tf.ones([1, 1, 1]), [0], [1], None, None, 0).arraySync()
    [[[1.0]]]
    """
    return _batch_norm_ranked(3, x, mean, variance, offset, scale, varianceEpsilon)


def batchNorm4d(x, mean, variance, offset=None, scale=None, varianceEpsilon: float | None = None):
    """batchNorm for a rank-4 x (mean, variance, offset, scale rank 4 or 1).

    >>> import tfjs as tf
    >>> tf.batchNorm4d(tf.ones([1, 1, 1, 1]), [0], [1], None, None, 0).arraySync()
    [[[[1.0]]]]
    """
    return _batch_norm_ranked(4, x, mean, variance, offset, scale, varianceEpsilon)


def lrn_raw(x, depthRadius: int = 5, bias: float = 1, alpha: float = 1, beta: float = 0.5):
    """Local response normalization over the last axis of a torch tensor."""
    c = x.shape[-1]
    r = int(depthRadius)
    sq = (x * x).reshape(-1, 1, c)
    if sq.numel() == 0:
        return x.clone()
    ones = torch.ones((1, 1, 2 * r + 1), dtype=x.dtype, device=x.device)
    total = F.conv1d(sq, ones, padding=r).reshape(x.shape)
    return x * torch.pow(bias + alpha * total, -beta)


def localResponseNormalization(x, depthRadius: int = 5, bias: float = 1, alpha: float = 1,
                               beta: float = 0.5):
    """x / (bias + alpha * sum of x^2 over channels within depthRadius) ^ beta, over the last
    axis of a rank-3 or rank-4 float32 tensor.

    >>> import tfjs as tf
    >>> tf.localResponseNormalization(tf.tensor3d([[[1, 0]]]), 1, 0, 1, 1).arraySync()
    [[[1.0, 0.0]]]
    """
    t = float32(x, 'x', 'localResponseNormalization')
    if t.ndim not in (3, 4):
        raise ValueError(f'Error in localResponseNormalization: x must be rank 3 or 4 but got rank '
                         f'{t.ndim}.')
    if int(depthRadius) != depthRadius:
        raise ValueError('Error in localResponseNormalization: depthRadius must be an integer but '
                         f'got depthRadius {depthRadius}.')
    return wrap(lrn_raw(t, depthRadius, bias, alpha, beta), 'float32')
