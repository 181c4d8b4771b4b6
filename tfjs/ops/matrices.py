"""Matrix ops (TF.js doc section "Operations / Matrices")."""
from __future__ import annotations

import torch

from ..errors import ValueError
from ._dispatch import pair, parse_axis, store, tensor_of, wrap

_wrap = wrap
_matmul = torch.matmul

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
        ta = ta.mT
    if transposeB:
        tb = tb.mT
    try:
        if d == 'float32':
            return _wrap(_matmul(ta, tb), d)
        if d == 'int32' or d == 'bool':
            return _wrap(store(_matmul(ta.double(), tb.double()), d), d)
        return _wrap(_matmul(ta, tb), d)
    except RuntimeError:
        if ta.shape[-1] == tb.shape[-2]:
            raise
    raise ValueError(f'Error in matMul: inner shapes ({ta.shape[-1]}) and ({tb.shape[-2]}) of '
                     f'Tensors with shapes {list(a.shape)} and {list(b.shape)} and transposeA='
                     f'{str(transposeA).lower()} and transposeB={str(transposeB).lower()} must match.')


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
    """Vector or matrix norm, exactly TF.js's composition: vectors (rank 1, an int axis or a
    one-element axis list) take ord 1, 2/'euclidean', Infinity, -Infinity; matrices (a
    two-element axis list) take 1, Infinity, -Infinity, 'fro'/'euclidean'. axis None norms the
    flattened tensor; a scalar gives abs(x). int32 input works for ord 1 and +/-Infinity (int32
    result) and is rejected by the square root of the 2-norms, as in TF.js.

    >>> import tfjs as tf
    >>> tf.norm(tf.tensor1d([3, -4])).arraySync()
    5.0
    >>> tf.norm(tf.tensor2d([[1, -2], [3, 4]]), 1, [0, 1]).arraySync()
    6.0
    """
    from .basic_math import abs as _abs, sqrt as _sqrt
    from .arithmetic import pow as _pow
    from .creation import scalar
    from .reduction import max as _max, min as _min, sum as _sum
    from .slicing_joining import reshape

    x = tensor_of(x, 'x', 'norm')

    def impl(x, p, axis):
        if x.rank == 0:
            return _abs(x)
        if x.rank != 1 and axis is None:
            return impl(reshape(x, [-1]), p, axis)
        inf = float('inf')
        if x.rank == 1 or isinstance(axis, int) or (isinstance(axis, (list, tuple)) and len(axis) == 1):
            if p == 1 and not isinstance(p, str):
                return _sum(_abs(x), axis)
            if p == inf:
                return _max(_abs(x), axis)
            if p == -inf:
                return _min(_abs(x), axis)
            if p == 'euclidean' or (p == 2 and not isinstance(p, str)):
                return _sqrt(_sum(_pow(_abs(x), scalar(2, 'int32')), axis))
            raise ValueError(f'Error in norm: invalid ord value: {p}')
        if isinstance(axis, (list, tuple)) and len(axis) == 2:
            if p == 1 and not isinstance(p, str):
                return _max(_sum(_abs(x), axis[0]), axis[1] - 1)
            if p == inf:
                return _max(_sum(_abs(x), axis[1]), axis[0])
            if p == -inf:
                return _min(_sum(_abs(x), axis[1]), axis[0])
            if p in ('fro', 'euclidean'):
                from .basic_math import square
                return _sqrt(_sum(square(x), list(axis)))
            raise ValueError(f'Error in norm: invalid ord value: {p}')
        raise ValueError(f'Error in norm: invalid axis: {axis}')

    out = impl(x, ord, axis)
    if keepDims:
        axes = parse_axis(axis, x.rank)
        shape = list(out.shape)
        for a in sorted(axes):
            shape.insert(a, 1)
        return reshape(out, shape)
    return out


def euclideanNorm(x, axis=None, keepDims: bool = False):
    """The Euclidean norm over the given axes (`norm(x, 'euclidean', axis, keepDims)`).

    >>> import tfjs as tf
    >>> tf.euclideanNorm(tf.tensor2d([[3, 4], [6, 8]]), 1).arraySync()
    [5.0, 10.0]
    """
    return norm(x, 'euclidean', axis, keepDims)
