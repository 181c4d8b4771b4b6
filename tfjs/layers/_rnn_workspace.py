"""Reusable scratch buffers for the recurrent kernels (`_rnn_autograd`).

A training step allocates the same few `[T, B, ...]` buffers again and again; on CPU each fresh
multi-megabyte allocation comes back from the OS and is page-faulted in as it is written, which
costs as much as the arithmetic. Buffers handed back with `give` are reused by the next `take`
of the same shape (a reshaping view of a taken buffer hands back the buffer). Only CPU buffers are kept (CUDA has its caching allocator), at most
`LIMIT_BYTES` in all.

>>> import torch
>>> t = take((4, 3), torch.zeros(1)); give(t); take((4, 3), torch.zeros(1)) is t
True
"""
from __future__ import annotations

import threading

import torch

LIMIT_BYTES = 64 << 20

_free: dict = {}
_lock = threading.Lock()
_held = [0]


def take(shape: tuple, like: torch.Tensor) -> torch.Tensor:
    """An uninitialised tensor of `shape` with `like`'s dtype and device."""
    if like.device.type == 'cpu':
        key = (tuple(shape), like.dtype)
        with _lock:
            stack = _free.get(key)
            if stack:
                t = stack.pop()
                _held[0] -= t.numel() * t.element_size()
                return t
    return torch.empty(shape, dtype=like.dtype, device=like.device)


def give(*tensors) -> None:
    """Hand buffers back for reuse; nothing may still read or write them afterwards."""
    with _lock:
        for t in tensors:
            if t is None or t.device.type != 'cpu':
                continue
            if t._base is not None:
                t = _whole_base(t)
                if t is None:
                    continue
            size = t.numel() * t.element_size()
            if _held[0] + size > LIMIT_BYTES:
                continue
            _free.setdefault((tuple(t.shape), t.dtype), []).append(t)
            _held[0] += size


def _whole_base(view: torch.Tensor) -> torch.Tensor | None:
    """The buffer a reshaping view (`take(...).view(...)`) covers entirely, else None (a
    slice of a larger tensor is never handed back)."""
    base = view._base
    if base._base is None and view.is_contiguous() and base.is_contiguous() and \
            view.numel() == base.numel() and view.data_ptr() == base.data_ptr():
        return base
    return None


def clear() -> None:
    """Drop every kept buffer."""
    with _lock:
        _free.clear()
        _held[0] = 0
