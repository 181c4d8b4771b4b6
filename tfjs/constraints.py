"""Weight constraints (`tf.constraints.*`), as TF.js's `constraints.ts`, applied to a weight
after each optimizer update.

Norms are L2 norms over `axis` (0 by default; a list of axes is accepted, as in Keras), and
every division adds TF.js's epsilon 1e-7 to the norm.

>>> import tfjs as tf
>>> tf.constraints.nonNeg().apply(tf.tensor1d([-1, 2])).arraySync()
[0.0, 2.0]
"""
from __future__ import annotations

from typing import Any

import torch

from ._naming import SnakeCaseAliases, add_snake_case_aliases, did_you_mean, normalize_args, \
    to_camel_case
from .errors import ValueError
from .ops._dispatch import float_raw, wrap
from .serialization.registry import SerializationMap, Serializable, deserialize, \
    register_builtin, serialize
from .tensor import Tensor

EPSILON = 1e-7


class Constraint(Serializable, SnakeCaseAliases):
    """Base class: `apply(w) -> Tensor` (the projected weight)."""

    _keys: tuple = ()

    def __init__(self, config: dict | None = None, **kwargs):
        self._setup(normalize_args(config, kwargs, self._keys,
                                   f'{type(self).__name__} constraint'))

    def _setup(self, args: dict) -> None:
        pass

    def apply(self, w) -> Tensor:
        raise NotImplementedError(f'{type(self).__name__}.apply() is not implemented.')

    def __call__(self, w) -> Tensor:
        return self.apply(w)

    def getClassName(self) -> str:
        return type(self).className or type(self).__name__

    def getConfig(self) -> dict:
        return {}

    def __repr__(self) -> str:
        return f'<Constraint {self.getClassName()} {self.getConfig()}>'


def _axis(axis):
    return tuple(int(a) for a in axis) if isinstance(axis, (list, tuple)) else int(axis)


def _l2_norms(w: torch.Tensor, axis) -> torch.Tensor:
    return torch.sqrt(torch.sum(w * w, dim=_axis(axis), keepdim=True))


class MaxNorm(Constraint):
    """Rescale weights whose norm over `axis` (0) exceeds `maxValue` (2)."""
    className = 'MaxNorm'
    _keys = ('maxValue', 'axis')

    def _setup(self, args):
        self.maxValue = 2 if args.get('maxValue') is None else args['maxValue']
        self.axis = 0 if args.get('axis') is None else args['axis']

    def apply(self, w) -> Tensor:
        t = float_raw(w, 'w', 'MaxNorm')
        norms = _l2_norms(t, self.axis)
        desired = torch.clamp(norms, 0, self.maxValue)
        return wrap(t * (desired / (EPSILON + norms)), 'float32')

    def getConfig(self):
        return {'maxValue': self.maxValue, 'axis': self.axis}


class UnitNorm(Constraint):
    """Divide by the norm over `axis` (0)."""
    className = 'UnitNorm'
    _keys = ('axis',)

    def _setup(self, args):
        self.axis = 0 if args.get('axis') is None else args['axis']

    def apply(self, w) -> Tensor:
        t = float_raw(w, 'w', 'UnitNorm')
        return wrap(t / (EPSILON + _l2_norms(t, self.axis)), 'float32')

    def getConfig(self):
        return {'axis': self.axis}


class NonNeg(Constraint):
    """max(w, 0)."""
    className = 'NonNeg'

    def apply(self, w) -> Tensor:
        return wrap(torch.relu(float_raw(w, 'w', 'NonNeg')), 'float32')


class MinMaxNorm(Constraint):
    """Pull norms over `axis` (0) into [`minValue` (0), `maxValue` (1)] at `rate` (1)."""
    className = 'MinMaxNorm'
    _keys = ('minValue', 'maxValue', 'rate', 'axis')

    def _setup(self, args):
        self.minValue = 0.0 if args.get('minValue') is None else args['minValue']
        self.maxValue = 1.0 if args.get('maxValue') is None else args['maxValue']
        self.rate = 1.0 if args.get('rate') is None else args['rate']
        self.axis = 0 if args.get('axis') is None else args['axis']

    def apply(self, w) -> Tensor:
        t = float_raw(w, 'w', 'MinMaxNorm')
        norms = _l2_norms(t, self.axis)
        desired = self.rate * torch.clamp(norms, self.minValue, self.maxValue) + \
            (1.0 - self.rate) * norms
        return wrap(t * (desired / (EPSILON + norms)), 'float32')

    def getConfig(self):
        return {'minValue': self.minValue, 'maxValue': self.maxValue, 'rate': self.rate,
                'axis': self.axis}


for _cls in (MaxNorm, UnitNorm, NonNeg, MinMaxNorm):
    register_builtin(_cls)

CONSTRAINT_IDENTIFIERS = {'maxNorm': 'MaxNorm', 'minMaxNorm': 'MinMaxNorm', 'nonNeg': 'NonNeg',
                          'unitNorm': 'UnitNorm'}


def maxNorm(config: dict | None = None, **kwargs) -> Constraint:
    """`maxNorm({'maxValue', 'axis'})`."""
    return MaxNorm(config, **kwargs)


def unitNorm(config: dict | None = None, **kwargs) -> Constraint:
    """`unitNorm({'axis'})`."""
    return UnitNorm(config, **kwargs)


def nonNeg() -> Constraint:
    """`nonNeg()`."""
    return NonNeg()


def minMaxNorm(config: dict | None = None, **kwargs) -> Constraint:
    """`minMaxNorm({'minValue', 'maxValue', 'rate', 'axis'})`."""
    return MinMaxNorm(config, **kwargs)


def get_constraint(identifier: Any) -> Constraint | None:
    """Resolve a constraint: None, a name (`'maxNorm'`, `'max_norm'`, `'MaxNorm'`), a
    `{'className', 'config'}` dict or an instance.

    >>> get_constraint('non_neg').getClassName()
    'NonNeg'
    """
    if identifier is None:
        return None
    if isinstance(identifier, Constraint):
        return identifier
    if isinstance(identifier, str):
        for candidate in (identifier, to_camel_case(identifier)):
            name = CONSTRAINT_IDENTIFIERS.get(candidate, candidate)
            found = SerializationMap.class_name_map.get(name)
            if isinstance(found, type) and issubclass(found, Constraint):
                return found.fromConfig({})
        valid = list(CONSTRAINT_IDENTIFIERS) + list(CONSTRAINT_IDENTIFIERS.values())
        raise ValueError(f'Unknown constraint: "{identifier}".{did_you_mean(identifier, valid)} '
                         f'Valid identifiers are: {", ".join(CONSTRAINT_IDENTIFIERS)} (or '
                         'snake_case spellings such as "max_norm").')
    if isinstance(identifier, dict):
        name = identifier.get('className', identifier.get('class_name'))
        if isinstance(name, str) and 'config' in identifier:
            return deserialize({'className': name, 'config': identifier['config'] or {}},
                               kind='constraint')
        raise ValueError(f'Improper constraint config {identifier!r}: expected '
                         '{"className": ..., "config": {...}}.')
    raise ValueError(f'Cannot interpret {identifier!r} as a constraint.')


def serialize_constraint(constraint: Constraint | None) -> dict | None:
    """`{'className', 'config'}` for a constraint (None stays None).

    >>> serialize_constraint(maxNorm({'maxValue': 3}))
    {'className': 'MaxNorm', 'config': {'maxValue': 3, 'axis': 0}}
    """
    return serialize(get_constraint(constraint))


FACTORIES = ('maxNorm', 'unitNorm', 'nonNeg', 'minMaxNorm')
add_snake_case_aliases(globals())
