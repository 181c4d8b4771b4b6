"""More slicing and joining ops: ranked concat/slice/reverse, stridedSlice, gatherND, scatterND,
tensorScatterUpdate, meshgrid, booleanMaskAsync (TF.js "Tensors / Slicing and Joining" and
"Operations / Slicing and Joining")."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

from .._async import resolved
from ..errors import ValueError
from ..tensor import Tensor
from ._convert import convert
from ._dispatch import wrap
from .slicing_joining import concat, reverse, slice

__all__ = ['concat1d', 'concat2d', 'concat3d', 'concat4d', 'slice1d', 'slice2d', 'slice3d',
           'slice4d', 'reverse1d', 'reverse2d', 'reverse3d', 'reverse4d', 'stridedSlice',
           'gatherND', 'scatterND', 'tensorScatterUpdate', 'meshgrid', 'booleanMaskAsync']
CHAINED = ['stridedSlice', 'tensorScatterUpdate']


def _concat_nd(rank: int):
    def fn(tensors: Sequence, axis: int = 0) -> Tensor:
        return concat(tensors, 0 if rank == 1 else axis)
    fn.__name__ = f'concat{rank}d'
    fn.__doc__ = f"""`tf.concat` of rank-{rank} tensors{'' if rank == 1 else ' along `axis`'}.

    >>> import tfjs as tf
    >>> tf.concat{rank}d([tf.zeros({[1] * rank}), tf.zeros({[1] * rank})]{'' if rank == 1 else ', 0'}).shape
    {[2] + [1] * (rank - 1)}
    """
    return fn


def _slice_nd(rank: int):
    def fn(x, begin, size) -> Tensor:
        t = convert(x, 'x', f'slice{rank}d')
        if t.rank != rank:
            raise ValueError(f'slice{rank}d expects a rank-{rank} tensor, but got a rank-{t.rank} '
                             'tensor')
        return slice(t, [begin] if rank == 1 else begin, [size] if rank == 1 else size)
    fn.__name__ = f'slice{rank}d'
    fn.__doc__ = f"""`tf.slice` of a rank-{rank} tensor.

    >>> import tfjs as tf
    >>> tf.slice{rank}d(tf.zeros({[3] * rank}), {1 if rank == 1 else [1] * rank}, {2 if rank == 1 else [2] * rank}).shape
    {[2] * rank}
    """
    return fn


def _reverse_nd(rank: int):
    def fn(x, axis=None) -> Tensor:
        t = convert(x, 'x', 'reverse')
        if t.rank != rank:
            raise ValueError(f'Error in reverse{rank}D: x must be rank {rank} but got rank '
                             f'{t.rank}.')
        return reverse(t, 0 if rank == 1 else axis)
    fn.__name__ = f'reverse{rank}d'
    fn.__doc__ = f"""`tf.reverse` of a rank-{rank} tensor.

    >>> import tfjs as tf
    >>> tf.reverse{rank}d(tf.zeros({[2] * rank})).shape
    {[2] * rank}
    """
    return fn


concat1d, concat2d, concat3d, concat4d = (_concat_nd(r) for r in (1, 2, 3, 4))
slice1d, slice2d, slice3d, slice4d = (_slice_nd(r) for r in (1, 2, 3, 4))
reverse1d, reverse2d, reverse3d, reverse4d = (_reverse_nd(r) for r in (1, 2, 3, 4))

_NEW_AXIS, _SHRINK = -2, -1


def _slice_info(shape, begin, end, strides, begin_mask, end_mask, ellipsis_mask, new_axis_mask,
                shrink_mask):
    """TF.js's `sliceInfo` (slice_util.ts): dense begin/end/strides, shrink flags, final shape."""
    strides = [1] * len(begin) if strides is None else list(strides)
    if ellipsis_mask & (ellipsis_mask - 1):
        raise ValueError('Multiple ellipses in slice is not allowed.')
    dims, seen, add_after = len(strides), False, 0
    for i in range(dims):
        if seen and (1 << i) & new_axis_mask:
            add_after += 1
        if (1 << i) & ellipsis_mask:
            seen = True
    if not seen:
        ellipsis_mask |= 1 << dims
        dims += 1
    rank = len(shape)
    d_begin, d_end, d_strides = [0] * rank, [0] * rank, [1] * rank
    d_bm = d_em = d_shrink = 0
    gather, full = [], 0
    for i in range(dims):
        if (1 << i) & ellipsis_mask:
            nxt = min(rank - (dims - i) + 1 + add_after, rank)
            while full < nxt:
                d_bm |= 1 << full
                d_em |= 1 << full
                gather.append(full)
                full += 1
        elif (1 << i) & new_axis_mask:
            gather.append(_NEW_AXIS)
        else:
            if full == rank:
                raise ValueError(f'Index out of range using input dim {full}; input has only '
                                 f'{rank} dims, {rank}.')
            d_begin[full], d_end[full], d_strides[full] = int(begin[i]), int(end[i]), int(strides[i])
            if begin_mask & (1 << i):
                d_bm |= 1 << full
            if end_mask & (1 << i):
                d_em |= 1 << full
            if shrink_mask & (1 << i):
                gather.append(_SHRINK)
                d_shrink |= 1 << full
            else:
                gather.append(full)
            full += 1
    ranges = []
    for i, dim in enumerate(shape):
        s = d_strides[i]
        if s == 0:
            raise ValueError(f'strides[{i}] must be non-zero')
        shrink = bool(d_shrink & (1 << i))
        if shrink and s <= 0:
            raise ValueError('only stride 1 allowed on non-range indexing.')
        valid = (0, dim) if s > 0 else (-1, dim - 1)
        masks = (d_bm & (1 << i), d_em & (1 << i))

        def canonical(x, c):
            if masks[c]:
                return valid[c] if s > 0 else valid[(c + 1) & 1]
            x = dim + x if x < 0 else x
            return valid[0] if x < valid[0] else valid[1] if x > valid[1] else x
        if shrink:
            b = d_begin[i] + dim if d_begin[i] < 0 else d_begin[i]
            if b < 0 or b >= dim:
                raise ValueError(f'slice index {d_begin[i]} of dimension {i} out of bounds.')
            ranges.append(range(b, b + 1))
        else:
            ranges.append(range(canonical(d_begin[i], 0), canonical(d_end[i], 1), s))
    final = [1 if g == _NEW_AXIS else len(ranges[g]) for g in gather if g != _SHRINK]
    return ranges, final


def stridedSlice(x, begin: Sequence[int], end: Sequence[int], strides: Sequence[int] | None = None,
                 beginMask: int = 0, endMask: int = 0, ellipsisMask: int = 0, newAxisMask: int = 0,
                 shrinkAxisMask: int = 0) -> Tensor:
    """Strided slice with TensorFlow's begin/end/ellipsis/newAxis/shrinkAxis bit masks.

    >>> import tfjs as tf
    >>> tf.stridedSlice(tf.tensor1d([1, 2, 3, 4]), [3], [0], [-2]).arraySync()
    [4.0, 2.0]
    """
    x = convert(x, 'x', 'stridedSlice', 'string_or_numeric')
    t = x._value()
    ranges, final = _slice_info(list(t.shape), begin, end, strides, beginMask, endMask,
                                ellipsisMask, newAxisMask, shrinkAxisMask)
    if x.dtype == 'string':
        out = t[np.ix_(*[list(r) for r in ranges])] if ranges else t
        return Tensor._make(np.array(out, dtype=object).reshape(final), 'string')
    out = t
    for dim, r in enumerate(ranges):
        if r != range(t.shape[dim]):
            out = torch.index_select(out, dim, torch.tensor(list(r), dtype=torch.long,
                                                            device=t.device))
    out = out.reshape(final)
    return wrap(out if out.data_ptr() != t.data_ptr() or not t.numel() else out.clone(), x.dtype)


def _nd_flat_index(idx: torch.Tensor, shape, k: int, what: str):
    """Row numbers into `shape` flattened to [prod(shape[:k]), -1] for index tuples `idx[..., k]`."""
    strides, acc = [], 1
    for d in reversed(shape[:k]):
        strides.insert(0, acc)
        acc *= d
    flat = idx.reshape(-1, k).long()
    bad = ((flat < 0) | (flat >= torch.tensor(shape[:k], device=flat.device))).any(dim=1)
    if bool(bad.any()):
        row = flat[int(torch.nonzero(bad)[0])].tolist()
        raise ValueError(f'Invalid indices: {row} does not index into {list(shape)}')
    rows = (flat * torch.tensor(strides, dtype=torch.long, device=flat.device)).sum(dim=1)
    return rows, acc


def gatherND(x, indices) -> Tensor:
    """Gather slices of `x` at the index tuples in the last axis of int32 `indices`.

    >>> import tfjs as tf
    >>> tf.gatherND(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[1, 0]], None, 'int32')).arraySync()
    [3.0]
    """
    idx = convert(indices, 'indices', 'gatherND', 'int32')
    x = convert(x, 'x', 'gatherND', 'string_or_numeric')
    shape, ishape = x.shape, idx.shape
    if len(shape) < 1:
        raise ValueError(f'tf.gatherND() expects the input to be rank 1 or higher, but the rank '
                         f'was {len(shape)}.')
    if len(ishape) < 1:
        raise ValueError(f'tf.gatherND() expects the indices to be rank 1 or higher, but the rank '
                         f'was {len(ishape)}.')
    k = ishape[-1]
    if k > len(shape):
        raise ValueError(f'index innermost dimension length must be <= tensor rank; saw: {k} vs. '
                         f'{len(shape)}')
    if x.size == 0:
        raise ValueError(f'Requested more than 0 entries, but input is empty. Input shape: {shape}.')
    out_shape = ishape[:-1] + shape[k:]
    rows, nrows = _nd_flat_index(idx._value(), shape, k, 'gatherND')
    t = x._value()
    if x.dtype == 'string':
        flat = t.reshape(nrows, -1)[rows.cpu().numpy()]
        return Tensor._make(np.array(flat, dtype=object).reshape(out_shape), 'string')
    out = torch.index_select(t.reshape(nrows, -1), 0, rows)
    return wrap(out.reshape(out_shape), x.dtype)


def _scatter_checks(updates: Tensor, indices: Tensor, shape) -> None:
    """TF.js's scatter_nd_util.validateInput."""
    if indices.rank < 1:
        raise ValueError(f'tf.scatterND() expects the indices to be rank 1 or higher, but the rank '
                         f'was {indices.rank}.')
    if updates.rank < 1:
        raise ValueError(f'tf.scatterND() expects the updates to be rank 1 or higher, but the rank '
                         f'was {updates.rank}.')
    if indices.dtype != 'int32':
        raise ValueError(f"The dtype of 'indices' should be int32, but got dtype: {indices.dtype}")
    if len(shape) < 1:
        raise ValueError(f'Output rank must be greater or equal to 1, but got shape: {shape}')
    slice_dim = indices.shape[-1] if indices.rank > 1 else 1
    batch_dim = indices.rank - 1 if indices.rank > 1 else 1
    err = (f'Must have updates.shape = indices.shape[:batchDim] + shape[sliceDim:], got '
           f'updates.shape: {updates.shape}, indices.shape: {indices.shape}, shape: {list(shape)}, '
           f'sliceDim: {slice_dim}, and batchDim: {batch_dim}.')
    ok = updates.rank >= batch_dim and updates.rank == batch_dim + len(shape) - slice_dim and \
        len(shape) >= slice_dim and updates.shape[:batch_dim] == indices.shape[:batch_dim] and \
        updates.shape[batch_dim:] == list(shape[slice_dim:])
    if not ok:
        raise ValueError(err)


def _scatter(base: torch.Tensor, idx: Tensor, updates: torch.Tensor, shape, add: bool):
    k = idx.shape[-1] if idx.rank > 1 else 1
    rows, nrows = _nd_flat_index(idx._value().reshape(-1, k), list(shape), k, 'scatterND')
    out = base.reshape(nrows, -1)
    upd = updates.reshape(rows.numel(), -1)
    if add:
        if out.dtype == torch.bool:
            return out.to(torch.int32).index_add(0, rows, upd.to(torch.int32)).ne(0).reshape(shape)
        return out.index_add(0, rows, upd).reshape(shape)
    keep = {}
    for i, r in enumerate(rows.tolist()):   # the last update of a repeated index wins, as in TF.js
        keep[r] = i
    if keep:
        sel = torch.tensor(list(keep.values()), dtype=torch.long, device=out.device)
        tgt = torch.tensor(list(keep.keys()), dtype=torch.long, device=out.device)
        out = out.index_copy(0, tgt, upd.index_select(0, sel))
    return out.reshape(shape)


def scatterND(indices, updates, shape: Sequence[int]) -> Tensor:
    """A zero tensor of `shape` with `updates` added at `indices` (repeated indices add up).

    >>> import tfjs as tf
    >>> tf.scatterND(tf.tensor2d([[1], [3]], None, 'int32'), tf.tensor1d([5, 7]), [4]).arraySync()
    [0.0, 5.0, 0.0, 7.0]
    """
    shape = [int(d) for d in shape]
    if any(d < 0 for d in shape):
        raise ValueError(f'Tensor must have a shape comprised of non-negative integers, got {shape}')
    idx = convert(indices, 'indices', 'scatterND', 'int32')
    upd = convert(updates, 'updates', 'scatterND')
    _scatter_checks(upd, idx, shape)
    u = upd._value()
    base = torch.zeros(shape, dtype=u.dtype, device=u.device)
    return wrap(_scatter(base, idx, u, shape, True), upd.dtype)


def tensorScatterUpdate(tensor, indices, updates) -> Tensor:
    """A copy of `tensor` with the slices at `indices` replaced by `updates`.

    >>> import tfjs as tf
    >>> tf.tensorScatterUpdate(tf.zeros([3]), tf.tensor2d([[1]], None, 'int32'), tf.tensor1d([9])).arraySync()
    [0.0, 9.0, 0.0]
    """
    x = convert(tensor, 'tensor', 'tensorScatterupdate')
    idx = convert(indices, 'indices', 'tensorScatterupdate', 'int32')
    upd = convert(updates, 'updates', 'tensorScatterupdate')
    _scatter_checks(upd, idx, x.shape)
    if x.dtype != upd.dtype:
        raise ValueError(f'tensor and updates must have the same dtype, instead they are {x.dtype} '
                         f'and {upd.dtype}.')
    return wrap(_scatter(x._value(), idx, upd._value(), x.shape, False), x.dtype)


def meshgrid(x=None, y=None, config: dict | None = None, indexing: str | None = None) -> list:
    """Coordinate matrices from two coordinate vectors ({'indexing': 'xy'} or 'ij').

    >>> import tfjs as tf
    >>> [t.shape for t in tf.meshgrid([1, 2, 3], [4, 5])]
    [[2, 3], [2, 3]]
    """
    indexing = indexing or (config or {}).get('indexing', 'xy')
    if indexing not in ('xy', 'ij'):
        raise ValueError(f'{indexing} is not a valid third argument to meshgrid')
    if x is None:
        return []
    tx = convert(x, 'x', 'meshgrid', x.dtype if isinstance(x, Tensor) else 'float32')
    if y is None:
        return [tx]
    ty = convert(y, 'y', 'meshgrid', y.dtype if isinstance(y, Tensor) else 'float32')
    a, b = tx._value().reshape(-1), ty._value().reshape(-1)
    w, h = a.numel(), b.numel()

    def grid(v, shape, dtype):   # as TF.js's matMul with ones: -0 becomes 0
        g = v.expand(*shape)
        return wrap(g + 0 if dtype in ('float32', 'int32') else g.clone(), dtype)
    if indexing == 'xy':
        return [grid(a.reshape(1, -1), (h, w), tx.dtype), grid(b.reshape(-1, 1), (h, w), ty.dtype)]
    return [grid(a.reshape(-1, 1), (w, h), tx.dtype), grid(b.reshape(1, -1), (w, h), ty.dtype)]


def booleanMaskAsync(tensor, mask, axis: int | None = None):
    """The slices of `tensor` where the boolean `mask` is true (a Promise in TF.js).

    >>> import tfjs as tf
    >>> tf.booleanMaskAsync(tf.tensor1d([1, 2, 3]), tf.tensor1d([1, 0, 1], 'bool')).arraySync()
    [1.0, 3.0]
    """
    x = convert(tensor, 'tensor', 'boolMask')
    m = convert(mask, 'mask', 'boolMask', 'bool')
    ax = 0 if axis is None else int(axis)
    if m.rank == 0:
        raise ValueError('mask cannot be scalar')
    shape = x.shape
    if shape[ax:ax + m.rank] != m.shape:
        raise ValueError(f"mask's shape must match the first K dimensions of tensor's shape, Shapes "
                         f'{shape[ax:ax + m.rank]} and {m.shape} must match')
    lead = int(np.prod(shape[ax:ax + m.rank], dtype=np.int64))
    t = x._value().reshape(shape[:ax] + [lead] + shape[ax + m.rank:])
    where = torch.nonzero(m._value().reshape(-1)).reshape(-1)
    return resolved(wrap(torch.index_select(t, ax, where), x.dtype))
