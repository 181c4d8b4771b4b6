"""`tf.fused`: matMul, conv2d and depthwiseConv2d with a bias and an activation in one call
('linear', 'relu', 'relu6', 'elu', 'prelu', 'leakyrelu', 'sigmoid'). Gradients are those of
the unfused composition, which is what TF.js computes too."""
from __future__ import annotations

from .._naming import normalize_args
from ..errors import ValueError

NAMESPACE = 'fused'
__all__ = ['matMul', 'conv2d', 'depthwiseConv2d']

_ACTIVATIONS = ('linear', 'relu', 'relu6', 'elu', 'prelu', 'leakyrelu', 'sigmoid')
_COMMON = ['bias', 'activation', 'preluActivationWeights', 'leakyreluAlpha']


def apply_activation(x, activation: str = 'linear', preluActivationWeights=None,
                     leakyreluAlpha: float | None = None):
    """TF.js's fused_util.applyActivation on a Tensor."""
    from . import elu, leakyRelu, prelu, relu, relu6, sigmoid
    if activation is None or activation == 'linear':
        return x
    if activation == 'relu':
        return relu(x)
    if activation == 'elu':
        return elu(x)
    if activation == 'relu6':
        return relu6(x)
    if activation == 'prelu':
        return prelu(x, preluActivationWeights)
    if activation == 'leakyrelu':
        return leakyRelu(x, 0.2 if leakyreluAlpha is None else leakyreluAlpha)
    if activation == 'sigmoid':
        return sigmoid(x)
    raise ValueError(f'Unknown fused activation {activation}. Use one of {", ".join(_ACTIVATIONS)}.')


def _finish(y, c):
    from . import add
    if c.get('bias') is not None:
        y = add(y, c['bias'])
    return apply_activation(y, c.get('activation', 'linear'), c.get('preluActivationWeights'),
                            c.get('leakyreluAlpha'))


def _check_activation(c):
    act = c.get('activation', 'linear')
    if act is not None and act not in _ACTIVATIONS:
        raise ValueError(f'Unknown fused activation {act}. Use one of {", ".join(_ACTIVATIONS)}.')


def matMul(config: dict | None = None, **kwargs):
    """a @ b (+ bias), then the activation. Config: a, b, transposeA, transposeB, bias,
    activation, preluActivationWeights, leakyreluAlpha.

    >>> import tfjs as tf
    >>> tf.fused.matMul({'a': tf.ones([1, 2]), 'b': tf.ones([2, 1]), 'bias': tf.scalar(-5), 'activation': 'relu'}).arraySync()
    [[0.0]]
    """
    from . import matMul as mm
    c = normalize_args(config, kwargs, ['a', 'b', 'transposeA', 'transposeB'] + _COMMON,
                       'tf.fused.matMul')
    _check_activation(c)
    y = mm(c['a'], c['b'], bool(c.get('transposeA', False)), bool(c.get('transposeB', False)))
    return _finish(y, c)


_CONV_KEYS = ['x', 'filter', 'strides', 'pad', 'dataFormat', 'dilations', 'dimRoundingMode']


def conv2d(config: dict | None = None, **kwargs):
    """conv2d (+ bias), then the activation. Config: x, filter, strides, pad, dataFormat
    ('NHWC' only), dilations, dimRoundingMode, bias, activation, preluActivationWeights,
    leakyreluAlpha.

    >>> import tfjs as tf
    >>> tf.fused.conv2d({'x': tf.ones([1, 2, 2, 1]), 'filter': tf.ones([2, 2, 1, 1]), 'strides': 1, 'pad': 'valid', 'bias': tf.scalar(1)}).arraySync()
    [[[[5.0]]]]
    """
    from .convolution import conv2d as conv
    c = normalize_args(config, kwargs, _CONV_KEYS + _COMMON, 'tf.fused.conv2d')
    _check_activation(c)
    fmt = c.get('dataFormat', 'NHWC')
    if fmt != 'NHWC':
        raise ValueError(f'Error in fused conv2d: got dataFormat of {fmt} but only NHWC is '
                         'currently supported.')
    y = conv(c['x'], c['filter'], c.get('strides'), c.get('pad'), fmt,
             c.get('dilations', [1, 1]), c.get('dimRoundingMode'))
    return _finish(y, c)


def depthwiseConv2d(config: dict | None = None, **kwargs):
    """depthwiseConv2d (+ bias), then the activation (config keys as tf.fused.conv2d).

    >>> import tfjs as tf
    >>> tf.fused.depthwiseConv2d({'x': tf.ones([2, 2, 1]), 'filter': tf.ones([2, 2, 1, 2]), 'strides': 1, 'pad': 'valid', 'bias': tf.tensor1d([0, -9]), 'activation': 'relu'}).arraySync()
    [[[4.0, 0.0]]]
    """
    from .convolution import depthwiseConv2d as conv
    c = normalize_args(config, kwargs, _CONV_KEYS + _COMMON, 'tf.fused.depthwiseConv2d')
    _check_activation(c)
    y = conv(c['x'], c['filter'], c.get('strides'), c.get('pad'), c.get('dataFormat', 'NHWC'),
             c.get('dilations', [1, 1]), c.get('dimRoundingMode'))
    return _finish(y, c)
