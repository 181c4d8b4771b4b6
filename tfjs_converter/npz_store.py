"""Keras 3's NumPy weights store (`model.weights.npz`, written by
`keras.saving.save_model(model, path, weights_format='npz')`), read without Keras.

The archive holds one `.npy` per saved object path (`__root__`, `layers/dense`,
`layers/lstm/cell`, `optimizer`); each is a pickled 0-d object array around a dict
`{'0': value, '1': value, ...}` (the object's variables in order). Keras pickles the values as
they are: NumPy arrays and scalars, or Keras `Variable`s wrapping a backend variable (with
TensorFlow, a `ResourceVariable` rebuilt through `functools.partial(initial_value=...)`).

Unpickling runs code named by the file, so nothing is imported: a restricted unpickler maps the
few names such a store uses to inert stand-ins that only record the array, and refuses any
other name. The store is then laid out as the `.h5` store is (`<path>/vars/<i>`), so the
`.h5` reader does the rest.
"""
from __future__ import annotations

import io
import pickle
import zipfile

import numpy as np

from .errors import FileFormatError
from .h5util import HARD_CAP_BYTES, MAX_COMPRESSION_RATIO, h5py_module

MAX_MEMBERS = 100000
MAX_DEPTH = 32


class _Budget:
    """Bytes the arrays of one archive may add up to: a bounded ratio of the archive's size."""

    def __init__(self, file_size: int, where: str):
        self.limit = min(HARD_CAP_BYTES, max(int(file_size), 1) * MAX_COMPRESSION_RATIO)
        self.total, self.where, self.file_size = 0, where, int(file_size)

    def take(self, nbytes: int, what: str) -> None:
        self.total += int(nbytes)
        if self.total > self.limit:
            raise FileFormatError(
                f'{self.where}: {what} brings the weights store to {self.total} bytes, more than '
                f'this reader allows for a {self.file_size}-byte file (limit {self.limit}; set '
                'TFJS_CONVERTER_MAX_BYTES to raise the cap).')


class _Recorded:
    """A stand-in for a pickled Keras / TensorFlow variable: keeps its state, runs nothing."""

    args: tuple = ()
    kwargs: dict = {}
    state = None

    def __init__(self, *args, **kwargs):
        self.args, self.kwargs, self.state = args, kwargs, None

    def __setstate__(self, state):
        self.state = state

    def __call__(self, *args, **kwargs):       # a partial's target, "called" on unpickling
        return _Recorded(*(self.args + args), **{**self.kwargs, **kwargs})


class _Partial(_Recorded):
    """`functools.partial(func, ...)`: pickled as `partial(func)` + state `(func, args, kw, d)`."""

    def __setstate__(self, state):
        self.state = state
        if isinstance(state, tuple) and len(state) >= 3 and isinstance(state[2], dict):
            self.kwargs = dict(state[2])


def _plain_dtype(dtype, where: str) -> np.dtype:
    """`dtype` if it is a plain numeric / string dtype or `object`; anything else refused."""
    if not isinstance(dtype, np.dtype):
        raise FileFormatError(f'{where}: a pickled array has dtype {dtype!r}, not a NumPy dtype.')
    if dtype == np.dtype(object):
        return dtype
    if dtype.fields is not None or dtype.subdtype is not None or dtype.hasobject \
            or dtype.kind not in 'biufcSU' or dtype.itemsize < 1:
        raise FileFormatError(f'{where}: a pickled array has dtype {dtype!r}; only plain numeric '
                              'dtypes are read (no structured, subarray or void dtypes).')
    return dtype


class _PickledArray:
    """What `_reconstruct(ndarray, (0,), b'b')` gives: an empty array whose `__setstate__`
    carries shape, dtype and raw bytes. Its size comes only from those bytes."""

    __slots__ = ('array', '_budget', '_where')

    def __init__(self, budget: _Budget, where: str):
        self.array, self._budget, self._where = None, budget, where

    def __setstate__(self, state):
        where = self._where
        if self.array is not None:
            raise FileFormatError(f'{where}: a pickled array is given its state twice.')
        if not isinstance(state, tuple) or len(state) not in (4, 5):
            raise FileFormatError(f'{where}: a pickled array has malformed state.')
        shape, dtype, fortran, raw = state[-4:]
        dtype = _plain_dtype(dtype, where)
        if not isinstance(shape, tuple) or len(shape) > 32 or not all(
                type(d) is int and 0 <= d for d in shape):
            raise FileFormatError(f'{where}: a pickled array has shape {shape!r}.')
        count = 1
        for d in shape:
            count *= d
        order = 'F' if fortran else 'C'
        if dtype.hasobject:
            if not isinstance(raw, list) or len(raw) != count:
                raise FileFormatError(f'{where}: a pickled object array of shape {shape} holds '
                                      f'{len(raw) if isinstance(raw, list) else type(raw).__name__}'
                                      ' items.')
            self._budget.take(8 * count, 'an object array')
            array = np.empty(count, dtype=object)
            array[:] = raw
        else:
            if not isinstance(raw, (bytes, bytearray)) or len(raw) != count * dtype.itemsize:
                raise FileFormatError(
                    f'{where}: a pickled {dtype} array of shape {list(shape)} needs '
                    f'{count * dtype.itemsize} bytes, the file gives '
                    f'{len(raw) if isinstance(raw, (bytes, bytearray)) else type(raw).__name__}.')
            self._budget.take(len(raw), f'an array of shape {list(shape)}')
            array = np.frombuffer(bytes(raw), dtype=dtype, count=count)
        self.array = array.reshape(shape, order=order)


class _NdarrayToken:
    """Stands for `numpy.ndarray` in a pickle: only `_reconstruct` accepts it; calling it fails."""

    __slots__ = ()

    def __call__(self, *args, **kwargs):
        raise FileFormatError('the weights store calls numpy.ndarray(...) directly, which '
                              'NumPy never pickles; refused.')


class _Reconstruct:
    """`numpy.core.multiarray._reconstruct`, as NumPy pickles it: `(ndarray, (0,), b'b')`."""

    __slots__ = ('_budget', '_where')

    def __init__(self, budget: _Budget, where: str):
        self._budget, self._where = budget, where

    def __call__(self, subtype, shape, dtype=None):
        if not isinstance(subtype, _NdarrayToken) or shape != (0,) or type(shape) is not tuple:
            raise FileFormatError(f'{self._where}: the weights store reconstructs an array as '
                                  f'({type(subtype).__name__}, {shape!r}), not as NumPy '
                                  'pickles one; refused.')
        return _PickledArray(self._budget, self._where)


class _Scalar:
    """`numpy.core.multiarray.scalar(dtype, raw bytes)`: a NumPy scalar."""

    __slots__ = ('_where',)

    def __init__(self, where: str):
        self._where = where

    def __call__(self, dtype, raw=None):
        dtype = _plain_dtype(dtype, self._where)
        if dtype.hasobject or not isinstance(raw, bytes) or len(raw) != dtype.itemsize:
            raise FileFormatError(f'{self._where}: a pickled NumPy scalar of {dtype} is malformed.')
        return np.frombuffer(raw, dtype=dtype, count=1)[0]


class _AsDType:
    """TensorFlow's `as_dtype(name)`: only the name is kept."""

    __slots__ = ()

    def __call__(self, name):
        return str(name)


_NDARRAY = _NdarrayToken()
_ALLOWED = {
    ('numpy', 'ndarray'): _NDARRAY,
    ('numpy', 'dtype'): np.dtype,
    ('functools', 'partial'): _Partial,
    ('tensorflow.python.framework.dtypes', 'as_dtype'): _AsDType(),
}
_NUMPY_CORE = ('numpy.core.multiarray', 'numpy._core.multiarray')
_VARIABLE_MODULES = ('keras.src.backend', 'keras.backend', 'keras.src.backend.tensorflow.core',
                     'keras.src.backend.common.variables', 'keras.src.backend.numpy.core',
                     'tensorflow.python.ops.resource_variable_ops',
                     'tensorflow.python.ops.variables')


class _SafeUnpickler(pickle.Unpickler):
    def __init__(self, data: bytes, where: str, budget: _Budget):
        super().__init__(io.BytesIO(data))
        self.where = where
        self._core = {'_reconstruct': _Reconstruct(budget, where), 'scalar': _Scalar(where)}

    def find_class(self, module, name):
        if (module, name) in _ALLOWED:
            return _ALLOWED[(module, name)]
        if module in _NUMPY_CORE and name in self._core:
            return self._core[name]
        if module in _VARIABLE_MODULES and name in ('Variable', 'KerasVariable',
                                                     'ResourceVariable'):
            return _Recorded
        raise FileFormatError(
            f'{self.where}: the weights store pickles "{module}.{name}", which this reader does '
            'not load (only NumPy arrays and Keras/TensorFlow variables are read, and no code '
            'from the file runs). Save the model with the default .h5 weights store.')

    def load_safely(self):
        try:
            return _Unwrapper(self.where).unwrap(self.load(), 0)
        except FileFormatError:
            raise
        except Exception as exc:     # malformed pickle: a bad opcode, a refused BUILD, ...
            raise FileFormatError(f'{self.where}: the weights store pickle is malformed '
                                  f'({type(exc).__name__}: {exc}).') from None


class _Unwrapper:
    """Replaces every `_PickledArray` by its array; cycles and deep nesting are refused, and
    objects shared through the pickle's memo are visited once."""

    def __init__(self, where: str):
        self.where, self.done, self.active = where, {}, set()

    def unwrap(self, obj, depth: int):
        if isinstance(obj, _PickledArray):
            if obj.array is None:
                raise FileFormatError(f'{self.where}: a pickled array has no state.')
            if not obj.array.dtype.hasobject:
                return obj.array
        elif type(obj) not in (dict, list, tuple) and not isinstance(obj, _Recorded):
            return obj
        key = id(obj)
        if key in self.done:
            return self.done[key]
        if key in self.active or depth > MAX_DEPTH:
            raise FileFormatError(f'{self.where}: the weights store pickle refers to itself or '
                                  f'nests deeper than {MAX_DEPTH} levels.')
        self.active.add(key)
        if isinstance(obj, _PickledArray):
            out = np.empty(obj.array.shape, dtype=object)
            flat, src = out.reshape(-1), obj.array.reshape(-1)
            for i in range(src.size):
                flat[i] = self.unwrap(src[i], depth + 1)
        elif type(obj) is dict:
            out = {k: self.unwrap(v, depth + 1) for k, v in obj.items()}
        elif type(obj) in (list, tuple):
            out = type(obj)(self.unwrap(v, depth + 1) for v in obj)
        else:
            obj.args = tuple(self.unwrap(v, depth + 1) for v in obj.args)
            obj.kwargs = {k: self.unwrap(v, depth + 1) for k, v in obj.kwargs.items()}
            obj.state = self.unwrap(obj.state, depth + 1)
            out = obj
        self.active.discard(key)
        self.done[key] = out
        return out


def _value(obj, where: str, depth: int = 0):
    """The array a store value stands for."""
    if depth > MAX_DEPTH:
        raise FileFormatError(f'{where}: a weights store value nests deeper than {MAX_DEPTH}.')
    if isinstance(obj, np.ndarray) and obj.dtype.hasobject:
        raise FileFormatError(f'{where}: a weights store value is an object array.')
    if isinstance(obj, (np.ndarray, np.generic, bool, int, float, str)):
        return np.asarray(obj)
    if isinstance(obj, _Recorded):
        state = obj.state if isinstance(obj.state, dict) else {}
        for key in ('_value', 'value', 'initial_value'):
            if key in state:
                return _value(state[key], where, depth + 1)
            if key in obj.kwargs:
                return _value(obj.kwargs[key], where, depth + 1)
        if isinstance(obj.state, tuple) or obj.args:
            for item in (obj.state if isinstance(obj.state, tuple) else ()) + obj.args:
                if isinstance(item, (np.ndarray, _Recorded)):
                    return _value(item, where, depth + 1)
    raise FileFormatError(f'{where}: a weights store value ({type(obj).__name__}) holds no '
                          'array this reader can find.')


def _read_npy(data: bytes, name: str, where: str, budget: _Budget):
    from numpy.lib import format as npformat
    f = io.BytesIO(data)
    try:
        version = npformat.read_magic(f)
        shape, fortran, dtype = (npformat.read_array_header_1_0(f) if version == (1, 0)
                                 else npformat.read_array_header_2_0(f))
    except ValueError as exc:
        raise FileFormatError(f'{where}: "{name}" is not a .npy array ({exc}).') from None
    if dtype.hasobject:
        if shape != ():
            raise FileFormatError(f'{where}: "{name}" is an object array of shape {shape}; a '
                                  'Keras store entry is a single dict.')
        return _SafeUnpickler(f.read(), f'{where}/{name}', budget).load_safely()
    dtype = _plain_dtype(dtype, f'{where}/{name}')
    count = int(np.prod(shape, dtype=np.int64)) if shape else 1
    raw = f.read(count * dtype.itemsize)
    if len(raw) != count * dtype.itemsize:
        raise FileFormatError(f'{where}: "{name}" declares {list(shape)} {dtype} '
                              f'({count * dtype.itemsize} bytes) but holds {len(raw)} bytes.')
    budget.take(len(raw), f'"{name}"')
    array = np.frombuffer(raw, dtype=dtype, count=count)
    return array.reshape(shape, order='F' if fortran else 'C')


def _is_index(key) -> bool:
    return isinstance(key, str) and 0 < len(key) <= 9 and key.isascii() and key.isdigit()


def read_npz(data: bytes, where: str) -> dict:
    """`{store path: [arrays in variable order]}` of a Keras 3 `.npz` weights store.

    >>> import io, numpy as np
    >>> bio = io.BytesIO()
    >>> np.savez(bio, **{'layers/dense': np.array({'0': np.ones(2, np.float32)})})
    >>> read_npz(bio.getvalue(), 'model.weights.npz')
    {'layers/dense': [array([1., 1.], dtype=float32)]}
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise FileFormatError(f'{where} is not an .npz (zip) file ({exc}).') from None
    budget = _Budget(len(data), where)
    out: dict = {}
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise FileFormatError(f'{where} has {len(infos)} entries; refused.')
        declared = 0
        for info in infos:
            declared += info.file_size
            if declared > budget.limit:
                raise FileFormatError(f'{where}: its members expand to more than {budget.limit} '
                                      f'bytes for a {len(data)}-byte file; refused.')
        for info in infos:
            name = info.filename
            if not name.endswith('.npy') or '..' in name.split('/') or name.startswith('/'):
                raise FileFormatError(f'{where}: unexpected member "{name}".')
            try:
                member = zf.read(info)
            except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError,
                    RuntimeError) as exc:
                raise FileFormatError(f'{where}: member "{name}" cannot be read ({exc}).') \
                    from None
            obj = _read_npy(member, name, where, budget)
            if isinstance(obj, np.ndarray) and obj.dtype.hasobject:
                obj = obj.item()
            path = name[:-4]
            if not isinstance(obj, dict):
                raise FileFormatError(f'{where}: "{name}" is not a dict of variables.')
            if not all(_is_index(k) for k in obj):
                raise FileFormatError(f'{where}: "{name}" has keys {list(obj)[:6]!r}, not '
                                      '"0".."n-1".')
            keys = sorted(obj, key=int)
            if keys != [str(i) for i in range(len(keys))]:
                raise FileFormatError(f'{where}: "{name}" has keys {keys[:6]}, not 0..n-1.')
            out[path] = [_value(obj[k], f'{where}/{name}') for k in keys]
    total = _Budget(len(data), where)
    for path, arrays in out.items():
        for a in arrays:
            total.take(a.nbytes, f'"{path}"')
    return out


def as_h5_bytes(store: dict) -> bytes:
    """The store laid out as Keras 3's `.h5` store (`<path>/vars/<i>`), in memory."""
    h5py = h5py_module()
    bio = io.BytesIO()
    with h5py.File(bio, 'w') as f:
        for path, arrays in store.items():
            base = '' if path == '__root__' else path + '/'
            group = f.require_group(base + 'vars')
            for i, a in enumerate(arrays):
                group.create_dataset(str(i), data=np.asarray(a))
    return bio.getvalue()
