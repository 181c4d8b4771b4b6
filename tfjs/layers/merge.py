"""Merge layers: Add, Multiply, Average, Maximum, Minimum, Concatenate, Dot (TF.js's
`layers/merge.ts`). Inputs broadcast as TF.js's `Merge` does; lower-rank inputs get singleton
axes inserted after the batch axis."""
from __future__ import annotations

import torch

from ..engine.topology import Layer
from ..errors import ValueError
from ..tensor import Tensor


def _broadcast_shape(a, b, shapes):
    if a is None or b is None:
        return None
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return list(a)
    out = list(a[:len(a) - len(b)])
    for i, j in zip(a[len(a) - len(b):], b):
        if i is None or j is None or i < 0 or j < 0:
            out.append(None)
        elif i == 1:
            out.append(j)
        elif j == 1 or i == j:
            out.append(i)
        else:
            raise ValueError(f'Operands could not be broadcast together with shapes {shapes}.')
    return out


class Merge(Layer):
    """Base of the element-wise merge layers (needs at least two inputs)."""

    CONFIG_KEYS = ()

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        self.supportsMasking = True

    def merge(self, xs: list) -> torch.Tensor:
        raise NotImplementedError

    def _check(self, shapes) -> list:
        if not shapes or not isinstance(shapes[0], (list, tuple)) or len(shapes) < 2:
            raise ValueError(f'A merge layer should be called on an Array of at least 2 inputs. '
                             f'Got {1 if shapes and not isinstance(shapes[0], (list, tuple)) else len(shapes or [])} input(s).')
        batches = {s[0] for s in shapes if s[0] is not None}
        if len(batches) > 1:
            raise ValueError(f'Can not merge tensors with different batch sizes. Got tensors with '
                             f'shapes: {shapes}.')
        return shapes

    def build(self, inputShape) -> None:
        self._check(inputShape)
        self.computeOutputShape(inputShape)
        self.built = True

    def computeOutputShape(self, inputShape):
        shapes = self._check(inputShape)
        out = list(shapes[0][1:])
        for s in shapes[1:]:
            out = _broadcast_shape(out, list(s[1:]), shapes)
        batches = {s[0] for s in shapes if s[0] is not None}
        return [batches.pop() if len(batches) == 1 else None] + out

    def call(self, inputs, kwargs: dict):
        xs = [x._value() for x in inputs]
        rank = max(x.ndim for x in xs)
        xs = [x.reshape(x.shape[:1] + (1,) * (rank - x.ndim) + x.shape[1:]) for x in xs]
        dtype = inputs[0].dtype
        out = self.merge(xs)
        return Tensor._make(out, 'float32' if out.is_floating_point() else dtype)

    def computeMask(self, inputs, mask=None):
        if mask is None:
            return None
        masks = [m for m in mask if m is not None]
        if not masks:
            return None
        out = masks[0]._value()
        for m in masks[1:]:
            out = out & m._value()
        return Tensor._make(out, 'bool')


class Add(Merge):
    """Element-wise sum of the inputs."""
    className = 'Add'

    def merge(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out


class Multiply(Merge):
    """Element-wise product of the inputs."""
    className = 'Multiply'

    def merge(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = out * x
        return out


class Subtract(Merge):
    """`inputs[0] - inputs[1]` (Keras `Subtract`; TF.js has no such layer).

    >>> import tfjs as tf
    >>> tf.layers.subtract().apply([tf.tensor([[3.0]]), tf.tensor([[1.0]])]).arraySync()
    [[2.0]]
    """
    className = 'Subtract'

    def _check(self, shapes) -> list:
        if isinstance(shapes, (list, tuple)) and shapes and isinstance(shapes[0], (list, tuple)) \
                and len(shapes) != 2:
            raise ValueError(f'A Subtract layer should be called on exactly 2 inputs; got '
                             f'{len(shapes)}.')
        return super()._check(shapes)

    def merge(self, xs):
        return xs[0] - xs[1]


class Average(Merge):
    """Element-wise mean of the inputs."""
    className = 'Average'

    def merge(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out * (1.0 / len(xs))


class Maximum(Merge):
    """Element-wise maximum of the inputs."""
    className = 'Maximum'

    def merge(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = torch.maximum(out, x)
        return out


class Minimum(Merge):
    """Element-wise minimum of the inputs."""
    className = 'Minimum'

    def merge(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = torch.minimum(out, x)
        return out


class Concatenate(Merge):
    """Join the inputs along `axis` (default -1)."""
    className = 'Concatenate'
    CONFIG_KEYS = ('axis',)

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__({k: v for k, v in args.items() if k != 'axis'})
        self.axis = -1 if args.get('axis') is None else args['axis']

    def computeOutputShape(self, inputShape):
        shapes = self._check(inputShape)
        out = list(shapes[0])
        axis = self.axis if self.axis >= 0 else len(out) + self.axis
        for s in shapes[1:]:
            if out[axis] is None or s[axis] is None:
                out[axis] = None
            else:
                out[axis] += s[axis]
        return out

    def build(self, inputShape) -> None:
        shapes = self._check(inputShape)
        ranks = {len(s) for s in shapes}
        if len(ranks) != 1:
            raise ValueError(f'A `Concatenate` layer requires inputs with matching shapes except for '
                             f'the concat axis. Got input shapes: {shapes}')
        self.built = True

    def call(self, inputs, kwargs: dict):
        out = torch.cat([x._value() for x in inputs], dim=self.axis)
        return Tensor._make(out, inputs[0].dtype)

    def getConfig(self) -> dict:
        config = {'axis': self.axis}
        config.update(super().getConfig())
        return config


def _dot_axes(axes, ranks: list) -> list:
    """Non-negative `[axis1, axis2]` from an int or a pair (negative axes count from the end)."""
    pair = [axes, axes] if isinstance(axes, int) else list(axes)
    return [a % r if a < 0 else a for a, r in zip(pair, ranks)]


def _l2_normalize(x: torch.Tensor, axis: int) -> torch.Tensor:
    """TF.js's `l2Normalize`: `x / sqrt(max(sum(x^2), 1e-7))`."""
    square_sum = torch.sum(x * x, dim=axis, keepdim=True)
    return x / torch.sqrt(torch.clamp(square_sum, min=1e-7))


class Dot(Merge):
    """Batched dot product of two inputs along `axes` (an int, or one axis per input);
    `normalize` L2-normalizes both first (cosine proximity). The output is the first input's
    shape less its axis, followed by the second's less its batch axis and its axis (at least
    `[batch, 1]`).

    TF.js handles inputs of rank <= 3 only; here any rank works (Keras's `batch_dot`).

    >>> import tfjs as tf
    >>> tf.layers.dot({'axes': -1}).apply([tf.ones([2, 3]), tf.ones([2, 3])]).arraySync()
    [[3.0], [3.0]]
    """

    className = 'Dot'
    CONFIG_KEYS = ('axes', 'normalize')

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__({k: v for k, v in args.items() if k not in ('axes', 'normalize')})
        axes = args.get('axes')
        if isinstance(axes, tuple):
            axes = list(axes)
        ok = isinstance(axes, int) or (isinstance(axes, list) and len(axes) == 2 and
                                       all(isinstance(a, int) for a in axes))
        if isinstance(axes, bool) or not ok:
            raise ValueError(f'tf.layers.dot() needs "axes": an integer or a pair of integers, '
                             f'but got {axes!r}. Example: tf.layers.dot({{"axes": -1}}).')
        self.axes = axes
        self.normalize = False if args.get('normalize') is None else bool(args['normalize'])

    def _pair(self, shapes) -> tuple:
        if not (isinstance(shapes, (list, tuple)) and len(shapes) == 2 and
                all(isinstance(s, (list, tuple)) for s in shapes)):
            raise ValueError('A `Dot` layer should be called on a list of exactly 2 inputs.')
        s1, s2 = list(shapes[0]), list(shapes[1])
        if len(s1) < 2 or len(s2) < 2:
            raise ValueError(f'A `Dot` layer needs inputs of rank >= 2 (batch included); got '
                             f'shapes {s1} and {s2}.')
        axes = _dot_axes(self.axes, [len(s1), len(s2)])
        if 0 in axes or axes[0] >= len(s1) or axes[1] >= len(s2):
            raise ValueError(f'Dot: invalid axes {self.axes} for input shapes {s1} and {s2} (the '
                             'batch axis 0 cannot be used).')
        return s1, s2, axes

    def build(self, inputShape) -> None:
        s1, s2, axes = self._pair(inputShape)
        d1, d2 = s1[axes[0]], s2[axes[1]]
        if d1 is not None and d2 is not None and d1 != d2:
            raise ValueError(f'Dimension incompatibility: {d1} !== {d2} (axes {axes} of input '
                             f'shapes {s1} and {s2}).')
        self.built = True

    def computeOutputShape(self, inputShape):
        s1, s2, axes = self._pair(inputShape)
        s1.pop(axes[0])
        s2.pop(axes[1])
        out = s1 + s2[1:]
        return out + [1] if len(out) == 1 else out

    def call(self, inputs, kwargs: dict):
        if len(inputs) != 2:
            raise ValueError(f'A `Dot` layer must be called on exactly 2 inputs, but received '
                             f'{len(inputs)} input(s).')
        x1, x2 = (x._value() for x in inputs)
        ints = not (x1.is_floating_point() or x2.is_floating_point() or self.normalize)
        x1 = x1 if x1.is_floating_point() else x1.float()
        x2 = x2 if x2.is_floating_point() else x2.float()
        a1, a2 = _dot_axes(self.axes, [x1.ndim, x2.ndim])
        if self.normalize:
            x1, x2 = _l2_normalize(x1, a1), _l2_normalize(x2, a2)
        batch = x1.shape[0]
        left = x1.movedim(a1, -1)                    # [b, rest1..., d]
        right = x2.movedim(a2, 1)                    # [b, d, rest2...]
        rest1, rest2 = list(left.shape[1:-1]), list(right.shape[2:])
        out = torch.bmm(left.reshape(batch, -1, left.shape[-1]),
                        right.reshape(batch, right.shape[1], -1))
        out = out.reshape([batch] + rest1 + rest2)
        if out.ndim == 1:
            out = out.unsqueeze(1)
        if ints:                                      # int32 inputs give int32, as in TF.js
            return Tensor._make(torch.round(out).to(torch.int32), 'int32')
        return Tensor._make(out, 'float32')

    def computeMask(self, inputs, mask=None):
        return None

    def getConfig(self) -> dict:
        config = {'axes': self.axes, 'normalize': self.normalize}
        config.update(super().getConfig())
        return config


FACTORIES = {
    'add': (Add, ''),
    'multiply': (Multiply, ''),
    'average': (Average, ''),
    'maximum': (Maximum, ''),
    'minimum': (Minimum, ''),
    'concatenate': (Concatenate, "{'axis': -1}"),
    'dot': (Dot, "{'axes': -1}"),
    'subtract': (Subtract, ''),
}
