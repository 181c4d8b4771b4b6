"""The binary weight format of TF.js, in NumPy only: encoding, decoding (with quantization),
quantizing as the `tensorflowjs` converter does, and splitting into shard files.

A weights buffer is the values of every weight in manifest order, little-endian, with no
padding: float32 and int32 take 4 bytes, bool 1 (0/1), complex64 8 (real, imaginary float32),
and a string element is a uint32 byte length followed by its UTF-8 bytes. A manifest entry may
carry `quantization` (`uint8` / `uint16` affine with `scale` and `min`, or `float16`); its
`dtype` is then the weight's logical dtype. `tfjs.io.weights` uses these functions, so the
runtime and the converter read and write the same bytes.

>>> data, specs = encode_weights([('w', np.array([1.5, -2], np.float32))])
>>> data.hex(), specs
('0000c03f000000c0', [{'name': 'w', 'shape': [2], 'dtype': 'float32'}])
>>> [(s['name'], a.tolist()) for s, a in decode_weights(data, specs)]
[('w', [1.5, -2.0])]
"""
from __future__ import annotations

import fnmatch
import math
import struct
from collections.abc import Mapping
from typing import Iterable, Sequence

import numpy as np

from .errors import FileFormatError

DTYPE_VALUE_SIZE_MAP = {'float32': 4, 'float16': 2, 'int32': 4, 'uint16': 2, 'uint8': 1,
                        'bool': 1, 'complex64': 8}
NUM_BYTES_STRING_LENGTH = 4
WEIGHT_DTYPES = ('float32', 'int32', 'bool', 'string', 'complex64')
QUANTIZATION_DTYPES = ('uint8', 'uint16', 'float16')
DEFAULT_SHARD_SIZE_BYTES = 4 * 1024 * 1024
_LE = {'float32': '<f4', 'int32': '<i4', 'bool': '<u1', 'complex64': '<c8', 'uint8': '<u1',
       'uint16': '<u2', 'float16': '<f2'}
_NATIVE = {'float32': np.float32, 'int32': np.int32, 'complex64': np.complex64}
_QMAX = {'uint8': 255, 'uint16': 65535}


class QuantizationError(ValueError):
    """A bad quantization request (dtype, data, or overlapping name patterns)."""


# ------------------------------------------------------------------------------ arrays / dtypes

def tfjs_dtype(array: np.ndarray) -> str:
    """The TF.js dtype that holds `array` after the converter's automatic conversions
    (float16/float64 -> float32, int64 and other integers -> int32, complex128 -> complex64).

    >>> tfjs_dtype(np.zeros(2, np.float64)), tfjs_dtype(np.array(['a'])), tfjs_dtype(np.int64(1))
    ('float32', 'string', 'int32')
    """
    a = np.asarray(array)
    kind = a.dtype.kind
    if kind == 'b':
        return 'bool'
    if kind == 'f':
        return 'float32'
    if kind in 'iu':
        return 'int32'
    if kind == 'c':
        return 'complex64'
    if kind in 'OSU':
        return 'string'
    raise ValueError(f'Unsupported weight dtype {a.dtype}: TF.js weights are float32, int32, '
                     'bool, complex64 or string.')


def as_tfjs_array(array) -> np.ndarray:
    """`array` converted to the NumPy dtype of its TF.js dtype (strings: an object array)."""
    a = np.asarray(array)
    dtype = tfjs_dtype(a)
    if dtype == 'string':
        return a.astype(object)
    if dtype == 'bool':
        return a.astype(np.bool_)
    return a.astype(_NATIVE[dtype], copy=False)


def encode_string_values(values: Iterable) -> bytes:
    """Strings as TF.js stores them: per element a uint32 byte length, then the UTF-8 bytes."""
    chunks = []
    for v in values:
        b = v if isinstance(v, (bytes, bytearray)) else _utf8(str(v))
        chunks.append(struct.pack('<I', len(b)))
        chunks.append(bytes(b))
    return b''.join(chunks)


def _utf8(s: str) -> bytes:
    try:
        return s.encode('utf-8')
    except UnicodeEncodeError:   # bytes that were not UTF-8 when decoded round-trip unchanged
        return s.encode('utf-8', 'surrogateescape')


def array_bytes(array: np.ndarray, dtype: str) -> bytes:
    """The bytes of one array of TF.js dtype `dtype` (or a quantization dtype)."""
    a = np.asarray(array)
    if dtype == 'string':
        return encode_string_values(a.reshape(-1))
    return np.ascontiguousarray(a, dtype=_LE[dtype]).tobytes()


def encode_weights(named_arrays, group: str | None = None) -> tuple[bytes, list]:
    """`(data, specs)` for `[(name, array)]` (or a dict); arrays are auto-converted to TF.js
    dtypes. Specs get `group` when given (`'model'` / `'optimizer'`)."""
    items = list(named_arrays.items()) if isinstance(named_arrays, Mapping) else list(named_arrays)
    chunks, specs = [], []
    for name, value in items:
        a = as_tfjs_array(value)
        dtype = tfjs_dtype(a)
        spec: dict = {'name': name, 'shape': [int(d) for d in a.shape], 'dtype': dtype}
        if group is not None:
            spec['group'] = group
        specs.append(spec)
        chunks.append(array_bytes(a, dtype))
    return b''.join(chunks), specs


# ------------------------------------------------------------------------------------ decode

def as_buffer(weight_data) -> memoryview:
    """One flat byte view of `weight_data` (bytes, or a list of buffers that are concatenated)."""
    if weight_data is None:
        return memoryview(b'')
    if isinstance(weight_data, (list, tuple)):
        if len(weight_data) == 1:
            return memoryview(weight_data[0]).cast('B')
        return join_buffers(weight_data)
    try:
        return memoryview(weight_data).cast('B')
    except TypeError:
        raise ValueError(f'Weight data must be bytes (or a list of bytes), not '
                         f'{type(weight_data).__name__}.') from None


def join_buffers(buffers: Sequence) -> memoryview:
    """The bytes of `buffers` one after the other, in one new writable buffer (one copy; a
    `memoryview` of a NumPy array, which is not zero-filled first).

    >>> bytes(join_buffers([b'ab', bytearray(b'c')]))
    b'abc'
    """
    views = [memoryview(b).cast('B') for b in buffers]
    out = memoryview(np.empty(sum(len(v) for v in views), np.uint8)).cast('B')
    offset = 0
    for v in views:
        out[offset:offset + len(v)] = v
        offset += len(v)
    return out


def describe_source(source, n: int) -> str:
    if source is None:
        return f'The weight data is {n} bytes'
    if isinstance(source, str):
        return f"The weights file '{source}' is {n} bytes"
    source = list(source)
    if len(source) == 1:
        return f"The weights file '{source[0]}' is {n} bytes"
    names = ', '.join(f"'{s}'" for s in source)
    return f'The weights files {names} are {n} bytes in total'


def _spec_error(spec, message: str) -> FileFormatError:
    return FileFormatError(f"Malformed weights manifest entry {spec!r}: {message}")


def spec_size(spec) -> int:
    """Number of values of a manifest entry (validating `name` and `shape`)."""
    if not isinstance(spec, Mapping) or 'name' not in spec:
        raise _spec_error(spec, 'expected an object with "name", "shape" and "dtype".')
    shape = spec.get('shape')
    if not isinstance(shape, (list, tuple)) or not all(
            isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d >= 0 for d in shape):
        raise _spec_error(spec, '"shape" must be a list of non-negative integers.')
    size = 1
    for d in shape:                 # exact (Python ints): no overflow on absurd shapes
        size *= int(d)
    return size


def spec_quantization(spec):
    q = spec.get('quantization')
    return q if isinstance(q, Mapping) else None


def fixed_bytes_per_value(spec) -> int | None:
    """Bytes per value, or None for (unquantized) strings, whose length is data-dependent."""
    q = spec_quantization(spec)
    if q is not None:
        qdtype = q.get('dtype')
        if qdtype not in QUANTIZATION_DTYPES:
            raise FileFormatError(f"Weight {spec['name']} has unknown quantization dtype {qdtype}. "
                                  "Supported quantization dtypes are: 'uint8', 'uint16', and "
                                  "'float16'.")
        return DTYPE_VALUE_SIZE_MAP[qdtype]
    dtype = spec.get('dtype')
    if dtype == 'string':
        return None
    if dtype not in WEIGHT_DTYPES:
        raise FileFormatError(f"Unsupported dtype in weight '{spec['name']}': {dtype}. Weight "
                              f"dtypes are {', '.join(WEIGHT_DTYPES)}.")
    return DTYPE_VALUE_SIZE_MAP[dtype]


def plan_weights(data: memoryview, specs: Sequence[Mapping], source=None) -> list:
    """`[(spec, start, end)]`: where each weight lies in `data`; FileFormatError when the data
    is shorter than the specs declare (checked before anything is allocated).

    >>> plan_weights(memoryview(bytes(8)), [{'name': 'a', 'shape': [2], 'dtype': 'float32'}])
    [({'name': 'a', 'shape': [2], 'dtype': 'float32'}, 0, 8)]
    """
    if not isinstance(specs, (list, tuple)):
        raise ValueError(f'Weight specs must be a list of manifest entries, not '
                         f'{type(specs).__name__}.')
    n = len(data)
    plan, offset, short, exact = [], 0, None, True
    for spec in specs:
        size = spec_size(spec)
        per = fixed_bytes_per_value(spec)
        start = offset
        if per is not None:
            offset += size * per
        else:                                  # walk the string length prefixes
            for _ in range(size):
                if offset + NUM_BYTES_STRING_LENGTH > n:
                    offset += NUM_BYTES_STRING_LENGTH
                    exact = False
                    break
                (length,) = struct.unpack_from('<I', data, offset)
                offset += NUM_BYTES_STRING_LENGTH + length
        if offset > n and short is None:
            short = (spec, start, offset)
        if not exact:
            break
        plan.append((spec, start, offset))
    if short is not None:
        spec, start, end = short
        need = f'{"at least " if not exact else ""}{offset}'
        raise FileFormatError(
            f'{describe_source(source, n)} but the manifest needs {need} bytes: weight '
            f"'{spec['name']}' ({spec.get('dtype')} {list(spec.get('shape'))}) takes bytes "
            f'{start}..{end}. The file is truncated or does not belong to this model.json; save '
            'or convert the model again.')
    return plan


def js_round(x: np.ndarray) -> np.ndarray:
    """JavaScript's Math.round: to nearest, ties toward +Infinity."""
    r = np.floor(x)
    return r + ((x - r) >= 0.5)


def check_quantized_spec(spec, q) -> None:
    """Raise FileFormatError when a quantized entry cannot be decoded (as TF.js would)."""
    name, dtype, qdtype = spec['name'], spec.get('dtype'), q['dtype']
    if qdtype in ('uint8', 'uint16'):
        if 'min' not in q or 'scale' not in q:
            raise FileFormatError(f"Weight {name} with quantization {qdtype} doesn't have "
                                  'corresponding metadata min and scale.')
        if dtype not in ('float32', 'int32'):
            raise FileFormatError(f"Unsupported dtype in weight '{name}': {dtype} (quantized "
                                  'weights must be float32 or int32).')
    elif dtype != 'float32':
        raise FileFormatError(f'Weight {name} is quantized with {qdtype} which only supports '
                              f'weights of type float32 not {dtype}.')


def dequantize(codes: np.ndarray, q: Mapping, dtype: str) -> np.ndarray:
    """Values from quantized codes, with TF.js's arithmetic (`q * scale + min` in double
    precision, stored as float32; int32 targets rounded as JavaScript rounds)."""
    if q['dtype'] == 'float16':
        return codes.astype(np.float32)
    values = codes.astype(np.float64) * float(q['scale']) + float(q['min'])
    if dtype == 'int32':
        return js_round(values).astype(np.int64).astype(np.int32)
    return values.astype(np.float32)


def decode_string_values(raw: memoryview, size: int) -> np.ndarray:
    """`size` length-prefixed UTF-8 strings from `raw`, as a NumPy object array of str."""
    out = np.empty(size, dtype=object)
    offset = 0
    for i in range(size):
        (length,) = struct.unpack_from('<I', raw, offset)
        offset += NUM_BYTES_STRING_LENGTH
        out[i] = bytes(raw[offset:offset + length]).decode('utf-8', 'surrogateescape')
        offset += length
    return out


def decode_weight_values(spec: Mapping, raw: memoryview,
                         copy: bool = True) -> tuple[np.ndarray, str]:
    """The flat NumPy values and TF.js dtype of one weight from exactly its bytes. With
    `copy=False`, float32 / int32 / complex64 values are a view of `raw` (read-only when `raw`
    is) on a little-endian machine; dequantized, bool and string values are always new arrays
    (`values.flags.owndata` tells which)."""
    size = spec_size(spec)
    q = spec_quantization(spec)
    if q is not None:
        check_quantized_spec(spec, q)
        codes = np.frombuffer(raw, _LE[q['dtype']], count=size)
        dtype = 'float32' if q['dtype'] == 'float16' else spec['dtype']
        return dequantize(codes, q, dtype), dtype
    dtype = spec['dtype']
    if dtype == 'string':
        return decode_string_values(raw, size), 'string'
    values = np.frombuffer(raw, _LE[dtype], count=size)
    if dtype == 'bool':
        return values != 0, 'bool'
    return values.astype(_NATIVE[dtype], copy=copy), dtype


def decode_weights(weight_data, specs: Sequence[Mapping], source=None) -> list:
    """`[(spec, array)]` from a weights buffer (or list of shard buffers) and its specs; every
    entry is validated before any array is made. Arrays have the spec's shape and are
    dequantized.

    >>> spec = {'name': 'q', 'shape': [3], 'dtype': 'float32',
    ...         'quantization': {'dtype': 'uint8', 'scale': 0.5, 'min': -1}}
    >>> decode_weights(bytes([0, 2, 3]), [spec])[0][1].tolist()
    [-1.0, 0.0, 0.5]
    """
    data = as_buffer(weight_data)
    plan = plan_weights(data, specs, source)
    for spec, _, _ in plan:
        q = spec_quantization(spec)
        if q is not None:
            check_quantized_spec(spec, q)
    out = []
    for spec, start, end in plan:
        values, _ = decode_weight_values(spec, data[start:end])
        out.append((spec, values.reshape([int(d) for d in spec['shape']])))
    return out


# ------------------------------------------------------------------------------ quantization

def quantization_name(dtype) -> str:
    name = dtype if isinstance(dtype, str) else np.dtype(dtype).name
    if name not in QUANTIZATION_DTYPES:
        raise QuantizationError(f"Invalid quantization dtype {dtype!r}: use 'uint8', 'uint16' or "
                                "'float16'.")
    return name


def affine_quantization_range(min_val: float, max_val: float, qdtype: str):
    """`(scale, nudged_min, nudged_max)`: the converter's range, nudged so 0 is exact."""
    qmax = _QMAX[quantization_name(qdtype)]
    scale = (max_val - min_val) / qmax
    if min_val <= 0 <= max_val:
        zero_point = float(np.round((0 - min_val) / scale))
        nudged_min = -zero_point * scale
        return scale, nudged_min, qmax * scale + nudged_min
    return scale, min_val, max_val


def quantize_weights(data, quantization_dtype) -> tuple[np.ndarray, dict]:
    """Quantize an array as the TF.js converter does: `(codes, quantization_metadata)`.

    `uint8`/`uint16`: affine over [min, max] (float64 arithmetic), nudged so that 0 is exactly
    representable when the range covers it; all-equal data gives codes 0 and scale 1.
    `float16`: IEEE half (float32 input only). The metadata is a manifest `quantization` entry.

    >>> codes, meta = quantize_weights(np.array([-1, 0, 1], np.float32), 'uint8')
    >>> codes.tolist(), meta['dtype'], meta['min'] + 255 * meta['scale'] > 0.99
    ([0, 128, 255], 'uint8', True)
    """
    qname = quantization_name(quantization_dtype)
    data = np.asarray(data)
    if data.dtype.kind not in 'fiu':
        raise QuantizationError(f'Only numeric weights can be quantized, not {data.dtype}.')
    original = 'float32' if data.dtype.kind == 'f' else 'int32'
    if qname == 'float16':
        if data.dtype != np.float32:
            raise QuantizationError(f'Invalid data dtype {data.dtype.name}: float16 quantization '
                                    'only supports float32 data.')
        return data.astype(np.float16), {'dtype': 'float16', 'original_dtype': 'float32'}
    qtype = np.uint8 if qname == 'uint8' else np.uint16
    if data.size == 0:
        return np.zeros(data.shape, qtype), {'dtype': qname, 'min': 0.0, 'scale': 1.0,
                                             'original_dtype': original}
    min_val, max_val = float(np.float64(data.min())), float(np.float64(data.max()))
    if min_val == max_val:
        codes, scale = np.zeros(data.shape, qtype), 1.0
    else:
        scale, min_val, max_val = affine_quantization_range(min_val, max_val, qname)
        x = np.clip(data.astype(np.float64), min_val, max_val)
        codes = np.round((x - min_val) / scale).astype(qtype)
    return codes, {'dtype': qname, 'min': min_val, 'scale': scale, 'original_dtype': original}


def map_names_to_quantization_dtype(names: Sequence[str], dtype_map) -> dict:
    """`{name: 'uint8'|'uint16'|'float16'}` as the converter's
    `map_layers_to_quantization_dtype`: `dtype_map` maps a dtype to fnmatch patterns (a list or
    one string) or to True (a fallthrough for every name no pattern matched; at most one).

    >>> map_names_to_quantization_dtype(['a/kernel', 'a/bias'], {'uint8': ['*/kernel'],
    ...                                                          'float16': True})
    {'a/kernel': 'uint8', 'a/bias': 'float16'}
    """
    if not dtype_map:
        return {}
    fallthrough = None
    out: dict = {}
    for dtype, patterns in dtype_map.items():
        dtype = quantization_name(dtype)
        if patterns is True:
            if fallthrough is not None:
                raise QuantizationError('More than one quantization fallthrough provided, exactly '
                                        'one is supported.')
            fallthrough = dtype
            continue
        if isinstance(patterns, str):
            patterns = [patterns]
        for pattern in patterns or []:
            for name in fnmatch.filter(names, pattern):
                if name in out and out[name] != dtype:
                    raise QuantizationError(f'Two quantization values {dtype}, {out[name]} match '
                                            f'the same weight {name}.')
                out[name] = dtype
    if fallthrough is not None:
        for name in names:
            out.setdefault(name, fallthrough)
    return {n: out[n] for n in names if n in out}


def quantize_entry(name: str, array: np.ndarray, qdtype: str | None):
    """`(bytes, spec)` for one weight, quantized when `qdtype` is given and the weight is
    float32 (the converter leaves other dtypes alone)."""
    a = as_tfjs_array(array)
    dtype = tfjs_dtype(a)
    spec: dict = {'name': name, 'shape': [int(d) for d in a.shape], 'dtype': dtype}
    if qdtype is None or dtype != 'float32':
        return array_bytes(a, dtype), spec
    codes, meta = quantize_weights(a, qdtype)
    q = {'dtype': meta['dtype']}
    q.update({k: v for k, v in meta.items() if k != 'dtype'})
    spec['quantization'] = q
    return array_bytes(codes, meta['dtype']), spec


def shard_bytes(data: bytes, shard_size_bytes: int = DEFAULT_SHARD_SIZE_BYTES) -> list:
    """Split a group's bytes into consecutive shards of at most `shard_size_bytes`."""
    if not isinstance(shard_size_bytes, int) or isinstance(shard_size_bytes, bool) \
            or shard_size_bytes <= 0:
        raise ValueError(f'The weight shard size must be a positive integer (bytes), not '
                         f'{shard_size_bytes!r}.')
    n = max(1, math.ceil(len(data) / shard_size_bytes)) if data else 0
    view = memoryview(data)
    return [view[i * shard_size_bytes:(i + 1) * shard_size_bytes] for i in range(n)]


def shard_file_names(group_index: int, count: int) -> list:
    """`group<G>-shard<i>of<N>.bin` (1-based), the converter's names."""
    return [f'group{group_index + 1}-shard{i + 1}of{count}.bin' for i in range(count)]
