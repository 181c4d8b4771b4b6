"""Reduction ops (TF.js doc section "Operations / Reduction").

Axes follow TF.js's `parseAxisParam`: None reduces every axis, negative axes wrap, and an
explicit axis on a scalar is an error. Dtypes: `sum`/`prod` of bool give int32, `mean` and
`logSumExp` give float32, `max`/`min` keep the dtype, `argMax`/`argMin` give int32, `all`/`any`
need bool. Empty inputs give TF.js's values: sum 0, prod 1, mean 0, max/min/logSumExp NaN,
argMax/argMin 0. (One deliberate difference: `all` of an empty tensor is true here; TF.js's CPU
kernel answers false, a bug.) Max/min gradients go to every element tied for the extreme.
"""
from __future__ import annotations

import torch

from ..errors import ValueError
from ._dispatch import numeric, parse_axis, wrap
from ._kinks import LogSumExp, ReduceMinMax, needs_grad

__all__ = ['sum', 'mean', 'max', 'min', 'prod', 'argMax', 'argMin', 'all', 'any', 'logSumExp']

_INT32 = torch.int32


def _out_shape(shape, axes, keep):
    return [1 if i in axes else n for i, n in enumerate(shape)] if keep else \
        [n for i, n in enumerate(shape) if i not in axes]


def sum(x, axis=None, keepDims: bool = False):  # noqa: A001
    """Sum over the axes (all when axis is None); bool sums to int32.

    >>> import tfjs as tf
    >>> tf.sum(tf.tensor2d([[1, 2], [3, 4]]), 1).arraySync()
    [3.0, 7.0]
    """
    x = numeric(x, 'x', 'sum')
    t, d = x._t, x.dtype
    axes = parse_axis(axis, t.ndim)
    if d == 'bool':
        t, d = t.to(_INT32), 'int32'
    if not axes:
        return wrap(t.clone(), d)
    out = torch.sum(t, dim=axes, keepdim=keepDims)
    return wrap(out if out.dtype == t.dtype else out.to(t.dtype), d)


def mean(x, axis=None, keepDims: bool = False):
    """Mean over the axes (float32 for every input dtype; 0 for an empty reduction).

    >>> import tfjs as tf
    >>> tf.mean(tf.tensor1d([1, 2])).arraySync()
    1.5
    """
    x = numeric(x, 'x', 'mean')
    t = x._t if x.dtype == 'float32' else x._t.float()
    axes = parse_axis(axis, t.ndim)
    if not axes:
        return wrap(t.clone(), 'float32')
    if t.numel() == 0:
        return wrap(torch.sum(t, dim=axes, keepdim=keepDims), 'float32')
    return wrap(torch.mean(t, dim=axes, keepdim=keepDims), 'float32')


def _minmax(name, torch_fn):
    def op(x, axis=None, keepDims: bool = False):
        x = numeric(x, 'x', name)
        t, d = x._t, x.dtype
        axes = parse_axis(axis, t.ndim)
        if not axes:
            return wrap(t.clone(), d)
        if t.numel() == 0:
            out = torch.full(_out_shape(t.shape, axes, keepDims), float('nan'), device=t.device)
            return wrap(out if d == 'float32' else torch.zeros_like(out, dtype=t.dtype), d)
        if d == 'float32' and needs_grad(t):
            return wrap(ReduceMinMax.apply(t, torch_fn, axes, keepDims), d)
        if d == 'bool':
            out = torch_fn(t.to(torch.uint8), dim=axes, keepdim=keepDims).bool()
        else:
            out = torch_fn(t, dim=axes, keepdim=keepDims)
        return wrap(out, d)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f'The {name}imum over the axes (all when axis is None); NaN if any value is NaN.'
                  f'\n\n    >>> import tfjs as tf\n    >>> tf.{name}(tf.tensor1d([1, 3, 2])).arraySync()'
                  f'\n    {3.0 if name == "max" else 1.0}\n    ')
    return op


max = _minmax('max', torch.amax)  # noqa: A001
min = _minmax('min', torch.amin)  # noqa: A001


def prod(x, axis=None, keepDims: bool = False):
    """Product over the axes; bool gives int32.

    >>> import tfjs as tf
    >>> tf.prod(tf.tensor1d([2, 3])).arraySync()
    6.0
    """
    x = numeric(x, 'x', 'prod')
    t, d = x._t, x.dtype
    axes = parse_axis(axis, t.ndim)
    if d == 'bool':
        t, d = t.to(_INT32), 'int32'
    if not axes:
        return wrap(t.clone(), d)
    for ax in sorted(axes, reverse=True):
        t = torch.prod(t, dim=ax, keepdim=keepDims)
    return wrap(t if t.dtype != torch.int64 else t.to(_INT32), d)


def _arg(name, largest):
    def op(x, axis: int = 0):
        x = numeric(x, 'x', name)
        t = x._t
        ax = parse_axis(axis, t.ndim)[0]
        if t.shape[ax] == 0:
            return wrap(torch.zeros(_out_shape(t.shape, (ax,), False), dtype=_INT32,
                                    device=t.device), 'int32')
        if x.dtype == 'bool':
            t = t.to(torch.uint8)
        if t.is_floating_point():
            # TF.js scans with `value > best`: NaN never wins, except a NaN in first place
            t = t.detach()
            nan = torch.isnan(t)
            if nan.any():
                fill = float('-inf') if largest else float('inf')
                idx = (torch.argmax if largest else torch.argmin)(torch.where(nan, fill, t), dim=ax)
                first = nan.select(ax, 0)
                return wrap(torch.where(first, torch.zeros_like(idx), idx).to(_INT32), 'int32')
        idx = (torch.argmax if largest else torch.argmin)(t, dim=ax)
        return wrap(idx.to(_INT32), 'int32')
    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f'Index of the {name[3:].lower()}imum along an axis (int32; the first on ties).'
                  f'\n\n    >>> import tfjs as tf\n    >>> tf.{name}(tf.tensor1d([1, 3, 0])).arraySync()'
                  f'\n    {1 if largest else 2}\n    ')
    return op


argMax = _arg('argMax', True)
argMin = _arg('argMin', False)


def _bool_reduce(name, fn):
    def op(x, axis=None, keepDims: bool = False):
        x = numeric(x, 'x', name)
        if x.dtype != 'bool':
            raise ValueError(f"Argument 'x' passed to '{name}' must be bool tensor, but got "
                             f'{x.dtype} tensor')
        t = x._t
        axes = parse_axis(axis, t.ndim)
        if not axes:
            return wrap(t.clone(), 'bool')
        out = t
        for ax in sorted(axes, reverse=True):
            out = fn(out, dim=ax, keepdim=keepDims)
        return wrap(out, 'bool')
    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f'Logical {"AND" if name == "all" else "OR"} over the axes of a bool tensor.'
                  f'\n\n    >>> import tfjs as tf\n    >>> tf.{name}(tf.tensor1d([True, False], '
                  f"'bool')).arraySync()\n    {0 if name == 'all' else 1}\n    ")
    return op


all = _bool_reduce('all', torch.all)  # noqa: A001
any = _bool_reduce('any', torch.any)  # noqa: A001


def logSumExp(x, axis=None, keepDims: bool = False):
    """log(sum(exp(x))) over the axes, computed as TF.js does: log(sum(exp(x - max))) + max
    (float32; NaN for an empty reduction or when the max is +Infinity).

    >>> import tfjs as tf
    >>> round(tf.logSumExp(tf.tensor1d([0, 0])).arraySync(), 4)
    0.6931
    """
    x = numeric(x, 'x', 'logSumExp')
    t = x._t if x.dtype == 'float32' else x._t.float()
    axes = parse_axis(axis, t.ndim)
    if not axes:
        # TF.js still computes log(exp(x - x)) + x, so +/-Infinity become NaN
        return wrap(torch.log(torch.exp(t - t)) + t, 'float32')
    if t.numel() == 0:
        return wrap(torch.full(_out_shape(t.shape, axes, keepDims), float('nan'),
                               device=t.device), 'float32')
    return wrap(LogSumExp.apply(t, axes, keepDims), 'float32')
