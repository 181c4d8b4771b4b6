"""Weight initializers (`tf.initializers.*`), as TF.js's `initializers.ts`.

Each initializer has `apply(shape, dtype='float32') -> Tensor`, `getConfig()` (camelCase) and
is registered by className. Factories take a TF.js config dict and/or keyword arguments (camel
or snake case). `get_initializer` resolves TF.js identifiers (`'glorotNormal'`), snake_case and
Keras names (`'glorot_uniform'`, `'lecun_normal'`), `{'className', 'config'}` dicts and instances.

Differences from TF.js (its bugs are not copied; Keras's behaviour is used instead):
* `randomUniform({minval: 0})` keeps 0 (TF.js's `||` silently replaced 0 with the default);
* VarianceScaling `distribution: 'truncatedNormal'` samples a truncated normal with Keras's
  0.8796 stddev correction (TF.js fell through to uniform); Keras's `'untruncatedNormal'` is
  accepted; `'normal'` is TF.js's truncated normal *without* the correction;
* `identity` also builds non-square 2-D matrices (Keras does);
* seeded draws are reproducible here but not bit-identical to TF.js's seeded PRNG.

>>> import tfjs as tf
>>> tf.initializers.glorotNormal({'seed': 1}).apply([3, 4]).shape
[3, 4]
"""
from __future__ import annotations

import math
import warnings
from typing import Any, Sequence

import torch

from ._naming import SnakeCaseAliases, add_snake_case_aliases, did_you_mean, normalize_args, \
    to_camel_case
from .backend import device, to_torch_dtype
from .errors import NotImplementedError, ValueError
from .ops import creation, random
from .ops._dispatch import wrap
from .serialization.registry import Serializable, deserialize, register_builtin, serialize
from .tensor import Tensor

VALID_FAN_MODES = ('fanIn', 'fanOut', 'fanAvg')
VALID_DISTRIBUTIONS = ('normal', 'uniform', 'truncatedNormal', 'untruncatedNormal')
_TRUNCATED_STDDEV_CORRECTION = 0.87962566103423978   # stddev of a unit normal truncated at +-2


def _keras_config(class_name: str, config: dict | None) -> dict:
    """A config without the keys Keras writes that change nothing here: `dtype` (old tf.keras;
    the dtype comes from the layer) and, from Keras 3.12, null `input_axes` / `output_axes`."""
    config = dict(config or {})
    config.pop('dtype', None)
    for key in ('inputAxes', 'input_axes', 'outputAxes', 'output_axes'):
        if key in config and config.pop(key) is not None:
            raise NotImplementedError(
                f"{class_name} with Keras's {key} (fan axes for einsum kernels) is not "
                'supported; only the default fans of the kernel shape are.')
    return config


class Initializer(Serializable, SnakeCaseAliases):
    """Base class: `apply(shape, dtype) -> Tensor`, `getConfig() -> dict`."""

    className = ''
    _keys: tuple = ()

    def __init__(self, config: dict | None = None, **kwargs):
        args = normalize_args(config, kwargs, self._keys, f'{type(self).__name__} initializer')
        self._setup(args)

    def _setup(self, args: dict) -> None:
        pass

    def apply(self, shape: Sequence[int], dtype: str = 'float32') -> Tensor:
        raise NotImplementedError(f'{type(self).__name__}.apply() is not implemented.')

    def __call__(self, shape: Sequence[int], dtype: str = 'float32') -> Tensor:
        return self.apply(shape, dtype)

    def getClassName(self) -> str:
        return type(self).className or type(self).__name__

    def getConfig(self) -> dict:
        return {}

    @classmethod
    def fromConfig(cls, config: dict | None = None) -> 'Initializer':
        return cls(_keras_config(cls.className, config))

    def __repr__(self) -> str:
        return f'<Initializer {self.getClassName()} {self.getConfig()}>'


def _shape(shape) -> list:
    try:
        return [int(d) for d in shape]
    except TypeError:
        raise ValueError(f'An initializer needs a shape (a list of integers), got {shape!r}.') \
            from None


def _dtype(dtype: str | None) -> str:
    return dtype or 'float32'


def _check_float_int(dtype: str, who: str) -> None:
    if dtype not in ('float32', 'int32'):
        raise NotImplementedError(f'{who} does not support dType {dtype}.')


class Zeros(Initializer):
    """All zeros."""
    className = 'Zeros'

    def apply(self, shape, dtype='float32'):
        return creation.zeros(_shape(shape), _dtype(dtype))


class Ones(Initializer):
    """All ones."""
    className = 'Ones'

    def apply(self, shape, dtype='float32'):
        return creation.ones(_shape(shape), _dtype(dtype))


class Constant(Initializer):
    """Every element equal to `value` (required)."""
    className = 'Constant'
    _keys = ('value',)

    def _setup(self, args):
        if args.get('value') is None:
            raise ValueError('Constant initializer: config must have value set, e.g. '
                             "tf.initializers.constant({'value': 0.5}).")
        self.value = args['value']

    def apply(self, shape, dtype='float32'):
        return creation.fill(_shape(shape), self.value, _dtype(dtype))

    def getConfig(self):
        return {'value': self.value}


class RandomUniform(Initializer):
    """Uniform in [minval, maxval) (defaults -0.05, 0.05)."""
    className = 'RandomUniform'
    _keys = ('minval', 'maxval', 'seed')

    def _setup(self, args):
        self.minval = -0.05 if args.get('minval') is None else args['minval']
        self.maxval = 0.05 if args.get('maxval') is None else args['maxval']
        self.seed = args.get('seed')

    def apply(self, shape, dtype='float32'):
        return random.randomUniform(_shape(shape), self.minval, self.maxval, _dtype(dtype),
                                    self.seed)

    def getConfig(self):
        return {'minval': self.minval, 'maxval': self.maxval, 'seed': self.seed}


class RandomNormal(Initializer):
    """Normal with `mean` (0) and `stddev` (0.05)."""
    className = 'RandomNormal'
    _keys = ('mean', 'stddev', 'seed')
    _op = staticmethod(random.randomNormal)

    def _setup(self, args):
        self.mean = 0.0 if args.get('mean') is None else args['mean']
        self.stddev = 0.05 if args.get('stddev') is None else args['stddev']
        self.seed = args.get('seed')

    def apply(self, shape, dtype='float32'):
        dtype = _dtype(dtype)
        _check_float_int(dtype, type(self).__name__)
        return self._op(_shape(shape), self.mean, self.stddev, dtype, self.seed)

    def getConfig(self):
        return {'mean': self.mean, 'stddev': self.stddev, 'seed': self.seed}


class TruncatedNormal(RandomNormal):
    """Normal with `mean` (0) and `stddev` (0.05), redrawn beyond two standard deviations."""
    className = 'TruncatedNormal'
    _op = staticmethod(random.truncatedNormal)


class Identity(Initializer):
    """`gain` times the identity matrix (2-D shapes only)."""
    className = 'Identity'
    _keys = ('gain',)

    def _setup(self, args):
        self.gain = 1.0 if args.get('gain') is None else args['gain']

    def apply(self, shape, dtype='float32'):
        shape = _shape(shape)
        if len(shape) != 2:
            raise ValueError('Identity matrix initializer can only be used for 2D matrices, got '
                             f'shape {shape}.')
        t = torch.eye(shape[0], shape[1], dtype=torch.float32, device=device()) * self.gain
        dtype = _dtype(dtype)
        return wrap(t if dtype == 'float32' else t.to(to_torch_dtype(dtype)), dtype)

    def getConfig(self):
        return {'gain': self.gain}


def compute_fans(shape: Sequence[int], dataFormat: str = 'channelsLast') -> tuple:
    """TF.js's `computeFans`: (fanIn, fanOut) of a weight shape.

    >>> compute_fans([3, 3, 8, 16])
    (72, 144)
    """
    shape = _shape(shape)
    if len(shape) == 2:
        return shape[0], shape[1]
    if len(shape) in (3, 4, 5):
        if dataFormat == 'channelsFirst':
            receptive = math.prod(shape[2:])
            return shape[1] * receptive, shape[0] * receptive
        if dataFormat != 'channelsLast':
            raise ValueError(f'Invalid dataFormat {dataFormat!r}: use channelsLast or '
                             'channelsFirst.')
        receptive = math.prod(shape[:-2])
        return shape[-2] * receptive, shape[-1] * receptive
    fan = math.sqrt(math.prod(shape))
    return fan, fan


def _check_choice(value: str, valid: Sequence[str], label: str) -> str:
    camel = to_camel_case(value) if isinstance(value, str) else value
    if camel not in valid:
        raise ValueError(f'{value} is not a valid {label}. Valid values are '
                         f'{", ".join(valid)} or None.{did_you_mean(str(value), valid)}')
    return camel


class VarianceScaling(Initializer):
    """Samples scaled to the fan: stddev (or limit) from `scale / fan` (see module docstring)."""
    className = 'VarianceScaling'
    _keys = ('scale', 'mode', 'distribution', 'seed')

    def _setup(self, args):
        scale = args.get('scale')
        if scale is not None and scale < 0:
            raise ValueError(f'scale must be a positive float. Got: {scale}')
        self.scale = 1.0 if scale is None else scale
        self.mode = _check_choice(args.get('mode') or 'fanIn', VALID_FAN_MODES, 'FanMode')
        self.distribution = _check_choice(args.get('distribution') or 'normal',
                                          VALID_DISTRIBUTIONS, 'Distribution')
        self.seed = args.get('seed')

    def apply(self, shape, dtype='float32'):
        shape = _shape(shape)
        dtype = _dtype(dtype)
        fan_in, fan_out = compute_fans(shape)
        fan = {'fanIn': fan_in, 'fanOut': fan_out}.get(self.mode, (fan_in + fan_out) / 2)
        scale = self.scale / max(1, fan)
        if self.distribution == 'uniform':
            limit = math.sqrt(3 * scale)
            return random.randomUniform(shape, -limit, limit, dtype, self.seed)
        _check_float_int(dtype, self.getClassName())
        stddev = math.sqrt(scale)
        if self.distribution == 'untruncatedNormal':
            return random.randomNormal(shape, 0, stddev, dtype, self.seed)
        if self.distribution == 'truncatedNormal':
            stddev /= _TRUNCATED_STDDEV_CORRECTION
        return random.truncatedNormal(shape, 0, stddev, dtype, self.seed)

    def getConfig(self):
        return {'scale': self.scale, 'mode': self.mode, 'distribution': self.distribution,
                'seed': self.seed}


class _SeedOnly(VarianceScaling):
    """The Glorot/He/LeCun helpers: fixed scale/mode/distribution; serialize as VarianceScaling."""
    _fixed: dict = {}
    _keys = ('seed',)

    def _setup(self, args):
        super()._setup({**self._fixed, 'seed': args.get('seed')})

    def getClassName(self) -> str:
        return VarianceScaling.className

    @classmethod
    def fromConfig(cls, config: dict | None = None) -> 'Initializer':
        config = _keras_config(cls.className, config)
        extra = {k: v for k, v in config.items() if to_camel_case(k) != 'seed'}
        if extra:   # e.g. {'scale':..., 'mode':...} under a helper's name: honour it exactly
            return VarianceScaling(config)
        return cls(config)


class GlorotUniform(_SeedOnly):
    """VarianceScaling(scale 1, fanAvg, uniform)."""
    className = 'GlorotUniform'
    _fixed = {'scale': 1.0, 'mode': 'fanAvg', 'distribution': 'uniform'}


class GlorotNormal(_SeedOnly):
    """VarianceScaling(scale 1, fanAvg, normal)."""
    className = 'GlorotNormal'
    _fixed = {'scale': 1.0, 'mode': 'fanAvg', 'distribution': 'normal'}


class HeNormal(_SeedOnly):
    """VarianceScaling(scale 2, fanIn, normal)."""
    className = 'HeNormal'
    _fixed = {'scale': 2.0, 'mode': 'fanIn', 'distribution': 'normal'}


class HeUniform(_SeedOnly):
    """VarianceScaling(scale 2, fanIn, uniform)."""
    className = 'HeUniform'
    _fixed = {'scale': 2.0, 'mode': 'fanIn', 'distribution': 'uniform'}


class LeCunNormal(_SeedOnly):
    """VarianceScaling(scale 1, fanIn, normal)."""
    className = 'LeCunNormal'
    _fixed = {'scale': 1.0, 'mode': 'fanIn', 'distribution': 'normal'}


class LeCunUniform(_SeedOnly):
    """VarianceScaling(scale 1, fanIn, uniform)."""
    className = 'LeCunUniform'
    _fixed = {'scale': 1.0, 'mode': 'fanIn', 'distribution': 'uniform'}


class Orthogonal(Initializer):
    """A random orthogonal matrix (QR of a normal matrix, sign-fixed) times `gain` (1)."""
    className = 'Orthogonal'
    _keys = ('gain', 'seed')
    ELEMENTS_WARN_SLOW = 2000

    def _setup(self, args):
        self.gain = 1.0 if args.get('gain') is None else args['gain']
        self.seed = args.get('seed')

    def apply(self, shape, dtype='float32'):
        shape = _shape(shape)
        dtype = _dtype(dtype)
        if len(shape) < 2:
            raise NotImplementedError('Shape must be at least 2D.')
        if dtype not in ('float32', 'int32'):
            raise ValueError(f'Unsupported data type {dtype}.')
        rows, cols = math.prod(shape[:-1]), shape[-1]
        if rows * cols > self.ELEMENTS_WARN_SLOW:
            warnings.warn(f'Orthogonal initializer is being called on a matrix with more than '
                          f'{self.ELEMENTS_WARN_SLOW} ({rows * cols}) elements: Slowness may '
                          'result.', stacklevel=2)
        normal = random.randomNormal([max(rows, cols), min(rows, cols)], 0, 1, 'float32',
                                     self.seed)._t.to(torch.float64)
        q, r = torch.linalg.qr(normal.cpu(), mode='reduced')
        q = q * torch.sign(torch.diagonal(r))
        if rows < cols:
            q = q.T
        t = (q.reshape(shape) * self.gain).to(torch.float32).to(device())
        if dtype == 'int32':
            t = torch.trunc(t).to(torch.int32)
        return wrap(t.contiguous(), dtype)

    def getConfig(self):
        return {'gain': self.gain, 'seed': self.seed}


_CLASSES = (Zeros, Ones, Constant, RandomUniform, RandomNormal, TruncatedNormal, Identity,
            VarianceScaling, GlorotUniform, GlorotNormal, HeNormal, HeUniform, LeCunNormal,
            LeCunUniform, Orthogonal)
for _cls in _CLASSES:
    register_builtin(_cls)
register_builtin(LeCunNormal, 'LecunNormal')
register_builtin(LeCunUniform, 'LecunUniform')

# TF.js's INITIALIZER_IDENTIFIER_REGISTRY_SYMBOL_MAP, plus Keras spellings (after camel-casing).
INITIALIZER_IDENTIFIERS = {
    'constant': 'Constant', 'glorotNormal': 'GlorotNormal', 'glorotUniform': 'GlorotUniform',
    'heNormal': 'HeNormal', 'heUniform': 'HeUniform', 'identity': 'Identity',
    'leCunNormal': 'LeCunNormal', 'leCunUniform': 'LeCunUniform', 'ones': 'Ones',
    'orthogonal': 'Orthogonal', 'randomNormal': 'RandomNormal', 'randomUniform': 'RandomUniform',
    'truncatedNormal': 'TruncatedNormal', 'varianceScaling': 'VarianceScaling', 'zeros': 'Zeros',
}
_KERAS_IDENTIFIERS = {
    'lecunNormal': 'LeCunNormal', 'lecunUniform': 'LeCunUniform', 'zero': 'Zeros', 'one': 'Ones',
    'uniform': 'RandomUniform', 'normal': 'RandomNormal', 'LecunNormal': 'LeCunNormal',
    'LecunUniform': 'LeCunUniform',
}
_BY_CLASS = {cls.className: cls for cls in _CLASSES}


def _class_for(name: str):
    from .serialization.registry import SerializationMap
    for candidate in (name, to_camel_case(name)):
        cname = INITIALIZER_IDENTIFIERS.get(candidate) or _KERAS_IDENTIFIERS.get(candidate) \
            or candidate
        if cname in _BY_CLASS:
            return _BY_CLASS[cname]
        found = SerializationMap.class_name_map.get(cname)
        if isinstance(found, type) and issubclass(found, Initializer):
            return found
    return None


def get_initializer(identifier: Any) -> Initializer | None:
    """Resolve an initializer: a name, a `{'className', 'config'}` dict, or an instance.

    >>> get_initializer('he_normal').getConfig()['mode']
    'fanIn'
    """
    if identifier is None:
        return None
    if isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, str):
        cls = _class_for(identifier)
        if cls is None:
            names = sorted(set(INITIALIZER_IDENTIFIERS) | set(INITIALIZER_IDENTIFIERS.values()))
            raise ValueError(f'Unknown initializer: "{identifier}".'
                             f'{did_you_mean(identifier, names)} Valid identifiers are: '
                             f'{", ".join(INITIALIZER_IDENTIFIERS)} (or their snake_case / '
                             'Keras spellings such as "glorot_uniform", "lecun_normal").')
        return cls()
    if isinstance(identifier, dict):
        name = identifier.get('className', identifier.get('class_name'))
        if isinstance(name, str) and 'config' in identifier:
            cls = _class_for(name) if name not in _BY_CLASS else _BY_CLASS[name]
            if cls is not None:
                return cls.fromConfig(identifier['config'] or {})
            return deserialize({'className': name, 'config': identifier['config'] or {}},
                               kind='initializer')
        raise ValueError(f'Improper initializer config {identifier!r}: expected '
                         '{"className": ..., "config": {...}}.')
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    raise ValueError(f'Cannot interpret {identifier!r} as an initializer: pass a name such as '
                     '"glorotUniform", an Initializer or {"className", "config"}.')


def serialize_initializer(initializer: Initializer | None) -> dict | None:
    """`{'className', 'config'}` for an initializer (the Glorot/He/LeCun helpers give
    `VarianceScaling`).

    >>> serialize_initializer(get_initializer('zeros'))
    {'className': 'Zeros', 'config': {}}
    """
    return serialize(get_initializer(initializer))


# ------------------------------------------------------------------ factories (tf.initializers)

def zeros() -> Initializer:
    """Initializer of zeros."""
    return Zeros()


def ones() -> Initializer:
    """Initializer of ones."""
    return Ones()


def constant(config: dict | None = None, **kwargs) -> Initializer:
    """`constant({'value': v})`."""
    return Constant(config, **kwargs)


def randomUniform(config: dict | None = None, **kwargs) -> Initializer:
    """`randomUniform({'minval', 'maxval', 'seed'})`."""
    return RandomUniform(config, **kwargs)


def randomNormal(config: dict | None = None, **kwargs) -> Initializer:
    """`randomNormal({'mean', 'stddev', 'seed'})`."""
    return RandomNormal(config, **kwargs)


def truncatedNormal(config: dict | None = None, **kwargs) -> Initializer:
    """`truncatedNormal({'mean', 'stddev', 'seed'})`."""
    return TruncatedNormal(config, **kwargs)


def identity(config: dict | None = None, **kwargs) -> Initializer:
    """`identity({'gain'})`."""
    return Identity(config, **kwargs)


def varianceScaling(config: dict | None = None, **kwargs) -> Initializer:
    """`varianceScaling({'scale', 'mode', 'distribution', 'seed'})`."""
    return VarianceScaling(config, **kwargs)


def glorotUniform(config: dict | None = None, **kwargs) -> Initializer:
    """`glorotUniform({'seed'})`."""
    return GlorotUniform(config, **kwargs)


def glorotNormal(config: dict | None = None, **kwargs) -> Initializer:
    """`glorotNormal({'seed'})`."""
    return GlorotNormal(config, **kwargs)


def heNormal(config: dict | None = None, **kwargs) -> Initializer:
    """`heNormal({'seed'})`."""
    return HeNormal(config, **kwargs)


def heUniform(config: dict | None = None, **kwargs) -> Initializer:
    """`heUniform({'seed'})`."""
    return HeUniform(config, **kwargs)


def leCunNormal(config: dict | None = None, **kwargs) -> Initializer:
    """`leCunNormal({'seed'})`."""
    return LeCunNormal(config, **kwargs)


def leCunUniform(config: dict | None = None, **kwargs) -> Initializer:
    """`leCunUniform({'seed'})`."""
    return LeCunUniform(config, **kwargs)


def orthogonal(config: dict | None = None, **kwargs) -> Initializer:
    """`orthogonal({'gain', 'seed'})`."""
    return Orthogonal(config, **kwargs)


FACTORIES = ('zeros', 'ones', 'constant', 'randomUniform', 'randomNormal', 'truncatedNormal',
             'identity', 'varianceScaling', 'glorotUniform', 'glorotNormal', 'heNormal',
             'heUniform', 'leCunNormal', 'leCunUniform', 'orthogonal')
add_snake_case_aliases(globals())
