"""tf.cosineWindow and tf.enclosingPowerOfTwo: TF.js 4.22 exports signal_ops_util.ts at the top
level (`tf.signal`'s windows and stft are built on them)."""
from __future__ import annotations

import math

import numpy as np
import torch

from ..errors import ValueError
from ..tensor import Tensor
from ._dispatch import wrap

__all__ = ['cosineWindow', 'enclosingPowerOfTwo']


def enclosingPowerOfTwo(value: float):
    """The smallest power of two >= value, as TF.js computes it
    (`floor(2 ** ceil(log(value) / log(2)))`: 0 for values in [0, 0.5], NaN for negative ones;
    an int up to 2**53, a float beyond).

    >>> import tfjs as tf; tf.enclosingPowerOfTwo(5), tf.enclosingPowerOfTwo(8)
    (8, 8)
    """
    v = float(value)
    if math.isnan(v) or v < 0:
        return math.nan
    if v == 0:
        return 0
    if math.isinf(v):
        return math.inf
    e = math.ceil(math.log(v) / math.log(2.0))
    try:
        p = math.pow(2.0, e)
    except OverflowError:
        return math.inf
    return int(p) if p <= 2.0 ** 53 else p


def cosineWindow(windowLength: int, a: float, b: float) -> Tensor:
    """The float32 window `a - b cos(2 pi i / (N + even - 1))`, i < N (`even` is 1 when N is
    even), that hannWindow (a = b = 0.5) and hammingWindow (0.54, 0.46) use.

    >>> import tfjs as tf; tf.cosineWindow(3, 0.5, 0.5).arraySync()
    [0.0, 1.0, 0.0]
    """
    from ..backend import device
    n = float(windowLength)
    if math.isnan(n):
        length = 0
    elif math.isinf(n) or math.trunc(n) < 0:   # new Float32Array(n): JS ToIndex
        text = 'Infinity' if n > 0 else '-Infinity' if math.isinf(n) else str(math.trunc(n))
        raise ValueError(f'Invalid typed array length: {text}')
    else:
        length = int(math.trunc(n))
    even = 1 - math.fmod(n, 2)
    i = np.arange(length, dtype=np.float64)
    with np.errstate(divide='ignore', invalid='ignore'):
        vals = float(a) - float(b) * np.cos((2.0 * math.pi * i) / (n + even - 1))
    return wrap(torch.from_numpy(vals.astype(np.float32)).to(device()), 'float32')
