"""Pooling layers (TF.js's `layers/pooling.ts`): MaxPooling1D/2D/3D, AveragePooling1D/2D/3D,
GlobalAveragePooling1D/2D, GlobalMaxPooling1D/2D, and Keras's GlobalAveragePooling3D and
GlobalMaxPooling3D.

As in TF.js: strides default to poolSize; 'same' pads the extra element at the end; max
pooling ignores the padding and average pooling divides by the number of real (unpadded)
elements of each window. Going past TF.js as Keras does: `dataFormat` for the 1D layers,
`keepdims` for the global ones, and GlobalAveragePooling1D averages only the unmasked steps
when a mask arrives (TF.js rejects the mask). Two deliberate differences: the gradient of
'same' average pooling is that of the forward pass (TF.js divides border windows by the full
window size in the backward pass only), and 3D 'same' windows with poolSize < strides start
at 0 as in TensorFlow (TF.js shifts them by a negative padding). A NaN in a max-pooling
window gives NaN (torch's kernels; TF.js's CPU kernel skips NaN values).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from ..engine.topology import InputSpec
from ..errors import ValueError
from ..serialization.registry import register_builtin
from ..tensor import Tensor
from . import _conv_common as cc
from .core import TorchLayer, one_input, one_shape

_MAX = {2: F.max_pool2d, 3: F.max_pool3d}
_AVG = {2: F.avg_pool2d, 3: F.avg_pool3d}


def _float(x: torch.Tensor) -> torch.Tensor:
    return x if x.is_floating_point() else x.to(torch.float32)


def _ceil_mode_fits(sizes, kernel, strides, pads) -> bool:
    """Whether torch's ceil_mode windows (padding `before` on both sides, the last window
    allowed past the end, elements off the input ignored) are exactly the windows of
    (before, after) padding: the same starts and the same number of windows."""
    for size, k, s, (b, a) in zip(sizes, kernel, strides, pads):
        if 2 * b > k or a < b:
            return False
        out = -(-(size + 2 * b - k) // s) + 1
        if (out - 1) * s >= size + b:
            out -= 1
        if out != (size + b + a - k) // s + 1:
            return False
    return True


def max_pool(x: torch.Tensor, kernel, strides, pads) -> torch.Tensor:
    """Max pooling of x (N, C, *spatial) with (before, after) pads that never win."""
    n = x.ndim - 2
    befores = tuple(b for b, _ in pads)
    if all(b == a and 2 * b <= k for (b, a), k in zip(pads, kernel)):
        return _MAX[n](x, tuple(kernel), tuple(strides), befores)
    if _ceil_mode_fits(x.shape[2:], kernel, strides, pads):     # TF's uneven 'same': no copy
        return _MAX[n](x, tuple(kernel), tuple(strides), befores, ceil_mode=True)
    x, _ = cc.pad_input(x, pads, float('-inf'))
    return _MAX[n](x, tuple(kernel), tuple(strides))


def avg_pool(x: torch.Tensor, kernel, strides, pads) -> torch.Tensor:
    """Average pooling of x (N, C, *spatial), each window divided by its count of real
    (unpadded) elements."""
    n = x.ndim - 2
    befores = tuple(b for b, _ in pads)
    if all(b == a and 2 * b <= k for (b, a), k in zip(pads, kernel)):
        return _AVG[n](x, tuple(kernel), tuple(strides), befores, count_include_pad=False)
    if _ceil_mode_fits(x.shape[2:], kernel, strides, pads):     # TF's uneven 'same': no copy
        return _AVG[n](x, tuple(kernel), tuple(strides), befores, ceil_mode=True,
                       count_include_pad=False)
    total = _AVG[n](cc.pad_input(x, pads)[0], tuple(kernel), tuple(strides), divisor_override=1)
    ones = torch.ones((1, 1) + tuple(x.shape[2:]), dtype=x.dtype, device=x.device)
    count = _AVG[n](cc.pad_input(ones, pads)[0], tuple(kernel), tuple(strides),
                    divisor_override=1)
    return total / count


class Pooling(TorchLayer):
    """Max or average pooling over `rank` spatial dims."""

    CONFIG_KEYS = ('poolSize', 'strides', 'padding', 'dataFormat')
    MODE = 'max'

    def __init__(self, rank: int, args: dict):
        super().__init__(args)
        self.rank = rank
        pool = args.get('poolSize')
        self.poolSize = self.tuple_arg(2 if pool is None else pool, 'poolSize')
        strides = args.get('strides')
        self.strides = list(self.poolSize) if strides is None else \
            self.tuple_arg(strides, 'strides')
        self.padding = cc.check_padding_mode(args.get('padding'), ('valid', 'same'))
        self.dataFormat = cc.check_data_format(args.get('dataFormat'))
        self.inputSpec = [InputSpec(ndim=rank + 2)]

    def tuple_arg(self, value, name: str) -> list:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = [value] * self.rank
        if not isinstance(value, (list, tuple)) or len(value) != self.rank:
            if self.rank == 1:
                raise ValueError(f'{name} for 1D convolutional layer must be a number or an Array '
                                 f'of a single number, but received {value!r}')
            raise ValueError(f'If the {name} property of a {self.rank}D pooling layer is an '
                             f'Array, it is expected to have a length of {self.rank}, but '
                             f'received {value!r}.')
        cc.assert_positive(value, name)
        return [int(v) for v in value]

    @property
    def channels_first(self) -> bool:
        return self.dataFormat == 'channelsFirst'

    def computeOutputShape(self, inputShape):
        shape = one_shape(inputShape, self)
        first = self.channels_first
        space = shape[2:] if first else shape[1:-1]
        out = [cc.conv_output_length(size, k, self.padding, s) for size, k, s in
               zip(space, self.poolSize, self.strides)]
        return [shape[0], shape[1]] + out if first else [shape[0]] + out + [shape[-1]]

    def forward(self, x: torch.Tensor, training: bool) -> torch.Tensor:
        dtype = x.dtype
        first = self.channels_first
        space = x.shape[2:] if first else x.shape[1:-1]
        pads = cc.conv_pads(space, self.poolSize, self.strides, [1] * self.rank, self.padding)
        xt = cc.to_torch(x if self.MODE == 'max' and dtype.is_floating_point else _float(x),
                         self.rank, first)
        args = (cc.lift(self.rank, self.poolSize), cc.lift(self.rank, self.strides),
                cc.lift(self.rank, pads, (0, 0)))
        y = max_pool(xt, *args) if self.MODE == 'max' else avg_pool(xt, *args)
        return cc.from_torch(y, self.rank, first)

    def call(self, inputs, kwargs: dict):
        x = one_input(inputs, self)
        t = x._value()
        if self.MODE == 'max' and not t.is_floating_point():      # int32 in, int32 out
            out = self.forward(t.to(torch.float64), False).to(t.dtype)
            return Tensor._make(out, x.dtype)
        return Tensor._make(self.forward(t, False), 'float32')

    def getConfig(self) -> dict:
        config = {'poolSize': list(self.poolSize), 'padding': self.padding,
                  'strides': list(self.strides), 'dataFormat': self.dataFormat}
        config.update(super().getConfig())
        return config


class Pooling1D(Pooling):
    """1D pooling over [batch, steps, channels]; `dataFormat` (Keras) is saved only when it is
    channelsFirst, as TF.js's 1D layers have none."""

    def __init__(self, args: dict):
        super().__init__(1, args)

    def getConfig(self) -> dict:
        config = super().getConfig()
        if not self.channels_first:
            del config['dataFormat']
        return config


class MaxPooling1D(Pooling1D):
    """Max over windows of `poolSize` steps.

    >>> import tfjs as tf
    >>> tf.layers.maxPooling1d({'poolSize': 2}).apply(tf.tensor3d([[[1], [3], [2], [0]]])).arraySync()
    [[[3.0], [2.0]]]
    """

    className = 'MaxPooling1D'
    CONFIG_KEYS = ()

    def __init__(self, args: dict | None = None, /, **kwargs):
        super().__init__(self.normalize_args(args, kwargs))


class AveragePooling1D(Pooling1D):
    """Average over windows of `poolSize` steps.

    >>> import tfjs as tf
    >>> tf.layers.averagePooling1d({'poolSize': 2}).apply(tf.tensor3d([[[1], [3], [2], [0]]])).arraySync()
    [[[2.0], [1.0]]]
    """

    className = 'AveragePooling1D'
    CONFIG_KEYS = ()
    MODE = 'avg'

    def __init__(self, args: dict | None = None, /, **kwargs):
        super().__init__(self.normalize_args(args, kwargs))


class MaxPooling2D(Pooling):
    """Max over `poolSize` windows of [batch, rows, cols, channels] (or channelsFirst).

    >>> import tfjs as tf
    >>> tf.layers.maxPooling2d({'poolSize': 2}).apply(tf.ones([1, 4, 4, 3])).shape
    [1, 2, 2, 3]
    """

    className = 'MaxPooling2D'
    CONFIG_KEYS = ()

    def __init__(self, args: dict | None = None, /, **kwargs):
        super().__init__(2, self.normalize_args(args, kwargs))


class AveragePooling2D(Pooling):
    """Average over `poolSize` windows of [batch, rows, cols, channels] (or channelsFirst).

    >>> import tfjs as tf
    >>> tf.layers.averagePooling2d({'poolSize': 2, 'padding': 'same'}).apply(tf.ones([1, 3, 3, 1])).shape
    [1, 2, 2, 1]
    """

    className = 'AveragePooling2D'
    CONFIG_KEYS = ()
    MODE = 'avg'

    def __init__(self, args: dict | None = None, /, **kwargs):
        super().__init__(2, self.normalize_args(args, kwargs))


class MaxPooling3D(Pooling):
    """Max over `poolSize` windows of [batch, depth, rows, cols, channels].

    >>> import tfjs as tf
    >>> tf.layers.maxPooling3d({'poolSize': 2}).apply(tf.ones([1, 4, 4, 4, 1])).shape
    [1, 2, 2, 2, 1]
    """

    className = 'MaxPooling3D'
    CONFIG_KEYS = ()

    def __init__(self, args: dict | None = None, /, **kwargs):
        super().__init__(3, self.normalize_args(args, kwargs))


class AveragePooling3D(Pooling):
    """Average over `poolSize` windows of [batch, depth, rows, cols, channels].

    >>> import tfjs as tf
    >>> tf.layers.averagePooling3d({'poolSize': 2}).apply(tf.ones([1, 4, 4, 4, 1])).shape
    [1, 2, 2, 2, 1]
    """

    className = 'AveragePooling3D'
    CONFIG_KEYS = ()
    MODE = 'avg'

    def __init__(self, args: dict | None = None, /, **kwargs):
        super().__init__(3, self.normalize_args(args, kwargs))


class GlobalPooling(TorchLayer):
    """Mean or max over every spatial dim; `keepdims` (Keras) keeps them with size 1."""

    CONFIG_KEYS = ('dataFormat', 'keepdims')
    MODE = 'max'

    def __init__(self, rank: int, args: dict):
        super().__init__(args)
        self.rank = rank
        self.dataFormat = cc.check_data_format(args.get('dataFormat'))
        self.keepdims = bool(args.get('keepdims') or False)
        self.inputSpec = [InputSpec(ndim=rank + 2)]

    @property
    def channels_first(self) -> bool:
        return self.dataFormat == 'channelsFirst'

    def axes(self, ndim: int) -> list:
        return list(range(2, ndim)) if self.channels_first else list(range(1, ndim - 1))

    def computeOutputShape(self, inputShape):
        shape = one_shape(inputShape, self)
        channels = shape[1] if self.channels_first else shape[-1]
        if not self.keepdims:
            return [shape[0], channels]
        ones = [1] * (len(shape) - 2)
        return [shape[0], channels] + ones if self.channels_first else [shape[0]] + ones + [channels]

    def forward(self, x: torch.Tensor, training: bool, mask=None) -> torch.Tensor:
        axes = self.axes(x.ndim)
        if self.MODE == 'max':
            return torch.amax(x, dim=axes, keepdim=self.keepdims)
        x = _float(x)
        if mask is None:
            return torch.mean(x, dim=axes, keepdim=self.keepdims)
        m = mask.to(x.dtype).unsqueeze(1 if self.channels_first else 2)
        return torch.sum(x * m, dim=axes, keepdim=self.keepdims) / \
            torch.sum(m, dim=axes, keepdim=self.keepdims)

    def call(self, inputs, kwargs: dict):
        x = one_input(inputs, self)
        mask = kwargs.get('mask')
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if mask is not None and not self.supportsMasking:
            mask = None
        out = self.forward(x._value(), False, None if mask is None else mask._value())
        return Tensor._make(out, 'float32' if out.is_floating_point() else x.dtype)

    def computeMask(self, inputs, mask=None):
        return None

    def getConfig(self) -> dict:
        config = {'dataFormat': self.dataFormat}
        if self.keepdims:
            config['keepdims'] = True
        config.update(super().getConfig())
        return config


class GlobalPooling1D(GlobalPooling):
    """Global pooling over the steps of [batch, steps, channels]; TF.js's config has no keys,
    so `dataFormat` and `keepdims` are saved only when not the defaults."""

    def __init__(self, args: dict):
        super().__init__(1, args)

    def getConfig(self) -> dict:
        config = super().getConfig()
        if not self.channels_first:
            del config['dataFormat']
        return config


class GlobalAveragePooling1D(GlobalPooling1D):
    """Mean over the steps: [batch, steps, channels] -> [batch, channels]; with a mask (Keras)
    only the unmasked steps are averaged.

    >>> import tfjs as tf
    >>> tf.layers.globalAveragePooling1d().apply(tf.tensor3d([[[1], [3]]])).arraySync()
    [[2.0]]
    """

    className = 'GlobalAveragePooling1D'
    CONFIG_KEYS = ()
    MODE = 'avg'

    def __init__(self, args: dict | None = None, /, **kwargs):
        super().__init__(self.normalize_args(args, kwargs))
        self.supportsMasking = True


class GlobalMaxPooling1D(GlobalPooling1D):
    """Max over the steps: [batch, steps, channels] -> [batch, channels].

    >>> import tfjs as tf
    >>> tf.layers.globalMaxPooling1d().apply(tf.tensor3d([[[1], [3]]])).arraySync()
    [[3.0]]
    """

    className = 'GlobalMaxPooling1D'
    CONFIG_KEYS = ()

    def __init__(self, args: dict | None = None, /, **kwargs):
        super().__init__(self.normalize_args(args, kwargs))


class GlobalAveragePooling2D(GlobalPooling):
    """Mean over rows and cols: [batch, rows, cols, channels] -> [batch, channels].

    >>> import tfjs as tf
    >>> tf.layers.globalAveragePooling2d({}).apply(tf.ones([2, 3, 3, 4])).shape
    [2, 4]
    """

    className = 'GlobalAveragePooling2D'
    CONFIG_KEYS = ()
    MODE = 'avg'

    def __init__(self, args: dict | None = None, /, **kwargs):
        super().__init__(2, self.normalize_args(args, kwargs))


class GlobalMaxPooling2D(GlobalPooling):
    """Max over rows and cols: [batch, rows, cols, channels] -> [batch, channels].

    >>> import tfjs as tf
    >>> tf.layers.globalMaxPooling2d({}).apply(tf.ones([2, 3, 3, 4])).shape
    [2, 4]
    """

    className = 'GlobalMaxPooling2D'
    CONFIG_KEYS = ()

    def __init__(self, args: dict | None = None, /, **kwargs):
        super().__init__(2, self.normalize_args(args, kwargs))


class GlobalPooling3D(GlobalPooling):
    """Global pooling over depth, rows and cols (Keras; not in TF.js): Keras's full config."""

    def __init__(self, args: dict):
        super().__init__(3, args)

    def getConfig(self) -> dict:
        config = super().getConfig()
        config['keepdims'] = self.keepdims
        return config


class GlobalAveragePooling3D(GlobalPooling3D):
    """Mean over depth, rows and cols (Keras's GlobalAveragePooling3D).

    >>> import tfjs as tf
    >>> tf.layers.globalAveragePooling3d().apply(tf.ones([2, 2, 3, 3, 4])).shape
    [2, 4]
    """

    className = 'GlobalAveragePooling3D'
    CONFIG_KEYS = ()
    MODE = 'avg'

    def __init__(self, args: dict | None = None, /, **kwargs):
        super().__init__(self.normalize_args(args, kwargs))


class GlobalMaxPooling3D(GlobalPooling3D):
    """Max over depth, rows and cols (Keras's GlobalMaxPooling3D).

    >>> import tfjs as tf
    >>> tf.layers.globalMaxPooling3d({'keepdims': True}).apply(tf.ones([2, 2, 3, 3, 4])).shape
    [2, 1, 1, 1, 4]
    """

    className = 'GlobalMaxPooling3D'
    CONFIG_KEYS = ()

    def __init__(self, args: dict | None = None, /, **kwargs):
        super().__init__(self.normalize_args(args, kwargs))


FACTORIES = {
    'maxPooling1d': (MaxPooling1D, "{'poolSize': 2}"),
    'maxPool1d': (MaxPooling1D, "{'poolSize': 2}"),
    'averagePooling1d': (AveragePooling1D, "{'poolSize': 2}"),
    'avgPool1d': (AveragePooling1D, "{'poolSize': 2}"),
    'avgPooling1d': (AveragePooling1D, "{'poolSize': 2}"),
    'maxPooling2d': (MaxPooling2D, "{'poolSize': 2}"),
    'maxPool2d': (MaxPooling2D, "{'poolSize': 2}"),
    'averagePooling2d': (AveragePooling2D, "{'poolSize': 2}"),
    'avgPool2d': (AveragePooling2D, "{'poolSize': 2}"),
    'avgPooling2d': (AveragePooling2D, "{'poolSize': 2}"),
    'maxPooling3d': (MaxPooling3D, "{'poolSize': 2}"),
    'averagePooling3d': (AveragePooling3D, "{'poolSize': 2}"),
    'avgPool3d': (AveragePooling3D, "{'poolSize': 2}"),
    'avgPooling3d': (AveragePooling3D, "{'poolSize': 2}"),
    'globalAveragePooling1d': (GlobalAveragePooling1D, ''),
    'globalMaxPooling1d': (GlobalMaxPooling1D, ''),
    'globalMaxPool1d': (GlobalMaxPooling1D, ''),
    'globalAveragePooling2d': (GlobalAveragePooling2D, '{}'),
    'globalMaxPooling2d': (GlobalMaxPooling2D, '{}'),
    'globalMaxPool2d': (GlobalMaxPooling2D, '{}'),
    'globalAveragePooling3d': (GlobalAveragePooling3D, ''),
    'globalMaxPooling3d': (GlobalMaxPooling3D, ''),
}

# Keras's other names (keras.layers.MaxPool2D, AvgPool1D, GlobalAvgPool2D, ...), for
# deserialization
for _cls in (MaxPooling1D, MaxPooling2D, MaxPooling3D, AveragePooling1D, AveragePooling2D,
             AveragePooling3D, GlobalAveragePooling1D, GlobalAveragePooling2D,
             GlobalAveragePooling3D, GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D):
    register_builtin(_cls, _cls.className.replace('Pooling', 'Pool').replace('Average', 'Avg'))
