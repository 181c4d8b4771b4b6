"""Arithmetic ops (TF.js doc section "Operations / Arithmetic"); all broadcast NumPy-style and
upcast mixed dtypes as TF.js does (`int32 + float32 -> float32`; JS numbers are float32)."""
from __future__ import annotations

import torch

from ..errors import ValueError
from ._dispatch import pair, raw, tensor_of, wrap

__all__ = ['add', 'sub', 'mul', 'div', 'realDiv', 'floorDiv', 'divNoNan', 'mod', 'pow', 'maximum',
           'minimum', 'squaredDifference', 'addN']


def add(a, b):
    """a + b, element-wise with broadcasting.

    >>> import tfjs as tf
    >>> tf.add(tf.tensor1d([1, 2]), tf.tensor1d([10, 20])).arraySync()
    [11.0, 22.0]
    """
    ta, tb, d = pair(a, b, 'add')
    if d == 'bool':
        return wrap(ta.to(torch.int32) + tb.to(torch.int32), 'int32')
    return wrap(torch.add(ta, tb), d)


def sub(a, b):
    """a - b, element-wise with broadcasting."""
    ta, tb, d = pair(a, b, 'sub')
    if d == 'bool':
        return wrap(ta.to(torch.int32) - tb.to(torch.int32), 'int32')
    return wrap(torch.sub(ta, tb), d)


def mul(a, b):
    """a * b, element-wise with broadcasting."""
    ta, tb, d = pair(a, b, 'mul')
    if d == 'bool':
        return wrap(ta.to(torch.int32) * tb.to(torch.int32), 'int32')
    return wrap(torch.mul(ta, tb), d)


def div(a, b):
    """a / b; two int32 tensors divide with floor, as in TF.js."""
    ta, tb, d = pair(a, b, 'div')
    if d in ('int32', 'bool'):
        return floorDiv(a, b)
    return wrap(torch.div(ta, tb), d)


def realDiv(a, b):
    """a / b in float32 whatever the input dtypes."""
    ta, tb, d = pair(a, b, 'realDiv')
    return wrap(torch.div(ta.float() if d != 'complex64' else ta, tb.float() if d != 'complex64' else tb),
                'float32' if d != 'complex64' else d)


def floorDiv(a, b):
    """floor(a / b); the result is int32, as TF.js's FloorDiv kernel gives."""
    ta, tb, d = pair(a, b, 'floorDiv')
    if d == 'bool':
        ta, tb, d = ta.to(torch.int32), tb.to(torch.int32), 'int32'
    if d == 'int32':
        zero = tb == 0
        out = torch.div(ta, torch.where(zero, torch.ones_like(tb), tb), rounding_mode='floor')
        return wrap(torch.where(zero, torch.zeros_like(out), out), 'int32')
    return wrap(torch.floor(torch.div(ta, tb)).to(torch.int32), 'int32')


def divNoNan(a, b):
    """a / b, with 0 wherever b is 0."""
    ta, tb, d = pair(a, b, 'divNoNan')
    out = div(a, b)
    return wrap(torch.where(tb == 0, torch.zeros_like(out._t), out._t), out.dtype)


def mod(a, b):
    """Element-wise remainder with the sign of the divisor (floor modulo)."""
    ta, tb, d = pair(a, b, 'mod')
    if d == 'int32':
        zero = tb == 0
        out = torch.remainder(ta, torch.where(zero, torch.ones_like(tb), tb))
        return wrap(torch.where(zero, torch.zeros_like(out), out), d)
    return wrap(torch.remainder(ta, tb), d)


def pow(base, exp):  # noqa: A001 - TF.js name
    """base ** exp, element-wise."""
    ta, tb, d = pair(base, exp, 'pow')
    if d == 'bool':
        ta, tb, d = ta.to(torch.int32), tb.to(torch.int32), 'int32'
    if d == 'int32':
        return wrap(torch.pow(ta.double(), tb.double()).to(torch.int32), d)
    return wrap(torch.pow(ta, tb), d)


def maximum(a, b):
    """Element-wise maximum."""
    ta, tb, d = pair(a, b, 'maximum')
    if d == 'bool':
        ta, tb, d = ta.to(torch.int32), tb.to(torch.int32), 'int32'
    return wrap(torch.maximum(ta, tb), d)


def minimum(a, b):
    """Element-wise minimum."""
    ta, tb, d = pair(a, b, 'minimum')
    if d == 'bool':
        ta, tb, d = ta.to(torch.int32), tb.to(torch.int32), 'int32'
    return wrap(torch.minimum(ta, tb), d)


def squaredDifference(a, b):
    """(a - b) ** 2, element-wise."""
    ta, tb, d = pair(a, b, 'squaredDifference')
    diff = ta - tb
    return wrap(diff * diff, d)


def addN(tensors):
    """Sum of a list of tensors of equal shape and dtype."""
    if not tensors:
        raise ValueError('Must pass at least one tensor to tf.addN.')
    ts = [tensor_of(t, f'tensors[{i}]', 'addN') for i, t in enumerate(tensors)]
    shape, dtype = ts[0].shape, ts[0].dtype
    for t in ts[1:]:
        if t.shape != shape or t.dtype != dtype:
            raise ValueError('All tensors passed to tf.addN must have the same shape and dtype.')
    out = raw(ts[0])
    for t in ts[1:]:
        out = out + t._t
    return wrap(out, dtype)
