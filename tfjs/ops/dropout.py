"""tf.dropout: zero elements with probability `rate` and scale the rest by 1 / (1 - rate)."""
from __future__ import annotations

from ..errors import ValueError
from ._dispatch import tensor_of

__all__ = ['dropout']


def _noise_shape(shape, noiseShape):
    if noiseShape is None:
        return list(shape)
    noiseShape = list(noiseShape)
    if list(shape) == noiseShape:
        return noiseShape
    if len(shape) == len(noiseShape):
        return [s if n is None else n for s, n in zip(shape, noiseShape)]
    return noiseShape


def dropout(x, rate: float, noiseShape=None, seed=None):
    """x * floor(uniform + keepProb) / keepProb (float32 only); `noiseShape` shares the mask
    along dimensions of size 1; `seed` makes it reproducible.

    >>> import tfjs as tf
    >>> tf.dropout(tf.ones([3]), 0).arraySync()
    [1.0, 1.0, 1.0]
    """
    from . import add, div, floor, mul, randomUniform
    t = tensor_of(x, 'x', 'dropout')
    if t.dtype != 'float32':
        raise ValueError("x has to be a floating point tensor since it's going to be scaled, but "
                         f'got a {t.dtype} tensor instead.')
    if not 0 <= rate < 1:
        raise ValueError(f'rate must be a float in the range [0, 1), but got {rate}.')
    if rate == 0:
        return t.clone() if t is x else t
    keep = 1 - rate
    mask = div(floor(add(randomUniform(_noise_shape(t.shape, noiseShape), 0, 1, 'float32', seed),
                         keep)), keep)
    return mul(t, mask)
