"""tf.sparse: sparseFillEmptyRows, sparseReshape, sparseSegmentMean, sparseSegmentSum
(ports of TF.js's CPU kernels, with their checks and messages)."""
from __future__ import annotations

import numpy as np
import torch

from ..errors import ValueError
from ..tensor import Tensor
from ._convert import convert
from ._dispatch import wrap

NAMESPACE = 'sparse'
__all__ = ['sparseFillEmptyRows', 'sparseReshape', 'sparseSegmentMean', 'sparseSegmentSum']


def _ints(values, shape) -> Tensor:
    from ..backend import device
    return wrap(torch.tensor(np.asarray(values, np.int64).reshape(shape), dtype=torch.int32,
                             device=device()), 'int32')


def sparseFillEmptyRows(indices, values, denseShape, defaultValue) -> dict:
    """Give every empty row of a 2-D sparse tensor one entry holding `defaultValue`; returns
    {outputIndices, outputValues, emptyRowIndicator, reverseIndexMap}.

    >>> import tfjs as tf
    >>> r = tf.sparse.sparseFillEmptyRows(tf.tensor2d([[0, 0], [2, 1]], [2, 2], 'int32'),
    ...     tf.tensor1d([5, 6]), tf.tensor1d([3, 2], 'int32'), -1)
    >>> r['outputValues'].arraySync()
    [5.0, -1.0, 6.0]
    """
    ind = convert(indices, 'indices', 'sparseFillEmptyRows', 'int32')
    val = convert(values, 'values', 'sparseFillEmptyRows')
    shp = convert(denseShape, 'denseShape', 'sparseFillEmptyRows', 'int32')
    dv = convert(defaultValue, 'defaultValue', 'sparseFillEmptyRows')
    if dv.dtype != val.dtype:
        from .. import cast
        dv = cast(dv, val.dtype)
    if ind.rank != 2:
        raise ValueError(f'Indices should be Tensor2D but received shape {ind.shape}')
    if val.rank != 1:
        raise ValueError(f'Values should be Tensor1D but received shape {val.shape}')
    if shp.rank != 1:
        raise ValueError(f'Dense shape should be Tensor1D but received shape {shp.shape}')
    if dv.rank != 0:
        raise ValueError(f'Default value should be a scalar but received shape {dv.shape}')
    idx = ind._numpy().astype(np.int64)
    vals = val._numpy().reshape(-1)
    count, rank = ind.shape
    rows = int(shp._numpy().reshape(-1)[0])
    default = dv._numpy().reshape(-1)[0]
    if rows == 0:
        if count:
            raise ValueError(f'Received SparseTensor with denseShape[0] = 0 but indices.shape[0] = '
                             f'{count}')
        return {'outputIndices': _ints([], [0, rank]), 'outputValues': _vals(vals[:0], val),
                'emptyRowIndicator': wrap(torch.zeros(0, dtype=torch.bool), 'bool'),
                'reverseIndexMap': _ints([], [0])}
    per_row = np.zeros(rows, np.int64)
    ordered, last = True, 0
    for i in range(count):
        r = int(idx[i, 0])
        if r < 0:
            raise ValueError(f'indices({i}, 0) is invalid: {r} < 0')
        if r >= rows:
            raise ValueError(f'indices({i}, 0) is invalid: {r} >= {rows}')
        per_row[r] += 1
        ordered = ordered and r >= last
        last = r
    empty = per_row == 0
    offsets = np.cumsum(np.maximum(per_row, 1))
    if not empty.any() and ordered:
        out_idx, out_vals, reverse = idx, vals, np.arange(count)
    else:
        total = int(offsets[-1])
        out_idx = np.zeros((total, rank), np.int64)
        out_vals = np.zeros(total, dtype=vals.dtype)
        filled = np.zeros(rows, np.int64)
        reverse = np.zeros(count, np.int64)
        for i in range(count):
            r = int(idx[i, 0])
            o = (0 if r == 0 else int(offsets[r - 1])) + int(filled[r])
            filled[r] += 1
            out_idx[o] = idx[i]
            out_vals[o] = vals[i]
            reverse[i] = o
        for r in np.nonzero(filled == 0)[0]:
            o = 0 if r == 0 else int(offsets[r - 1])
            out_idx[o] = 0
            out_idx[o, 0] = r
            out_vals[o] = default
    from ..backend import device
    return {'outputIndices': _ints(out_idx, [-1, rank]), 'outputValues': _vals(out_vals, val),
            'emptyRowIndicator': wrap(torch.tensor(empty, device=device()), 'bool'),
            'reverseIndexMap': _ints(reverse, [count])}


def _vals(a, like: Tensor) -> Tensor:
    from ..backend import device
    return wrap(torch.from_numpy(np.ascontiguousarray(a)).to(device()), like.dtype)


def sparseReshape(inputIndices, inputShape, newShape) -> dict:
    """Reshape a sparse tensor (its indices and dense shape; one new dimension may be -1);
    returns {outputIndices, outputShape}.

    >>> import tfjs as tf
    >>> r = tf.sparse.sparseReshape(tf.tensor2d([[0, 1], [1, 2]], [2, 2], 'int32'),
    ...     tf.tensor1d([2, 3], 'int32'), tf.tensor1d([3, -1], 'int32'))
    >>> r['outputIndices'].arraySync(), r['outputShape'].arraySync()
    ([[0, 1], [2, 1]], [3, 2])
    """
    ind = convert(inputIndices, 'inputIndices', 'sparseReshape', 'int32')
    ins = convert(inputShape, 'inputShape', 'sparseReshape', 'int32')
    new = convert(newShape, 'newShape', 'sparseReshape', 'int32')
    if ind.rank != 2:
        raise ValueError(f'Input indices should be Tensor2D but received shape {ind.shape}')
    if ins.rank != 1:
        raise ValueError(f'Input shape should be Tensor1D but received shape {ins.shape}')
    if new.rank != 1:
        raise ValueError(f'New shape should be Tensor1D but received shape {new.shape}')
    in_shape = [int(v) for v in ins._numpy()]
    target = [int(v) for v in new._numpy()]
    dense = int(np.prod(in_shape, dtype=np.int64))
    out_shape, product, unknown = [], 1, -1
    for d, size in enumerate(target):
        if size == -1:
            if unknown != -1:
                raise ValueError(f'only one output dimension may be -1, not both {unknown} and {d}')
            unknown = d
            out_shape.append(1)
        else:
            if size < 0:
                raise ValueError(f'size {d} must be non-negative, not {size}')
            product *= size
            out_shape.append(size)
    if unknown != -1:
        if product <= 0:
            raise ValueError('reshape cannot infer the missing input size for an empty tensor '
                             'unless all specified input sizes are non-zero')
        missing = dense // product
        if product * missing != dense:
            raise ValueError(f'Input to reshape is a SparseTensor with {dense} dense values, but '
                             f'the requested shape requires a multiple of {product}.')
        out_shape[unknown] = missing
    if int(np.prod(out_shape, dtype=np.int64)) != dense:
        raise ValueError(f'Input to reshape is a tensor with {dense} dense values, but the '
                         f'requested shape has {int(np.prod(out_shape))}. inputShape={in_shape} '
                         f'outputShape={out_shape}')
    idx = ind._numpy().astype(np.int64)
    flat = np.ravel_multi_index(idx.T, in_shape) if idx.size else np.zeros(idx.shape[0], np.int64)
    out = np.stack(np.unravel_index(flat, out_shape), 1) if len(out_shape) else \
        np.zeros((idx.shape[0], 0), np.int64)
    return {'outputIndices': _ints(out, [idx.shape[0], len(out_shape)]),
            'outputShape': _ints(out_shape, [len(out_shape)])}


def _segment(data, indices, segmentIds, op: str, mean: bool) -> Tensor:
    d = convert(data, 'data', op)
    ind = convert(indices, 'indices', op, 'int32')
    seg = convert(segmentIds, 'segmentIds', op, 'int32')
    if d.rank < 1:
        raise ValueError('Data should be at least 1 dimensional but received scalar')
    if ind.rank != 1:
        raise ValueError(f'Indices should be Tensor1D but received shape {ind.shape}')
    if seg.rank != 1:
        raise ValueError(f'Segment ids should be Tensor1D but received shape {seg.shape}')
    idx = [int(v) for v in ind._numpy()]
    ids = [int(v) for v in seg._numpy()]
    n = len(idx)
    rows = ids[-1] + 1 if n else 0
    if rows < 0 or (n and rows <= 0):
        raise ValueError('segment ids must be >= 0')
    for i in range(n):
        if i + 1 < n and ids[i + 1] != ids[i] and ids[i] >= ids[i + 1]:
            raise ValueError('segment ids are not increasing')
        if ids[i] < 0 or ids[i] >= rows:
            raise ValueError(f'Segment id {ids[i]} out of range [0, {rows}), possibly because '
                             'segmentIds input is not sorted.')
        if idx[i] < 0 or idx[i] >= d.shape[0]:
            raise ValueError(f'Bad: indices[{i}] == {idx[i]} out of range [0, {d.shape[0]})')
    t = d._value()
    dtype = d.dtype
    if dtype == 'bool':
        t, dtype = t.to(torch.int32), 'int32'
    it = torch.tensor(idx, dtype=torch.long, device=t.device)
    st = torch.tensor(ids, dtype=torch.long, device=t.device)
    out = torch.zeros([rows] + list(t.shape[1:]), dtype=t.dtype, device=t.device)
    out = out.index_add(0, st, t.index_select(0, it))
    if mean and n:
        cnt = torch.bincount(st, minlength=rows).clamp(min=1)
        cnt = cnt.reshape([rows] + [1] * (t.ndim - 1))
        out = out / cnt.to(out.dtype) if out.is_floating_point() else torch.div(out, cnt, rounding_mode='trunc').to(out.dtype)
    return wrap(out, dtype)


def sparseSegmentSum(data, indices, segmentIds) -> Tensor:
    """Sum the rows `data[indices[i]]` into segment `segmentIds[i]` (ids sorted).

    >>> import tfjs as tf
    >>> tf.sparse.sparseSegmentSum(tf.tensor2d([[1, 2], [3, 4], [5, 6]]),
    ...     tf.tensor1d([0, 2, 1], 'int32'), tf.tensor1d([0, 0, 1], 'int32')).arraySync()
    [[6.0, 8.0], [3.0, 4.0]]
    """
    return _segment(data, indices, segmentIds, 'sparseSegmentSum', False)


def sparseSegmentMean(data, indices, segmentIds) -> Tensor:
    """Average the rows `data[indices[i]]` per segment `segmentIds[i]` (ids sorted).

    >>> import tfjs as tf
    >>> tf.sparse.sparseSegmentMean(tf.tensor2d([[1, 2], [3, 4], [5, 6]]),
    ...     tf.tensor1d([0, 2], 'int32'), tf.tensor1d([0, 0], 'int32')).arraySync()
    [[3.0, 4.0]]
    """
    return _segment(data, indices, segmentIds, 'sparseSegmentMean', True)
