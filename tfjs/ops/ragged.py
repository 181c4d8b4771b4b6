"""Ragged ops: raggedRange, raggedGather and raggedTensorToTensor, ports of TF.js 4.22's CPU
kernels (same validation, same error messages).

Where TF.js's kernel returns garbage instead of an answer, the op here does what TensorFlow does
(TF.js's own docs describe TF's behaviour) or raises a clear error, never the garbage:

* raggedTensorToTensor, shape `-1` (scalar, "unknown"): TF.js raises "rt input.shape and shape=
  are incompatible"; here, as in TF (and TF.js's docstring), the natural shape is used.
* raggedTensorToTensor, values of rank >= 2: TF.js's `combineRaggedTensorToTensorShapes` reads
  `shape[shape[k]]` instead of `shape[k]` for the dense dims, giving wrong shapes (`[2, 2, 3, 3]`
  for `[2, 2, 3]`), NaN-filled outputs, or "Dimension -1 must be >= 0"; here the dense dims are
  checked and filled as TF does.
* raggedTensorToTensor, a non-scalar defaultValue: TF.js copies it into a `slice()` (a copy), so
  the padding stays 0; here the padding is the (broadcast) default value, as in TF.
* row partitions that need more values than there are (TF.js reads past the end: NaN for float32,
  0 for int32), raggedGather splits that point one past the next splits tensor (TF.js returns a
  tensor of shape [NaN]), a scalar ROW_SPLITS partition, negative value_rowids: a ValueError.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from ..errors import ValueError
from ..tensor import Tensor
from ._convert import convert
from ._dispatch import wrap
from .util import computeStrides as _computeStrides, indexToLoc as _indexToLoc

__all__ = ['raggedRange', 'raggedGather', 'raggedTensorToTensor']

_INT32_MAX = 2147483647


def raggedRange(starts, limits, deltas) -> dict:
    """Rows of ranges `start:limit:delta` (scalars broadcast) as a ragged tensor:
    {rtNestedSplits, rtDenseValues}.

    >>> import tfjs as tf
    >>> r = tf.raggedRange(tf.tensor1d([0, 5], 'int32'), tf.tensor1d([3, 7], 'int32'), 1)
    >>> r['rtNestedSplits'].arraySync(), r['rtDenseValues'].arraySync()
    ([0, 3, 5], [0, 1, 2, 5, 6])
    """
    from ..backend import device
    s = convert(starts, 'starts', 'raggedRange')
    lim = convert(limits, 'limits', 'raggedRange', s.dtype)
    d = convert(deltas, 'deltas', 'raggedRange', s.dtype)
    for name, t in (('starts', s), ('limits', lim), ('deltas', d)):
        if t.rank > 1:
            raise ValueError(f'{name} must be a scalar or vector')
    sizes = [t.shape[0] for t in (s, lim, d) if t.rank == 1]
    if any(n != sizes[0] for n in sizes):
        raise ValueError('starts, limits, and deltas must have the same shape')
    rows = sizes[0] if sizes else 1
    sv, lv, dv = (t._numpy().reshape(-1).astype(np.float64) for t in (s, lim, d))

    def at(v, r):
        return float(v[0] if len(v) == 1 else v[r])

    splits, values = [0], []
    for r in range(rows):
        st, li, de = at(sv, r), at(lv, r), at(dv, r)
        if de == 0:
            raise ValueError('Requires delta != 0')
        if (de > 0 and li < st) or (de < 0 and li > st):
            size = 0
        else:
            size = math.ceil(abs((li - st) / de))
            if size > _INT32_MAX:
                raise ValueError(f'Requires ((limit - start) / delta) <= {_INT32_MAX}')
        v = st
        for _ in range(size):
            values.append(v)
            v += de
        splits.append(splits[-1] + size)
    tdt = torch.int32 if s.dtype == 'int32' else torch.float32
    vals = torch.tensor(values, dtype=torch.float64, device=device()).to(tdt)
    return {'rtNestedSplits': wrap(torch.tensor(splits, dtype=torch.int32, device=device()), 'int32'),
            'rtDenseValues': wrap(vals, 'int32' if tdt == torch.int32 else 'float32')}


def _flat_list(t: Tensor) -> list:
    return t._numpy().reshape(-1).tolist()


def _from_numpy(a: np.ndarray, dtype: str) -> Tensor:
    from ..backend import device
    return wrap(torch.from_numpy(np.array(a, order='C')).to(device()), dtype)


_NP = {'float32': np.float32, 'int32': np.int32, 'bool': np.bool_}


def _array_for(dtype: str, size: int) -> np.ndarray:
    """TF.js's `util.getArrayFromDType` for the dtypes these kernels can meet."""
    if dtype not in _NP:
        raise ValueError(f'Unknown data type {dtype}')
    return np.zeros(size, _NP[dtype])


def _tensor_list(xs, fn: str) -> list:
    if not isinstance(xs, (list, tuple)):
        raise ValueError(f'{fn}: the splits / row partition tensors must be a list of tensors, '
                         f'got {type(xs).__name__}')
    return [convert(t, f'tensors{i}', fn, 'int32') for i, t in enumerate(xs)]


# ---------------------------------------------------------------------------- raggedGather

def _validate_splits(splits: list, num_dense: int) -> None:
    for dim, sp in enumerate(splits):
        last = num_dense if dim == len(splits) - 1 else len(splits[dim + 1])
        if len(sp) == 0:
            raise ValueError('Ragged splits may not be empty')
        if sp[0] < 0:
            raise ValueError('Ragged splits must be non-negative')
        if sp[-1] > last:
            raise ValueError('Ragged splits must not point past values')
        for i in range(1, len(sp)):
            if sp[i - 1] > sp[i]:
                raise ValueError('Ragged splits must be sorted in ascending order')


def _make_splits(idx: list, ishape: list, splits: list, num_dense: int):
    out = [[0] for _ in range(len(ishape) - 1 + len(splits))]
    _validate_splits(splits, num_dense)
    nrows = 1
    for dim in range(len(ishape) - 1):
        nrows *= ishape[dim]
        row = ishape[dim + 1]
        out[dim].extend(i * row for i in range(1, nrows + 1))
    slices, num_values = [], 0
    for index in idx:
        start, limit = index, index + 1
        for dim, sp in enumerate(splits):
            n = len(sp)
            if start == n:            # an empty row at the very end: nothing to copy (as TF.js)
                start = limit = None
                break
            if limit == n:            # TF.js reads past the splits here and returns shape [NaN]
                raise ValueError(
                    f'Ragged splits must not point past values: paramsNestedSplits[{dim - 1}] '
                    f'contains {n}, the length of paramsNestedSplits[{dim}], so row '
                    f'{limit - 1} of paramsNestedSplits[{dim}] has no end')
            out_dim = dim + len(ishape) - 1
            if out_dim >= 0:
                o = out[out_dim]
                delta = o[-1] - sp[start]
                o.extend(sp[j + 1] + delta for j in range(start, limit))
            start, limit = sp[start], sp[limit]
        if start is not None and limit != start:
            slices.append((start, limit))
            num_values += limit - start
    return out, slices, num_values


def raggedGather(paramsNestedSplits, paramsDenseValues, indices, outputRaggedRank: int) -> dict:
    """Gather rows of a ragged tensor (its nested row splits and dense values) at `indices`:
    {outputNestedSplits: [int32 tensors], outputDenseValues}. `outputRaggedRank` is passed to the
    kernel as in TF.js, which does not use it.

    >>> import tfjs as tf
    >>> r = tf.raggedGather([tf.tensor1d([0, 2, 3, 5], 'int32')], tf.tensor1d([1, 2, 3, 4, 5]),
    ...                     tf.tensor1d([2, 0], 'int32'), 1)
    >>> [s.arraySync() for s in r['outputNestedSplits']], r['outputDenseValues'].arraySync()
    ([[0, 2, 4]], [4.0, 5.0, 1.0, 2.0])
    """
    splits_t = _tensor_list(paramsNestedSplits, 'raggedGather')
    values = convert(paramsDenseValues, 'paramsDenseValues', 'raggedGather')
    idx_t = convert(indices, 'indices', 'raggedGather', 'int32')
    if not splits_t:
        raise ValueError('paramsNestedSplits must be non empty')
    if splits_t[0].rank == 0:
        raise ValueError('Split tensors must not be scalars')
    num_params = splits_t[0].shape[0] - 1
    idx, ishape = _flat_list(idx_t), list(idx_t.shape)
    strides = _computeStrides(ishape)
    for i, index in enumerate(idx):
        if index < 0 or index >= num_params:
            loc = ','.join(map(str, _indexToLoc(i, len(ishape), strides)))
            raise ValueError(f'indices[{loc}] = {index} is not in [0, {num_params})')
    if values.rank == 0:
        raise ValueError('params.rank must be nonzero')
    vshape = list(values.shape)
    out_splits, slices, num_values = _make_splits(idx, ishape, [_flat_list(s) for s in splits_t],
                                                  vshape[0])
    splits_out = [_from_numpy(np.asarray(s, np.int32), 'int32') for s in out_splits]
    _array_for(values.dtype, 0)     # TF.js's getArrayFromDType: complex64 is an unknown dtype
    vals = values._numpy()
    rows = [vals[s:e] for s, e in slices]
    out = np.concatenate(rows) if rows else np.zeros([0] + vshape[1:], vals.dtype)
    return {'outputNestedSplits': splits_out,
            'outputDenseValues': _from_numpy(out.reshape([num_values] + vshape[1:]), values.dtype)}


# ---------------------------------------------------------------------------- raggedTensorToTensor

_PARTITION_TYPES = ['FIRST_DIM_SIZE', 'VALUE_ROWIDS', 'ROW_LENGTHS', 'ROW_SPLITS', 'ROW_LIMITS',
                    'ROW_STARTS']


def _make_shape(dims, partial: bool) -> list:
    out = []
    for d in dims:
        if d < 0:
            if not partial:
                raise ValueError(f'Dimension {d} must be >= 0')
            if d < -1:
                raise ValueError(f'Dimension {d} must be >= -1')
            d = -1
        out.append(d)
    return out


def _csv(shape) -> str:
    return '' if shape is None else ','.join(map(str, shape))


def _validate_default_value_shape(dshape: list, vshape: list) -> None:
    nd, nv = len(dshape), len(vshape)
    if nd >= nv:
        raise ValueError(f'defaultValue.shape={_csv(dshape)} and ragged tensor flatValues.shape='
                         f'{_csv(vshape)}, are incompatible: defaultValue.rank = {nd} must be less '
                         f'than ragged tensor input flatValues.rank = {nv})')
    for i in range(min(nd, nv - 1)):
        d, v = dshape[i], vshape[i + 1]
        if d >= 0 and v >= 0 and d != 1 and d != v:
            raise ValueError(f'defaultValue.shape={_csv(dshape)}, and ragged tensor input '
                             f'flatValues.shape={_csv(vshape)} are incompatible: defaultValue.shape'
                             f'[{i - nd}] = {d} but ragged tensor input.flatValues.shape[{i - nd}] '
                             f'= {v}')


def _combine_shapes(ragged_rank: int, shape, vshape: list) -> list:
    """TF's CombineRaggedTensorToTensorShapes (TF.js's port indexes the dense dims wrongly)."""
    out = [-1] * (ragged_rank + len(vshape)) if shape is None else list(shape)
    if ragged_rank + len(vshape) != len(out):
        raise ValueError(f'rt input.shape and shape={_csv(shape)} are incompatible: rt input.rank '
                         f'= {ragged_rank + len(vshape)}, but shape.rank = {len(out)}')
    for i in range(1, len(vshape)):
        k = len(out) - len(vshape) + i
        if vshape[i] >= 0:
            if out[k] >= 0:
                if out[k] != vshape[i]:
                    raise ValueError(f'rt input.shape and shape={_csv(shape)} are incompatible: rt '
                                     f'input.shape[{i + ragged_rank}] = {vshape[i]} but shape['
                                     f'{i + ragged_rank}] = {out[k]}')
            else:
                out[k] = vshape[i]
    return out


class _RaggedToDense:
    def __init__(self, shape: Tensor, values: Tensor, default: Tensor, partitions: list,
                 types: list):
        self.shape, self.values, self.default = shape, values, default
        self.parts = [_flat_list(p) for p in partitions]
        self.part_shapes = [list(p.shape) for p in partitions]
        self.types = []
        for name in types:             # TF.js stops at the first unknown name
            if name not in _PARTITION_TYPES:
                break
            self.types.append(name)
        self.first_dim_size = bool(self.types) and self.types[0] == 'FIRST_DIM_SIZE'
        self.ragged_rank = len(self.types) - 1 if self.first_dim_size else len(self.types)

    def type_of(self, dim: int) -> str:
        return self.types[dim + 1] if self.first_dim_size else self.types[dim]

    def partition(self, dim: int) -> list:
        k = dim + 1 if self.first_dim_size else dim
        if k >= len(self.parts):
            raise ValueError(f'rowPartitionTypes name {len(self.types)} row partitions but only '
                             f'{len(self.parts)} row partition tensors were given')
        return self.parts[k]

    def max_width(self, dim: int) -> int:
        part, kind = self.partition(dim - 1), self.type_of(dim - 1)
        if kind == 'VALUE_ROWIDS':
            if not part:
                return 0
            first, first_value, width = 0, part[0], 0
            for i in range(1, len(part)):
                if part[i] != first_value:
                    first_value = part[i]
                    width = max(i - first, width)
                    first = i
            return max(len(part) - first, width)
        if kind == 'ROW_SPLITS':
            return max([0] + [part[i + 1] - part[i] for i in range(len(part) - 1)])
        raise ValueError(f'Cannot handle partition type {kind}')

    def first_dimension(self) -> int:
        if not self.types:
            raise ValueError('No row_partition_types given.')
        kind = self.types[0]
        if kind == 'FIRST_DIM_SIZE':
            return self.parts[0][0]
        if kind == 'VALUE_ROWIDS':
            raise ValueError('Cannot handle VALUE_ROWIDS in first dimension.')
        if kind == 'ROW_SPLITS':
            if not self.part_shapes[0]:
                raise ValueError('A ROW_SPLITS row partition tensor must be a vector, got a scalar')
            return self.part_shapes[0][0] - 1
        raise ValueError(f'Cannot handle type {kind}')

    def output_size(self, first_dim: int) -> list:
        vshape, dshape = list(self.values.shape), list(self.default.shape)
        _validate_default_value_shape(dshape, vshape)
        if self.shape.rank == 0:
            if _flat_list(self.shape)[0] != -1:
                raise ValueError('The only valid scalar shape tensor is the fully unknown shape '
                                 'specified as -1.')
            shape = None
        else:
            shape = _make_shape(_flat_list(self.shape), True)
        result = _combine_shapes(self.ragged_rank, shape, vshape)
        if result[0] < 0:
            result[0] = first_dim
        for i in range(1, self.ragged_rank + 1):
            if result[i] < 0:
                result[i] = self.max_width(i)
        return result

    @staticmethod
    def first_parent_index(first_dim: int, multiplier: int, first_out: int) -> list:
        m = min(first_dim, first_out)
        result = [i * multiplier for i in range(max(m, 0))] + [-1] * max(first_dim - m, 0)
        if len(result) != first_dim:
            raise ValueError('Final length of result must be equal to firstDimension.')
        return result

    @staticmethod
    def index_row_split(split: list, parent: list, multiplier: int, size: int) -> list:
        result = []
        for i in range(len(split) - 1):
            length = split[i + 1] - split[i]
            real = min(size, length)
            cur = parent[i]
            if cur == -1:
                real = 0
            result.extend(cur + j * multiplier for j in range(real))
            result.extend([-1] * (length - real))
        if split and len(result) != split[-1]:
            raise ValueError('Invalid row split size.')
        return result

    @staticmethod
    def index_value_rowid(rowids: list, parent: list, multiplier: int, size: int) -> list:
        if not rowids:
            return []
        if rowids[0] >= len(parent):
            raise ValueError(f'Got currentValueRowId={rowids[0]}, which is not less than '
                             f'{len(parent)}')
        if min(rowids) < 0:
            raise ValueError(f'VALUE_ROWIDS must be non-negative, got {min(rowids)}')
        column, current = 0, rowids[0]
        index = parent[current]
        result = [index]
        for nxt in rowids[1:]:
            if nxt == current:
                if index >= 0:
                    column += 1
                    index = index + multiplier if column < size else -1
            else:
                column, current = 0, nxt
                if nxt >= len(parent):
                    raise ValueError(f'Got nextValueRowId={nxt} which is not less than '
                                     f'{len(parent)}')
                index = parent[nxt]
            result.append(index)
        return result

    def output_index(self, dim: int, parent: list, multiplier: int, size: int) -> list:
        part, kind = self.partition(dim), self.type_of(dim)
        if kind == 'VALUE_ROWIDS':
            return self.index_value_rowid(part, parent, multiplier, size)
        if kind == 'ROW_SPLITS':
            if len(part) - 1 > len(parent):
                raise ValueError(f'Row partition size is greater than output size: '
                                 f'{len(part) - 1} > {len(parent)}')
            return self.index_row_split(part, parent, multiplier, size)
        raise ValueError(f'Unsupported partition type: {kind}')

    def compute(self) -> Tensor:
        if not self.parts:
            raise ValueError('raggedTensorToTensor needs at least one row partition tensor')
        if len(self.parts[0]) <= 0:
            raise ValueError('Invalid first partition input. Tensor requires at least one '
                             'element.')
        first_dim = self.first_dimension()
        size = self.output_size(first_dim)
        rr = self.ragged_rank
        multiplier = [1] * (rr + 1)
        for i in range(rr - 1, -1, -1):
            multiplier[i] = multiplier[i + 1] * size[i + 1]
        out_shape = _make_shape(size, False)
        total = 1
        for d in out_shape:
            total *= d
        out = _array_for(self.values.dtype, total)
        if multiplier[0] * size[0] > 0:
            index = self.first_parent_index(first_dim, multiplier[0], size[0])
            for i in range(1, rr + 1):
                index = self.output_index(i - 1, index, multiplier[i], size[i])
            self.set_output(index, out, out_shape)
        return _from_numpy(out.reshape(out_shape), self.values.dtype)

    def set_output(self, index: list, out: np.ndarray, out_shape: list) -> None:
        if out.size == 0:
            return
        elem_shape = out_shape[self.ragged_rank + 1:]
        es = 1
        for d in elem_shape:
            es *= d
        values = self.values._numpy().reshape(-1)
        dflat = self.default._numpy().reshape(-1)
        if dflat.size != 1:
            if dflat.size != es:
                from .slicing_joining import broadcastTo
                dflat = broadcastTo(self.default, elem_shape)._numpy().reshape(-1)
        n_idx = len(index)

        def copy(dst: int, src: int, n: int) -> None:
            n = min(n, out.size - dst)          # a typed array ignores writes past its end
            if n <= 0:
                return
            if src + n > values.size:
                raise ValueError(f'The row partitions place at least {src + n} values but values '
                                 f'has only {values.size} (shape [{_csv(self.values.shape)}])')
            out[dst:dst + n] = values[src:src + n]

        src_start = dst_start = dst_end = 0
        for src_i in range(n_idx + 1):
            dst_i = index[src_i] if src_i < n_idx else -1
            if dst_i == dst_end:
                dst_end += 1
                continue
            if dst_start < dst_end:
                copy(dst_start * es, src_start * es, (dst_end - dst_start) * es)
            if src_i >= n_idx:
                dst_i = out.size // es
            if dst_i > dst_end:
                if dflat.size == 1:
                    out[dst_end * es:dst_i * es] = dflat[0]
                else:
                    region = out[dst_end * es:dst_i * es]
                    region[:] = np.resize(dflat, region.size)
                dst_end = dst_i
            if dst_i < 0:
                src_start = src_i + 1
                dst_start = dst_end
            else:
                src_start = src_i
                dst_start = dst_end
                dst_end = dst_start + 1


def raggedTensorToTensor(shape, values, defaultValue, rowPartitionTensors,
                         rowPartitionTypes) -> Tensor:
    """A dense tensor from a ragged one given by its flat values and row partition tensors
    ('ROW_SPLITS', 'VALUE_ROWIDS', with a leading 'FIRST_DIM_SIZE' for value_rowids), padded with
    defaultValue (broadcast) and cropped/padded to `shape` (-1 entries, or a scalar -1: the
    natural size).

    >>> import tfjs as tf
    >>> tf.raggedTensorToTensor(tf.tensor1d([-1, -1], 'int32'), tf.tensor1d([1, 2, 3]), 0,
    ...                         [tf.tensor1d([0, 1, 3], 'int32')], ['ROW_SPLITS']).arraySync()
    [[1.0, 0.0], [2.0, 3.0]]
    """
    s = convert(shape, 'shape', 'raggedTensorToTensor', 'int32')
    v = convert(values, 'values', 'raggedTensorToTensor')
    d = convert(defaultValue, 'defaultValue', 'raggedTensorToTensor', v.dtype)
    parts = _tensor_list(rowPartitionTensors, 'raggedTensorToTensor')
    return _RaggedToDense(s, v, d, parts, list(rowPartitionTypes)).compute()
