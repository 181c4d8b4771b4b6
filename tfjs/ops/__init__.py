"""The tf.* ops. Each op is a function here and, where TF.js has one, a chained Tensor method."""
from __future__ import annotations

from .._naming import add_class_snake_aliases
from ..tensor import Tensor
from .arithmetic import (add, addN, div, divNoNan, floorDiv, maximum, minimum, mod, mul, pow,
                         realDiv, squaredDifference, sub)
from .basic_math import (abs, acos, acosh, asin, asinh, atan, atan2, atanh, ceil, clipByValue, cos,
                         cosh, elu, erf, exp, expm1, floor, isFinite, isInf, isNaN, leakyRelu, log,
                         log1p, logSigmoid, neg, prelu, reciprocal, relu, relu6, round, rsqrt, selu,
                         sigmoid, sign, sin, sinh, softplus, sqrt, square, step, tan, tanh)
from .creation import (TensorBuffer, buffer, cast, clone, eye, fill, linspace, oneHot, ones,
                       onesLike, range, scalar, tensor, tensor1d, tensor2d, tensor3d, tensor4d,
                       tensor5d, tensor6d, zeros, zerosLike)
from .logical import (equal, greater, greaterEqual, less, lessEqual, logicalAnd, logicalNot,
                      logicalOr, logicalXor, notEqual, where)
from .matrices import dot, euclideanNorm, matMul, norm, outerProduct, transpose
from .normalization import batchNorm, logSoftmax, moments, softmax
from .random import (randomNormal, randomStandardNormal, randomUniform, randomUniformInt,
                     truncatedNormal)
from .reduction import all, any, argMax, argMin, logSumExp, max, mean, min, prod, sum
from .slicing_joining import (broadcastTo, concat, expandDims, flatten, gather, pad, reshape,
                              reverse, slice, split, squeeze, stack, tile, unstack)

_CHAINED = [
    'abs', 'acos', 'acosh', 'add', 'all', 'any', 'argMax', 'argMin', 'asin', 'asinh', 'atan',
    'atan2', 'atanh', 'batchNorm', 'broadcastTo', 'cast', 'ceil', 'clipByValue', 'concat', 'cos',
    'cosh', 'div', 'divNoNan', 'dot', 'elu', 'equal', 'erf', 'euclideanNorm', 'exp', 'expandDims',
    'expm1', 'flatten', 'floor', 'floorDiv', 'gather', 'greater', 'greaterEqual', 'isFinite',
    'isInf', 'isNaN', 'leakyRelu', 'less', 'lessEqual', 'log', 'log1p', 'logSigmoid', 'logSoftmax',
    'logSumExp', 'logicalAnd', 'logicalNot', 'logicalOr', 'logicalXor', 'matMul', 'max', 'maximum',
    'mean', 'min', 'minimum', 'mod', 'mul', 'neg', 'norm', 'notEqual', 'oneHot', 'onesLike', 'pad',
    'pow', 'prelu', 'prod', 'reciprocal', 'relu', 'relu6', 'reshape', 'reverse', 'round', 'rsqrt',
    'selu', 'sigmoid', 'sign', 'sin', 'sinh', 'slice', 'softmax', 'softplus', 'split', 'sqrt',
    'square', 'squaredDifference', 'squeeze', 'stack', 'step', 'sub', 'sum', 'tan', 'tanh', 'tile',
    'transpose', 'unstack', 'where', 'zerosLike',
]


def _chain(fn):
    def method(self, *args, **kwargs):
        return fn(self, *args, **kwargs)
    method.__name__ = fn.__name__
    method.__doc__ = fn.__doc__
    return method


def _attach_methods() -> None:
    ns = globals()
    for name in _CHAINED:
        if name == 'concat':
            setattr(Tensor, name, lambda self, x, axis=0: concat([self] + (list(x) if isinstance(x, (list, tuple)) else [x]), axis))
        elif name == 'stack':
            setattr(Tensor, name, lambda self, x, axis=0: stack([self] + (list(x) if isinstance(x, (list, tuple)) else [x]), axis))
        elif name == 'where':
            setattr(Tensor, name, lambda self, condition, b: where(condition, self, b))
        else:
            setattr(Tensor, name, _chain(ns[name]))
    extra = {
        'reshapeAs': lambda self, x: reshape(self, x.shape),
        'asType': lambda self, dtype: cast(self, dtype),
        'toFloat': lambda self: cast(self, 'float32'),
        'toInt': lambda self: cast(self, 'int32'),
        'toBool': lambda self: cast(self, 'bool'),
        'asScalar': lambda self: reshape(self, []),
        'as1D': lambda self: reshape(self, [-1]),
        'as2D': lambda self, r, c: reshape(self, [r, c]),
        'as3D': lambda self, r, c, d: reshape(self, [r, c, d]),
        'as4D': lambda self, r, c, d, d2: reshape(self, [r, c, d, d2]),
        'as5D': lambda self, r, c, d, d2, d3: reshape(self, [r, c, d, d2, d3]),
    }
    for name, fn in extra.items():
        setattr(Tensor, name, fn)
    # cast is a Tensor method in TF.js, and clone/print already exist on the class
    Tensor.cast = lambda self, dtype: cast(self, dtype)
    add_class_snake_aliases(Tensor, _CHAINED + list(extra))
    _attach_operators()


def _attach_operators() -> None:
    def r(fn):
        return lambda self, other: fn(other, self)
    ops = {
        '__add__': add, '__radd__': r(add), '__sub__': sub, '__rsub__': r(sub),
        '__mul__': mul, '__rmul__': r(mul), '__truediv__': realDiv, '__rtruediv__': r(realDiv),
        '__floordiv__': floorDiv, '__rfloordiv__': r(floorDiv), '__mod__': mod, '__rmod__': r(mod),
        '__pow__': pow, '__rpow__': r(pow), '__matmul__': matMul, '__rmatmul__': r(matMul),
        '__lt__': less, '__le__': lessEqual, '__gt__': greater, '__ge__': greaterEqual,
        '__and__': logicalAnd, '__or__': logicalOr, '__xor__': logicalXor,
    }
    for name, fn in ops.items():
        setattr(Tensor, name, fn)
    Tensor.__neg__ = lambda self: neg(self)
    Tensor.__pos__ = lambda self: self
    Tensor.__abs__ = lambda self: abs(self)
    Tensor.__invert__ = lambda self: logicalNot(self)


_attach_methods()
