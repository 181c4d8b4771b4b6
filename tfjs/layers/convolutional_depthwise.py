"""Depthwise and separable convolutions: DepthwiseConv2D, SeparableConv2D (TF.js's
`layers/convolutional_depthwise.ts` and `SeparableConv2D` of `convolutional.ts`) and Keras's
DepthwiseConv1D and SeparableConv1D.

Weights as in TF.js: `depthwise_kernel [*k, in, depthMultiplier]` (output channel
`c * depthMultiplier + m`), `pointwise_kernel [*1, in * depthMultiplier, filters]`, `bias`.
Differences from TF.js, each Keras's behaviour: DepthwiseConv2D applies `dilationRate` (TF.js
keeps it in the config but convolves undilated); SeparableConv2D's `pointwiseInitializer` is
used (TF.js initializes the pointwise kernel with `depthwiseInitializer`); SeparableConv's
config keeps `depthMultiplier` when it is not 1 (TF.js's omits it, so such a layer does not
reload); DepthwiseConv2D's config serializes `depthwiseConstraint` (TF.js's serializes the
regularizer under that key).
"""
from __future__ import annotations

import torch

from ..constraints import get_constraint, serialize_constraint
from ..engine.topology import InputSpec
from ..errors import ValueError
from ..initializers import get_initializer, serialize_initializer
from ..regularizers import get_regularizer, serialize_regularizer
from ..serialization.registry import register_builtin
from . import _conv_common as cc
from .convolutional import BaseConv
from .core import one_shape


def _depth_multiplier(args: dict) -> int:
    m = 1 if args.get('depthMultiplier') is None else args['depthMultiplier']
    if not cc.is_int(m) or m < 1:
        raise ValueError(f'depthMultiplier must be a positive integer, but got {m!r}.')
    return int(m)


def _depthwise_weight(kernel: torch.Tensor, rank: int) -> torch.Tensor:
    """[*k, in, mult] -> torch's grouped-convolution weight [in * mult, 1, *k] (rank 1 lifted)."""
    cin, mult = kernel.shape[-2], kernel.shape[-1]
    w = kernel.permute(rank, rank + 1, *range(rank)).reshape(cin * mult, 1, *kernel.shape[:rank])
    return w.unsqueeze(2) if rank == 1 else w


class DepthwiseConv(BaseConv):
    """Each input channel convolved with its own `depthMultiplier` kernels (no channel mixing)."""

    CONFIG_KEYS = ('depthMultiplier', 'depthwiseInitializer', 'depthwiseConstraint',
                   'depthwiseRegularizer')

    def __init__(self, rank: int, args: dict):
        super().__init__(rank, args)
        self.depthMultiplier = _depth_multiplier(args)
        self.depthwiseInitializer = get_initializer(args.get('depthwiseInitializer')
                                                    or self.DEFAULT_KERNEL_INITIALIZER)
        self.depthwiseConstraint = get_constraint(args.get('depthwiseConstraint'))
        self.depthwiseRegularizer = get_regularizer(args.get('depthwiseRegularizer'))
        self.depthwiseKernel = None

    def build(self, inputShape) -> None:
        shape = one_shape(inputShape, self)
        if len(shape) < self.rank + 2:
            raise ValueError(f'Inputs to {self.className} should have rank {self.rank + 2}. '
                             f'Received input shape: {list(shape)}.')
        cin = self.input_channels(shape)
        self.depthwiseKernel = self.addWeight(
            'depthwise_kernel', self.kernelSize + [cin, self.depthMultiplier], None,
            self.depthwiseInitializer, self.depthwiseRegularizer, True, self.depthwiseConstraint)
        if self.useBias:
            self.bias = self.addWeight('bias', [cin * self.depthMultiplier], None,
                                       self.biasInitializer, self.biasRegularizer, True,
                                       self.biasConstraint)
        self.inputSpec = [InputSpec(ndim=self.rank + 2, axes={self.channel_axis(len(shape)): cin})]
        self.built = True

    def computeOutputShape(self, inputShape):
        shape = one_shape(inputShape, self)
        cin = shape[self.channel_axis(len(shape))]
        space = [cc.conv_output_length(size, k, self.padding, s, d) for size, k, s, d in
                 zip(self.spatial(shape), self.kernelSize, self.strides, self.dilationRate)]
        return self.with_channels(shape[0], space,
                                  None if cin is None else cin * self.depthMultiplier)

    def depthwise(self, x: torch.Tensor, bias) -> torch.Tensor:
        """The depthwise step on the user's tensor; the result is torch's N, C, *spatial."""
        kernel = self.depthwiseKernel.val._t
        if x.dtype != kernel.dtype:
            x = x.to(kernel.dtype)
        pads = cc.conv_pads(self.spatial(x.shape), self.kernelSize, self.strides,
                            self.dilationRate, self.padding)
        return cc.conv(cc.to_torch(x, self.rank, self.channels_first),
                       _depthwise_weight(kernel, self.rank), bias,
                       cc.lift(self.rank, self.strides), cc.lift(self.rank, pads, (0, 0)),
                       cc.lift(self.rank, self.dilationRate), groups=kernel.shape[-2])

    def forward(self, x: torch.Tensor, training: bool) -> torch.Tensor:
        return self.finish(self.depthwise(x, self.read_bias()))

    def getConfig(self) -> dict:
        config = self.base_config()
        config.update(super().getConfig())
        config['depthMultiplier'] = self.depthMultiplier
        config['depthwiseInitializer'] = serialize_initializer(self.depthwiseInitializer)
        config['depthwiseRegularizer'] = serialize_regularizer(self.depthwiseRegularizer)
        config['depthwiseConstraint'] = serialize_constraint(self.depthwiseConstraint)
        return config


class DepthwiseConv2D(DepthwiseConv):
    """Depthwise 2D convolution: kernel `[kh, kw, in, depthMultiplier]`, output channels
    `in * depthMultiplier`.

    >>> import tfjs as tf
    >>> tf.layers.depthwiseConv2d({'kernelSize': 3, 'depthMultiplier': 2}).apply(tf.ones([1, 5, 5, 3])).shape
    [1, 3, 3, 6]
    """

    className = 'DepthwiseConv2D'
    CONFIG_KEYS = ()

    def __init__(self, args: dict | None = None, /, **kwargs):
        super().__init__(2, self.normalize_args(args, kwargs))


class DepthwiseConv1D(DepthwiseConv):
    """Depthwise 1D convolution (Keras's DepthwiseConv1D; not in TF.js): kernel
    `[k, in, depthMultiplier]`.

    >>> import tfjs as tf
    >>> tf.layers.depthwiseConv1d({'kernelSize': 3, 'depthMultiplier': 2}).apply(tf.ones([1, 5, 3])).shape
    [1, 3, 6]
    """

    className = 'DepthwiseConv1D'
    CONFIG_KEYS = ()

    def __init__(self, args: dict | None = None, /, **kwargs):
        super().__init__(1, self.normalize_args(args, kwargs))


class SeparableConv(DepthwiseConv):
    """A depthwise convolution followed by a pointwise (1x1) convolution to `filters` channels."""

    CONFIG_KEYS = ('filters', 'pointwiseInitializer', 'pointwiseConstraint',
                   'pointwiseRegularizer', 'kernelInitializer', 'kernelRegularizer',
                   'kernelConstraint')
    DEFAULT_KERNEL_INITIALIZER = 'glorotUniform'

    def __init__(self, rank: int, args: dict):
        if any(args.get(k) is not None for k in
               ('kernelInitializer', 'kernelRegularizer', 'kernelConstraint')):
            raise ValueError(f'Fields kernelInitializer, kernelRegularizer and kernelConstraint '
                             f'are invalid for {self.className}. Use depthwiseInitializer, '
                             'depthwiseRegularizer, depthwiseConstraint, pointwiseInitializer, '
                             'pointwiseRegularizer and pointwiseConstraint instead.')
        super().__init__(rank, args)
        filters = args.get('filters')
        if filters is None:
            raise ValueError('The `filters` configuration field is required by SeparableConv, '
                             'but is unspecified.')
        if not cc.is_int(filters) or filters < 1:
            raise ValueError(f"Convolution layer expected config.filters to be a 'number' > 0 but "
                             f'got {filters!r}.')
        self.filters = int(filters)
        self.pointwiseInitializer = get_initializer(args.get('pointwiseInitializer')
                                                    or self.DEFAULT_KERNEL_INITIALIZER)
        self.pointwiseConstraint = get_constraint(args.get('pointwiseConstraint'))
        self.pointwiseRegularizer = get_regularizer(args.get('pointwiseRegularizer'))
        self.pointwiseKernel = None

    def build(self, inputShape) -> None:
        shape = one_shape(inputShape, self)
        if len(shape) < self.rank + 2:
            raise ValueError(f'Inputs to {self.className} should have rank {self.rank + 2}, but '
                             f'received input shape: {list(shape)}')
        cin = self.input_channels(shape)
        self.depthwiseKernel = self.addWeight(
            'depthwise_kernel', self.kernelSize + [cin, self.depthMultiplier], 'float32',
            self.depthwiseInitializer, self.depthwiseRegularizer, True, self.depthwiseConstraint)
        self.pointwiseKernel = self.addWeight(
            'pointwise_kernel', [1] * self.rank + [cin * self.depthMultiplier, self.filters],
            'float32', self.pointwiseInitializer, self.pointwiseRegularizer, True,
            self.pointwiseConstraint)
        if self.useBias:
            self.bias = self.addWeight('bias', [self.filters], 'float32', self.biasInitializer,
                                       self.biasRegularizer, True, self.biasConstraint)
        self.inputSpec = [InputSpec(ndim=self.rank + 2, axes={self.channel_axis(len(shape)): cin})]
        self.built = True

    def computeOutputShape(self, inputShape):
        shape = one_shape(inputShape, self)
        out = super().computeOutputShape(shape)
        out[self.channel_axis(len(out))] = self.filters
        return out

    def forward(self, x: torch.Tensor, training: bool) -> torch.Tensor:
        y = self.depthwise(x, None)
        pw = self.pointwiseKernel.val._t
        weight = pw.reshape(pw.shape[-2], pw.shape[-1]).t().reshape(
            self.filters, pw.shape[-2], *([1] * (y.ndim - 2)))
        y = torch.nn.functional.conv2d(y, weight, self.read_bias()) if y.ndim == 4 else \
            torch.nn.functional.conv3d(y, weight, self.read_bias())
        return self.finish(y)

    def getConfig(self) -> dict:
        config = {'filters': self.filters}
        config.update(self.base_config())
        config.update(BaseConv.getConfig(self))
        if self.depthMultiplier != 1:
            config['depthMultiplier'] = self.depthMultiplier
        config['depthwiseInitializer'] = serialize_initializer(self.depthwiseInitializer)
        config['pointwiseInitializer'] = serialize_initializer(self.pointwiseInitializer)
        config['depthwiseRegularizer'] = serialize_regularizer(self.depthwiseRegularizer)
        config['pointwiseRegularizer'] = serialize_regularizer(self.pointwiseRegularizer)
        config['depthwiseConstraint'] = serialize_constraint(self.depthwiseConstraint)
        config['pointwiseConstraint'] = serialize_constraint(self.pointwiseConstraint)
        return config


class SeparableConv2D(SeparableConv):
    """Depthwise separable 2D convolution: a depthwise step then a 1x1 convolution.

    >>> import tfjs as tf
    >>> tf.layers.separableConv2d({'filters': 4, 'kernelSize': 3}).apply(tf.ones([1, 5, 5, 2])).shape
    [1, 3, 3, 4]
    """

    className = 'SeparableConv2D'
    CONFIG_KEYS = ()

    def __init__(self, args: dict | None = None, /, **kwargs):
        super().__init__(2, self.normalize_args(args, kwargs))


class SeparableConv1D(SeparableConv):
    """Depthwise separable 1D convolution (Keras's SeparableConv1D; TF.js has the class name
    but throws NotImplementedError).

    >>> import tfjs as tf
    >>> tf.layers.separableConv1d({'filters': 4, 'kernelSize': 3}).apply(tf.ones([1, 5, 2])).shape
    [1, 3, 4]
    """

    className = 'SeparableConv1D'
    CONFIG_KEYS = ()

    def __init__(self, args: dict | None = None, /, **kwargs):
        super().__init__(1, self.normalize_args(args, kwargs))


FACTORIES = {
    'depthwiseConv2d': (DepthwiseConv2D, "{'kernelSize': 3}"),
    'separableConv2d': (SeparableConv2D, "{'filters': 2, 'kernelSize': 3}"),
    'depthwiseConv1d': (DepthwiseConv1D, "{'kernelSize': 3}"),
    'separableConv1d': (SeparableConv1D, "{'filters': 2, 'kernelSize': 3}"),
}

# Keras's other names (keras.layers.SeparableConvolution2D, ...), for deserialization
for _cls in (SeparableConv1D, SeparableConv2D):
    register_builtin(_cls, _cls.className.replace('Conv', 'Convolution', 1))
