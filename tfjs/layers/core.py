"""Core layers: Dense, Flatten, Activation, Dropout, Reshape (TF.js's `layers/core.ts`).

Each layer's math is a `forward` on torch tensors (the functional part); `call` wraps it for
tfjs Tensors, so a compiled execution path can call `forward` directly.
"""
from __future__ import annotations

import math

import torch

from ..activations import Relu, get_activation, serialize_activation
from ..constraints import get_constraint, serialize_constraint
from ..engine.topology import InputSpec, Layer
from ..errors import NotImplementedError, ValueError
from ..initializers import get_initializer, serialize_initializer
from ..regularizers import get_regularizer, serialize_regularizer
from ..tensor import Tensor


def one_input(inputs, layer: Layer) -> Tensor:
    """The single tensor of `inputs` (a tensor or a one-element list)."""
    if isinstance(inputs, (list, tuple)):
        if len(inputs) != 1:
            raise ValueError(f'Layer {layer.name} expects 1 input tensor, but got {len(inputs)}.')
        return inputs[0]
    return inputs


def one_shape(shape, layer: Layer) -> list:
    """The single shape of `shape` (a shape or a one-element list of shapes)."""
    if shape and isinstance(shape[0], (list, tuple)):
        if len(shape) != 1:
            raise ValueError(f'Layer {layer.name} expects 1 input shape, but got {len(shape)}.')
        return list(shape[0])
    return list(shape)


def activate_owned(activation, t: torch.Tensor) -> torch.Tensor:
    """`activation` applied to a tensor the layer has just computed and nothing else holds
    (not a view, not saved by its own backward: a convolution's, matmul's or sum's output).
    ReLU then overwrites it in place: the same values and gradient, one large tensor fewer.

    >>> import torch
    >>> from tfjs.activations import get_activation
    >>> activate_owned(get_activation('relu'), torch.tensor([-1.0, 2.0])).tolist()
    [0.0, 2.0]
    """
    if type(activation) is Relu and not t._is_view():
        return torch.relu_(t)
    return activation.apply_raw(t)


class TorchLayer(Layer):
    """A built-in layer whose math is `forward(x: torch.Tensor, training: bool)`."""

    def forward(self, x: torch.Tensor, training: bool) -> torch.Tensor:
        raise NotImplementedError(f'{type(self).__name__}.forward')

    def call(self, inputs, kwargs: dict):
        x = one_input(inputs, self)
        out = self.forward(x._value(), bool(kwargs.get('training')))
        return Tensor._make(out, 'float32' if out.is_floating_point() else x.dtype)


class Dense(TorchLayer):
    """`output = activation(dot(input, kernel) + bias)`; kernel `[inputLastDim, units]`.

    >>> import tfjs as tf
    >>> tf.layers.dense({'units': 3, 'inputShape': [2]}).getConfig()['units']
    3
    """

    className = 'Dense'
    CONFIG_KEYS = ('units', 'activation', 'useBias', 'kernelInitializer', 'biasInitializer',
                   'inputDim', 'kernelConstraint', 'biasConstraint', 'kernelRegularizer',
                   'biasRegularizer', 'activityRegularizer')

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        if args.get('batchInputShape') is None and args.get('inputShape') is None \
                and args.get('inputDim') is not None:
            self.batchInputShape = [args.get('batchSize'), args['inputDim']]
            self.dtype = self.dtype or 'float32'
        units = args.get('units')
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise ValueError(f'Expected units to be a positive integer, but got {units!r}. '
                             'Example: tf.layers.dense({"units": 10}).')
        self.units = units
        self.activation = get_activation(args.get('activation'))
        self.useBias = True if args.get('useBias') is None else bool(args['useBias'])
        self.kernelInitializer = get_initializer(args.get('kernelInitializer') or 'glorotNormal')
        self.biasInitializer = get_initializer(args.get('biasInitializer') or 'zeros')
        self.kernelConstraint = get_constraint(args.get('kernelConstraint'))
        self.biasConstraint = get_constraint(args.get('biasConstraint'))
        self.kernelRegularizer = get_regularizer(args.get('kernelRegularizer'))
        self.biasRegularizer = get_regularizer(args.get('biasRegularizer'))
        self.activityRegularizer = get_regularizer(args.get('activityRegularizer'))
        self.supportsMasking = True
        self.kernel = None
        self.bias = None
        self.inputSpec = [InputSpec(minNDim=2)]

    def build(self, inputShape) -> None:
        shape = one_shape(inputShape, self)
        last = shape[-1]
        if self.kernel is None:
            self.kernel = self.addWeight('kernel', [last, self.units], None, self.kernelInitializer,
                                         self.kernelRegularizer, True, self.kernelConstraint)
            if self.useBias:
                self.bias = self.addWeight('bias', [self.units], None, self.biasInitializer,
                                           self.biasRegularizer, True, self.biasConstraint)
        self.inputSpec = [InputSpec(minNDim=2, axes={-1: last})]
        self.built = True

    def computeOutputShape(self, inputShape):
        shape = one_shape(inputShape, self)
        return shape[:-1] + [self.units]

    def forward(self, x: torch.Tensor, training: bool) -> torch.Tensor:
        kernel = self.kernel.val._t
        if x.dtype != kernel.dtype:
            x = x.to(kernel.dtype)
        if self.bias is not None:
            bias = self.bias.val._t
            out = torch.addmm(bias, x, kernel) if x.ndim == 2 else torch.matmul(x, kernel) + bias
        else:
            out = torch.matmul(x, kernel)
        return activate_owned(self.activation, out) if hasattr(self.activation, 'apply_raw') \
            else self.activation.apply(Tensor._make(out, 'float32'))._value()

    def getConfig(self) -> dict:
        config = {
            'units': self.units,
            'activation': serialize_activation(self.activation),
            'useBias': self.useBias,
            'kernelInitializer': serialize_initializer(self.kernelInitializer),
            'biasInitializer': serialize_initializer(self.biasInitializer),
            'kernelRegularizer': serialize_regularizer(self.kernelRegularizer),
            'biasRegularizer': serialize_regularizer(self.biasRegularizer),
            'activityRegularizer': serialize_regularizer(self.activityRegularizer),
            'kernelConstraint': serialize_constraint(self.kernelConstraint),
            'biasConstraint': serialize_constraint(self.biasConstraint),
        }
        config.update(super().getConfig())
        return config


class Flatten(TorchLayer):
    """Flatten every dimension but the batch one: `[N, a, b] -> [N, a*b]`."""

    className = 'Flatten'
    CONFIG_KEYS = ('dataFormat',)

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        self.inputSpec = [InputSpec(minNDim=3)]
        self.dataFormat = args.get('dataFormat')
        if self.dataFormat not in (None, 'channelsFirst', 'channelsLast'):
            raise ValueError(f'Invalid dataFormat "{self.dataFormat}": use "channelsLast" or '
                             '"channelsFirst".')

    def computeOutputShape(self, inputShape):
        shape = one_shape(inputShape, self)
        for dim in shape[1:]:
            if dim is None:
                raise ValueError(f'The shape of the input to "Flatten" is not fully defined (got '
                                 f'{shape[1:]}). Make sure to pass a complete "input_shape" or '
                                 '"batch_input_shape" argument to the first layer in your model.')
        return [shape[0], math.prod(shape[1:])]

    def forward(self, x: torch.Tensor, training: bool) -> torch.Tensor:
        if self.dataFormat == 'channelsFirst' and x.ndim > 1:
            x = x.permute(0, *range(2, x.ndim), 1)
        return x.reshape(x.shape[0], -1)

    def call(self, inputs, kwargs: dict):
        x = one_input(inputs, self)
        return Tensor._make(self.forward(x._value(), False), x.dtype)

    def getConfig(self) -> dict:
        config = {}
        if self.dataFormat is not None:
            config['dataFormat'] = self.dataFormat
        config.update(super().getConfig())
        return config


class Activation(TorchLayer):
    """Apply an activation function: `tf.layers.activation({'activation': 'relu'})`."""

    className = 'Activation'
    CONFIG_KEYS = ('activation',)

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        self.supportsMasking = True
        self.activation = get_activation(args.get('activation'))

    def call(self, inputs, kwargs: dict):
        return self.activation.apply(one_input(inputs, self))

    def forward(self, x: torch.Tensor, training: bool) -> torch.Tensor:
        return self.activation.apply(Tensor._make(x, 'float32'))._value()

    def getConfig(self) -> dict:
        config = {'activation': serialize_activation(self.activation)}
        config.update(super().getConfig())
        return config


class Dropout(TorchLayer):
    """Randomly zero a fraction `rate` of the inputs during training (scaling the rest by
    1 / (1 - rate)); the identity at inference."""

    className = 'Dropout'
    CONFIG_KEYS = ('rate', 'noiseShape', 'seed')

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        if args.get('rate') is None:
            raise ValueError('tf.layers.dropout() needs a "rate" between 0 and 1, e.g. {"rate": 0.5}.')
        self.rate = max(min(float(args['rate']), 1.0), 0.0)
        self.noiseShape = args.get('noiseShape')
        self.seed = args.get('seed')
        self.supportsMasking = True
        self._generator = None
        if self.seed is not None:
            self._generator = torch.Generator(device='cpu')
            self._generator.manual_seed(int(self.seed))

    def _noise_shape(self, x: torch.Tensor) -> list:
        if self.noiseShape is None:
            return list(x.shape)
        return [x.shape[i] if d is None else d for i, d in enumerate(self.noiseShape)]

    def forward(self, x: torch.Tensor, training: bool) -> torch.Tensor:
        if not (0 < self.rate < 1) or not training:
            return x
        keep = 1.0 - self.rate
        shape = self._noise_shape(x)
        if self._generator is not None:
            noise = torch.rand(shape, generator=self._generator).to(x.device)
        else:
            noise = torch.rand(shape, device=x.device)
        mask = torch.floor(noise + keep)
        return x / keep * mask

    def call(self, inputs, kwargs: dict):
        x = one_input(inputs, self)
        out = self.forward(x._value(), bool(kwargs.get('training')))
        return x if out is x._t else Tensor._make(out, x.dtype)

    def getConfig(self) -> dict:
        config = {'rate': self.rate, 'noiseShape': self.noiseShape, 'seed': self.seed}
        config.update(super().getConfig())
        return config


class Reshape(TorchLayer):
    """Reshape to `targetShape` (batch axis excluded; one dimension may be -1)."""

    className = 'Reshape'
    CONFIG_KEYS = ('targetShape',)

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        if args.get('targetShape') is None:
            raise ValueError('tf.layers.reshape() needs a "targetShape", e.g. {"targetShape": [4, 2]}.')
        self.targetShape = [None if d is None or d < 0 else int(d) for d in args['targetShape']]

    def _fix_unknown(self, input_shape: list, output_shape: list) -> list:
        msg = 'Total size of new array must be unchanged.'
        known, unknown = 1, None
        out = list(output_shape)
        for i, d in enumerate(out):
            if d is None or d < 0:
                if unknown is not None:
                    raise ValueError('Can only specifiy one unknown dimension.')
                unknown = i
            else:
                known *= d
        original = math.prod(input_shape)
        if unknown is not None:
            if known == 0 or original % known != 0:
                raise ValueError(msg)
            out[unknown] = original // known
        elif original != known:
            raise ValueError(msg)
        return out

    def computeOutputShape(self, inputShape):
        shape = one_shape(inputShape, self)
        if any(d is None for d in shape[1:]):
            return [shape[0]] + [d for d in self.targetShape]
        return [shape[0]] + self._fix_unknown(shape[1:], self.targetShape)

    def forward(self, x: torch.Tensor, training: bool) -> torch.Tensor:
        target = self._fix_unknown(list(x.shape[1:]), self.targetShape)
        return x.reshape([x.shape[0]] + target)

    def call(self, inputs, kwargs: dict):
        x = one_input(inputs, self)
        return Tensor._make(self.forward(x._value(), False), x.dtype)

    def getConfig(self) -> dict:
        config = {'targetShape': list(self.targetShape)}
        config.update(super().getConfig())
        return config


FACTORIES = {
    'dense': (Dense, "{'units': 4}"),
    'flatten': (Flatten, ''),
    'activation': (Activation, "{'activation': 'relu'}"),
    'dropout': (Dropout, "{'rate': 0.5}"),
    'reshape': (Reshape, "{'targetShape': [2, 2]}"),
}
