"""tfjs: the TensorFlow.js Layers API in Python, on PyTorch.

>>> import tfjs as tf
>>> model = tf.sequential()
>>> model.add(tf.layers.dense({'units': 1, 'inputShape': [1]}))
>>> model.compile({'optimizer': 'sgd', 'loss': 'meanSquaredError'})
"""
from __future__ import annotations

from . import _naming
from ._async import Promise
from .backend import available_backends
from .backend.device import get_backend as getBackend, ready, set_backend as setBackend
from .backend.memory import dispose, disposeVariables, keep, memory, tidy
from .errors import DisposedError, NotImplementedError, TfjsError, ValueError
from .ops import *  # noqa: F401,F403 - the tf.* op namespace
from .ops import TensorBuffer
from .tensor import Tensor, Variable, variable

__version__ = '0.1.0'
version = {'tfjs': __version__, 'tfjs-core': '4.22.0', 'tfjs-layers': '4.22.0', 'tfjs-data': '4.22.0'}


def backend() -> str:
    """The current backend's name (TF.js returns the backend object)."""
    return getBackend()


def nextFrame():
    """Resolve after the event loop had a chance to run (awaitable; a no-op in sync code)."""
    from ._async import resolved
    return resolved(None)


_naming.add_snake_case_aliases(globals())
