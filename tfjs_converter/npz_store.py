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
from .h5util import h5py_module

try:
    from numpy._core import multiarray as _multiarray
except ImportError:                                  # NumPy 1
    from numpy.core import multiarray as _multiarray

MAX_MEMBERS = 100000


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


def _dtype_name(name):
    return str(name)


_ALLOWED = {
    ('numpy', 'ndarray'): np.ndarray,
    ('numpy', 'dtype'): np.dtype,
    ('functools', 'partial'): _Partial,
    ('tensorflow.python.framework.dtypes', 'as_dtype'): _dtype_name,
}
_NUMPY_CORE = ('numpy.core.multiarray', 'numpy._core.multiarray')
_VARIABLE_MODULES = ('keras.src.backend', 'keras.backend', 'keras.src.backend.tensorflow.core',
                     'keras.src.backend.common.variables', 'keras.src.backend.numpy.core',
                     'tensorflow.python.ops.resource_variable_ops',
                     'tensorflow.python.ops.variables')


class _SafeUnpickler(pickle.Unpickler):
    def __init__(self, data: bytes, where: str):
        super().__init__(io.BytesIO(data))
        self.where = where

    def find_class(self, module, name):
        if (module, name) in _ALLOWED:
            return _ALLOWED[(module, name)]
        if module in _NUMPY_CORE and name in ('_reconstruct', 'scalar'):
            return getattr(_multiarray, name)
        if module in _VARIABLE_MODULES and name in ('Variable', 'KerasVariable',
                                                     'ResourceVariable'):
            return _Recorded
        raise FileFormatError(
            f'{self.where}: the weights store pickles "{module}.{name}", which this reader does '
            'not load (only NumPy arrays and Keras/TensorFlow variables are read, and no code '
            'from the file runs). Save the model with the default .h5 weights store.')


def _value(obj, where: str):
    """The array a store value stands for."""
    if isinstance(obj, np.ndarray) or np.isscalar(obj) or isinstance(obj, np.generic):
        return np.asarray(obj)
    if isinstance(obj, _Recorded):
        state = obj.state if isinstance(obj.state, dict) else {}
        for key in ('_value', 'value', 'initial_value'):
            if key in state:
                return _value(state[key], where)
            if key in obj.kwargs:
                return _value(obj.kwargs[key], where)
        if isinstance(obj.state, tuple) or obj.args:
            for item in (obj.state if isinstance(obj.state, tuple) else ()) + obj.args:
                if isinstance(item, (np.ndarray, _Recorded)):
                    return _value(item, where)
    raise FileFormatError(f'{where}: a weights store value ({type(obj).__name__}) holds no '
                          'array this reader can find.')


def _read_npy(data: bytes, name: str, where: str):
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
        return _SafeUnpickler(f.read(), where).load()
    count = int(np.prod(shape))
    array = np.frombuffer(f.read(count * dtype.itemsize), dtype=dtype, count=count)
    return array.reshape(shape, order='F' if fortran else 'C')


def read_npz(data: bytes, where: str) -> dict:
    """`{store path: [arrays in variable order]}` of a Keras 3 `.npz` weights store."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise FileFormatError(f'{where} is not an .npz (zip) file.') from None
    out: dict = {}
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise FileFormatError(f'{where} has {len(infos)} entries; refused.')
        for info in infos:
            name = info.filename
            if not name.endswith('.npy') or '..' in name.split('/') or name.startswith('/'):
                raise FileFormatError(f'{where}: unexpected member "{name}".')
            if info.file_size > len(data) * 1000:
                raise FileFormatError(f'{where}: "{name}" expands too much; refused.')
            obj = _read_npy(zf.read(info), name, where)
            if isinstance(obj, np.ndarray) and obj.dtype.hasobject:
                obj = obj.item()
            path = name[:-4]
            if not isinstance(obj, dict):
                raise FileFormatError(f'{where}: "{name}" is not a dict of variables.')
            keys = sorted(obj, key=lambda k: int(k) if str(k).isdigit() else -1)
            if [str(k) for k in keys] != [str(i) for i in range(len(keys))]:
                raise FileFormatError(f'{where}: "{name}" has keys {keys[:6]}, not 0..n-1.')
            out[path] = [_value(obj[k], f'{where}/{name}') for k in keys]
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
