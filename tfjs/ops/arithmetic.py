"""Arithmetic ops (TF.js doc section "Operations / Arithmetic"); all broadcast NumPy-style and
upcast mixed dtypes as TF.js does (`int32 + float32 -> float32`; JS numbers are float32).

Dtype rules are TF.js's CPU kernels': the result keeps the upcast dtype (two bool tensors give
a bool tensor: `add(true, true)` is `true`), int32 results truncate toward zero with
NaN/Infinity stored as 0 (so `div` of int32 by 0 is 0), and `floorDiv` is always int32.
"""
from __future__ import annotations

import torch

from ..errors import ValueError
from ._dispatch import pair, store, tensor_of, wrap
from ._kinks import Maximum, Minimum, Mod, Pow, needs_grad, tfjs_mod, tfjs_pow

__all__ = ['add', 'sub', 'mul', 'div', 'realDiv', 'floorDiv', 'divNoNan', 'mod', 'pow', 'maximum',
           'minimum', 'squaredDifference', 'addN']

_add, _sub, _mul, _div = torch.add, torch.sub, torch.mul, torch.div
_INT32, _F64 = torch.int32, torch.float64


def _int_math(fn, ta, tb, d):
    """An int32/bool result computed in float64 (as JS numbers) and stored as TF.js stores it."""
    return wrap(store(fn(ta.to(_F64), tb.to(_F64)), d), d)


def _has_bool(a, b) -> bool:
    return tensor_of(a, 'a', 'div').dtype == 'bool' or tensor_of(b, 'b', 'div').dtype == 'bool'


def add(a, b):
    """a + b, element-wise with broadcasting.

    >>> import tfjs as tf
    >>> tf.add(tf.tensor1d([1, 2]), tf.tensor1d([10, 20])).arraySync()
    [11.0, 22.0]
    """
    ta, tb, d = pair(a, b, 'add')
    if d == 'bool':
        return wrap(ta | tb, d)
    return wrap(_add(ta, tb), d)


def sub(a, b):
    """a - b, element-wise with broadcasting.

    >>> import tfjs as tf
    >>> tf.sub(tf.tensor1d([5, 2]), 1).arraySync()
    [4.0, 1.0]
    """
    ta, tb, d = pair(a, b, 'sub')
    if d == 'bool':
        return wrap(ta ^ tb, d)
    return wrap(_sub(ta, tb), d)


def mul(a, b):
    """a * b, element-wise with broadcasting.

    >>> import tfjs as tf
    >>> tf.mul(tf.tensor1d([1, 2]), 3).arraySync()
    [3.0, 6.0]
    """
    ta, tb, d = pair(a, b, 'mul')
    if d == 'bool':
        return wrap(ta & tb, d)
    return wrap(_mul(ta, tb), d)


def div(a, b):
    """a / b; two int32 tensors divide with floor (`floorDiv`), as in TF.js.

    >>> import tfjs as tf
    >>> tf.div(tf.tensor1d([7, -7], 'int32'), tf.tensor1d([2, 2], 'int32')).arraySync()
    [3, -4]
    """
    ta, tb, d = pair(a, b, 'div')
    if d == 'int32' and ta.dtype == _INT32 and tb.dtype == _INT32 and not _has_bool(a, b):
        return floorDiv(a, b)
    if d == 'float32' or d == 'complex64':
        return wrap(_div(ta, tb), d)
    return _int_math(_div, ta, tb, d)


def realDiv(a, b):
    """a / b in float32 whatever the input dtypes (Python's `/` operator)."""
    ta, tb, d = pair(a, b, 'realDiv')
    if d == 'complex64':
        return wrap(_div(ta, tb), d)
    return wrap(_div(ta.float(), tb.float()), 'float32')


def floorDiv(a, b):
    """floor(a / b); the result is int32 for every input dtype, as TF.js's FloorDiv kernel gives
    (NaN and +/-Infinity quotients become 0).

    >>> import tfjs as tf
    >>> tf.floorDiv(tf.tensor1d([7, -7]), tf.tensor1d([2, 2])).arraySync()
    [3, -4]
    """
    ta, tb, d = pair(a, b, 'floorDiv')
    if d == 'int32':
        nz = tb != 0
        q = torch.div(ta, torch.where(nz, tb, torch.ones_like(tb)), rounding_mode='floor')
        return wrap(torch.where(nz, q, torch.zeros_like(q)), 'int32')
    return wrap(store(torch.floor(_div(ta.to(_F64), tb.to(_F64))), 'int32'), 'int32')


def divNoNan(a, b):
    """a / b, with 0 wherever b is 0.

    >>> import tfjs as tf
    >>> tf.divNoNan(tf.tensor1d([1, 2]), tf.tensor1d([0, 4])).arraySync()
    [0.0, 0.5]
    """
    ta, tb, d = pair(a, b, 'div')
    out = div(a, b)
    t = out._t
    return wrap(torch.where(tb == 0, torch.zeros_like(t), t), out.dtype)


def mod(a, b):
    """Element-wise remainder with the sign of the divisor (floor modulo, TF.js formula).

    >>> import tfjs as tf
    >>> tf.mod(tf.tensor1d([-7, 7]), tf.tensor1d([2, -2])).arraySync()
    [1.0, -1.0]
    """
    ta, tb, d = pair(a, b, 'mod')
    if d == 'float32':
        return wrap(Mod.apply(ta, tb) if needs_grad(ta, tb) else tfjs_mod(ta, tb), d)
    if d == 'int32':
        nz = tb != 0
        out = torch.remainder(ta, torch.where(nz, tb, torch.ones_like(tb)))
        return wrap(torch.where(nz, out, torch.zeros_like(out)), d)
    return _int_math(tfjs_mod, ta, tb, d)


def pow(base, exp):  # noqa: A001 - TF.js name
    """base ** exp, element-wise (JS `Math.pow` edge cases: `1 ** NaN` is NaN).

    >>> import tfjs as tf
    >>> tf.pow(tf.tensor1d([2, 3]), 2).arraySync()
    [4.0, 9.0]
    """
    ta, tb, d = pair(base, exp, 'pow')
    if d == 'float32':
        return wrap(Pow.apply(ta, tb) if needs_grad(ta, tb) else tfjs_pow(ta, tb), d)
    if d == 'complex64':
        return wrap(torch.pow(ta, tb), d)
    return _int_math(tfjs_pow, ta, tb, d)


def maximum(a, b):
    """Element-wise maximum (NaN if either is NaN; ties send the gradient to `a`).

    >>> import tfjs as tf
    >>> tf.maximum(tf.tensor1d([1, 4]), tf.tensor1d([3, 2])).arraySync()
    [3.0, 4.0]
    """
    ta, tb, d = pair(a, b, 'maximum')
    if d == 'bool':
        ta, tb, d = ta.to(_INT32), tb.to(_INT32), 'int32'
    if d == 'float32' and needs_grad(ta, tb):
        return wrap(Maximum.apply(ta, tb), d)
    return wrap(torch.maximum(ta, tb), d)


def minimum(a, b):
    """Element-wise minimum (NaN if either is NaN; ties send the gradient to `a`).

    >>> import tfjs as tf
    >>> tf.minimum(tf.tensor1d([1, 4]), tf.tensor1d([3, 2])).arraySync()
    [1.0, 2.0]
    """
    ta, tb, d = pair(a, b, 'minimum')
    if d == 'bool':
        ta, tb, d = ta.to(_INT32), tb.to(_INT32), 'int32'
    if d == 'float32' and needs_grad(ta, tb):
        return wrap(Minimum.apply(ta, tb), d)
    return wrap(torch.minimum(ta, tb), d)


def squaredDifference(a, b):
    """(a - b) ** 2, element-wise.

    >>> import tfjs as tf
    >>> tf.squaredDifference(tf.tensor1d([1, 4]), tf.tensor1d([3, 2])).arraySync()
    [4.0, 4.0]
    """
    ta, tb, d = pair(a, b, 'squaredDifference')
    if d == 'bool':
        return wrap(ta ^ tb, d)
    diff = ta - tb
    return wrap(diff * diff, d)


def addN(tensors):
    """Sum of a list of tensors of equal shape and dtype.

    >>> import tfjs as tf
    >>> tf.addN([tf.tensor1d([1, 2]), tf.tensor1d([3, 4])]).arraySync()
    [4.0, 6.0]
    """
    if not tensors:
        raise ValueError('Must pass at least one tensor to tf.addN.')
    ts = [tensor_of(t, f'tensors[{i}]', 'addN') for i, t in enumerate(tensors)]
    shape, dtype = ts[0].shape, ts[0].dtype
    for t in ts[1:]:
        if t.shape != shape or t.dtype != dtype:
            raise ValueError('All tensors passed to tf.addN must have the same shape and dtype.')
    if dtype == 'string':
        raise ValueError("Argument 'tensors' passed to 'addN' must be numeric tensors.")
    out = ts[0]._value()
    for t in ts[1:]:
        out = out | t._value() if dtype == 'bool' else out + t._value()
    return wrap(out if len(ts) > 1 else out.clone(), dtype)
