"""Comparison and logical ops (TF.js doc section "Operations / Logical")."""
from __future__ import annotations

import torch

from ..errors import ValueError
from ._dispatch import pair, tensor_of, wrap

__all__ = ['equal', 'notEqual', 'greater', 'greaterEqual', 'less', 'lessEqual', 'logicalAnd',
           'logicalOr', 'logicalXor', 'logicalNot', 'where']


def _compare(name, fn):
    def op(a, b):
        ta, tb, _ = pair(a, b, name)
        return wrap(fn(ta, tb), 'bool')
    op.__name__ = name
    op.__doc__ = f'Element-wise `{name}` comparison, giving a bool tensor.'
    return op


equal = _compare('equal', torch.eq)
notEqual = _compare('notEqual', torch.ne)
greater = _compare('greater', torch.gt)
greaterEqual = _compare('greaterEqual', torch.ge)
less = _compare('less', torch.lt)
lessEqual = _compare('lessEqual', torch.le)


def _bool(x, name):
    x = tensor_of(x, 'x', name)
    if x.dtype != 'bool':
        raise ValueError(f"Argument 'a' passed to '{name}' must be bool tensor, but got {x.dtype} "
                         'tensor.')
    return x._value()


def logicalAnd(a, b):
    """Element-wise AND of bool tensors."""
    return wrap(torch.logical_and(_bool(a, 'logicalAnd'), _bool(b, 'logicalAnd')), 'bool')


def logicalOr(a, b):
    """Element-wise OR of bool tensors."""
    return wrap(torch.logical_or(_bool(a, 'logicalOr'), _bool(b, 'logicalOr')), 'bool')


def logicalXor(a, b):
    """Element-wise XOR of bool tensors."""
    return wrap(torch.logical_xor(_bool(a, 'logicalXor'), _bool(b, 'logicalXor')), 'bool')


def logicalNot(x):
    """Element-wise NOT of a bool tensor."""
    return wrap(torch.logical_not(_bool(x, 'logicalNot')), 'bool')


def where(condition, a, b):
    """Pick from a where condition is true, else from b."""
    cond = _bool(condition, 'where')
    ta, tb, d = pair(a, b, 'where')
    return wrap(torch.where(cond, ta, tb), d)
