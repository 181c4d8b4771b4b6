"""Shared helpers for op kernels: turning arguments into torch tensors with TF.js dtype rules.

Hot path notes: these helpers run on every op call, so they check `type(x) is Tensor` first
(the common case) and avoid repeated attribute and global lookups.
"""
from __future__ import annotations

import builtins

import torch

from ..backend import device
from ..errors import ValueError
from ..tensor import Tensor, cast_raw, convert_to_tensor, to_torch, upcast_type

wrap = Tensor._make
FLOAT = torch.float32
_FLOAT64 = torch.float64
_INT32 = torch.int32


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


def numeric(x, name: str = 'x', op: str = 'op') -> Tensor:
    """TF.js's `convertToTensor(x, name, op, 'numeric')`: any dtype but string."""
    x = x if isinstance(x, Tensor) else convert_to_tensor(x, name, op)
    if x.dtype == 'string':
        raise ValueError(f"Argument '{name}' passed to '{op}' must be numeric tensor, but got "
                         'string tensor')
    x._value()
    return x


def float32(x, name: str = 'x', op: str = 'op'):
    """TF.js's `convertToTensor(x, name, op, 'float32')`: a Tensor must already be float32
    (TF.js raises for int32 and bool tensors; cast them first); TensorLike becomes float32.
    Returns the torch tensor."""
    if isinstance(x, Tensor):
        if x.dtype != 'float32':
            raise ValueError(f"Argument '{name}' passed to '{op}' must be float32 tensor, but got "
                             f'{x.dtype} tensor')
        return x._value()
    return convert_to_tensor(x, name, op, 'float32')._t


def store(t, dtype: str):
    """A float result stored in a TF.js typed array of `dtype`: float32 rounds; int32 truncates
    toward zero with NaN/Infinity -> 0 and wraps modulo 2**32 (JS ToInt32); bool keeps
    ToUint8(v) != 0, as TF.js's CPU kernels do when an op keeps an int32 or bool dtype."""
    if dtype == 'float32':
        return t if t.dtype == FLOAT else t.to(FLOAT)
    if t.dtype in (_INT32, torch.bool, torch.int64):
        return t.to(_INT32) if dtype == 'int32' else t != 0
    v = torch.trunc(t.to(_FLOAT64))
    v = torch.where(torch.isfinite(v), v, torch.zeros((), dtype=_FLOAT64, device=v.device))
    if dtype == 'bool':
        return torch.remainder(v, 256) != 0
    v = torch.remainder(v, 4294967296.0)
    return torch.where(v >= 2147483648.0, v - 4294967296.0, v).to(_INT32)


def pair(a, b, op: str):
    """Both operands as torch tensors of their upcast TF.js dtype, plus that dtype."""
    if type(a) is Tensor and type(b) is Tensor:      # fast path: two plain tensors
        da, db = a.dtype, b.dtype
        ta, tb = a._t, b._t
        if ta is None or tb is None:
            a._value(), b._value()
        if da == db:
            if da == 'string':
                raise ValueError(f"Argument 'a' passed to '{op}' must be numeric tensor, but got "
                                 'string tensor')
            return ta, tb, da
    else:
        ta, da = _operand(a, 'a', op)
        tb, db = _operand(b, 'b', op)
    if da != db:
        d = upcast_type(da, db)
        if da != d:
            ta = cast_raw(ta, da, d)
        if db != d:
            tb = cast_raw(tb, db, d)
        return ta, tb, d
    if da == 'string':
        raise ValueError(f"Argument 'a' passed to '{op}' must be numeric tensor, but got string "
                         'tensor')
    return ta, tb, da


def _operand(x, name='x', op='op'):
    if isinstance(x, Tensor):
        return x._value(), x.dtype
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return torch.tensor(float(x), dtype=FLOAT, device=device()), 'float32'
    try:
        return to_torch(x)
    except (TypeError, builtins.ValueError) as exc:
        raise ValueError(f"Argument '{name}' passed to '{op}' must be a Tensor or TensorLike, but "
                         f'got {type(x).__name__}: {exc}') from None


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


def parse_axis(axis, rank: int) -> tuple:
    """TF.js's `parseAxisParam` exactly: None -> all axes; every axis in [-rank, rank) (so a
    scalar accepts no explicit axis); negative axes wrap."""
    if axis is None:
        return tuple(range(rank))
    axes = [axis] if isinstance(axis, (int, float)) else list(axis)
    out = []
    for a in axes:
        a = int(a)
        if not -rank <= a < rank:
            raise ValueError(f'All values in axis param must be in range [-{rank}, {rank}) but got '
                             f'axis {axis}')
        out.append(a % rank)
    return tuple(out)
