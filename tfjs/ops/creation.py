"""Tensor creation ops (TF.js doc section "Tensors / Creation").

Values are stored as TF.js's typed arrays store them (int32: truncated and wrapped; bool from
numbers: `Math.round(x) !== 0` in `tf.tensor`, the low byte in `tf.fill`). TF.js 4.22 bugs not
copied (TF.js's behaviour is pinned in tests/ops/test_ops_creation_losses_util.py):

* `tf.range(start, stop, step)` with `stop < start` and `0 < step < 1` counts *up* from start
  (TF.js tests `step > 1` where `step > 0` is meant); here that range is empty.
* `tf.tensor` of a ragged nested array (`[[1, 2], [3]]`) builds a tensor whose shape does not
  match its values (TF.js skips the check unless TENSORLIKE_CHECK_SHAPE_CONSISTENCY is set); here
  it raises.
* a rank-0 `TensorBuffer` cannot be `set` in TF.js (no coordinates is taken as `[0]`, which
  fails the rank check); here `buffer([]).set(v)` sets the value.
"""
from __future__ import annotations

import builtins
import math
from typing import Sequence

import numpy as np
import torch

from ..backend import device, to_torch_dtype
from ..errors import ValueError
from ..tensor import Tensor, convert_to_tensor, to_torch
from ._dispatch import wrap

__all__ = ['tensor', 'tensor1d', 'tensor2d', 'tensor3d', 'tensor4d', 'tensor5d', 'tensor6d',
           'scalar', 'zeros', 'ones', 'fill', 'zerosLike', 'onesLike', 'range', 'linspace', 'eye',
           'oneHot', 'clone', 'cast', 'TensorBuffer', 'buffer', 'diag', 'print']


def _check_shape(shape, where: str) -> list:
    if isinstance(shape, Tensor):
        shape = shape.arraySync()
    if isinstance(shape, str):
        raise ValueError(f'{where}: expected a shape (a list of integers) but got the string '
                         f'"{shape}"; was it meant as the dtype argument?')
    try:
        dims = [float(d) for d in shape]
    except TypeError:
        raise ValueError(f'{where}: shape must be a list of integers, got {shape!r}.') from None
    if not all(d >= 0 and d.is_integer() for d in dims):   # assertNonNegativeIntegerDimensions
        raw = ','.join(str(int(d)) if d.is_integer() else str(d) for d in dims)
        raise ValueError(f'{where}: tensor must have a shape comprised of non-negative integers but '
                         f'got shape [{raw}].')
    return [int(d) for d in dims]


def tensor(values, shape: Sequence[int] | None = None, dtype: str | None = None) -> Tensor:
    """Create a tensor from (nested) lists, numbers, NumPy arrays or tensors.

    Python numbers give float32 (as JS numbers do in TF.js); NumPy integer arrays give int32.

    >>> import tfjs as tf
    >>> tf.tensor([1, 2, 3, 4], [2, 2]).shape
    [2, 2]
    """
    if dtype is not None and dtype not in ('float32', 'int32', 'bool', 'complex64', 'string'):
        raise ValueError(f'Unknown dtype "{dtype}". Valid dtypes are float32, int32, bool, '
                         'complex64 and string.')
    if values is None:
        raise ValueError('values passed to tensor(values) must be a number/boolean/string or an '
                         'array of numbers/booleans/strings, or a TypedArray')
    if dtype == 'complex64' and not _is_complex(values):
        raise ValueError('Cannot construct a complex64 tensor directly. Please use '
                         'tf.complex(real, imag).')
    if isinstance(values, Tensor):
        values = values.arraySync() if values.dtype != 'string' else values._value()
    try:
        t, d = to_torch(values, dtype)
    except builtins.ValueError as exc:
        if isinstance(exc, ValueError):
            raise
        # TF.js (TENSORLIKE_CHECK_SHAPE_CONSISTENCY off) builds a broken tensor here
        raise ValueError(f'tf.tensor: the nested arrays of values must all have the same length at '
                         f'each depth (a regular, non-ragged array): {exc}') from None
    if shape is not None:
        shape = _check_shape(shape, 'tf.tensor')
        size = int(np.prod(shape, dtype=np.int64))
        got = int(np.prod(t.shape, dtype=np.int64))
        inferred = list(t.shape)
        if got != size:
            raise ValueError(f'Based on the provided shape, [{",".join(map(str, shape))}], the tensor '
                             f'should have {size} values but has {got}.')
        for i, dim in enumerate(inferred):
            flat_mismatch = dim != int(np.prod(shape[i:], dtype=np.int64)) \
                if i == len(inferred) - 1 else True
            if (i >= len(shape) or dim != shape[i]) and flat_mismatch:
                raise ValueError(f'Error creating a new Tensor. Inferred shape '
                                 f'({",".join(map(str, inferred))}) does not match the provided shape '
                                 f'({",".join(map(str, shape))}).')
        t = t.reshape(shape) if d != 'string' else np.asarray(t, dtype=object).reshape(shape)
    return Tensor._make(t, d)


def _is_complex(values) -> bool:
    """Complex input (a Python extension: TF.js builds complex tensors only with tf.complex)."""
    if isinstance(values, Tensor):
        return values.dtype == 'complex64'
    if isinstance(values, (np.ndarray, np.generic)):
        return np.asarray(values).dtype.kind == 'c'
    while isinstance(values, (list, tuple)) and values:
        values = values[0]
    return isinstance(values, (complex, np.complexfloating))


def _ranked(rank: int, name: str):
    def make(values, shape: Sequence[int] | None = None, dtype: str | None = None) -> Tensor:
        out = tensor(values, shape, dtype)
        if out.rank != rank:
            out.dispose()
            if shape is None and rank > 1:
                raise ValueError(f'{name}() requires values with rank {rank}; got a rank-'
                                 f'{np.ndim(values)} value. Pass nested lists of depth {rank} or '
                                 'give the shape.')
            raise ValueError(f'{name}() requires a rank-{rank} tensor; got shape {out.shape}.')
        return out
    make.__name__ = name
    nested = 1
    for _ in builtins.range(rank):
        nested = [nested]
    make.__doc__ = f"""Create a rank-{rank} tensor; as `tf.tensor` with a rank check.

    >>> import tfjs as tf
    >>> tf.{name}({nested}).rank
    {rank}
    """
    return make


def tensor1d(values, dtype: str | None = None) -> Tensor:
    """Create a rank-1 tensor (TF.js's signature: values, dtype).

    >>> import tfjs as tf
    >>> tf.tensor1d([1, 2], 'int32').dtype
    'int32'
    """
    out = tensor(values, None, dtype)
    if out.rank != 1:
        out.dispose()
        raise ValueError(f'tensor1d() requires values for a rank-1 tensor; got shape {out.shape}.')
    return out



tensor2d = _ranked(2, 'tensor2d')
tensor3d = _ranked(3, 'tensor3d')
tensor4d = _ranked(4, 'tensor4d')
tensor5d = _ranked(5, 'tensor5d')
tensor6d = _ranked(6, 'tensor6d')


def scalar(value, dtype: str | None = None) -> Tensor:
    """A rank-0 tensor.

    >>> import tfjs as tf
    >>> tf.scalar(3.5).arraySync()
    3.5
    """
    if isinstance(value, (list, tuple, np.ndarray)) and np.ndim(value) > 0:
        raise ValueError('tf.scalar() requires a single value (a number, boolean or string); use '
                         'tf.tensor() for arrays.')
    return tensor(value, [], dtype)


def _filled(shape, value, dtype: str, where: str) -> Tensor:
    shape = _check_shape(shape, where)
    if dtype == 'string':
        return Tensor._make(np.full(shape, value, dtype=object), 'string')
    if dtype == 'int32':      # an Int32Array holds ToInt32(value)
        from ..tensor import js_to_int32
        value = int(js_to_int32(np.float64(value)))
    elif dtype == 'bool' and not isinstance(value, (bool, np.bool_)):   # a Uint8Array's byte
        v = float(value)
        value = bool(np.isfinite(v) and int(np.trunc(v)) % 256 != 0)
    return wrap(torch.full(shape, value, dtype=to_torch_dtype(dtype), device=device()), dtype)


def _check_numeric_dtype(dtype: str) -> None:
    if dtype not in ('float32', 'int32', 'bool', 'complex64'):
        raise ValueError(f'Unknown data type {dtype}')


def zeros(shape: Sequence[int], dtype: str = 'float32') -> Tensor:
    """A tensor of zeros.

    >>> import tfjs as tf
    >>> tf.zeros([2]).arraySync()
    [0.0, 0.0]
    """
    _check_numeric_dtype(dtype)
    return _filled(shape, 0, dtype, 'tf.zeros')


def ones(shape: Sequence[int], dtype: str = 'float32') -> Tensor:
    """A tensor of ones."""
    _check_numeric_dtype(dtype)
    return _filled(shape, 1, dtype, 'tf.ones')


def fill(shape: Sequence[int], value, dtype: str | None = None) -> Tensor:
    """A tensor filled with `value` (dtype inferred from the value when not given), stored as
    TF.js's typed arrays store it: int32 truncates (and wraps), bool keeps the low byte of the
    truncated value (`fill([2], 0.5, 'bool')` is false)."""
    if dtype is None:
        dtype = 'string' if isinstance(value, str) else 'bool' if isinstance(value, bool) else 'float32'
    if dtype not in ('float32', 'int32', 'bool', 'string'):
        raise ValueError(f'Unknown data type {dtype}')
    return _filled(shape, value, dtype, 'tf.fill')


def zerosLike(x) -> Tensor:
    """Zeros with the shape and dtype of x."""
    x = convert_to_tensor(x, 'x', 'zerosLike')
    return zeros(x.shape, x.dtype)


def onesLike(x) -> Tensor:
    """Ones with the shape and dtype of x."""
    x = convert_to_tensor(x, 'x', 'onesLike')
    return ones(x.shape, x.dtype)


def range(start: float, stop: float | None = None, step: float = 1,  # noqa: A001 - TF.js name
          dtype: str = 'float32') -> Tensor:
    """Evenly spaced values from start toward stop (exclusive), as TF.js's Range kernel makes them.

    With the default step 1 and `stop < start` it counts down (TF.js's auto-adjusted step). Each
    value is the previous one plus `step`, stored as the typed array stores it (float32 rounding,
    int32 truncation after every add), so `range(0, 3, 0.5, 'int32')` is all zeros, as in TF.js.
    `range(n)` (a Python extension) is `range(0, n)`.

    TF.js bug not copied: with `stop < start` and `0 < step < 1` TF.js counts *up* from start
    (it tests `step > 1` where `step > 0` is meant); here that range is empty, as for any other
    positive step.

    >>> import tfjs as tf
    >>> tf.range(0, 3).arraySync(), tf.range(3, 0).arraySync()
    ([0.0, 1.0, 2.0], [3.0, 2.0, 1.0])
    """
    from ..tensor import js_to_int32
    if stop is None:
        start, stop = 0, start
    if step == 0:
        raise ValueError('Cannot have a step of zero')
    if dtype not in ('float32', 'int32'):
        raise ValueError('The dtype of tf.range must be float32 or int32.')
    if start == stop or (start < stop and step < 0) or (stop < start and step > 0 and step != 1):
        return zeros([0], dtype)
    n = abs(math.ceil((stop - start) / step))
    if stop < start and step == 1:       # count down
        step = -1
    if dtype == 'int32':
        first = int(js_to_int32(np.float64(start)))
        if float(step).is_integer():
            values = js_to_int32(first + float(step) * np.arange(n, dtype=np.float64))
        else:
            values = np.empty(n, np.int32)
            prev = first
            for i in builtins.range(n):
                values[i] = prev
                prev = int(js_to_int32(np.float64(prev + step)))
    elif float(start).is_integer() and float(step).is_integer() and \
            max(abs(start), abs(start + step * n)) <= 2 ** 24:      # exact in float32
        values = (start + float(step) * np.arange(n, dtype=np.float64)).astype(np.float32)
    else:                  # float32 storage after each double add, as TF.js
        values = np.empty(n, np.float32)
        prev = np.float32(start)
        for i in builtins.range(n):
            values[i] = prev
            prev = np.float32(float(prev) + step)
    return wrap(torch.from_numpy(np.ascontiguousarray(values)).to(device()), dtype)


def linspace(start: float, stop: float, num: int) -> Tensor:
    """`num` evenly spaced values from start to stop inclusive (TF.js's float32 arithmetic)."""
    if num <= 0:
        raise ValueError('The number of values should be positive.')
    step = (stop - start) / (num - 1) if num > 1 else 0.0   # a JS double
    values = np.empty(num, dtype=np.float32)
    prev = np.float32(start)
    values[0] = prev
    for i in builtins.range(1, num):       # float32 storage after each double add, as TF.js
        prev = np.float32(float(prev) + step)
        values[i] = prev
    return wrap(torch.from_numpy(values).to(device()), 'float32')


def eye(numRows: int, numColumns: int | None = None, batchShape: Sequence[int] | None = None,
        dtype: str = 'float32') -> Tensor:
    """An identity matrix, optionally batched (a batchShape of 1 to 3 dimensions, as TF.js)."""
    if numColumns is None:
        numColumns = numRows
    numRows, numColumns = _check_shape([numRows, numColumns], 'tf.eye')
    if dtype == 'complex64':
        raise ValueError('complex64 dtype TensorBuffers are not supported. Please create a '
                         'TensorBuffer for the real and imaginary parts separately and call '
                         'tf.complex(real, imag).')
    if batchShape is not None and not 1 <= len(batchShape) <= 3:
        raise ValueError(f'eye() currently supports only 1D and 2D batchShapes, but received '
                         f'{len(batchShape)}D.')
    t = torch.eye(numRows, numColumns, dtype=to_torch_dtype(dtype), device=device())
    if batchShape:
        t = t.expand(*batchShape, numRows, numColumns).clone()
    return wrap(t, dtype)


def oneHot(indices, depth: int, onValue: float = 1, offValue: float = 0,
           dtype: str = 'int32') -> Tensor:
    """One-hot encode int32 indices along a new last axis (out-of-range indices give all off)."""
    x = convert_to_tensor(indices, 'indices', 'oneHot', 'int32')
    if depth < 2:
        raise ValueError(f'Error in oneHot: depth must be >=2, but it is {depth}.')
    idx = x._value().long()
    valid = (idx >= 0) & (idx < depth)
    hot = torch.nn.functional.one_hot(torch.where(valid, idx, 0), depth) & valid.unsqueeze(-1).long()
    out = torch.where(hot.bool(), torch.tensor(onValue, dtype=torch.float64, device=idx.device),
                      torch.tensor(offValue, dtype=torch.float64, device=idx.device))
    return wrap(out.to(to_torch_dtype(dtype)), dtype)


def clone(x) -> Tensor:
    """A copy of x."""
    return convert_to_tensor(x, 'x', 'clone').clone()


def cast(x, dtype: str) -> Tensor:
    """Cast to another dtype (float -> int truncates toward zero, as in TF.js)."""
    from ..tensor import cast_raw
    x = convert_to_tensor(x, 'x', 'cast')
    if dtype == x.dtype:
        return x.clone()
    return wrap(cast_raw(x._value(), x.dtype, dtype), dtype)


class TensorBuffer:
    """A mutable buffer to build a tensor element by element (`tf.buffer`)."""

    def __init__(self, shape, dtype='float32', values=None):
        self.shape = _check_shape(shape, 'tf.buffer')
        self.dtype = dtype
        if dtype == 'complex64':
            raise ValueError('complex64 dtype TensorBuffers are not supported. Please create a '
                             'TensorBuffer for the real and imaginary parts separately and call '
                             'tf.complex(real, imag).')
        size = int(np.prod(self.shape, dtype=np.int64))
        np_dtype = object if dtype == 'string' else np.uint8 if dtype == 'bool' else \
            np.float32 if dtype == 'float32' else np.int32
        if values is None:
            self.values = np.zeros(size, dtype=np_dtype) if dtype != 'string' else \
                np.array([''] * size, dtype=object)
        else:
            self.values = np.asarray(values, dtype=np_dtype).reshape(-1)
            if self.values.size != size:
                raise ValueError(f'Length of values \'{self.values.size}\' does not match the size '
                                 f'inferred by the shape \'{size}\'.')
        self.size = size
        self.strides = Tensor.strides.fget(type('S', (), {'shape': self.shape})())

    def _index(self, locs) -> int:
        if len(locs) != len(self.shape):
            raise ValueError(f'The number of provided coordinates ({len(locs)}) must match the rank '
                             f'({len(self.shape)}).')
        return int(np.ravel_multi_index(tuple(int(v) for v in locs), self.shape)) if locs else 0

    def set(self, value, *locs) -> None:
        self.values[self._index(locs)] = value

    def get(self, *locs):
        v = self.values[self._index(locs)]
        return v.item() if hasattr(v, 'item') else v

    def toTensor(self) -> Tensor:
        values = self.values.astype(bool) if self.dtype == 'bool' else self.values
        return tensor(values.reshape(self.shape) if self.shape else values.reshape(()),
                      None, self.dtype)

    to_tensor = toTensor


def buffer(shape: Sequence[int], dtype: str = 'float32', values=None) -> TensorBuffer:
    """A `TensorBuffer` to fill with `set` and turn into a tensor with `toTensor`."""
    return TensorBuffer(shape, dtype, values)



def diag(x) -> Tensor:
    """A tensor with x's values on the diagonal: shape `x.shape + x.shape`.

    >>> import tfjs as tf
    >>> tf.diag(tf.tensor1d([1, 2])).arraySync()
    [[1.0, 0.0], [0.0, 2.0]]
    """
    from ._convert import convert
    x = convert(x, 'x', 'diag')
    t = x._value()
    flat = t.reshape(-1)
    out = torch.diag_embed(flat.to(torch.uint8) if t.dtype == torch.bool else flat)
    out = out.bool() if t.dtype == torch.bool else out
    return wrap(out.reshape(list(t.shape) * 2), x.dtype)


def print(x, verbose: bool = False) -> None:  # noqa: A001 - TF.js name
    """Print a tensor exactly as TF.js's `tf.print(x, verbose)` does.

    >>> import tfjs as tf
    >>> tf.print(tf.tensor1d([1, 2]))
    Tensor
        [1, 2]
    """
    x = convert_to_tensor(x, 'x', 'print')
    builtins.print(x.toString(verbose))
