"""Logical extras (TF.js doc section "Operations / Logical"): whereAsync, bitwiseAnd."""
from __future__ import annotations

import torch

from .._async import resolved
from ..errors import ValueError
from ..tensor import Tensor
from ._convert import convert
from ._dispatch import wrap

__all__ = ['whereAsync', 'bitwiseAnd']


def whereAsync(condition):
    """The coordinates of the true elements of a bool tensor, as an int32 [n, rank] tensor
    (a Promise inside an event loop, as in TF.js).

    >>> import tfjs as tf
    >>> tf.whereAsync(tf.tensor1d([False, False, True], 'bool')).arraySync()
    [[2]]
    """
    c = convert(condition, 'condition', 'whereAsync', 'bool')
    t = c._value().detach()
    return resolved(wrap(torch.nonzero(t).to(torch.int32), 'int32'))


def bitwiseAnd(x, y) -> Tensor:
    """Elementwise bitwise AND of two int32 tensors of the same shape.

    >>> import tfjs as tf
    >>> tf.bitwiseAnd(tf.tensor1d([0, 5, 3], 'int32'), tf.tensor1d([3, 3, 3], 'int32')).arraySync()
    [0, 1, 3]
    """
    a = convert(x, 'x', 'bitwiseAnd')
    b = convert(y, 'y', 'bitwiseAnd')
    if a.shape != b.shape:
        raise ValueError(f'BitwiseAnd: Tensors must have the same shape. x: {a.shape}, y: {b.shape}')
    if a.dtype != 'int32' or b.dtype != 'int32':
        raise ValueError(f"BitwiseAnd: Only supports 'int32' values in tensor, found type of x: "
                         f'{a.dtype} and type of y: {b.dtype}')
    return wrap(torch.bitwise_and(a._value(), b._value()), 'int32')
