"""An exact port of seedrandom's `alea` PRNG (seedrandom 3.0.5), the generator TF.js's
`Dataset.shuffle` uses, so a seeded shuffle visits elements in the same order as in TF.js.

JS numbers are IEEE doubles, as Python floats are; the bit operations (`| 0`, `>>> 0`) are
reproduced with explicit 32-bit wrapping.

>>> rng = alea('abc')
>>> rng(), rng.int32()
(0.4795641906093806, 1398750857)
"""
from __future__ import annotations

import math

_2_POW_32 = 4294967296.0
_2_POW_NEG_32 = 2.3283064365386963e-10


def _to_uint32(x: float) -> int:
    """JS `x >>> 0`."""
    if not math.isfinite(x):
        return 0
    return int(math.trunc(x)) % 4294967296


def _to_int32(x: float) -> int:
    """JS `x | 0`."""
    n = _to_uint32(x)
    return n - 4294967296 if n >= 2147483648 else n


def js_string(seed) -> str:
    """JS `String(seed)` for the seed types users pass (strings, numbers, booleans)."""
    if isinstance(seed, str):
        return seed
    if isinstance(seed, bool):
        return 'true' if seed else 'false'
    if isinstance(seed, int):
        return str(seed)
    if isinstance(seed, float):
        if math.isnan(seed):
            return 'NaN'
        if math.isinf(seed):
            return 'Infinity' if seed > 0 else '-Infinity'
        if seed.is_integer() and abs(seed) < 1e21:
            return str(int(seed))
        return repr(seed)
    return str(seed)


class _Mash:
    def __init__(self):
        self.n = float(0xefc8249d)

    def __call__(self, data) -> float:
        data = js_string(data)
        n = self.n
        # JS strings are UTF-16: iterate over code units
        units = data.encode('utf-16-le')
        for i in range(0, len(units), 2):
            n += units[i] | (units[i + 1] << 8)
            h = 0.02519603282416938 * n
            n = float(_to_uint32(h))
            h -= n
            h *= n
            n = float(_to_uint32(h))
            h -= n
            n += h * _2_POW_32
        self.n = n
        return _to_uint32(n) * _2_POW_NEG_32


class Alea:
    """The alea generator: call it for a float in [0, 1); `int32()` and `double()` as seedrandom."""

    __slots__ = ('c', 's0', 's1', 's2')

    def __init__(self, seed):
        mash = _Mash()
        self.c = 1
        self.s0 = mash(' ')
        self.s1 = mash(' ')
        self.s2 = mash(' ')
        self.s0 -= mash(seed)
        if self.s0 < 0:
            self.s0 += 1
        self.s1 -= mash(seed)
        if self.s1 < 0:
            self.s1 += 1
        self.s2 -= mash(seed)
        if self.s2 < 0:
            self.s2 += 1

    def __call__(self) -> float:
        t = 2091639 * self.s0 + self.c * _2_POW_NEG_32
        self.s0 = self.s1
        self.s1 = self.s2
        self.c = _to_int32(t)
        self.s2 = t - self.c
        return self.s2

    def int32(self) -> int:
        return _to_int32(self() * _2_POW_32)

    def double(self) -> float:
        return self() + _to_int32(self() * 0x200000) * 1.1102230246251565e-16


def alea(seed) -> Alea:
    """A seeded alea generator, as `seedrandom.alea(seed)`."""
    return Alea(seed)
