"""Normalization layers: BatchNormalization (TF.js's `layers/normalization.ts`)."""
from __future__ import annotations

import torch

from ..constraints import get_constraint, serialize_constraint
from ..engine.topology import InputSpec
from ..errors import NotImplementedError, ValueError
from ..initializers import get_initializer, serialize_initializer
from ..regularizers import get_regularizer, serialize_regularizer
from .core import TorchLayer, one_shape


class BatchNormalization(TorchLayer):
    """Normalize over the batch: batch statistics in training (updating the moving mean and
    variance as `moving - (moving - batch) * (1 - momentum)`), moving statistics otherwise.

    >>> import tfjs as tf
    >>> tf.layers.batchNormalization({'axis': 1}).getConfig()['momentum']
    0.99
    """

    className = 'BatchNormalization'
    CONFIG_KEYS = ('axis', 'momentum', 'epsilon', 'center', 'scale', 'betaInitializer',
                   'gammaInitializer', 'movingMeanInitializer', 'movingVarianceInitializer',
                   'betaConstraint', 'gammaConstraint', 'betaRegularizer', 'gammaRegularizer')

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        self.supportsMasking = True
        self.axis = -1 if args.get('axis') is None else args['axis']
        if not isinstance(self.axis, int):
            raise NotImplementedError('BatchNormalization over several axes is not supported; give '
                                      'a single integer axis.')
        self.momentum = 0.99 if args.get('momentum') is None else args['momentum']
        self.epsilon = 1e-3 if args.get('epsilon') is None else args['epsilon']
        self.center = True if args.get('center') is None else bool(args['center'])
        self.scale = True if args.get('scale') is None else bool(args['scale'])
        self.betaInitializer = get_initializer(args.get('betaInitializer') or 'zeros')
        self.gammaInitializer = get_initializer(args.get('gammaInitializer') or 'ones')
        self.movingMeanInitializer = get_initializer(args.get('movingMeanInitializer') or 'zeros')
        self.movingVarianceInitializer = get_initializer(args.get('movingVarianceInitializer') or 'ones')
        self.betaConstraint = get_constraint(args.get('betaConstraint'))
        self.gammaConstraint = get_constraint(args.get('gammaConstraint'))
        self.betaRegularizer = get_regularizer(args.get('betaRegularizer'))
        self.gammaRegularizer = get_regularizer(args.get('gammaRegularizer'))
        self.gamma = self.beta = self.movingMean = self.movingVariance = None

    def build(self, inputShape) -> None:
        shape = one_shape(inputShape, self)
        axis = self.axis if self.axis >= 0 else self.axis + len(shape)
        dim = shape[axis]
        if dim is None:
            raise ValueError(f'Axis {axis} of input tensor should have a defined dimension but the '
                             f'layer received an input with shape {shape}.')
        self.inputSpec = [InputSpec(ndim=len(shape), axes={axis: dim})]
        if self.scale:
            self.gamma = self.addWeight('gamma', [dim], None, self.gammaInitializer,
                                        self.gammaRegularizer, True, self.gammaConstraint)
        if self.center:
            self.beta = self.addWeight('beta', [dim], None, self.betaInitializer,
                                       self.betaRegularizer, True, self.betaConstraint)
        self.movingMean = self.addWeight('moving_mean', [dim], None, self.movingMeanInitializer,
                                         None, False)
        self.movingVariance = self.addWeight('moving_variance', [dim], None,
                                             self.movingVarianceInitializer, None, False)
        self.built = True

    def forward(self, x: torch.Tensor, training: bool) -> torch.Tensor:
        ndim = x.ndim
        axis = self.axis if self.axis >= 0 else self.axis + ndim
        reduce_axes = [i for i in range(ndim) if i != axis]
        shape = [1] * ndim
        shape[axis] = x.shape[axis]

        def param(var):
            return None if var is None else var.val._t.reshape(shape)

        gamma, beta = param(self.gamma), param(self.beta)
        if not training:
            mean, variance = param(self.movingMean), param(self.movingVariance)
        else:
            mean = x.mean(dim=reduce_axes, keepdim=True)
            variance = torch.square(x - mean).mean(dim=reduce_axes, keepdim=True)
            with torch.no_grad():
                decay = 1 - self.momentum
                for var, value in ((self.movingMean, mean), (self.movingVariance, variance)):
                    moving = var.val._t
                    moving.sub_((moving - value.detach().reshape(-1)) * decay)
        inv = torch.rsqrt(variance + self.epsilon)
        if gamma is not None:
            inv = inv * gamma
        out = (x - mean) * inv
        return out + beta if beta is not None else out

    def getConfig(self) -> dict:
        config = {
            'axis': self.axis, 'momentum': self.momentum, 'epsilon': self.epsilon,
            'center': self.center, 'scale': self.scale,
            'betaInitializer': serialize_initializer(self.betaInitializer),
            'gammaInitializer': serialize_initializer(self.gammaInitializer),
            'movingMeanInitializer': serialize_initializer(self.movingMeanInitializer),
            'movingVarianceInitializer': serialize_initializer(self.movingVarianceInitializer),
            'betaRegularizer': serialize_regularizer(self.betaRegularizer),
            'gammaRegularizer': serialize_regularizer(self.gammaRegularizer),
            'betaConstraint': serialize_constraint(self.betaConstraint),
            'gammaConstraint': serialize_constraint(self.gammaConstraint),
        }
        config.update(super().getConfig())
        return config


FACTORIES = {'batchNormalization': (BatchNormalization, "{'axis': -1}")}
