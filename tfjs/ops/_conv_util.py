"""Geometry shared by the convolution and pooling ops: TF.js's `conv_util` rules for output sizes
and padding ('same' pads more at the end, numbers and explicit arrays round with
dimRoundingMode), turned into the exact (before, after) padding a torch kernel needs.

These helpers work on plain Python numbers and torch tensors so that layers can call them."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from ..errors import ValueError


def tuple_param(v, n: int, what: str = 'strides') -> tuple:
    """A number or a list as an n-tuple of ints (TF.js's parseTupleParam: a 2-list in 3D gets 1)."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return (int(v),) * n
    v = [int(a) for a in v]
    if n == 3 and len(v) == 2:
        v = v + [1]
    if len(v) != n:
        raise ValueError(f'{what} must be a number or a list of {n} numbers, but got {v}.')
    return tuple(v)


def _round(value: float, mode) -> int:
    if not mode:
        return math.trunc(value)
    if mode == 'round':
        return int(math.floor(value + 0.5))     # JS Math.round
    if mode == 'ceil':
        return math.ceil(value)
    if mode == 'floor':
        return math.floor(value)
    raise ValueError(f'Unknown roundingMode {mode}')


def check_pad_rounding(op: str, pad, mode) -> None:
    """TF.js's checkPadOnDimRoundingMode."""
    if mode is None:
        return
    if isinstance(pad, str):
        raise ValueError(f'Error in {op}: pad must be an integer when using dimRoundingMode '
                         f'{mode} but got pad {pad}.')
    if isinstance(pad, (int, float)):
        if int(pad) != pad:
            raise ValueError(f'Error in {op}: pad must be an integer when using dimRoundingMode '
                             f'{mode} but got pad {pad}.')
    else:
        for p in pad:
            for v in p:
                if int(v) != v:
                    raise ValueError(f'Error in {op}: pad must be an integer when using '
                                     f'dimRoundingMode {mode} but got pad {pad}.')


def geometry(in_sizes, eff_filters, strides, pad, mode=None, channels_last=True, clamp_same=True):
    """(pads, out_sizes): per spatial dim the (before, after) padding of the input (after may be
    negative: a crop) such that a 'valid' torch kernel yields exactly TF.js's output size.

    A numeric pad in 2D sizes both output dims with the first filter size and stride, as TF.js
    does (its output shapes are part of the API); the kernel then reads the true window."""
    n = len(in_sizes)
    if isinstance(pad, str):
        pad = pad.lower() if pad.lower() in ('same', 'valid') else pad
    outs, befores = [], []
    for i in range(n):
        size, f, s = in_sizes[i], eff_filters[i], strides[i]
        if isinstance(pad, (int, float)) and not isinstance(pad, bool):
            if n == 2:     # TF.js's computeOutputShape2D sizes both dims with the first
                out = _round((size - eff_filters[0] + 2 * pad) / strides[0] + 1, mode)
            elif size + 2 * pad >= f:
                out = _round((size - f + 2 * pad) / s + 1, mode)
            else:
                out = 0
            before = int(pad)
        elif pad == 'same':
            out = math.ceil(size / s)
            total = (out - 1) * s + f - size
            if clamp_same:
                total = max(0, total)
            before = total // 2
        elif pad == 'valid':
            out = math.ceil((size - f + 1) / s)
            before = 0
        elif isinstance(pad, (list, tuple)):
            if len(pad) != n + 2:
                raise ValueError(f'Explicit padding must have {n + 2} [before, after] pairs, '
                                 f'but got {pad}.')
            b, a = pad[i + 1] if channels_last else pad[i + 2]
            out = _round((size - f + b + a) / s + 1, mode)
            before = int(b)
        else:
            raise ValueError(f'Unknown padding parameter: {pad}')
        if out < 0:
            raise ValueError(f'The output size would be negative ({out}) for input size {size}, '
                             f'filter size {f}, stride {s} and pad {pad}.')
        outs.append(int(out))
        befores.append(before)
    pads = [(b, max((o - 1) * s + f, 0) - size - b if o > 0 else -size - b)
            for b, o, s, f, size in zip(befores, outs, strides, eff_filters, in_sizes)]
    return pads, outs


def effective(filters, dilations) -> list:
    return [f + (f - 1) * (d - 1) for f, d in zip(filters, dilations)]


def pad_spatial(t, pads, value: float = 0.0):
    """Pad (or crop, for negative amounts) the trailing spatial dims of an N, C, *spatial tensor."""
    if all(b == 0 and a == 0 for b, a in pads):
        return t
    flat = []
    for b, a in reversed(pads):
        flat += [b, a]
    return F.pad(t, flat, value=value)


def symmetric(pads):
    """The torch `padding` argument when pads are symmetric and non-negative, else None."""
    if all(b == a and b >= 0 for b, a in pads):
        return tuple(b for b, _ in pads)
    return None


def to_channels_first(t):
    """N, *spatial, C -> N, C, *spatial (a channels-last strided view, no copy)."""
    return t.permute(0, t.ndim - 1, *range(1, t.ndim - 1))


def to_channels_last(t):
    return t.permute(0, *range(2, t.ndim), 1)


def either_one(strides, dilations) -> bool:
    return all(s == 1 for s in strides) or all(d == 1 for d in dilations)


_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


def conv_nd(x, w, strides, pads, dilations, groups: int = 1):
    """Convolution of x (N, C, *spatial) with torch weights (out, in/groups, *k) under the given
    per-dim (before, after) pads."""
    sym = symmetric(pads)
    if sym is None:
        x = pad_spatial(x, pads)
        sym = 0
    return _CONV[len(strides)](x, w, None, tuple(strides), sym, tuple(dilations), groups)


def conv_transpose_nd(dy, w, out_sizes, strides, pads):
    """The input gradient of a convolution (TF.js's conv2DBackpropInput): dy (N, Cout, *s), w
    (Cout, Cin, *k) as torch conv_transpose weights; cropped/padded to out_sizes."""
    fn = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}[len(strides)]
    full = fn(dy, w, None, tuple(strides))
    crop = []
    for (b, _), o, n in zip(pads, out_sizes, full.shape[2:]):
        crop.append((-b, o + b - n))
    return pad_spatial(full, crop)
