"""Weight regularizers (`tf.regularizers.*`), as TF.js's `regularizers.ts`.

Only `L1L2` exists in TF.js: `l1l2()` defaults to l1 = l2 = 0.01, `l1({l1})` sets l2 = 0 and
`l2({l2})` sets l1 = 0. The penalty is `sum(l1 * |x|) + sum(l2 * x^2)`. Keras's `L1` / `L2`
classes (and the strings `'l1'`, `'l2'`, `'l1_l2'`) are read too and become `L1L2`.

>>> import tfjs as tf
>>> tf.regularizers.l2({'l2': 0.5}).apply(tf.tensor1d([1, 2])).arraySync()
2.5
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


class Regularizer(Serializable, SnakeCaseAliases):
    """Base class: `apply(x) -> scalar Tensor` (the penalty added to the loss)."""

    def apply(self, x) -> Tensor:
        raise NotImplementedError(f'{type(self).__name__}.apply() is not implemented.')

    def __call__(self, x) -> Tensor:
        return self.apply(x)

    def getClassName(self) -> str:
        return type(self).className or type(self).__name__

    def getConfig(self) -> dict:
        return {}


def _rate(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f'Regularizer {name} must be a number, got {value!r}.')
    return value


class L1L2(Regularizer):
    """`sum(l1 * |x|) + sum(l2 * x^2)`; l1 and l2 default to 0.01 each."""
    className = 'L1L2'

    def __init__(self, config: dict | None = None, **kwargs):
        args = normalize_args(config, kwargs, ('l1', 'l2'), 'L1L2 regularizer')
        self.l1 = 0.01 if args.get('l1') is None else _rate(args['l1'], 'l1')
        self.l2 = 0.01 if args.get('l2') is None else _rate(args['l2'], 'l2')
        self.hasL1 = self.l1 != 0
        self.hasL2 = self.l2 != 0

    def apply(self, x) -> Tensor:
        t = float_raw(x, 'x', 'L1L2')
        out = torch.zeros((), dtype=torch.float32, device=t.device)
        if self.hasL1:
            out = out + torch.sum(self.l1 * torch.abs(t))
        if self.hasL2:
            out = out + torch.sum(self.l2 * torch.square(t))
        return wrap(out, 'float32')

    def getConfig(self) -> dict:
        return {'l1': self.l1, 'l2': self.l2}

    @classmethod
    def fromConfig(cls, config: dict | None = None) -> 'L1L2':
        config = config or {}
        return L1L2({'l1': config.get('l1'), 'l2': config.get('l2')})

    def __repr__(self) -> str:
        return f'<Regularizer L1L2 l1={self.l1} l2={self.l2}>'


class _KerasL1(L1L2):
    """Keras's `L1` class (`{'l1': v}`), read as `L1L2(l1=v, l2=0)`."""
    className = 'L1'

    @classmethod
    def fromConfig(cls, config: dict | None = None) -> L1L2:
        value = (config or {}).get('l1')
        return L1L2({'l1': 0.01 if value is None else value, 'l2': 0})


class _KerasL2(L1L2):
    """Keras's `L2` class (`{'l2': v}`), read as `L1L2(l1=0, l2=v)`."""
    className = 'L2'

    @classmethod
    def fromConfig(cls, config: dict | None = None) -> L1L2:
        value = (config or {}).get('l2')
        return L1L2({'l1': 0, 'l2': 0.01 if value is None else value})


class OrthogonalRegularizer(Regularizer):
    """Keras 3's `OrthogonalRegularizer` (not in TF.js): penalizes non-orthogonal rows
    (`mode: 'rows'`) or columns (`'columns'`) of a 2-D weight, `factor` times the mean absolute
    off-diagonal cosine similarity, halved."""
    className = 'OrthogonalRegularizer'

    def __init__(self, config: dict | None = None, **kwargs):
        args = normalize_args(config, kwargs, ('factor', 'mode'), 'OrthogonalRegularizer')
        self.factor = 0.01 if args.get('factor') is None else _rate(args['factor'], 'factor')
        self.mode = args.get('mode') or 'rows'
        if self.mode not in ('rows', 'columns'):
            raise ValueError(f'OrthogonalRegularizer mode must be "rows" or "columns"; got '
                             f'{self.mode!r}.')

    def apply(self, x) -> Tensor:
        t = float_raw(x, 'x', 'OrthogonalRegularizer')
        if t.ndim != 2:
            raise ValueError(f'OrthogonalRegularizer needs a rank-2 weight; got shape '
                             f'{list(t.shape)}.')
        if self.mode == 'columns':
            t = t.T
        # Keras: x * rsqrt(max(sum(x^2), epsilon)) along the normalized axis
        t = t * torch.rsqrt(torch.clamp((t * t).sum(1, keepdim=True), min=1e-7))
        product = t @ t.T
        size = product.shape[0]
        off = product * (1.0 - torch.eye(size, device=t.device))
        pairs = size * (size - 1) / 2.0
        return wrap(self.factor * 0.5 * off.abs().sum() / pairs, 'float32')

    def getConfig(self) -> dict:
        return {'factor': self.factor, 'mode': self.mode}

    @classmethod
    def fromConfig(cls, config: dict | None = None) -> 'OrthogonalRegularizer':
        return cls(config or {})


register_builtin(L1L2)
register_builtin(_KerasL1)
register_builtin(_KerasL2)
register_builtin(OrthogonalRegularizer)

REGULARIZER_IDENTIFIERS = {'l1l2': 'L1L2', 'l1': 'L1', 'l2': 'L2'}


def l1l2(config: dict | None = None, **kwargs) -> Regularizer:
    """`l1l2({'l1', 'l2'})`, each defaulting to 0.01."""
    return L1L2(config, **kwargs)


def l1(config: dict | None = None, **kwargs) -> Regularizer:
    """`l1({'l1'})`: L1 only (l1 defaults to 0.01)."""
    args = normalize_args(config, kwargs, ('l1',), 'l1 regularizer')
    return L1L2({'l1': args.get('l1'), 'l2': 0})


def l2(config: dict | None = None, **kwargs) -> Regularizer:
    """`l2({'l2'})`: L2 only (l2 defaults to 0.01)."""
    args = normalize_args(config, kwargs, ('l2',), 'l2 regularizer')
    return L1L2({'l1': 0, 'l2': args.get('l2')})


def get_regularizer(identifier: Any) -> Regularizer | None:
    """Resolve a regularizer: None, a name (`'l1l2'`, `'l1'`, `'l2'`, `'l1_l2'`), a
    `{'className', 'config'}` dict or an instance.

    >>> get_regularizer('l1l2').getConfig()
    {'l1': 0.01, 'l2': 0.01}
    """
    if identifier is None:
        return None
    if isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, str):
        key = identifier.replace('_', '').lower() if identifier.lower() in (
            'l1', 'l2', 'l1l2', 'l1_l2') else identifier
        name = REGULARIZER_IDENTIFIERS.get(key) or \
            REGULARIZER_IDENTIFIERS.get(to_camel_case(key), key)
        found = SerializationMap.class_name_map.get(name)
        if isinstance(found, type) and issubclass(found, Regularizer):
            return found.fromConfig({})
        raise ValueError(f'Unknown regularizer: "{identifier}".'
                         f'{did_you_mean(identifier, list(REGULARIZER_IDENTIFIERS) + ["L1L2"])} '
                         'Valid identifiers are: l1l2, l1, l2 (or an L1L2 object, e.g. '
                         "tf.regularizers.l1l2({'l1': 0.01})).")
    if isinstance(identifier, dict):
        name = identifier.get('className', identifier.get('class_name'))
        if isinstance(name, str) and 'config' in identifier:
            return deserialize({'className': name, 'config': identifier['config'] or {}},
                               kind='regularizer')
        raise ValueError(f'Improper regularizer config {identifier!r}: expected '
                         '{"className": "L1L2", "config": {"l1": ..., "l2": ...}}.')
    raise ValueError(f'Cannot interpret {identifier!r} as a regularizer.')


def serialize_regularizer(regularizer: Regularizer | None) -> dict | None:
    """`{'className': 'L1L2', 'config': {'l1', 'l2'}}` (None stays None).

    >>> serialize_regularizer(l1({'l1': 0.1}))
    {'className': 'L1L2', 'config': {'l1': 0.1, 'l2': 0}}
    """
    return serialize(get_regularizer(regularizer))


FACTORIES = ('l1l2', 'l1', 'l2')
add_snake_case_aliases(globals())
