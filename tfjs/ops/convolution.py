"""Convolution ops (TF.js doc section "Operations / Convolution"): conv1d, conv2d,
conv2dTranspose, conv3d, conv3dTranspose, depthwiseConv2d, separableConv2d, dilation2d.

TF.js layouts: inputs NHWC ('channelsLast'; NCHW where TF.js allows it), filters
[h, w, in, out]. 'same' padding pads more at the end, exactly as TF.js. The `*_raw` helpers take
and return torch tensors (for the layers)."""
from __future__ import annotations

import torch

from ..errors import ValueError
from . import _conv_util as cu
from ._dispatch import float32, wrap

__all__ = ['conv1d', 'conv2d', 'conv2dTranspose', 'conv3d', 'conv3dTranspose',
           'depthwiseConv2d', 'separableConv2d', 'dilation2d']


def _assert(cond, msg):
    if not cond:
        raise ValueError(msg)


# ---------------------------------------------------------------- torch-level helpers (layers)

def conv2d_raw(x, filter, strides=1, pad='valid', dilations=1, dataFormat: str = 'NHWC',
               dimRoundingMode=None):
    """conv2d on torch tensors: x [N, H, W, C] (or NCHW), filter [h, w, in, out]."""
    s, d = cu.tuple_param(strides, 2), cu.tuple_param(dilations, 2, 'dilations')
    last = dataFormat == 'NHWC'
    xc = cu.to_channels_first(x) if last else x
    pads, _ = cu.geometry(xc.shape[2:], cu.effective(filter.shape[:2], d), s, pad,
                          dimRoundingMode, last)
    y = cu.conv_nd(xc, filter.permute(3, 2, 0, 1), s, pads, d)
    return cu.to_channels_last(y) if last else y


def conv1d_raw(x, filter, stride=1, pad='valid', dilation=1, dimRoundingMode=None):
    """conv1d on torch tensors: x [N, W, C], filter [w, in, out]. Explicit padding is given in
    TF.js's 4D form [[0, 0], [0, 0], [left, right], [0, 0]] (or [[0, 0], [left, right], [0, 0]]).
    Unlike TF.js (whose conv1d fails for numeric pads), a numeric pad pads the width only."""
    s, d = cu.tuple_param(stride, 1), cu.tuple_param(dilation, 1, 'dilation')
    if isinstance(pad, (list, tuple)) and len(pad) == 4:
        pad = [pad[0], pad[2], pad[3]]
    xc = cu.to_channels_first(x)
    pads, _ = cu.geometry(xc.shape[2:], cu.effective(filter.shape[:1], d), s, pad, dimRoundingMode)
    return cu.to_channels_last(cu.conv_nd(xc, filter.permute(2, 1, 0), s, pads, d))


def depthwise_conv2d_raw(x, filter, strides=1, pad='valid', dilations=1,
                         dataFormat: str = 'NHWC', dimRoundingMode=None):
    """depthwiseConv2d on torch tensors: filter [h, w, in, multiplier] -> in * multiplier
    channels, channel c * multiplier + m."""
    s, d = cu.tuple_param(strides, 2), cu.tuple_param(dilations, 2, 'dilations')
    last = dataFormat == 'NHWC'
    xc = cu.to_channels_first(x) if last else x
    h, w, cin, mult = filter.shape
    pads, _ = cu.geometry(xc.shape[2:], cu.effective((h, w), d), s, pad, dimRoundingMode, last)
    wt = filter.permute(2, 3, 0, 1).reshape(cin * mult, 1, h, w)
    y = cu.conv_nd(xc, wt, s, pads, d, groups=cin)
    return cu.to_channels_last(y) if last else y


def conv3d_raw(x, filter, strides=1, pad='valid', dilations=1):
    """conv3d on torch tensors: x [N, D, H, W, C], filter [d, h, w, in, out]."""
    s, d = cu.tuple_param(strides, 3), cu.tuple_param(dilations, 3, 'dilations')
    xc = cu.to_channels_first(x)
    pads, _ = cu.geometry(xc.shape[2:], cu.effective(filter.shape[:3], d), s, pad,
                          clamp_same=False)
    y = cu.conv_nd(xc, filter.permute(4, 3, 0, 1, 2), s, pads, d)
    return cu.to_channels_last(y)


def conv_transpose_raw(x, filter, outputShape, strides=1, pad='valid', dimRoundingMode=None):
    """conv2dTranspose / conv3dTranspose on torch tensors: x [N, *s, Cin], filter
    [*k, out, in], outputShape [N, *s', out] (the input gradient of the matching conv)."""
    n = filter.ndim - 2
    s = cu.tuple_param(strides, n)
    in_sizes = list(outputShape[1:1 + n])
    pads, outs = cu.geometry(in_sizes, filter.shape[:n], s, pad, dimRoundingMode,
                             clamp_same=n == 2)
    _assert(list(outs) == list(x.shape[1:1 + n]),
            f'Error in conv{n}dDerInput: the input spatial shape {list(x.shape[1:1 + n])} does not '
            f'match the shape {outs} that a conv of outputShape {list(outputShape)} would give.')
    perm = (n + 1, n, *range(n))
    y = cu.conv_transpose_nd(cu.to_channels_first(x), filter.permute(*perm), in_sizes, s, pads)
    return cu.to_channels_last(y)


# ---------------------------------------------------------------- public ops

def _rank_up(t, rank: int, op: str, what: str = 'input'):
    if t.ndim == rank - 1:
        return t.unsqueeze(0), True
    _assert(t.ndim == rank, f'Error in {op}: {what} must be rank {rank}, but got rank {t.ndim}.')
    return t, False


def _check_sd(op: str, strides, dilations, n: int = 2, label='strides'):
    s, d = cu.tuple_param(strides, n), cu.tuple_param(dilations, n, 'dilations')
    _assert(cu.either_one(s, d), f'Error in {op}: Either {label} or dilations must be 1. Got '
                                 f'{label} {strides} and dilations \'{dilations}\'')
    _assert(all(v > 0 for v in d), f'Error in {op}: Dilated rates should be larger than 0.')
    _assert(all(v > 0 for v in s), f'Error in {op}: Strides should be larger than 0.')


def conv2d(x, filter, strides, pad, dataFormat: str = 'NHWC', dilations=(1, 1),
           dimRoundingMode: str | None = None):
    """2D convolution of x [batch, h, w, in] (or [h, w, in]) with filter [fh, fw, in, out].

    >>> import tfjs as tf
    >>> tf.conv2d(tf.ones([1, 3, 3, 1]), tf.ones([2, 2, 1, 1]), 1, 'valid').shape
    [1, 2, 2, 1]
    """
    t, f = float32(x, 'x', 'conv2d'), float32(filter, 'filter', 'conv2d')
    t4, squeeze = _rank_up(t, 4, 'conv2d')
    _assert(f.ndim == 4, f'Error in conv2d: filter must be rank 4, but got rank {f.ndim}.')
    cu.check_pad_rounding('conv2d', pad, dimRoundingMode)
    if dataFormat not in ('NHWC', 'NCHW'):
        raise ValueError(f'Unknown dataFormat {dataFormat}')
    depth = t4.shape[3] if dataFormat == 'NHWC' else t4.shape[1]
    _assert(depth == f.shape[2], f'Error in conv2d: depth of input ({depth}) must match input '
                                 f'depth for filter {f.shape[2]}.')
    _check_sd('conv2D', strides, dilations)
    y = conv2d_raw(t4, f, strides, pad, dilations, dataFormat, dimRoundingMode)
    return wrap(y[0] if squeeze else y, 'float32')


def conv1d(x, filter, stride: int, pad, dataFormat: str = 'NWC', dilation: int = 1,
           dimRoundingMode: str | None = None):
    """1D convolution of x [batch, width, in] (or [width, in]) with filter [fw, in, out].

    >>> import tfjs as tf
    >>> tf.conv1d(tf.ones([4, 1]), tf.ones([2, 1, 1]), 1, 'valid').arraySync()
    [[2.0], [2.0], [2.0]]
    """
    t, f = float32(x, 'x', 'conv1d'), float32(filter, 'filter', 'conv1d')
    t3, squeeze = _rank_up(t, 3, 'conv1d')
    _assert(f.ndim == 3, f'Error in conv1d: filter must be rank 3, but got rank {f.ndim}.')
    cu.check_pad_rounding('conv1d', pad, dimRoundingMode)
    _assert(t3.shape[2] == f.shape[1], f'Error in conv1d: depth of input ({t3.shape[2]}) must '
                                       f'match input depth for filter {f.shape[1]}.')
    _check_sd('conv1D', stride, dilation, 1, 'stride')
    _assert(dataFormat == 'NWC', f'Error in conv1d: got dataFormat of {dataFormat} but only NWC '
                                 'is currently supported.')
    y = conv1d_raw(t3, f, stride, pad, dilation, dimRoundingMode)
    return wrap(y[0] if squeeze else y, 'float32')


def conv2dTranspose(x, filter, outputShape, strides, pad, dimRoundingMode: str | None = None):
    """Transposed 2D convolution (the input gradient of conv2d): x [batch, h, w, in], filter
    [fh, fw, out, in], outputShape [batch, h', w', out] (or without batch).

    >>> import tfjs as tf
    >>> tf.conv2dTranspose(tf.ones([1, 2, 2, 1]), tf.ones([2, 2, 1, 1]), [1, 3, 3, 1], 1, 'valid').shape
    [1, 3, 3, 1]
    """
    return _conv_transpose(x, filter, outputShape, strides, pad, dimRoundingMode, 2)


def conv3dTranspose(x, filter, outputShape, strides, pad):
    """Transposed 3D convolution: x [batch, d, h, w, in], filter [fd, fh, fw, out, in].

    >>> import tfjs as tf
    >>> tf.conv3dTranspose(tf.ones([1, 1, 1, 1]), tf.ones([2, 2, 2, 1, 1]), [2, 2, 2, 1], 1, 'valid').shape
    [2, 2, 2, 1]
    """
    return _conv_transpose(x, filter, outputShape, strides, pad, None, 3)


def _conv_transpose(x, filter, outputShape, strides, pad, mode, n):
    op = f'conv{n}dDerInput'
    t = float32(x, 'x', f'conv{n}dTranspose')
    f = float32(filter, 'filter', f'conv{n}dTranspose')
    shape = [int(v) for v in outputShape]
    _assert(len(shape) == t.ndim, f'Length of inShape ({len(shape)}) and rank of dy ({t.ndim}) '
                                  'must match')
    squeeze = t.ndim == n + 1
    if squeeze:
        t, shape = t.unsqueeze(0), [1] + shape
    _assert(len(shape) == n + 2, f'Error in {op}: inShape must be length {n + 2}, but got length '
                                 f'{len(shape)}.')
    _assert(t.ndim == n + 2, f'Error in {op}: dy must be rank {n + 2}, but got rank {t.ndim}')
    _assert(f.ndim == n + 2, f'Error in {op}: filter must be rank {n + 2}, but got rank {f.ndim}')
    _assert(shape[-1] == f.shape[n], f'Error in {op}: depth of input ({shape[-1]}) must match '
                                     f'input depth for filter {f.shape[n]}.')
    _assert(t.shape[-1] == f.shape[n + 1], f'Error in {op}: depth of output ({t.shape[-1]}) must '
                                           f'match output depth for filter {f.shape[n + 1]}.')
    if n == 2:
        cu.check_pad_rounding(op, pad, mode)
    y = conv_transpose_raw(t, f, shape, strides, pad, mode)
    return wrap(y[0] if squeeze else y, 'float32')


def conv3d(x, filter, strides, pad, dataFormat: str = 'NDHWC', dilations=(1, 1, 1)):
    """3D convolution of x [batch, d, h, w, in] with filter [fd, fh, fw, in, out].

    >>> import tfjs as tf
    >>> tf.conv3d(tf.ones([2, 2, 2, 1]), tf.ones([2, 2, 2, 1, 1]), 1, 'valid').shape
    [1, 1, 1, 1]
    """
    t, f = float32(x, 'x', 'conv3d'), float32(filter, 'filter', 'conv3d')
    t5, squeeze = _rank_up(t, 5, 'conv3d')
    _assert(f.ndim == 5, f'Error in conv3d: filter must be rank 5, but got rank {f.ndim}.')
    _assert(t5.shape[4] == f.shape[3], f'Error in conv3d: depth of input ({t5.shape[4]}) must '
                                       f'match input depth for filter {f.shape[3]}.')
    s, d = cu.tuple_param(strides, 3), cu.tuple_param(dilations, 3, 'dilations')
    _assert(cu.either_one(s, d), 'Error in conv3D: Either strides or dilations must be 1. Got '
                                 f"strides {strides} and dilations '{dilations}'")
    _assert(dataFormat == 'NDHWC', f'Error in conv3d: got dataFormat of {dataFormat} but only '
                                   'NDHWC is currently supported.')
    _assert(all(v > 0 for v in d), 'Error in conv3D: Dilated rates should be larger than 0.')
    _assert(all(v > 0 for v in s), 'Error in conv3D: Strides should be larger than 0.')
    y = conv3d_raw(t5, f, s, pad, d)
    return wrap(y[0] if squeeze else y, 'float32')


def depthwiseConv2d(x, filter, strides, pad, dataFormat: str = 'NHWC', dilations=(1, 1),
                    dimRoundingMode: str | None = None):
    """Depthwise 2D convolution: filter [fh, fw, in, multiplier] gives in * multiplier channels.

    >>> import tfjs as tf
    >>> tf.depthwiseConv2d(tf.ones([3, 3, 2]), tf.ones([2, 2, 2, 3]), 1, 'valid').shape
    [2, 2, 6]
    """
    t, f = float32(x, 'x', 'depthwiseConv2d'), float32(filter, 'filter', 'depthwiseConv2d')
    t4, squeeze = _rank_up(t, 4, 'depthwiseConv2d')
    _assert(f.ndim == 4, f'Error in depthwiseConv2d: filter must be rank 4, but got rank {f.ndim}.')
    cin = t4.shape[3] if dataFormat == 'NHWC' else t4.shape[1]
    _assert(cin == f.shape[2], f'Error in depthwiseConv2d: number of input channels ({cin}) must '
                               f'match the inChannels dimension in filter {f.shape[2]}.')
    cu.check_pad_rounding('depthwiseConv2d', pad, dimRoundingMode)
    _check_sd('depthwiseConv2D', strides, dilations)
    y = depthwise_conv2d_raw(t4, f, strides, pad, dilations, dataFormat, dimRoundingMode)
    return wrap(y[0] if squeeze else y, 'float32')


def separableConv2d(x, depthwiseFilter, pointwiseFilter, strides, pad, dilation=(1, 1),
                    dataFormat: str = 'NHWC'):
    """A depthwise convolution followed by a 1x1 (pointwise) convolution.

    >>> import tfjs as tf
    >>> tf.separableConv2d(tf.ones([3, 3, 2]), tf.ones([2, 2, 2, 1]), tf.ones([1, 1, 2, 4]), 1, 'valid').shape
    [2, 2, 4]
    """
    t = float32(x, 'x', 'separableConv2d')
    dw = float32(depthwiseFilter, 'depthwiseFilter', 'separableConv2d')
    pw = float32(pointwiseFilter, 'pointwiseFilter', 'separableConv2d')
    t4, squeeze = _rank_up(t, 4, 'separableConv2d')
    if dataFormat == 'NCHW':
        raise ValueError('separableConv2d currently does not support dataFormat NCHW; only NHWC '
                         'is supported')
    _assert(dw.ndim == 4, 'Error in separableConv2d: depthwise filter must be rank 4, but got '
                          f'rank {dw.ndim}.')
    _assert(pw.ndim == 4, 'Error in separableConv2d: pointwise filter must be rank 4, but got '
                          f'rank {pw.ndim}.')
    _assert(pw.shape[0] == 1, 'Error in separableConv2d: the first dimension of pointwise filter '
                              f' must be 1, but got {pw.shape[0]}.')
    _assert(pw.shape[1] == 1, 'Error in separableConv2d: the second dimension of pointwise filter '
                              f'must be 1, but got {pw.shape[1]}.')
    c = dw.shape[2] * dw.shape[3]
    _assert(pw.shape[2] == c, 'Error in separableConv2d: the third dimension of pointwise filter '
                              f'must be {c}, but got {pw.shape[2]}.')
    _assert(t4.shape[3] == dw.shape[2], 'Error in depthwiseConv2d: number of input channels '
                                        f'({t4.shape[3]}) must match the inChannels dimension in '
                                        f'filter {dw.shape[2]}.')
    _check_sd('depthwiseConv2D', strides, dilation)
    y = depthwise_conv2d_raw(t4, dw, strides, pad, dilation)
    y = torch.matmul(y, pw[0, 0])
    return wrap(y[0] if squeeze else y, 'float32')


def dilation2d(x, filter, strides, pad, dilations=(1, 1), dataFormat: str = 'NHWC'):
    """Grayscale morphological dilation: out = max over the window of x + filter
    (filter [fh, fw, depth]); the gradient goes to the first maximum, as in TF.js.

    >>> import tfjs as tf
    >>> tf.dilation2d(tf.tensor3d([[[1], [2]], [[3], [4]]]), tf.zeros([2, 2, 1]), 1, 'valid').arraySync()
    [[[4.0]]]
    """
    t, f = float32(x, 'x', 'dilation2d'), float32(filter, 'filter', 'dilation2d')
    _assert(t.ndim in (3, 4), f'Error in dilation2d: input must be rank 3 or 4, but got rank '
                              f'{t.ndim}.')
    _assert(f.ndim == 3, f'Error in dilation2d: filter must be rank 3, but got rank {f.ndim}.')
    _assert(dataFormat == 'NHWC', 'Error in dilation2d: Only NHWC is currently supported, but got '
                                  f'dataFormat of {dataFormat}')
    t4, squeeze = _rank_up(t, 4, 'dilation2d')
    _assert(t4.shape[3] == f.shape[2], 'Error in dilation2d:  input and filter must have the same '
                                       f'depth: {t4.shape[3]} vs {f.shape[2]}')
    y = dilation2d_raw(t4, f, strides, pad, dilations)
    return wrap(y[0] if squeeze else y, 'float32')


def dilation2d_raw(x, filter, strides=1, pad='valid', dilations=1):
    s, d = cu.tuple_param(strides, 2), cu.tuple_param(dilations, 2, 'dilations')
    n, h, w, c = x.shape
    fh, fw, _ = filter.shape
    pads, (oh, ow) = cu.geometry((h, w), cu.effective((fh, fw), d), s, pad)
    xc = cu.pad_spatial(cu.to_channels_first(x), pads, float('-inf'))
    if oh == 0 or ow == 0 or n == 0 or c == 0:
        return x.new_zeros((n, oh, ow, c))
    cols = torch.nn.functional.unfold(xc, (fh, fw), dilation=d, stride=s)   # N, C*fh*fw, L
    cols = cols.reshape(n, c, fh * fw, oh * ow) + filter.permute(2, 0, 1).reshape(1, c, fh * fw, 1)
    idx = torch.argmax(cols, dim=2, keepdim=True)           # the first maximum, as TF.js
    y = torch.gather(cols, 2, idx).reshape(n, c, oh, ow)
    y = torch.clamp(y, min=-9007199254740991.0)             # TF.js starts at MIN_SAFE_INTEGER
    return cu.to_channels_last(y)
