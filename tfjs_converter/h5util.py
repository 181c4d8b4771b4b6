"""Careful HDF5 access: only hard links are followed (an external link could point at any
file), datasets with external or virtual storage are refused, and every dataset's declared size
is checked against the file's size before it is read (compressed datasets get a bounded
expansion ratio), so a small malicious file cannot make the reader allocate gigabytes.
Attributes longer than HDF5's 64 KiB header limit are chunked as Keras chunks them
(`layer_names0`, `layer_names1`, ...).
"""
from __future__ import annotations

import json
import os

import numpy as np

from .errors import FileFormatError

HDF5_OBJECT_HEADER_LIMIT = 64512
MAX_COMPRESSION_RATIO = 1000
HARD_CAP_BYTES = int(os.environ.get('TFJS_CONVERTER_MAX_BYTES', 64 * 1024 ** 3))


def h5py_module():
    try:
        import h5py
    except ImportError:
        raise ImportError('Reading and writing Keras .h5 / .keras files needs h5py: '
                          'pip install h5py') from None
    return h5py


def as_text(value) -> str:
    if isinstance(value, bytes):
        return value.decode('utf-8')
    if isinstance(value, np.ndarray) and value.shape == ():
        return as_text(value.item())
    return str(value)


def read_attr_list(group, name: str) -> list:
    """A list attribute (`layer_names`, `weight_names`), chunked or not, as str."""
    if name in group.attrs:
        data = group.attrs[name]
    else:
        data, i = [], 0
        while f'{name}{i}' in group.attrs:
            data.extend(list(group.attrs[f'{name}{i}']))
            i += 1
    return [as_text(x) for x in np.asarray(data).reshape(-1)] if len(data) else []


def write_attr_list(group, name: str, values: list) -> None:
    """Keras's `save_attributes_to_hdf5_group`: bytes strings, chunked above 64 KiB."""
    data = np.asarray([v.encode('utf-8') for v in values], dtype='S') if values \
        else np.zeros((0,), dtype='S1')
    if data.nbytes <= HDF5_OBJECT_HEADER_LIMIT:
        group.attrs[name] = data
        return
    chunks = 1
    while True:
        parts = np.array_split(data, chunks)
        if all(p.nbytes <= HDF5_OBJECT_HEADER_LIMIT for p in parts):
            break
        chunks += 1
    for i, part in enumerate(parts):
        group.attrs[f'{name}{i}'] = part


def read_json_attr(h5obj, name: str, where: str):
    raw = h5obj.attrs.get(name)
    if raw is None:
        return None
    try:
        return json.loads(as_text(raw))
    except (ValueError, UnicodeDecodeError) as exc:
        raise FileFormatError(f'The "{name}" attribute of {where} is not valid JSON: {exc}') \
            from None


class Budget:
    """Bytes a file may expand to: its size for plain data, a bounded ratio for compressed."""

    def __init__(self, file_size: int, where: str):
        self.file_size = max(int(file_size), 0)
        self.where = where
        self.plain = 0
        self.total = 0

    def take(self, ds, name: str) -> None:
        nbytes = int(ds.size) * int(ds.dtype.itemsize)
        compressed = ds.compression is not None or bool(ds.compression_opts) or \
            (ds.chunks is not None and ds.id.get_create_plist().get_nfilters() > 0)
        self.total += nbytes
        if not compressed:
            self.plain += nbytes
            if self.plain > self.file_size:
                raise FileFormatError(
                    f'{self.where} is {self.file_size} bytes, but its datasets declare at least '
                    f'{self.plain} bytes (dataset "{name}" {list(ds.shape)} {ds.dtype}): the file '
                    'is truncated or malformed.')
        limit = min(HARD_CAP_BYTES, max(self.file_size, 1) * MAX_COMPRESSION_RATIO)
        if self.total > limit:
            raise FileFormatError(
                f'{self.where} declares {self.total} bytes of weights, more than this reader '
                f'allows for a {self.file_size}-byte file (limit {limit}; set '
                'TFJS_CONVERTER_MAX_BYTES to raise the cap).')


def child(group, name: str, where: str):
    """`group[name]` through hard links only (None when absent)."""
    h5py = h5py_module()
    obj = group
    for part in [p for p in name.split('/') if p]:
        try:
            link = obj.get(part, getlink=True)
        except (KeyError, TypeError, ValueError):
            return None
        if link is None:
            return None
        if not isinstance(link, h5py.HardLink):
            raise FileFormatError(f'{where}: "{name}" is a {type(link).__name__}; only plain '
                                  'groups and datasets are read (links to other files are '
                                  'refused).')
        obj = obj[part]
    return obj


def read_dataset(ds, name: str, budget: Budget) -> np.ndarray:
    """The array of a dataset, after the safety checks."""
    h5py = h5py_module()
    if not isinstance(ds, h5py.Dataset):
        raise FileFormatError(f'{budget.where}: "{name}" is not a dataset.')
    if ds.external:
        raise FileFormatError(f'{budget.where}: dataset "{name}" keeps its data in external '
                              'files; refused.')
    if ds.is_virtual:
        raise FileFormatError(f'{budget.where}: dataset "{name}" is a virtual dataset; refused.')
    if ds.dtype.kind not in 'fiubcOSU':
        raise FileFormatError(f'{budget.where}: dataset "{name}" has unsupported dtype '
                              f'{ds.dtype}.')
    budget.take(ds, name)
    try:
        value = ds[()]
    except (OSError, RuntimeError, ValueError) as exc:
        raise FileFormatError(f'{budget.where}: dataset "{name}" cannot be read ({exc}); the '
                              'file is truncated or corrupt.') from None
    if isinstance(value, bytes):
        value = value.decode('utf-8', 'surrogateescape')
    a = np.asarray(value)
    if a.dtype.kind == 'O' or a.dtype.kind == 'S':
        flat = [x.decode('utf-8', 'surrogateescape') if isinstance(x, bytes) else str(x)
                for x in a.reshape(-1)]
        a = np.array(flat, dtype=object).reshape(a.shape)
    return a


def file_size_of(path_or_file) -> int:
    if isinstance(path_or_file, (str, os.PathLike)):
        return os.path.getsize(path_or_file)
    pos = path_or_file.tell()
    path_or_file.seek(0, os.SEEK_END)
    size = path_or_file.tell()
    path_or_file.seek(pos)
    return size


def open_h5(path_or_file, where: str):
    h5py = h5py_module()
    try:
        return h5py.File(path_or_file, 'r')
    except FileNotFoundError:
        raise FileFormatError(f'There is no file at {where}.') from None
    except OSError as exc:
        raise FileFormatError(f'{where} is not a readable HDF5 file ({exc}). Is it a Keras .h5 '
                              'file, and complete?') from None
