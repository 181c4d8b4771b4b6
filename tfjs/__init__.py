"""tfjs: the TensorFlow.js Layers API in Python, on PyTorch.

>>> import tfjs as tf
>>> model = tf.sequential()
>>> model.add(tf.layers.dense({'units': 1, 'inputShape': [1]}))
>>> model.compile({'optimizer': 'sgd', 'loss': 'meanSquaredError'})
"""
from __future__ import annotations

from . import _naming
from ._async import Promise
from .backend.device import get_backend as getBackend, ready, set_backend as setBackend
from .backend.memory import dispose, disposeVariables, keep, memory, tidy
from .errors import DisposedError, NotImplementedError, TfjsError, ValueError
from .ops import *  # noqa: F401,F403 - the tf.* op namespace
from .ops import TensorBuffer
from .tensor import Tensor, Variable, variable
from .gradients import customGrad, grad, grads, valueAndGrad, valueAndGrads, variableGrads
from . import (activations, callbacks as _callbacks_module, constraints, data, initializers,
               io, layers, metrics, regularizers, serialization, train)
from .losses import Reduction, tf_losses as losses
from .callbacks import (BaseCallback, Callback, CallbackList, CustomCallback, EarlyStopping,
                        History, registerCallbackConstructor)
from .engine.input_layer import input
from .engine.topology import InputSpec, SymbolicTensor
from .engine.training import LayersModel
from .engine.sequential import Sequential
from .engine.variables import LayerVariable
from .layers.recurrent import RNN
from .models import loadLayersModel, model, sequential
from .train import (AdadeltaOptimizer, AdagradOptimizer, AdamaxOptimizer, AdamOptimizer,
                    MomentumOptimizer, Optimizer, RMSPropOptimizer, SGDOptimizer)
from . import models as _models_module

__version__ = '0.1.0'
version = {'tfjs': __version__, 'tfjs-core': '4.22.0', 'tfjs-layers': '4.22.0', 'tfjs-data': '4.22.0'}


class _Namespace:
    """A read-only bag of functions, e.g. `tf.callbacks`, `tf.models`."""

    def __init__(self, **members):
        _naming.add_snake_case_aliases(members)
        self.__dict__.update(members)

    def __repr__(self):
        return f'<namespace {", ".join(sorted(k for k in self.__dict__ if not k.startswith("_")))}>'


callbacks = _Namespace(earlyStopping=_callbacks_module.earlyStopping)
# op namespaces (tf.image, tf.linalg, tf.spectral, ...) gathered from tfjs.ops
from . import ops as _ops_package  # noqa: E402
for _space, _members in _ops_package.NAMESPACES.items():
    globals()[_space] = _Namespace(**_members)
models = _Namespace(modelFromJSON=_models_module.modelFromJSON)


def backend() -> str:
    """The current backend's name (TF.js returns the backend object)."""
    return getBackend()


def nextFrame():
    """Resolve after the event loop had a chance to run (awaitable; a no-op in sync code)."""
    from ._async import resolved
    return resolved(None)


_naming.add_snake_case_aliases(globals())
