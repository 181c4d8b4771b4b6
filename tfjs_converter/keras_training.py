"""Training state in Keras files: the compile settings (Keras 3 `compile_config`, Keras 2
`training_config`) and the optimizer's variables, translated to and from TF.js's
`trainingConfig` and optimizer weights (`group: 'optimizer'`: `iter`, then each slot kind for
every trainable weight, slot kind by slot kind: TF.js's `getWeights()` order).

Keras's optimizer variables, as Keras 3.15 (`model.weights.h5`: `optimizer/vars/<i>`) and
tf-keras 2.21 (`.h5`: `optimizer_weights`, listed in its `weight_names`) write them:

* `iteration` (int64), then (Keras 3 only) `learning_rate` when it is a number, then the slots;
* Adam, Adamax, Adadelta: per trainable variable both slots (`m0 v0 m1 v1 ...`); RMSprop: by kind
  (`velocity...`, `momentum...` when momentum > 0, `average_gradient...` when centered);
  SGD: `momentum...` when momentum > 0; Adagrad: `accumulator...`;
* tf-keras's legacy optimizers (`<Opt>/iter:0`, `<Opt>/<layer>/<w>/<slot>:0`) by kind;
* Keras 2.0-2.2 (`iterations:0`, `training/Adam/Variable_3:0`: no slot names) by position, as
  tf-keras's legacy `set_weights` restores them: `[iterations] + ms + vs` (Adam, Adamax; Keras
  2.1+ Adam appends one `vhat` per variable, dropped), SGD `[iterations] + moments`, and
  RMSprop / Adagrad / Adadelta without the iteration count (restored as 0). Every slot's shape
  is checked against the model's trainable weights in order; state that does not fit raises
  `OptimizerStateError`, and the model is compiled with a fresh optimizer (as tf-keras does).

Values are TF.js's except SGD momentum: Keras keeps `v = momentum*v - lr*g`, TF.js the
accumulated gradient `acc = momentum*acc + g`, so `acc = -v / lr` (with a learning-rate schedule
TF.js-for-Python runs Keras's update and keeps `v` as is).

>>> tc = {'loss': 'mse', 'metrics': ['mae'], 'optimizer_config': {
...     'class_name': 'Custom>Adam', 'config': {'learning_rate': 0.01}}}
>>> tfjs_training_config(tc)['optimizer_config']
{'class_name': 'Adam', 'config': {'learning_rate': 0.01}}
"""
from __future__ import annotations

import numpy as np

from .errors import UnsupportedError
from .model import Weight
from .naming import to_camel_case, to_snake_case

# TF.js class -> (TF.js slot kinds in getWeights order, Keras class)
TFJS_SLOTS = {'Adam': ('m', 'v'), 'Adamax': ('m', 'v'), 'Adadelta': ('accum_grad', 'accum_var'),
              'Adagrad': ('accumulator',), 'Momentum': ('momentum',), 'SGD': (),
              'RMSProp': ('rms', 'momentum', 'mg')}
KERAS_CLASS = {'Adam': 'Adam', 'Adamax': 'Adamax', 'Adadelta': 'Adadelta', 'Adagrad': 'Adagrad',
               'Momentum': 'SGD', 'SGD': 'SGD', 'RMSProp': 'RMSprop'}
INTERLEAVED = ('Adam', 'Adamax', 'Adadelta')
# Keras's slot names (Keras 3, tf-keras, tf-keras legacy) -> TF.js slot kind, per TF.js class
_ALIASES = {
    'Adam': {'momentum': 'm', 'velocity': 'v', 'm': 'm', 'v': 'v'},
    'Adamax': {'momentum': 'm', 'norm': 'v', 'm': 'm', 'u': 'v', 'v': 'v'},
    'Adadelta': {'accumulated_grad': 'accum_grad', 'accumulated_delta_var': 'accum_var',
                 'accum_grad': 'accum_grad', 'accum_var': 'accum_var'},
    'Adagrad': {'accumulator': 'accumulator'},
    'Momentum': {'momentum': 'momentum', 'm': 'momentum'},
    'RMSProp': {'velocity': 'rms', 'rms': 'rms', 'momentum': 'momentum',
                'average_gradient': 'mg', 'mg': 'mg'},
    'SGD': {},
}
# TF.js slot kind -> the name tf-keras (non-legacy) gives it in an .h5 file
_K2_SLOT_NAMES = {'Adam': {'m': 'm', 'v': 'v'}, 'Adamax': {'m': 'm', 'v': 'u'},
                  'Adadelta': {'accum_grad': 'accumulated_grad', 'accum_var': 'accumulated_delta_var'},
                  'Adagrad': {'accumulator': 'accumulator'}, 'Momentum': {'momentum': 'm'},
                  'RMSProp': {'rms': 'velocity', 'momentum': 'momentum', 'mg': 'average_gradient'},
                  'SGD': {}}
_CLASS_FROM_KERAS = {'adam': 'Adam', 'adamax': 'Adamax', 'adadelta': 'Adadelta',
                     'adagrad': 'Adagrad', 'sgd': 'SGD', 'rmsprop': 'RMSProp',
                     'momentum': 'Momentum'}
_NEUTRAL_LOSS_KEYS = {'name', 'reduction', 'dtype', 'fn'}
# what a malformed config raises inside the parsing here (turned into TrainingStateError)
_MALFORMED = (AttributeError, TypeError, ValueError, KeyError, IndexError, OverflowError)


class TrainingStateError(UnsupportedError):
    """The compile settings or optimizer state of a file cannot be represented."""


class OptimizerStateError(TrainingStateError):
    """The compile settings are usable, but the saved optimizer variables do not fit the model:
    Keras then starts from a freshly initialized optimizer, and so does TF.js-for-Python."""


# ------------------------------------------------------------------- configs (Keras -> TF.js)

def _class(name) -> str:
    if not isinstance(name, str):
        raise TrainingStateError(f'optimizer class {name!r} is not a name')
    base = name.split('>')[-1]
    cls = _CLASS_FROM_KERAS.get(base.lower())
    if cls is None:
        raise TrainingStateError(
            f'the optimizer "{base}" has no TF.js counterpart (TF.js has Adam, Adamax, Adadelta, '
            'Adagrad, RMSprop, SGD and momentum SGD)')
    return cls


def tfjs_optimizer_class(optimizer_config: dict) -> str:
    """The TF.js class a Keras optimizer config becomes (`SGD` with momentum: `Momentum`)."""
    cls = _class(optimizer_config.get('class_name'))
    config = optimizer_config.get('config') or {}
    if cls == 'SGD' and config.get('momentum'):
        return 'Momentum'
    return cls


_NEUTRAL_REDUCTIONS = (None, 'auto', 'sum_over_batch_size')


def _loss(value):
    """A Keras loss (a name, `{class_name, config}`) as the name TF.js compiles with."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list):
        return [_loss(v) for v in value]
    if isinstance(value, dict) and 'class_name' in value:
        config = value.get('config') or {}
        if isinstance(config, str):           # Keras 3: {'class_name': 'function', 'config': 'mse'}
            return config
        if not isinstance(config, dict):
            raise TrainingStateError(f'the loss {value!r} cannot be read')
        if config.get('reduction') not in _NEUTRAL_REDUCTIONS:
            raise TrainingStateError(
                f'the loss {value["class_name"]} uses reduction {config["reduction"]!r}; TF.js '
                'losses take the mean over the batch (reduction "sum_over_batch_size")')
        extra = {k: v for k, v in config.items() if k not in _NEUTRAL_LOSS_KEYS
                 and v not in (False, 0, 0.0, None, -1)}
        if extra:
            raise TrainingStateError(f'the loss {value["class_name"]} has settings {extra} that '
                                     'TF.js losses do not take')
        if value['class_name'] in ('function', 'LossFunctionWrapper'):
            fn = config.get('fn')
            fn = fn.get('config') if isinstance(fn, dict) else fn
            if not isinstance(fn, str):
                raise TrainingStateError(f'the loss {value!r} names no function')
            return fn
        return to_snake_case(value['class_name'])
    if isinstance(value, dict):
        return {k: _loss(v) for k, v in value.items()}
    raise TrainingStateError(f'the loss {value!r} cannot be read')


def _metric(value):
    if isinstance(value, str) or value is None:
        return value
    if isinstance(value, dict) and value.get('class_name') in ('MeanMetricWrapper', 'function'):
        config = value.get('config') or {}
        if isinstance(config, str):
            return config
        fn = config.get('fn')
        fn = fn.get('config') if isinstance(fn, dict) else fn
        return fn or config.get('name')
    if isinstance(value, dict) and 'class_name' in value:
        return {'class_name': value['class_name'],
                'config': {k: v for k, v in (value.get('config') or {}).items()
                           if k not in ('module', 'registered_name')}}
    raise TrainingStateError(f'the metric {value!r} cannot be read')


def _metrics(value):
    if value is None:
        return None
    if isinstance(value, dict):
        return {k: _metrics(v) if isinstance(v, list) else [_metric(v)] for k, v in value.items()}
    if not isinstance(value, list):
        return [_metric(value)]
    if len(value) == 1 and isinstance(value[0], list):    # tf-keras: one list per output
        value = value[0]
    if any(isinstance(v, list) for v in value):
        raise TrainingStateError('per-output metric lists of a multi-output model cannot be '
                                 'given to TF.js; compile the model yourself')
    return [_metric(v) for v in value]


def tfjs_training_config(training_config) -> dict | None:
    """A Keras `training_config` (or the one made from Keras 3's `compile_config`) as TF.js's
    `trainingConfig` (`loss`, `metrics`, `optimizer_config`; Keras's optimizer keys, which the
    TF.js-for-Python optimizers read); None without one. Raises `TrainingStateError` for what
    TF.js cannot compile (also for a malformed config)."""
    if not isinstance(training_config, dict) or not training_config.get('optimizer_config'):
        return None
    try:
        return _tfjs_training_config(training_config)
    except TrainingStateError:
        raise
    except _MALFORMED as exc:
        raise TrainingStateError(f'the compile settings are malformed ({type(exc).__name__}: '
                                 f'{exc})') from None


def _tfjs_training_config(training_config: dict) -> dict:
    for key in ('weighted_metrics', 'sample_weight_mode'):
        if training_config.get(key):
            raise TrainingStateError(f'{key} ({training_config[key]!r}) is not supported by TF.js')
    opt = training_config['optimizer_config']
    if isinstance(opt, str):
        opt = {'class_name': opt, 'config': {}}
    cls = tfjs_optimizer_class(opt)
    config = {k: v for k, v in (opt.get('config') or {}).items()
              if k not in ('is_legacy_optimizer', 'jit_compile')}
    lr = config.get('learning_rate')
    if isinstance(lr, dict) and 'class_name' in lr:
        config['learning_rate'] = {'class_name': lr['class_name'],
                                   'config': dict(lr.get('config') or {})}
    out = {'loss': _loss(training_config.get('loss')),
           'metrics': _metrics(training_config.get('metrics')),
           'optimizer_config': {'class_name': KERAS_CLASS[cls] if cls != 'RMSProp' else 'RMSprop',
                                'config': config}}
    if cls == 'Momentum':
        out['optimizer_config']['class_name'] = 'SGD'
    if training_config.get('loss_weights') is not None:
        out['loss_weights'] = training_config['loss_weights']
    return out


# --------------------------------------------------------------- optimizer state (Keras -> TF.js)

def _tfjs_kinds(cls: str, config: dict) -> tuple:
    kinds = TFJS_SLOTS[cls]
    if cls == 'RMSProp' and not config.get('centered'):
        kinds = ('rms', 'momentum')
    return kinds


def _keras_kinds(cls: str, config: dict) -> tuple:
    """The slot kinds Keras creates for this optimizer config (TF.js kind names)."""
    if cls == 'RMSProp':
        return tuple(k for k, on in (('rms', True), ('momentum', bool(config.get('momentum'))),
                                     ('mg', bool(config.get('centered')))) if on)
    return TFJS_SLOTS[cls]


def _lr(config: dict):
    lr = config.get('learning_rate', config.get('learningRate', config.get('lr', 0.01)))
    return None if isinstance(lr, dict) else float(np.float32(lr))


def _to_tfjs_values(cls, kind, array, config):
    if cls == 'Momentum' and kind == 'momentum':
        lr = _lr(config)
        if lr is not None:
            return (array / -np.float32(lr)).astype(np.float32)
    return array


def _from_tfjs_values(cls, kind, array, config):
    if cls == 'Momentum' and kind == 'momentum':
        lr = _lr(config)
        if lr is not None:
            return (np.asarray(array, np.float32) * -np.float32(lr)).astype(np.float32)
    return np.asarray(array)


def trainable_weights(topology: dict, weights: list) -> list:
    """`[(TF.js name, shape)]` of the model's trainable weights in TF.js's order, or None where
    the schema cannot tell (nested models)."""
    from . import schema
    try:
        slots = schema.model_slots(topology)
    except Exception:        # an unknown layer class: no order to check against
        return None
    shapes = {w.name: np.shape(w.array) for w in weights if w.group is None}
    out = []
    for s in slots:
        if s.trainable:
            if s.name not in shapes:
                return None
            out.append((s.name, shapes[s.name]))
    return out


def _assemble(cls, config, by_kind: dict, iterations: int, trainable, where) -> list:
    """TF.js optimizer `Weight`s from `{kind: [arrays in trainable order]}`."""
    kinds = _tfjs_kinds(cls, config)
    counts = {len(v) for v in by_kind.values()}
    if len(counts) > 1:
        raise TrainingStateError(f'{where}: the optimizer slots have different counts '
                                 f'({ {k: len(v) for k, v in by_kind.items()} })')
    n = counts.pop() if counts else (len(trainable) if trainable is not None else 0)
    if trainable is not None:
        if n != len(trainable):
            raise TrainingStateError(f'{where}: the optimizer holds state for {n} variables, the '
                                     f'model has {len(trainable)} trainable weights')
        for arrays in by_kind.values():
            for a, (name, shape) in zip(arrays, trainable):
                if tuple(np.shape(a)) != tuple(shape):
                    raise TrainingStateError(
                        f'{where}: an optimizer slot of shape {list(np.shape(a))} does not fit '
                        f'the trainable weight "{name}" {list(shape)}')
    names = [t[0] for t in trainable] if trainable is not None else [f'var_{i}' for i in range(n)]
    out = [Weight('iter', np.asarray(iterations, np.int32), 'optimizer')]
    for kind in kinds:
        arrays = by_kind.get(kind)
        if arrays is None:      # a slot Keras does not create for this config starts at zero
            if trainable is None:
                raise TrainingStateError(f'{where}: no "{kind}" slots and no model shapes')
            arrays = [np.zeros(shape, np.float32) for _, shape in trainable]
        for name, a in zip(names, arrays):
            value = _to_tfjs_values(cls, kind, np.asarray(a, np.float32), config)
            out.append(Weight(f'{name}/{kind}', value, 'optimizer'))
    return out


def optimizer_weights_from_keras3(arrays: list, training: dict, trainable, where: str) -> list:
    """TF.js optimizer weights from Keras 3's `optimizer/vars/<i>` arrays (in order); raises
    `OptimizerStateError` when they do not fit the model."""
    try:
        return _from_keras3(arrays, training, trainable, where)
    except OptimizerStateError:
        raise
    except TrainingStateError as exc:
        raise OptimizerStateError(str(exc)) from None
    except _MALFORMED as exc:
        raise OptimizerStateError(f'{where}: malformed optimizer state ({type(exc).__name__}: '
                                  f'{exc})') from None


def _from_keras3(arrays: list, training: dict, trainable, where: str) -> list:
    opt = training['optimizer_config']
    cls, config = tfjs_optimizer_class(opt), opt.get('config') or {}
    if not arrays:
        return []
    iterations = int(np.asarray(arrays[0]).reshape(-1)[0])
    rest = list(arrays[1:])
    kinds = _keras_kinds(cls, config)
    if _lr(config) is not None:          # a number: Keras 3 tracks a learning_rate variable
        if not rest or np.ndim(rest[0]) != 0:
            raise TrainingStateError(f'{where}: no learning_rate variable after the iteration '
                                     'count')
        rest = rest[1:]
    if not kinds:
        if rest:
            raise TrainingStateError(f'{where}: {len(rest)} optimizer variables for an optimizer '
                                     'without slots')
        return _assemble(cls, config, {}, iterations, trainable, where)
    if len(rest) % len(kinds):
        raise TrainingStateError(f'{where}: {len(rest)} optimizer slot variables do not divide '
                                 f'into {len(kinds)} kinds ({", ".join(kinds)})')
    n = len(rest) // len(kinds)
    if cls in INTERLEAVED:
        by_kind = {k: rest[i::len(kinds)] for i, k in enumerate(kinds)}
    else:
        by_kind = {k: rest[i * n:(i + 1) * n] for i, k in enumerate(kinds)}
    return _assemble(cls, config, by_kind, iterations, trainable, where)


def optimizer_weights_from_h5(items: list, training: dict, trainable, where: str) -> list:
    """TF.js optimizer weights from an `.h5` file's `optimizer_weights` `[(name, array)]`:
    classified by the slot names (tf-keras, legacy tf-keras, Keras 3), or by position for
    Keras 2.0-2.2 files, whose names carry no slot names. Raises `OptimizerStateError` when
    they do not fit the model.

    >>> items = [('training/Adagrad/Variable:0', np.ones(2, np.float32))]   # Keras 2.1
    >>> tc = {'optimizer_config': {'class_name': 'Adagrad', 'config': {'lr': 0.01}}}
    >>> [w.name for w in optimizer_weights_from_h5(items, tc, [('d/bias', (2,))], 'f')]
    ['iter', 'd/bias/accumulator']
    """
    try:
        return _by_name(items, training, trainable, where)
    except OptimizerStateError:
        raise
    except _NoSlotNames as exc:
        try:
            return _by_position([a for _, a in items], training, trainable, where)
        except (TrainingStateError,) + _MALFORMED as pos:
            raise OptimizerStateError(f'{exc}; by position (Keras 2.0-2.2 layout): {pos}') \
                from None
    except TrainingStateError as exc:
        raise OptimizerStateError(str(exc)) from None
    except _MALFORMED as exc:
        raise OptimizerStateError(f'{where}: malformed optimizer state ({type(exc).__name__}: '
                                  f'{exc})') from None


class _NoSlotNames(TrainingStateError):
    """The optimizer weight names do not say which slot each one is."""


def _by_position(arrays: list, training: dict, trainable, where: str) -> list:
    """Keras 2.0-2.2 optimizer weights (`self.weights` of its optimizers), mapped by position
    as tf-keras's legacy optimizers' `set_weights` maps them (kinds one after the other)."""
    opt = training['optimizer_config']
    cls, config = tfjs_optimizer_class(opt), opt.get('config') or {}
    if trainable is None:
        raise TrainingStateError('the model\'s trainable weights are unknown, so positions '
                                 'cannot be checked')
    kinds, n = _keras_kinds(cls, config), len(trainable)
    arrays = list(arrays)
    if cls == 'Adam' and len(arrays) == 3 * n + 1:        # Keras 2.1+: vhats, even without amsgrad
        arrays = arrays[:2 * n + 1]
    if cls in ('Adadelta', 'Adagrad', 'RMSProp') and len(arrays) == len(kinds) * n:
        arrays = [np.asarray(0)] + arrays                   # Keras 2 kept no iteration count
    if len(arrays) != 1 + len(kinds) * n or np.size(arrays[0]) != 1:
        raise TrainingStateError(
            f'{len(arrays)} weights, not the iteration count plus {len(kinds)} x {n} slots '
            f'({", ".join(kinds) or "none"}) for the {n} trainable weights')
    iterations = int(np.asarray(arrays[0]).reshape(-1)[0])
    by_kind = {k: arrays[1 + i * n:1 + (i + 1) * n] for i, k in enumerate(kinds)}
    return _assemble(cls, config, by_kind, iterations, trainable, where)


def _by_name(items: list, training: dict, trainable, where: str) -> list:
    opt = training['optimizer_config']
    cls, config = tfjs_optimizer_class(opt), opt.get('config') or {}
    aliases = _ALIASES[cls]
    iterations = None
    by_kind: dict = {}
    names = [n[:-2] if n.endswith(':0') else n for n, _ in items]
    legacy = any(n.split('/')[-1] == 'iter' for n in names)   # tf-keras legacy: `Opt/iter:0`
    for name, array in items:
        short = name[:-2] if name.endswith(':0') else name
        parts = short.split('/')
        last = parts[-1]
        if last in ('iter', 'iteration', 'iterations'):
            iterations = int(np.asarray(array).reshape(-1)[0])
            continue
        if last == 'learning_rate':
            continue
        kind = None
        if len(parts) >= 3:
            # legacy `Opt/<layer>/<var>/<slot>`: the slot follows the variable's own name;
            # tf-keras `Opt/<slot>/<layer>/<var>`: it precedes the variable path
            slot = last if legacy else parts[1]
            kind = aliases.get(slot)
        else:                                                   # Keras 3: opt/<var>_<slot>
            for alias in sorted(aliases, key=len, reverse=True):
                if last.endswith('_' + alias):
                    kind = aliases[alias]
                    break
        if kind is None:
            raise _NoSlotNames(f'{where}: the optimizer weight "{name}" is no slot of '
                               f'{cls} ({", ".join(sorted(set(aliases.values())))})')
        by_kind.setdefault(kind, []).append(array)
    if iterations is None:
        raise _NoSlotNames(f'{where}: the optimizer weights have no iteration count')
    return _assemble(cls, config, by_kind, iterations, trainable, where)


# ------------------------------------------------------------------- TF.js -> Keras (writing)

def _snake_config(config: dict) -> dict:
    out = {}
    for k, v in config.items():
        if isinstance(v, dict) and ('className' in v or 'class_name' in v):
            v = {'module': 'keras.optimizers.schedules',
                 'class_name': v.get('className', v.get('class_name')),
                 'config': {to_snake_case(a): b for a, b in (v.get('config') or {}).items()},
                 'registered_name': None}
        out[to_snake_case(k)] = v
    return out


def keras_optimizer_config(optimizer_config: dict) -> tuple:
    """`(TF.js class, Keras class, Keras config)` of a TF.js `optimizer_config`."""
    name = optimizer_config.get('class_name', optimizer_config.get('className'))
    cls = _class(name)
    config = _snake_config(optimizer_config.get('config') or {})
    config.pop('name', None)
    if cls == 'SGD' and config.get('momentum'):
        cls = 'Momentum'
    if cls == 'Momentum':
        config['nesterov'] = bool(config.pop('use_nesterov', config.get('nesterov', False)))
    if cls == 'RMSProp' and 'decay' in config:
        config['rho'] = config.pop('decay')
    if cls == 'Adam' or cls == 'Adamax':
        for a, b in (('beta1', 'beta_1'), ('beta2', 'beta_2')):
            if a in config:
                config[b] = config.pop(a)
    if cls == 'Adamax' and config.pop('decay', 0):
        raise TrainingStateError('Adamax "decay" (learning-rate decay) has no Keras counterpart')
    if cls == 'Adagrad':
        config.setdefault('epsilon', 1e-7)
    config.setdefault('learning_rate', 0.01 if cls in ('SGD', 'Momentum') else 0.001)
    return cls, KERAS_CLASS[cls], config


def _slots_by_kind(cls, config, opt_weights: list, where) -> tuple:
    """`(iterations, {kind: [arrays]})` of TF.js optimizer weights (`iter` first)."""
    if not opt_weights:
        return 0, {}
    iterations = int(np.asarray(opt_weights[0].array).reshape(-1)[0])
    rest = opt_weights[1:]
    kinds = _tfjs_kinds(cls, {**config, 'centered': config.get('centered')})
    if not rest:
        return iterations, {}
    if not kinds or len(rest) % len(kinds):
        raise TrainingStateError(f'{where}: {len(rest)} optimizer weights after "iter" do not '
                                 f'make {len(kinds)} slot kinds for {cls}')
    n = len(rest) // len(kinds)
    return iterations, {k: [w.array for w in rest[i * n:(i + 1) * n]]
                        for i, k in enumerate(kinds)}


def _keras_slot_arrays(cls, config, by_kind, trainable, where) -> list:
    """`[(TF.js kind, var index, array)]` in Keras's variable order."""
    kinds = _keras_kinds(cls, config)
    n = len(next(iter(by_kind.values()))) if by_kind else 0
    if trainable is not None and by_kind and n != len(trainable):
        raise TrainingStateError(f'{where}: optimizer state for {n} variables, the model has '
                                 f'{len(trainable)} trainable weights')
    order = ([(k, i) for i in range(n) for k in kinds] if cls in INTERLEAVED
             else [(k, i) for k in kinds for i in range(n)])
    return [(k, i, _from_tfjs_values(cls, k, by_kind[k][i], config)) for k, i in order]


def keras3_compile_state(train_config: dict, opt_weights: list, trainable, where: str) -> tuple:
    """`(compile_config, [arrays of optimizer/vars/<i>])` for Keras 3 from TF.js's
    `trainingConfig` and optimizer weights (empty: Keras builds the optimizer fresh)."""
    cls, kcls, config = keras_optimizer_config(train_config['optimizer_config'])
    compile_config = {
        'optimizer': {'module': 'keras.optimizers', 'class_name': kcls,
                      'config': {'name': kcls.lower(), **config}, 'registered_name': None},
        'loss': train_config.get('loss'), 'loss_weights': train_config.get('loss_weights'),
        'metrics': train_config.get('metrics'), 'weighted_metrics': None,
        'run_eagerly': False, 'steps_per_execution': 1, 'jit_compile': False}
    iterations, by_kind = _slots_by_kind(cls, config, opt_weights, where)
    if not by_kind and cls != 'SGD':
        return compile_config, []
    arrays = [np.asarray(iterations, np.int64)]
    lr = _lr(config)
    if lr is not None:
        arrays.append(np.asarray(lr, np.float32))
    arrays += [a for _, _, a in _keras_slot_arrays(cls, config, by_kind, trainable, where)]
    return compile_config, arrays


def keras2_training_state(train_config: dict, opt_weights: list, trainable, where: str) -> tuple:
    """`(training_config, [(weight name, array)] of optimizer_weights)` as tf-keras writes
    them (its current, non-legacy optimizers)."""
    cls, kcls, config = keras_optimizer_config(train_config['optimizer_config'])
    training = {'loss': train_config.get('loss'), 'metrics': train_config.get('metrics'),
                'weighted_metrics': None, 'loss_weights': train_config.get('loss_weights'),
                'optimizer_config': {'class_name': kcls,
                                     'config': {'name': kcls, 'is_legacy_optimizer': False,
                                                **config}}}
    iterations, by_kind = _slots_by_kind(cls, config, opt_weights, where)
    if not by_kind and cls != 'SGD':
        return training, []
    names = [t[0] for t in trainable] if trainable is not None else None
    items = [('iteration:0', np.asarray(iterations, np.int64))]
    for kind, i, a in _keras_slot_arrays(cls, config, by_kind, trainable, where):
        var = names[i] if names is not None else f'var_{i}'
        items.append((f'{kcls}/{_K2_SLOT_NAMES[cls][kind]}/{var}:0', a))
    return training, items


__all__ = ['TrainingStateError', 'OptimizerStateError', 'tfjs_training_config', 'tfjs_optimizer_class',
           'optimizer_weights_from_keras3', 'optimizer_weights_from_h5', 'trainable_weights',
           'keras3_compile_state', 'keras2_training_state', 'keras_optimizer_config',
           'to_camel_case']
