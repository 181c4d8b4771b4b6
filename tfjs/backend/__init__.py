"""The torch bridge: backend selection, dtype mapping and tensor-memory accounting.

Nothing outside `tfjs.backend` and the op kernels imports torch directly.
"""
from .device import (BACKENDS, get_backend, set_backend, ready, device, available_backends,
                     to_torch_dtype, from_torch_dtype, TORCH_DTYPES)
from .engine import ENGINE

__all__ = ['BACKENDS', 'get_backend', 'set_backend', 'ready', 'device', 'available_backends',
           'to_torch_dtype', 'from_torch_dtype', 'TORCH_DTYPES', 'ENGINE']
