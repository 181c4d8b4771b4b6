"""`Tensor` and `Variable`: TF.js tensors backed by `torch.Tensor`.

A Tensor holds a torch tensor (`_t`) and its TF.js dtype (`float32`, `int32`, `bool`,
`complex64`, or `string`, which is held as a NumPy object array). Op methods
(`t.add(u)`, `t.matMul(u)`...) are attached by `tfjs.ops`; NumPy sees tensors through
`__array__`, so `np.asarray(t)` works.

>>> import tfjs as tf
>>> t = tf.tensor2d([[1, 2], [3, 4]])
>>> t.shape, t.dtype
([2, 2], 'float32')
>>> t.arraySync()
[[1.0, 2.0], [3.0, 4.0]]
"""
from __future__ import annotations

import builtins
import itertools
from typing import Any, Sequence

import numpy as np
import torch

from ._async import resolved
from ._naming import SnakeCaseAliases
from .backend import ENGINE, device, from_torch_dtype, to_torch_dtype
from .errors import DisposedError, ValueError

DTYPES = ('float32', 'int32', 'bool', 'complex64', 'string')
_ITEMSIZE = {'float32': 4, 'int32': 4, 'bool': 1, 'complex64': 8, 'string': 0}
_NUMPY = {'float32': np.float32, 'int32': np.int32, 'bool': np.bool_, 'complex64': np.complex64,
          'string': object}
_UPCAST = {
    'bool': {'bool': 'bool', 'int32': 'int32', 'float32': 'float32', 'complex64': 'complex64'},
    'int32': {'bool': 'int32', 'int32': 'int32', 'float32': 'float32', 'complex64': 'complex64'},
    'float32': {'bool': 'float32', 'int32': 'float32', 'float32': 'float32', 'complex64': 'complex64'},
    'complex64': {'bool': 'complex64', 'int32': 'complex64', 'float32': 'complex64',
                  'complex64': 'complex64'},
}
_ids = itertools.count()
_next_id = next
_new = object.__new__
_register = ENGINE.register
_unregister = ENGINE.unregister


def upcast_type(a: str, b: str) -> str:
    """TF.js's `upcastType`: the dtype that two dtypes combine to."""
    if a == 'string' or b == 'string':
        if a == b:
            return 'string'
        raise ValueError(f'Can not upcast {a} with {b}.')
    return _UPCAST[a][b]


class Tensor(SnakeCaseAliases):
    """An immutable multi-dimensional array, as `tf.Tensor` in TF.js."""

    __slots__ = ('_t', 'dtype', 'id', '_kept', '_nbytes', 'kerasMask', '__weakref__')
    __array_priority__ = 1000   # NumPy defers binary operators to Tensor
    _is_variable = False

    def __init__(self, *args, **kwargs):
        raise TypeError('Create tensors with tf.tensor(values, shape, dtype) (or tf.tensor2d, '
                        'tf.zeros, ...), not with the Tensor constructor.')

    # ------------------------------------------------------------------ construction
    @classmethod
    def _make(cls, t, dtype: str | None = None) -> 'Tensor':
        """Wrap a torch tensor (or a NumPy object array for strings) without copying.

        This runs once per op call, so it is kept lean (module-level bindings, no properties)."""
        x = _new(cls)
        x._t = t
        if dtype is None:
            dtype = from_torch_dtype(t.dtype)
        x.dtype = dtype
        x.id = _next_id(_ids)
        x._kept = False
        x.kerasMask = None
        x._nbytes = nbytes = t.numel() * _ITEMSIZE[dtype] if dtype != 'string' else _string_bytes(t)
        _register(x, nbytes)
        return x

    def __del__(self):
        try:
            if self._t is not None:
                _unregister(self._nbytes)
        except AttributeError:   # construction failed half-way
            pass

    # ------------------------------------------------------------------ properties
    @property
    def shape(self) -> list:
        """The shape as a list of ints, e.g. `[2, 3]` (`[]` for a scalar)."""
        return list(self._value().shape)

    @property
    def rank(self) -> int:
        return self._value().ndim

    @property
    def size(self) -> int:
        return int(np.prod(self._value().shape, dtype=np.int64))

    @property
    def strides(self) -> list:
        shape = self.shape
        strides, acc = [], 1
        for dim in reversed(shape[1:]):
            acc *= dim
            strides.insert(0, acc)
        return strides

    @property
    def rankType(self) -> str:
        return str(self.rank) if self.rank < 7 else 'higher'

    @property
    def isDisposed(self) -> bool:
        return self._t is None

    @property
    def kept(self) -> bool:
        return self._kept

    @property
    def device(self) -> str:
        """The backend the data lives on ('cpu', 'cuda' or 'mps')."""
        t = self._value()
        return 'cpu' if self.dtype == 'string' else t.device.type

    def _value(self):
        t = self._t
        if t is None:
            raise DisposedError('Tensor is disposed. It was freed by dispose() or by the tf.tidy() '
                                'that created it; keep it with tf.keep() or return it from the tidy '
                                'function to use it afterwards.')
        return t

    def throwIfDisposed(self) -> None:
        self._value()

    # ------------------------------------------------------------------ data access
    def _numpy(self) -> np.ndarray:
        t = self._value()
        if self.dtype == 'string':
            return t
        return t.detach().cpu().numpy()

    def dataSync(self):
        """The values as a flat NumPy array (TF.js: a TypedArray); bool as uint8, strings as a list."""
        a = self._numpy()
        if self.dtype == 'string':
            return [str(v) for v in a.reshape(-1)]
        if self.dtype == 'bool':
            return a.reshape(-1).astype(np.uint8)
        if self.dtype == 'complex64':
            return a.reshape(-1).view(np.float32).copy()
        return a.reshape(-1).copy()

    def data(self):
        """`dataSync()` as TF.js's Promise-returning `data()` (see `tfjs._async`)."""
        return resolved(self.dataSync())

    def arraySync(self):
        """The values as nested Python lists, as TF.js's `arraySync()`."""
        a = self._numpy()
        if self.dtype == 'bool':
            return a.astype(np.uint8).tolist()
        if self.dtype == 'string':
            return a.tolist()
        if self.dtype == 'complex64':
            return np.stack([a.real, a.imag], axis=-1).reshape(*a.shape[:-1], -1).tolist() \
                if a.ndim else [float(a.real), float(a.imag)]
        return a.tolist()

    def array(self):
        """`arraySync()` as TF.js's Promise-returning `array()`."""
        return resolved(self.arraySync())

    def bufferSync(self):
        from .ops.creation import buffer
        return buffer(self.shape, self.dtype, self.dataSync())

    def buffer(self):
        return resolved(self.bufferSync())

    def bytes(self):
        """Raw bytes: the UTF-8 bytes of each string for string tensors, else the data bytes."""
        if self.dtype == 'string':
            return resolved([s.encode('utf-8') for s in self.dataSync()])
        return resolved(np.ascontiguousarray(self.dataSync()).tobytes())

    def numpy(self) -> np.ndarray:
        """A NumPy copy of the values with the tensor's shape (Python extra)."""
        return np.array(self._numpy(), copy=True)

    def __array__(self, dtype=None, copy=None):
        a = self._numpy()
        return a.astype(dtype) if dtype is not None else a

    def toTorch(self):
        """The underlying torch.Tensor (Python extra; shares memory)."""
        return self._value()

    def item(self):
        """The single value of a one-element tensor as a Python number (Python extra)."""
        a = self._numpy()
        if a.size != 1:
            raise ValueError(f'item() needs a tensor with exactly one value; this one has shape '
                             f'{self.shape}.')
        return a.reshape(-1)[0].item() if self.dtype != 'string' else a.reshape(-1)[0]

    # ------------------------------------------------------------------ printing
    def toString(self, verbose: bool = False) -> str:
        """Exactly the text TF.js's `tensor.toString(verbose)` returns."""
        from ._format import tensor_to_string
        values = self.dataSync()
        return tensor_to_string(values, self.shape, self.dtype, verbose)

    def print(self, verbose: bool = False) -> None:  # noqa: A003 - TF.js name
        """Print the tensor exactly as TF.js's `tensor.print()` does."""
        print(self.toString(verbose))

    def __str__(self):
        return self.toString() if self._t is not None else 'Tensor (disposed)'

    def __repr__(self):
        if self._t is None:
            return '<tf.Tensor disposed>'
        return self.toString()

    # ------------------------------------------------------------------ memory
    def dispose(self) -> None:
        """Free the tensor's memory now; using it afterwards raises."""
        t = self._t
        if t is None:
            return
        self._t = None
        ENGINE.unregister(self._nbytes)

    def clone(self) -> 'Tensor':
        t = self._value()
        return Tensor._make(t.copy() if self.dtype == 'string' else t.clone(), self.dtype)

    def variable(self, trainable: bool = True, name: str | None = None, dtype: str | None = None):
        return variable(self, trainable, name, dtype)

    # ------------------------------------------------------------------ Python protocol
    def __len__(self):
        shape = self._value().shape
        if not shape:
            raise TypeError('len() of a scalar tensor.')
        return shape[0]

    def __bool__(self):
        if self.size != 1:
            raise ValueError(f'The truth value of a tensor with shape {self.shape} is ambiguous; '
                             'use tf.any(t) or tf.all(t).')
        return bool(self.item())

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self.dtype != 'int32':
            raise TypeError('Only int32 scalar tensors can be used as an index.')
        return int(self.item())

    def __iter__(self):
        from .ops import unstack
        return iter(unstack(self))

    def __getitem__(self, index):
        from .ops.slicing_joining import getitem
        return getitem(self, index)

    __hash__ = object.__hash__


def _string_bytes(a) -> int:
    return int(sum(len(str(s).encode('utf-8')) for s in a.reshape(-1)))


class Variable(Tensor):
    """A mutable tensor (`tf.variable`), updated in place by optimizers and `assign`."""

    __slots__ = ('name', 'trainable')
    _is_variable = True      # tidy scopes never dispose variables, as in TF.js

    def assign(self, newValue) -> None:
        """Replace the value; shape and dtype must match."""
        value = convert_to_tensor(newValue, 'newValue', 'assign')
        if value.shape != self.shape:
            raise ValueError(f'shape of the new value ({value.shape}) and previous value '
                             f'({self.shape}) must match.')
        if value.dtype != self.dtype:
            raise ValueError(f'dtype of the new value ({value.dtype}) and previous value '
                             f'({self.dtype}) must match.')
        with torch.no_grad():
            self._value().copy_(value._t)

    def dispose(self) -> None:
        ENGINE.variables.pop(self.name, None)
        super().dispose()

    def __array__(self, dtype=None, copy=None):
        # a variable changes in place, so NumPy always gets a snapshot, never a live view
        a = np.array(self._numpy(), copy=True)
        return a.astype(dtype) if dtype is not None else a

    def __repr__(self):
        return super().__repr__() if self._t is None else f'Variable {self.name!r}\n' + self.toString()


_var_ids = itertools.count()


def variable(initialValue, trainable: bool = True, name: str | None = None,
             dtype: str | None = None) -> Variable:
    """Create a `Variable` from a tensor or tensor-like value (the value is copied).

    >>> import tfjs as tf
    >>> v = tf.variable(tf.tensor1d([1, 2]))
    >>> v.assign(tf.tensor1d([3, 4])); v.arraySync()
    [3.0, 4.0]
    """
    value = convert_to_tensor(initialValue, 'initialValue', 'variable')
    t = value._value()
    if dtype is not None and dtype != value.dtype:
        t = cast_raw(t, value.dtype, dtype)
    t = t.copy() if isinstance(t, np.ndarray) else t.detach().clone()   # strings: NumPy objects
    v = Variable._make(t, dtype or value.dtype)
    if name is None:
        name = str(next(_var_ids))
    elif name in ENGINE.variables:
        raise ValueError(f'Variable with name {name} was already registered.')
    v.name = name
    v.trainable = trainable
    ENGINE.variables[name] = v
    return v


# ---------------------------------------------------------------------------- conversion

def _infer_dtype(values) -> str:
    while isinstance(values, (list, tuple)):
        if not values:
            return 'float32'
        values = values[0]
    if isinstance(values, Tensor):
        return values.dtype
    if isinstance(values, (bool, np.bool_)):
        return 'bool'
    if isinstance(values, (str, bytes)):
        return 'string'
    if isinstance(values, np.ndarray):
        return _numpy_dtype(values.dtype)
    if isinstance(values, (complex, np.complexfloating)):
        return 'complex64'
    return 'float32'


def _numpy_dtype(np_dtype) -> str:
    kind = np.dtype(np_dtype).kind
    if kind == 'b':
        return 'bool'
    if kind in 'iu':
        return 'int32'
    if kind == 'c':
        return 'complex64'
    if kind in 'OUS':
        return 'string'
    return 'float32'


def to_torch(values, dtype: str | None = None, shape: Sequence[int] | None = None):
    """Build the backing array (torch tensor, or NumPy object array for strings) from values."""
    if isinstance(values, Tensor):
        t = values._value()
        vdtype = values.dtype
        if dtype is None or dtype == vdtype:
            return t, vdtype
        return cast_raw(t, vdtype, dtype), dtype
    if isinstance(values, torch.Tensor):
        vdtype = from_torch_dtype(values.dtype)
        target = dtype or vdtype
        return values.to(device=device(), dtype=to_torch_dtype(target)), target
    if isinstance(values, np.ndarray):
        vdtype = _numpy_dtype(values.dtype)
    else:
        vdtype = _infer_dtype(values)
    target = dtype or vdtype
    if target == 'string':
        arr = np.array(values, dtype=object)
        if arr.dtype != object:
            arr = arr.astype(object)
        return np.vectorize(_to_str, otypes=[object])(arr) if arr.size else arr, 'string'
    if vdtype == 'string':
        raise ValueError(f'Cannot make a {target} tensor from string values.')
    with np.errstate(over='ignore'):     # a Float32Array stores 1e40 as Infinity
        arr = np.asarray(values, dtype=_NUMPY[target] if target not in ('bool', 'int32') or vdtype == target
                         else None)
    if target == 'bool' and arr.dtype != np.bool_:
        # TF.js's toTypedArray: Math.round(x) !== 0 (0.4 -> false, 0.5 -> true, NaN -> true)
        arr = np.floor(arr.astype(np.float64) + 0.5) != 0
    if target == 'int32' and arr.dtype != np.int32:
        arr = js_to_int32(arr)
    # always a private copy: a tensor must not change when the caller's array does
    arr = np.array(arr, dtype=_NUMPY[target], order='C', copy=True)
    return torch.from_numpy(arr).to(device()), target


def js_to_int32(a) -> np.ndarray:
    """Numbers as an Int32Array stores them (JS ToInt32): truncated toward zero, wrapped modulo
    2**32, NaN and the infinities 0."""
    a = np.asarray(a)
    if a.dtype.kind in 'iub':
        return a.astype(np.int64).astype(np.int32)          # integer casts wrap modulo 2**32
    f = a.astype(np.float64)
    with np.errstate(invalid='ignore'):
        f = np.where(np.isfinite(f), np.trunc(f), 0.0)
    if np.all(np.abs(f) < 2 ** 31):
        return f.astype(np.int32)
    return np.mod(f, 2.0 ** 32).astype(np.uint32).view(np.int32)


def _to_str(v) -> str:
    return v.decode('utf-8') if isinstance(v, bytes) else str(v)


def cast_raw(t, from_dtype: str, to_dtype: str):
    """Cast a backing array between TF.js dtypes with TF.js semantics."""
    if from_dtype == to_dtype:
        return t
    if to_dtype == 'string' or from_dtype == 'string':
        raise ValueError(f'Cannot cast a {from_dtype} tensor to {to_dtype}.')
    if to_dtype == 'int32' and from_dtype == 'float32':
        return torch.trunc(t).to(torch.int32)
    if to_dtype == 'bool':
        return t != 0
    return t.to(to_torch_dtype(to_dtype))


def convert_to_tensor(x, arg_name: str = 'x', fn_name: str = 'op', dtype: str | None = None) -> Tensor:
    """TF.js's `convertToTensor`: a Tensor passes through; lists, numbers and arrays are converted."""
    if isinstance(x, Tensor):
        if dtype is not None and x.dtype != dtype and dtype != 'numeric':
            return Tensor._make(cast_raw(x._value(), x.dtype, dtype), dtype)
        return x
    if x is None:
        raise ValueError(f"Argument '{arg_name}' passed to '{fn_name}' must be a Tensor or "
                         'TensorLike, but got None.')
    try:
        t, d = to_torch(x, None if dtype == 'numeric' else dtype)
    except (TypeError, builtins.ValueError) as exc:
        raise ValueError(f"Argument '{arg_name}' passed to '{fn_name}' must be a Tensor or "
                         f'TensorLike, but got {type(x).__name__}: {exc}') from None
    return Tensor._make(t, d)

