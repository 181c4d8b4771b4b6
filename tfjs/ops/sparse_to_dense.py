"""tf.sparseToDense, a port of TF.js 4.22's op (validation, messages) and CPU kernel (scatterImpl:
indices are checked on their flat position only, and a repeated index keeps its last value)."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

from ..errors import ValueError
from ..tensor import Tensor
from ._convert import convert
from ._dispatch import wrap
from .util_extra import assertNonNegativeIntegerDimensions

__all__ = ['sparseToDense']


def sparseToDense(sparseIndices, sparseValues, outputShape: Sequence[int],
                  defaultValue=0) -> Tensor:
    """A dense tensor of `outputShape` holding `sparseValues` (one per index row, or one scalar
    for all) at `sparseIndices` (int32: a scalar, a vector of positions, or an [n, rank] matrix)
    and `defaultValue` elsewhere. A repeated index keeps its last value, as TF.js's kernel does.

    >>> import tfjs as tf
    >>> tf.sparseToDense(tf.tensor1d([4, 1], 'int32'), tf.tensor1d([10, 11]), [6]).arraySync()
    [0.0, 11.0, 0.0, 0.0, 10.0, 0.0]
    """
    from ..backend import device
    assertNonNegativeIntegerDimensions(list(outputShape))
    shape = [int(d) for d in outputShape]
    idx = convert(sparseIndices, 'sparseIndices', 'sparseToDense', 'int32')
    vals = convert(sparseValues, 'sparseValues', 'sparseToDense', 'string_or_numeric')
    dflt = convert(defaultValue, 'defaultValue', 'sparseToDense', vals.dtype)
    # sparse_to_dense_util.validateInput
    if idx.dtype != 'int32':
        raise ValueError(f'tf.sparseToDense() expects the indices to be int32 type, but the dtype '
                         f'was {idx.dtype}.')
    if idx.rank > 2:
        raise ValueError(f'sparseIndices should be a scalar, vector, or matrix, but got shape '
                         f'{",".join(map(str, idx.shape))}.')
    num_elems = idx.shape[0] if idx.rank > 0 else 1
    num_dims = idx.shape[1] if idx.rank > 1 else 1
    if len(shape) != num_dims:
        raise ValueError(f'outputShape has incorrect number of elements:, {len(shape)}, should be: '
                         f'{num_dims}.')
    if not (vals.rank == 0 or (vals.rank == 1 and vals.size == num_elems)):
        raise ValueError(f'sparseValues has incorrect shape {",".join(map(str, vals.shape))}, '
                         f'should be [] or [{num_elems}]')
    if vals.dtype != dflt.dtype:
        raise ValueError('sparseValues.dtype must match defaultValues.dtype')
    if vals.dtype not in ('bool', 'float32', 'int32', 'string'):
        raise ValueError(f'Unsupported type {vals.dtype}')
    # the kernel: backend_util.calculateShapes + scatterImpl(sumDupeIndices = false)
    slice_rank = idx.shape[-1] if idx.rank > 1 else 1
    slice_size = int(np.prod(shape[slice_rank:], dtype=np.int64))
    num_updates = idx.size // (slice_rank if slice_rank >= 1 else 1)
    strides = [int(np.prod(shape[j + 1:slice_rank], dtype=np.int64)) for j in range(slice_rank)]
    output_size = int(np.prod(shape, dtype=np.int64))
    np_dtype = {'bool': np.bool_, 'float32': np.float32, 'int32': np.int32, 'string': object}[vals.dtype]
    if output_size == 0:
        out = np.zeros(shape, np_dtype) if vals.dtype != 'string' else np.full(shape, '', object)
    else:
        if dflt.size == 0:
            raise ValueError('tf.sparseToDense() needs a scalar defaultValue, got an empty tensor')
        default = dflt._numpy().reshape(-1)[0]
        out = np.full(output_size, default, dtype=np_dtype)
        index = idx._numpy().astype(np.int64).reshape(num_updates, slice_rank) if slice_rank \
            else np.zeros([num_updates, 0], np.int64)
        flat = index @ np.asarray(strides, np.int64) if slice_rank else np.zeros(num_updates, np.int64)
        bad = (flat < 0) | (flat >= output_size // slice_size)
        if bad.any():
            row = index[int(np.argmax(bad))].tolist()
            raise ValueError(f'Invalid indices: {",".join(map(str, row))} does not index into '
                             f'{",".join(map(str, shape))}')
        v = vals._numpy().reshape(-1)
        src = np.zeros(num_updates, np.int64) if vals.rank == 0 else np.arange(num_updates)
        # slice_size is 1 (outputShape has one dim per index column); the last write wins
        _, first = np.unique(flat[::-1], return_index=True)
        keep = num_updates - 1 - first
        out[flat[keep]] = v[src[keep]]
        out = out.reshape(shape)
    if vals.dtype == 'string':
        return Tensor._make(out, 'string')
    return wrap(torch.from_numpy(np.array(out, order='C')).to(device()), vals.dtype)
