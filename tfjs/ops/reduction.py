"""Reduction ops (TF.js doc section "Operations / Reduction")."""
from __future__ import annotations

import torch

from ._dispatch import check_axis, tensor_of, wrap

__all__ = ['sum', 'mean', 'max', 'min', 'prod', 'argMax', 'argMin', 'all', 'any', 'logSumExp']


def _reduce(name, x, axis, keepDims, fn, out_dtype=None):
    x = tensor_of(x, 'x', name)
    t = x._value()
    axes = check_axis(axis, t.ndim)
    if t.ndim == 0:
        return wrap(fn(t, None, keepDims) if axes else t.clone(), out_dtype or x.dtype)
    return wrap(fn(t, axes, keepDims), out_dtype or x.dtype)


def sum(x, axis=None, keepDims: bool = False):  # noqa: A001
    """Sum over the axes (all when axis is None); bool sums to int32.

    >>> import tfjs as tf
    >>> tf.sum(tf.tensor2d([[1, 2], [3, 4]]), 1).arraySync()
    [3.0, 7.0]
    """
    x = tensor_of(x, 'x', 'sum')
    dtype = 'int32' if x.dtype == 'bool' else x.dtype
    tdtype = torch.int32 if dtype == 'int32' else None
    return _reduce('sum', x, axis, keepDims,
                   lambda t, a, k: torch.sum(t, dim=a, keepdim=k, dtype=tdtype) if a is not None
                   else torch.sum(t, dtype=tdtype), dtype)


def mean(x, axis=None, keepDims: bool = False):
    """Mean over the axes (float32)."""
    x = tensor_of(x, 'x', 'mean')
    t = x._value()
    if x.dtype != 'float32':
        x = wrap(t.float(), 'float32')
    return _reduce('mean', x, axis, keepDims,
                   lambda t, a, k: torch.mean(t, dim=a, keepdim=k) if a is not None else t.mean())


def _minmax(name, torch_fn):
    def op(x, axis=None, keepDims: bool = False):
        return _reduce(name, x, axis, keepDims,
                       lambda t, a, k: torch_fn(t, dim=a, keepdim=k) if a is not None else torch_fn(t))
    op.__name__ = name
    op.__doc__ = f'The {name}imum over the axes (all when axis is None).'
    return op


max = _minmax('max', torch.amax)  # noqa: A001
min = _minmax('min', torch.amin)  # noqa: A001


def prod(x, axis=None, keepDims: bool = False):
    """Product over the axes."""
    def fn(t, a, k):
        if a is None:
            return torch.prod(t)
        for ax in sorted(a, reverse=True):
            t = torch.prod(t, dim=ax, keepdim=k)
        return t
    return _reduce('prod', x, axis, keepDims, fn)


def _arg(name, torch_fn):
    def op(x, axis: int = 0):
        x = tensor_of(x, 'x', name)
        t = x._value()
        ax = check_axis(axis, t.ndim)[0]
        return wrap(torch_fn(t, dim=ax).to(torch.int32), 'int32')
    op.__name__ = name
    op.__doc__ = f'Index of the {name[3:].lower()}imum along an axis (int32).'
    return op


argMax = _arg('argMax', torch.argmax)
argMin = _arg('argMin', torch.argmin)


def all(x, axis=None, keepDims: bool = False):  # noqa: A001
    """Logical AND over the axes."""
    x = tensor_of(x, 'x', 'all')
    return _reduce('all', x, axis, keepDims,
                   lambda t, a, k: torch.all(t.bool(), dim=a, keepdim=k) if a is not None
                   else torch.all(t.bool()), 'bool')


def any(x, axis=None, keepDims: bool = False):  # noqa: A001
    """Logical OR over the axes."""
    x = tensor_of(x, 'x', 'any')
    return _reduce('any', x, axis, keepDims,
                   lambda t, a, k: torch.any(t.bool(), dim=a, keepdim=k) if a is not None
                   else torch.any(t.bool()), 'bool')


def logSumExp(x, axis=None, keepDims: bool = False):
    """log(sum(exp(x))) over the axes, computed stably."""
    x = tensor_of(x, 'x', 'logSumExp')
    t = x._value().float()
    axes = check_axis(axis, t.ndim)
    return wrap(torch.logsumexp(t, dim=axes, keepdim=keepDims) if axes else t.clone(), 'float32')
