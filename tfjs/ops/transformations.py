"""Transformations beyond reshape/pad (TF.js doc section "Tensors / Transformations"): ranked
pads, mirrorPad, batchToSpaceND, spaceToBatchND, depthToSpace, ensureShape, setdiff1dAsync,
broadcastArgs."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

from .._async import resolved
from ..errors import ValueError
from ..tensor import Tensor
from ._convert import convert
from ._dispatch import wrap
from .slicing_joining import pad

__all__ = ['pad1d', 'pad2d', 'pad3d', 'pad4d', 'mirrorPad', 'batchToSpaceND', 'spaceToBatchND',
           'depthToSpace', 'ensureShape', 'setdiff1dAsync', 'broadcastArgs']
CHAINED = ['mirrorPad', 'batchToSpaceND', 'spaceToBatchND', 'depthToSpace']


def _ranked_pad(rank: int):
    def fn(x, paddings, constantValue: float = 0) -> Tensor:
        if rank == 1:
            if len(paddings) != 2:
                raise ValueError('Invalid number of paddings. Must be length of 2.')
            paddings = [paddings]
        else:
            if len(paddings) != rank or any(len(p) != 2 for p in paddings):
                raise ValueError(f'Invalid number of paddings. Must be length of {rank} and each '
                                 'of length 2.')
        return pad(x, paddings, constantValue)
    fn.__name__ = f'pad{rank}d'
    example = {1: '[1, 2]', 2: '[0, 0]'}.get(rank, '[0, 0]')
    fn.__doc__ = f"""`tf.pad` for a rank-{rank} tensor (paddings {'[before, after]' if rank == 1 else
                                                              'one [before, after] per dimension'}).

    >>> import tfjs as tf
    >>> tf.pad{rank}d(tf.zeros({[2] * rank}), {example if rank == 1 else [[0, 0]] * rank}).shape
    {[5] if rank == 1 else [2] * rank}
    """
    return fn


pad1d, pad2d, pad3d, pad4d = (_ranked_pad(r) for r in (1, 2, 3, 4))


def mirrorPad(x, paddings: Sequence[Sequence[int]], mode: str) -> Tensor:
    """Pad by mirroring the tensor ('reflect' excludes the edge, 'symmetric' includes it).

    The gradient sums the mirrored contributions (the true gradient; TF.js 4.22 only slices the
    centre of dy, which drops them).

    >>> import tfjs as tf
    >>> tf.mirrorPad(tf.tensor1d([1, 2, 3]), [[2, 1]], 'reflect').arraySync()
    [3.0, 2.0, 1.0, 2.0, 3.0, 2.0]
    """
    if mode not in ('reflect', 'symmetric'):
        raise ValueError(f'Invalid mode. Mode must be either reflect or symmetric. Got {mode}.')
    x = convert(x, 'x', 'mirrorPad')
    t = x._value()
    if t.ndim == 0:
        raise ValueError('mirrorPad(scalar) is not defined. Pass non-scalar to mirrorPad')
    if len(paddings) != t.ndim:
        raise ValueError(f"Padding doesn't match input. Must be {t.ndim}. Got {len(paddings)}.")
    offset = 1 if mode == 'reflect' else 0
    for i, p in enumerate(paddings):
        if len(p) != 2:
            raise ValueError('Invalid number of paddings. Must be length of 2 each.')
        n = t.shape[i]
        if not (0 <= p[0] <= n - offset and 0 <= p[1] <= n - offset):
            raise ValueError(f'Padding in dimension {i} cannot be greater than or equal to '
                             f'{n - offset} or less than 0 for input of shape {t.shape}')
    for dim, (before, after) in enumerate(paddings):
        n = t.shape[dim]
        idx = list(range(before + offset - 1, offset - 1, -1)) + list(range(n)) + \
            list(range(n - 1 - offset, n - 1 - offset - after, -1))
        if before or after:
            t = torch.index_select(t, dim, torch.tensor(idx, dtype=torch.long, device=t.device))
    return wrap(t if t is not x._value() else t.clone(), x.dtype)


def _block_checks(x, blockShape, pairs, what: str):
    if x.rank < 1 + len(blockShape):
        raise ValueError(f'input rank is {x.rank} but should be > than blockShape.length '
                         f'{len(blockShape)}')
    if len(pairs) != len(blockShape):
        raise ValueError(f'{what}.length is {len(pairs)} but should be equal to blockShape.length '
                         f'{len(blockShape)}')


def batchToSpaceND(x, blockShape: Sequence[int], crops: Sequence[Sequence[int]]) -> Tensor:
    """Move blocks of the batch dimension into the spatial dimensions, then crop.

    >>> import tfjs as tf
    >>> tf.batchToSpaceND(tf.tensor4d([1, 2, 3, 4], [4, 1, 1, 1]), [2, 2], [[0, 0], [0, 0]]).shape
    [1, 2, 2, 1]
    """
    x = convert(x, 'x', 'batchToSpaceND')
    blockShape = [int(b) for b in blockShape]
    prod = int(np.prod(blockShape, dtype=np.int64))
    _block_checks(x, blockShape, crops, 'crops')
    t = x._value()
    if t.shape[0] % prod:
        raise ValueError(f'input tensor batch is {t.shape[0]} but is not divisible by the product '
                         f'of the elements of blockShape {" * ".join(map(str, blockShape))} === '
                         f'{prod}')
    m = len(blockShape)
    batch = t.shape[0] // prod
    spatial, rest = list(t.shape[1:1 + m]), list(t.shape[1 + m:])
    r = t.reshape(blockShape + [batch] + spatial + rest)
    perm = [m] + [a for i in range(m) for a in (m + 1 + i, i)] + \
        list(range(2 * m + 1, 2 * m + 1 + len(rest)))
    r = r.permute(perm).reshape([batch] + [s * b for s, b in zip(spatial, blockShape)] + rest)
    for i, (c0, c1) in enumerate(crops):
        size = r.shape[1 + i]
        r = r.narrow(1 + i, int(c0), size - int(c0) - int(c1))
    return wrap(r.clone(memory_format=torch.contiguous_format), x.dtype)


def spaceToBatchND(x, blockShape: Sequence[int], paddings: Sequence[Sequence[int]]) -> Tensor:
    """Pad the spatial dimensions, then move blocks of them into the batch dimension.

    >>> import tfjs as tf
    >>> tf.spaceToBatchND(tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]), [2, 2], [[0, 0], [0, 0]]).shape
    [4, 1, 1, 1]
    """
    x = convert(x, 'x', 'spaceToBatchND')
    blockShape = [int(b) for b in blockShape]
    if x.rank < 1 + len(blockShape):
        raise ValueError(f'input rank {x.rank} should be > than [blockShape] {len(blockShape)}')
    if len(paddings) != len(blockShape):
        raise ValueError(f'paddings.shape[0] {len(paddings)} must be equal to [blockShape] '
                         f'{len(blockShape)}')
    t = x._value()
    m = len(blockShape)
    for i in range(m):
        if (t.shape[1 + i] + paddings[i][0] + paddings[i][1]) % blockShape[i]:
            raise ValueError(f'input spatial dimensions {list(t.shape[1:])} with paddings '
                             f'{paddings} must be divisible by blockShapes {blockShape}')
    flat = [0, 0] * (t.ndim - 1 - m)
    for p0, p1 in reversed([list(p) for p in paddings]):
        flat += [int(p0), int(p1)]
    flat += [0, 0]
    p = torch.nn.functional.pad(t.to(torch.uint8) if t.dtype == torch.bool else t, flat)
    p = p.bool() if t.dtype == torch.bool else p
    batch, rest = t.shape[0], list(t.shape[1 + m:])
    padded = list(p.shape[1:1 + m])
    shape = [batch]
    for s, b in zip(padded, blockShape):
        shape += [s // b, b]
    r = p.reshape(shape + rest)
    perm = [2 + 2 * i for i in range(m)] + [0] + [1 + 2 * i for i in range(m)] + \
        list(range(1 + 2 * m, 1 + 2 * m + len(rest)))
    out = r.permute(perm).reshape([batch * int(np.prod(blockShape, dtype=np.int64))]
                                  + [s // b for s, b in zip(padded, blockShape)] + rest)
    return wrap(out.clone(memory_format=torch.contiguous_format), x.dtype)


def depthToSpace(x, blockSize: int, dataFormat: str = 'NHWC') -> Tensor:
    """Rearrange depth blocks of a 4-D float32 tensor into spatial blocks.

    >>> import tfjs as tf
    >>> tf.depthToSpace(tf.zeros([1, 1, 1, 4]), 2).shape
    [1, 2, 2, 1]
    """
    x = convert(x, 'x', 'depthToSpace', 'float32')
    t = x._value()
    if t.ndim != 4:
        raise ValueError(f'depthToSpace expects a rank-4 tensor, got rank {t.ndim}.')
    nhwc = dataFormat == 'NHWC'
    b, h, w, c = t.shape if nhwc else (t.shape[0], t.shape[2], t.shape[3], t.shape[1])
    if blockSize <= 1:
        raise ValueError(f'blockSize should be > 1 for depthToSpace, but was: {blockSize}')
    if c % (blockSize * blockSize):
        raise ValueError(f'Dimension size must be evenly divisible by {blockSize * blockSize} but is '
                         f'{c} for depthToSpace with input shape {list(t.shape)}')
    bs, c2 = blockSize, c // (blockSize * blockSize)
    if nhwc:
        out = t.reshape(b, h, w, bs, bs, c2).permute(0, 1, 3, 2, 4, 5).reshape(b, h * bs, w * bs, c2)
    else:
        out = t.reshape(b, bs, bs, c2, h, w).permute(0, 3, 4, 1, 5, 2).reshape(b, c2, h * bs, w * bs)
    return wrap(out.contiguous(), 'float32')


def ensureShape(x, shape: Sequence) -> Tensor:
    """Return `x` unchanged if its shape matches `shape` (None entries match any size), else raise.

    >>> import tfjs as tf
    >>> tf.ensureShape(tf.zeros([2, 3]), [None, 3]).shape
    [2, 3]
    """
    t = convert(x, 'x', 'ensureShape', 'string_or_numeric')
    got = t.shape
    ok = len(got) == len(shape) and all(s is None or int(s) == d for d, s in zip(got, shape))
    if not ok:
        raise ValueError(f'EnsureShape: Shape of tensor {",".join(map(str, got))} is not compatible '
                         f'with expected shape {",".join("" if s is None else str(s) for s in shape)}')
    return x if isinstance(x, Tensor) else t


def setdiff1dAsync(x, y):
    """The values of 1-D `x` not in `y`, and their indices in `x` (a Promise in TF.js).

    >>> import tfjs as tf
    >>> out, idx = tf.setdiff1dAsync(tf.tensor1d([1, 2, 3, 4]), tf.tensor1d([2, 4]))
    >>> out.arraySync(), idx.arraySync()
    ([1.0, 3.0], [0, 2])
    """
    x = convert(x, 'x', 'setdiff1d')
    y = convert(y, 'y', 'setdiff1d')
    if x.dtype != y.dtype:
        raise ValueError(f'x and y should have the same dtype, but got x ({x.dtype}) and y '
                         f'({y.dtype}).')
    if x.rank != 1:
        raise ValueError(f'x should be 1D tensor, but got x ({",".join(map(str, x.shape))}).')
    if y.rank != 1:
        raise ValueError(f'y should be 1D tensor, but got y ({",".join(map(str, y.shape))}).')
    tx, ty = x._value(), y._value()
    keep = ~torch.isin(tx, ty) if ty.numel() else torch.ones_like(tx, dtype=torch.bool)
    if x.dtype == 'float32':   # a JS Set treats NaN as equal to NaN
        keep &= ~(torch.isnan(tx) & bool(torch.isnan(ty).any()))
    idx = torch.nonzero(keep).reshape(-1)
    return resolved([wrap(tx[idx].detach().clone(), x.dtype), wrap(idx.to(torch.int32), 'int32')])


def broadcastArgs(s0, s1) -> Tensor:
    """The broadcast shape of two int32 shape vectors.

    >>> import tfjs as tf
    >>> tf.broadcastArgs([2, 1], [3]).arraySync()
    [2, 3]
    """
    a = convert(s0, 's0', 'broadcastArgs', 'int32')
    b = convert(s1, 's1', 'broadcastArgs', 'int32')
    if a.rank != 1:
        raise ValueError(f'broadcastArgs(): first input must be a vector (rank=1). Has rank {a.rank}')
    if b.rank != 1:
        raise ValueError(f'broadcastArgs(): second input must be a vector (rank=1). Has rank '
                         f'{b.rank}')
    sa, sb = [int(v) for v in a.dataSync()], [int(v) for v in b.dataSync()]
    n = max(len(sa), len(sb))
    sa, sb = [1] * (n - len(sa)) + sa, [1] * (n - len(sb)) + sb
    out = []
    for da, db in zip(sa, sb):
        if da != db and da != 1 and db != 1:
            raise ValueError(f'Operands could not be broadcast together with shapes {sa} and {sb}.')
        out.append(db if da == 1 else da)
    return wrap(torch.tensor(out, dtype=torch.int32, device=a._value().device), 'int32')
