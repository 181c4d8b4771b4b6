"""`tf.util`: TF.js's small helpers on shapes, arrays, dtypes and strings. Typed arrays are NumPy
arrays of the matching dtype (Float32Array -> float32, Int32Array -> int32, Uint8Array -> uint8,
Uint32Array -> uint32); JS arrays are Python lists."""
from __future__ import annotations

import builtins
from typing import Any, Callable, Sequence

import numpy as np

from .._async import Promise
from ..errors import ValueError

NAMESPACE = 'util'
__all__ = ['assert_', 'flatten', 'sizeFromShape', 'clamp', 'arraysEqual', 'isInt', 'parseAxisParam', 'squeezeShape', 'inferDtype', 'computeStrides', 'toNestedArray',
           'isTypedArray', 'isString', 'isBoolean', 'isNumber', 'isFunction', 'isPromise',
           'bytesPerElement', 'makeZerosTypedArray', 'makeOnesTypedArray', 'locToIndex',
           'indexToLoc', 'nearestDivisor', 'rightPad', 'sizeToSquarishShape',
           'inferFromImplicitShape', 'assertShapesMatch', 'assertNonNull', 'distSquared',
           'isValidDtype', 'hasEncodingLoss', 'swap', 'nearestLargerEven', 'sum']


def assert_(expr: Any, msg: str | Callable[[], str]) -> None:
    """Raise ValueError with `msg` (a string or a function returning one) when `expr` is falsy.

    Exported as `tf.util.assert` (`assert` is a Python keyword). Falsy is Python's notion, plus
    NaN (falsy in JS); note that an empty list or dict is falsy here but truthy in JS.

    >>> import tfjs as tf
    >>> tf.util.assert_(1 + 1 == 2, 'math')
    """
    if not expr or (isinstance(expr, (float, np.floating)) and expr != expr):
        raise ValueError(msg if isinstance(msg, str) else msg())


def _is_typed(a) -> bool:
    """A NumPy array standing for one of the typed arrays TF.js accepts as tensor data
    (Float32Array, Int32Array, Uint8Array: what TF.js's `isTypedArray` tests for)."""
    return isinstance(a, np.ndarray) and a.ndim == 1 and a.dtype in (np.float32, np.int32, np.uint8)


globals()['assert'] = assert_   # tf.util.assert, reachable as getattr(tf.util, 'assert')
__all__.append('assert')


def isTypedArray(a) -> bool:
    """True for a 1-D float32, int32 or uint8 NumPy array: the counterparts of the typed arrays
    TF.js's `isTypedArray` accepts (Float32Array, Int32Array, Uint8Array, Uint8ClampedArray);
    like TF.js, other typed arrays (float64, uint32, int16 ...) are not.

    >>> import numpy as np, tfjs as tf
    >>> tf.util.isTypedArray(np.zeros(3, np.float32)), tf.util.isTypedArray([1])
    (True, False)
    """
    return _is_typed(a)


def isString(value) -> bool:
    """TF.js's `util.isString`.

    >>> import tfjs as tf; tf.util.isString('a')
    True
    """
    return isinstance(value, str)


def isBoolean(value) -> bool:
    """TF.js's `util.isBoolean`.

    >>> import tfjs as tf; tf.util.isBoolean(False)
    True
    """
    return isinstance(value, (bool, np.bool_))


def isNumber(value) -> bool:
    """TF.js's `util.isNumber`.

    >>> import tfjs as tf; tf.util.isNumber(3), tf.util.isNumber(True)
    (True, False)
    """
    return isinstance(value, (int, float, np.integer, np.floating)) and not isBoolean(value)


def isFunction(f) -> bool:
    """TF.js's `util.isFunction`.

    >>> import tfjs as tf; tf.util.isFunction(len)
    True
    """
    return callable(f)


def isPromise(obj) -> bool:
    """True for a Promise or any object with a callable `then` (or an awaitable).

    >>> import tfjs as tf; tf.util.isPromise(3)
    False
    """
    return isinstance(obj, Promise) or callable(getattr(obj, 'then', None)) or \
        hasattr(obj, '__await__')


def flatten(arr, result: list | None = None, skipTypedArray: bool = False) -> list:
    """Flatten nested lists (and typed arrays unless `skipTypedArray`) into one list.

    >>> import tfjs as tf
    >>> tf.util.flatten([[1, 2], [3, [4]]])
    [1, 2, 3, 4]
    """
    if result is None:
        result = []
    if isinstance(arr, (bool, int, float, str, np.generic)) or arr is None or isPromise(arr) \
            or (_is_typed(arr) and skipTypedArray):
        result.append(arr)
    elif isinstance(arr, (list, tuple, np.ndarray)):
        for v in arr:
            flatten(v, result, skipTypedArray)
    elif isinstance(arr, dict):
        keys = [int(k) for k in arr if str(k).isdigit()]
        for i in range(max(keys, default=-1) + 1):
            flatten(arr.get(i, arr.get(str(i))), result, skipTypedArray)
    return result


def sizeFromShape(shape: Sequence[int]) -> int:
    """The number of elements of a shape (1 for a scalar).

    >>> import tfjs as tf; tf.util.sizeFromShape([2, 3])
    6
    """
    size = 1
    for d in shape:
        size *= d
    return size


def sum(arr: Sequence[float]) -> float:  # noqa: A001 - TF.js name
    """TF.js's `util.sum`.

    >>> import tfjs as tf; tf.util.sum([1, 2, 3])
    6
    """
    total = 0
    for v in arr:
        total += v
    return total


def swap(obj, left: int, right: int) -> None:
    """Swap two items of a list or array in place.

    >>> import tfjs as tf; a = [1, 2]; tf.util.swap(a, 0, 1); a
    [2, 1]
    """
    obj[left], obj[right] = obj[right], obj[left]


def clamp(min: float, x: float, max: float) -> float:  # noqa: A002 - TF.js names
    """TF.js's `util.clamp`.

    >>> import tfjs as tf; tf.util.clamp(0, 5, 3)
    3
    """
    return builtins.max(min, builtins.min(x, max))


def arraysEqual(n1, n2) -> bool:
    """Element-wise equality of two flat arrays (same length, `===` on each item).

    >>> import tfjs as tf; tf.util.arraysEqual([1, 2], [1, 2])
    True
    """
    if n1 is n2:
        return True
    if n1 is None or n2 is None or len(n1) != len(n2):
        return False
    return all(a == b and not (isinstance(a, float) and a != a) for a, b in zip(n1, n2))


def isInt(a) -> bool:
    """TF.js's `util.isInt`.

    >>> import tfjs as tf; tf.util.isInt(3.0), tf.util.isInt(2.5)
    (True, False)
    """
    try:
        return float(a) % 1 == 0
    except (TypeError, OverflowError):
        return False


def parseAxisParam(axis, shape: Sequence[int]) -> list:
    """Normalise an axis (int, list or None = all) to a list of non-negative ints.

    >>> import tfjs as tf; tf.util.parseAxisParam(-1, [2, 3])
    [1]
    """
    rank = len(shape)
    axes = list(range(rank)) if axis is None else list(axis) if isinstance(axis, (list, tuple)) \
        else [axis]
    if not all(-rank <= a < rank for a in axes):
        raise ValueError(f'All values in axis param must be in range [-{rank}, {rank}) but got '
                         f'axis {",".join(map(str, axes))}')
    if not all(isInt(a) for a in axes):
        raise ValueError(f'All values in axis param must be integers but got axis '
                         f'{",".join(map(str, axes))}')
    return [int(a) + rank if a < 0 else int(a) for a in axes]


def squeezeShape(shape: Sequence[int], axis=None) -> dict:
    """The shape without its size-1 dims (all, or those in `axis`): {'newShape', 'keptDims'}.

    >>> import tfjs as tf; tf.util.squeezeShape([1, 3, 1])
    {'newShape': [3], 'keptDims': [1]}
    """
    axes = None if axis is None or (isinstance(axis, (list, tuple)) and not axis) else \
        sorted(parseAxisParam(axis, shape))
    new_shape, kept, j = [], [], 0
    for i, d in enumerate(shape):
        if axes is not None:
            cur = axes[j] if j < len(axes) else None
            if cur == i and d != 1:
                raise ValueError(f"Can't squeeze axis {i} since its dim '{d}' is not 1")
            if (cur is None or cur > i) and d == 1:
                new_shape.append(d)
                kept.append(i)
            if cur is not None and cur <= i:
                j += 1
        if d != 1:
            new_shape.append(d)
            kept.append(i)
    return {'newShape': new_shape, 'keptDims': kept}


def inferDtype(values) -> str:
    """The TF.js dtype of a value: float32 for numbers, int32 for int arrays, bool, string.

    >>> import tfjs as tf; tf.util.inferDtype([[True]])
    'bool'
    """
    if isinstance(values, (list, tuple)):
        return inferDtype(values[0]) if values else 'float32'
    if isinstance(values, np.ndarray):
        return 'float32' if values.dtype.kind == 'f' else 'int32' if values.dtype.kind in 'iu' \
            else 'bool' if values.dtype.kind == 'b' else 'string' if values.dtype.kind in 'OUS' \
            else 'float32'
    if isNumber(values):
        return 'float32'
    if isString(values):
        return 'string'
    if isBoolean(values):
        return 'bool'
    return 'float32'


def computeStrides(shape: Sequence[int]) -> list:
    """Row-major strides of all but the last dimension (empty for rank < 2).

    >>> import tfjs as tf; tf.util.computeStrides([2, 3, 4])
    [12, 4]
    """
    rank = len(shape)
    if rank < 2:
        return []
    strides = [0] * (rank - 1)
    strides[-1] = shape[-1]
    for i in range(rank - 3, -1, -1):
        strides[i] = strides[i + 1] * shape[i + 1]
    return strides


def toNestedArray(shape: Sequence[int], a, isComplex: bool = False):
    """Nest a flat array into lists of `shape` (pairs per element when `isComplex`).

    >>> import tfjs as tf; tf.util.toNestedArray([2, 2], [1, 2, 3, 4])
    [[1, 2], [3, 4]]
    """
    a = a.tolist() if isinstance(a, np.ndarray) else list(a)
    if not shape:
        return a[0]
    size = sizeFromShape(shape) * (2 if isComplex else 1)
    if size == 0:
        return []
    if size != len(a):
        raise ValueError(f'[{",".join(map(str, shape))}] does not match the input size {len(a)}'
                         f'{" for a complex tensor" if isComplex else ""}.')

    def nest(offset, shp):
        if len(shp) == 1:
            return a[offset:offset + shp[0] * (2 if isComplex else 1)]
        step = sizeFromShape(shp[1:]) * (2 if isComplex else 1)
        return [nest(offset + i * step, shp[1:]) for i in range(shp[0])]
    return nest(0, list(shape))


def isValidDtype(dtype) -> bool:
    """TF.js's `util.isValidDtype`.

    >>> import tfjs as tf; tf.util.isValidDtype('int32')
    True
    """
    return dtype in ('bool', 'complex64', 'float32', 'int32', 'string')


def hasEncodingLoss(oldType: str, newType: str) -> bool:
    """Whether casting from oldType to newType can lose information.

    >>> import tfjs as tf; tf.util.hasEncodingLoss('float32', 'int32')
    True
    """
    if newType == 'complex64':
        return False
    if newType == 'float32' and oldType != 'complex64':
        return False
    if newType == 'int32' and oldType not in ('float32', 'complex64'):
        return False
    if newType == 'bool' and oldType == 'bool':
        return False
    return True


def bytesPerElement(dtype: str) -> int:
    """TF.js's `util.bytesPerElement`.

    >>> import tfjs as tf; tf.util.bytesPerElement('complex64')
    8
    """
    sizes = {'float32': 4, 'int32': 4, 'complex64': 8, 'bool': 1}
    if dtype not in sizes:
        raise ValueError(f'Unknown dtype {dtype}')
    return sizes[dtype]


def makeZerosTypedArray(size: int, dtype: str = 'float32') -> np.ndarray:
    """A zero-filled typed array for a dtype (complex64 -> float32, bool -> uint8).

    >>> import tfjs as tf; tf.util.makeZerosTypedArray(2, 'int32').dtype
    dtype('int32')
    """
    types = {None: np.float32, 'float32': np.float32, 'complex64': np.float32, 'int32': np.int32,
             'bool': np.uint8}
    if dtype not in types:
        raise ValueError(f'Unknown data type {dtype}')
    return np.zeros(int(size), dtype=types[dtype])


def makeOnesTypedArray(size: int, dtype: str = 'float32') -> np.ndarray:
    """TF.js's `util.makeOnesTypedArray`.

    >>> import tfjs as tf; tf.util.makeOnesTypedArray(2, 'bool').tolist()
    [1, 1]
    """
    out = makeZerosTypedArray(size, dtype)
    out[:] = 1
    return out


def locToIndex(locs: Sequence[int], rank: int, strides: Sequence[int]) -> int:
    """The flat index of a location.

    >>> import tfjs as tf; tf.util.locToIndex([1, 2], 2, [3])
    5
    """
    if rank == 0:
        return 0
    if rank == 1:
        return locs[0]
    index = locs[-1]
    for i in range(len(locs) - 1):
        index += strides[i] * locs[i]
    return index


def indexToLoc(index: int, rank: int, strides: Sequence[int]) -> list:
    """The location of a flat index.

    >>> import tfjs as tf; tf.util.indexToLoc(5, 2, [3])
    [1, 2]
    """
    if rank == 0:
        return []
    if rank == 1:
        return [index]
    locs = [0] * rank
    for i in range(rank - 1):
        locs[i] = index // strides[i]
        index -= locs[i] * strides[i]
    locs[-1] = index
    return locs


def nearestDivisor(size: int, start: int) -> int:
    """The smallest divisor of `size` that is >= start (size itself if none below it).

    >>> import tfjs as tf; tf.util.nearestDivisor(10, 3)
    5
    """
    for i in range(start, size):
        if size % i == 0:
            return i
    return size


def rightPad(a: str, size: int) -> str:
    """TF.js's `util.rightPad`.

    >>> import tfjs as tf; tf.util.rightPad('ab', 4) + '|'
    'ab  |'
    """
    return a if size <= len(a) else a + ' ' * (size - len(a))


def sizeToSquarishShape(size: int) -> list:
    """TF.js's `util.sizeToSquarishShape`.

    >>> import tfjs as tf; tf.util.sizeToSquarishShape(10)
    [4, 3]
    """
    width = int(np.ceil(np.sqrt(size)))
    return [width, int(np.ceil(size / width))]


def inferFromImplicitShape(shape: Sequence[int], size: int) -> list:
    """Fill in the -1 of a shape from the total size.

    >>> import tfjs as tf; tf.util.inferFromImplicitShape([2, -1], 6)
    [2, 3]
    """
    prod, implicit = 1, -1
    for i, d in enumerate(shape):
        if d >= 0:
            prod *= d
        elif d == -1:
            if implicit != -1:
                raise ValueError(f'Shapes can only have 1 implicit size. Found -1 at dim '
                                 f'{implicit} and dim {i}')
            implicit = i
        else:
            raise ValueError(f'Shapes can not be < 0. Found {d} at dim {i}')
    if implicit == -1:
        if size > 0 and size != prod:
            raise ValueError(f'Size({size}) must match the product of shape '
                             f'{",".join(map(str, shape))}')
        return list(shape)
    if prod == 0:
        raise ValueError(f'Cannot infer the missing size in [{",".join(map(str, shape))}] when '
                         'there are 0 elements')
    if size % prod:
        raise ValueError(f"The implicit shape can't be a fractional number. Got {size} / {prod}")
    out = list(shape)
    out[implicit] = size // prod
    return out


def assertShapesMatch(shapeA: Sequence[int], shapeB: Sequence[int],
                      errorMessagePrefix: str = '') -> None:
    """Raise ValueError unless the two shapes are equal.

    >>> import tfjs as tf; tf.util.assertShapesMatch([2, 3], [2, 3])
    """
    assert_(arraysEqual(list(shapeA), list(shapeB)),
            lambda: f'{errorMessagePrefix} Shapes {",".join(map(str, shapeA))} and '
                    f'{",".join(map(str, shapeB))} must match')


def assertNonNull(a) -> None:
    """TF.js's `util.assertNonNull`.

    >>> import tfjs as tf; tf.util.assertNonNull(0)
    """
    assert_(a is not None, 'The input to the tensor constructor must be a non-null value.')


def distSquared(a: Sequence[float], b: Sequence[float]) -> float:
    """TF.js's `util.distSquared`.

    >>> import tfjs as tf; tf.util.distSquared([0, 0], [3, 4])
    25.0
    """
    total = 0.0
    for x, y in zip(a, b):
        diff = float(x) - float(y)
        total += diff * diff
    return total


def nearestLargerEven(val: int) -> int:
    """TF.js's `util.nearestLargerEven`.

    >>> import tfjs as tf; tf.util.nearestLargerEven(3)
    4
    """
    return val if val % 2 == 0 else val + 1
