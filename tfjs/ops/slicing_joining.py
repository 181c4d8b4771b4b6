"""Shape, slicing and joining ops (TF.js doc sections "Tensors / Transformations" and
"Tensors / Slicing and Joining")."""
from __future__ import annotations

import builtins

import numpy as np
import torch

from ..errors import ValueError
from ..tensor import Tensor, cast_raw, upcast_type
from ._dispatch import check_axis, tensor_of, wrap

__all__ = ['reshape', 'expandDims', 'squeeze', 'concat', 'stack', 'unstack', 'slice',
           'gather', 'tile', 'split', 'reverse', 'pad', 'broadcastTo']


def _same(x, t):
    return wrap(t, x.dtype) if x.dtype != 'string' else Tensor._make(t, 'string')


def reshape(x, shape):
    """Reshape to `shape` (one dimension may be -1).

    >>> import tfjs as tf
    >>> tf.reshape(tf.tensor1d([1, 2, 3, 4]), [2, -1]).shape
    [2, 2]
    """
    x = tensor_of(x, 'x', 'reshape')
    t = x._value()
    shape = [int(d) for d in shape]
    size = int(np.prod(t.shape, dtype=np.int64))
    if shape.count(-1) > 1:
        raise ValueError(f'Shapes can only have 1 implicit size. Found -1 at dims '
                         f'{[i for i, d in enumerate(shape) if d == -1]}.')
    known = int(np.prod([d for d in shape if d != -1], dtype=np.int64))
    if -1 in shape:
        if known == 0 or size % known:
            raise ValueError(f'The implicit shape can\'t be a fractional number. Got {size} / {known}.')
    elif known != size:
        raise ValueError(f'Size({size}) must match the product of shape {",".join(map(str, shape))}.')
    if x.dtype == 'string':
        return Tensor._make(t.reshape(shape), 'string')
    return wrap(t.reshape(shape), x.dtype)


def flatten(x):
    """Reshape to 1-D."""
    return reshape(x, [-1])


def expandDims(x, axis: int = 0):
    """Insert a dimension of size 1 at `axis`."""
    x = tensor_of(x, 'x', 'expandDims')
    t = x._value()
    if not -(t.ndim + 1) <= axis <= t.ndim:
        raise ValueError(f'Axis must be in the interval [{-(t.ndim + 1)}, {t.ndim}].')
    if axis < 0:
        axis += t.ndim + 1
    return _same(x, np.expand_dims(t, axis) if x.dtype == 'string' else t.unsqueeze(axis))


def squeeze(x, axis=None):
    """Remove dimensions of size 1 (all, or those in `axis`)."""
    x = tensor_of(x, 'x', 'squeeze')
    t = x._value()
    if axis is None:
        shape = [d for d in t.shape if d != 1]
    else:
        axes = check_axis(axis, t.ndim)
        for a in axes:
            if t.shape[a] != 1:
                raise ValueError(f'Can\'t squeeze axis {a} since its dim \'{t.shape[a]}\' is not 1.')
        shape = [d for i, d in enumerate(t.shape) if i not in axes]
    return reshape(x, shape)


def _join_dtype(ts, op):
    dtype = ts[0].dtype
    for t in ts[1:]:
        dtype = upcast_type(dtype, t.dtype)
    return dtype, [cast_raw(t._value(), t.dtype, dtype) for t in ts]


def concat(tensors, axis: int = 0):
    """Join tensors along an existing axis."""
    if not tensors:
        raise ValueError('Cannot concatenate an empty list of tensors.')
    ts = [tensor_of(t, f'tensors[{i}]', 'concat') for i, t in enumerate(tensors)]
    rank = ts[0].rank
    if rank == 0:
        raise ValueError('Cannot concatenate scalar tensors; use tf.stack.')
    ax = check_axis(axis, rank)[0]
    for t in ts[1:]:
        if t.rank != rank:
            raise ValueError(f'Error in concat: rank of tensors must match, got {rank} and {t.rank}.')
    dtype, raws = _join_dtype(ts, 'concat')
    if dtype == 'string':
        return Tensor._make(np.concatenate(raws, axis=ax), 'string')
    return wrap(torch.cat(raws, dim=ax), dtype)


def stack(tensors, axis: int = 0):
    """Join tensors of equal shape along a new axis."""
    if not tensors:
        raise ValueError('Cannot stack an empty list of tensors.')
    ts = [tensor_of(t, f'tensors[{i}]', 'stack') for i, t in enumerate(tensors)]
    shape = ts[0].shape
    for t in ts[1:]:
        if t.shape != shape:
            raise ValueError(f'All tensors passed to stack must have matching shapes; got {shape} '
                             f'and {t.shape}.')
    dtype, raws = _join_dtype(ts, 'stack')
    if dtype == 'string':
        return Tensor._make(np.stack(raws, axis=axis), 'string')
    return wrap(torch.stack(raws, dim=axis), dtype)


def unstack(x, axis: int = 0):
    """Split into a list of tensors along `axis`, removing that axis."""
    x = tensor_of(x, 'x', 'unstack')
    t = x._value()
    ax = check_axis(axis, t.ndim)[0]
    if x.dtype == 'string':
        return [Tensor._make(np.take(t, i, axis=ax), 'string') for i in range(t.shape[ax])]
    return [wrap(s.clone(), x.dtype) for s in torch.unbind(t, dim=ax)]


def slice(x, begin, size=None):  # noqa: A001 - TF.js name
    """The sub-tensor starting at `begin` with `size` (-1 = to the end)."""
    x = tensor_of(x, 'x', 'slice')
    t = x._value()
    rank = t.ndim
    begin = [begin] if isinstance(begin, int) else list(begin)
    begin = begin + [0] * (rank - len(begin))
    if size is None:
        size = [-1] * rank
    size = [size] if isinstance(size, int) else list(size)
    size = size + [-1] * (rank - len(size))
    index = []
    for dim, (b, s) in enumerate(zip(begin, size)):
        end = t.shape[dim] if s == -1 else b + s
        if b < 0 or end > t.shape[dim] or end < b:
            raise ValueError(f'Error in slice{rank}D: begin {begin} and size {size} are out of the '
                             f'bounds of shape {list(t.shape)}.')
        index.append(builtins.slice(b, end))
    return _same(x, t[tuple(index)].copy() if x.dtype == 'string' else t[tuple(index)].clone())


def gather(x, indices, axis: int = 0, batchDims: int = 0):
    """Gather slices along `axis` at int32 `indices`."""
    x = tensor_of(x, 'x', 'gather')
    idx = tensor_of(indices, 'indices', 'gather')
    t, i = x._value(), idx._value().long()
    ax = check_axis(axis, t.ndim)[0]
    if batchDims:
        raise NotImplementedError('tf.gather with batchDims is not implemented yet.')
    if i.numel() and (int(i.min()) < 0 or int(i.max()) >= t.shape[ax]):
        raise ValueError(f'GatherV2: the index value {int(i.max())} is not in [0, {t.shape[ax] - 1}].')
    out = torch.index_select(t, ax, i.reshape(-1))
    shape = list(t.shape[:ax]) + list(i.shape) + list(t.shape[ax + 1:])
    return wrap(out.reshape(shape), x.dtype)


def tile(x, reps):
    """Repeat the tensor `reps[i]` times along dimension i."""
    x = tensor_of(x, 'x', 'tile')
    t = x._value()
    if len(reps) != t.ndim:
        raise ValueError(f'Error in tile: the length of reps ({len(reps)}) must match the rank of x '
                         f'({t.ndim}).')
    return _same(x, np.tile(t, reps) if x.dtype == 'string' else t.repeat(*reps))


def split(x, numOrSizeSplits, axis: int = 0):
    """Split into `numOrSizeSplits` equal parts, or parts of the given sizes."""
    x = tensor_of(x, 'x', 'split')
    t = x._value()
    ax = check_axis(axis, t.ndim)[0]
    if isinstance(numOrSizeSplits, int):
        if t.shape[ax] % numOrSizeSplits:
            raise ValueError('Number of splits must evenly divide the axis.')
        sizes = [t.shape[ax] // numOrSizeSplits] * numOrSizeSplits
    else:
        sizes = list(numOrSizeSplits)
        if -1 in sizes:
            sizes[sizes.index(-1)] = t.shape[ax] - (sum(sizes) + 1)
        if sum(sizes) != t.shape[ax]:
            raise ValueError('The sum of sizes must match the size of the axis dimension.')
    return [wrap(p.clone(), x.dtype) for p in torch.split(t, sizes, dim=ax)]


def reverse(x, axis=None):
    """Reverse along the given axes (all when None)."""
    x = tensor_of(x, 'x', 'reverse')
    t = x._value()
    axes = check_axis(axis, t.ndim)
    return wrap(torch.flip(t, axes) if axes else t.clone(), x.dtype)


def pad(x, paddings, constantValue: float = 0):
    """Pad with a constant; `paddings[i] = [before, after]` for dimension i."""
    x = tensor_of(x, 'x', 'pad')
    t = x._value()
    if len(paddings) != t.ndim:
        raise ValueError('Error in pad: paddings must have one [before, after] pair per dimension.')
    flat = []
    for before, after in reversed([list(p) for p in paddings]):
        flat += [int(before), int(after)]
    return wrap(torch.nn.functional.pad(t, flat, value=constantValue), x.dtype)


def broadcastTo(x, shape):
    """Broadcast to `shape` (NumPy rules)."""
    x = tensor_of(x, 'x', 'broadcastTo')
    t = x._value()
    try:
        return wrap(t.expand(*shape).clone(), x.dtype)
    except RuntimeError:
        raise ValueError(f'broadcastTo(): [{",".join(map(str, t.shape))}] cannot be broadcast to '
                         f'[{",".join(map(str, shape))}].') from None


def getitem(x: Tensor, index):
    """Python indexing `t[0]`, `t[:, 1:3]`, `t[..., None]` (Python extra; returns a copy)."""
    def conv(i):
        if isinstance(i, Tensor):
            return i._value().long() if i.dtype != 'bool' else i._value()
        return i
    index = tuple(conv(i) for i in index) if isinstance(index, tuple) else conv(index)
    t = x._value()
    out = t[index]
    if x.dtype == 'string':
        return Tensor._make(np.asarray(out, dtype=object).copy(), 'string')
    return wrap(out.clone(), x.dtype)


