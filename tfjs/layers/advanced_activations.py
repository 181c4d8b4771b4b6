"""Advanced activation layers: ReLU, LeakyReLU, PReLU, ELU, ThresholdedReLU, Softmax (TF.js's
`layers/advanced_activations.ts`).

Beyond TF.js (Keras semantics, documented per class): ReLU's `negativeSlope` and `threshold`,
ELU with any `alpha` (TF.js throws for alpha != 1), Softmax over any axis (TF.js's kernel only
handles the last one), LeakyReLU's Keras 3 name `negativeSlope`, and every layer here passes
masks through (`supportsMasking`, as in Keras).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from ..constraints import get_constraint, serialize_constraint
from ..engine.topology import InputSpec
from ..errors import ValueError
from ..initializers import get_initializer, serialize_initializer
from ..regularizers import get_regularizer, serialize_regularizer
from ..tensor import Tensor
from .core import TorchLayer, one_input, one_shape


class _Elementwise(TorchLayer):
    """An activation layer: output shape = input shape, masks pass through."""

    def __init__(self, args: dict):
        super().__init__(args)
        self.supportsMasking = True

    def computeOutputShape(self, inputShape):
        return inputShape

    def call(self, inputs, kwargs: dict):
        x = one_input(inputs, self)
        t = x._value()
        if not t.is_floating_point():
            t = t.float()
        return Tensor._make(self.forward(t, bool(kwargs.get('training'))), 'float32')


def _number(args: dict, key: str, default: float, layer: str, minimum: float | None = None):
    value = args.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f'{layer}: "{key}" must be a number, but got {value!r}.')
    if minimum is not None and value < minimum:
        raise ValueError(f'{layer}: "{key}" must be >= {minimum}, but got {value}.')
    return value


class ReLU(_Elementwise):
    """Rectified linear unit: `max(x, 0)`, clipped at `maxValue` when given.

    Keras's `negativeSlope` and `threshold` are supported too (beyond TF.js):
    `x` for `threshold < x < maxValue`, `negativeSlope * (x - threshold)` below the threshold.

    >>> import tfjs as tf
    >>> tf.layers.reLU({'maxValue': 2}).apply(tf.tensor1d([-1, 1, 3])).arraySync()
    [0.0, 1.0, 2.0]
    """

    className = 'ReLU'
    CONFIG_KEYS = ('maxValue', 'negativeSlope', 'threshold')

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        self.maxValue = _number(args, 'maxValue', None, 'ReLU', 0)
        self.negativeSlope = _number(args, 'negativeSlope', 0.0, 'ReLU', 0)
        self.threshold = _number(args, 'threshold', 0.0, 'ReLU', 0)

    def forward(self, x: torch.Tensor, training: bool = False) -> torch.Tensor:
        slope, thr = self.negativeSlope, self.threshold
        if slope and self.maxValue is None and not thr:
            return F.leaky_relu(x, slope)
        out = torch.relu(x) if not thr else torch.where(x > thr, x, torch.zeros_like(x))
        if self.maxValue is not None:
            out = torch.clamp(out, 0, self.maxValue)
        if slope:
            out = out - slope * torch.relu(thr - x)
        return out

    def call(self, inputs, kwargs: dict):
        x = one_input(inputs, self)
        t = x._value()
        if not t.is_floating_point() and not self.negativeSlope and not self.threshold:
            out = torch.relu(t)                # an int32 input stays int32, as in TF.js
            if self.maxValue is not None:
                out = torch.clamp(out, 0, int(self.maxValue))
            return Tensor._make(out, x.dtype)
        return super().call(inputs, kwargs)

    def getConfig(self) -> dict:
        config = {'maxValue': self.maxValue}
        if self.negativeSlope:                 # Keras's extras, saved only when used
            config['negativeSlope'] = self.negativeSlope
        if self.threshold:
            config['threshold'] = self.threshold
        config.update(super().getConfig())
        return config


class LeakyReLU(_Elementwise):
    """`x` for `x >= 0`, `alpha * x` otherwise (alpha 0.3; Keras 3's `negativeSlope` is
    accepted as the same thing).

    >>> import tfjs as tf
    >>> tf.layers.leakyReLU({'alpha': 0.5}).apply(tf.tensor1d([-2, 2])).arraySync()
    [-1.0, 2.0]
    """

    className = 'LeakyReLU'
    CONFIG_KEYS = ('alpha', 'negativeSlope')

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        if args.get('alpha') is not None and args.get('negativeSlope') is not None \
                and args['alpha'] != args['negativeSlope']:
            raise ValueError('LeakyReLU: give "alpha" (TF.js) or "negativeSlope" (Keras 3), '
                             'not both.')
        key = 'alpha' if args.get('alpha') is not None else 'negativeSlope'
        self.alpha = _number(args, key, 0.3, 'LeakyReLU')

    def forward(self, x: torch.Tensor, training: bool = False) -> torch.Tensor:
        return F.leaky_relu(x, self.alpha)

    def getConfig(self) -> dict:
        config = {'alpha': self.alpha}
        config.update(super().getConfig())
        return config


class PReLU(_Elementwise):
    """Parametric ReLU: `x` for `x > 0`, `alpha * x` otherwise, with a learned `alpha` of shape
    `inputShape[1:]` (size 1 along `sharedAxes`).

    >>> import tfjs as tf
    >>> layer = tf.layers.prelu({'sharedAxes': [1]})
    >>> layer.apply(tf.ones([2, 4, 3])).shape, layer.getWeights()[0].shape
    ([2, 4, 3], [1, 3])
    """

    className = 'PReLU'
    CONFIG_KEYS = ('alphaInitializer', 'alphaRegularizer', 'alphaConstraint', 'sharedAxes')

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        self.alphaInitializer = get_initializer(args.get('alphaInitializer') or 'zeros')
        self.alphaRegularizer = get_regularizer(args.get('alphaRegularizer'))
        self.alphaConstraint = get_constraint(args.get('alphaConstraint'))
        shared = args.get('sharedAxes')
        if shared is None or isinstance(shared, list):
            self.sharedAxes = shared
        elif isinstance(shared, tuple):
            self.sharedAxes = list(shared)
        elif isinstance(shared, int) and not isinstance(shared, bool):
            self.sharedAxes = [shared]
        else:
            raise ValueError(f'Expected sharedAxes to be a number or an array of numbers, but got '
                             f'{shared!r}.')
        self.alpha = None

    def build(self, inputShape) -> None:
        shape = one_shape(inputShape, self)
        param = list(shape[1:])
        for axis in self.sharedAxes or []:
            if not 1 <= axis < len(shape):
                raise ValueError(f'PReLU: sharedAxes entry {axis} is not an axis of the input '
                                 f'(shape {shape}); axes start at 1 (the batch axis is 0).')
            param[axis - 1] = 1
        if any(d is None for d in param):
            raise ValueError(f'PReLU needs a known size for every non-shared axis, but the input '
                             f'shape is {shape}. Share the variable axes with "sharedAxes".')
        if self.alpha is None:
            self.alpha = self.addWeight('alpha', param, 'float32', self.alphaInitializer,
                                        self.alphaRegularizer, True, self.alphaConstraint)
        shared = set(self.sharedAxes or [])
        axes = {i: shape[i] for i in range(1, len(shape)) if i not in shared} if shared else {}
        self.inputSpec = [InputSpec(ndim=len(shape), axes=axes)]
        self.built = True

    def forward(self, x: torch.Tensor, training: bool = False) -> torch.Tensor:
        return torch.where(x > 0, x, x * self.alpha.val._t)

    def getConfig(self) -> dict:
        config = {
            'alphaInitializer': serialize_initializer(self.alphaInitializer),
            'alphaRegularizer': serialize_regularizer(self.alphaRegularizer),
            'alphaConstraint': serialize_constraint(self.alphaConstraint),
            'sharedAxes': self.sharedAxes,
        }
        config.update(super().getConfig())
        return config


class ELU(_Elementwise):
    """Exponential linear unit: `x` for `x > 0`, `alpha * (exp(x) - 1)` otherwise.

    TF.js rejects `alpha != 1`; here any alpha works (Keras semantics).

    >>> import tfjs as tf
    >>> tf.layers.elu({'alpha': 0.5}).apply(tf.tensor1d([0, 1])).arraySync()
    [0.0, 1.0]
    """

    className = 'ELU'
    CONFIG_KEYS = ('alpha',)

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        self.alpha = _number(args, 'alpha', 1.0, 'ELU')

    def forward(self, x: torch.Tensor, training: bool = False) -> torch.Tensor:
        return F.elu(x, self.alpha)

    def getConfig(self) -> dict:
        config = {'alpha': self.alpha}
        config.update(super().getConfig())
        return config


class ThresholdedReLU(_Elementwise):
    """`x` for `x > theta` (default 1), 0 otherwise.

    >>> import tfjs as tf
    >>> tf.layers.thresholdedReLU({'theta': 0.5}).apply(tf.tensor1d([0.4, 0.6])).arraySync()
    [0.0, 0.6000000238418579]
    """

    className = 'ThresholdedReLU'
    CONFIG_KEYS = ('theta',)

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        self.theta = _number(args, 'theta', 1.0, 'ThresholdedReLU')

    def forward(self, x: torch.Tensor, training: bool = False) -> torch.Tensor:
        return x * (x > self.theta).to(x.dtype)

    def getConfig(self) -> dict:
        config = {'theta': self.theta}
        config.update(super().getConfig())
        return config


def _broadcastable_mask(mask: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """A mask for `x`: a per-timestep mask (`x`'s leading axes) gets trailing singleton axes."""
    if mask.ndim < x.ndim and tuple(mask.shape) == tuple(x.shape[:mask.ndim]):
        mask = mask.reshape(tuple(mask.shape) + (1,) * (x.ndim - mask.ndim))
    return mask


class Softmax(_Elementwise):
    """Softmax over `axis` (TF.js's default: 1; Keras's: -1, always written in its configs).
    A list of axes normalizes over all of them. A `mask` kwarg (1 keep, 0 drop) pushes dropped
    entries to -1e9 before the softmax, as TF.js does; a mask over the leading axes only (an
    Embedding's per-timestep mask) gets trailing singleton axes first (TF.js would broadcast it
    against the last axes instead, and then refuse the mask in `computeMask`).

    >>> import tfjs as tf
    >>> tf.layers.softmax().apply(tf.tensor2d([[0, 0]], [1, 2])).arraySync()
    [[0.5, 0.5]]
    """

    className = 'Softmax'
    CONFIG_KEYS = ('axis',)

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        axis = args.get('axis')
        if isinstance(axis, tuple):
            axis = list(axis)
        if axis is not None and not (isinstance(axis, int) or (
                isinstance(axis, list) and axis and all(isinstance(a, int) for a in axis))):
            raise ValueError(f'Softmax: "axis" must be an integer or a list of integers, but got '
                             f'{axis!r}.')
        self.axis = 1 if axis is None else axis

    def forward(self, x: torch.Tensor, training: bool = False, mask=None) -> torch.Tensor:
        if mask is not None:
            keep = _broadcastable_mask(mask, x).to(x.dtype)
            x = x + (1 - keep) * -1e9
        if isinstance(self.axis, list):
            if len(self.axis) > 1:
                return torch.exp(x - torch.logsumexp(x, dim=self.axis, keepdim=True))
            return torch.softmax(x, dim=self.axis[0])
        return torch.softmax(x, dim=self.axis)

    def call(self, inputs, kwargs: dict):
        x = one_input(inputs, self)
        t = x._value()
        if not t.is_floating_point():
            t = t.float()
        mask = kwargs.get('mask')
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        mask = None if mask is None else (mask._value() if isinstance(mask, Tensor) else
                                          torch.as_tensor(mask, device=t.device))
        return Tensor._make(self.forward(t, bool(kwargs.get('training')), mask), 'float32')

    def getConfig(self) -> dict:
        config = {'axis': self.axis}
        config.update(super().getConfig())
        return config


FACTORIES = {
    'reLU': (ReLU, "{'maxValue': 6}"),
    'leakyReLU': (LeakyReLU, "{'alpha': 0.1}"),
    'prelu': (PReLU, "{'sharedAxes': [1]}"),
    'elu': (ELU, ''),
    'thresholdedReLU': (ThresholdedReLU, "{'theta': 1}"),
    'softmax': (Softmax, "{'axis': -1}"),
}
