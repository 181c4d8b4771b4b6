"""Scan, segment, moving-average and bincount ops (TF.js doc sections "Operations / Scan",
"Operations / Segment", "Operations / Moving Average", "Operations / Reduction" (bincount)).

Differences from TF.js, on purpose: TF.js's cumsum gradient is transposed (and so fails) for an
axis that is not the last one, and its cumsum returns an empty tensor for a negative axis; here
both work as TensorFlow does. `denseBincount` of a 1-D `x` honours `binaryOutput` (TF.js's CPU
kernel ignores it there). `unsortedSegmentSum` keeps an int32 `x` int32 and accepts
multi-dimensional segment ids, as TensorFlow does (TF.js's CPU kernel returns float32 and
mishandles them)."""
from __future__ import annotations

import torch

from ..errors import ValueError
from ..tensor import Tensor
from ._convert import convert
from ._dispatch import pair, wrap

__all__ = ['cumsum', 'cumprod', 'unsortedSegmentSum', 'movingAverage', 'bincount', 'denseBincount']
CHAINED = ['cumsum', 'cumprod', 'unsortedSegmentSum']


def _scan_axis(x: Tensor, axis: int, op: str) -> int:
    rank = x.rank
    if rank == 0:
        raise ValueError(f'{op} expects a tensor of rank 1 or higher, but got a scalar.')
    axis = int(axis)
    if not -rank <= axis < rank:
        raise ValueError(f'Axis {axis} passed to {op} is out of range for a tensor of rank {rank}.')
    return axis % rank


def _scan(x, axis, exclusive, reverse, op: str, prod: bool) -> Tensor:
    x = convert(x, 'x', op)
    ax = _scan_axis(x, axis, op)
    t = x._value()
    dtype = x.dtype
    if dtype == 'bool':
        t, dtype = t.to(torch.int32), 'int32'
    if reverse:
        t = t.flip(ax)
    if exclusive:
        shape = list(t.shape)
        shape[ax] = 1
        first = (torch.ones if prod else torch.zeros)(shape, dtype=t.dtype, device=t.device)
        t = torch.cat([first, t.narrow(ax, 0, t.shape[ax] - 1)], ax) if t.shape[ax] else t
    out = torch.cumprod(t, ax) if prod else torch.cumsum(t, ax)
    if out.dtype != t.dtype:
        out = out.to(t.dtype)
    if reverse:
        out = out.flip(ax)
    return wrap(out, dtype)


def cumsum(x, axis: int = 0, exclusive: bool = False, reverse: bool = False) -> Tensor:
    """Cumulative sum along `axis` (optionally exclusive and/or reversed).

    >>> import tfjs as tf
    >>> tf.cumsum(tf.tensor1d([1, 2, 3, 4]), 0, True).arraySync()
    [0.0, 1.0, 3.0, 6.0]
    """
    return _scan(x, axis, exclusive, reverse, 'cumsum', False)


def cumprod(x, axis: int = 0, exclusive: bool = False, reverse: bool = False) -> Tensor:
    """Cumulative product along `axis` (optionally exclusive and/or reversed).

    >>> import tfjs as tf
    >>> tf.cumprod(tf.tensor1d([1, 2, 3, 4]), 0, False, True).arraySync()
    [24.0, 24.0, 12.0, 4.0]
    """
    return _scan(x, axis, exclusive, reverse, 'cumprod', True)


def unsortedSegmentSum(x, segmentIds, numSegments: int) -> Tensor:
    """Sum the slices of `x` that share a segment id; ids outside [0, numSegments) are dropped.

    >>> import tfjs as tf
    >>> tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3, 4]), tf.tensor1d([1, 2, 0, 1], 'int32'), 3).arraySync()
    [3.0, 5.0, 2.0]
    """
    x = convert(x, 'x', 'unsortedSegmentSum')
    ids = convert(segmentIds, 'segmentIds', 'unsortedSegmentSum', 'int32')
    if float(numSegments) != int(numSegments):
        raise ValueError('numSegments must be of dtype int')
    n = int(numSegments)
    t, it = x._value(), ids._value()
    dtype = x.dtype
    if dtype == 'bool':
        t, dtype = t.to(torch.int32), 'int32'
    k = it.ndim
    if list(t.shape[:k]) != list(it.shape):
        raise ValueError(f'segmentIds shape {list(it.shape)} must be a prefix of x shape '
                         f'{list(t.shape)} in unsortedSegmentSum.')
    inner = list(t.shape[k:])
    flat = t.reshape([-1] + inner)
    fid = it.reshape(-1).long()
    keep = (fid >= 0) & (fid < n)
    out = torch.zeros([n] + inner, dtype=t.dtype, device=t.device)
    out = out.index_add(0, fid[keep], flat[keep])
    return wrap(out, dtype)


def movingAverage(v, x, decay, step=None, zeroDebias: bool = True) -> Tensor:
    """The exponential moving average update `v + (x - v) * (1 - decay)`, divided by
    `1 - decay ** step` when `zeroDebias`.

    >>> import tfjs as tf
    >>> tf.movingAverage(tf.tensor1d([0, 0]), tf.tensor1d([1, 2]), 0.5, 1).arraySync()
    [1.0, 2.0]
    """
    from .arithmetic import add, div, mul, pow, sub
    from .creation import scalar
    v = convert(v, 'v', 'movingAverage')
    x = convert(x, 'x', 'movingAverage')
    d = convert(decay, 'decay', 'movingAverage')
    if v.dtype != x.dtype:
        raise ValueError(f'The dtypes of the first({v.dtype}) and second({x.dtype}) input must match')
    if v.shape != x.shape:
        raise ValueError('Shape mismatch in v and x')
    one = scalar(1)
    update = mul(sub(x, v), sub(one, d))
    if zeroDebias:
        if step is None:
            raise ValueError('When using zeroDebias: true, step is required.')
        s = convert(step, 'step', 'movingAverage')
        update = div(update, sub(one, pow(d, s)))
    return add(v, update)


def _bincount_checks(x: Tensor, weights: Tensor, size: int, op: str):
    if x.dtype != 'int32':
        raise ValueError(f'Error in {op}: input dtype must be int32, but got {x.dtype}')
    if size < 0:
        raise ValueError(f'size must be non-negative, but got {size}.')
    if weights.size != x.size and weights.size != 0:
        raise ValueError(f'Error in {op}: weights must have the same size as input or 0-length, '
                         f'but got input shape: {x.shape}, weights shape: {weights.shape}.')


def _count_rows(xt, wt, wdtype: str, size: int, binary: bool):
    """Per-row bincount of a 2-D int tensor; wt is None for counting."""
    if bool((xt < 0).any()):
        raise ValueError('Input x must be non-negative!')
    rows = xt.shape[0]
    keep = xt < size
    tdt = torch.float32 if wdtype == 'float32' else torch.int32
    out = torch.zeros(rows * size, dtype=tdt, device=xt.device)
    flat = (xt.long() + torch.arange(rows, device=xt.device).unsqueeze(1) * size)[keep]
    if binary:
        out[flat] = 1
        return out.reshape(rows, size)
    vals = torch.ones_like(flat, dtype=tdt) if wt is None else wt.to(tdt)[keep]
    return out.index_add(0, flat, vals).reshape(rows, size)


def bincount(x, weights, size: int) -> Tensor:
    """Count (or sum `weights` of) each value of the 1-D int32 `x` in [0, size).

    >>> import tfjs as tf
    >>> tf.bincount(tf.tensor1d([1, 1, 3], 'int32'), [], 4).arraySync()
    [0.0, 2.0, 0.0, 1.0]
    """
    x = convert(x, 'x', 'bincount')
    w = convert(weights, 'weights', 'bincount')
    _bincount_checks(x, w, size, 'bincount')
    wdtype = 'float32' if w.dtype != 'int32' else 'int32'
    wt = w._value().reshape(1, -1) if w.size else None
    out = _count_rows(x._value().reshape(1, -1), wt, wdtype, int(size), False)
    return wrap(out.reshape(-1), wdtype)


def denseBincount(x, weights, size: int, binaryOutput: bool = False) -> Tensor:
    """bincount of a 1-D or (row by row) 2-D int32 `x`; `binaryOutput` gives 1 where a value occurs.

    >>> import tfjs as tf
    >>> tf.denseBincount(tf.tensor2d([[1, 1], [0, 2]], [2, 2], 'int32'), [], 3).arraySync()
    [[0.0, 2.0, 0.0], [1.0, 0.0, 1.0]]
    """
    x = convert(x, 'x', 'denseBincount')
    w = convert(weights, 'weights', 'denseBincount')
    if x.dtype == 'int32' and x.rank > 2:
        raise ValueError(f'Error in denseBincount: input must be at most rank 2, but got rank '
                         f'{x.rank}.')
    _bincount_checks(x, w, size, 'denseBincount')
    wdtype = 'float32' if w.dtype != 'int32' else 'int32'
    xt = x._value()
    wt = w._value().reshape(xt.reshape(-1, xt.shape[-1] if xt.ndim else 1).shape) if w.size else None
    out = _count_rows(xt.reshape(-1, xt.shape[-1] if xt.ndim else 1), wt, wdtype, int(size),
                      binaryOutput)
    return wrap(out.reshape(-1) if xt.ndim < 2 else out, wdtype)
