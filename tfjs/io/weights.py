"""The binary weight format of TF.js: encoding, decoding (with quantization) and quantizing.

A weights buffer is the values of every weight in manifest order, little-endian, with no
padding: float32 and int32 take 4 bytes, bool 1 (0/1), complex64 8 (real, imaginary float32),
and a string element is a uint32 byte length followed by its UTF-8 bytes. A manifest entry may
carry `quantization` (`uint8` / `uint16` affine with `scale` and `min`, or `float16`); its
`dtype` is then the weight's logical dtype.

>>> import tfjs as tf
>>> data, specs = encode_weights([('w', tf.tensor1d([1.5, -2]))])
>>> data.hex(), specs
('0000c03f000000c0', [{'name': 'w', 'shape': [2], 'dtype': 'float32'}])
>>> decode_weights(data, specs)['w'].arraySync()
[1.5, -2.0]
"""
from __future__ import annotations

import struct
from collections.abc import Mapping
from typing import Iterable, Sequence, Union

import numpy as np

from ..errors import IOError, ValueError
from ..tensor import Tensor, convert_to_tensor

DTYPE_VALUE_SIZE_MAP = {'float32': 4, 'float16': 2, 'int32': 4, 'uint16': 2, 'uint8': 1,
                        'bool': 1, 'complex64': 8}
NUM_BYTES_STRING_LENGTH = 4
WEIGHT_DTYPES = ('float32', 'int32', 'bool', 'string', 'complex64')
QUANTIZATION_DTYPES = ('uint8', 'uint16', 'float16')
_LE = {'float32': '<f4', 'int32': '<i4', 'bool': '<u1', 'complex64': '<c8', 'uint8': '<u1',
       'uint16': '<u2', 'float16': '<f2'}
_NATIVE = {'float32': np.float32, 'int32': np.int32, 'complex64': np.complex64}

WeightData = Union[bytes, bytearray, memoryview, Sequence[Union[bytes, bytearray, memoryview]]]


# ------------------------------------------------------------------------------------ encode

def _named_items(named_tensors) -> list:
    if isinstance(named_tensors, Mapping):
        return list(named_tensors.items())
    items = []
    for item in named_tensors:
        if isinstance(item, Mapping):           # TF.js NamedTensor: {name, tensor}
            items.append((item['name'], item['tensor']))
        else:
            name, value = item
            items.append((name, value))
    return items


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


def tensor_bytes(t: Tensor) -> bytes:
    """The bytes of one tensor in the weights format."""
    a = t._numpy()
    if t.dtype == 'string':
        return encode_string_values(a.reshape(-1))
    return np.ascontiguousarray(a, dtype=_LE[t.dtype]).tobytes()


def encode_weights(named_tensors, group: str | None = None) -> tuple[bytes, list]:
    """TF.js's `io.encodeWeights`: `(data, specs)` for a list of `(name, tensor)` (or a dict, or
    TF.js-style `{'name', 'tensor'}` dicts). Specs get `group` when given (`'model'`/`'optimizer'`).

    >>> import tfjs as tf
    >>> data, specs = encode_weights({'s': tf.tensor1d(['ab'], 'string')}, 'model')
    >>> data, specs
    (b'\\x02\\x00\\x00\\x00ab', [{'name': 's', 'shape': [1], 'dtype': 'string', 'group': 'model'}])
    """
    chunks, specs = [], []
    for name, value in _named_items(named_tensors):
        t = value if isinstance(value, Tensor) else convert_to_tensor(value, name, 'encodeWeights')
        if t.dtype not in WEIGHT_DTYPES:
            raise ValueError(f"Unsupported dtype in weight '{name}': {t.dtype}")
        spec: dict = {'name': name, 'shape': list(t.shape), 'dtype': t.dtype}
        if group is not None:
            spec['group'] = group
        specs.append(spec)
        chunks.append(tensor_bytes(t))
    return b''.join(chunks), specs


# ------------------------------------------------------------------------------------ decode

def as_buffer(weight_data: WeightData) -> memoryview:
    """One flat byte view of `weight_data` (bytes, or a list of buffers that are concatenated)."""
    if weight_data is None:
        return memoryview(b'')
    if isinstance(weight_data, (list, tuple)):
        if len(weight_data) == 1:
            return memoryview(weight_data[0]).cast('B')
        return memoryview(b''.join(weight_data))
    try:
        return memoryview(weight_data).cast('B')
    except TypeError:
        raise ValueError(f'Weight data must be bytes (or a list of bytes), not '
                         f'{type(weight_data).__name__}.') from None


def _describe_source(source, n: int) -> str:
    if source is None:
        return f'The weight data is {n} bytes'
    if isinstance(source, str):
        return f"The weights file '{source}' is {n} bytes"
    source = list(source)
    if len(source) == 1:
        return f"The weights file '{source[0]}' is {n} bytes"
    names = ', '.join(f"'{s}'" for s in source)
    return f'The weights files {names} are {n} bytes in total'


def _spec_error(spec, message: str) -> IOError:
    return IOError(f"Malformed weights manifest entry {spec!r}: {message}")


def _size(spec) -> int:
    if not isinstance(spec, Mapping) or 'name' not in spec:
        raise _spec_error(spec, 'expected an object with "name", "shape" and "dtype".')
    shape = spec.get('shape')
    if not isinstance(shape, (list, tuple)) or not all(
            isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d >= 0 for d in shape):
        raise _spec_error(spec, '"shape" must be a list of non-negative integers.')
    return int(np.prod(shape, dtype=np.int64))


def _quantization(spec):
    q = spec.get('quantization')
    return q if isinstance(q, Mapping) else None


def _fixed_bytes_per_value(spec) -> int | None:
    """Bytes per value, or None for (unquantized) strings, whose length is data-dependent."""
    q = _quantization(spec)
    if q is not None:
        qdtype = q.get('dtype')
        if qdtype not in QUANTIZATION_DTYPES:
            raise IOError(f"Weight {spec['name']} has unknown quantization dtype {qdtype}. "
                          "Supported quantization dtypes are: 'uint8', 'uint16', and 'float16'.")
        return DTYPE_VALUE_SIZE_MAP[qdtype]
    dtype = spec.get('dtype')
    if dtype == 'string':
        return None
    if dtype not in WEIGHT_DTYPES:
        raise IOError(f"Unsupported dtype in weight '{spec['name']}': {dtype}. Weight dtypes are "
                      f"{', '.join(WEIGHT_DTYPES)}.")
    return DTYPE_VALUE_SIZE_MAP[dtype]


def plan_weights(data: memoryview, specs: Sequence[Mapping], source=None) -> list:
    """`[(spec, start, end)]`: where each weight lies in `data`; an IOError when data is short.

    >>> plan_weights(memoryview(bytes(8)), [{'name': 'a', 'shape': [2], 'dtype': 'float32'}])
    [({'name': 'a', 'shape': [2], 'dtype': 'float32'}, 0, 8)]
    """
    if not isinstance(specs, (list, tuple)):
        raise ValueError(f'Weight specs must be a list of manifest entries, not '
                         f'{type(specs).__name__}.')
    n = len(data)
    plan, offset, short, exact = [], 0, None, True
    for spec in specs:
        size = _size(spec)
        per = _fixed_bytes_per_value(spec)
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
        raise IOError(f'{_describe_source(source, n)} but the manifest needs {need} bytes: weight '
                      f"'{spec['name']}' ({spec.get('dtype')} {list(spec.get('shape'))}) takes "
                      f'bytes {start}..{end}. The file is truncated or does not belong to this '
                      'model.json; save or convert the model again.')
    return plan


def _js_round(x: np.ndarray) -> np.ndarray:
    """JavaScript's Math.round: to nearest, ties toward +Infinity."""
    r = np.floor(x)
    return r + ((x - r) >= 0.5)


def _decode_quantized(spec, q, raw: memoryview, size: int) -> tuple[np.ndarray, str]:
    name, dtype, qdtype = spec['name'], spec.get('dtype'), q['dtype']
    if qdtype in ('uint8', 'uint16'):
        if 'min' not in q or 'scale' not in q:
            raise IOError(f"Weight {name} with quantization {qdtype} doesn't have corresponding "
                          'metadata min and scale.')
    elif dtype != 'float32':
        raise IOError(f'Weight {name} is quantized with {qdtype} which only supports weights of '
                      f'type float32 not {dtype}.')
    codes = np.frombuffer(raw, _LE[qdtype], count=size)
    if qdtype == 'float16':
        return codes.astype(np.float32), 'float32'
    # TF.js computes `q * scale + min` in double precision, then stores into the typed array.
    values = codes.astype(np.float64) * float(q['scale']) + float(q['min'])
    if dtype == 'float32':
        return values.astype(np.float32), 'float32'
    if dtype == 'int32':
        return _js_round(values).astype(np.int64).astype(np.int32), 'int32'
    raise IOError(f"Unsupported dtype in weight '{name}': {dtype} (quantized weights must be "
                  'float32 or int32).')


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


def decode_weight_values(spec: Mapping, raw: memoryview) -> tuple[np.ndarray, str]:
    """The flat NumPy values and TF.js dtype of one weight from exactly its bytes."""
    size = _size(spec)
    q = _quantization(spec)
    if q is not None:
        return _decode_quantized(spec, q, raw, size)
    dtype = spec['dtype']
    if dtype == 'string':
        return decode_string_values(raw, size), 'string'
    values = np.frombuffer(raw, _LE[dtype], count=size)
    if dtype == 'bool':
        return values != 0, 'bool'
    return values.astype(_NATIVE[dtype]), dtype


def decode_weight(spec: Mapping, raw: memoryview) -> Tensor:
    """One weight as a Tensor from exactly its bytes."""
    from ..ops.creation import tensor
    values, dtype = decode_weight_values(spec, raw)
    return tensor(values, list(spec['shape']), dtype)


def decode_weights(weight_data: WeightData, specs: Sequence[Mapping], source=None) -> dict:
    """TF.js's `io.decodeWeights`: `{name: Tensor}` from a weights buffer and its specs.

    Handles quantized entries and strings. Raises `tfjs.errors.IOError` (naming `source`, a
    file name or list of names, when given) if the data is shorter than the specs need; nothing
    is created in that case.

    >>> spec = {'name': 'q', 'shape': [3], 'dtype': 'float32',
    ...         'quantization': {'dtype': 'uint8', 'scale': 0.5, 'min': -1}}
    >>> decode_weights(bytes([0, 2, 3]), [spec])['q'].arraySync()
    [-1.0, 0.0, 0.5]
    """
    data = as_buffer(weight_data)
    plan = plan_weights(data, specs, source)
    for spec, _, _ in plan:                      # validate every entry before creating tensors
        q = _quantization(spec)
        if q is not None:
            _decode_quantized(spec, q, memoryview(b''), 0)
    return {spec['name']: decode_weight(spec, data[start:end]) for spec, start, end in plan}


def weights_byte_length(specs: Sequence[Mapping], weight_data: WeightData | None = None) -> int:
    """Bytes the specs need (string weights are measured in `weight_data`)."""
    data = as_buffer(weight_data)
    plan = plan_weights(data, specs)
    return plan[-1][2] if plan else 0


# ------------------------------------------------------------------------------ quantization

_QMAX = {'uint8': 255, 'uint16': 65535}


def _quantization_name(dtype) -> str:
    name = dtype if isinstance(dtype, str) else np.dtype(dtype).name
    if name not in QUANTIZATION_DTYPES:
        raise ValueError(f"Invalid quantization dtype {dtype!r}: use 'uint8', 'uint16' or "
                         "'float16'.")
    return name


def affine_quantization_range(min_val: float, max_val: float, qdtype: str):
    """`(scale, nudged_min, nudged_max)`: the converter's range, nudged so 0 is exact."""
    qmax = _QMAX[_quantization_name(qdtype)]
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
    qname = _quantization_name(quantization_dtype)
    data = np.asarray(data)
    if data.dtype.kind not in 'fiu':
        raise ValueError(f'Only numeric weights can be quantized, not {data.dtype}.')
    original = 'float32' if data.dtype.kind == 'f' else 'int32'
    if qname == 'float16':
        if data.dtype != np.float32:
            raise ValueError(f'Invalid data dtype {data.dtype.name}: float16 quantization only '
                             'supports float32 data.')
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


from .matching import match_weights  # noqa: E402,F401 - part of this module's API
