"""Learning-rate schedules (Keras's `keras.optimizers.schedules`; TF.js has none).

A schedule maps the optimizer's step count (`optimizer.iterations` before the update, as in
Keras) to a learning rate. Give one to any optimizer as its learning rate; Keras files that
carry a schedule in their training config load with it.

>>> import tfjs as tf
>>> s = tf.train.schedules.exponentialDecay({'initialLearningRate': 0.1, 'decaySteps': 10,
...                                          'decayRate': 0.5})
>>> round(s(20), 6)
0.025
>>> opt = tf.train.sgd(s)
"""
from __future__ import annotations

import math
from typing import Any, Mapping

from .._naming import SnakeCaseAliases, normalize_args, to_camel_case
from ..errors import ValueError
from ..serialization.registry import Serializable, register_builtin


class LearningRateSchedule(SnakeCaseAliases, Serializable):
    """Base class: subclasses set `className`, `_PARAMS` ((name, default), ...) and `rate(step)`.

    Subclass it (and register it with `tf.serialization.registerClass`) for your own schedule.
    """

    className = 'LearningRateSchedule'
    _PARAMS: tuple = ()
    _REQUIRED: tuple = ()

    def __init__(self, config: Mapping[str, Any] | None = None, /, **kwargs: Any):
        names = [name for name, _ in self._PARAMS]
        where = f'tf.train.schedules.{self.className}'
        args = normalize_args(config, kwargs, names + ['name'], where)
        for name in self._REQUIRED:
            if args.get(name) is None:
                raise ValueError(f'{where} needs "{name}", e.g. '
                                 f'{{"{name}": {dict(self._PARAMS)[name]!r}}}.')
        for name, default in self._PARAMS:
            setattr(self, name, args.get(name, default) if args.get(name) is not None else default)
        self.name = args.get('name')
        self._check()

    def _check(self) -> None:
        """Validate the parameters (subclasses)."""

    def rate(self, step: int) -> float:
        raise NotImplementedError(f'{type(self).__name__}.rate(step)')

    def __call__(self, step: int) -> float:
        return float(self.rate(int(step)))

    def getClassName(self) -> str:
        return type(self).className

    def getConfig(self) -> dict:
        config = {name: getattr(self, name) for name, _ in self._PARAMS}
        if self.name is not None:
            config['name'] = self.name
        return config

    @classmethod
    def fromConfig(cls, config: Mapping[str, Any]) -> 'LearningRateSchedule':
        return cls({to_camel_case(str(k)): v for k, v in config.items()})

    def __repr__(self) -> str:
        return f'{self.className}({self.getConfig()})'


def _positive(where: str, name: str, value) -> None:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
        raise ValueError(f'{where}: "{name}" must be a positive number; got {value!r}.')


class ExponentialDecay(LearningRateSchedule):
    """`initialLearningRate * decayRate ** (step / decaySteps)` (the exponent floored when
    `staircase`)."""

    className = 'ExponentialDecay'
    _PARAMS = (('initialLearningRate', 0.01), ('decaySteps', 1000), ('decayRate', 0.96),
               ('staircase', False))
    _REQUIRED = ('initialLearningRate', 'decaySteps', 'decayRate')

    def _check(self):
        _positive(self.className, 'decaySteps', self.decaySteps)

    def rate(self, step):
        p = step / self.decaySteps
        if self.staircase:
            p = math.floor(p)
        return self.initialLearningRate * self.decayRate ** p


class InverseTimeDecay(LearningRateSchedule):
    """`initialLearningRate / (1 + decayRate * step / decaySteps)` (floored when `staircase`)."""

    className = 'InverseTimeDecay'
    _PARAMS = (('initialLearningRate', 0.01), ('decaySteps', 1000), ('decayRate', 0.5),
               ('staircase', False))
    _REQUIRED = ('initialLearningRate', 'decaySteps', 'decayRate')

    def _check(self):
        _positive(self.className, 'decaySteps', self.decaySteps)

    def rate(self, step):
        p = step / self.decaySteps
        if self.staircase:
            p = math.floor(p)
        return self.initialLearningRate / (1 + self.decayRate * p)


class PiecewiseConstantDecay(LearningRateSchedule):
    """`values[i]` while `boundaries[i-1] < step <= boundaries[i]` (one more value than
    boundaries)."""

    className = 'PiecewiseConstantDecay'
    _PARAMS = (('boundaries', [100]), ('values', [0.1, 0.01]))
    _REQUIRED = ('boundaries', 'values')

    def _check(self):
        if len(self.values) != len(self.boundaries) + 1:
            raise ValueError('PiecewiseConstantDecay needs exactly one more value than boundaries; '
                             f'got {len(self.boundaries)} boundaries and {len(self.values)} values.')

    def rate(self, step):
        for boundary, value in zip(self.boundaries, self.values):
            if step <= boundary:
                return value
        return self.values[-1]


class PolynomialDecay(LearningRateSchedule):
    """Polynomial decay from `initialLearningRate` to `endLearningRate` over `decaySteps`
    (`cycle` restarts it with a longer period)."""

    className = 'PolynomialDecay'
    _PARAMS = (('initialLearningRate', 0.01), ('decaySteps', 1000), ('endLearningRate', 0.0001),
               ('power', 1.0), ('cycle', False))
    _REQUIRED = ('initialLearningRate', 'decaySteps')

    def _check(self):
        _positive(self.className, 'decaySteps', self.decaySteps)

    def rate(self, step):
        steps = float(self.decaySteps)
        if self.cycle:
            steps *= 1.0 if step == 0 else math.ceil(step / steps)
        else:
            step = min(step, steps)
        frac = 1 - step / steps
        return (self.initialLearningRate - self.endLearningRate) * frac ** self.power \
            + self.endLearningRate


class CosineDecay(LearningRateSchedule):
    """Cosine decay over `decaySteps` down to `alpha * initial`, after an optional linear warmup
    from `initialLearningRate` to `warmupTarget` over `warmupSteps` (Keras 3)."""

    className = 'CosineDecay'
    _PARAMS = (('initialLearningRate', 0.01), ('decaySteps', 1000), ('alpha', 0.0),
               ('warmupTarget', None), ('warmupSteps', 0))
    _REQUIRED = ('initialLearningRate', 'decaySteps')

    def _check(self):
        _positive(self.className, 'decaySteps', self.decaySteps)

    def rate(self, step):
        if self.warmupTarget is None:
            start, step = self.initialLearningRate, min(step, self.decaySteps)
        else:
            if step < self.warmupSteps:
                return (self.warmupTarget - self.initialLearningRate) * step / self.warmupSteps \
                    + self.initialLearningRate
            start = self.warmupTarget
            step = min(step - self.warmupSteps, self.decaySteps)
        cosine = 0.5 * (1.0 + math.cos(math.pi * step / self.decaySteps))
        return start * ((1 - self.alpha) * cosine + self.alpha)


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): periods grow by `tMul`, peaks shrink by `mMul`."""

    className = 'CosineDecayRestarts'
    _PARAMS = (('initialLearningRate', 0.01), ('firstDecaySteps', 1000), ('tMul', 2.0),
               ('mMul', 1.0), ('alpha', 0.0))
    _REQUIRED = ('initialLearningRate', 'firstDecaySteps')

    def _check(self):
        _positive(self.className, 'firstDecaySteps', self.firstDecaySteps)

    def rate(self, step):
        frac = step / self.firstDecaySteps
        if self.tMul == 1.0:
            restart = math.floor(frac)
            frac -= restart
        else:
            restart = math.floor(math.log(1.0 - frac * (1.0 - self.tMul)) / math.log(self.tMul))
            done = (1.0 - self.tMul ** restart) / (1.0 - self.tMul)
            frac = (frac - done) / self.tMul ** restart
        cosine = 0.5 * self.mMul ** restart * (1.0 + math.cos(math.pi * frac))
        return self.initialLearningRate * ((1 - self.alpha) * cosine + self.alpha)


SCHEDULES = (ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay, PolynomialDecay,
             CosineDecay, CosineDecayRestarts)
for _cls in SCHEDULES:
    register_builtin(_cls)


def _factory(cls):
    def make(config: Mapping[str, Any] | None = None, /, **kwargs: Any):
        return cls(config, **kwargs)
    name = cls.className[0].lower() + cls.className[1:]
    make.__name__ = make.__qualname__ = name
    make.__doc__ = f'A `{cls.className}` schedule: {cls.__doc__}'
    return name, make


exponentialDecay = _factory(ExponentialDecay)[1]
inverseTimeDecay = _factory(InverseTimeDecay)[1]
piecewiseConstantDecay = _factory(PiecewiseConstantDecay)[1]
polynomialDecay = _factory(PolynomialDecay)[1]
cosineDecay = _factory(CosineDecay)[1]
cosineDecayRestarts = _factory(CosineDecayRestarts)[1]


def deserialize_schedule(config: Mapping[str, Any]) -> LearningRateSchedule:
    """A schedule from `{'class_name' | 'className': ..., 'config': {...}}` (Keras or ours)."""
    from ..serialization.registry import get_registered_class
    name = config.get('className', config.get('class_name'))
    cls = get_registered_class(str(name), kind='learning rate schedule')
    if not (isinstance(cls, type) and issubclass(cls, LearningRateSchedule)):
        raise ValueError(f'"{name}" is not a learning rate schedule.')
    return cls.fromConfig(config.get('config') or {})
