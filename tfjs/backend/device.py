"""Backend (device) selection, as in TF.js: `getBackend`, `setBackend`, `ready`.

Backends are `cpu`, `cuda` and `mps`. At import the best available is chosen (cuda > mps > cpu);
the environment variable `TFJS_BACKEND` overrides. New tensors are created on the current
backend's device; `setBackend` moves every live variable to the new device.
"""
from __future__ import annotations

import os

import torch

from ..errors import ValueError

BACKENDS = ('cpu', 'cuda', 'mps')

TORCH_DTYPES = {
    'float32': torch.float32,
    'int32': torch.int32,
    'bool': torch.bool,
    'complex64': torch.complex64,
}
_FROM_TORCH = {v: k for k, v in TORCH_DTYPES.items()}
_FROM_TORCH.update({torch.float64: 'float32', torch.float16: 'float32', torch.bfloat16: 'float32',
                    torch.int64: 'int32', torch.int16: 'int32', torch.int8: 'int32',
                    torch.uint8: 'int32', torch.complex128: 'complex64'})


def to_torch_dtype(dtype: str):
    """torch dtype for a TF.js dtype name."""
    try:
        return TORCH_DTYPES[dtype]
    except KeyError:
        raise ValueError(f'Unknown dtype "{dtype}". Valid dtypes are float32, int32, bool, '
                         'complex64 and string.') from None


def from_torch_dtype(torch_dtype) -> str:
    """TF.js dtype name for a torch dtype (wider types map to TF.js's 32-bit ones)."""
    return _FROM_TORCH[torch_dtype]


def available_backends() -> list:
    """Backends usable on this machine, best first."""
    names = []
    if torch.cuda.is_available():
        names.append('cuda')
    mps = getattr(torch.backends, 'mps', None)
    if mps is not None and mps.is_available():
        names.append('mps')
    names.append('cpu')
    return names


class _State:
    name: str = 'cpu'
    device = torch.device('cpu')


_state = _State()


def device():
    """The torch device of the current backend."""
    return _state.device


def get_backend() -> str:
    """Name of the current backend: 'cpu', 'cuda' or 'mps'.

    >>> import tfjs as tf; tf.getBackend() in ('cpu', 'cuda', 'mps')
    True
    """
    return _state.name


def _select(name: str) -> None:
    if name not in BACKENDS:
        raise ValueError(f'Unknown backend "{name}". Valid backends are: {", ".join(BACKENDS)}.')
    if name not in available_backends():
        raise ValueError(f'Backend "{name}" is not available on this machine; available: '
                         f'{", ".join(available_backends())}.')
    previous = _state.device
    _state.name = name
    _state.device = torch.device(name)
    if name == 'cuda':
        # exact float32 matmuls/convs, as TF.js computes them
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    if previous != _state.device:
        from .engine import ENGINE
        ENGINE.move_variables(_state.device)


def set_backend(name: str) -> bool:
    """Switch backend; returns True on success (awaitable too, as in TF.js).

    >>> import tfjs as tf; tf.setBackend('cpu')
    True
    """
    from .._async import resolved
    _select(name)
    return resolved(True)


def ready():
    """Resolves when the backend is ready (always immediately here)."""
    from .._async import resolved
    return resolved(None)


def _initial_backend() -> None:
    wanted = os.environ.get('TFJS_BACKEND')
    if wanted:
        _select(wanted.strip().lower())
    else:
        _select(available_backends()[0])


_initial_backend()
