"""Element-wise math ops (TF.js doc section "Operations / Basic math").

Dtype rules follow TF.js 4.22 exactly, and fall in four kinds:

* float32 only (`sqrt`, `log`, `sin`, `tanh`, `floor`...): an int32 or bool *tensor* is rejected
  (cast it first); numbers and lists become float32.
* dtype-keeping (`abs`, `neg`, `relu`, `asin`, `softplus`...): int32 and bool inputs give int32
  and bool results, computed as JS numbers and stored as TF.js's typed arrays store them
  (int32 truncates toward zero, NaN/Infinity -> 0; bool is "non-zero after truncation").
* float-producing (`exp`, `leakyRelu`, `erf`, `prelu`): any numeric input, float32 result.
* predicates (`isNaN`, `isInf`, `isFinite`): bool result.

Gradients at kinks are TF.js's: d|x|/dx is -1 at 0, relu6's is 0 at 0 and 1 at 6, prelu's
is alpha at 0, clipByValue passes the gradient at both bounds.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from ..errors import ValueError
from ..tensor import Tensor as _Tensor
from ._dispatch import float32, numeric, pair, store, wrap
from ._kinks import Abs, Relu6, needs_grad

__all__ = ['abs', 'neg', 'square', 'sign', 'relu', 'exp', 'expm1', 'log', 'log1p', 'sqrt', 'rsqrt',
           'reciprocal', 'sigmoid', 'tanh', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh',
           'cosh', 'asinh', 'acosh', 'atanh', 'erf', 'floor', 'ceil', 'round', 'softplus',
           'logSigmoid', 'selu', 'relu6', 'elu', 'isNaN', 'isInf', 'isFinite', 'step', 'leakyRelu',
           'prelu', 'clipByValue', 'atan2']

_F64 = torch.float64
_Tensor_make = wrap


def _float_op(name: str, fn, doc: str):
    """A float32-only unary op (TF.js: `convertToTensor(x, 'x', name, 'float32')`)."""
    def op(x):
        return _Tensor_make(fn(float32(x, 'x', name)), 'float32')
    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


def _keep_op(name: str, fn, doc: str, int_fn=None, bool_fn=None):
    """A numeric unary op whose result keeps the input dtype (TF.js's CPU kernels)."""
    def op(x):
        if type(x) is not _Tensor or x.dtype != 'float32':
            x = numeric(x, 'x', name)
        t = x._t
        if t is None:
            x._value()   # raises: disposed
        d = x.dtype
        if d == 'float32':
            return _Tensor_make(fn(t), d)
        if d == 'int32' and int_fn is not None:
            return _Tensor_make(int_fn(t), d)
        if d == 'bool' and bool_fn is not None:
            return _Tensor_make(bool_fn(t), d)
        if d == 'complex64':
            return _Tensor_make(torch.abs(t), 'float32') if name == 'abs' else _Tensor_make(fn(t), d)
        return _Tensor_make(store(fn(t.to(_F64)), d), d)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


def _to_float_op(name: str, fn, doc: str):
    """A numeric unary op with a float32 result (int32 and bool are converted)."""
    def op(x):
        x = numeric(x, 'x', name)
        t = x._t
        return _Tensor_make(fn(t if x.dtype == 'float32' else t.float()), 'float32')
    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


def _ident(t):
    return t.clone()


def _abs(t):
    return Abs.apply(t) if needs_grad(t) else torch.abs(t)


def _relu6(t):
    return Relu6.apply(t) if needs_grad(t) else torch.clamp(t, 0, 6)


def _sqrt(t):
    # correctly rounded like TF.js (JS computes in float64, then stores float32)
    return torch.sqrt(t.to(_F64)).to(torch.float32)


def _rsqrt(t):
    return (1.0 / torch.sqrt(t.to(_F64))).to(torch.float32)


def _tfjs_softplus(t):
    # TF.js's kernel: x above -log(eps) - 2 stays x, below log(eps) + 2 is exp(x)
    return F.softplus(t, threshold=13.942384719848633) if t.dtype != _F64 else torch.log1p(torch.exp(t))


abs = _keep_op('abs', _abs, 'Absolute value, element-wise.\n\n    >>> import tfjs as tf\n    '  # noqa: A001
               '>>> tf.abs(tf.tensor1d([-1, 2])).arraySync()\n    [1.0, 2.0]\n    ',
               torch.abs, _ident)
neg = _keep_op('neg', torch.neg, 'Negation, element-wise.\n\n    >>> import tfjs as tf\n    '
               '>>> tf.neg(tf.tensor1d([-1, 2])).arraySync()\n    [1.0, -2.0]\n    ',
               torch.neg, _ident)
square = _keep_op('square', torch.square, 'x * x, element-wise.\n\n    >>> import tfjs as tf\n    '
                  '>>> tf.square(tf.tensor1d([-3])).arraySync()\n    [9.0]\n    ',
                  torch.square, _ident)
sign = _keep_op('sign', torch.sign, 'Sign (-1, 0 or 1; 0 for NaN), element-wise.\n\n    >>> import '
                'tfjs as tf\n    >>> tf.sign(tf.tensor1d([-3, 0, 2])).arraySync()\n    [-1.0, 0.0, 1.0]\n    ',
                torch.sign, _ident)
relu = _keep_op('relu', torch.relu, 'max(x, 0), element-wise (NaN stays NaN; gradient 0 at 0).'
                '\n\n    >>> import tfjs as tf\n    >>> tf.relu(tf.tensor1d([-1, 2])).arraySync()\n'
                '    [0.0, 2.0]\n    ', torch.relu, _ident)
relu6 = _keep_op('relu6', _relu6, 'min(max(x, 0), 6), element-wise.\n\n    >>> import tfjs as tf\n'
                 '    >>> tf.relu6(tf.tensor1d([-1, 8])).arraySync()\n    [0.0, 6.0]\n    ',
                 lambda t: torch.clamp(t, 0, 6), _ident)
round = _keep_op('round', torch.round, 'Round half to even, element-wise.\n\n    >>> import tfjs '  # noqa: A001
                 'as tf\n    >>> tf.round(tf.tensor1d([0.5, 1.5, 2.5])).arraySync()\n    [0.0, 2.0, 2.0]\n    ',
                 _ident, _ident)
reciprocal = _keep_op('reciprocal', torch.reciprocal, '1 / x, element-wise.')
expm1 = _keep_op('expm1', torch.expm1, 'exp(x) - 1, element-wise.')
log1p = _keep_op('log1p', torch.log1p, 'log(1 + x), element-wise.')
asin = _keep_op('asin', torch.asin, 'Arcsine, element-wise.')
acos = _keep_op('acos', torch.acos, 'Arccosine, element-wise.')
atan = _keep_op('atan', torch.atan, 'Arctangent, element-wise.')
sinh = _keep_op('sinh', torch.sinh, 'Hyperbolic sine, element-wise.')
asinh = _keep_op('asinh', torch.asinh, 'Inverse hyperbolic sine, element-wise.')
acosh = _keep_op('acosh', torch.acosh, 'Inverse hyperbolic cosine, element-wise.')
atanh = _keep_op('atanh', torch.atanh, 'Inverse hyperbolic tangent, element-wise.')
softplus = _keep_op('softplus', _tfjs_softplus, 'log(1 + exp(x)), element-wise.')
selu = _keep_op('selu', F.selu, 'Scaled exponential linear unit, element-wise.')
logSigmoid = _keep_op('logSigmoid', lambda t: -_tfjs_softplus(-t), 'log(sigmoid(x)), element-wise.',
                      bool_fn=_ident)
exp = _to_float_op('exp', torch.exp, 'e ** x, element-wise (int32 and bool give float32).\n\n'
                   '    >>> import tfjs as tf\n    >>> tf.exp(tf.tensor1d([0])).arraySync()\n    [1.0]\n    ')
sqrt = _float_op('sqrt', _sqrt, 'Square root, element-wise (float32 only; correctly rounded).\n\n'
                 '    >>> import tfjs as tf\n    >>> tf.sqrt(tf.tensor1d([4, 2])).arraySync()\n'
                 '    [2.0, 1.4142135381698608]\n    ')
rsqrt = _float_op('rsqrt', _rsqrt, '1 / sqrt(x), element-wise (float32 only).')
log = _float_op('log', torch.log, 'Natural logarithm, element-wise (float32 only).')
sigmoid = _float_op('sigmoid', torch.sigmoid, '1 / (1 + exp(-x)), element-wise (float32 only).')
tanh = _float_op('tanh', torch.tanh, 'Hyperbolic tangent, element-wise (float32 only).')
sin = _float_op('sin', torch.sin, 'Sine, element-wise (float32 only).')
cos = _float_op('cos', torch.cos, 'Cosine, element-wise (float32 only).')
tan = _float_op('tan', torch.tan, 'Tangent, element-wise (float32 only).')
cosh = _float_op('cosh', torch.cosh, 'Hyperbolic cosine, element-wise (float32 only).')
floor = _float_op('floor', torch.floor, 'Round down, element-wise (float32 only).')
ceil = _float_op('ceil', torch.ceil, 'Round up, element-wise (float32 only).')
elu = _float_op('elu', F.elu, 'exp(x) - 1 for x < 0, x otherwise (float32 only).')


def erf(x):
    """Gauss error function, element-wise (int32 gives float32; bool is rejected as in TF.js).

    >>> import tfjs as tf
    >>> tf.erf(tf.tensor1d([0])).arraySync()
    [0.0]
    """
    x = numeric(x, 'x', 'erf')
    if x.dtype not in ('int32', 'float32'):
        raise ValueError('Input dtype must be `int32` or `float32`.')
    t = x._t
    return wrap(torch.erf(t if x.dtype == 'float32' else t.float()), 'float32')


def _predicate(name, fn, doc):
    def op(x):
        x = numeric(x, 'x', name)
        t = x._t
        return wrap(fn(t) if x.dtype == 'float32' else torch.zeros_like(t, dtype=torch.bool)
                    if name != 'isFinite' else torch.ones_like(t, dtype=torch.bool), 'bool')
    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


isNaN = _predicate('isNaN', torch.isnan, 'True where x is NaN.\n\n    >>> import tfjs as tf\n'
                   '    >>> tf.isNaN(tf.tensor1d([float("nan"), 1])).arraySync()\n    [1, 0]\n    ')
isInf = _predicate('isInf', torch.isinf, 'True where x is +/-Infinity.')
isFinite = _predicate('isFinite', torch.isfinite, 'True where x is finite.')


def step(x, alpha: float = 0.0):
    """1 where x > 0, alpha elsewhere (NaN stays NaN); keeps int32 and bool dtypes.

    >>> import tfjs as tf
    >>> tf.step(tf.tensor1d([-2, 3])).arraySync()
    [0.0, 1.0]
    """
    x = numeric(x, 'x', 'step')
    t = x._t
    d = x.dtype
    src = t if d == 'float32' else t.to(_F64)
    out = torch.where(src > 0, torch.ones_like(src), torch.full_like(src, float(alpha)))
    out = torch.where(torch.isnan(src), src, out).detach()
    return wrap(out if d == 'float32' else store(out, d), d)


def leakyRelu(x, alpha: float = 0.2):
    """x for x >= 0, alpha * x otherwise (float32 result; gradient alpha at 0).

    >>> import tfjs as tf
    >>> tf.leakyRelu(tf.tensor1d([-1, 2]), 0.1).arraySync()
    [-0.10000000149011612, 2.0]
    """
    x = numeric(x, 'x', 'leakyRelu')
    t = x._t
    return wrap(F.leaky_relu(t if x.dtype == 'float32' else t.float(), alpha), 'float32')


def prelu(x, alpha):
    """x for x > 0, alpha * x otherwise, with a learned alpha tensor (float32 result; at 0 the
    gradient is alpha for x and 0 for alpha, as in TF.js).

    >>> import tfjs as tf
    >>> tf.prelu(tf.tensor1d([-2, 3]), tf.scalar(0.5)).arraySync()
    [-1.0, 3.0]
    """
    numeric(x, 'x', 'prelu'), numeric(alpha, 'alpha', 'prelu')
    tx, ta, d = pair(x, alpha, 'prelu')
    if d != 'float32':
        tx, ta = tx.float(), ta.float()
    return wrap(torch.where(tx > 0, tx, ta * tx), 'float32')


def clipByValue(x, clipValueMin: float, clipValueMax: float):
    """Clip values to [clipValueMin, clipValueMax] (NaN stays NaN; the gradient passes at the
    bounds); keeps int32 and bool dtypes.

    >>> import tfjs as tf
    >>> tf.clipByValue(tf.tensor1d([-3, 0.5, 9]), 0, 1).arraySync()
    [0.0, 0.5, 1.0]
    """
    x = numeric(x, 'x', 'clipByValue')
    if not clipValueMin <= clipValueMax:
        raise ValueError(f'Error in clip: min ({clipValueMin}) must be less than or equal to max '
                         f'({clipValueMax}).')
    t, d = x._t, x.dtype
    if d == 'float32':
        return wrap(torch.clamp(t, clipValueMin, clipValueMax), d)
    return wrap(store(torch.clamp(t.to(_F64), clipValueMin, clipValueMax), d), d)


def atan2(a, b):
    """Element-wise arctangent of a / b using both signs (keeps the upcast dtype).

    >>> import tfjs as tf
    >>> tf.atan2(tf.tensor1d([1]), tf.tensor1d([1])).arraySync()
    [0.7853981852531433]
    """
    ta, tb, d = pair(a, b, 'atan2')
    if d == 'float32':
        return wrap(torch.atan2(ta, tb), d)
    return wrap(store(torch.atan2(ta.to(_F64), tb.to(_F64)), d), d)
