"""Tensor printing, ported exactly from TF.js ``tensor_format.ts``.

Also provides the JavaScript number formatting it relies on:
``js_number_to_string`` (``String(x)``) and ``js_to_fixed``
(``x.toFixed(digits)``).
"""

import math

import numpy as np

__all__ = ['tensor_to_string', 'js_number_to_string', 'js_to_fixed']

# Maximum number of values before we decide to show ellipsis.
FORMAT_LIMIT_NUM_VALS = 20
# Number of first and last values to show when displaying a, b,...,y, z.
FORMAT_NUM_FIRST_LAST_VALS = 3
# Number of significant digits to show.
FORMAT_NUM_SIG_DIGITS = 7

def js_number_to_string(x) -> str:
    """Return JavaScript's ``String(x)`` for a double (ECMAScript Number::toString)."""
    x = float(x)
    if x != x:
        return 'NaN'
    if x == 0:
        return '0'
    if x < 0:
        return '-' + js_number_to_string(-x)
    if x == math.inf:
        return 'Infinity'
    # repr() yields the shortest round-trip digits, as JS does; only the
    # layout differs. Value = 0.<s> * 10**n with s free of outer zeros.
    mant, _, exp = repr(x).partition('e')
    int_part, _, frac_part = mant.partition('.')
    s = (int_part + frac_part).lstrip('0')
    n = len(int_part) + int(exp or 0) - (len(int_part + frac_part) - len(s))
    s = s.rstrip('0')
    k = len(s)
    if k <= n <= 21:
        return s + '0' * (n - k)
    if 0 < n <= 21:
        return s[:n] + '.' + s[n:]
    if -6 < n <= 0:
        return '0.' + '0' * (-n) + s
    e = n - 1
    return s[0] + ('.' + s[1:] if k > 1 else '') + ('e+' if e >= 0 else 'e-') + str(abs(e))


def js_to_fixed(x, digits: int) -> str:
    """Return JavaScript's ``x.toFixed(digits)`` for a double."""
    x = float(x)
    if not math.isfinite(x) or abs(x) >= 1e21:
        return js_number_to_string(x)
    sign = '-' if x < 0 else ''
    # Exact binary value p/q, rounded half up ("pick the larger n").
    p, q = abs(x).as_integer_ratio()
    n = str((2 * p * 10 ** digits + q) // (2 * q))
    if digits == 0:
        return sign + n
    n = n.rjust(digits + 1, '0')
    return sign + n[:-digits] + '.' + n[-digits:]


def _js_len(s: str) -> int:
    """Length of ``s`` in UTF-16 code units, like JavaScript's ``.length``."""
    return len(s) if s.isascii() else len(s.encode('utf-16-le')) // 2


def _right_pad(s: str, size) -> str:
    if size is None or size <= _js_len(s):
        return s
    return s + ' ' * (size - _js_len(s))


def _fmt_num(v: float) -> str:
    """``parseFloat(v.toFixed(7)).toString()``."""
    return js_number_to_string(float(js_to_fixed(v, FORMAT_NUM_SIG_DIGITS)))


def _bool_str(v) -> str:
    return 'false' if v == 0 else 'true'


def _val_to_string(val, pad, dtype) -> str:
    if isinstance(val, tuple):
        s = f'{_fmt_num(val[0])} + {_fmt_num(val[1])}j'
    elif isinstance(val, str):
        s = f"'{val}'"
    elif dtype == 'bool':
        s = _bool_str(val)
    else:
        s = _fmt_num(val)
    return _right_pad(s, pad)


def _complex_tuples(vals):
    return [(vals[i], vals[i + 1]) for i in range(0, len(vals) - 1, 2)]


def _compute_strides(shape):
    strides = [0] * max(len(shape) - 1, 0)
    if len(shape) >= 2:
        strides[-1] = shape[-1]
        for i in range(len(shape) - 3, -1, -1):
            strides[i] = strides[i + 1] * shape[i + 1]
    return strides


def _normalize_values(values, dtype):
    """Flatten ``values`` into a list of what a TF.js ``dataSync()`` yields."""
    if dtype in ('float32', 'complex64'):
        # Widen float32 to double exactly as a Float32Array read would.
        return np.asarray(values, dtype=np.float32).reshape(-1).astype(np.float64).tolist()
    if isinstance(values, np.ndarray):
        values = values.reshape(-1).tolist()
    else:
        values = list(values)
    if dtype == 'string':
        return [v.decode('utf-8') if isinstance(v, (bytes, bytearray)) else str(v)
                for v in values]
    if dtype == 'bool':
        return [0 if not v else 1 for v in values]
    return [float(v) for v in values]


def _max_size_per_column(vals, shape, dtype, strides):
    n = int(np.prod(shape)) if shape else 1
    rank = len(shape)
    if rank < 2:
        return [0]  # JS: new Array(undefined).fill(0)
    num_cols = strides[-1]
    pad = [0] * num_cols
    items = _complex_tuples(vals) if dtype == 'complex64' else vals
    if num_cols > 0:
        for row in range(n // num_cols):
            offset = row * num_cols
            for j in range(num_cols):
                pad[j] = max(pad[j], _js_len(_val_to_string(items[offset + j], 0, dtype)))
    return pad


def _sub_tensor_to_string(vals, shape, dtype, strides, pad_per_col, is_last=True):
    per_elem = 2 if dtype == 'complex64' else 1
    rank = len(shape)

    def pad(i):
        return pad_per_col[i] if 0 <= i < len(pad_per_col) else None

    def fmt(xs, start=0):
        return ', '.join(_val_to_string(x, pad(start + i), dtype) for i, x in enumerate(xs))

    if rank == 0:
        if dtype == 'complex64':
            return [_val_to_string(_complex_tuples(vals)[0], 0, dtype)]
        if dtype == 'bool':
            return [_bool_str(vals[0])]
        if dtype == 'string':
            return [vals[0]]
        return [js_number_to_string(vals[0])]

    size = shape[0]
    if rank == 1:
        if size > FORMAT_LIMIT_NUM_VALS:
            k = FORMAT_NUM_FIRST_LAST_VALS
            first = vals[:k * per_elem]
            last = vals[(size - k) * per_elem:size * per_elem]
            if dtype == 'complex64':
                first, last = _complex_tuples(first), _complex_tuples(last)
            return ['[' + fmt(first) + ', ..., ' + fmt(last, size - k) + ']']
        shown = _complex_tuples(vals) if dtype == 'complex64' else vals
        return ['[' + fmt(shown) + ']']

    # Rank 2 or more.
    sub_shape, sub_strides = shape[1:], strides[1:]
    stride = strides[0] * per_elem
    lines = []

    def emit(i, last):
        lines.extend(_sub_tensor_to_string(
            vals[i * stride:(i + 1) * stride], sub_shape, dtype, sub_strides,
            pad_per_col, last))

    if size > FORMAT_LIMIT_NUM_VALS:
        for i in range(FORMAT_NUM_FIRST_LAST_VALS):
            emit(i, False)
        lines.append('...')
        for i in range(size - FORMAT_NUM_FIRST_LAST_VALS, size):
            emit(i, i == size - 1)
    else:
        for i in range(size):
            emit(i, i == size - 1)
    sep = ',' if rank == 2 else ''
    if lines:
        lines[0] = '[' + (lines[0] + sep if size > 0 else '')
    else:
        lines.append('[')
    for i in range(1, len(lines) - 1):
        lines[i] = ' ' + lines[i] + sep
    new_line_sep = ',\n' + '\n' * (rank - 2)
    lines[-1] = ' ' + lines[-1] + ']' + ('' if is_last else new_line_sep)
    return lines


def tensor_to_string(values, shape, dtype, verbose=False) -> str:
    """Return exactly what TF.js's ``tensor.toString(verbose)`` returns.

    ``values`` is the flat row-major data (complex64: interleaved re, im).
    """
    shape = [int(d) for d in shape]
    vals = _normalize_values(values, dtype)
    strides = _compute_strides(shape)
    pad_per_col = _max_size_per_column(vals, shape, dtype, strides)
    vals_lines = _sub_tensor_to_string(vals, shape, dtype, strides, pad_per_col)
    lines = ['Tensor']
    if verbose:
        lines.append(f'  dtype: {dtype}')
        lines.append(f'  rank: {len(shape)}')
        lines.append(f"  shape: [{','.join(map(str, shape))}]")
        lines.append('  values:')
    lines.append('\n'.join('    ' + line for line in vals_lines))
    return '\n'.join(lines)
