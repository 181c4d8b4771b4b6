"""Convolution layers: Conv1D, Conv2D, Conv3D, Conv2DTranspose, Conv3DTranspose (TF.js's
`layers/convolutional.ts`) and Keras's Conv1DTranspose.

TF.js's layouts, defaults and config keys: kernels `[*kernelSize, inChannels, filters]`
(transposed ones `[*kernelSize, filters, inChannels]`), glorotNormal kernels, 'same' padding
with the extra element at the end. Where TF.js stops short, Keras's behaviour is used and the
difference documented: `padding: 'causal'` for Conv1D (left zero padding of
`dilationRate * (kernelSize - 1)`; TF.js throws), Conv1D with channelsFirst (TF.js returns a
channels-last tensor), dilated transposed convolutions (TF.js ignores `dilationRate` there),
Keras's `groups` and `outputPadding`, Conv3D 'same' windows smaller than the strides starting
at 0 (TF.js's unclamped 3D padding shifts them). Keys TF.js does not know appear in
`getConfig()` only when they differ from their defaults, so TF.js-compatible configs stay
identical to TF.js's.
"""
from __future__ import annotations

import torch

from ..activations import Relu, get_activation, serialize_activation
from ..constraints import get_constraint, serialize_constraint
from ..engine.topology import InputSpec
from ..errors import ValueError
from ..initializers import get_initializer, serialize_initializer
from ..regularizers import get_regularizer, serialize_regularizer
from ..serialization.registry import register_builtin
from . import _conv_common as cc
from .core import TorchLayer, activate_owned, one_shape


class BaseConv(TorchLayer):
    """What every convolution shares: kernelSize, strides, padding, dataFormat, dilationRate,
    activation and the bias (TF.js's `BaseConv`)."""

    CONFIG_KEYS = ('kernelSize', 'strides', 'padding', 'dataFormat', 'dilationRate', 'activation',
                   'useBias', 'biasInitializer', 'biasConstraint', 'biasRegularizer',
                   'activityRegularizer')
    PADDINGS = ('valid', 'same')
    DEFAULT_KERNEL_INITIALIZER = 'glorotNormal'

    def __init__(self, rank: int, args: dict):
        super().__init__(args)
        self.rank = rank
        if args.get('kernelSize') is None:
            raise ValueError(f"required key 'kernelSize' not in config: give e.g. "
                             f"{{'kernelSize': {[3] * rank if rank > 1 else 3}}}.")
        self.kernelSize = cc.normalize_array(args['kernelSize'], rank, 'kernelSize')
        self.strides = cc.normalize_array(1 if args.get('strides') is None else args['strides'],
                                          rank, 'strides')
        self.dilationRate = cc.normalize_array(
            1 if args.get('dilationRate') is None else args['dilationRate'], rank, 'dilationRate')
        cc.assert_positive(self.kernelSize, 'kernelSize')
        cc.assert_positive(self.strides, 'strides')
        cc.assert_positive(self.dilationRate, 'dilationRate')
        if max(self.strides) > 1 and max(self.dilationRate) > 1:
            raise ValueError(f'strides > 1 cannot be combined with dilationRate > 1 (got strides '
                             f'{self.strides} and dilationRate {self.dilationRate}); set one of '
                             'them to 1.')
        self.padding = cc.check_padding_mode(args.get('padding'))
        if self.padding not in self.PADDINGS:
            raise ValueError(f'{type(self).className} supports only padding modes '
                             f'{", ".join(repr(p) for p in self.PADDINGS)}, but received padding '
                             f"mode {self.padding} ('causal' is for Conv1D).")
        self.dataFormat = cc.check_data_format(args.get('dataFormat'))
        self.activation = get_activation(args.get('activation'))
        self.useBias = True if args.get('useBias') is None else bool(args['useBias'])
        self.biasInitializer = get_initializer(args.get('biasInitializer') or 'zeros')
        self.biasConstraint = get_constraint(args.get('biasConstraint'))
        self.biasRegularizer = get_regularizer(args.get('biasRegularizer'))
        self.activityRegularizer = get_regularizer(args.get('activityRegularizer'))
        self.bias = None
        self.inputSpec = [InputSpec(ndim=rank + 2)]

    # ---------------------------------------------------------------- geometry
    @property
    def channels_first(self) -> bool:
        return self.dataFormat == 'channelsFirst'

    def channel_axis(self, ndim: int) -> int:
        return 1 if self.channels_first else ndim - 1

    def spatial(self, shape) -> list:
        return list(shape[2:]) if self.channels_first else list(shape[1:-1])

    def with_channels(self, batch, spatial: list, channels) -> list:
        if self.channels_first:
            return [batch, channels] + list(spatial)
        return [batch] + list(spatial) + [channels]

    def input_channels(self, shape) -> int:
        dim = shape[self.channel_axis(len(shape))]
        if dim is None or dim < 0:
            raise ValueError(f'The channel dimension of the input should be defined. Found '
                             f'{dim} in input shape {list(shape)} ({self.dataFormat}).')
        return dim

    def finish(self, y: torch.Tensor) -> torch.Tensor:
        """From torch's N, C, *spatial (the convolution's own output) back to the user's
        layout, then the activation (ReLU in place, before the layout's view)."""
        if type(self.activation) is Relu:          # elementwise: the layout does not matter
            return cc.from_torch(activate_owned(self.activation, y), self.rank,
                                 self.channels_first)
        y = cc.from_torch(y, self.rank, self.channels_first)
        return cc.apply_activation(self.activation, y)

    def read_bias(self):
        return None if self.bias is None else self.bias.val._t

    def base_config(self) -> dict:
        return {
            'kernelSize': list(self.kernelSize), 'strides': list(self.strides),
            'padding': self.padding, 'dataFormat': self.dataFormat,
            'dilationRate': list(self.dilationRate),
            'activation': serialize_activation(self.activation), 'useBias': self.useBias,
            'biasInitializer': serialize_initializer(self.biasInitializer),
            'biasRegularizer': serialize_regularizer(self.biasRegularizer),
            'activityRegularizer': serialize_regularizer(self.activityRegularizer),
            'biasConstraint': serialize_constraint(self.biasConstraint),
        }


class Conv(BaseConv):
    """An N-D convolution with `filters` output channels (TF.js's `Conv`)."""

    CONFIG_KEYS = ('filters', 'kernelInitializer', 'kernelConstraint', 'kernelRegularizer',
                   'groups')

    def __init__(self, rank: int, args: dict):
        super().__init__(rank, args)
        filters = args.get('filters')
        if not cc.is_int(filters) or filters < 1:
            raise ValueError(f"Convolution layer expected config.filters to be a 'number' > 0 but "
                             f'got {filters!r}. Example: {{"filters": 8, "kernelSize": 3}}.')
        self.filters = int(filters)
        self.groups = 1 if args.get('groups') is None else args['groups']
        if not cc.is_int(self.groups) or self.groups < 1 or self.filters % self.groups:
            raise ValueError(f'groups must be a positive integer dividing filters ({self.filters}),'
                             f' but got {self.groups!r}.')
        self.groups = int(self.groups)
        self.kernelInitializer = get_initializer(args.get('kernelInitializer')
                                                 or self.DEFAULT_KERNEL_INITIALIZER)
        self.kernelConstraint = get_constraint(args.get('kernelConstraint'))
        self.kernelRegularizer = get_regularizer(args.get('kernelRegularizer'))
        self.kernel = None

    def kernel_shape(self, in_channels: int) -> list:
        if in_channels % self.groups:
            raise ValueError(f'The number of input channels ({in_channels}) must be divisible by '
                             f'groups ({self.groups}).')
        return self.kernelSize + [in_channels // self.groups, self.filters]

    def build(self, inputShape) -> None:
        shape = one_shape(inputShape, self)
        in_channels = self.input_channels(shape)
        self.kernel = self.addWeight('kernel', self.kernel_shape(in_channels), None,
                                     self.kernelInitializer, self.kernelRegularizer, True,
                                     self.kernelConstraint)
        if self.useBias:
            self.bias = self.addWeight('bias', [self.filters], None, self.biasInitializer,
                                       self.biasRegularizer, True, self.biasConstraint)
        self.inputSpec = [InputSpec(ndim=self.rank + 2,
                                    axes={self.channel_axis(len(shape)): in_channels})]
        self.built = True

    def computeOutputShape(self, inputShape):
        shape = one_shape(inputShape, self)
        space = [cc.conv_output_length(size, k, self.padding, s, d) for size, k, s, d in
                 zip(self.spatial(shape), self.kernelSize, self.strides, self.dilationRate)]
        return self.with_channels(shape[0], space, self.filters)

    def torch_weight(self, kernel: torch.Tensor) -> torch.Tensor:
        """[*k, in, out] -> torch's [out, in, *k] (rank 1 lifted to [out, in, 1, k])."""
        n = self.rank
        w = kernel.permute(n + 1, n, *range(n))
        return w.unsqueeze(2) if n == 1 else w

    def forward(self, x: torch.Tensor, training: bool) -> torch.Tensor:
        kernel = self.kernel.val._t
        if x.dtype != kernel.dtype:
            x = x.to(kernel.dtype)
        pads = cc.conv_pads(self.spatial(x.shape), self.kernelSize, self.strides,
                            self.dilationRate, self.padding)
        y = cc.conv(cc.to_torch(x, self.rank, self.channels_first), self.torch_weight(kernel),
                    self.read_bias(), cc.lift(self.rank, self.strides),
                    cc.lift(self.rank, pads, (0, 0)), cc.lift(self.rank, self.dilationRate),
                    self.groups)
        return self.finish(y)

    def getConfig(self) -> dict:
        config = {
            'filters': self.filters,
            'kernelInitializer': serialize_initializer(self.kernelInitializer),
            'kernelRegularizer': serialize_regularizer(self.kernelRegularizer),
            'kernelConstraint': serialize_constraint(self.kernelConstraint),
        }
        config.update(self.base_config())
        if self.groups != 1:
            config['groups'] = self.groups
        config.update(super().getConfig())
        return config


class Conv1D(Conv):
    """1D convolution over [batch, steps, channels] (kernel `[kernelSize, in, filters]`);
    `padding: 'causal'` pads `dilationRate * (kernelSize - 1)` zeros on the left (Keras).

    >>> import tfjs as tf
    >>> tf.layers.conv1d({'filters': 2, 'kernelSize': 3, 'padding': 'causal'}).apply(tf.ones([1, 5, 1])).shape
    [1, 5, 2]
    """

    className = 'Conv1D'
    CONFIG_KEYS = ()
    PADDINGS = ('valid', 'same', 'causal')

    def __init__(self, args: dict | None = None, /, **kwargs):
        super().__init__(1, self.normalize_args(args, kwargs))

    def getConfig(self) -> dict:
        config = super().getConfig()
        if not self.channels_first:     # TF.js drops dataFormat; kept when it matters
            del config['dataFormat']
        return config


class Conv2D(Conv):
    """2D convolution over [batch, rows, cols, channels] (or channelsFirst); kernel
    `[kh, kw, in, filters]`.

    >>> import tfjs as tf
    >>> tf.layers.conv2d({'filters': 4, 'kernelSize': 3, 'strides': 2, 'padding': 'same'}).apply(tf.ones([1, 5, 5, 2])).shape
    [1, 3, 3, 4]
    """

    className = 'Conv2D'
    CONFIG_KEYS = ()

    def __init__(self, args: dict | None = None, /, **kwargs):
        super().__init__(2, self.normalize_args(args, kwargs))


class Conv3D(Conv):
    """3D convolution over [batch, depth, rows, cols, channels]; kernel
    `[kd, kh, kw, in, filters]`.

    >>> import tfjs as tf
    >>> tf.layers.conv3d({'filters': 2, 'kernelSize': 2}).apply(tf.ones([1, 3, 3, 3, 1])).shape
    [1, 2, 2, 2, 2]
    """

    className = 'Conv3D'
    CONFIG_KEYS = ()

    def __init__(self, args: dict | None = None, /, **kwargs):
        super().__init__(3, self.normalize_args(args, kwargs))


class ConvTranspose(Conv):
    """A transposed convolution (the input gradient of a convolution); kernel
    `[*kernelSize, filters, inChannels]`. Output sizes follow TF.js's deconvLength, extended
    as in Keras with dilation and `outputPadding`."""

    CONFIG_KEYS = ('outputPadding',)

    def __init__(self, rank: int, args: dict):
        if args.get('groups') not in (None, 1):
            raise ValueError(f'{self.className} does not support groups; remove "groups".')
        super().__init__(rank, args)
        op = args.get('outputPadding')
        self.outputPadding = None if op is None else cc.normalize_array(op, rank, 'outputPadding')
        if self.outputPadding is not None:
            for p, s, d in zip(self.outputPadding, self.strides, self.dilationRate):
                if p < 0 or p >= max(s, d):
                    raise ValueError(f'Each value of outputPadding must be >= 0 and less than the '
                                     f'stride, but got outputPadding {self.outputPadding} with '
                                     f'strides {self.strides}.')

    def kernel_shape(self, in_channels: int) -> list:
        return self.kernelSize + [self.filters, in_channels]

    def out_sizes(self, sizes) -> list:
        ops = self.outputPadding or [None] * self.rank
        return [cc.deconv_length(size, s, k, self.padding, d, p) for size, s, k, d, p in
                zip(sizes, self.strides, self.kernelSize, self.dilationRate, ops)]

    def computeOutputShape(self, inputShape):
        shape = one_shape(inputShape, self)
        return self.with_channels(shape[0], self.out_sizes(self.spatial(shape)), self.filters)

    def torch_weight(self, kernel: torch.Tensor) -> torch.Tensor:
        """[*k, out, in] -> torch's transposed-convolution layout [in, out, *k]."""
        n = self.rank
        w = kernel.permute(n + 1, n, *range(n))
        return w.unsqueeze(2) if n == 1 else w

    def forward(self, x: torch.Tensor, training: bool) -> torch.Tensor:
        kernel = self.kernel.val._t
        if x.dtype != kernel.dtype:
            x = x.to(kernel.dtype)
        sizes = self.spatial(x.shape)
        outs = self.out_sizes(sizes)
        pads = cc.transpose_pads(sizes, outs, self.kernelSize, self.strides, self.dilationRate,
                                 self.padding)
        y = cc.conv_transpose(cc.to_torch(x, self.rank, self.channels_first),
                              self.torch_weight(kernel), self.read_bias(),
                              cc.lift(self.rank, outs), cc.lift(self.rank, self.strides),
                              cc.lift(self.rank, pads, 0), cc.lift(self.rank, self.dilationRate))
        return self.finish(y)

    def getConfig(self) -> dict:
        config = super().getConfig()
        if all(d == 1 for d in self.dilationRate):    # TF.js drops dilationRate (it ignores it)
            del config['dilationRate']
        if self.outputPadding is not None:
            config['outputPadding'] = list(self.outputPadding)
        return config


class Conv2DTranspose(ConvTranspose):
    """Transposed 2D convolution ("deconvolution"): kernel `[kh, kw, filters, in]`; 'same'
    gives `size * strides`, 'valid' `size * strides + max(kernel - strides, 0)`.

    >>> import tfjs as tf
    >>> tf.layers.conv2dTranspose({'filters': 2, 'kernelSize': 3, 'strides': 2}).apply(tf.ones([1, 4, 4, 1])).shape
    [1, 9, 9, 2]
    """

    className = 'Conv2DTranspose'
    CONFIG_KEYS = ()

    def __init__(self, args: dict | None = None, /, **kwargs):
        super().__init__(2, self.normalize_args(args, kwargs))


class Conv3DTranspose(ConvTranspose):
    """Transposed 3D convolution: kernel `[kd, kh, kw, filters, in]`.

    >>> import tfjs as tf
    >>> tf.layers.conv3dTranspose({'filters': 2, 'kernelSize': 2, 'strides': 2, 'padding': 'same'}).apply(tf.ones([1, 2, 2, 2, 1])).shape
    [1, 4, 4, 4, 2]
    """

    className = 'Conv3DTranspose'
    CONFIG_KEYS = ()

    def __init__(self, args: dict | None = None, /, **kwargs):
        super().__init__(3, self.normalize_args(args, kwargs))


class Conv1DTranspose(ConvTranspose):
    """Transposed 1D convolution (Keras's Conv1DTranspose; not in TF.js): kernel
    `[k, filters, in]`.

    >>> import tfjs as tf
    >>> tf.layers.conv1dTranspose({'filters': 2, 'kernelSize': 3, 'strides': 2}).apply(tf.ones([1, 4, 1])).shape
    [1, 9, 2]
    """

    className = 'Conv1DTranspose'
    CONFIG_KEYS = ()

    def __init__(self, args: dict | None = None, /, **kwargs):
        super().__init__(1, self.normalize_args(args, kwargs))

    def getConfig(self) -> dict:
        config = super().getConfig()
        config.setdefault('dilationRate', list(self.dilationRate))
        config.setdefault('outputPadding', None)
        return config


FACTORIES = {
    'conv1d': (Conv1D, "{'filters': 2, 'kernelSize': 3}"),
    'conv2d': (Conv2D, "{'filters': 2, 'kernelSize': 3}"),
    'conv3d': (Conv3D, "{'filters': 2, 'kernelSize': 3}"),
    'conv2dTranspose': (Conv2DTranspose, "{'filters': 2, 'kernelSize': 3}"),
    'conv3dTranspose': (Conv3DTranspose, "{'filters': 2, 'kernelSize': 3}"),
    'conv1dTranspose': (Conv1DTranspose, "{'filters': 2, 'kernelSize': 3}"),
}

# Keras's other names for these classes (keras.layers.Convolution2D, ...), for deserialization
for _cls in (Conv1D, Conv2D, Conv3D, Conv1DTranspose, Conv2DTranspose, Conv3DTranspose):
    register_builtin(_cls, _cls.className.replace('Conv', 'Convolution', 1))
