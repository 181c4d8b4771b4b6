"""Shared helpers for op kernels: turning arguments into torch tensors with TF.js dtype rules."""
from __future__ import annotations

import torch

from ..backend import device
from ..errors import ValueError
from ..tensor import Tensor, cast_raw, convert_to_tensor, to_torch, upcast_type

wrap = Tensor._make
FLOAT = torch.float32


def raw(x, name: str = 'x', op: str = 'op'):
    """The torch tensor behind a Tensor or TensorLike (numbers become float32, as in TF.js)."""
    if type(x) is Tensor:
        t = x._t
        if t is None:
            x._value()
        return t
    if isinstance(x, Tensor):
        return x._value()
    return convert_to_tensor(x, name, op)._t


def tensor_of(x, name: str = 'x', op: str = 'op') -> Tensor:
    return x if isinstance(x, Tensor) else convert_to_tensor(x, name, op)


def pair(a, b, op: str):
    """Both operands as torch tensors of their upcast TF.js dtype, plus that dtype."""
    ta, da = _operand(a)
    tb, db = _operand(b)
    if da != db:
        d = upcast_type(da, db)
        if da != d:
            ta = cast_raw(ta, da, d)
        if db != d:
            tb = cast_raw(tb, db, d)
        return ta, tb, d
    if da == 'string':
        raise ValueError(f'{op} does not support string tensors.')
    return ta, tb, da


def _operand(x):
    if isinstance(x, Tensor):
        return x._value(), x.dtype
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return torch.tensor(float(x), dtype=FLOAT, device=device()), 'float32'
    t, d = to_torch(x)
    return t, d


def float_raw(x, name='x', op='op'):
    """The torch tensor of x cast to float32 (for float-only math ops)."""
    x = tensor_of(x, name, op)
    t = x._value()
    if x.dtype == 'float32' or x.dtype == 'complex64':
        return t
    if x.dtype == 'string':
        raise ValueError(f'{op} does not support string tensors.')
    return t.to(FLOAT)


def check_axis(axis, rank: int):
    """Normalise an axis (int, list or None) to a tuple of non-negative ints (None -> all)."""
    if axis is None:
        return tuple(range(rank))
    axes = [axis] if isinstance(axis, int) else list(axis)
    out = []
    for a in axes:
        a = int(a)
        if not -max(rank, 1) <= a < max(rank, 1):
            raise ValueError(f'All values in axis param must be in range [-{rank}, {rank}) but got '
                             f'axis {axis}.')
        out.append(a % rank if rank else 0)
    return tuple(out)
