"""`tf.image`: resizing, cropping, flipping, colour conversion, rotation, projective transforms
and thresholding, with TF.js's sampling rules (NHWC images). Non-max suppression is in
image_nms.py."""
from __future__ import annotations

import math

import torch

from ..errors import ValueError
from ..tensor import Tensor, convert_to_tensor
from ._dispatch import FLOAT, float32, numeric, tensor_of, wrap

NAMESPACE = 'image'
__all__ = ['resizeBilinear', 'resizeNearestNeighbor', 'cropAndResize', 'flipLeftRight',
           'grayscaleToRGB', 'rgbToGrayscale', 'rotateWithOffset', 'threshold', 'transform']


def _assert(cond, msg):
    if not cond:
        raise ValueError(msg)


def _js_round(t):
    """JS Math.round: halves go up."""
    return torch.floor(t + 0.5)


def _source_coords(old: int, new: int, align: bool, half: bool, device):
    eff_in = old - 1 if align and new > 1 else old
    eff_out = new - 1 if align and new > 1 else new
    ratio = eff_in / eff_out
    r = torch.arange(new, dtype=torch.float64, device=device)
    return ratio * (r + 0.5) - 0.5 if half else ratio * r


def _resize_args(op, images, size, align, half):
    t = numeric(images, 'images', op)._value()
    _assert(t.ndim in (3, 4), f'Error in {op}: x must be rank 3 or 4, but got rank {t.ndim}.')
    _assert(len(size) == 2, f'Error in {op}: new shape must 2D, but got shape {list(size)}.')
    _assert(not (half and align), f'Error in {op}: If halfPixelCenters is true, alignCorners '
                                  'must be false.')
    squeeze = t.ndim == 3
    return (t.unsqueeze(0) if squeeze else t), squeeze, [int(size[0]), int(size[1])]


def resize_bilinear_raw(x, size, alignCorners: bool = False, halfPixelCenters: bool = False):
    """Bilinear resize of a torch tensor [N, H, W, C] to `size` (TF.js's sampling)."""
    n, h, w, c = x.shape
    nh, nw = size
    x = x if x.dtype == FLOAT else x.to(FLOAT)
    if 0 in (n, h, w, c, nh, nw):
        return x.new_zeros((n, nh, nw, c))
    out = x
    for axis, old, new in ((1, h, nh), (2, w, nw)):
        src = _source_coords(old, new, alignCorners, halfPixelCenters, x.device)
        lo = torch.clamp(torch.floor(src), min=0)
        frac = (src - lo).to(FLOAT)
        hi = torch.clamp(torch.ceil(src), max=old - 1)
        a = out.index_select(axis, lo.long())
        b = out.index_select(axis, hi.long())
        shape = [1, 1, 1, 1]
        shape[axis] = new
        out = a + (b - a) * frac.reshape(shape)
    return out


def resizeBilinear(images, size, alignCorners: bool = False, halfPixelCenters: bool = False):
    """Bilinear resize of images [batch, h, w, c] (or [h, w, c]) to size [newH, newW]; float32.

    >>> import tfjs as tf
    >>> tf.image.resizeBilinear(tf.tensor3d([[[0], [2]]]), [1, 4]).arraySync()
    [[[0.0], [1.0], [2.0], [2.0]]]
    """
    t, squeeze, size = _resize_args('resizeBilinear', images, size, alignCorners, halfPixelCenters)
    y = resize_bilinear_raw(t, size, alignCorners, halfPixelCenters)
    return wrap(y[0] if squeeze else y, 'float32')


def resize_nearest_raw(x, size, alignCorners: bool = False, halfPixelCenters: bool = False):
    """Nearest-neighbour resize of a torch tensor [N, H, W, C] (TF.js's sampling)."""
    n, h, w, c = x.shape
    out = x
    for axis, old, new in ((1, h, size[0]), (2, w, size[1])):
        if old == 0 or new == 0:
            shape = list(out.shape)
            shape[axis] = new
            out = out.new_zeros(shape)
            continue
        eff_in = old - 1 if alignCorners and new > 1 else old
        eff_out = new - 1 if alignCorners and new > 1 else new
        r = torch.arange(new, dtype=torch.float64, device=x.device)
        src = (eff_in / eff_out) * (r + 0.5 if halfPixelCenters else r)
        idx = torch.clamp(_js_round(src) if alignCorners else torch.floor(src), max=old - 1)
        if halfPixelCenters:
            idx = torch.clamp(idx, min=0)
        out = out.index_select(axis, idx.long())
    return out


def resizeNearestNeighbor(images, size, alignCorners: bool = False, halfPixelCenters: bool = False):
    """Nearest-neighbour resize of images [batch, h, w, c] (or [h, w, c]); float32 or int32,
    keeping the dtype.

    >>> import tfjs as tf
    >>> tf.image.resizeNearestNeighbor(tf.tensor3d([[[0], [2]]]), [1, 4]).arraySync()
    [[[0.0], [0.0], [2.0], [2.0]]]
    """
    x = numeric(images, 'images', 'resizeNearestNeighbor')
    _assert(x.dtype in ('float32', 'int32'), '`images` must have `int32` or `float32` as dtype')
    t, squeeze, size = _resize_args('resizeNearestNeighbor', x, size, alignCorners,
                                    halfPixelCenters)
    y = resize_nearest_raw(t, size, alignCorners, halfPixelCenters)
    return wrap(y[0] if squeeze else y, x.dtype)


def cropAndResize(image, boxes, boxInd, cropSize, method: str = 'bilinear',
                  extrapolationValue: float = 0):
    """Crops boxes [numBoxes, 4] (normalized y1, x1, y2, x2) from images boxInd and resizes
    each to cropSize; [numBoxes, cropH, cropW, c] float32.

    >>> import tfjs as tf
    >>> tf.image.cropAndResize(tf.ones([1, 4, 4, 1]), [[0, 0, 1, 1]], [0], [2, 2]).shape
    [1, 2, 2, 1]
    """
    img = numeric(image, 'image', 'cropAndResize')._value()
    bx = float32(boxes, 'boxes', 'cropAndResize')
    if isinstance(boxInd, Tensor):
        if boxInd.dtype != 'int32':
            raise ValueError("Argument 'boxInd' passed to 'cropAndResize' must be int32 tensor, "
                             f'but got {boxInd.dtype} tensor')
        bi = boxInd._value()
    else:
        bi = convert_to_tensor(boxInd, 'boxInd', 'cropAndResize', 'int32')._value()
    nb = bx.shape[0] if bx.ndim else 0
    _assert(img.ndim == 4, f'Error in cropAndResize: image must be rank 4,but got rank {img.ndim}.')
    _assert(bx.ndim == 2 and bx.shape[1] == 4, f'Error in cropAndResize: boxes must be have size '
                                               f'[{nb},4] but had shape {list(bx.shape)}.')
    _assert(bi.ndim == 1 and bi.shape[0] == nb, f'Error in cropAndResize: boxInd must be have '
                                                f'size [{nb}] but had shape {list(bx.shape)}.')
    _assert(len(cropSize) == 2, 'Error in cropAndResize: cropSize must be of length 2, but got '
                                f'length {len(cropSize)}.')
    _assert(cropSize[0] >= 1 and cropSize[1] >= 1, f'cropSize must be atleast [1,1], but was '
                                                   f'{list(cropSize)}')
    _assert(method in ('bilinear', 'nearest'), f'method must be bilinear or nearest, but was '
                                               f'{method}')
    return wrap(crop_and_resize_raw(img, bx, bi, [int(v) for v in cropSize], method,
                                    extrapolationValue), 'float32')


def _crop_coords(lo, hi, size: int, n: int):
    """Sample positions [boxes, n] (float64) along one axis."""
    lo, hi = lo.to(torch.float64), hi.to(torch.float64)
    if n > 1:
        scale = (hi - lo) * (size - 1) / (n - 1)
        steps = torch.arange(n, dtype=torch.float64, device=lo.device)
        return lo[:, None] * (size - 1) + steps[None] * scale[:, None]
    return (0.5 * (lo + hi) * (size - 1))[:, None]


def crop_and_resize_raw(img, boxes, box_ind, crop_size, method='bilinear', extrapolation=0.0):
    b, h, w, c = img.shape
    img = img if img.dtype == FLOAT else img.to(FLOAT)
    ch, cw = crop_size
    ys = _crop_coords(boxes[:, 0], boxes[:, 2], h, ch)        # [nb, ch]
    xs = _crop_coords(boxes[:, 1], boxes[:, 3], w, cw)        # [nb, cw]
    valid_box = box_ind < b
    bidx = torch.where(valid_box, box_ind, torch.zeros_like(box_ind)).long()
    if b == 0 or h == 0 or w == 0:
        return img.new_zeros((boxes.shape[0], ch, cw, c))
    inside = ((ys >= 0) & (ys <= h - 1))[:, :, None] & ((xs >= 0) & (xs <= w - 1))[:, None, :]
    ysc, xsc = ys.clamp(0, h - 1), xs.clamp(0, w - 1)
    if method == 'nearest':
        yi, xi = _js_round(ysc).long(), _js_round(xsc).long()
        out = img[bidx[:, None, None], yi[:, :, None], xi[:, None, :]]
    else:
        top, left = torch.floor(ysc).long(), torch.floor(xsc).long()
        bot, right = torch.ceil(ysc).long(), torch.ceil(xsc).long()
        yl = (ysc - top).to(FLOAT)[:, :, None, None]
        xl = (xsc - left).to(FLOAT)[:, None, :, None]
        bb = bidx[:, None, None]

        def at(yy, xx):
            return img[bb, yy[:, :, None], xx[:, None, :]]
        t = at(top, left) + (at(top, right) - at(top, left)) * xl
        bt = at(bot, left) + (at(bot, right) - at(bot, left)) * xl
        out = t + (bt - t) * yl
    fill = torch.tensor(float(extrapolation), dtype=FLOAT, device=img.device)
    out = torch.where(inside[..., None], out, fill)
    return torch.where(valid_box[:, None, None, None], out, torch.zeros((), dtype=FLOAT,
                                                                       device=img.device))


def flipLeftRight(image):
    """Flips images [batch, h, w, c] horizontally (float32).

    >>> import tfjs as tf
    >>> tf.image.flipLeftRight(tf.tensor4d([1, 2], [1, 1, 2, 1])).arraySync()
    [[[[2.0], [1.0]]]]
    """
    t = float32(image, 'image', 'flipLeftRight')
    _assert(t.ndim == 4, f'Error in flipLeftRight: image must be rank 4,but got rank {t.ndim}.')
    return wrap(torch.flip(t, dims=[2]), 'float32')


def grayscaleToRGB(image):
    """Repeats the single channel of grayscale images (last dim 1) three times.

    >>> import tfjs as tf
    >>> tf.image.grayscaleToRGB(tf.tensor2d([[5]])).arraySync()
    [[5.0, 5.0, 5.0]]
    """
    x = numeric(image, 'image', 'grayscaleToRGB')
    _assert(x.rank >= 2, 'Error in grayscaleToRGB: images must be at least rank 2, but got rank '
                         f'{x.rank}.')
    _assert(x.shape[-1] == 1, 'Error in grayscaleToRGB: last dimension of a grayscale image '
                              f'should be size 1, but got size {x.shape[-1]}.')
    from . import tile
    return tile(x, [1] * (x.rank - 1) + [3])


def rgbToGrayscale(image):
    """Luma (0.2989 R + 0.5870 G + 0.1140 B) of RGB images (last dim 3), keeping the last axis as
    size 1 and the dtype (int32 truncates).

    >>> import tfjs as tf
    >>> tf.image.rgbToGrayscale(tf.tensor2d([[1, 1, 1]])).shape
    [1, 1]
    """
    from . import cast
    x = numeric(image, 'image', 'RGBToGrayscale')
    _assert(x.rank >= 2, 'Error in RGBToGrayscale: images must be at least rank 2, but got rank '
                         f'{x.rank}.')
    _assert(x.shape[-1] == 3, 'Error in RGBToGrayscale: last dimension of an RGB image should be '
                              f'size 3, but got size {x.shape[-1]}.')
    _assert(x.rank <= 6, 'Not a valid tensor rank.')
    t = x._value().to(FLOAT)
    weights = torch.tensor([0.2989, 0.5870, 0.1140], dtype=FLOAT, device=t.device)
    gray = wrap(torch.matmul(t, weights).unsqueeze(-1), 'float32')
    return cast(gray, x.dtype) if x.dtype != 'float32' else gray


def _fill_per_channel(fillValue, c, device):
    if isinstance(fillValue, (int, float)):
        return torch.full((c,), float(fillValue), dtype=torch.float64, device=device)
    vals = [255.0 if i == 3 else float(fillValue[i]) if i < len(fillValue) else float('nan')
            for i in range(c)]
    return torch.tensor(vals, dtype=torch.float64, device=device)


def rotateWithOffset(image, radians: float, fillValue=0, center=0.5):
    """Rotates images [batch, h, w, c] by `radians` about `center` (a fraction of the size, or
    [x, y]), nearest sampling; uncovered pixels get fillValue (a number or [r, g, b]).

    >>> import tfjs as tf
    >>> tf.image.rotateWithOffset(tf.ones([1, 2, 2, 1]), 0).arraySync()
    [[[[1.0], [1.0]], [[1.0], [1.0]]]]
    """
    t = float32(image, 'image', 'rotateWithOffset')
    _assert(t.ndim == 4, f'Error in rotateWithOffset: image must be rank 4,but got rank {t.ndim}.')
    n, h, w, c = t.shape
    cx = w * (center if isinstance(center, (int, float)) else center[0])
    cy = h * (center if isinstance(center, (int, float)) else center[1])
    sin, cos = math.sin(radians), math.cos(radians)
    ys = torch.arange(h, dtype=torch.float64, device=t.device)[:, None]
    xs = torch.arange(w, dtype=torch.float64, device=t.device)[None, :]
    sx = _js_round((xs - cx) * cos - (ys - cy) * sin + cx)
    sy = _js_round((xs - cx) * sin + (ys - cy) * cos + cy)
    ok = (sx >= 0) & (sx < w) & (sy >= 0) & (sy < h)
    src = t[:, sy.clamp(0, max(h - 1, 0)).long(), sx.clamp(0, max(w - 1, 0)).long()] \
        if h and w else t
    fill = _fill_per_channel(fillValue, c, t.device).to(FLOAT)
    return wrap(torch.where(ok[None, :, :, None], src, fill), 'float32')


def _map_coord(v, size: int, mode: str):
    """TF.js's Transform mapCoord for a float64 tensor of coordinates."""
    if mode == 'reflect':
        if size <= 1:
            return torch.zeros_like(v)
        sz2 = 2 * size
        neg = v < 0
        a = torch.where(v < sz2, sz2 * torch.trunc(-v / sz2) + v, v)
        a = torch.where(a < -size, a + sz2, -a - 1)
        b = v - sz2 * torch.trunc(v / sz2)
        b = torch.where(b >= size, sz2 - b - 1, b)
        out = torch.where(neg, a, torch.where(v > size - 1, b, v))
        return out.clamp(0, size - 1)
    if mode == 'wrap':
        if size <= 1:
            return torch.zeros_like(v)
        sz = size - 1
        a = v + size * (torch.trunc(-v / sz) + 1)
        b = v - size * torch.trunc(v / sz)
        out = torch.where(v < 0, a, torch.where(v > size - 1, b, v))
        return out.clamp(0, size - 1)
    if mode == 'nearest':
        return v.clamp(0, size - 1)
    return v


def transform(image, transforms, interpolation: str = 'nearest', fillMode: str = 'constant',
              fillValue: float = 0, outputShape=None):
    """Projective transform of images [batch, h, w, c]: transforms [batch or 1, 8] rows
    [a0, a1, a2, b0, b1, b2, c0, c1] map output (x, y) to input
    ((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k), k = c0 x + c1 y + 1.

    >>> import tfjs as tf
    >>> tf.image.transform(tf.ones([1, 2, 2, 1]), [[1, 0, 0, 0, 1, 0, 0, 0]]).shape
    [1, 2, 2, 1]
    """
    t = float32(image, 'image', 'transform')
    tr = float32(transforms, 'transforms', 'transform')
    _assert(t.ndim == 4, f'Error in transform: image must be rank 4,but got rank {t.ndim}.')
    _assert(tr.ndim == 2 and tr.shape[0] in (t.shape[0], 1) and tr.shape[1] == 8,
            'Error in transform: Input transform should be batch x 8 or 1 x 8')
    _assert(outputShape is None or len(outputShape) == 2, 'Error in transform: outputShape must '
            f'be [height, width] or null, but got {outputShape}.')
    if interpolation not in ('nearest', 'bilinear'):
        raise ValueError(f"Error in Transform: Expect 'nearest' or 'bilinear', but got "
                         f'{interpolation}')
    n, h, w, c = t.shape
    oh, ow = (h, w) if outputShape is None else (int(outputShape[0]), int(outputShape[1]))
    d = t.device
    m = tr.to(torch.float64).expand(n, 8)[:, :, None, None]
    oy = torch.arange(oh, dtype=torch.float64, device=d)[None, :, None]
    ox = torch.arange(ow, dtype=torch.float64, device=d)[None, None, :]
    proj = m[:, 6] * ox + m[:, 7] * oy + 1
    in_x = _map_coord((m[:, 0] * ox + m[:, 1] * oy + m[:, 2]) / proj, w, fillMode)
    in_y = _map_coord((m[:, 3] * ox + m[:, 4] * oy + m[:, 5]) / proj, h, fillMode)
    bidx = torch.arange(n, device=d)[:, None, None]
    fill = float(fillValue)

    def read(yy, xx):
        ok = (yy >= 0) & (yy < h) & (xx >= 0) & (xx < w)
        v = t.to(torch.float64)[bidx, yy.clamp(0, max(h - 1, 0)).long(),
                                xx.clamp(0, max(w - 1, 0)).long()]
        return torch.where(ok[..., None], v, torch.tensor(fill, dtype=torch.float64, device=d))

    if n == 0 or h == 0 or w == 0:
        return wrap(t.new_full((n, oh, ow, c), fill), 'float32')
    if interpolation == 'nearest':
        out = read(_js_round(in_y), _js_round(in_x))
    else:
        yf, xf = torch.floor(in_y), torch.floor(in_x)
        yc, xc = yf + 1, xf + 1
        wx0, wx1 = (xc - in_x)[..., None], (in_x - xf)[..., None]
        top = wx0 * read(yf, xf) + wx1 * read(yf, xc)
        bot = wx0 * read(yc, xf) + wx1 * read(yc, xc)
        out = (yc - in_y)[..., None] * top + (in_y - yf)[..., None] * bot
    out = torch.where((proj == 0)[..., None], torch.tensor(fill, dtype=torch.float64, device=d), out)
    return wrap(out.to(FLOAT), 'float32')


def threshold(image, method: str = 'binary', inverted: bool = False, threshValue: float = 0.5):
    """Binarizes an image [h, w, 1 or 3] (RGB is converted to luma first): 255 where the value is
    above threshValue * 255 (or Otsu's threshold with method 'otsu'), else 0; int32.

    >>> import tfjs as tf
    >>> tf.image.threshold(tf.tensor3d([[[100], [200]]])).arraySync()
    [[[0], [255]]]
    """
    x = tensor_of(image, 'image', 'threshold')
    _assert(x.rank == 3, f'Error in threshold: image must be rank 3,but got rank {x.rank}.')
    _assert(x.shape[2] in (3, 1), 'Error in threshold: image color channel must be equal to 3 or '
                                  f'1but got {x.shape[2]}.')
    _assert(x.dtype in ('int32', 'float32'), 'Error in dtype: image dtype must be int32 or '
                                             f'float32,but got dtype {x.dtype}.')
    _assert(method in ('otsu', 'binary'), f'Method must be binary or otsu, but was {method}')
    t = x._value()
    if x.shape[2] == 3:
        tf_ = t.to(FLOAT)
        gray = (tf_[..., 0:1] * 0.2989 + tf_[..., 1:2] * 0.5870) + tf_[..., 2:3] * 0.1140
    else:
        gray = t
    thresh = torch.tensor(float(threshValue) * 255, dtype=FLOAT, device=t.device)
    if method == 'otsu':
        thresh = _otsu(gray, x.shape[0] * x.shape[1])
    g = gray.to(FLOAT) if not gray.is_floating_point() else gray
    cond = g <= thresh if inverted else g > thresh
    return wrap(cond.to(torch.int32) * 255, 'int32')


def _otsu(gray, total: int):
    vals = torch.round(gray.to(FLOAT)).to(torch.int64).reshape(-1)
    vals = vals[(vals >= 0) & (vals < 256)]
    hist = torch.bincount(vals, minlength=256)[:256].to(FLOAT).cpu()
    best_thresh, best_var = -1.0, torch.tensor(0.0, dtype=FLOAT)
    total_f = torch.tensor(float(total), dtype=FLOAT)
    idx = torch.arange(256, dtype=FLOAT)
    for i in range(255):
        first, second = hist[:i + 1], hist[i + 1:]
        s1, s2 = first.sum(), second.sum()
        wf, wb = s1 / total_f, s2 / total_f
        m1 = (first * idx[:i + 1]).sum() / s1
        m2 = (second * (idx[:256 - i - 1] + float(i + 1))).sum() / s2
        var = wf * wb * (m1 - m2) * (m1 - m2)
        if bool(var > best_var):
            best_var, best_thresh = var, float(i)
    return torch.tensor(best_thresh, dtype=FLOAT, device=gray.device)
