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

import builtins
import functools
from collections.abc import Mapping
from typing import Sequence, Union

import numpy as np
from tfjs_converter import weights as _fmt
from tfjs_converter.errors import FileFormatError

from ..errors import IOError, ValueError
from ..tensor import Tensor, convert_to_tensor

# The byte format itself (sizes, strings, planning, quantization) is NumPy-only code shared with
# the converter (`tfjs_converter.weights`); this module adds tensors and tfjs's error classes.
DTYPE_VALUE_SIZE_MAP = _fmt.DTYPE_VALUE_SIZE_MAP
NUM_BYTES_STRING_LENGTH = _fmt.NUM_BYTES_STRING_LENGTH
WEIGHT_DTYPES = _fmt.WEIGHT_DTYPES
QUANTIZATION_DTYPES = _fmt.QUANTIZATION_DTYPES
_LE = _fmt._LE


def _tfjs_errors(fn):
    """Re-raise the shared code's errors as tfjs's `IOError` / `ValueError`, same message."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except FileFormatError as exc:
            raise IOError(str(exc)) from None
        except builtins.ValueError as exc:
            if isinstance(exc, ValueError):
                raise
            raise ValueError(str(exc)) from None
    return wrapper

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


encode_string_values = _fmt.encode_string_values


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

as_buffer = _tfjs_errors(_fmt.as_buffer)
join_buffers = _fmt.join_buffers
plan_weights = _tfjs_errors(_fmt.plan_weights)
decode_string_values = _fmt.decode_string_values
decode_weight_values = _tfjs_errors(_fmt.decode_weight_values)
_js_round = _fmt.js_round


def _decode_quantized(spec, q, raw: memoryview, size: int) -> tuple[np.ndarray, str]:
    """Validate a quantized entry (as TF.js does) and decode `size` values from `raw`."""
    _tfjs_errors(_fmt.check_quantized_spec)(spec, q)
    codes = np.frombuffer(raw, _LE[q['dtype']], count=size)
    dtype = 'float32' if q['dtype'] == 'float16' else spec['dtype']
    return _fmt.dequantize(codes, q, dtype), dtype


def decode_weight(spec: Mapping, raw: memoryview) -> Tensor:
    """One weight as a Tensor (memory of its own) from exactly its bytes."""
    from ..engine.weight_loading import tensor_from_array
    values, dtype = decode_weight_values(spec, raw, False)
    return tensor_from_array(values, dtype, spec['shape'], values.flags.owndata)


def decode_weight_arrays(weight_data: WeightData, specs: Sequence[Mapping],
                         source=None) -> list:
    """`[(spec, flat values, dtype)]`, every entry validated before any is decoded; float32 and
    int32 values are views of `weight_data` (see `decode_weight_values`), the rest new arrays.

    >>> [(s['name'], v.tolist(), d) for s, v, d in decode_weight_arrays(bytes(4), [
    ...     {'name': 'a', 'shape': [], 'dtype': 'int32'}])]
    [('a', [0], 'int32')]
    """
    data = as_buffer(weight_data)
    plan = plan_weights(data, specs, source)
    for spec, _, _ in plan:                      # validate every entry before creating tensors
        q = _fmt.spec_quantization(spec)
        if q is not None:
            _decode_quantized(spec, q, memoryview(b''), 0)
    out = []
    for spec, start, end in plan:
        values, dtype = decode_weight_values(spec, data[start:end], False)
        out.append((spec, values, dtype))
    return out


def decode_weights(weight_data: WeightData, specs: Sequence[Mapping], source=None) -> dict:
    """TF.js's `io.decodeWeights`: `{name: Tensor}` from a weights buffer and its specs.

    Handles quantized entries and strings. Raises `tfjs.errors.IOError` (naming `source`, a
    file name or list of names, when given) if the data is shorter than the specs need; nothing
    is created in that case. Each tensor has memory of its own (`weight_data` is copied once).

    >>> spec = {'name': 'q', 'shape': [3], 'dtype': 'float32',
    ...         'quantization': {'dtype': 'uint8', 'scale': 0.5, 'min': -1}}
    >>> decode_weights(bytes([0, 2, 3]), [spec])['q'].arraySync()
    [-1.0, 0.0, 0.5]
    """
    from ..engine.weight_loading import tensor_from_array
    return {spec['name']: tensor_from_array(values, dtype, spec['shape'], values.flags.owndata)
            for spec, values, dtype in decode_weight_arrays(weight_data, specs, source)}


def weights_byte_length(specs: Sequence[Mapping], weight_data: WeightData | None = None) -> int:
    """Bytes the specs need (string weights are measured in `weight_data`)."""
    data = as_buffer(weight_data)
    plan = plan_weights(data, specs)
    return plan[-1][2] if plan else 0


# ------------------------------------------------------------------------------ quantization

affine_quantization_range = _tfjs_errors(_fmt.affine_quantization_range)
quantize_weights = _tfjs_errors(_fmt.quantize_weights)


from .matching import match_weights  # noqa: E402,F401 - part of this module's API
