"""Random image augmentation layers: RandomWidth and RandomHeight (TF.js's
`layers/preprocessing/random_width.ts`, `random_height.ts`) and Keras's RandomFlip,
RandomRotation, RandomZoom, RandomTranslation, RandomContrast, RandomBrightness and RandomCrop.

Every one of them transforms only when called with `training: true` and is the identity at
inference (RandomCrop: a central crop to the target size), as Keras does and TF.js's docs say;
TF.js 4.22's RandomWidth code ignores `training` and resizes at inference too (a bug not
copied; RandomHeight's source does the same, and is not in the 4.22 bundle at all). A `seed` makes the draws reproducible (torch's generator: the random values
are not TF.js's or Keras's bit for bit). The geometric transforms sample as TensorFlow's
ImageProjectiveTransformV3 (the kernel Keras uses), with the fill modes reflect/wrap/constant/
nearest.
"""
from __future__ import annotations

import math

import torch

from ..backend import device
from ..errors import NotImplementedError, ValueError
from ..ops.image import resize_bilinear_raw, resize_nearest_raw
from ..tensor import Tensor
from .core import TorchLayer, one_input, one_shape
from .preprocessing import camel_choice
from .preprocessing_image import (ImageLayer, check_interpolation, from_nhwc, image_axes,
                                  smart_resize, to_nhwc)

FILL_MODES = ('reflect', 'wrap', 'constant', 'nearest')
FLIP_MODES = ('horizontal', 'vertical', 'horizontalAndVertical')


# ------------------------------------------------------------------ sampling helpers
def _map_coord(v: torch.Tensor, size: int, mode: str) -> torch.Tensor:
    """TensorFlow's MapCoordinate for float32 input coordinates along an axis of `size`."""
    if mode == 'constant':
        return v
    if mode == 'nearest':
        return v.clamp(0, size - 1)
    if size <= 1:
        return torch.zeros_like(v)
    if mode == 'reflect':
        sz2 = 2 * size
        a = torch.where(v < sz2, sz2 * torch.trunc(-v / sz2) + v, v)
        a = torch.where(a < -size, a + sz2, -a - 1)
        b = torch.where(v >= sz2, v - sz2 * torch.trunc(v / sz2), v)
        b = torch.where(b >= size, sz2 - b - 1, b)
        out = torch.where(v < 0, a, torch.where(v > size - 1, b, v))
    else:                                               # wrap
        sz = size - 1
        a = v + size * (torch.trunc(-v / sz) + 1)
        b = v - size * torch.trunc(v / sz)
        out = torch.where(v < 0, a, torch.where(v > size - 1, b, v))
    return out.clamp(0, size - 1)


def affine_transform(x: torch.Tensor, transforms: torch.Tensor, interpolation: str,
                     fill_mode: str, fill_value: float) -> torch.Tensor:
    """Projective transform of [N, H, W, C] images, TensorFlow's ImageProjectiveTransformV3:
    each row [a0, a1, a2, b0, b1, b2, c0, c1] of `transforms` [N or 1, 8] maps an output pixel
    (x, y) to the input point ((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k),
    k = c0 x + c1 y + 1. Computed in float32 as TensorFlow does; returns float32."""
    x = x.to(torch.float32)
    n, h, w, c = x.shape
    m = transforms.to(torch.float32).to(x.device).expand(n, 8)[:, :, None, None]
    oy = torch.arange(h, dtype=torch.float32, device=x.device)[None, :, None]
    ox = torch.arange(w, dtype=torch.float32, device=x.device)[None, None, :]
    proj = m[:, 6] * ox + m[:, 7] * oy + 1
    in_x = _map_coord((m[:, 0] * ox + m[:, 1] * oy + m[:, 2]) / proj, w, fill_mode)
    in_y = _map_coord((m[:, 3] * ox + m[:, 4] * oy + m[:, 5]) / proj, h, fill_mode)
    flat = x.reshape(n, h * w, c)
    fill = torch.tensor(float(fill_value), dtype=torch.float32, device=x.device)

    def read(yy: torch.Tensor, xx: torch.Tensor) -> torch.Tensor:
        ok = (yy >= 0) & (yy <= h - 1) & (xx >= 0) & (xx <= w - 1)
        idx = (yy.clamp(0, h - 1).long() * w + xx.clamp(0, w - 1).long()).reshape(n, -1, 1)
        v = torch.gather(flat, 1, idx.expand(n, idx.shape[1], c)).reshape(n, h, w, c)
        return torch.where(ok[..., None], v, fill)

    if 0 in (n, h, w, c):
        return x
    if interpolation == 'nearest':                      # std::round: halves away from zero
        out = read(torch.sign(in_y) * torch.floor(in_y.abs() + 0.5),
                   torch.sign(in_x) * torch.floor(in_x.abs() + 0.5))
    else:
        yf, xf = torch.floor(in_y), torch.floor(in_x)
        yc, xc = yf + 1, xf + 1
        top = (xc - in_x)[..., None] * read(yf, xf) + (in_x - xf)[..., None] * read(yf, xc)
        bot = (xc - in_x)[..., None] * read(yc, xf) + (in_x - xf)[..., None] * read(yc, xc)
        out = (yc - in_y)[..., None] * top + (in_y - yf)[..., None] * bot
    return torch.where((proj == 0)[..., None], fill, out)


def base_factor(factor, bounds=(-1.0, 1.0), layer: str = 'layer') -> tuple:
    """Keras's BaseImagePreprocessingLayer factor: a number f gives (max(-|f|, low), |f|), a
    pair gives itself sorted; both within `bounds`."""
    msg = (f'{layer}: the `factor` argument should be a number (or a list of two numbers) in the '
           f'range [{bounds[0]}, {bounds[1]}]. Received: factor={factor}')
    if isinstance(factor, (list, tuple)):
        if len(factor) != 2 or factor[0] > bounds[1] or factor[1] < bounds[0]:
            raise ValueError(msg)
        return tuple(sorted(factor))
    if isinstance(factor, (int, float)) and not isinstance(factor, bool):
        if factor < bounds[0] or factor > bounds[1]:
            raise ValueError(msg)
        factor = abs(factor)
        return (max(-factor, bounds[0]), factor)
    raise ValueError(msg)


def range_factor(factor, name: str, layer: str, low_open: bool) -> tuple:
    """RandomZoom / RandomTranslation factors: a number f gives (-|f|, |f|), a pair itself
    sorted; every value in [-1, 1] (zoom: -1 excluded)."""
    msg = (f'{layer}: the `{name}` argument should be a number (or a list of two numbers) in the '
           f'range {"(" if low_open else "["}-1.0, 1.0]. Received: {name}={factor}')

    def check(v):
        if not isinstance(v, (int, float)) or isinstance(v, bool) or v > 1.0 or \
                (v <= -1.0 if low_open else v < -1.0):
            raise ValueError(msg)

    if isinstance(factor, (list, tuple)):
        if len(factor) != 2:
            raise ValueError(msg)
        check(factor[0])
        check(factor[1])
        return tuple(sorted(factor))
    check(factor)
    return (-abs(factor), abs(factor))


# ------------------------------------------------------------------ TF.js: RandomWidth/Height
class BaseRandomLayer(TorchLayer):
    """TF.js's BaseRandomLayer: a `seed` that advances by one at each random call (and is
    serialized as it stands, as TF.js's getConfig does)."""

    className = 'BaseRandomLayer'
    CONFIG_KEYS = ('seed',)

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        self.seed = args.get('seed')

    def next_generator(self) -> torch.Generator | None:
        if self.seed is None:
            return None
        g = torch.Generator(device='cpu')
        g.manual_seed(int(self.seed) & 0xFFFFFFFFFFFF)
        self.seed += 1
        return g

    def getConfig(self) -> dict:
        config = {} if self.seed is None else {'seed': self.seed}
        config.update(super().getConfig())
        return config


class _RandomSize(BaseRandomLayer):
    """RandomWidth / RandomHeight: resize one image axis by a random factor in training."""

    CONFIG_KEYS = ('factor', 'interpolation', 'autoVectorize')
    AXIS = 'width'

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        factor = args.get('factor')
        self.factor = factor
        if isinstance(factor, (list, tuple)) and len(factor) == 2:
            self.lower, self.upper = float(factor[0]), float(factor[1])
        elif isinstance(factor, (int, float)) and not isinstance(factor, bool) and factor > 0:
            self.lower, self.upper = -float(factor), float(factor)
        else:
            raise ValueError(f'Invalid factor: {factor}. Must be positive number or tuple of 2 '
                             'numbers')
        if self.lower < -1.0 or self.upper < -1.0:
            raise ValueError(f'factor must have values larger than -1. Got: {factor}')
        if self.upper < self.lower:
            raise ValueError(f'factor cannot have upper bound less than lower bound.\n'
                             f'        Got upper bound: {self.upper}.\n'
                             f'        Got lower bound: {self.lower}\n      ')
        self.interpolation = check_interpolation(args.get('interpolation'), self.className)

    def computeOutputShape(self, inputShape):
        shape = list(one_shape(inputShape, self))
        ha, wa = image_axes(shape, None)
        shape[wa if self.AXIS == 'width' else ha] = None
        return shape

    def forward(self, x: torch.Tensor, training: bool) -> torch.Tensor:
        if not training:
            return x
        g = self.next_generator()
        u = float(torch.rand((), generator=g, dtype=torch.float64))
        factor = (1.0 + self.lower) + u * (self.upper - self.lower)
        y, state = to_nhwc(x, None)
        h, w = y.shape[1], y.shape[2]
        if self.AXIS == 'width':
            size = [h, int(math.floor(factor * w + 0.5))]       # JS Math.round
        else:
            size = [int(math.floor(factor * h + 0.5)), w]
        if self.interpolation == 'nearest':                     # TF.js's resize ops, legacy
            y = resize_nearest_raw(y, size)                     # sampling (no half pixels)
        else:
            y = resize_bilinear_raw(y, size)
        return from_nhwc(y, state)

    def call(self, inputs, kwargs: dict):
        x = one_input(inputs, self)
        out = self.forward(x._value(), bool(kwargs.get('training')))
        return x if out is x._value() else Tensor._make(
            out, 'float32' if out.is_floating_point() else x.dtype)

    def getConfig(self) -> dict:
        config = {'factor': self.factor, 'interpolation': self.interpolation}
        config.update(super().getConfig())
        return config


class RandomWidth(_RandomSize):
    """In training, resize the image width by a random factor in [1 + lower, 1 + upper]
    (`factor` f means [-f, f]); the identity at inference.

    >>> import tfjs as tf
    >>> layer = tf.layers.randomWidth({'factor': 0.5, 'seed': 1})
    >>> layer.apply(tf.ones([1, 4, 4, 1]), {'training': True}).shape[2] in range(2, 7)
    True
    """

    className = 'RandomWidth'
    AXIS = 'width'


class RandomHeight(_RandomSize):
    """In training, resize the image height by a random factor in [1 + lower, 1 + upper]
    (`factor` f means [-f, f]); the identity at inference.

    >>> import tfjs as tf
    >>> layer = tf.layers.randomHeight({'factor': [0, 1], 'seed': 1})
    >>> layer.apply(tf.ones([1, 4, 4, 1]), {'training': True}).shape[1] in range(4, 9)
    True
    """

    className = 'RandomHeight'
    AXIS = 'height'


# ------------------------------------------------------------------ Keras augmentation layers
class KerasRandomLayer(ImageLayer):
    """Base of Keras's random image layers: a seeded generator (the seed is serialized as
    given), float32 outputs, the transform in training and the identity at inference.

    Subclasses define `draw(n, h, w)` (the random parameters, torch tensors on the layer's
    device) and `transform(x_nhwc, params)` (a deterministic function of them)."""

    CONFIG_KEYS = ('seed',)

    def _init_random(self, args: dict) -> None:
        self.seed = args.get('seed')
        self._generator = None
        self._data_format(args)

    def generator(self) -> torch.Generator | None:
        """The layer's CPU generator, seeded once from `seed` (None: torch's global one)."""
        if self.seed is not None and self._generator is None:
            self._generator = torch.Generator(device='cpu')
            self._generator.manual_seed(int(self.seed) & 0xFFFFFFFFFFFF)
        return self._generator

    def uniform(self, shape, low: float, high: float) -> torch.Tensor:
        """Uniform draws in [low, high) from the layer's generator, on the engine device."""
        u = torch.rand(shape, generator=self.generator(), dtype=torch.float32)
        return (low + u * (high - low)).to(device())

    def draw(self, n: int, h: int, w: int) -> dict:
        raise NotImplementedError(f'{type(self).__name__}.draw')

    def transform(self, x: torch.Tensor, params: dict) -> torch.Tensor:
        raise NotImplementedError(f'{type(self).__name__}.transform')

    def inference(self, x: torch.Tensor) -> torch.Tensor:
        return x

    def forward(self, x: torch.Tensor, training: bool) -> torch.Tensor:
        y, state = to_nhwc(x.to(torch.float32), self.dataFormat)
        if training:
            y = self.transform(y, self.draw(y.shape[0], y.shape[1], y.shape[2]))
        else:
            y = self.inference(y)
        return from_nhwc(y, state)

    def call(self, inputs, kwargs: dict):
        x = one_input(inputs, self)
        return Tensor._make(self.forward(x._value(), bool(kwargs.get('training'))), 'float32')

    def _random_config(self, config: dict) -> dict:
        if self.seed is not None:
            config['seed'] = self.seed
        return self._format_config(config)


class RandomFlip(KerasRandomLayer):
    """In training, flip each image horizontally and/or vertically with probability 1/2
    (`mode` 'horizontal', 'vertical' or 'horizontalAndVertical' (default)).

    >>> import tfjs as tf
    >>> tf.layers.randomFlip({'mode': 'horizontal'}).apply(tf.ones([1, 2, 2, 1])).shape
    [1, 2, 2, 1]
    """

    className = 'RandomFlip'
    CONFIG_KEYS = ('mode',)

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        self.mode = camel_choice(args.get('mode'), FLIP_MODES, 'mode', 'RandomFlip',
                                 'horizontalAndVertical')
        self._init_random(args)

    def draw(self, n, h, w):
        return {'flips': self.uniform([n], 0.0, 1.0) <= 0.5}

    def transform(self, x, params):
        flips = params['flips'].reshape(-1, 1, 1, 1).to(x.device)
        if self.mode in ('horizontal', 'horizontalAndVertical'):
            x = torch.where(flips, x.flip(2), x)
        if self.mode in ('vertical', 'horizontalAndVertical'):
            x = torch.where(flips, x.flip(1), x)
        return x

    def getConfig(self) -> dict:
        return self._random_config({'mode': self.mode})


class _AffineLayer(KerasRandomLayer):
    """Shared config of the affine layers: fillMode, interpolation, fillValue."""

    CONFIG_KEYS = ('fillMode', 'interpolation', 'fillValue')

    def _init_affine(self, args: dict) -> None:
        fill = args.get('fillMode')
        if fill is not None and fill not in FILL_MODES:
            raise NotImplementedError(f'Unknown `fillMode` {fill}. Expected of one {FILL_MODES}.')
        self.fillMode = fill or 'reflect'
        interp = args.get('interpolation') or 'bilinear'
        if interp not in ('nearest', 'bilinear'):
            raise NotImplementedError(f'Unknown `interpolation` {interp}. Expected of one '
                                      "('nearest', 'bilinear').")
        self.interpolation = interp
        self.fillValue = 0.0 if args.get('fillValue') is None else args['fillValue']
        self._init_random(args)

    def transform(self, x, params):
        return affine_transform(x, self.matrix(params, x.shape[1], x.shape[2]),
                                self.interpolation, self.fillMode, self.fillValue)

    def _affine_config(self, config: dict) -> dict:
        config.update({'fillMode': self.fillMode, 'fillValue': self.fillValue,
                       'interpolation': self.interpolation})
        return self._random_config(config)


class RandomRotation(_AffineLayer):
    """In training, rotate each image by a random angle of `factor` turns (f means
    [-f, f] * 360 degrees) around its center.

    >>> import tfjs as tf
    >>> tf.layers.randomRotation({'factor': 0.1}).getConfig()['factor']
    [-0.1, 0.1]
    """

    className = 'RandomRotation'
    CONFIG_KEYS = ('factor',)

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        self.factor = base_factor(args.get('factor'), layer='RandomRotation')
        self._init_affine(args)

    def draw(self, n, h, w):
        return {'angle': self.uniform([n], self.factor[0] * 360.0, self.factor[1] * 360.0)}

    @staticmethod
    def matrix(params, h, w):
        angle = params['angle'].to(torch.float32) * (math.pi / 180.0)
        cx, cy = 0.5 * (w - 1), 0.5 * (h - 1)
        cos, sin = torch.cos(angle), torch.sin(angle)
        a2 = cx - cx * cos + cy * sin
        b2 = cy - cx * sin - cy * cos
        zero = torch.zeros_like(angle)
        return torch.stack([cos, -sin, a2, sin, cos, b2, zero, zero], dim=1)

    def getConfig(self) -> dict:
        return self._affine_config({'factor': list(self.factor)})


class RandomZoom(_AffineLayer):
    """In training, zoom each image by random factors: `heightFactor` (and `widthFactor`,
    else the same zoom) f means a zoom in [1 - f, 1 + f] of the sampled size (negative: in).

    >>> import tfjs as tf
    >>> tf.layers.randomZoom({'heightFactor': 0.2}).apply(tf.ones([1, 3, 3, 1])).shape
    [1, 3, 3, 1]
    """

    className = 'RandomZoom'
    CONFIG_KEYS = ('heightFactor', 'widthFactor')

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        self.heightFactor = args.get('heightFactor')
        self.widthFactor = args.get('widthFactor')
        self._h = range_factor(self.heightFactor, 'heightFactor', 'RandomZoom', True)
        self._w = None if self.widthFactor is None else \
            range_factor(self.widthFactor, 'widthFactor', 'RandomZoom', True)
        self._init_affine(args)

    def draw(self, n, h, w):
        hz = self.uniform([n, 1], 1.0 + self._h[0], 1.0 + self._h[1])
        wz = hz if self._w is None else self.uniform([n, 1], 1.0 + self._w[0], 1.0 + self._w[1])
        return {'height_zoom': hz, 'width_zoom': wz}

    @staticmethod
    def matrix(params, h, w):
        zx = params['width_zoom'].to(torch.float32).reshape(-1)
        zy = params['height_zoom'].to(torch.float32).reshape(-1)
        zero = torch.zeros_like(zx)
        return torch.stack([zx, zero, (w - 1.0) / 2.0 * (1.0 - zx), zero, zy,
                            (h - 1.0) / 2.0 * (1.0 - zy), zero, zero], dim=1)

    def getConfig(self) -> dict:
        config = {'heightFactor': self.heightFactor}
        if self.widthFactor is not None:
            config['widthFactor'] = self.widthFactor
        return self._affine_config(config)


class RandomTranslation(_AffineLayer):
    """In training, shift each image by random fractions of its size: `heightFactor` /
    `widthFactor` f means a shift in [-f, f] (a pair: [lower, upper]).

    >>> import tfjs as tf
    >>> layer = tf.layers.randomTranslation({'heightFactor': 0.1, 'widthFactor': 0.1})
    >>> layer.apply(tf.ones([1, 3, 3, 1])).shape
    [1, 3, 3, 1]
    """

    className = 'RandomTranslation'
    CONFIG_KEYS = ('heightFactor', 'widthFactor')

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        self.heightFactor = args.get('heightFactor')
        self.widthFactor = args.get('widthFactor')
        if self.heightFactor is None or self.widthFactor is None:
            raise ValueError('tf.layers.randomTranslation() needs "heightFactor" and '
                             '"widthFactor", e.g. {"heightFactor": 0.1, "widthFactor": 0.1}.')
        self._h = range_factor(self.heightFactor, 'heightFactor', 'RandomTranslation', False)
        self._w = range_factor(self.widthFactor, 'widthFactor', 'RandomTranslation', False)
        self._init_affine(args)

    def draw(self, n, h, w):
        dy = self.uniform([n, 1], self._h[0], self._h[1]) * h
        dx = self.uniform([n, 1], self._w[0], self._w[1]) * w
        return {'translations': torch.cat([dx, dy], dim=1)}

    @staticmethod
    def matrix(params, h, w):
        t = params['translations'].to(torch.float32)
        one, zero = torch.ones_like(t[:, 0]), torch.zeros_like(t[:, 0])
        return torch.stack([one, zero, -t[:, 0], zero, one, -t[:, 1], zero, zero], dim=1)

    def getConfig(self) -> dict:
        return self._affine_config({'heightFactor': self.heightFactor,
                                    'widthFactor': self.widthFactor})


def _value_range(value, layer: str) -> list:
    if value is None:
        return [0, 255]
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise ValueError(f'{layer}: the `valueRange` argument should be a list of two numbers. '
                         f'Received: valueRange={value}')
    return sorted(value)


class RandomContrast(KerasRandomLayer):
    """In training, scale each image's deviation from its per-channel mean by a random
    factor in [1 - lower, 1 + upper] (`factor` f in [0, 1] means [1, 1 + f], as Keras 3), then
    clip to `valueRange` (default [0, 255]).

    >>> import tfjs as tf
    >>> tf.layers.randomContrast({'factor': 0.5}).getConfig()['factor']
    [0, 0.5]
    """

    className = 'RandomContrast'
    CONFIG_KEYS = ('factor', 'valueRange')

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        self.factor = base_factor(args.get('factor'), (0, 1), 'RandomContrast')
        self.valueRange = list(args['valueRange']) if args.get('valueRange') is not None \
            else [0, 255]
        self._init_random(args)

    def draw(self, n, h, w):
        return {'contrast_factor': self.uniform([n, 1, 1, 1], 1.0 - self.factor[0],
                                                1.0 + self.factor[1])}

    def transform(self, x, params):
        mean = x.mean(dim=(1, 2), keepdim=True)
        out = (x - mean) * params['contrast_factor'].to(x) + mean
        return out.clamp(float(self.valueRange[0]), float(self.valueRange[1]))

    def getConfig(self) -> dict:
        return self._random_config({'factor': list(self.factor), 'valueRange': self.valueRange})


class RandomBrightness(KerasRandomLayer):
    """In training, add to each image a random delta of `factor` times the value range
    (f means [-f, f]; a pair [lower, upper]), then clip to `valueRange` (default [0, 255]).

    >>> import tfjs as tf
    >>> tf.layers.randomBrightness({'factor': 0.2}).getConfig()['factor']
    [-0.2, 0.2]
    """

    className = 'RandomBrightness'
    CONFIG_KEYS = ('factor', 'valueRange')

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        self.factor = base_factor(args.get('factor'), layer='RandomBrightness')
        self.valueRange = _value_range(args.get('valueRange'), 'RandomBrightness')
        self._init_random(args)

    def draw(self, n, h, w):
        delta = self.uniform([n, 1, 1, 1], self.factor[0], self.factor[1])
        return {'rgb_delta': delta * (self.valueRange[1] - self.valueRange[0])}

    def transform(self, x, params):
        out = x + params['rgb_delta'].to(x)
        return out.clamp(float(self.valueRange[0]), float(self.valueRange[1]))

    def getConfig(self) -> dict:
        return self._random_config({'factor': list(self.factor), 'valueRange': self.valueRange})


class RandomCrop(KerasRandomLayer):
    """In training, crop a random `height` x `width` window (the same for the whole batch);
    at inference (or for images not larger than the target), crop the largest central window
    of the target aspect ratio and resize it to the target size.

    >>> import tfjs as tf
    >>> tf.layers.randomCrop({'height': 2, 'width': 2}).apply(tf.ones([1, 4, 4, 1])).shape
    [1, 2, 2, 1]
    """

    className = 'RandomCrop'
    CONFIG_KEYS = ('height', 'width')

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        for key in ('height', 'width'):
            v = args.get(key)
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise ValueError(f'tf.layers.randomCrop() needs "{key}", a positive integer; got '
                                 f'{v!r}.')
        self.height, self.width = args['height'], args['width']
        self._init_random(args)

    def computeOutputShape(self, inputShape):
        return self._with_size(one_shape(inputShape, self), self.height, self.width)

    def draw(self, n, h, w):
        if h > self.height and w > self.width:
            u = torch.rand(2, generator=self.generator(), dtype=torch.float64)
            return {'h_start': int(u[0] * (h - self.height + 1)),
                    'w_start': int(u[1] * (w - self.width + 1))}
        return {}

    def transform(self, x, params):
        if 'h_start' not in params:
            return self.inference(x)
        hs, ws = params['h_start'], params['w_start']
        return x[:, hs:hs + self.height, ws:ws + self.width, :]

    def inference(self, x):
        return smart_resize(x, (self.height, self.width))

    def getConfig(self) -> dict:
        return self._random_config({'height': self.height, 'width': self.width})


FACTORIES = {
    'randomWidth': (RandomWidth, "{'factor': 0.2}"),
    'randomHeight': (RandomHeight, "{'factor': 0.2}"),
    'randomFlip': (RandomFlip, "{'mode': 'horizontal'}"),
    'randomRotation': (RandomRotation, "{'factor': 0.1}"),
    'randomZoom': (RandomZoom, "{'heightFactor': 0.2}"),
    'randomTranslation': (RandomTranslation, "{'heightFactor': 0.1, 'widthFactor': 0.1}"),
    'randomContrast': (RandomContrast, "{'factor': 0.2}"),
    'randomBrightness': (RandomBrightness, "{'factor': 0.2}"),
    'randomCrop': (RandomCrop, "{'height': 2, 'width': 2}"),
}
