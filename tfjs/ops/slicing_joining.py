"""Shape, slicing and joining ops (TF.js doc sections "Tensors / Transformations" and
"Tensors / Slicing and Joining")."""
from __future__ import annotations

import builtins
from typing import Sequence

import numpy as np
import torch

from ..errors import ValueError
from ..tensor import Tensor, cast_raw, upcast_type
from ._convert import convert
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
    """Insert a dimension of size 1 at `axis`.

    >>> import tfjs as tf
    >>> tf.expandDims(tf.tensor1d([1, 2]), 1).shape
    [2, 1]
    """
    x = tensor_of(x, 'x', 'expandDims')
    t = x._value()
    if not -(t.ndim + 1) <= axis <= t.ndim:
        raise ValueError(f'Axis must be in the interval [{-(t.ndim + 1)}, {t.ndim}].')
    if axis < 0:
        axis += t.ndim + 1
    return _same(x, np.expand_dims(t, axis) if x.dtype == 'string' else t.unsqueeze(axis))


def squeeze(x, axis=None):
    """Remove dimensions of size 1 (all, or those in `axis`).

    >>> import tfjs as tf
    >>> tf.squeeze(tf.zeros([1, 3, 1])).shape
    [3]
    """
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


def _tensors(tensors, op: str) -> list:
    if not isinstance(tensors, (list, tuple)):
        raise ValueError(f'Argument tensors passed to {op} must be a `Tensor[]` or `TensorLike[]`.')
    return [convert(t, f'tensors[{i}]', op, 'string_or_numeric') for i, t in enumerate(tensors)]


def concat(tensors: Sequence, axis: int = 0) -> Tensor:
    """Join tensors along an existing axis (dtypes upcast as in TF.js).

    >>> import tfjs as tf
    >>> tf.concat([tf.tensor1d([1, 2]), tf.tensor1d([3])]).arraySync()
    [1.0, 2.0, 3.0]
    """
    if isinstance(tensors, (list, tuple)) and not tensors:
        raise ValueError('Pass at least one tensor to concat')
    ts = _tensors(tensors, 'concat')
    if ts[0].dtype == 'complex64' and any(t.dtype != 'complex64' for t in ts):
        raise ValueError('Cannot concatenate complex64 tensors with a tensor of another dtype.')
    if len(ts) == 1:
        return ts[0].clone()
    rank = ts[0].rank
    if rank == 0:
        raise ValueError('Cannot concatenate scalar tensors; use tf.stack.')
    ax = check_axis(axis, rank)[0]
    for i, t in enumerate(ts[1:], 1):
        if t.rank != rank:
            raise ValueError(f'Error in concat{rank}D: rank of tensors[{i}] must be the same as the '
                             f'rank of the rest ({rank})')
        for d in builtins.range(rank):
            if d != ax and t.shape[d] != ts[0].shape[d]:
                raise ValueError(f'Error in concat{rank}D: Shape of tensors[{i}] ({t.shape}) does '
                                 f'not match the shape of the rest ({ts[0].shape}) along the '
                                 'non-concatenated axis.')
    dtype, raws = _join_dtype(ts, 'concat')
    if dtype == 'string':
        return Tensor._make(np.concatenate(raws, axis=ax), 'string')
    return wrap(torch.cat(raws, dim=ax), dtype)


def stack(tensors: Sequence, axis: int = 0) -> Tensor:
    """Join tensors of equal shape along a new axis.

    >>> import tfjs as tf
    >>> tf.stack([tf.tensor1d([1, 2]), tf.tensor1d([3, 4])], 1).shape
    [2, 2]
    """
    ts = _tensors(tensors, 'stack')
    if not ts:
        raise ValueError('Pass at least one tensor to tf.stack')
    rank = ts[0].rank
    if axis > rank:
        raise ValueError('Axis must be <= rank of the tensor')
    if not -(rank + 1) <= axis:
        raise ValueError(f'Axis must be in the interval [{-(rank + 1)}, {rank}].')
    shape = ts[0].shape
    for t in ts[1:]:
        if t.shape != shape:
            raise ValueError(f'All tensors passed to stack must have matching shapes; got {shape} '
                             f'and {t.shape}.')
        if t.dtype != ts[0].dtype:
            raise ValueError('All tensors passed to stack must have matching dtypes')
    dtype, raws = _join_dtype(ts, 'stack')
    ax = axis % (rank + 1)
    if dtype == 'string':
        return Tensor._make(np.stack(raws, axis=ax), 'string')
    return wrap(torch.stack(raws, dim=ax), dtype)


def unstack(x, axis: int = 0) -> list:
    """Split into a list of tensors along `axis`, removing that axis.

    >>> import tfjs as tf
    >>> len(tf.unstack(tf.zeros([3, 2])))
    3
    """
    x = convert(x, 'x', 'unstack', 'string_or_numeric')
    t = x._value()
    if not -t.ndim <= axis < t.ndim:
        raise ValueError(f'Axis = {axis} is not in [-{t.ndim}, {t.ndim})')
    ax = axis % t.ndim
    if x.dtype == 'string':
        return [Tensor._make(np.array(np.take(t, i, axis=ax), dtype=object), 'string')
                for i in builtins.range(t.shape[ax])]
    return [wrap(s.clone(), x.dtype) for s in torch.unbind(t, dim=ax)]


def parse_slice_params(shape, begin, size):
    """TF.js's `parseSliceParams` plus `assertParamsValid`: explicit begin and size lists."""
    rank = len(shape)
    begin = [int(begin)] + [0] * (rank - 1) if isinstance(begin, (int, float)) else \
        [int(b) for b in begin] + [0] * (rank - len(begin))
    for b in begin:
        if b == -1:
            raise ValueError('slice() does not support negative begin indexing.')
    if size is None:
        size = [-1] * rank
    elif isinstance(size, (int, float)):
        size = [int(size)] + [-1] * (rank - 1)
    else:
        size = [int(s) for s in size] + [-1] * (rank - len(size))
    out = []
    for i, d in enumerate(size):
        if d < -1:
            raise ValueError(f'Negative size values should be exactly -1 but got {d} for the '
                             f'slice() size at index {i}.')
        out.append(d if d >= 0 else shape[i] - begin[i])
    if len(begin) != rank or len(out) != rank:
        raise ValueError(f'Error in slice{rank}D: Length of begin {begin} must match the rank of '
                         f'the array ({rank}).')
    for i in builtins.range(rank):
        if begin[i] + out[i] > shape[i]:
            raise ValueError(f'Error in slice{rank}D: begin[{i}] + size[{i}] ({begin[i] + out[i]}) '
                             f'would overflow input.shape[{i}] ({shape[i]})')
        if begin[i] < 0 or out[i] < 0:
            raise ValueError(f'Error in slice{rank}D: begin {begin} and size {out} are out of the '
                             f'bounds of shape {list(shape)}.')
    return begin, out


def slice(x, begin, size=None) -> Tensor:  # noqa: A001 - TF.js name
    """The sub-tensor starting at `begin` with `size` (-1 = to the end).

    >>> import tfjs as tf
    >>> tf.slice(tf.tensor1d([1, 2, 3, 4]), 1, 2).arraySync()
    [2.0, 3.0]
    """
    x = convert(x, 'x', 'slice', 'string_or_numeric')
    t = x._value()
    if t.ndim == 0:
        raise ValueError('Slicing scalar is not possible')
    begin, size = parse_slice_params(list(t.shape), begin, size)
    index = tuple(builtins.slice(b, b + s) for b, s in zip(begin, size))
    return _same(x, t[index].copy() if x.dtype == 'string' else t[index].clone())


def gather(x, indices, axis: int = 0, batchDims: int = 0) -> Tensor:
    """Gather slices along `axis` at int32 `indices` (the first `batchDims` dims are batch dims).

    >>> import tfjs as tf
    >>> tf.gather(tf.tensor1d([1, 2, 3]), tf.tensor1d([2, 0], 'int32')).arraySync()
    [3.0, 1.0]
    """
    x = convert(x, 'x', 'gather')
    idx = convert(indices, 'indices', 'gather', 'int32')
    t, i = x._value(), idx._value().long()
    ax = check_axis(axis, t.ndim)[0]
    if batchDims < 0:
        batchDims += i.ndim
    if batchDims > ax:
        raise ValueError(f'batchDims ({batchDims}) must be less than or equal to axis ({ax}).')
    if batchDims > i.ndim:
        raise ValueError(f'batchDims ({batchDims}) must be less than or equal to rank(indices) '
                         f'({i.ndim}).')
    for d in builtins.range(batchDims):
        if t.shape[d] != i.shape[d]:
            raise ValueError(f'x.shape[{d}]: {t.shape[d]} should be equal to indices.shape[{d}]: '
                             f'{i.shape[d]}.')
    n = t.shape[ax]
    if i.numel() and (int(i.min()) < 0 or int(i.max()) >= n):
        bad = int(i.min()) if int(i.min()) < 0 else int(i.max())
        raise ValueError(f'GatherV2: the index value {bad} is not in [0, {n - 1}]')
    bshape, ishape = list(t.shape[:batchDims]), list(i.shape[batchDims:])
    outer, inner = list(t.shape[batchDims:ax]), list(t.shape[ax + 1:])
    b, m, k, r = (int(np.prod(s, dtype=np.int64)) for s in (bshape, outer, ishape, inner))
    xr = t.reshape(b, m, n, r)
    ir = i.reshape(b, 1, k, 1).expand(b, m, k, r)
    out = torch.gather(xr, 2, ir) if t.numel() else xr.new_zeros((b, m, k, r))
    return wrap(out.reshape(bshape + outer + ishape + inner), x.dtype)


def tile(x, reps: Sequence[int]) -> Tensor:
    """Repeat the tensor `reps[i]` times along dimension i.

    >>> import tfjs as tf
    >>> tf.tile(tf.tensor1d([1, 2]), [2]).arraySync()
    [1.0, 2.0, 1.0, 2.0]
    """
    x = convert(x, 'x', 'tile', 'string_or_numeric')
    t = x._value()
    if len(reps) != t.ndim:
        raise ValueError(f'Error in transpose: rank of input {t.ndim} must match length of reps '
                         f'{list(reps)}.')
    if t.ndim == 0:
        return x.clone()
    return _same(x, np.tile(t, reps) if x.dtype == 'string' else t.repeat(*reps))


def split(x, numOrSizeSplits, axis: int = 0) -> list:
    """Split into `numOrSizeSplits` equal parts, or parts of the given sizes (one may be -1).

    >>> import tfjs as tf
    >>> [p.shape for p in tf.split(tf.zeros([4, 2]), [1, -1])]
    [[1, 2], [3, 2]]
    """
    x = convert(x, 'x', 'split')
    t = x._value()
    ax = check_axis(axis, t.ndim)[0]
    if isinstance(numOrSizeSplits, (int, float)):
        if t.shape[ax] % numOrSizeSplits:
            raise ValueError('Number of splits must evenly divide the axis.')
        sizes = [t.shape[ax] // int(numOrSizeSplits)] * int(numOrSizeSplits)
    else:
        sizes = [int(s) for s in numOrSizeSplits]
        if sizes.count(-1) > 1:
            raise ValueError('There should be only one negative value in split array.')
        if -1 in sizes:
            sizes[sizes.index(-1)] = t.shape[ax] - builtins.sum(s for s in sizes if s > 0)
        if builtins.sum(sizes) != t.shape[ax] or builtins.min(sizes) < 0:
            raise ValueError('The sum of sizes must match the size of the axis dimension.')
    return [wrap(p.clone(), x.dtype) for p in torch.split(t, sizes, dim=ax)]


def reverse(x, axis=None) -> Tensor:
    """Reverse along the given axes (all when None).

    >>> import tfjs as tf
    >>> tf.reverse(tf.tensor1d([1, 2, 3])).arraySync()
    [3.0, 2.0, 1.0]
    """
    x = convert(x, 'x', 'reverse')
    t = x._value()
    axes = check_axis(axis, t.ndim)
    return wrap(torch.flip(t, axes) if axes and t.ndim else t.clone(), x.dtype)


def pad(x, paddings: Sequence[Sequence[int]], constantValue: float = 0) -> Tensor:
    """Pad with a constant; `paddings[i] = [before, after]` for dimension i.

    >>> import tfjs as tf
    >>> tf.pad(tf.tensor1d([1, 2]), [[1, 2]]).arraySync()
    [0.0, 1.0, 2.0, 0.0, 0.0]
    """
    x = convert(x, 'x', 'pad')
    t = x._value()
    if t.ndim == 0:
        raise ValueError('pad(scalar) is not defined. Pass non-scalar to pad')
    if len(paddings) != t.ndim:
        raise ValueError('Error in pad: paddings must have one [before, after] pair per dimension.')
    flat = []
    for before, after in reversed([list(p) for p in paddings]):
        if before < 0 or after < 0:
            raise ValueError('Error in pad: paddings must be non-negative.')
        flat += [int(before), int(after)]
    value = constantValue
    if x.dtype == 'int32':
        value = int(constantValue) if np.isfinite(constantValue) else 0
    elif x.dtype == 'bool':
        value = bool(constantValue)
    if t.dtype == torch.bool:
        return wrap(torch.nn.functional.pad(t.to(torch.uint8), flat, value=int(value)).bool(), 'bool')
    return wrap(torch.nn.functional.pad(t, flat, value=value), x.dtype)


def broadcastTo(x, shape):
    """Broadcast to `shape` (NumPy rules).

    >>> import tfjs as tf
    >>> tf.broadcastTo(tf.tensor1d([1, 2]), [2, 2]).shape
    [2, 2]
    """
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


