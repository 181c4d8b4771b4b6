"""tf.string: stringNGrams, stringSplit, stringToHashBucketFast, staticRegexReplace.

String tensors hold NumPy object arrays of Python `str`; TF.js works on UTF-8 bytes, so byte
level behaviour (stringSplit's byte delimiters, the fingerprint hash) is computed on the UTF-8
encoding."""
from __future__ import annotations

import re
from typing import Sequence

import numpy as np
import torch

from ..errors import ValueError
from ..tensor import Tensor
from ._convert import convert
from ._dispatch import wrap

NAMESPACE = 'string'
__all__ = ['stringNGrams', 'stringSplit', 'stringToHashBucketFast', 'staticRegexReplace']


def _strings(x, arg: str, op: str) -> Tensor:
    t = convert(x, arg, op, 'string')
    return t


def _str_tensor(values: list, shape) -> Tensor:
    a = np.empty(len(values), dtype=object)
    a[:] = values
    return Tensor._make(a.reshape(shape), 'string')


def _int_tensor(values, shape=None) -> Tensor:
    from ..backend import device
    t = torch.tensor(list(values), dtype=torch.int32, device=device())
    return wrap(t.reshape(shape) if shape is not None else t, 'int32')


# ---------------------------------------------------------------------------- stringNGrams

def stringNGrams(data, dataSplits, separator: str, nGramWidths: Sequence[int], leftPad: str,
                 rightPad: str, padWidth: int, preserveShortSequences: bool) -> dict:
    """N-grams of the rows of a ragged string tensor (values `data`, row splits `dataSplits`);
    returns {nGrams, nGramsSplits}.

    >>> import tfjs as tf
    >>> r = tf.string.stringNGrams(tf.tensor1d(['a', 'b', 'c', 'd'], 'string'),
    ...     tf.tensor1d([0, 4], 'int32'), '|', [1, 2], 'LP', 'RP', -1, False)
    >>> r['nGrams'].arraySync()
    ['a', 'b', 'c', 'd', 'LP|a', 'a|b', 'b|c', 'c|d', 'd|RP']
    """
    d = _strings(data, 'data', 'stringNGrams')
    if d.rank != 1:
        raise ValueError(f'Data must be a vector, saw: {d.shape}')
    s = convert(dataSplits, 'dataSplits', 'stringNGrams', 'string_or_numeric')
    if s.dtype != 'int32':
        raise ValueError('Data splits must be of datatype int32')
    vals = [str(v) for v in d._numpy().reshape(-1)]
    splits = [int(v) for v in s._numpy().reshape(-1)]
    n = len(vals)
    if splits:
        if splits[0] != 0:
            raise ValueError(f'First split value must be 0, got {splits[0]}')
        prev = splits[0]
        for v in splits[1:]:
            if not (prev <= v <= n):
                raise ValueError(f'Invalid split value {v}, must be in [{prev}, {n}]')
            prev = v
        if prev != n:
            raise ValueError(f'Last split value must be data size. Expected {n}, got {prev}')
    rows = len(splits) - 1
    if n == 0 or not splits:
        return {'nGrams': _str_tensor([''] * n, [n]), 'nGramsSplits': _int_tensor([0] * len(splits))}

    def pad_of(width):
        return min(width - 1 if padWidth < 0 else padWidth, width - 1)

    def count(length, width):
        return max(0, length + 2 * pad_of(width) - width + 1)

    def make(start, num, width, out):
        pw = pad_of(width)
        for g in range(num):
            lp = max(0, pw - g)
            rp = max(0, pw - (num - (g + 1)))
            ntok = width - (lp + rp)
            first = start + (0 if lp > 0 else g - pw)
            parts = [leftPad] * lp + vals[first:first + ntok] + [rightPad] * rp
            out.append(separator.join(parts))

    out_splits = [0]
    grams: list = []
    for i in range(rows):
        start, length = splits[i], splits[i + 1] - splits[i]
        before = len(grams)
        for w in nGramWidths:
            make(start, count(length, w), w, grams)
        if preserveShortSequences and len(grams) == before and length > 0:
            make(start, 1, length + 2 * padWidth, grams)
        out_splits.append(len(grams))
    return {'nGrams': _str_tensor(grams, [len(grams)]), 'nGramsSplits': _int_tensor(out_splits)}


# ---------------------------------------------------------------------------- stringSplit

def _split(b: bytes, delims: bytes, skip: bool) -> list:
    if not b:
        return []
    if not delims:
        return [b[i:i + 1] for i in range(len(b))]
    out, start = [], 0
    for i in range(len(b) + 1):
        if i == len(b) or b[i] in delims:
            tok = b[start:i]
            if not skip or tok:
                out.append(tok)
            start = i + 1
    return out


def stringSplit(input, delimiter, skipEmpty: bool = True) -> dict:  # noqa: A002 - TF.js name
    """Split each string of a 1-D tensor at any of the delimiter's characters; returns the
    sparse result {indices, values, shape}.

    >>> import tfjs as tf
    >>> r = tf.string.stringSplit(tf.tensor1d(['hello world', 'a b c'], 'string'), ' ')
    >>> r['values'].arraySync(), r['shape'].arraySync()
    (['hello', 'world', 'a', 'b', 'c'], [2, 3])
    """
    x = _strings(input, 'input', 'stringSplit')
    dl = _strings(delimiter, 'delimiter', 'stringSplit')
    if x.rank != 1:
        raise ValueError(f'Input should be Tensor1D but received shape {x.shape}')
    if dl.rank != 0:
        raise ValueError(f'Delimiter should be a scalar but received shape {dl.shape}')
    delims = str(dl._numpy().reshape(-1)[0]).encode('utf-8')
    idx, vals, widest = [], [], 0
    for i, s in enumerate(x._numpy().reshape(-1)):
        toks = _split(str(s).encode('utf-8'), delims, skipEmpty)
        widest = max(widest, len(toks))
        for j, tok in enumerate(toks):
            idx += [i, j]
            vals.append(tok.decode('utf-8', errors='replace'))
    return {'indices': _int_tensor(idx, [len(vals), 2]), 'values': _str_tensor(vals, [len(vals)]),
            'shape': _int_tensor([x.shape[0], widest])}


# ---------------------------------------------------------------------------- fingerprint64

_M64 = (1 << 64) - 1
_K0, _K1, _K2 = 0xc3a5c85c97cb3127, 0xb492b66fbe98f273, 0x9ae16a3b2f90404f


def _f(s: bytes, off: int, n: int) -> int:
    return int.from_bytes(s[off:off + n].ljust(n, b'\0'), 'little')


def _rot(v: int, sh: int) -> int:
    return v if sh == 0 else ((v >> sh) | (v << (64 - sh))) & _M64


def _smix(v: int) -> int:
    return v ^ (v >> 47)


def _h16(u: int, v: int, mul: int = 0x9ddfea08eb382d69) -> int:
    a = ((u ^ v) * mul) & _M64
    a ^= a >> 47
    b = ((v ^ a) * mul) & _M64
    b ^= b >> 47
    return (b * mul) & _M64


def _weak(w, x, y, z, a, b):
    a = (a + w) & _M64
    b = _rot((b + a + z) & _M64, 21)
    c = a
    a = (a + x + y) & _M64
    b = (b + _rot(a, 44)) & _M64
    return [(a + z) & _M64, (b + c) & _M64]


def _weak_s(s, off, a, b):
    return _weak(_f(s, off, 8), _f(s, off + 8, 8), _f(s, off + 16, 8), _f(s, off + 24, 8), a, b)


def _fingerprint64(s: bytes) -> int:
    """TF.js's `util.fingerPrint64` (Farmhash Fingerprint64), on 64-bit unsigned ints."""
    n = len(s)
    if n <= 16:
        if n >= 8:
            mul = (_K2 + n * 2) & _M64
            a = (_f(s, 0, 8) + _K2) & _M64
            b = _f(s, n - 8, 8)
            c = (_rot(b, 37) * mul + a) & _M64
            d = ((_rot(a, 25) + b) * mul) & _M64
            return _h16(c, d, mul)
        if n >= 4:
            mul = (_K2 + n * 2) & _M64
            return _h16(((_f(s, 0, 4) << 3) + n) & _M64, _f(s, n - 4, 4), mul)
        if n > 0:
            y = s[0] + (s[n >> 1] << 8)
            z = n + (s[n - 1] << 2)
            return (_smix(((_K2 * y) ^ (_K0 * z)) & _M64) * _K2) & _M64
        return _K2
    if n <= 32:
        mul = (_K2 + n * 2) & _M64
        a = (_f(s, 0, 8) * _K1) & _M64
        b = _f(s, 8, 8)
        c = (_f(s, n - 8, 8) * mul) & _M64
        d = (_f(s, n - 16, 8) * _K2) & _M64
        return _h16((_rot((a + b) & _M64, 43) + _rot(c, 30) + d) & _M64,
                    (a + _rot((b + _K2) & _M64, 18) + c) & _M64, mul)
    if n <= 64:
        mul = (_K2 + n * 2) & _M64
        a = (_f(s, 0, 8) * _K2) & _M64
        b = _f(s, 8, 8)
        c = (_f(s, n - 8, 8) * mul) & _M64
        d = (_f(s, n - 16, 8) * _K2) & _M64
        y = (_rot((a + b) & _M64, 43) + _rot(c, 30) + d) & _M64
        z = _h16(y, (a + _rot((b + _K2) & _M64, 18) + c) & _M64, mul)
        e = (_f(s, 16, 8) * mul) & _M64
        f = _f(s, 24, 8)
        g = ((y + _f(s, n - 32, 8)) * mul) & _M64
        h = ((z + _f(s, n - 24, 8)) * mul) & _M64
        return _h16((_rot((e + f) & _M64, 43) + _rot(g, 30) + h) & _M64,
                    (e + _rot((f + a) & _M64, 18) + g) & _M64, mul)
    seed = 81
    x = seed
    y = (seed * _K1 + 113) & _M64
    z = (_smix((y * _K2 + 113) & _M64) * _K2) & _M64
    v, w = [0, 0], [0, 0]
    x = (x * _K2 + _f(s, 0, 8)) & _M64
    off = 0
    end = ((n - 1) >> 6) * 64
    last64 = end + ((n - 1) & 63) - 63
    while True:
        x = (_rot((x + y + v[0] + _f(s, off + 8, 8)) & _M64, 37) * _K1) & _M64
        y = (_rot((y + v[1] + _f(s, off + 48, 8)) & _M64, 42) * _K1) & _M64
        x ^= w[1]
        y = (y + v[0] + _f(s, off + 40, 8)) & _M64
        z = (_rot((z + w[0]) & _M64, 33) * _K1) & _M64
        v = _weak_s(s, off, (v[1] * _K1) & _M64, (x + w[0]) & _M64)
        w = _weak_s(s, off + 32, (z + w[1]) & _M64, (y + _f(s, off + 16, 8)) & _M64)
        z, x = x, z
        off += 64
        if off == end:
            break
    mul = (_K1 + ((z & 0xff) << 1)) & _M64
    off = last64
    w[0] = (w[0] + ((n - 1) & 63)) & _M64
    v[0] = (v[0] + w[0]) & _M64
    w[0] = (w[0] + v[0]) & _M64
    x = (_rot((x + y + v[0] + _f(s, off + 8, 8)) & _M64, 37) * mul) & _M64
    y = (_rot((y + v[1] + _f(s, off + 48, 8)) & _M64, 42) * mul) & _M64
    x ^= (w[1] * 9) & _M64
    y = (y + ((v[0] * 9) & _M64) + _f(s, off + 40, 8)) & _M64
    z = (_rot((z + w[0]) & _M64, 33) * mul) & _M64
    v = _weak_s(s, off, (v[1] * mul) & _M64, (x + w[0]) & _M64)
    w = _weak_s(s, off + 32, (z + w[1]) & _M64, (y + _f(s, off + 16, 8)) & _M64)
    z, x = x, z
    return _h16((_h16(v[0], w[0], mul) + ((_smix(y) * _K0) & _M64) + z) & _M64,
                (_h16(v[1], w[1], mul) + x) & _M64, mul)


def stringToHashBucketFast(input, numBuckets: int) -> Tensor:  # noqa: A002 - TF.js name
    """Hash each string to an int32 bucket in [0, numBuckets) with Fingerprint64 (as TF.js/TF).

    >>> import tfjs as tf
    >>> tf.string.stringToHashBucketFast(tf.tensor1d(['a', 'b'], 'string'), 10).shape
    [2]
    """
    x = _strings(input, 'input', 'stringToHashBucketFast')
    if numBuckets <= 0:
        raise ValueError('Number of buckets must be at least 1')
    a = x._numpy()
    vals = [_fingerprint64(str(s).encode('utf-8')) % int(numBuckets) for s in a.reshape(-1)]
    return _int_tensor(vals, list(a.shape))


# ---------------------------------------------------------------------------- staticRegexReplace

def _js_pattern(pattern: str) -> str:
    return re.sub(r'\(\?<(?=[A-Za-z_])', '(?P<', pattern)


def _js_rewrite(rewrite: str):
    """A replacement function with JS `String.replace` template semantics ($&, $1, $<name>, $$)."""
    def repl(m: re.Match) -> str:
        out, i, n = [], 0, len(rewrite)
        while i < n:
            ch = rewrite[i]
            if ch == '$' and i + 1 < n:
                nxt = rewrite[i + 1]
                if nxt == '$':
                    out.append('$'); i += 2; continue
                if nxt == '&':
                    out.append(m.group(0)); i += 2; continue
                if nxt == '`':
                    out.append(m.string[:m.start()]); i += 2; continue
                if nxt == "'":
                    out.append(m.string[m.end():]); i += 2; continue
                if nxt.isdigit():
                    two = rewrite[i + 1:i + 3]
                    if len(two) == 2 and two.isdigit() and 1 <= int(two) <= m.re.groups:
                        out.append(m.group(int(two)) or ''); i += 3; continue
                    if 1 <= int(nxt) <= m.re.groups:
                        out.append(m.group(int(nxt)) or ''); i += 2; continue
                if nxt == '<' and m.re.groupindex:
                    close = rewrite.find('>', i)
                    if close != -1:
                        out.append(m.groupdict().get(rewrite[i + 2:close]) or ''); i = close + 1; continue
            out.append(ch)
            i += 1
        return ''.join(out)
    return repl


def staticRegexReplace(input, pattern: str, rewrite: str, replaceGlobal: bool = True) -> Tensor:  # noqa: A002
    """Replace matches of a (JavaScript-syntax) regular expression in each string; `rewrite`
    uses JS replacement syntax ($&, $1, ...); only the first match unless `replaceGlobal`.

    >>> import tfjs as tf
    >>> tf.string.staticRegexReplace(tf.tensor1d(['a.b.c'], 'string'), r'\\.', '-').arraySync()
    ['a-b-c']
    """
    x = _strings(input, 'input', 'staticRegexReplace')
    rx = re.compile(_js_pattern(pattern))
    repl = _js_rewrite(rewrite)
    count = 0 if replaceGlobal else 1
    a = x._numpy()
    out = np.empty(a.shape, dtype=object)
    flat = out.reshape(-1)
    for i, s in enumerate(a.reshape(-1)):
        flat[i] = rx.sub(repl, str(s), count=count)
    return Tensor._make(out, 'string')
