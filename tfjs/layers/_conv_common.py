"""Shared by the convolution, pooling and padding layers: argument checks (TF.js's messages),
output-size rules (TF.js's `convOutputLength` / `deconvLength`, Keras's causal and
`outputPadding` extensions), TF's 'same' padding (the extra element at the end) and the moves
between the user's layout (channelsLast or channelsFirst) and torch's N, C, *spatial.

Rank-1 work is lifted to rank 2 (a height of 1): a channels-last [N, W, C] tensor then reaches
torch as an N, C, 1, W view in channels_last memory format, which oneDNN and cuDNN run without
a transposing copy.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from ..errors import ValueError

DATA_FORMATS = ('channelsFirst', 'channelsLast')
_KERAS_NAMES = {'channels_first': 'channelsFirst', 'channels_last': 'channelsLast'}


def check_data_format(value, default: str = 'channelsLast') -> str:
    """A dataFormat ('channelsLast' when None; Keras's 'channels_last' spelling accepted)."""
    if value is None:
        return default
    value = _KERAS_NAMES.get(value, value)
    if value not in DATA_FORMATS:
        raise ValueError(f'{value} is not a valid DataFormat.  Valid values are '
                         f'{",".join(DATA_FORMATS)} or null/undefined.')
    return value


def check_padding_mode(value, allowed=('valid', 'same', 'causal')) -> str:
    """A padding mode ('valid' when None), one of `allowed`."""
    if value is None:
        return 'valid'
    if value not in ('valid', 'same', 'causal'):
        raise ValueError(f'{value} is not a valid PaddingMode.  Valid values are '
                         'valid,same,causal or null/undefined.')
    if value not in allowed:
        raise ValueError(f'padding "{value}" is not supported here; use one of '
                         f'{", ".join(repr(a) for a in allowed)}.')
    return value


def is_int(v) -> bool:
    return (isinstance(v, int) and not isinstance(v, bool)) or \
        (isinstance(v, float) and v.is_integer())


def normalize_array(value, n: int, name: str) -> list:
    """TF.js's normalizeArray: a number repeated n times, or a list of exactly n integers."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not is_int(value):
            raise ValueError(f'The {name} argument must be an integer or tuple of {n} integers. '
                             f'Received: {value}')
        return [int(value)] * n
    if not isinstance(value, (list, tuple)):
        raise ValueError(f'The {name} argument must be an integer or tuple of {n} integers. '
                         f'Received: {value!r}')
    if len(value) != n:
        raise ValueError(f'The {name} argument must be an integer or tuple of {n} integers. '
                         f'Received: {len(value)} elements.')
    for v in value:
        if not is_int(v):
            raise ValueError(f'The {name} argument must be an integer or tuple of {n} integers. '
                             f'Received: {list(value)} including a non-integer number {v}')
    return [int(v) for v in value]


def assert_positive(values, name: str) -> None:
    """TF.js's assertPositiveInteger for a number or a list."""
    for v in values if isinstance(values, (list, tuple)) else [values]:
        if not is_int(v) or v <= 0:
            raise ValueError(f'Expected {name} to be a positive integer, but got '
                             f'{list(values) if isinstance(values, (list, tuple)) else values}.')


def effective_size(kernel: int, dilation: int) -> int:
    return kernel + (kernel - 1) * (dilation - 1)


def conv_output_length(size, kernel: int, padding: str, stride: int, dilation: int = 1):
    """TF.js's convOutputLength (None stays None); 'causal' keeps the length, as in Keras."""
    if size is None:
        return None
    k = effective_size(kernel, dilation)
    length = size if padding in ('same', 'causal') else size - k + 1
    return max(0, (length + stride - 1) // stride)


def deconv_length(size, stride: int, kernel: int, padding: str, dilation: int = 1,
                  output_padding: int | None = None):
    """TF.js's deconvLength, extended as Keras does with dilation and outputPadding."""
    if size is None:
        return None
    k = effective_size(kernel, dilation)
    if padding == 'valid':
        extra = max(k - stride, 0) if output_padding is None else k - stride + output_padding
        return size * stride + extra
    if padding == 'same':
        if output_padding is None:
            return size * stride
        return (size - 1) * stride + k % 2 + output_padding
    raise ValueError(f'Unsupport padding mode: {padding}.')


def conv_pads(sizes, kernels, strides, dilations, padding: str) -> list:
    """Per spatial dim the (before, after) zero padding of the input: none for 'valid', TF's
    'same' (half before, the rest, which may be one more, after), `dilation * (k - 1)` before
    for 'causal'."""
    pads = []
    for size, k, s, d in zip(sizes, kernels, strides, dilations):
        eff = effective_size(k, d)
        if conv_output_length(size, k, padding, s, d) <= 0:
            raise ValueError(f'The input is too small: a spatial size of {size} with a window of '
                             f'{k} (dilation {d}) and padding "{padding}" leaves no output. Give '
                             'a larger input, a smaller window, or padding "same".')
        if padding == 'same':
            out = -(-size // s)
            total = max((out - 1) * s + eff - size, 0)
            pads.append((total // 2, total - total // 2))
        elif padding == 'causal':
            pads.append((eff - 1, 0))
        else:
            pads.append((0, 0))
    return pads


def transpose_pads(in_sizes, out_sizes, kernels, strides, dilations, padding: str) -> list:
    """The padding of the forward convolution whose input gradient a transposed convolution
    is: TF's rule applied to the output size (as tf.nn.conv_transpose does)."""
    pads = []
    for i, o, k, s, d in zip(in_sizes, out_sizes, kernels, strides, dilations):
        eff = effective_size(k, d)
        if padding == 'same':
            total = max((i - 1) * s + eff - o, 0)
            pads.append(total // 2)
        else:
            pads.append(0)
    return pads


def lift(rank: int, values, one: int = 1) -> tuple:
    """Rank-1 parameters as rank-2 ones (height 1)."""
    values = tuple(values)
    return ((one,) + values) if rank == 1 else values


def to_torch(x: torch.Tensor, rank: int, channels_first: bool) -> torch.Tensor:
    """The user's tensor as N, C, *spatial (rank 1 lifted to N, C, 1, W); views, no copies."""
    if rank == 1:
        return x.unsqueeze(2) if channels_first else x.unsqueeze(1).permute(0, 3, 1, 2)
    if channels_first:
        return x
    return x.permute(0, x.ndim - 1, *range(1, x.ndim - 1))


def from_torch(y: torch.Tensor, rank: int, channels_first: bool) -> torch.Tensor:
    """The inverse of `to_torch`."""
    if rank == 1:
        return y.squeeze(2) if channels_first else y.permute(0, 2, 3, 1).squeeze(1)
    if channels_first:
        return y
    return y.permute(0, *range(2, y.ndim), 1)


def pad_input(x: torch.Tensor, pads, value: float = 0.0):
    """(x, torch padding): symmetric pads go to the kernel; others pad x here."""
    if all(b == a for b, a in pads):
        return x, tuple(b for b, _ in pads)
    flat = []
    for b, a in reversed(pads):
        flat += [b, a]
    return F.pad(x, flat, value=value), (0,) * len(pads)


_CONV = {2: F.conv2d, 3: F.conv3d}
_CONV_T = {2: F.conv_transpose2d, 3: F.conv_transpose3d}


def conv(x, weight, bias, strides, pads, dilations, groups: int = 1):
    """Convolution of x (N, C, *spatial) with torch weights under per-dim (before, after) pads."""
    x, padding = pad_input(x, pads)
    return _CONV[x.ndim - 2](x, weight, bias, tuple(strides), padding, tuple(dilations), groups)


def conv_transpose(x, weight, bias, out_sizes, strides, pads, dilations):
    """Transposed convolution of x (N, Cin, *s) with torch weights (Cin, Cout, *k): the input
    gradient of a convolution of an input of `out_sizes` padded by `pads` before."""
    n = x.ndim - 2
    fn = _CONV_T[n]
    full_sizes = _full_sizes(x.shape[2:], weight.shape[2:], strides, dilations)
    ops = [o - (full - 2 * p) for o, full, p in zip(out_sizes, full_sizes, pads)]
    if all(0 <= op < max(s, d) for op, s, d in zip(ops, strides, dilations)):
        return fn(x, weight, bias, tuple(strides), tuple(pads), tuple(ops), 1, tuple(dilations))
    # (torch's CPU kernel is much slower with a bias and no padding: the bias is added after)
    y = fn(x, weight, None, tuple(strides), 0, 0, 1, tuple(dilations))
    flat = []
    for axis in range(y.ndim - 1, 1, -1):                  # F.pad lists the last dim first
        p, o = pads[axis - 2], out_sizes[axis - 2]
        flat += [-p, p + o - y.shape[axis]]                 # a crop, or zeros past the output
    # a pad, not a narrowed view: its gradient is a crop of the incoming one, in that one's
    # memory format (a view's gradient is a zero-filled NCHW copy, slow into channels_last)
    y = F.pad(y, flat)
    return y if bias is None else y.add_(bias.reshape((1, -1) + (1,) * n))


def _full_sizes(in_sizes, kernels, strides, dilations) -> list:
    """The output sizes of an unpadded transposed convolution."""
    return [(i - 1) * s + d * (k - 1) + 1 for i, k, s, d in zip(in_sizes, kernels, strides,
                                                                  dilations)]


def apply_activation(activation, t: torch.Tensor) -> torch.Tensor:
    return activation.apply_raw(t)
