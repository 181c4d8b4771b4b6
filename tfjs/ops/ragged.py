"""Ragged ops: raggedRange (a port of TF.js's CPU kernel). raggedGather and
raggedTensorToTensor are not implemented yet and raise NotImplementedError."""
from __future__ import annotations

import math

import numpy as np
import torch

from ..errors import NotImplementedError, ValueError
from ._convert import convert
from ._dispatch import wrap

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


def raggedGather(paramsNestedSplits, paramsDenseValues, indices, outputRaggedRank: int) -> dict:
    """Not implemented yet (raises NotImplementedError)."""
    raise NotImplementedError('tf.raggedGather is not implemented yet')


def raggedTensorToTensor(shape, values, defaultValue, rowPartitionTensors, rowPartitionTypes):
    """Not implemented yet (raises NotImplementedError)."""
    raise NotImplementedError('tf.raggedTensorToTensor is not implemented yet')
