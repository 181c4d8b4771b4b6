"""Matrix ops (TF.js doc section "Operations / Matrices")."""
from __future__ import annotations

import torch

from ..errors import ValueError
from ._dispatch import pair, tensor_of, wrap

__all__ = ['matMul', 'dot', 'outerProduct', 'transpose', 'norm', 'euclideanNorm']


def matMul(a, b, transposeA: bool = False, transposeB: bool = False):
    """Matrix product of two tensors of rank >= 2 (batched over leading dims).

    >>> import tfjs as tf
    >>> tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).arraySync()
    [[11.0]]
    """
    ta, tb, d = pair(a, b, 'matMul')
    if ta.ndim < 2 or tb.ndim < 2:
        raise ValueError(f'Error in matMul: inputs must have rank >= 2, got ranks {ta.ndim} and '
                         f'{tb.ndim}.')
    if transposeA:
        ta = ta.transpose(-1, -2)
    if transposeB:
        tb = tb.transpose(-1, -2)
    if ta.shape[-1] != tb.shape[-2]:
        raise ValueError(f'Error in matMul: inner shapes ({ta.shape[-1]}) and ({tb.shape[-2]}) of '
                         f'Tensors with shapes {list(a.shape)} and {list(b.shape)} and transposeA='
                         f'{str(transposeA).lower()} and transposeB={str(transposeB).lower()} must match.')
    if d == 'int32':
        return wrap(torch.matmul(ta.double(), tb.double()).to(torch.int32), d)
    return wrap(torch.matmul(ta, tb), d)


def dot(t1, t2):
    """Dot product of vectors and/or matrices (rank 1 or 2)."""
    a, b = tensor_of(t1, 't1', 'dot'), tensor_of(t2, 't2', 'dot')
    if a.rank not in (1, 2) or b.rank not in (1, 2):
        raise ValueError(f'Error in dot: inputs must be rank 1 or 2, but got ranks {a.rank} and '
                         f'{b.rank}.')
    ta, tb, d = pair(a, b, 'dot')
    return wrap(torch.matmul(ta, tb), d)


def outerProduct(v1, v2):
    """Outer product of two vectors."""
    ta, tb, d = pair(v1, v2, 'outerProduct')
    return wrap(torch.outer(ta, tb), d)


def transpose(x, perm=None):
    """Permute the dimensions (reverse them when perm is None)."""
    x = tensor_of(x, 'x', 'transpose')
    t = x._value()
    if perm is None:
        perm = list(range(t.ndim))[::-1]
    if len(perm) != t.ndim:
        raise ValueError(f'Error in transpose: rank of input {t.ndim} must match length of perm '
                         f'{list(perm)}.')
    return wrap(t.permute(*perm).contiguous(), x.dtype)


def norm(x, ord='euclidean', axis=None, keepDims: bool = False):  # noqa: A002
    """Vector or matrix norm ('euclidean', 'fro', 1, 2, Infinity, -Infinity)."""
    x = tensor_of(x, 'x', 'norm')
    t = x._value().float()
    p = 2 if ord in ('euclidean', 'fro') else ord
    if axis is None:
        t, axis = t.reshape(-1), 0
    out = torch.linalg.vector_norm(t, ord=p, dim=axis, keepdim=keepDims) \
        if isinstance(axis, int) or len(axis) == 1 or ord in ('euclidean', 'fro') else \
        torch.linalg.matrix_norm(t, ord=p, dim=tuple(axis), keepdim=keepDims)
    return wrap(out, 'float32')


def euclideanNorm(x, axis=None, keepDims: bool = False):
    """The Euclidean norm over the given axes."""
    return norm(x, 'euclidean', axis, keepDims)
