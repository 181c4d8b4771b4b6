"""More normalization layers: LayerNormalization (TF.js's `layers/normalization.ts`), and
Keras 3's GroupNormalization and UnitNormalization."""
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


def _axes_arg(axis, layer: str):
    """An int or a list of ints (tuples become lists)."""
    if isinstance(axis, tuple):
        axis = list(axis)
    if isinstance(axis, bool) or not (isinstance(axis, int) or (
            isinstance(axis, list) and all(isinstance(a, int) and not isinstance(a, bool)
                                           for a in axis))):
        raise ValueError(f'{layer}: expected axis to be an integer or an array of integers, but '
                         f'received {axis!r}.')
    return axis


def _resolve_axes(axis, ndim: int, layer: str) -> list:
    axes = [axis] if isinstance(axis, int) else list(axis)
    axes = [a + ndim if a < 0 else a for a in axes]
    for a in axes:
        if not 0 <= a < ndim:
            raise ValueError(f'{layer}: invalid axis {a} for an input of rank {ndim}.')
    if len(set(axes)) != len(axes):
        raise ValueError(f'{layer}: found duplicate axes in {axes}.')
    return axes


def _float_call(layer: TorchLayer, inputs, kwargs: dict) -> Tensor:
    """Run `layer.forward` on the input as float32 (integer inputs are normalized as floats;
    TF.js would compute in int32 and return zeros)."""
    t = one_input(inputs, layer)._value()
    if not t.is_floating_point():
        t = t.float()
    return Tensor._make(layer.forward(t, bool(kwargs.get('training'))), 'float32')


class _Affine(TorchLayer):
    """Shared gamma / beta handling (initializers, regularizers, constraints, center, scale)."""

    CONFIG_KEYS = ('axis', 'epsilon', 'center', 'scale', 'betaInitializer', 'gammaInitializer',
                   'betaRegularizer', 'gammaRegularizer', 'betaConstraint', 'gammaConstraint')

    def __init__(self, args: dict):
        super().__init__(args)
        self.supportsMasking = True
        self.epsilon = 1e-3 if args.get('epsilon') is None else args['epsilon']
        self.center = True if args.get('center') is None else bool(args['center'])
        self.scale = True if args.get('scale') is None else bool(args['scale'])
        self.betaInitializer = get_initializer(args.get('betaInitializer') or 'zeros')
        self.gammaInitializer = get_initializer(args.get('gammaInitializer') or 'ones')
        self.betaRegularizer = get_regularizer(args.get('betaRegularizer'))
        self.gammaRegularizer = get_regularizer(args.get('gammaRegularizer'))
        self.betaConstraint = get_constraint(args.get('betaConstraint'))
        self.gammaConstraint = get_constraint(args.get('gammaConstraint'))
        self.gamma = self.beta = None

    def _add_affine(self, shape: list) -> None:
        if self.scale and self.gamma is None:
            self.gamma = self.addWeight('gamma', shape, 'float32', self.gammaInitializer,
                                        self.gammaRegularizer, True, self.gammaConstraint)
        if self.center and self.beta is None:
            self.beta = self.addWeight('beta', shape, 'float32', self.betaInitializer,
                                       self.betaRegularizer, True, self.betaConstraint)

    def _weights(self):
        return (None if self.gamma is None else self.gamma.val._t,
                None if self.beta is None else self.beta.val._t)

    def computeOutputShape(self, inputShape):
        return inputShape

    def call(self, inputs, kwargs: dict):
        return _float_call(self, inputs, kwargs)

    def _affine_config(self) -> dict:
        return {
            'epsilon': self.epsilon, 'center': self.center, 'scale': self.scale,
            'betaInitializer': serialize_initializer(self.betaInitializer),
            'gammaInitializer': serialize_initializer(self.gammaInitializer),
            'betaRegularizer': serialize_regularizer(self.betaRegularizer),
            'gammaRegularizer': serialize_regularizer(self.gammaRegularizer),
        }

    def _constraint_config(self, config: dict) -> None:
        for key, value in (('betaConstraint', self.betaConstraint),
                           ('gammaConstraint', self.gammaConstraint)):
            if value is not None:
                config[key] = serialize_constraint(value)


class LayerNormalization(_Affine):
    """Normalize each sample over `axis` (default -1; an int or a list): `(x - mean) /
    sqrt(var + epsilon) * gamma + beta`, gamma and beta of shape `[inputShape[a] for a in axis]`.

    As in TF.js, `axis` becomes a list of non-negative axes once the layer is built. Keras's
    `betaConstraint` / `gammaConstraint` and (deprecated) `rmsScaling` are accepted too.

    >>> import tfjs as tf
    >>> layer = tf.layers.layerNormalization()
    >>> [round(v, 4) for v in layer.apply(tf.tensor2d([[1, 3]], [1, 2])).arraySync()[0]]
    [-0.9995, 0.9995]
    """

    className = 'LayerNormalization'
    CONFIG_KEYS = ('rmsScaling',)

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        self.axis = _axes_arg(-1 if args.get('axis') is None else args['axis'],
                              'LayerNormalization')
        self.rmsScaling = bool(args.get('rmsScaling'))

    def build(self, inputShape) -> None:
        shape = one_shape(inputShape, self)
        self.axis = _resolve_axes(self.axis, len(shape), 'LayerNormalization')
        param = [shape[a] for a in self.axis]
        if any(d is None for d in param):
            raise ValueError(f'LayerNormalization: the normalized axes {self.axis} of the input '
                             f'(shape {shape}) must have known sizes.')
        if self.rmsScaling:
            self.center = False
        self._add_affine(param)
        self.built = True

    def forward(self, x: torch.Tensor, training: bool = False) -> torch.Tensor:
        gamma, beta = self._weights()
        ndim = x.ndim
        axes = self.axis
        if not self.rmsScaling and axes == list(range(ndim - len(axes), ndim)):
            return F.layer_norm(x, tuple(x.shape[ndim - len(axes):]), gamma, beta, self.epsilon)
        shape = [1] * ndim
        for a in axes:
            shape[a] = x.shape[a]
        var, mean = torch.var_mean(x, dim=axes, keepdim=True, correction=0)
        inv = torch.rsqrt(var + self.epsilon)
        if self.rmsScaling:
            out = x * inv
            return out * gamma.reshape(shape) if gamma is not None else out
        if gamma is not None:
            inv = inv * gamma.reshape(shape)
        out = (x - mean) * inv
        return out + beta.reshape(shape) if beta is not None else out

    def getConfig(self) -> dict:
        config = {'axis': self.axis}
        config.update(self._affine_config())
        self._constraint_config(config)
        if self.rmsScaling:
            config['rmsScaling'] = True
        config.update(TorchLayer.getConfig(self))
        return config


class GroupNormalization(_Affine):
    """Keras's GroupNormalization: split the channels (`axis`, default -1) into `groups`
    (default 32; -1 means one per channel) and normalize each group of each sample.

    >>> import tfjs as tf
    >>> layer = tf.layers.groupNormalization({'groups': 2})
    >>> layer.apply(tf.ones([1, 3, 4])).shape, layer.getWeights()[0].shape
    ([1, 3, 4], [4])
    """

    className = 'GroupNormalization'
    CONFIG_KEYS = ('groups',)

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        groups = 32 if args.get('groups') is None else args['groups']
        if not isinstance(groups, int) or isinstance(groups, bool) or (groups <= 0 and
                                                                        groups != -1):
            raise ValueError(f'GroupNormalization: "groups" must be a positive integer (or -1 for '
                             f'instance normalization), but got {groups!r}.')
        self.groups = groups
        axis = -1 if args.get('axis') is None else args['axis']
        if isinstance(axis, (list, tuple)):
            if len(axis) != 1:
                raise ValueError(f'GroupNormalization normalizes along one channel axis; got '
                                 f'axis={list(axis)}.')
            axis = axis[0]
        self.axis = _axes_arg(axis, 'GroupNormalization')

    def build(self, inputShape) -> None:
        shape = one_shape(inputShape, self)
        axis = _resolve_axes(self.axis, len(shape), 'GroupNormalization')[0]
        dim = shape[axis]
        if dim is None:
            raise ValueError(f'Axis {self.axis} of input tensor should have a defined dimension '
                             f'but the layer received an input with shape {shape}.')
        if self.groups == -1:
            self.groups = dim
        if dim < self.groups:
            raise ValueError(f'Number of groups ({self.groups}) cannot be more than the number of '
                             f'channels ({dim}).')
        if dim % self.groups:
            raise ValueError(f'Number of groups ({self.groups}) must be a divisor of the number '
                             f'of channels ({dim}).')
        self.inputSpec = [InputSpec(ndim=len(shape), axes={axis: dim})]
        self._add_affine([dim])
        self.built = True

    def forward(self, x: torch.Tensor, training: bool = False) -> torch.Tensor:
        gamma, beta = self._weights()
        axis = self.axis + x.ndim if self.axis < 0 else self.axis
        if axis == 1:
            return F.group_norm(x, self.groups, gamma, beta, self.epsilon)
        out = F.group_norm(x.movedim(axis, 1), self.groups, gamma, beta, self.epsilon)
        return out.movedim(1, axis)

    def getConfig(self) -> dict:
        config = {'groups': self.groups, 'axis': self.axis}
        config.update(self._affine_config())
        config['betaConstraint'] = serialize_constraint(self.betaConstraint)
        config['gammaConstraint'] = serialize_constraint(self.gammaConstraint)
        config.update(TorchLayer.getConfig(self))
        return config


class UnitNormalization(TorchLayer):
    """Keras's UnitNormalization: scale each sample to unit L2 norm over `axis` (default -1;
    an int or a list): `x * min(rsqrt(sum(x^2)), 1e12)`.

    >>> import tfjs as tf
    >>> tf.layers.unitNormalization().apply(tf.tensor2d([[3, 4]], [1, 2])).arraySync()
    [[0.6000000238418579, 0.800000011920929]]
    """

    className = 'UnitNormalization'
    CONFIG_KEYS = ('axis',)

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        self.supportsMasking = True
        self.axis = _axes_arg(-1 if args.get('axis') is None else args['axis'],
                              'UnitNormalization')

    def computeOutputShape(self, inputShape):
        shape = one_shape(inputShape, self)
        _resolve_axes(self.axis, len(shape), 'UnitNormalization')
        return inputShape

    def call(self, inputs, kwargs: dict):
        return _float_call(self, inputs, kwargs)

    def forward(self, x: torch.Tensor, training: bool = False) -> torch.Tensor:
        square_sum = torch.sum(x * x, dim=self.axis, keepdim=True)
        return x * torch.clamp(torch.rsqrt(square_sum), max=1e12)

    def getConfig(self) -> dict:
        config = {'axis': self.axis}
        config.update(super().getConfig())
        return config


FACTORIES = {
    'layerNormalization': (LayerNormalization, "{'axis': -1}"),
    'groupNormalization': (GroupNormalization, "{'groups': 2}"),
    'unitNormalization': (UnitNormalization, "{'axis': -1}"),
}
