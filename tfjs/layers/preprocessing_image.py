"""Image preprocessing layers: CenterCrop and Resizing (TF.js's `layers/preprocessing/
center_crop.ts`, `image_resizing.ts`), with Keras 3's sampling, plus the image helpers the
random augmentation layers share (layout, resizing, cropping to an aspect ratio).

Where TF.js 4.22 has bugs, these layers do what Keras does (and TF.js's own docs say):

- Resizing: TF.js passes `!cropToAspectRatio` as resizeBilinear's `alignCorners`, so by
  default it samples with aligned corners and `cropToAspectRatio: true` never crops. Here the
  sampling is Keras's (`tf.image.resize`: half-pixel centers) and `cropToAspectRatio` crops the
  largest central window of the target aspect ratio before resizing. TF.js's
  `computeOutputShape` also drops the batch axis (`[height, width, inputShape[2]]`); here it is
  `[batch, height, width, channels]`.
- CenterCrop: TF.js moves the crop window one pixel right when the width shrinks by exactly one
  (`wBuffer` 0 becomes 1; never for the height) and, for an image smaller than the target,
  stretches it without cropping to the aspect ratio its docs promise. Here the window starts at
  `(size - target) // 2` on both axes and smaller images are cropped to the aspect ratio, then
  resized (Keras's `smart_resize`). TF.js's keep-the-input-dtype rule is kept.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from ..errors import NotImplementedError, ValueError
from .core import TorchLayer, one_shape
from .preprocessing import camel_choice

DATA_FORMATS = ('channelsLast', 'channelsFirst')
KERAS_ONLY_INTERPOLATIONS = ('bicubic', 'area', 'lanczos3', 'lanczos5', 'gaussian',
                             'mitchellcubic')


def check_interpolation(value, layer: str, default: str = 'bilinear') -> str:
    """'bilinear' or 'nearest' (TF.js's message for anything else; a clear NotImplementedError
    for Keras's other methods)."""
    if value is None:
        return default
    if value in KERAS_ONLY_INTERPOLATIONS:
        raise NotImplementedError(f'{layer}: interpolation "{value}" is not implemented here; use '
                                  '"bilinear" or "nearest".')
    if value not in ('bilinear', 'nearest'):
        raise ValueError(f'Invalid interpolation parameter: {value} is not implemented')
    return value


def image_axes(shape: list, data_format: str | None) -> tuple:
    """The (height, width) axes of an image shape (rank 3 or 4) in `data_format`."""
    if len(shape) not in (3, 4):
        raise ValueError(f'Expected an image input of rank 3 (unbatched) or 4 (batched), but got '
                         f'shape {list(shape)}.')
    return (-2, -1) if data_format == 'channelsFirst' else (-3, -2)


def to_nhwc(x: torch.Tensor, data_format: str | None):
    """`x` as a batch [N, H, W, C] and what `from_nhwc` needs to undo it."""
    unbatched = x.ndim == 3
    if x.ndim not in (3, 4):
        raise ValueError(f'Expected an image input of rank 3 (unbatched) or 4 (batched), but got '
                         f'shape {list(x.shape)}.')
    if unbatched:
        x = x.unsqueeze(0)
    if data_format == 'channelsFirst':
        x = x.permute(0, 2, 3, 1)
    return x, (unbatched, data_format)


def from_nhwc(y: torch.Tensor, state) -> torch.Tensor:
    unbatched, data_format = state
    if data_format == 'channelsFirst':
        y = y.permute(0, 3, 1, 2)
    return y[0] if unbatched else y


def resize_nhwc(x: torch.Tensor, size, interpolation: str = 'bilinear',
                antialias: bool = False) -> torch.Tensor:
    """`tf.image.resize` of [N, H, W, C] to `size` (half-pixel centers). Bilinear gives float32;
    nearest keeps the dtype."""
    n, h, w, c = x.shape
    nh, nw = int(size[0]), int(size[1])
    if (h, w) == (nh, nw):
        return x.to(torch.float32) if interpolation == 'bilinear' else x
    if interpolation == 'nearest':                   # TensorFlow's float32 source coordinates
        ys = torch.clamp(torch.floor((torch.arange(nh, device=x.device, dtype=torch.float32)
                                      + 0.5) * float(np.float32(h / nh))), max=h - 1).long()
        xs = torch.clamp(torch.floor((torch.arange(nw, device=x.device, dtype=torch.float32)
                                      + 0.5) * float(np.float32(w / nw))), max=w - 1).long()
        return x.index_select(1, ys).index_select(2, xs)
    if 0 in (n, h, w, c):
        return x.new_zeros((n, nh, nw, c), dtype=torch.float32)
    y = F.interpolate(x.to(torch.float32).permute(0, 3, 1, 2), size=(nh, nw), mode='bilinear',
                      align_corners=False, antialias=bool(antialias) and (nh < h or nw < w))
    return y.permute(0, 2, 3, 1)


def crop_to_aspect(x: torch.Tensor, size) -> torch.Tensor:
    """The largest central window of [N, H, W, C] with the aspect ratio of `size` (Keras)."""
    h, w = x.shape[1], x.shape[2]
    th, tw = int(size[0]), int(size[1])
    ch = max(min(h, int(np.float32(w * th) / np.float32(tw))), 1)
    cw = max(min(w, int(np.float32(h * tw) / np.float32(th))), 1)
    hs, ws = int((h - ch) / 2), int((w - cw) / 2)
    return x[:, hs:hs + ch, ws:ws + cw, :]


def pad_to_aspect(x: torch.Tensor, size, fill: float) -> torch.Tensor:
    """[N, H, W, C] padded with `fill` on both sides to about the aspect ratio of `size`
    (Keras's `pad_to_aspect_ratio`: the same pad before and after)."""
    h, w = x.shape[1], x.shape[2]
    th, tw = int(size[0]), int(size[1])
    ph = max(h, int(np.float32(w * th) / np.float32(tw)))
    pw = max(w, int(np.float32(h * tw) / np.float32(th)))
    hs, ws = int((ph - h) / 2), int((pw - w) / 2)
    if hs > 0 or ws > 0:
        x = F.pad(x, (0, 0, ws, ws, hs, hs), value=float(fill)) if x.is_floating_point() else \
            F.pad(x.to(torch.float32), (0, 0, ws, ws, hs, hs), value=float(fill)).to(x.dtype)
    return x


def smart_resize(x: torch.Tensor, size, interpolation: str = 'bilinear') -> torch.Tensor:
    """Keras's `smart_resize`: crop [N, H, W, C] to the target aspect ratio, then resize."""
    h, w = x.shape[1], x.shape[2]
    th, tw = int(size[0]), int(size[1])
    ch = max(min(h, int(float(w * th) / tw)), 1)
    cw = max(min(w, int(float(h * tw) / th)), 1)
    hs, ws = int(float(h - ch) / 2), int(float(w - cw) / 2)
    return resize_nhwc(x[:, hs:hs + ch, ws:ws + cw, :], (th, tw), interpolation)


def cast_like(y: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """TF.js's cast of float results back to the input dtype (truncation toward zero)."""
    if y.dtype == dtype:
        return y
    if dtype.is_floating_point:
        return y.to(dtype)
    return torch.trunc(y).to(dtype)


def _positive_int(args: dict, key: str, factory: str) -> int:
    value = args.get(key)
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f'tf.layers.{factory}() needs "{key}", a positive integer; got {value!r}. '
                         f'Example: tf.layers.{factory}({{"height": 224, "width": 224}}).')
    return int(value)


class ImageLayer(TorchLayer):
    """Shared config of the image layers: the optional Keras `dataFormat`."""

    CONFIG_KEYS = ('dataFormat',)

    def _data_format(self, args: dict) -> None:
        self.dataFormat = camel_choice(args.get('dataFormat'), DATA_FORMATS, 'dataFormat',
                                       self.className)

    def _with_size(self, shape: list, height, width) -> list:
        shape = list(shape)
        ha, wa = image_axes(shape, self.dataFormat)
        shape[ha], shape[wa] = height, width
        return shape

    def _format_config(self, config: dict) -> dict:
        if self.dataFormat is not None:
            config['dataFormat'] = self.dataFormat
        config.update(super().getConfig())
        return config


class CenterCrop(ImageLayer):
    """Crop the central `height` x `width` window of images [batch?, h, w, c] (images smaller
    than that are cropped to the target aspect ratio and resized); keeps the input dtype.

    >>> import tfjs as tf
    >>> x = tf.range(0, 16).reshape([1, 4, 4, 1])
    >>> tf.layers.centerCrop({'height': 2, 'width': 2}).apply(x).reshape([4]).arraySync()
    [5.0, 6.0, 9.0, 10.0]
    """

    className = 'CenterCrop'
    CONFIG_KEYS = ('height', 'width')

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        self.height = _positive_int(args, 'height', 'centerCrop')
        self.width = _positive_int(args, 'width', 'centerCrop')
        self._data_format(args)

    def computeOutputShape(self, inputShape):
        return self._with_size(one_shape(inputShape, self), self.height, self.width)

    def forward(self, x: torch.Tensor, training: bool) -> torch.Tensor:
        y, state = to_nhwc(x, self.dataFormat)
        h, w = y.shape[1], y.shape[2]
        if h >= self.height and w >= self.width:
            hs, ws = (h - self.height) // 2, (w - self.width) // 2
            y = y[:, hs:hs + self.height, ws:ws + self.width, :]
        else:
            y = cast_like(smart_resize(y, (self.height, self.width)), x.dtype)
        return from_nhwc(y, state)

    def getConfig(self) -> dict:
        return self._format_config({'height': self.height, 'width': self.width})


class Resizing(ImageLayer):
    """Resize images [batch?, h, w, c] to `height` x `width` ('bilinear' (float32 output) or
    'nearest' (keeps the dtype), half-pixel centers as Keras), optionally cropping or padding
    to the target aspect ratio first.

    >>> import tfjs as tf
    >>> layer = tf.layers.resizing({'height': 2, 'width': 2, 'interpolation': 'nearest'})
    >>> layer.apply(tf.range(0, 16).reshape([4, 4, 1])).reshape([4]).arraySync()
    [5.0, 7.0, 13.0, 15.0]
    """

    className = 'Resizing'
    CONFIG_KEYS = ('height', 'width', 'interpolation', 'cropToAspectRatio', 'padToAspectRatio',
                   'fillMode', 'fillValue', 'antialias')

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        self.height = _positive_int(args, 'height', 'resizing')
        self.width = _positive_int(args, 'width', 'resizing')
        self.interpolation = check_interpolation(args.get('interpolation'), 'Resizing')
        self.cropToAspectRatio = bool(args.get('cropToAspectRatio'))
        self.padToAspectRatio = bool(args.get('padToAspectRatio'))
        if self.cropToAspectRatio and self.padToAspectRatio:
            raise ValueError('Only one of `padToAspectRatio` & `cropToAspectRatio` can be true.')
        self.fillMode = args.get('fillMode') or 'constant'
        if self.fillMode != 'constant':
            raise ValueError(f"Invalid value for argument `fillMode`. Only 'constant' is "
                             f'supported. Received: fillMode={self.fillMode}')
        self.fillValue = 0.0 if args.get('fillValue') is None else args['fillValue']
        self.antialias = bool(args.get('antialias'))
        if self.antialias and self.interpolation == 'nearest':
            raise NotImplementedError('Resizing: antialias with "nearest" interpolation is not '
                                      'implemented; use antialias with "bilinear".')
        self._data_format(args)

    def computeOutputShape(self, inputShape):
        return self._with_size(one_shape(inputShape, self), self.height, self.width)

    def forward(self, x: torch.Tensor, training: bool) -> torch.Tensor:
        y, state = to_nhwc(x, self.dataFormat)
        size = (self.height, self.width)
        if self.cropToAspectRatio:
            y = crop_to_aspect(y, size)
        elif self.padToAspectRatio:
            y = pad_to_aspect(y, size, self.fillValue)
        return from_nhwc(resize_nhwc(y, size, self.interpolation, self.antialias), state)

    def getConfig(self) -> dict:
        config = {'height': self.height, 'width': self.width, 'interpolation': self.interpolation,
                  'cropToAspectRatio': self.cropToAspectRatio}
        if self.padToAspectRatio:                     # Keras-only keys, saved when not default
            config['padToAspectRatio'] = True
            config['fillMode'] = self.fillMode
            config['fillValue'] = self.fillValue
        if self.antialias:
            config['antialias'] = True
        return self._format_config(config)


FACTORIES = {
    'centerCrop': (CenterCrop, "{'height': 2, 'width': 2}"),
    'resizing': (Resizing, "{'height': 2, 'width': 2}"),
}
