"""RNN cell ops (TF.js doc section "Operations / RNN"): basicLSTMCell, multiRNNCell."""
from __future__ import annotations

from typing import Callable, Sequence

from ..tensor import Tensor
from ._dispatch import tensor_of

__all__ = ['basicLSTMCell', 'multiRNNCell']


def basicLSTMCell(forgetBias, lstmKernel, lstmBias, data, c, h) -> list:
    """One step of a basic LSTM cell; returns [newC, newH].

    >>> import tfjs as tf
    >>> c, h = tf.basicLSTMCell(tf.scalar(1), tf.ones([3, 8]), tf.zeros([8]), tf.ones([1, 1]),
    ...                         tf.zeros([1, 2]), tf.zeros([1, 2]))
    >>> h.shape
    [1, 2]
    """
    from . import add, concat, matMul, mul, sigmoid, slice, tanh
    fb = tensor_of(forgetBias, 'forgetBias', 'basicLSTMCell')
    kernel = tensor_of(lstmKernel, 'lstmKernel', 'basicLSTMCell')
    bias = tensor_of(lstmBias, 'lstmBias', 'basicLSTMCell')
    data = tensor_of(data, 'data', 'basicLSTMCell')
    c = tensor_of(c, 'c', 'basicLSTMCell')
    h = tensor_of(h, 'h', 'basicLSTMCell')
    res = add(matMul(concat([data, h], 1), kernel), bias)
    batch, cols = res.shape[0], res.shape[1] // 4
    i = slice(res, [0, 0], [batch, cols])
    j = slice(res, [0, cols], [batch, cols])
    f = slice(res, [0, cols * 2], [batch, cols])
    o = slice(res, [0, cols * 3], [batch, cols])
    new_c = add(mul(sigmoid(i), tanh(j)), mul(c, sigmoid(add(fb, f))))
    new_h = mul(tanh(new_c), sigmoid(o))
    return [new_c, new_h]


def multiRNNCell(lstmCells: Sequence[Callable], data, c: Sequence, h: Sequence) -> list:
    """Stack LSTM cells (each `cell(input, c, h) -> [c, h]`); returns [[newC...], [newH...]].

    >>> import tfjs as tf
    >>> cell = lambda x, c, h: tf.basicLSTMCell(tf.scalar(1), tf.ones([3, 8]), tf.zeros([8]), x, c, h)
    >>> cs, hs = tf.multiRNNCell([cell], tf.ones([1, 1]), [tf.zeros([1, 2])], [tf.zeros([1, 2])])
    >>> len(cs), hs[0].shape
    (1, [1, 2])
    """
    x = tensor_of(data, 'data', 'multiRNNCell')
    cs = [tensor_of(v, 'c', 'multiRNNCell') for v in c]
    hs = [tensor_of(v, 'h', 'multiRNNCell') for v in h]
    new_c, new_h = [], []
    for k, cell in enumerate(lstmCells):
        out_c, out_h = cell(x, cs[k], hs[k])
        new_c.append(out_c)
        new_h.append(out_h)
        x = out_h
    return [new_c, new_h]
