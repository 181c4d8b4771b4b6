"""`tf.util` (continued): the typed-array, dtype, hashing and retry helpers of TF.js 4.22's
util_base.ts, util.ts and hash_util.ts.

Typed arrays are NumPy arrays, as in the rest of `tf.util`: Float32Array -> float32, Int32Array ->
int32, Uint8Array -> uint8; a JS Array is a Python list (a string dtype's `new Array(n)` is a list
of n `None`s). Values are converted as JS does: ToNumber (strings parsed, `None` (null) is 0, a bool
is 0/1), then float32 rounding, ToInt32 (truncation, NaN -> 0, modulo 2**32) or ToUint8. A TF.js
`Long` (the unsigned 64-bit results of `fingerPrint64` and `hexToLong`) is a Python int in
[0, 2**64): `Long.toString()` is `str(n)`, `Long.modulo(k)` is `n % k`.
"""
from __future__ import annotations

import asyncio
import builtins
import math
import random as _random
import re
from typing import Any, Callable, Sequence

import numpy as np

from .._async import promising
from .._format import _js_len, js_number_to_string
from ..errors import RuntimeError, ValueError
from .string_ops import _fingerprint64
from .util import assert_, flatten, toNestedArray
from .util_io import encodeString

NAMESPACE = 'util'
__all__ = ['arraysEqualWithNull', 'assertNonNegativeIntegerDimensions', 'bytesFromStringArray',
           'checkConversionForErrors', 'convertBackendValuesAndArrayBuffer', 'createScalarValue',
           'fingerPrint64', 'getArrayFromDType', 'getTypedArrayFromDType', 'hexToLong',
           'isScalarShape', 'makeZerosNestedTypedArray', 'randUniform', 'repeatedTry', 'tanh',
           'toTypedArray']

_NUMBER = (int, float, np.integer, np.floating)
_BYTES = (bytes, bytearray, memoryview)


# ---------------------------------------------------------------------------- JS conversions

_JS_WS = '\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009' \
         '\u200a\u2028\u2029\u202f\u205f\u3000\ufeff'
_DECIMAL = re.compile(r'[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\Z')
_RADIX = re.compile(r'0([xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)\Z')


def _is_number(v) -> bool:
    return isinstance(v, _NUMBER) and not isinstance(v, (bool, np.bool_))


def _to_number(v) -> float:
    """JS ToNumber for the values a Python caller can pass."""
    if v is None:
        return 0.0
    if isinstance(v, (bool, np.bool_)):
        return 1.0 if v else 0.0
    if _is_number(v):
        return float(v)
    if isinstance(v, str):
        s = v.strip(_JS_WS)
        if s == '':
            return 0.0
        if s in ('Infinity', '+Infinity', '-Infinity'):
            return -math.inf if s[0] == '-' else math.inf
        if _DECIMAL.match(s):
            return float(s)
        m = _RADIX.match(s)
        if m:
            return float(int(m.group(1)[1:], {'x': 16, 'o': 8, 'b': 2}[m.group(1)[0].lower()]))
        return math.nan
    if isinstance(v, (list, tuple, np.ndarray)):      # ToPrimitive: Array.prototype.join
        return _to_number(_js_string(list(v)))
    return math.nan


def _js_string(v) -> str:
    """JS String(v) for numbers, booleans, null, strings and arrays."""
    if v is None:
        return 'null'
    if isinstance(v, (bool, np.bool_)):
        return 'true' if v else 'false'
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return js_number_to_string(v)
    if isinstance(v, (list, tuple, np.ndarray)):
        return ','.join('' if x is None else _js_string(x) for x in list(v))
    return str(v)


def _to_int32(x: float) -> int:
    if not math.isfinite(x):
        return 0
    n = int(x) % 4294967296
    return n - 4294967296 if n >= 2147483648 else n


def _to_index(x) -> int:
    """JS ToIndex, the length rule of `new Float32Array(length)`."""
    n = _to_number(x)
    if math.isnan(n):
        return 0
    if math.isinf(n) or int(n) < 0 or int(n) > 2 ** 53 - 1:
        raise ValueError(f'Invalid typed array length: {_js_string(n)}')
    return int(n)


def _typed(values: list, dtype: str) -> np.ndarray:
    """A JS typed array built from a list of JS values (`new Float32Array(array)` ...)."""
    nums = [_to_number(v) for v in values]
    if dtype == 'int32':
        return np.array([_to_int32(v) for v in nums], np.int32)
    return np.array(nums, np.float64).astype(np.float32)


def _strict_eq(a, b) -> bool:
    """JS `a === b`."""
    if _is_number(a) and _is_number(b):
        return float(a) == float(b) if isinstance(a, (float, np.floating)) or \
            isinstance(b, (float, np.floating)) else int(a) == int(b)
    if isinstance(a, (bool, np.bool_)) and isinstance(b, (bool, np.bool_)):
        return bool(a) == bool(b)
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    return a is b


# ---------------------------------------------------------------------------- shapes and arrays

def isScalarShape(shape: Sequence[int]) -> bool:
    """True for the shape of a scalar, `[]`.

    >>> import tfjs as tf; tf.util.isScalarShape([]), tf.util.isScalarShape([1])
    (True, False)
    """
    return len(shape) == 0


def arraysEqualWithNull(n1, n2) -> bool:
    """Like `arraysEqual`, but a `None` (null) entry in either array matches anything.

    >>> import tfjs as tf; tf.util.arraysEqualWithNull([None, 3], [2, 3])
    True
    """
    if n1 is n2:
        return True
    if n1 is None or n2 is None:
        return False
    if len(n1) != len(n2):
        return False
    for a, b in zip(n1, n2):
        if a is not None and b is not None and not _strict_eq(a, b):
            return False
    return True


def assertNonNegativeIntegerDimensions(shape: Sequence[int]) -> None:
    """Raise ValueError unless every dimension is a non-negative integer.

    >>> import tfjs as tf; tf.util.assertNonNegativeIntegerDimensions([2, 0, 3])
    """
    for d in shape:
        assert_(_is_number(d) and math.isfinite(float(d)) and float(d).is_integer() and d >= 0,
                lambda: f'Tensor must have a shape comprised of positive integers but got shape '
                        f'[{_js_string(list(shape))}].')


def bytesFromStringArray(arr) -> int:
    """The total length of a list of encoded strings (uint8 arrays or bytes); 0 for None.

    >>> import tfjs as tf; tf.util.bytesFromStringArray([tf.util.encodeString('hé'), b'ab'])
    5
    """
    if arr is None:
        return 0
    total = 0
    for x in arr:
        if x is None:
            raise ValueError("bytesFromStringArray: Cannot read properties of null (reading "
                             "'length')")
        total += _js_len(x) if isinstance(x, str) else len(x)
    return total


def checkConversionForErrors(vals, dtype: str) -> None:
    """Raise ValueError when a value is NaN or infinite (after JS's ToNumber).

    >>> import tfjs as tf; tf.util.checkConversionForErrors([1, 2.5], 'float32')
    """
    for v in (vals.reshape(-1) if isinstance(vals, np.ndarray) else vals):
        if not math.isfinite(_to_number(v)):
            raise ValueError(f'A tensor of type {dtype} being uploaded contains {_js_string(v)}.')


def getArrayFromDType(dtype: str, size: int):
    """A zero-filled typed array of `size` for a dtype (float32 by default; bool -> uint8), or
    for 'string' a list of `size` Nones (JS's `new Array(size)`).

    >>> import tfjs as tf; tf.util.getArrayFromDType('int32', 3).tolist()
    [0, 0, 0]
    """
    if dtype is None or dtype == 'float32':
        return np.zeros(_to_index(size), np.float32)
    if dtype == 'int32':
        return np.zeros(_to_index(size), np.int32)
    if dtype == 'bool':
        return np.zeros(_to_index(size), np.uint8)
    if dtype == 'string':
        n = _to_number(size)
        if not (n >= 0 and n.is_integer() and n < 2 ** 32):
            raise ValueError('Invalid array length')
        return [None] * int(n)
    raise ValueError(f'Unknown data type {dtype}')


def getTypedArrayFromDType(dtype: str, size: int) -> np.ndarray:
    """`getArrayFromDType` for the numeric dtypes.

    >>> import tfjs as tf; tf.util.getTypedArrayFromDType('bool', 2).dtype
    dtype('uint8')
    """
    return getArrayFromDType(dtype, size)


def makeZerosNestedTypedArray(shape: Sequence[int], dtype: str = 'float32'):
    """Nested lists of zeros of `shape` (a bare 0 for `[]`); float32, int32 or bool.

    >>> import tfjs as tf; tf.util.makeZerosNestedTypedArray([2, 2], 'int32')
    [[0, 0], [0, 0]]
    """
    size = 1
    for d in shape:
        size *= d
    if dtype is None or dtype == 'float32':
        return toNestedArray(list(shape), np.zeros(_to_index(size), np.float32))
    if dtype == 'int32':
        return toNestedArray(list(shape), np.zeros(_to_index(size), np.int32))
    if dtype == 'bool':
        return toNestedArray(list(shape), np.zeros(_to_index(size), np.uint8))
    raise ValueError(f'Unknown data type {dtype}')


def _bool_array(nums) -> np.ndarray:
    a = np.asarray(nums, np.float64)
    return ((a >= 0.5) | (a < -0.5) | np.isnan(a)).astype(np.uint8)   # Math.round(v) !== 0


def toTypedArray(a, dtype: str) -> np.ndarray:
    """The values of a (nested) list or array as a typed array of `dtype`: float32 (and
    complex64) -> float32, int32 -> int32 (truncated), bool -> uint8 (1 where round(v) != 0). An
    array already of the right kind is returned as is. As in JS, a bare number n gives n zeros
    (`new Float32Array(n)`), and none for bool.

    >>> import tfjs as tf; tf.util.toTypedArray([[1.7, -2.2], [0.4, 3]], 'int32').tolist()
    [1, -2, 0, 3]
    """
    if dtype == 'string':
        raise ValueError('Cannot convert a string[] to a TypedArray')
    if isinstance(a, np.ndarray) and a.ndim == 1:
        if (a.dtype == np.float32 and dtype == 'float32') or \
                (a.dtype == np.int32 and dtype == 'int32') or (a.dtype == np.uint8 and dtype == 'bool'):
            return a
    if isinstance(a, (list, tuple)) or (isinstance(a, np.ndarray) and a.ndim != 1):
        a = flatten(a.tolist() if isinstance(a, np.ndarray) else a)
    if dtype is None or dtype in ('float32', 'complex64', 'int32'):
        kind = 'int32' if dtype == 'int32' else 'float32'
        if isinstance(a, np.ndarray):
            if a.dtype.kind in 'iufb':
                v = a.astype(np.float64)
                if kind == 'float32':
                    return v.astype(np.float32)
                v = np.where(np.isfinite(v), np.trunc(v), 0)
                return np.mod(v, 4294967296.0).astype(np.int64).astype(np.uint32).astype(np.int32)
            return _typed(a.tolist(), kind)
        if isinstance(a, list):
            return _typed(a, kind)
        return np.zeros(_to_index(a), np.float32 if kind == 'float32' else np.int32)
    if dtype == 'bool':
        if isinstance(a, (list, np.ndarray)):
            return _bool_array([_to_number(v) for v in (a.tolist() if isinstance(a, np.ndarray) else a)])
        chars = list(a) if isinstance(a, str) else []     # `a.length` of a string; none of a number
        return _bool_array([_to_number(c) for c in chars])
    raise ValueError(f'Unknown data type {dtype}')


def createScalarValue(value, dtype: str):
    """The backend storage of one value: its UTF-8 bytes for 'string', else a one-element typed
    array of `dtype`.

    >>> import tfjs as tf; tf.util.createScalarValue(2.5, 'int32').tolist()
    [2]
    """
    if dtype == 'string':
        return encodeString(value if isinstance(value, str) else _js_string(value))
    return toTypedArray([value], dtype)


def convertBackendValuesAndArrayBuffer(data, dtype: str):
    """Backend values (a list is returned as is) or an ArrayBuffer (bytes, viewed in place) as a
    typed array of `dtype` (bool and string: bytes read as int32, each kept modulo 256).

    >>> import numpy as np, tfjs as tf
    >>> tf.util.convertBackendValuesAndArrayBuffer(np.float32([1.5]).tobytes(), 'float32').tolist()
    [1.5]
    """
    if isinstance(data, list):
        return data

    def view(np_dtype, name):
        if isinstance(data, _BYTES):
            if len(data) % 4:
                raise ValueError(f'byte length of {name} should be a multiple of 4')
            return np.frombuffer(data, np_dtype)
        if isinstance(data, np.ndarray):
            return toTypedArray(data.reshape(-1), 'float32' if np_dtype == np.float32 else 'int32')
        return np.zeros(_to_index(data), np_dtype)
    if dtype == 'float32':
        if isinstance(data, np.ndarray) and data.dtype == np.float32 and data.ndim == 1:
            return data
        return view(np.float32, 'Float32Array')
    if dtype == 'int32':
        if isinstance(data, np.ndarray) and data.dtype == np.int32 and data.ndim == 1:
            return data
        return view(np.int32, 'Int32Array')
    if dtype in ('bool', 'string'):
        return view(np.int32, 'Int32Array').astype(np.uint8)
    raise ValueError(f'Unknown dtype {dtype}')


# ---------------------------------------------------------------------------- numbers

def randUniform(a: float, b: float) -> float:
    """A pseudorandom number in [a, b) (`b * r + (1 - r) * a`, r uniform in [0, 1)).

    >>> import tfjs as tf; 2 <= tf.util.randUniform(2, 3) < 3
    True
    """
    r = _random.random()
    return b * r + (1 - r) * a


def tanh(x: float) -> float:
    """JS `Math.tanh(x)`.

    >>> import tfjs as tf; tf.util.tanh(0)
    0.0
    """
    return math.tanh(_to_number(x))


# ---------------------------------------------------------------------------- hashing

def _as_bytes(s) -> bytes:
    if isinstance(s, str):
        return s.encode('utf-8')
    if isinstance(s, _BYTES):
        return bytes(s)
    return bytes(np.asarray(s).astype(np.int64).reshape(-1).astype(np.uint8))


def fingerPrint64(s, len: int | None = None) -> int:  # noqa: A002 - TF.js name
    """Farmhash Fingerprint64 of the first `len` bytes of `s` (a uint8 array, bytes, a list of
    byte values, or a str hashed as its UTF-8 bytes), as TF.js computes it for
    `tf.string.stringToHashBucketFast`. TF.js returns an unsigned `Long`; this returns the same
    number as a Python int in [0, 2**64). Bytes past the end of `s` read as 0, as in TF.js.

    >>> import tfjs as tf; tf.util.fingerPrint64(tf.util.encodeString('hello'))
    13009744463427800296
    """
    data = _as_bytes(s)
    n = builtins.len(data) if len is None else int(len)
    if n < 0:
        n = 0
    return _fingerprint64(data[:n].ljust(n, b'\0'))



def _parse_int_prefix(s: str) -> float:
    """JS `parseInt(s, 16)`."""
    s = s.lstrip(_JS_WS)
    sign = 1
    if s[:1] in ('+', '-'):
        sign = -1 if s[0] == '-' else 1
        s = s[1:]
    if s[:2] in ('0x', '0X'):
        s = s[2:]
    m = re.match(r'[0-9a-fA-F]*', s)
    digits = m.group(0)
    return math.nan if not digits else sign * int(digits, 16)


def hexToLong(hex: str) -> int:  # noqa: A002 - TF.js name
    """The unsigned 64-bit value of a hex string (TF.js: `Long.fromString(hex, true, 16)`, with
    its chunked parseInt, wrap-around and leading-minus negation), as a Python int.

    >>> import tfjs as tf; tf.util.hexToLong('c3a5c85c97cb3127') == 0xc3a5c85c97cb3127
    True
    """
    hex = str(hex)
    if len(hex) == 0:
        raise ValueError('empty string')
    if hex in ('NaN', 'Infinity', '+Infinity', '-Infinity'):
        return 0
    p = hex.find('-')
    if p > 0:
        raise ValueError('interior hyphen')
    if p == 0:
        return (-hexToLong(hex[1:])) % (1 << 64)
    result = 0
    for i in range(0, len(hex), 8):
        chunk = hex[i:i + 8]
        value = _parse_int_prefix(chunk)
        value = 0 if math.isnan(value) else int(value)
        result = (result * 16 ** len(chunk) + value) % (1 << 64)
    return result


# ---------------------------------------------------------------------------- repeatedTry

def _repeated_try_job(checkFn, delayFn, maxCounter, scheduleFn):
    tries = 0
    while True:
        if checkFn():
            return None
        tries += 1
        backoff = delayFn(tries) if delayFn is not None else 0
        if maxCounter is not None and tries >= maxCounter:
            raise RuntimeError(f'repeatedTry: checkFn did not return true in {tries} tries '
                               '(TF.js rejects the Promise with no reason)')
        yield _wait(backoff, scheduleFn)


async def _wait(backoff, scheduleFn) -> None:
    if scheduleFn is None:
        await asyncio.sleep(max(float(backoff or 0), 0.0) / 1000.0)
        return
    loop = asyncio.get_running_loop()
    future = loop.create_future()

    def try_again(*_):
        def settle():
            if not future.done():
                future.set_result(None)
        loop.call_soon_threadsafe(settle)
    scheduleFn(try_again, backoff)
    await future


def repeatedTry(checkFn: Callable[[], bool], delayFn: Callable[[int], float] | None = None,
                maxCounter: int | None = None,
                scheduleFn: Callable[[Callable, float], Any] | None = None):
    """Call `checkFn` until it returns true, waiting `delayFn(tryCount)` ms between tries (or
    letting `scheduleFn(retry, delay)` schedule the retry); fails with RuntimeError after
    `maxCounter` tries. A Promise in TF.js: here the result (None) in synchronous code, an
    awaitable inside a running event loop.

    >>> import tfjs as tf; calls = []
    >>> tf.util.repeatedTry(lambda: calls.append(1) or len(calls) == 3), len(calls)
    (None, 3)
    """
    return promising(_repeated_try_job)(checkFn, delayFn, maxCounter, scheduleFn)
