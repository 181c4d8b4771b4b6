"""JavaScript's `JSON.stringify` (no indentation), so files written here match TF.js byte for byte.

Differences from `json.dumps` that matter: numbers use JS formatting (`1` not `1.0`, `1e-7`
not `1e-07`, NaN and Infinity become `null`), non-ASCII text is written as is, and object keys
that are array indices (`"0"`, `"10"`) come first in ascending order, as in a JS object.

>>> stringify({'b': 1.0, 'a': [1e-7, None, True, 'é'], '2': float('nan')})
'{"2":null,"b":1,"a":[1e-7,null,true,"é"]}'
"""
from __future__ import annotations

import json
import math
import re
from typing import Any

import numpy as np

from .._format import js_number_to_string

_MAX_INDEX = 2 ** 32 - 2
_SURROGATE = re.compile('[\ud800-\udfff]')


def _encode_str(s: str) -> str:
    """A JSON string literal as JS writes it: escapes `"`, `\\`, control characters and lone
    surrogates (lowercase hex), and keeps other non-ASCII characters as they are."""
    text = json.encoder.py_encode_basestring(s)
    return _SURROGATE.sub(lambda m: f'\\u{ord(m.group()):04x}', text) if _SURROGATE.search(s) else text


def _is_array_index(key: str) -> bool:
    return key.isdigit() and key.isascii() and (key == '0' or key[0] != '0') \
        and int(key) <= _MAX_INDEX


def _number(x) -> str:
    if isinstance(x, (bool, np.bool_)):
        return 'true' if x else 'false'
    if isinstance(x, (int, np.integer)) and abs(int(x)) < 2 ** 53:
        return str(int(x))
    x = float(x)
    return js_number_to_string(x) if math.isfinite(x) else 'null'


def _key(k: Any) -> str:
    if isinstance(k, str):
        return k
    if isinstance(k, (bool, np.bool_)):
        return 'true' if k else 'false'
    if k is None:
        return 'null'
    if isinstance(k, (int, float, np.number)):
        return _number(k)
    raise TypeError(f'JSON object keys must be strings, not {type(k).__name__}.')


def _write(value: Any, out: list) -> None:
    if value is None:
        out.append('null')
    elif isinstance(value, str):
        out.append(_encode_str(value))
    elif isinstance(value, (bool, int, float, np.number, np.bool_)):
        out.append(_number(value))
    elif isinstance(value, dict):
        keys = [(_key(k), v) for k, v in value.items()]
        index = sorted(((k, v) for k, v in keys if _is_array_index(k)), key=lambda kv: int(kv[0]))
        rest = [(k, v) for k, v in keys if not _is_array_index(k)]
        out.append('{')
        first = True
        for k, v in index + rest:
            if callable(v):       # JS drops functions (and undefined) from objects
                continue
            if not first:
                out.append(',')
            first = False
            out.append(_encode_str(k))
            out.append(':')
            _write(v, out)
        out.append('}')
    elif isinstance(value, (list, tuple, np.ndarray)):
        items = value.tolist() if isinstance(value, np.ndarray) else value
        out.append('[')
        for i, v in enumerate(items):
            if i:
                out.append(',')
            if callable(v):
                out.append('null')
            else:
                _write(v, out)
        out.append(']')
    elif hasattr(value, 'toJSON') and callable(value.toJSON):
        _write(value.toJSON(), out)
    else:
        raise TypeError(f'Object of type {type(value).__name__} is not JSON serializable.')


def stringify(value: Any) -> str:
    """`JSON.stringify(value)`: compact JSON text exactly as JavaScript writes it."""
    out: list = []
    _write(value, out)
    return ''.join(out)


def utf8_length(text: str) -> int:
    """Byte length of `text` in UTF-8 (TF.js's `stringByteLength`)."""
    return len(text.encode('utf-8', 'surrogatepass'))
