"""Random ops (TF.js doc section "Tensors / Random"). With a `seed`, results are reproducible
(from torch's generator; TF.js's own seeded streams are not reproduced bit-for-bit). Samples are
stored as TF.js stores them: the normal samplers round int32 values (`Math.round`),
`randomUniform` truncates them and keeps a bool's low byte (so `[0, 1)` bools are all false).

TF.js 4.22 bug not copied (pinned in tests/ops/test_ops_creation_losses_util.py):
`randomUniformInt` truncates `minval + u * (maxval - minval)` toward zero, so with a negative
minval, minval is (almost) never drawn and 0 twice as often as any other value; here every
integer of [minval, maxval) is equally likely."""
from __future__ import annotations

import hashlib

import numpy as np
import torch

from ..backend import device
from ..errors import ValueError
from ._dispatch import wrap

__all__ = ['randomNormal', 'randomStandardNormal', 'truncatedNormal', 'randomUniform',
           'randomUniformInt', 'randomGamma', 'multinomial', 'rand']


def _seed_int(seed) -> int:
    """A 48-bit integer from a TF.js seed (a number or a string, as seedrandom accepts)."""
    if isinstance(seed, str):
        return int.from_bytes(hashlib.sha256(seed.encode('utf-8')).digest()[:6], 'little')
    if isinstance(seed, float) and not seed.is_integer():
        return int.from_bytes(hashlib.sha256(repr(seed).encode()).digest()[:6], 'little')
    return int(seed) & 0xFFFFFFFFFFFF


def _generator(seed):
    if seed is None:
        return None
    g = torch.Generator(device='cpu')
    g.manual_seed(_seed_int(seed))
    return g


def _check_shape(shape) -> list:
    """TF.js's assertNonNegativeIntegerDimensions."""
    dims = [float(d) for d in shape]
    if not all(d >= 0 and d.is_integer() for d in dims):
        raw = ','.join(str(int(d)) if d.is_integer() else str(d) for d in dims)
        raise ValueError(f'Tensor must have a shape comprised of non-negative integers but got '
                         f'shape [{raw}].')
    return [int(d) for d in dims]


def _float_dtype(dtype, allowed=('float32', 'int32')) -> str:
    dtype = dtype or 'float32'
    if dtype not in allowed:
        raise ValueError(f'Unsupported data type {dtype}.')
    return dtype


def _finish(t: torch.Tensor, dtype: str):
    """float64 samples stored as TF.js stores them: float32 as is; int32 as `Math.round(x)`
    (the normal samplers' convertValue: halves round up)."""
    if dtype == 'int32':
        t = torch.floor(t + 0.5).to(torch.int32)
    else:
        t = t.float()
    return wrap(t.to(device()), dtype)


def randomNormal(shape, mean: float = 0, stdDev: float = 1, dtype: str = 'float32', seed=None):
    """Samples from a normal distribution (int32: rounded to the nearest integer, as TF.js)."""
    shape = _check_shape(shape)
    dtype = _float_dtype(dtype)
    t = torch.randn(shape, generator=_generator(seed), dtype=torch.float64) * stdDev + mean
    return _finish(t, dtype)


def randomStandardNormal(shape, dtype: str = 'float32', seed=None):
    """Samples from the standard normal distribution."""
    return randomNormal(shape, 0, 1, dtype, seed)


def truncatedNormal(shape, mean: float = 0, stdDev: float = 1, dtype: str = 'float32', seed=None):
    """Normal samples, re-drawn until within two standard deviations of the mean (int32: then
    rounded, as TF.js)."""
    shape = _check_shape(shape)
    dtype = _float_dtype(dtype)
    g = _generator(seed)
    t = torch.randn(shape, generator=g, dtype=torch.float64)
    bad = t.abs() > 2
    while bool(bad.any()):
        t[bad] = torch.randn(int(bad.sum()), generator=g, dtype=torch.float64)
        bad = t.abs() > 2
    return _finish(t * stdDev + mean, dtype)


def randomUniform(shape, minval: float = 0, maxval: float = 1, dtype: str = 'float32', seed=None):
    """Samples uniformly from [minval, maxval), stored as TF.js's typed arrays store them:
    int32 truncates toward zero; bool keeps the low byte of the truncated value, so a bool
    sample of the default [0, 1) is all false (as in TF.js) and [0, 2) is a fair coin.

    >>> import tfjs as tf
    >>> tf.randomUniform([3], 0, 1, 'bool').arraySync()
    [0, 0, 0]
    """
    shape = _check_shape(shape)
    dtype = _float_dtype(dtype, ('float32', 'int32', 'bool'))
    t = torch.rand(shape, generator=_generator(seed), dtype=torch.float64) * (maxval - minval) + minval
    if dtype == 'bool':
        return wrap((torch.remainder(torch.trunc(t), 256) != 0).to(device()), 'bool')
    if dtype == 'int32':
        return wrap(torch.trunc(t).to(torch.int32).to(device()), 'int32')
    return wrap(t.float().to(device()), 'float32')


def randomUniformInt(shape, minval: int, maxval: int, seed=None):
    """Integers sampled uniformly from [minval, maxval).

    TF.js bug not copied: TF.js draws `minval + u * (maxval - minval)` and truncates it toward
    zero (an Int32Array store), so with a negative minval, minval itself is (almost) never drawn
    and 0 is drawn twice as often as any other value; here every integer of the range is equally
    likely (TensorFlow's semantics). For minval >= 0 the two agree.

    >>> import tfjs as tf
    >>> tf.randomUniformInt([3], 0, 5, 7).dtype
    'int32'
    """
    shape = _check_shape(shape)
    low, high = int(np.ceil(minval)), int(np.ceil(maxval))
    if high <= low:   # an empty range: TF.js gives trunc(minval) everywhere
        return wrap(torch.full(shape, int(minval), dtype=torch.int32, device=device()), 'int32')
    t = torch.randint(low, high, shape, generator=_generator(seed))
    return wrap(t.to(torch.int32).to(device()), 'int32')


def randomGamma(shape, alpha: float, beta: float = 1, dtype: str = 'float32', seed=None):
    """Samples from a gamma distribution with shape `alpha` and rate `beta` (mean alpha / beta).

    `beta` is the rate, as TF.js documents and TensorFlow does (TF.js 4.22's sampler multiplies
    by beta instead, contradicting its documentation). int32 rounds to the nearest integer.

    >>> import tfjs as tf
    >>> tf.randomGamma([2, 2], 1, 1, 'float32', 3).shape
    [2, 2]
    """
    shape = _check_shape(shape)
    if beta is None:
        beta = 1
    if dtype is None:
        dtype = 'float32'
    if dtype not in ('float32', 'int32'):
        raise ValueError(f'Unsupported data type {dtype}')
    rng = np.random.default_rng(None if seed is None else _seed_int(seed))
    values = rng.gamma(float(alpha), 1.0 / float(beta), size=shape)
    if dtype == 'int32':
        return wrap(torch.from_numpy(np.round(values).astype(np.int32)).to(device()), 'int32')
    return wrap(torch.from_numpy(values.astype(np.float32)).to(device()), 'float32')


def multinomial(logits, numSamples: int, seed=None, normalized: bool = False):
    """Draw `numSamples` int32 outcome indices per row of 1-D or 2-D `logits` (or probabilities
    when `normalized`).

    >>> import tfjs as tf
    >>> tf.multinomial(tf.tensor1d([0.0, 0.0]), 4, 1).shape
    [4]
    """
    from ._convert import convert
    x = convert(logits, 'logits', 'multinomial')
    if x.size < 2:
        raise ValueError(f'Error in multinomial: you need at least 2 outcomes, but got {x.size}.')
    if x.rank > 2:
        raise ValueError(f'Rank of probabilities must be 1 or 2, but is {x.rank}')
    t = x._value().detach().to(torch.float64).cpu()
    t2 = t.reshape(1, -1) if x.rank == 1 else t
    probs = t2 if normalized else torch.softmax(t2, dim=-1)
    probs = probs.clamp_min(0)
    out = torch.multinomial(probs, int(numSamples), replacement=True, generator=_generator(seed))
    out = out.to(torch.int32).to(device())
    return wrap(out.reshape(-1) if x.rank == 1 else out, 'int32')


def rand(shape, randFunction, dtype: str | None = None):
    """A tensor filled by calling `randFunction()` once per element (TF.js's typed-array rules).

    >>> import tfjs as tf
    >>> tf.rand([2], lambda: 3).arraySync()
    [3.0, 3.0]
    """
    shape = _check_shape(shape)
    size = int(np.prod(shape, dtype=np.int64))
    values = np.array([float(randFunction()) for _ in range(size)], dtype=np.float64)
    if dtype is None or dtype == 'float32':
        return wrap(torch.from_numpy(values.astype(np.float32).reshape(shape)).to(device()),
                    'float32')
    if dtype not in ('int32', 'bool'):
        raise ValueError(f'Unknown data type {dtype}')
    ints = np.where(np.isfinite(values), np.trunc(np.nan_to_num(values)), 0)
    if dtype == 'int32':   # Int32Array: wrap modulo 2**32
        arr = ((ints.astype(np.float64) % 2 ** 32 + 2 ** 32) % 2 ** 32).astype(np.uint64)
        arr = arr.astype(np.uint32).view(np.int32)
        return wrap(torch.from_numpy(arr.reshape(shape).copy()).to(device()), 'int32')
    arr = ((ints % 256 + 256) % 256) != 0   # Uint8Array
    return wrap(torch.from_numpy(arr.reshape(shape)).to(device()), 'bool')


