"""Zero padding, cropping and upsampling of the spatial dims: ZeroPadding2D, Cropping2D,
UpSampling2D (TF.js's `layers/padding.ts` and `convolutional.ts`) and Keras's ZeroPadding1D/3D,
Cropping1D/3D, UpSampling1D/3D.

UpSampling2D's 'bilinear' samples as TF.js does (`tf.image.resizeBilinear` without half-pixel
centers: output row r reads input row r / size); Keras 3 uses half-pixel centers, so a Keras
model with bilinear upsampling gives (as in TF.js) slightly different numbers here.
Cropping checks that something is left (Keras's check; TF.js fails later in a slice).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from ..engine.topology import InputSpec
from ..errors import NotImplementedError, ValueError
from . import _conv_common as cc
from .core import TorchLayer, one_shape


def _pair(value, what: str) -> list:
    """An int (symmetric) or a pair of ints as [before, after]."""
    if cc.is_int(value):
        return [int(value), int(value)]
    if isinstance(value, (list, tuple)) and len(value) == 2 and all(cc.is_int(v) for v in value):
        return [int(v) for v in value]
    raise ValueError(f'{what} must be an integer or a list of 2 integers, but got {value!r}.')


def _pairs(value, rank: int, what: str, default: int) -> list:
    """Per spatial dim [before, after]: from an int, `rank` ints or `rank` pairs."""
    if value is None:
        value = default
    if cc.is_int(value):
        out = [[int(value)] * 2 for _ in range(rank)]
    elif not isinstance(value, (list, tuple)) or len(value) != rank:
        raise ValueError(f'{what} must be an integer, a list of {rank} integers or a list of '
                         f'{rank} [before, after] pairs, but got {value!r}.')
    else:
        out = [_pair(v, f'{what}[{i}]') for i, v in enumerate(value)]
    if any(v < 0 for pair in out for v in pair):
        raise ValueError(f'{what} cannot be negative, but got {value!r}.')
    return out


class SpatialLayer(TorchLayer):
    """A layer over `rank` spatial dims of channelsLast or channelsFirst tensors."""

    def __init__(self, rank: int, args: dict):
        super().__init__(args)
        self.rank = rank
        self.dataFormat = cc.check_data_format(args.get('dataFormat'))
        self.inputSpec = [InputSpec(ndim=rank + 2)]

    def spatial_axes(self, ndim: int) -> list:
        return list(range(2, ndim)) if self.dataFormat == 'channelsFirst' else \
            list(range(1, ndim - 1))

    def computeOutputShape(self, inputShape):
        shape = one_shape(inputShape, self)
        out = list(shape)
        for i, axis in enumerate(self.spatial_axes(len(shape))):
            out[axis] = None if shape[axis] is None or shape[axis] < 0 else \
                self.new_size(i, shape[axis], shape)
        return out

    def new_size(self, i: int, size: int, shape) -> int:
        raise NotImplementedError(f'{type(self).__name__}.new_size')


# ------------------------------------------------------------------------------ zero padding

class ZeroPadding(SpatialLayer):
    """Pad the spatial dims with zeros: `padding[i] = [before, after]`."""

    CONFIG_KEYS = ('padding', 'dataFormat')

    def __init__(self, rank: int, args: dict):
        super().__init__(rank, args)
        self.padding = _pairs(args.get('padding'), rank, 'padding', 1)

    def new_size(self, i, size, shape):
        return size + sum(self.padding[i])

    def forward(self, x: torch.Tensor, training: bool) -> torch.Tensor:
        flat = [0, 0] * (x.ndim - 1 - self.spatial_axes(x.ndim)[-1])
        for before, after in reversed(self.padding):
            flat += [before, after]
        return F.pad(x, flat)

    def getConfig(self) -> dict:
        config = {'padding': [list(p) for p in self.padding], 'dataFormat': self.dataFormat}
        config.update(super().getConfig())
        return config


class ZeroPadding1D(ZeroPadding):
    """Pad the steps of [batch, steps, channels] with zeros (Keras's ZeroPadding1D).

    >>> import tfjs as tf
    >>> tf.layers.zeroPadding1d({'padding': [1, 2]}).apply(tf.ones([1, 3, 2])).shape
    [1, 6, 2]
    """

    className = 'ZeroPadding1D'
    CONFIG_KEYS = ()

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        if args.get('padding') is not None and not cc.is_int(args['padding']):
            args['padding'] = [args['padding']]
        super().__init__(1, args)

    def getConfig(self) -> dict:
        config = super().getConfig()
        config['padding'] = list(self.padding[0])
        return config


class ZeroPadding2D(ZeroPadding):
    """Pad rows and cols with zeros: `padding` int, [rows, cols] or [[top, bottom], [left,
    right]] (default 1).

    >>> import tfjs as tf
    >>> tf.layers.zeroPadding2d({'padding': [[1, 0], [2, 1]]}).apply(tf.ones([1, 2, 2, 3])).shape
    [1, 3, 5, 3]
    """

    className = 'ZeroPadding2D'
    CONFIG_KEYS = ()

    def __init__(self, args: dict | None = None, /, **kwargs):
        super().__init__(2, self.normalize_args(args, kwargs))


class ZeroPadding3D(ZeroPadding):
    """Pad depth, rows and cols with zeros (Keras's ZeroPadding3D).

    >>> import tfjs as tf
    >>> tf.layers.zeroPadding3d({'padding': 1}).apply(tf.ones([1, 2, 2, 2, 1])).shape
    [1, 4, 4, 4, 1]
    """

    className = 'ZeroPadding3D'
    CONFIG_KEYS = ()

    def __init__(self, args: dict | None = None, /, **kwargs):
        super().__init__(3, self.normalize_args(args, kwargs))


# ------------------------------------------------------------------------------ cropping

class Cropping(SpatialLayer):
    """Crop the spatial dims: `cropping[i] = [before, after]` elements removed."""

    CONFIG_KEYS = ('cropping', 'dataFormat')
    DEFAULT = 0

    def __init__(self, rank: int, args: dict):
        super().__init__(rank, args)
        if args.get('cropping') is None and self.DEFAULT is None:
            raise ValueError(f'{self.className} needs a "cropping", e.g. {{"cropping": 1}} or '
                             '[[top, bottom], [left, right]].')
        self.cropping = _pairs(args.get('cropping'), rank, 'cropping', self.DEFAULT)

    def new_size(self, i, size, shape):
        left = size - sum(self.cropping[i])
        if left <= 0:
            raise ValueError(f'Values in the cropping argument ({self.cropping}) should be smaller '
                             f'than the corresponding spatial dimension of the input (input '
                             f'shape {list(shape)}).')
        return left

    def forward(self, x: torch.Tensor, training: bool) -> torch.Tensor:
        for i, axis in enumerate(self.spatial_axes(x.ndim)):
            before, after = self.cropping[i]
            size = self.new_size(i, x.shape[axis], list(x.shape))
            x = x.narrow(axis, before, size)
        return x.clone()                # not a view of the input: tensors stay independent

    def getConfig(self) -> dict:
        config = {'cropping': [list(c) for c in self.cropping], 'dataFormat': self.dataFormat}
        config.update(super().getConfig())
        return config


class Cropping1D(Cropping):
    """Crop steps from [batch, steps, channels] (Keras's Cropping1D; default [1, 1]).

    >>> import tfjs as tf
    >>> tf.layers.cropping1D({'cropping': [1, 2]}).apply(tf.ones([1, 5, 2])).shape
    [1, 2, 2]
    """

    className = 'Cropping1D'
    CONFIG_KEYS = ('cropping',)
    DEFAULT = 1

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        if args.get('cropping') is not None and not cc.is_int(args['cropping']):
            args['cropping'] = [args['cropping']]
        super().__init__(1, args)

    def getConfig(self) -> dict:
        config = super().getConfig()
        config['cropping'] = list(self.cropping[0])
        del config['dataFormat']
        return config


class Cropping2D(Cropping):
    """Crop rows and cols: `cropping` int, [rows, cols] or [[top, bottom], [left, right]].

    >>> import tfjs as tf
    >>> tf.layers.cropping2D({'cropping': [[1, 0], [0, 2]]}).apply(tf.ones([1, 4, 4, 3])).shape
    [1, 3, 2, 3]
    """

    className = 'Cropping2D'
    CONFIG_KEYS = ()
    DEFAULT = None

    def __init__(self, args: dict | None = None, /, **kwargs):
        super().__init__(2, self.normalize_args(args, kwargs))


class Cropping3D(Cropping):
    """Crop depth, rows and cols (Keras's Cropping3D; default 1 on each side).

    >>> import tfjs as tf
    >>> tf.layers.cropping3D({'cropping': 1}).apply(tf.ones([1, 4, 4, 4, 1])).shape
    [1, 2, 2, 2, 1]
    """

    className = 'Cropping3D'
    CONFIG_KEYS = ()
    DEFAULT = 1

    def __init__(self, args: dict | None = None, /, **kwargs):
        super().__init__(3, self.normalize_args(args, kwargs))


# ------------------------------------------------------------------------------ upsampling

def repeat_nearest(x: torch.Tensor, axes, factors) -> torch.Tensor:
    """Repeat each element `factors[i]` times along `axes[i]` (one copy)."""
    view, expand, out = [], [], []
    for d, size in enumerate(x.shape):
        view.append(size)
        expand.append(size)
        if d in axes:
            f = factors[axes.index(d)]
            view.append(1)
            expand.append(f)
            out.append(size * f)
        else:
            out.append(size)
    return x.reshape(view).expand(expand).reshape(out)


def linear_axis(x: torch.Tensor, axis: int, factor: int) -> torch.Tensor:
    """TF.js's bilinear sampling along one axis for an integer factor: output i * factor + j
    is x[i] + (x[i + 1] - x[i]) * j / factor (no half-pixel centers; x[i + 1] clamped at the
    end), computed in one broadcast over the output."""
    size = x.shape[axis]
    step = torch.diff(x, dim=axis, append=x.narrow(axis, size - 1, 1))    # x[i + 1] - x[i]
    shape = [1] * (x.ndim + 1)
    shape[axis + 1] = factor
    frac = (torch.arange(factor, device=x.device, dtype=x.dtype) / factor).reshape(shape)
    out = torch.addcmul(x.unsqueeze(axis + 1), step.unsqueeze(axis + 1), frac)
    return out.reshape(*x.shape[:axis], size * factor, *x.shape[axis + 1:])


class UpSampling(SpatialLayer):
    """Repeat (or, in 2D, bilinearly interpolate) the spatial dims `size` times."""

    CONFIG_KEYS = ('size', 'dataFormat')

    def __init__(self, rank: int, args: dict):
        super().__init__(rank, args)
        size = args.get('size')
        self.size = cc.normalize_array(2 if size is None else size, rank, 'size')
        cc.assert_positive(self.size, 'size')

    def new_size(self, i, size, shape):
        return size * self.size[i]

    def forward(self, x: torch.Tensor, training: bool) -> torch.Tensor:
        return repeat_nearest(x, self.spatial_axes(x.ndim), self.size)

    def getConfig(self) -> dict:
        config = {'size': list(self.size), 'dataFormat': self.dataFormat}
        config.update(super().getConfig())
        return config


class UpSampling1D(UpSampling):
    """Repeat each step `size` times (Keras's UpSampling1D; default 2).

    >>> import tfjs as tf
    >>> tf.layers.upSampling1d({'size': 2}).apply(tf.tensor3d([[[1], [2]]])).arraySync()
    [[[1.0], [1.0], [2.0], [2.0]]]
    """

    className = 'UpSampling1D'
    CONFIG_KEYS = ('size',)

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        if isinstance(args.get('size'), (list, tuple)) and len(args['size']) == 1:
            args['size'] = args['size'][0]
        super().__init__(1, args)

    def getConfig(self) -> dict:
        config = super().getConfig()
        config['size'] = self.size[0]
        del config['dataFormat']
        return config


class UpSampling2D(UpSampling):
    """Upsample rows and cols by `size` (default [2, 2]); `interpolation` 'nearest' (repeat)
    or 'bilinear' (TF.js's sampling, see the module docstring).

    >>> import tfjs as tf
    >>> tf.layers.upSampling2d({'size': [2, 3]}).apply(tf.ones([1, 2, 2, 1])).shape
    [1, 4, 6, 1]
    """

    className = 'UpSampling2D'
    CONFIG_KEYS = ('interpolation',)
    INTERPOLATIONS = ('nearest', 'bilinear')
    KERAS_ONLY = ('bicubic', 'lanczos3', 'lanczos5', 'area')

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(2, args)
        interpolation = args.get('interpolation') or 'nearest'
        if interpolation in self.KERAS_ONLY:
            raise NotImplementedError(f'UpSampling2D interpolation "{interpolation}" is not '
                                      'implemented (TF.js has only "nearest" and "bilinear").')
        if interpolation not in self.INTERPOLATIONS:
            raise ValueError(f'{interpolation} is not a valid InterpolationFormat.  Valid values '
                             'are nearest,bilinear or null/undefined.')
        self.interpolation = interpolation

    def forward(self, x: torch.Tensor, training: bool) -> torch.Tensor:
        if self.interpolation == 'nearest':
            return super().forward(x, training)
        x = x if x.is_floating_point() else x.to(torch.float32)
        rows, cols = self.spatial_axes(x.ndim)
        return linear_axis(linear_axis(x, cols, self.size[1]), rows, self.size[0])

    def getConfig(self) -> dict:
        config = {'size': list(self.size), 'dataFormat': self.dataFormat,
                  'interpolation': self.interpolation}
        config.update(TorchLayer.getConfig(self))
        return config


class UpSampling3D(UpSampling):
    """Repeat depth, rows and cols `size` times (Keras's UpSampling3D; default [2, 2, 2]).

    >>> import tfjs as tf
    >>> tf.layers.upSampling3d({'size': 2}).apply(tf.ones([1, 1, 2, 2, 1])).shape
    [1, 2, 4, 4, 1]
    """

    className = 'UpSampling3D'
    CONFIG_KEYS = ()

    def __init__(self, args: dict | None = None, /, **kwargs):
        super().__init__(3, self.normalize_args(args, kwargs))


FACTORIES = {
    'zeroPadding2d': (ZeroPadding2D, "{'padding': 1}"),
    'cropping2D': (Cropping2D, "{'cropping': 1}"),
    'upSampling2d': (UpSampling2D, "{'size': [2, 2]}"),
    'zeroPadding1d': (ZeroPadding1D, "{'padding': 1}"),
    'zeroPadding3d': (ZeroPadding3D, "{'padding': 1}"),
    'cropping1D': (Cropping1D, "{'cropping': 1}"),
    'cropping3D': (Cropping3D, "{'cropping': 1}"),
    'upSampling1d': (UpSampling1D, "{'size': 2}"),
    'upSampling3d': (UpSampling3D, "{'size': 2}"),
}
