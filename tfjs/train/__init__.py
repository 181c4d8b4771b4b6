"""`tf.train`: the optimizers of TF.js (`sgd`, `momentum`, `rmsprop`, `adam`, `adadelta`, `adamax`,
`adagrad`), plus `getOptimizer` (the strings `model.compile` accepts) and `deserializeOptimizer`.

Every factory takes TF.js's positional arguments, or a config dict, or keyword arguments
(camelCase or snake_case; Keras's `lr`/`learning_rate`, `beta_1`, `nesterov` too):

>>> import tfjs as tf
>>> tf.train.sgd({'lr': 0.2}).getConfig()
{'learningRate': 0.2}
>>> tf.train.adam(learning_rate=0.01, beta_1=0.8).getConfig()['beta1']
0.8

Beyond TF.js, as in Keras: `clipnorm`, `clipvalue` or `globalClipnorm` on any optimizer, and a
learning-rate schedule (`tf.train.schedules`) in place of the learning rate:

>>> tf.train.sgd(0.1, clipnorm=1.0).getConfig()
{'learningRate': 0.1, 'clipnorm': 1.0}
"""
from __future__ import annotations

from typing import Any, Mapping

from .. import _naming
from ..errors import ValueError
from ..serialization.registry import get_registered_class, register_builtin
from .adadelta import AdadeltaOptimizer
from .adagrad import AdagradOptimizer
from .adam import AdamOptimizer
from .adamax import AdamaxOptimizer
from .momentum import MomentumOptimizer
from .optimizer import EPSILON, Optimizer, build
from . import schedules
from .rmsprop import RMSPropOptimizer
from .schedules import LearningRateSchedule
from .sgd import SGDOptimizer

Num = float   # type alias used in the signatures below
Config = Mapping[str, Any]


def sgd(learningRate: Num | Config | None = None, **kwargs: Any) -> SGDOptimizer:
    """Gradient descent: `w <- w - learningRate * g`.

    >>> import tfjs as tf
    >>> tf.train.sgd(0.1).getClassName()
    'SGD'
    """
    return build(SGDOptimizer, [learningRate], kwargs)


def momentum(learningRate: Num | Config | None = None, momentum: Num | None = None,
             useNesterov: bool | None = None, **kwargs: Any) -> MomentumOptimizer:
    """Gradient descent with momentum (`useNesterov` default False).

    >>> import tfjs as tf
    >>> tf.train.momentum(0.1, 0.9, nesterov=True).getConfig()
    {'learningRate': 0.1, 'momentum': 0.9, 'useNesterov': True}
    """
    return build(MomentumOptimizer, [learningRate, momentum, useNesterov], kwargs)


def rmsprop(learningRate: Num | Config | None = None, decay: Num | None = None,
            momentum: Num | None = None, epsilon: Num | None = None,
            centered: bool | None = None, **kwargs: Any) -> RMSPropOptimizer:
    """RMSProp (decay 0.9, momentum 0, epsilon 1e-7, centered False; Keras's `rho` = decay).

    >>> import tfjs as tf
    >>> tf.train.rmsprop(0.01, centered=True).getConfig()['centered']
    True
    """
    return build(RMSPropOptimizer, [learningRate, decay, momentum, epsilon, centered], kwargs)


def adam(learningRate: Num | Config | None = None, beta1: Num | None = None,
         beta2: Num | None = None, epsilon: Num | None = None, **kwargs: Any) -> AdamOptimizer:
    """Adam (learningRate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7).

    >>> import tfjs as tf
    >>> tf.train.adam().getConfig()
    {'learningRate': 0.001, 'beta1': 0.9, 'beta2': 0.999, 'epsilon': 1e-07}
    """
    return build(AdamOptimizer, [learningRate, beta1, beta2, epsilon], kwargs)


def adadelta(learningRate: Num | Config | None = None, rho: Num | None = None,
             epsilon: Num | None = None, **kwargs: Any) -> AdadeltaOptimizer:
    """Adadelta (learningRate 0.001, rho 0.95, epsilon 1e-7).

    >>> import tfjs as tf
    >>> tf.train.adadelta(1.0).getConfig()['rho']
    0.95
    """
    return build(AdadeltaOptimizer, [learningRate, rho, epsilon], kwargs)


def adamax(learningRate: Num | Config | None = None, beta1: Num | None = None,
           beta2: Num | None = None, epsilon: Num | None = None, decay: Num | None = None,
           **kwargs: Any) -> AdamaxOptimizer:
    """Adamax (learningRate 0.002, beta1 0.9, beta2 0.999, epsilon 1e-7, decay 0).

    >>> import tfjs as tf
    >>> tf.train.adamax(decay=0.01).getConfig()['decay']
    0.01
    """
    return build(AdamaxOptimizer, [learningRate, beta1, beta2, epsilon, decay], kwargs)


def adagrad(learningRate: Num | Config | None = None, initialAccumulatorValue: Num | None = None,
            **kwargs: Any) -> AdagradOptimizer:
    """Adagrad (initialAccumulatorValue 0.1).

    >>> import tfjs as tf
    >>> tf.train.adagrad(0.1).getConfig()
    {'learningRate': 0.1, 'initialAccumulatorValue': 0.1}
    """
    return build(AdagradOptimizer, [learningRate, initialAccumulatorValue], kwargs)


# ---------------------------------------------------------------------- strings and configs

_STRING_OPTIMIZERS = {   # TF.js's `getOptimizer` (tfjs-layers/src/optimizers.ts), exact keys
    'Adagrad': lambda: adagrad(0.01),
    'Adadelta': lambda: adadelta(1, 0.95, EPSILON),
    'Adam': lambda: adam(0.001, 0.9, 0.999, EPSILON),
    'Adamax': lambda: adamax(0.002, 0.9, 0.999, EPSILON, 0),
    'RMSProp': lambda: rmsprop(0.001, 0.9, 0, EPSILON),
    'SGD': lambda: sgd(0.01),
}
for _name in list(_STRING_OPTIMIZERS):
    _STRING_OPTIMIZERS[_name.lower()] = _STRING_OPTIMIZERS[_name]
_STRING_OPTIMIZERS['RMSprop'] = _STRING_OPTIMIZERS['RMSProp']   # Keras's class name

OPTIMIZER_CLASSES = {cls.className: cls for cls in (
    AdadeltaOptimizer, AdagradOptimizer, AdamOptimizer, AdamaxOptimizer, MomentumOptimizer,
    RMSPropOptimizer, SGDOptimizer)}
OPTIMIZER_CLASSES['RMSprop'] = RMSPropOptimizer
for _cls in set(OPTIMIZER_CLASSES.values()):
    register_builtin(_cls, *(['RMSprop'] if _cls is RMSPropOptimizer else []))


def getOptimizer(identifier: str | Optimizer | Config) -> Optimizer:
    """The optimizer `model.compile({'optimizer': identifier})` uses: a name (`'sgd'`, `'adam'`,
    `'rmsprop'`, `'adagrad'`, `'adadelta'`, `'adamax'` or TF.js's class names), an Optimizer
    (returned as is) or a serialized `{'class_name': ..., 'config': ...}`.

    >>> getOptimizer('sgd').getConfig()
    {'learningRate': 0.01}
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, Mapping):
        return deserializeOptimizer(identifier)
    if isinstance(identifier, str) and identifier in _STRING_OPTIMIZERS:
        return _STRING_OPTIMIZERS[identifier]()
    names = sorted(_STRING_OPTIMIZERS)
    hint = ''
    if isinstance(identifier, str):
        hint = _naming.did_you_mean(identifier, names)
        if not hint and identifier.lower() in _STRING_OPTIMIZERS:
            hint = f' Did you mean "{identifier.lower()}"?'
    raise ValueError(f'Unknown Optimizer {identifier!r}.{hint} Valid names are: '
                     f'{", ".join(names)}; for other settings pass an optimizer object, e.g. '
                     'tf.train.adam(0.01) or tf.train.momentum(0.01, 0.9).')


def deserializeOptimizer(config: Config, customObjects: Mapping[str, type] | None = None
                         ) -> Optimizer:
    """Build an optimizer from `{'class_name' | 'className': ..., 'config': {...}}` as found in
    a model's `training_config` (TF.js or Keras spelling of class and config keys).

    >>> deserializeOptimizer({'class_name': 'Adam', 'config': {'learning_rate': 0.01}}).learningRate
    0.01
    """
    if not isinstance(config, Mapping):
        raise ValueError(f'An optimizer config must be a dict; got {type(config).__name__}.')
    name = config.get('className', config.get('class_name'))
    if not isinstance(name, str):
        raise ValueError('An optimizer config needs "class_name" (e.g. "Adam") and "config"; '
                         f'got keys {sorted(config)}.')
    cls = OPTIMIZER_CLASSES.get(name) if not (customObjects and name in customObjects) else None
    if cls is None:
        cls = get_registered_class(name, customObjects, 'optimizer')
    return cls.fromConfig(config.get('config') or {})


__all__ = ['schedules', 'LearningRateSchedule', 'sgd', 'momentum', 'rmsprop', 'adam', 'adadelta', 'adamax', 'adagrad', 'Optimizer',
           'SGDOptimizer', 'MomentumOptimizer', 'RMSPropOptimizer', 'AdamOptimizer',
           'AdadeltaOptimizer', 'AdamaxOptimizer', 'AdagradOptimizer', 'getOptimizer',
           'deserializeOptimizer', 'get_optimizer', 'deserialize_optimizer']

_naming.add_snake_case_aliases(globals())
