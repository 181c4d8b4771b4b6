"""Weights loaded from files with as few copies of their bytes as possible.

`tf.loadLayersModel` reads every weight shard into one fresh buffer that nothing else sees. The
model is built with its weights unallocated (`unallocated_weight`: TF.js builds a model being
loaded with its initializers skipped too, `fastWeightInitDuringBuild`), and each weight then
takes its values straight from that buffer: a float32 / int32 weight becomes a view of the
buffer (no copy at all; the buffer lives as long as a weight uses it), a dequantized or
converted one keeps the fresh array its decoding made. When the bytes belong to someone else
(`tf.io.fromMemory`, a `bytes` object), each weight is copied once, into memory of its own.

>>> import numpy as np, tfjs as tf
>>> buf = np.arange(3, dtype=np.float32)
>>> t = tensor_from_array(buf, 'float32', [3], owned=True)
>>> t.arraySync(), t._t.data_ptr() == buf.ctypes.data
([0.0, 1.0, 2.0], True)
"""
from __future__ import annotations

import warnings
from typing import Iterable, Sequence

import numpy as np
import torch

from ..backend.device import device, to_torch_dtype
from ..tensor import Tensor
from .variables import LayerVariable


def unallocated_weight(name: str, shape: Sequence[int], dtype: str, trainable: bool,
                       constraint=None) -> LayerVariable:
    """A `LayerVariable` whose memory is reserved but never written (`torch.empty`), for a model
    whose every weight loading is about to set: no initializer runs, no random number is drawn
    (TF.js's fast weight init draws none either), and no page of it becomes resident unless a
    value is copied in.

    >>> w = unallocated_weight('k', [2, 3], 'float32', True)
    >>> w.shape, w.read().dtype
    ([2, 3], 'float32')
    """
    shape = [int(d) for d in shape]
    torch_dtype = to_torch_dtype(dtype)
    # LayerVariable copies the value it is given: give it a `meta` tensor (no data, nothing to
    # copy), then put real, still untouched, memory in its place before anyone sees it.
    placeholder = Tensor._make(torch.empty(shape, dtype=torch_dtype, device='meta'), dtype)
    weight = LayerVariable(placeholder, dtype, name, trainable, constraint)
    weight.val._t = torch.empty(shape, dtype=torch_dtype, device=device())
    return weight


def tensor_from_array(values: np.ndarray, dtype: str, shape: Sequence[int],
                      owned: bool) -> Tensor:
    """A tensor of `values` (reshaped to `shape`): its memory itself when `owned` (nobody else
    holds the array or its buffer) and the array is writable and aligned, else a copy."""
    values = values.reshape([int(d) for d in shape])
    if dtype == 'string':
        return Tensor._make(values if owned else values.copy(), 'string')
    if not (owned and values.flags.writeable and values.flags.aligned
            and values.flags.c_contiguous):
        values = np.array(values, order='C')          # the one copy
    t = torch.from_numpy(values)
    if t.dtype != to_torch_dtype(dtype):              # bool stored as uint8 0/1 is decoded as bool
        t = t.to(to_torch_dtype(dtype))
    return Tensor._make(t.to(device()), dtype)


def borrowed_tensor(values: np.ndarray, dtype: str, shape: Sequence[int]) -> Tensor:
    """A tensor over `values`' memory even when it is read-only (a `bytes` buffer), for the
    moment it takes to copy it into a weight: never hand it to user code or write to it."""
    values = values.reshape([int(d) for d in shape])
    if dtype == 'string' or not values.flags.aligned or not values.flags.c_contiguous:
        return tensor_from_array(values, dtype, shape, owned=False)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', UserWarning)  # "the given NumPy array is not writable"
        t = torch.from_numpy(values)
    return Tensor._make(t, dtype)


def assign_loaded(pairs: Iterable, adoptable: set) -> None:
    """Set each `(LayerVariable, Tensor)` pair: the variable takes the tensor's memory when
    `id(tensor)` is in `adoptable` (the tensor is fresh and owned by this load), else the values
    are copied into the variable's own memory. Constraints apply as `LayerVariable.write` does.
    """
    with torch.no_grad():
        for var, value in pairs:
            dst, src = var.val._value(), value._value()
            if isinstance(dst, np.ndarray):                     # string weights
                var.write(value)
                continue
            if list(src.shape) != list(dst.shape) or src.dtype != dst.dtype:
                var.write(value)                                # raises the usual error
                continue
            if id(value) in adoptable and src.device == dst.device and src.is_contiguous():
                dst.set_(src)
            else:
                dst.copy_(src)
            if var.constraint is not None:
                var.write(var.read())
