"""The tf.* ops. Each op is a function here and, where TF.js has one, a chained Tensor method."""
from __future__ import annotations

import importlib
import pkgutil

from .._naming import add_class_snake_aliases, add_snake_case_aliases
from ..tensor import Tensor

# Every public module of this package is an op group: its `__all__` names are tf.* ops (or,
# when it sets NAMESPACE = 'image', ops of `tf.image`), its optional `CHAINED` names become
# Tensor methods, and its optional `TOP_LEVEL` names are also exported at tf.* (for namespaced
# groups such as spectral's fft). New groups need no edit here.
__all__: list = []
NAMESPACES: dict = {}
_MODULE_CHAINED: list = []
for _info in pkgutil.iter_modules(__path__):
    if _info.name.startswith('_'):
        continue
    _module = importlib.import_module(f'{__name__}.{_info.name}')
    _names = list(getattr(_module, '__all__', []))
    _space = getattr(_module, 'NAMESPACE', None)
    if _space:
        NAMESPACES.setdefault(_space, {}).update({n: getattr(_module, n) for n in _names})
        _names = list(getattr(_module, 'TOP_LEVEL', []))
    for _name in _names:
        globals()[_name] = getattr(_module, _name)
    __all__ += _names
    _MODULE_CHAINED += list(getattr(_module, 'CHAINED', []))
for _members in NAMESPACES.values():
    add_snake_case_aliases(_members)

_CHAINED = [
    'abs', 'acos', 'acosh', 'add', 'all', 'any', 'argMax', 'argMin', 'asin', 'asinh', 'atan',
    'atan2', 'atanh', 'batchNorm', 'broadcastTo', 'cast', 'ceil', 'clipByValue', 'concat', 'cos',
    'cosh', 'div', 'divNoNan', 'dot', 'elu', 'equal', 'erf', 'euclideanNorm', 'exp', 'expandDims',
    'expm1', 'floor', 'floorDiv', 'gather', 'greater', 'greaterEqual', 'isFinite',
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
    for name in _CHAINED + _MODULE_CHAINED:
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
        'flatten': lambda self: reshape(self, [-1]),
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
    add_class_snake_aliases(Tensor, _CHAINED + _MODULE_CHAINED + list(extra))
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
