"""Merge layers: Add, Multiply, Average, Maximum, Minimum, Concatenate (TF.js's
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


FACTORIES = {
    'add': (Add, ''),
    'multiply': (Multiply, ''),
    'average': (Average, ''),
    'maximum': (Maximum, ''),
    'minimum': (Minimum, ''),
    'concatenate': (Concatenate, "{'axis': -1}"),
}
