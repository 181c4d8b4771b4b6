"""Activation functions (`activation: 'relu'` in layer configs), as TF.js's `activations.ts`.

Each activation is a class registered under TF.js's className (`relu`, `hardSigmoid`,
`gelu_new`...) with `apply(x, axis=-1)`. `get_activation` resolves the TF.js names, their
snake_case spellings, Keras names and aliases (`silu`, `log_softmax`, `hard_silu`...), Activation
instances and plain Python callables. Activations serialize as their bare className.

Math follows TF.js exactly (and so do gradients at ties, e.g. relu6 at 6); Keras-only
activations (`exponential`, `hardSilu`, `leakyRelu`, `logSigmoid`) are extras that TF.js lacks.

>>> import tfjs as tf
>>> from tfjs.activations import get_activation
>>> get_activation('hard_sigmoid').apply(tf.tensor1d([-3, 0, 1])).arraySync()
[0.0, 0.5, 0.699999988079071]
"""
from __future__ import annotations

import math
from typing import Any, Callable

import torch
import torch.nn.functional as F

from ._naming import SnakeCaseAliases, did_you_mean, to_camel_case, to_snake_case
from .errors import NotImplementedError, ValueError
from .ops._dispatch import float_raw, wrap
from .serialization.registry import (SerializationMap, Serializable, deserialize,
                                     register_builtin)
from .tensor import Tensor, convert_to_tensor

SELU_SCALE = 1.0507009873554804934193349852946
SELU_SCALEALPHA = 1.7580993408473768599402175208123


class Activation(Serializable, SnakeCaseAliases):
    """Base class of activations: `apply(x, axis=-1) -> Tensor`; config is always `{}`."""

    className = ''

    def __init__(self, config: dict | None = None, **kwargs):
        if config or kwargs:
            keys = ', '.join(list(config or {}) + list(kwargs))
            raise ValueError(f'Activation "{self.getClassName()}" takes no configuration, got: '
                             f'{keys}.')

    def apply(self, x, axis: int = -1) -> Tensor:
        """The activation of `x` (a Tensor or TensorLike) as a float32 Tensor."""
        if type(self).apply_raw is Activation.apply_raw:
            raise NotImplementedError(f'{type(self).__name__} must implement apply() or '
                                      'apply_raw().')
        return _out(self.apply_raw(_f(x, self.getClassName()), axis))

    def apply_raw(self, t: torch.Tensor, axis: int = -1) -> torch.Tensor:
        """The activation of a float32 torch tensor (the fast path used inside layers)."""
        if type(self).apply is Activation.apply:
            raise NotImplementedError(f'{type(self).__name__} must implement apply() or '
                                      'apply_raw().')
        return self.apply(Tensor._make(t, 'float32'), axis)._value()

    def __call__(self, x, axis: int = -1) -> Tensor:
        return self.apply(x, axis)

    def getClassName(self) -> str:
        return type(self).className or type(self).__name__

    def getConfig(self) -> dict:
        return {}

    @classmethod
    def fromConfig(cls, config: dict | None = None) -> 'Activation':
        return cls(config)

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other.getClassName() == self.getClassName()

    def __hash__(self) -> int:
        return hash((type(self), self.getClassName()))

    def __repr__(self) -> str:
        return f'<Activation {self.getClassName()}>'


def _f(x, op: str) -> torch.Tensor:
    return float_raw(x, 'x', op)


def _out(t: torch.Tensor) -> Tensor:
    return wrap(t, 'float32')


def _minimum_tfjs(t: torch.Tensor, cap: float) -> torch.Tensor:
    """min(cap, t) with TF.js's gradient (0 where t == cap) and NaN propagation."""
    return torch.where((t < cap) | torch.isnan(t), t, torch.full_like(t, cap))


class Linear(Activation):
    """Identity: returns its input unchanged."""
    className = 'linear'

    def apply(self, x, axis: int = -1) -> Tensor:
        return x if isinstance(x, Tensor) else convert_to_tensor(x, 'x', 'linear')

    def apply_raw(self, t, axis=-1):
        return t


class Relu(Activation):
    """max(0, x)."""
    className = 'relu'

    def apply_raw(self, t, axis=-1):
        return torch.relu(t)


class Relu6(Activation):
    """min(6, max(0, x))."""
    className = 'relu6'

    def apply_raw(self, t, axis=-1):
        return _minimum_tfjs(torch.relu(t), 6.0)


class Elu(Activation):
    """x if x >= 0 else exp(x) - 1 (TF.js supports only alpha = 1)."""
    className = 'elu'

    def apply(self, x, axis: int = -1, alpha: float = 1.0) -> Tensor:
        if alpha != 1:
            raise NotImplementedError(f'Support for alpha values other than 1 ({alpha}) is not '
                                      'implemented yet.')
        return super().apply(x, axis)

    def apply_raw(self, t, axis=-1):
        return F.elu(t)


class Selu(Activation):
    """scale * x if x >= 0 else scale * alpha * (exp(x) - 1)."""
    className = 'selu'

    def apply_raw(self, t, axis=-1):
        return torch.selu(t)


class Sigmoid(Activation):
    """1 / (1 + exp(-x))."""
    className = 'sigmoid'

    def apply_raw(self, t, axis=-1):
        return torch.sigmoid(t)


class HardSigmoid(Activation):
    """clip(0.2 * x + 0.5, 0, 1)."""
    className = 'hardSigmoid'

    def apply_raw(self, t, axis=-1):
        return torch.clamp(0.5 + 0.2 * t, 0.0, 1.0)


class Softplus(Activation):
    """log(1 + exp(x))."""
    className = 'softplus'

    def apply_raw(self, t, axis=-1):
        return F.softplus(t)


class Softsign(Activation):
    """x / (|x| + 1)."""
    className = 'softsign'

    def apply_raw(self, t, axis=-1):
        return t / (torch.abs(t) + 1.0)


class Tanh(Activation):
    """Hyperbolic tangent."""
    className = 'tanh'

    def apply_raw(self, t, axis=-1):
        return torch.tanh(t)


def _check_rank(t: torch.Tensor, name: str) -> None:
    if t.ndim == 0:
        raise ValueError(f'{name} needs a tensor of rank >= 1, got a scalar.')


class Softmax(Activation):
    """exp(x) / sum(exp(x)) over `axis` (default the last one)."""
    className = 'softmax'

    def apply_raw(self, t, axis=-1):
        _check_rank(t, 'softmax')
        return torch.softmax(t, dim=axis)


class LogSoftmax(Activation):
    """log(softmax(x)) over `axis`, computed stably."""
    className = 'logSoftmax'

    def apply_raw(self, t, axis=-1):
        _check_rank(t, 'logSoftmax')
        return torch.log_softmax(t, dim=axis)


class Swish(Activation):
    """x * sigmoid(alpha * x) (Keras: `silu`)."""
    className = 'swish'

    def apply(self, x, axis: int = -1, alpha: float = 1.0) -> Tensor:
        t = _f(x, 'swish')
        return _out(torch.sigmoid(t * alpha) * t if alpha != 1 else self.apply_raw(t))

    def apply_raw(self, t, axis=-1):
        return torch.sigmoid(t) * t


class Mish(Activation):
    """x * tanh(softplus(x))."""
    className = 'mish'

    def apply_raw(self, t, axis=-1):
        return t * torch.tanh(F.softplus(t))


class Gelu(Activation):
    """x * 0.5 * (1 + erf(x / sqrt(2))) (the exact form)."""
    className = 'gelu'

    def apply_raw(self, t, axis=-1):
        return t * (0.5 * (1.0 + torch.erf(t / math.sqrt(2))))


class GeluNew(Activation):
    """0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3))) (tanh approximation)."""
    className = 'gelu_new'

    def apply_raw(self, t, axis=-1):
        inner = math.sqrt(2 / math.pi) * (t + 0.044715 * torch.pow(t, 3))
        return 0.5 * (t * (1.0 + torch.tanh(inner)))


# ---------------------------------------------------------------- Keras extras (not in TF.js)

class Exponential(Activation):
    """exp(x) (Keras `exponential`; not in TF.js)."""
    className = 'exponential'

    def apply_raw(self, t, axis=-1):
        return torch.exp(t)


class HardSilu(Activation):
    """x * relu6(x + 3) / 6 (Keras `hard_silu` / `hard_swish`; not in TF.js)."""
    className = 'hardSilu'

    def apply_raw(self, t, axis=-1):
        return t * (_minimum_tfjs(torch.relu(t + 3.0), 6.0) / 6.0)


class LeakyRelu(Activation):
    """x if x > 0 else 0.2 * x (Keras `leaky_relu`, negative_slope 0.2; not in TF.js)."""
    className = 'leakyRelu'

    def apply(self, x, axis: int = -1, alpha: float = 0.2) -> Tensor:
        return _out(F.leaky_relu(_f(x, 'leakyRelu'), alpha))

    def apply_raw(self, t, axis=-1):
        return F.leaky_relu(t, 0.2)


class LogSigmoid(Activation):
    """log(sigmoid(x)) (Keras `log_sigmoid`; not in TF.js)."""
    className = 'logSigmoid'

    def apply_raw(self, t, axis=-1):
        return F.logsigmoid(t)


class Celu(Activation):
    """max(0, x) + min(0, exp(x) - 1) (Keras `celu`, alpha 1; not in TF.js)."""
    className = 'celu'

    def apply_raw(self, t, axis=-1):
        return F.celu(t, 1.0)


class Glu(Activation):
    """a * sigmoid(b), with `[a, b]` the two halves of the last axis (Keras `glu`)."""
    className = 'glu'

    def apply_raw(self, t, axis=-1):
        if t.shape[axis] % 2:
            raise ValueError(f'glu needs an even size along axis {axis}; got {t.shape[axis]}.')
        a, b = torch.chunk(t, 2, dim=axis)
        return a * torch.sigmoid(b)


class HardTanh(Activation):
    """clip(x, -1, 1) (Keras `hard_tanh`; not in TF.js)."""
    className = 'hardTanh'

    def apply_raw(self, t, axis=-1):
        return torch.clamp(t, -1.0, 1.0)


class SparsePlus(Activation):
    """0 below -1, x above 1, (x + 1)^2 / 4 between (Keras `sparse_plus`)."""
    className = 'sparsePlus'

    def apply_raw(self, t, axis=-1):
        return torch.where(t <= -1, torch.zeros_like(t),
                           torch.where(t >= 1, t, (t + 1) ** 2 / 4))


class Squareplus(Activation):
    """(x + sqrt(x^2 + 4)) / 2 (Keras `squareplus`, b 4)."""
    className = 'squareplus'

    def apply_raw(self, t, axis=-1):
        return (t + torch.sqrt(t * t + 4.0)) / 2


class TanhShrink(Activation):
    """x - tanh(x) (Keras `tanh_shrink`)."""
    className = 'tanhShrink'

    def apply_raw(self, t, axis=-1):
        return t - torch.tanh(t)


class SoftShrink(Activation):
    """x - 0.5 above 0.5, x + 0.5 below -0.5, else 0 (Keras `soft_shrink`)."""
    className = 'softShrink'

    def apply_raw(self, t, axis=-1):
        return F.softshrink(t, 0.5)


class HardShrink(Activation):
    """x where |x| > 0.5, else 0 (Keras `hard_shrink`)."""
    className = 'hardShrink'

    def apply_raw(self, t, axis=-1):
        return F.hardshrink(t, 0.5)


class Sparsemax(Activation):
    """The Euclidean projection of x onto the probability simplex along `axis` (Keras
    `sparsemax`): like softmax, but with exact zeros."""
    className = 'sparsemax'

    def apply_raw(self, t, axis=-1):
        ordered = torch.sort(t, dim=axis, descending=True).values
        cumsum = ordered.cumsum(axis)
        shape = [1] * t.ndim
        shape[axis] = -1
        r = torch.arange(1, t.shape[axis] + 1, dtype=t.dtype, device=t.device).reshape(shape)
        support = ordered - (cumsum - 1) / r > 0
        k = support.to(t.dtype).sum(axis, keepdim=True)
        tau = (torch.where(support, cumsum, torch.zeros_like(cumsum)).sum(axis, keepdim=True)
               - 1) / k
        return torch.clamp(t - tau, min=0.0)


class FunctionActivation(Activation):
    """A Python callable `f(x) -> Tensor` used as an activation (serializes as its name)."""

    def __init__(self, fn: Callable, name: str | None = None):
        self.fn = fn
        self.name = name or getattr(fn, '__name__', None) or type(fn).__name__

    def getClassName(self) -> str:
        return self.name

    def apply(self, x, axis: int = -1) -> Tensor:
        out = self.fn(x)
        return out if isinstance(out, Tensor) else convert_to_tensor(out, 'output', self.name)

    def __eq__(self, other) -> bool:
        return isinstance(other, FunctionActivation) and other.fn is self.fn

    def __hash__(self) -> int:
        return hash(self.fn)


TFJS_ACTIVATIONS = (Linear, Relu, Relu6, Elu, Selu, Sigmoid, HardSigmoid, Softplus, Softsign,
                    Tanh, Softmax, LogSoftmax, Swish, Mish, Gelu, GeluNew)
EXTRA_ACTIVATIONS = (Exponential, HardSilu, LeakyRelu, LogSigmoid, Celu, Glu, HardTanh, SparsePlus,
                     Squareplus, TanhShrink, SoftShrink, HardShrink, Sparsemax)
for _cls in TFJS_ACTIVATIONS + EXTRA_ACTIVATIONS:
    register_builtin(_cls)

_BY_NAME: dict = {cls.className: cls for cls in TFJS_ACTIVATIONS + EXTRA_ACTIVATIONS}
# Keras names and aliases (after camel-casing) that differ from a className.
_ALIASES = {
    'silu': 'swish', 'geluNew': 'gelu_new', 'hardSwish': 'hardSilu', 'none': 'linear',
}


def activation_names() -> list:
    """Every string `get_activation` accepts for the built-in activations (sorted)."""
    names = set(_BY_NAME) | set(_ALIASES)
    names |= {to_snake_case(n) for n in names}
    return sorted(names)


def _lookup(name: str):
    for candidate in (name, to_camel_case(name)):
        candidate = _ALIASES.get(candidate, candidate)
        if candidate in _BY_NAME:
            return _BY_NAME[candidate]
    found = SerializationMap.class_name_map.get(name)
    if isinstance(found, type) and issubclass(found, Activation):
        return found
    return None


def get_activation(identifier: Any = None) -> Activation:
    """Resolve an activation identifier: None (-> linear), a name, a config dict, an Activation
    or a Python callable.

    >>> get_activation('silu').getClassName()
    'swish'
    >>> get_activation(None).getClassName()
    'linear'
    """
    if identifier is None:
        return Linear()
    if isinstance(identifier, Activation):
        return identifier
    if isinstance(identifier, str):
        cls = _lookup(identifier)
        if cls is None:
            tfjs_names = ', '.join(c.className for c in TFJS_ACTIVATIONS)
            extras = ', '.join(c.className for c in EXTRA_ACTIVATIONS)
            raise ValueError(f'Unknown activation: "{identifier}".'
                             f'{did_you_mean(identifier, activation_names())} Valid activations '
                             f'are: {tfjs_names} (and the Keras names {extras}, silu, hard_swish, '
                             'snake_case spellings).')
        return cls()
    if isinstance(identifier, dict):
        if 'className' in identifier or 'class_name' in identifier:
            name = identifier.get('className', identifier.get('class_name'))
            cls = _lookup(name) if isinstance(name, str) else None
            if cls is not None:
                return cls.fromConfig(identifier.get('config') or {})
            return deserialize({'className': name, 'config': identifier.get('config') or {}},
                               kind='activation')
        raise ValueError(f'Improper activation config {identifier!r}: expected a name such as '
                         '"relu" or {"className": "relu", "config": {}}.')
    if isinstance(identifier, type) and issubclass(identifier, Activation):
        return identifier()
    if callable(identifier):
        return FunctionActivation(identifier)
    raise ValueError(f'Cannot interpret {identifier!r} ({type(identifier).__name__}) as an '
                     'activation: pass a name such as "relu", an Activation or a function.')


def serialize_activation(activation: Activation | str | Callable | None) -> str:
    """The className TF.js saves for an activation (a bare string, e.g. `'hardSigmoid'`).

    >>> serialize_activation(get_activation('hard_sigmoid'))
    'hardSigmoid'
    """
    return get_activation(activation).getClassName()


def deserialize_activation(config: Any, customObjects: dict | None = None) -> Activation:
    """Build an activation from a name or `{'className', 'config'}` (custom objects first)."""
    if customObjects:
        name = config if isinstance(config, str) else (config or {}).get('className')
        if name in customObjects:
            obj = customObjects[name]
            return obj() if isinstance(obj, type) else get_activation(obj)
    return get_activation(config)


