"""Random ops (TF.js doc section "Tensors / Random"). With a `seed`, results are reproducible
(from torch's generator; TF.js's own seeded streams are not reproduced bit-for-bit)."""
from __future__ import annotations

import torch

from ..backend import device
from ..errors import ValueError
from ._dispatch import wrap

__all__ = ['randomNormal', 'randomStandardNormal', 'truncatedNormal', 'randomUniform',
           'randomUniformInt']


def _generator(seed):
    if seed is None:
        return None
    g = torch.Generator(device='cpu')
    g.manual_seed(int(seed) & 0xFFFFFFFFFFFF)
    return g


def _finish(t, dtype):
    if dtype == 'int32':
        t = torch.trunc(t).to(torch.int32)
    return wrap(t.to(device()), dtype)


def randomNormal(shape, mean: float = 0, stdDev: float = 1, dtype: str = 'float32', seed=None):
    """Samples from a normal distribution."""
    if dtype not in ('float32', 'int32'):
        raise ValueError(f'Unsupported data type {dtype}.')
    t = torch.randn(list(shape), generator=_generator(seed), dtype=torch.float64) * stdDev + mean
    return _finish(t.float(), dtype)


def randomStandardNormal(shape, dtype: str = 'float32', seed=None):
    """Samples from the standard normal distribution."""
    return randomNormal(shape, 0, 1, dtype, seed)


def truncatedNormal(shape, mean: float = 0, stdDev: float = 1, dtype: str = 'float32', seed=None):
    """Normal samples, re-drawn until within two standard deviations of the mean."""
    if dtype not in ('float32', 'int32'):
        raise ValueError(f'Unsupported data type {dtype}.')
    g = _generator(seed)
    t = torch.randn(list(shape), generator=g, dtype=torch.float64)
    bad = t.abs() > 2
    while bool(bad.any()):
        t[bad] = torch.randn(int(bad.sum()), generator=g, dtype=torch.float64)
        bad = t.abs() > 2
    return _finish((t * stdDev + mean).float(), dtype)


def randomUniform(shape, minval: float = 0, maxval: float = 1, dtype: str = 'float32', seed=None):
    """Samples uniformly from [minval, maxval)."""
    if dtype not in ('float32', 'int32', 'bool'):
        raise ValueError(f'Unsupported data type {dtype}.')
    t = torch.rand(list(shape), generator=_generator(seed), dtype=torch.float64) * (maxval - minval) + minval
    if dtype == 'bool':
        return wrap((t >= 0.5).to(device()), 'bool')
    return _finish(t.float(), dtype)


def randomUniformInt(shape, minval: int, maxval: int, seed=None):
    """Integers sampled uniformly from [minval, maxval)."""
    t = torch.randint(int(minval), int(maxval), list(shape), generator=_generator(seed))
    return wrap(t.to(torch.int32).to(device()), 'int32')


