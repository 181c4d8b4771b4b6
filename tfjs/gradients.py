"""Gradients (TF.js doc section "Training / Gradients"), computed with torch autograd.

Variables do not record autograd history by default; only the variables a gradient is asked for
are switched to `requires_grad` for the duration of that computation, so ordinary forward passes
pay nothing for autograd.

>>> import tfjs as tf
>>> g = tf.grad(lambda x: x.square())
>>> g(tf.tensor1d([1, 2, 3])).arraySync()
[2.0, 4.0, 6.0]
"""
from __future__ import annotations

from typing import Callable, Sequence

import torch

from .backend import ENGINE
from .errors import ValueError
from .tensor import Tensor, Variable, convert_to_tensor

_depth = [0]   # nesting depth of gradient computations (for higher-order gradients)


def _leaf(x: Tensor) -> Tensor:
    t = x._value()
    if x.dtype != 'float32' and x.dtype != 'complex64':
        raise ValueError(f'Gradients can only be computed with respect to float32 tensors; got '
                         f'{x.dtype}. Cast with tf.cast(x, "float32").')
    # inside an outer gradient, differentiate through x itself so the outer one sees the path
    leaf = t if (_depth[0] > 0 and t.requires_grad) else t.detach().requires_grad_(True)
    return Tensor._make(leaf, x.dtype)


def _backprop(y: Tensor, sources: Sequence[torch.Tensor], dy=None) -> list:
    if not isinstance(y, Tensor):
        raise ValueError('The function passed to a gradient op must return a Tensor.')
    yt = y._value()
    if dy is not None:
        dy_t = convert_to_tensor(dy, 'dy', 'grad')._value()
        if list(dy_t.shape) != list(yt.shape):
            raise ValueError(f'dy shape {list(dy_t.shape)} must match y shape {list(yt.shape)}.')
    else:
        dy_t = torch.ones_like(yt)
    if not yt.requires_grad:
        return [torch.zeros_like(s) for s in sources]
    grads = torch.autograd.grad(yt, list(sources), grad_outputs=dy_t, allow_unused=True,
                                create_graph=_depth[0] > 1, retain_graph=_depth[0] > 1)
    return [torch.zeros_like(s) if g is None else g for s, g in zip(sources, grads)]


def _grad_out(g: torch.Tensor) -> Tensor:
    return Tensor._make(g if _depth[0] > 0 else g.detach(), 'float32' if not g.is_complex() else 'complex64')


def valueAndGrads(f: Callable) -> Callable:
    """`f(*args) -> y` becomes `(args, dy=None) -> {'value': y, 'grads': [dy/dargs...]}`."""
    def run(args, dy=None):
        if not isinstance(args, (list, tuple)):
            raise ValueError('The args passed to grads(f)(args) must be a list of tensors, e.g. '
                             'tf.grads(f)([a, b]).')
        leaves = [_leaf(convert_to_tensor(a, f'args[{i}]', 'grads')) for i, a in enumerate(args)]
        _depth[0] += 1
        try:
            with torch.enable_grad():
                y = f(*leaves)
                grads = _backprop(y, [l._t for l in leaves], dy)
        finally:
            _depth[0] -= 1
        return {'value': _detach(y), 'grads': [_grad_out(g) for g in grads]}
    return run


def valueAndGrad(f: Callable) -> Callable:
    """`f(x) -> y` becomes `(x, dy=None) -> {'value': y, 'grad': dy/dx}`."""
    def run(x, dy=None):
        out = valueAndGrads(f)([x], dy)
        return {'value': out['value'], 'grad': out['grads'][0]}
    return run


def grad(f: Callable) -> Callable:
    """`f(x) -> y` becomes `(x, dy=None) -> dy/dx` (dy defaults to ones)."""
    def run(x, dy=None):
        return valueAndGrad(f)(x, dy)['grad']
    return run


def grads(f: Callable) -> Callable:
    """`f(*args) -> y` becomes `(args, dy=None) -> [dy/dargs...]`."""
    def run(args, dy=None):
        return valueAndGrads(f)(args, dy)['grads']
    return run


def _detach(y):
    if isinstance(y, Tensor) and _depth[0] == 0 and y._value().requires_grad:
        return Tensor._make(y._t.detach(), y.dtype)
    return y


def variableGrads(f: Callable, varList: Sequence[Variable] | None = None) -> dict:
    """Gradients of the scalar `f()` with respect to variables (default: all trainable ones).

    Returns `{'value': scalar, 'grads': {variable.name: gradient}}`; non-trainable variables of
    `varList` get None, as in TF.js.

    >>> import tfjs as tf
    >>> v = tf.variable(tf.scalar(3.0))
    >>> tf.variableGrads(lambda: v.square(), [v])['grads'][v.name].arraySync()
    6.0
    """
    non_trainable = [] if varList is None else [v for v in varList if not v.trainable]
    if varList is None:
        varList = list(ENGINE.variables.values())
    varList = [v for v in varList if v.trainable]
    if not varList:
        raise ValueError('variableGrads() expects at least one input variable with trainable=true.')
    raws, flipped = [], []
    for v in varList:
        t = v._value()
        if not t.requires_grad:
            t.requires_grad_(True)
            flipped.append(t)
        raws.append(t)
    _depth[0] += 1
    try:
        with torch.enable_grad():
            y = f()
            if not isinstance(y, Tensor) or y.rank != 0:
                raise ValueError('The result y returned by f() must be a scalar tensor.')
            gs = _backprop(y, raws)
    finally:
        _depth[0] -= 1
        for t in flipped:
            t.requires_grad_(False)
    grads_by_name = {v.name: _grad_out(g) for v, g in zip(varList, gs)}
    for v in non_trainable:
        grads_by_name[v.name] = None
    return {'value': _detach(y), 'grads': grads_by_name}


def customGrad(f: Callable) -> Callable:
    """A function with a user-defined gradient: `f(*inputs, save)` returns
    `{'value': y, 'gradFunc': lambda dy, saved: [dx...]}` (as in TF.js)."""
    def run(*inputs):
        tensors = [convert_to_tensor(x, f'inputs[{i}]', 'customGrad') for i, x in enumerate(inputs)]
        saved: list = []

        def save(ts):
            saved.extend(ts)

        with torch.no_grad():
            out = f(*tensors, save)
        value, grad_func = out['value'], out.get('gradFunc') or out.get('grad_func')

        class _Fn(torch.autograd.Function):
            @staticmethod
            def forward(ctx, *raw):
                return value._value().clone()

            @staticmethod
            def backward(ctx, dy):
                gs = grad_func(Tensor._make(dy, value.dtype), saved)
                gs = gs if isinstance(gs, (list, tuple)) else [gs]
                return tuple(convert_to_tensor(g)._value() for g in gs)

        return Tensor._make(_Fn.apply(*[t._value() for t in tensors]), value.dtype)
    return run
