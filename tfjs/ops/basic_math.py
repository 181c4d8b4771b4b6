"""Element-wise math ops (TF.js doc section "Operations / Basic math")."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from ..errors import ValueError
from ._dispatch import float_raw, pair, tensor_of, wrap

__all__ = ['abs', 'neg', 'square', 'sign', 'relu', 'exp', 'expm1', 'log', 'log1p', 'sqrt', 'rsqrt',
           'reciprocal', 'sigmoid', 'tanh', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh',
           'cosh', 'asinh', 'acosh', 'atanh', 'erf', 'floor', 'ceil', 'round', 'softplus',
           'logSigmoid', 'selu', 'relu6', 'elu', 'isNaN', 'isInf', 'isFinite', 'step', 'leakyRelu',
           'prelu', 'clipByValue', 'atan2']


def _float_op(name, fn, doc):
    """A unary op computed in float32 (int32 and bool inputs are cast first)."""
    def op(x):
        return wrap(fn(float_raw(x, 'x', name)), 'float32' if not _is_complex(x) else 'complex64')
    op.__name__ = name
    op.__doc__ = doc
    return op


def _keep_op(name, fn, doc):
    """A unary op that keeps int32 inputs int32 (bool is rejected)."""
    def op(x):
        x = tensor_of(x, 'x', name)
        if x.dtype in ('bool', 'string'):
            raise ValueError(f'{name} does not support {x.dtype} tensors; cast to float32 or int32 '
                             'first.')
        return wrap(fn(x._value()), x.dtype)
    op.__name__ = name
    op.__doc__ = doc
    return op


def _is_complex(x):
    return getattr(x, 'dtype', None) == 'complex64'


abs = _keep_op('abs', torch.abs, 'Absolute value, element-wise.')  # noqa: A001
neg = _keep_op('neg', torch.neg, 'Negation, element-wise.')
square = _keep_op('square', torch.square, 'x * x, element-wise.')
sign = _keep_op('sign', torch.sign, 'Sign (-1, 0 or 1), element-wise.')
relu = _keep_op('relu', torch.relu, 'max(x, 0), element-wise. The gradient at 0 is 0, as in TF.js.')
exp = _float_op('exp', torch.exp, 'e ** x, element-wise.')
expm1 = _float_op('expm1', torch.expm1, 'exp(x) - 1, element-wise.')
log = _float_op('log', torch.log, 'Natural logarithm, element-wise.')
log1p = _float_op('log1p', torch.log1p, 'log(1 + x), element-wise.')
sqrt = _float_op('sqrt', torch.sqrt, 'Square root, element-wise.')
rsqrt = _float_op('rsqrt', torch.rsqrt, '1 / sqrt(x), element-wise.')
reciprocal = _float_op('reciprocal', torch.reciprocal, '1 / x, element-wise.')
sigmoid = _float_op('sigmoid', torch.sigmoid, '1 / (1 + exp(-x)), element-wise.')
tanh = _float_op('tanh', torch.tanh, 'Hyperbolic tangent, element-wise.')
sin = _float_op('sin', torch.sin, 'Sine, element-wise.')
cos = _float_op('cos', torch.cos, 'Cosine, element-wise.')
tan = _float_op('tan', torch.tan, 'Tangent, element-wise.')
asin = _float_op('asin', torch.asin, 'Arcsine, element-wise.')
acos = _float_op('acos', torch.acos, 'Arccosine, element-wise.')
atan = _float_op('atan', torch.atan, 'Arctangent, element-wise.')
sinh = _float_op('sinh', torch.sinh, 'Hyperbolic sine, element-wise.')
cosh = _float_op('cosh', torch.cosh, 'Hyperbolic cosine, element-wise.')
asinh = _float_op('asinh', torch.asinh, 'Inverse hyperbolic sine, element-wise.')
acosh = _float_op('acosh', torch.acosh, 'Inverse hyperbolic cosine, element-wise.')
atanh = _float_op('atanh', torch.atanh, 'Inverse hyperbolic tangent, element-wise.')
erf = _float_op('erf', torch.erf, 'Gauss error function, element-wise.')
floor = _float_op('floor', torch.floor, 'Round down, element-wise.')
ceil = _float_op('ceil', torch.ceil, 'Round up, element-wise.')
round = _float_op('round', torch.round, 'Round half to even, element-wise.')  # noqa: A001
softplus = _float_op('softplus', F.softplus, 'log(1 + exp(x)), element-wise.')
logSigmoid = _float_op('logSigmoid', F.logsigmoid, 'log(sigmoid(x)), element-wise.')
selu = _float_op('selu', F.selu, 'Scaled exponential linear unit, element-wise.')
relu6 = _keep_op('relu6', lambda t: torch.clamp(t, 0, 6), 'min(max(x, 0), 6), element-wise.')


def elu(x):
    """exp(x) - 1 for x < 0, x otherwise."""
    return wrap(F.elu(float_raw(x, 'x', 'elu')), 'float32')


def isNaN(x):
    """True where x is NaN."""
    return wrap(torch.isnan(float_raw(x, 'x', 'isNaN')), 'bool')


def isInf(x):
    """True where x is +/-Infinity."""
    return wrap(torch.isinf(float_raw(x, 'x', 'isInf')), 'bool')


def isFinite(x):
    """True where x is finite."""
    return wrap(torch.isfinite(float_raw(x, 'x', 'isFinite')), 'bool')


def step(x, alpha: float = 0.0):
    """1 where x > 0, alpha elsewhere (NaN stays NaN)."""
    t = float_raw(x, 'x', 'step')
    out = torch.where(t > 0, torch.ones_like(t), torch.full_like(t, alpha))
    return wrap(torch.where(torch.isnan(t), t, out), 'float32')


def leakyRelu(x, alpha: float = 0.2):
    """x for x >= 0, alpha * x otherwise."""
    return wrap(F.leaky_relu(float_raw(x, 'x', 'leakyRelu'), alpha), 'float32')


def prelu(x, alpha):
    """x for x >= 0, alpha * x otherwise, with a learned alpha tensor."""
    tx, ta, d = pair(x, alpha, 'prelu')
    return wrap(torch.where(tx < 0, ta * tx, tx), d)


def clipByValue(x, clipValueMin: float, clipValueMax: float):
    """Clip values to [clipValueMin, clipValueMax]."""
    if clipValueMin > clipValueMax:
        raise ValueError(f'Error in clip: min ({clipValueMin}) must be less than or equal to max '
                         f'({clipValueMax}).')
    x = tensor_of(x, 'x', 'clipByValue')
    return wrap(torch.clamp(x._value(), clipValueMin, clipValueMax), x.dtype)


def atan2(a, b):
    """Element-wise arctangent of a / b using both signs."""
    ta, tb, d = pair(a, b, 'atan2')
    return wrap(torch.atan2(ta.float(), tb.float()), 'float32')
