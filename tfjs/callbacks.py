"""Training callbacks with TF.js's hook names (`onTrainBegin`, `onEpochEnd`, `onBatchEnd`, ...).

Logs inside the training loop hold device scalars; they are turned into Python numbers only
when a callback that reads them runs (user hooks get plain numbers, as in TF.js), so a fit
with no batch-level hooks never copies a value to the host per batch.

>>> import tfjs as tf
>>> stop = tf.callbacks.earlyStopping({'monitor': 'loss', 'patience': 2})
"""
from __future__ import annotations

import inspect
import math
import shutil
import sys
import time
from typing import Any, Callable

import torch

from ._async import maybe_await
from ._naming import SnakeCaseAliases, normalize_args, to_camel_case
from .errors import ValueError
from .tensor import Tensor

HOOKS = ('onTrainBegin', 'onTrainEnd', 'onEpochBegin', 'onEpochEnd', 'onBatchBegin', 'onBatchEnd',
         'onYield')


def resolve_logs(logs: dict | None) -> dict:
    """A copy of logs with every device scalar turned into a Python float."""
    if not logs:
        return {} if logs is None else dict(logs)
    out = {}
    for key, value in logs.items():
        if isinstance(value, torch.Tensor):
            value = float(value)
        elif isinstance(value, Tensor):
            value = float(value.item())
        out[key] = value
    return out


class BaseCallback(SnakeCaseAliases):
    """Base of all callbacks. Hooks may be plain or `async def` methods."""

    def __init__(self):
        self.params: dict = {}
        self.model = None
        self.validationData = None
        self.needs_batch_logs = False   # set by subclasses that read per-batch values

    def setParams(self, params: dict) -> None:
        self.params = params

    def setModel(self, model) -> None:
        self.model = model

    def onTrainBegin(self, logs=None): pass
    def onTrainEnd(self, logs=None): pass
    def onEpochBegin(self, epoch, logs=None): pass
    def onEpochEnd(self, epoch, logs=None): pass
    def onBatchBegin(self, batch, logs=None): pass
    def onBatchEnd(self, batch, logs=None): pass
    def onYield(self, epoch, batch, logs=None): pass


Callback = BaseCallback


class CustomCallback(BaseCallback):
    """A callback from an object or dict of hook functions (TF.js's `CustomCallbackArgs`).

    Keys may be camelCase (`onEpochEnd`) or snake_case (`on_epoch_end`); hook functions receive
    logs with plain numbers and may be coroutine functions.
    """

    def __init__(self, hooks: Any):
        super().__init__()
        if isinstance(hooks, dict):
            items = hooks.items()
        else:
            items = ((name, getattr(hooks, name)) for name in dir(hooks)
                     if not name.startswith('_') and callable(getattr(hooks, name, None)))
        self.hooks: dict = {}
        for name, fn in items:
            camel = to_camel_case(name)
            if camel in HOOKS:
                self.hooks[camel] = fn
            elif isinstance(hooks, dict) and camel not in ('nowFunc', 'nextFrameFunc'):
                raise ValueError(f'Unknown callback hook "{name}". Valid hooks are: '
                                 f'{", ".join(HOOKS)}.')
        self.needs_batch_logs = 'onBatchEnd' in self.hooks or 'onBatchBegin' in self.hooks

    def _call(self, name: str, *args):
        fn = self.hooks.get(name)
        if fn is None:
            return None
        return fn(*args)

    def onTrainBegin(self, logs=None):
        return self._call('onTrainBegin', resolve_logs(logs))

    def onTrainEnd(self, logs=None):
        return self._call('onTrainEnd', resolve_logs(logs))

    def onEpochBegin(self, epoch, logs=None):
        return self._call('onEpochBegin', epoch, resolve_logs(logs))

    def onEpochEnd(self, epoch, logs=None):
        return self._call('onEpochEnd', epoch, resolve_logs(logs))

    def onBatchBegin(self, batch, logs=None):
        return self._call('onBatchBegin', batch, resolve_logs(logs))

    def onBatchEnd(self, batch, logs=None):
        return self._call('onBatchEnd', batch, resolve_logs(logs))

    def onYield(self, epoch, batch, logs=None):
        return self._call('onYield', epoch, batch, resolve_logs(logs))


class BaseLogger(BaseCallback):
    """Averages batch values into epoch logs, weighted by batch size (TF.js's float32 math)."""

    def onEpochBegin(self, epoch, logs=None):
        self.seen = 0
        self.totals: dict = {}
        self.last: dict = {}
        self.stateful = getattr(self.model, '_stateful_metric_names', set()) if self.model else set()

    def onBatchEnd(self, batch, logs=None):
        logs = logs or {}
        size = logs.get('size') or 0
        self.seen += size
        for key, value in logs.items():
            if key in ('batch', 'size'):
                continue
            if key in self.stateful:          # a running result: the epoch value is the last
                self.last[key] = value
                continue
            if isinstance(value, (int, float)):
                self.totals[key] = self.totals.get(key, 0) + value * size
            else:
                value = value if isinstance(value, torch.Tensor) else value._value()
                prev = self.totals.get(key)
                inc = value.detach() * float(size)
                self.totals[key] = inc if prev is None else prev + inc

    def onEpochEnd(self, epoch, logs=None):
        if logs is None:
            return
        for key in self.params.get('metrics', []):
            if key in self.last:
                logs[key] = self.last[key]
                continue
            total = self.totals.get(key)
            if total is None:
                continue
            if isinstance(total, (int, float)):
                logs[key] = total / self.seen
            else:
                inv = torch.tensor(1.0, dtype=torch.float32) / float(self.seen)
                logs[key] = inv.to(total.device) * total


class History(BaseCallback):
    """Records epoch logs: `history.epoch`, `history.history[key]`, `history.params`."""

    def __init__(self):
        super().__init__()
        self.epoch: list = []
        self.history: dict = {}

    def onTrainBegin(self, logs=None):
        self.epoch = []
        self.history = {}

    def onEpochEnd(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)

    def syncData(self) -> None:
        """Turn every recorded device scalar into a Python float."""
        for key, values in self.history.items():
            self.history[key] = [float(v) if isinstance(v, torch.Tensor) else
                                 float(v.item()) if isinstance(v, Tensor) else v for v in values]

    def __repr__(self):
        return f'History(epoch={self.epoch}, history={self.history})'


class EarlyStopping(BaseCallback):
    """Stop training when a monitored quantity stops improving (`tf.callbacks.earlyStopping`).

    Beyond TF.js: `restoreBestWeights` works (TF.js raises NotImplementedError), as in Keras.
    """

    def __init__(self, args: dict | None = None, /, **kwargs):
        super().__init__()
        args = normalize_args(args, kwargs, ('monitor', 'minDelta', 'patience', 'verbose', 'mode',
                                             'baseline', 'restoreBestWeights'),
                              'tf.callbacks.earlyStopping')
        self.monitor = args.get('monitor') or 'val_loss'
        self.minDelta = abs(args.get('minDelta') or 0)
        self.patience = args.get('patience') or 0
        self.verbose = args.get('verbose') or 0
        self.mode = args.get('mode') or 'auto'
        self.baseline = args.get('baseline')
        self.restoreBestWeights = bool(args.get('restoreBestWeights'))
        if self.mode not in ('auto', 'min', 'max'):
            raise ValueError(f'Invalid mode: {self.mode}. Valid modes are auto, min and max.')
        if self.mode == 'min' or (self.mode == 'auto' and 'acc' not in self.monitor):
            self.better = lambda a, b: a < b
            self.sign = -1
        else:
            self.better = lambda a, b: a > b
            self.sign = 1
        if self.sign == -1:
            self.minDelta *= -1

    def onTrainBegin(self, logs=None):
        self.wait = 0
        self.stoppedEpoch = 0
        self.best_weights = None
        if self.baseline is not None:
            self.best = self.baseline
        else:
            self.best = math.inf if self.sign == -1 else -math.inf

    def onEpochEnd(self, epoch, logs=None):
        logs = resolve_logs(logs)
        current = logs.get(self.monitor)
        if current is None:
            print(f'Metric for EarlyStopping {self.monitor} is not available. Available metrics '
                  f'are: {", ".join(logs)}', file=sys.stderr)
            return
        if self.better(current - self.minDelta, self.best):
            self.best = current
            self.wait = 0
            if self.restoreBestWeights:
                self.best_weights = [w.read()._value().clone() for w in self.model.weights]
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stoppedEpoch = epoch
                self.model.stopTraining = True
                if self.restoreBestWeights and self.best_weights is not None:
                    for w, saved in zip(self.model.weights, self.best_weights):
                        w.read()._value().copy_(saved)

    def onTrainEnd(self, logs=None):
        if self.stoppedEpoch > 0 and self.verbose:
            print(f'Epoch {self.stoppedEpoch}: early stopping.')


def earlyStopping(args: dict | None = None, /, **kwargs) -> EarlyStopping:
    """`tf.callbacks.earlyStopping({monitor, minDelta, patience, verbose, mode, baseline,
    restoreBestWeights})`."""
    return EarlyStopping(args, **kwargs)


class ProgbarLogger(BaseCallback):
    """`verbose: 1`: an `Epoch i / n` line, a progress bar, then `Xms Yus/step - loss=...`,
    as tfjs-node prints. The bar shows running values only when it redraws (every 50 ms)."""

    RENDER_THROTTLE_S = 0.05

    def __init__(self, stream=None):
        super().__init__()
        self.stream = stream

    def _out(self):
        return self.stream or sys.stdout

    def onTrainBegin(self, logs=None):
        samples, steps = self.params.get('samples'), self.params.get('steps')
        batch_size = self.params.get('batchSize') or 1
        self.total = math.ceil(samples / batch_size) if samples is not None else (steps or 0)

    def onEpochBegin(self, epoch, logs=None):
        print(f'Epoch {epoch + 1} / {self.params.get("epochs")}', file=self._out())
        self.begin = time.perf_counter()
        self.last_render = 0.0
        self.batches = 0
        self.width = max(10, shutil.get_terminal_size((80, 20)).columns // 2)

    def onBatchEnd(self, batch, logs=None):
        self.batches += 1
        out = self._out()
        if not getattr(out, 'isatty', lambda: False)():
            return      # no live bar without a terminal, so no values are read per batch
        now = time.perf_counter()
        if now - self.last_render < self.RENDER_THROTTLE_S and self.batches < self.total:
            return
        self.last_render = now
        done = self.batches / self.total if self.total else 0
        filled = int(self.width * done)
        bar = '=' * max(0, filled - 1) + ('>' if filled else '') + '-' * (self.width - filled)
        eta = (now - self.begin) / self.batches * (self.total - self.batches) if self.batches else 0
        out.write(f'\reta={eta:.1f} {bar} {format_metrics(resolve_logs(logs))}')
        out.flush()

    def onEpochEnd(self, epoch, logs=None):
        ms = (time.perf_counter() - self.begin) * 1000
        steps = self.params.get('samples') or self.batches or 1
        out = self._out()
        if getattr(out, 'isatty', lambda: False)():
            out.write('\r' + ' ' * (self.width + 40) + '\r')
        print(f'{ms:.0f}ms {ms / steps * 1e3:.0f}us/step - {format_metrics(resolve_logs(logs))}',
              file=out)


class VerboseEpochLogger(BaseCallback):
    """`verbose: 2` (a Keras extra; TF.js has none): one line per epoch."""

    def onEpochEnd(self, epoch, logs=None):
        print(f'Epoch {epoch + 1}/{self.params.get("epochs")} - '
              f'{format_metrics(resolve_logs(logs))}')


def format_metrics(logs: dict) -> str:
    """`key=value ` for every log except batch/size, sorted, as tfjs-node formats them."""
    out = ''
    for key in sorted(logs):
        if key in ('batch', 'size'):
            continue
        out += f'{key}={succinct_number(logs[key])} '
    return out


def succinct_number(x: float) -> str:
    """tfjs-node's `getSuccinctNumberDisplay`."""
    from ._format import js_to_fixed
    if not math.isfinite(x) or x == 0 or x > 1 or x < -1:
        places = 2
    else:
        places = 2 - math.floor(math.log10(abs(x)))
    if places > 4:
        mantissa, exp = f'{x:.2e}'.split('e')
        return f'{mantissa}e{int(exp):+d}'
    return js_to_fixed(x, places)


_registered_constructors: dict = {}


def registerCallbackConstructor(verbosityLevel: int, callbackConstructor: Callable) -> None:
    """Register a callback class instantiated for every fit whose `verbose` >= the level."""
    if not isinstance(verbosityLevel, int) or verbosityLevel < 0:
        raise ValueError(f'Verbosity level is expected to be an integer >= 0, but got '
                         f'{verbosityLevel}.')
    existing = _registered_constructors.setdefault(verbosityLevel, [])
    if callbackConstructor in existing:
        raise ValueError('Duplicate callback constructor.')
    existing.append(callbackConstructor)


def registered_callbacks(verbose: int) -> list:
    out = []
    for level in sorted(_registered_constructors):
        if level <= verbose:
            out.extend(ctor() for ctor in _registered_constructors[level])
    return out


registerCallbackConstructor(1, ProgbarLogger)


def standardize_callbacks(callbacks) -> list:
    """User callbacks as BaseCallback objects (dicts/objects of hooks become CustomCallbacks)."""
    if callbacks is None:
        return []
    if not isinstance(callbacks, (list, tuple)):
        callbacks = [callbacks]
    out = []
    for cb in callbacks:
        if isinstance(cb, BaseCallback):
            out.append(cb)
        elif isinstance(cb, dict) or any(hasattr(cb, h) or hasattr(cb, _snake(h)) for h in HOOKS):
            out.append(CustomCallback(cb))
        else:
            raise ValueError(f'A callback must be a tf.Callback, or an object/dict with hooks such '
                             f'as onEpochEnd; got {type(cb).__name__}.')
    return out


def _snake(name: str) -> str:
    from ._naming import to_snake_case
    return to_snake_case(name)


class CallbackList:
    """Fans each hook out to every callback, awaiting the ones that are coroutines (a job
    generator: use with `yield from`)."""

    def __init__(self, callbacks: list):
        self.callbacks = list(callbacks)
        self.needs_batch_logs = any(getattr(cb, 'needs_batch_logs', False) or _overrides_batch(cb)
                                    for cb in self.callbacks)

    def setParams(self, params: dict) -> None:
        for cb in self.callbacks:
            cb.setParams(params)

    def setModel(self, model) -> None:
        for cb in self.callbacks:
            cb.setModel(model)

    def call(self, hook: str, *args):
        for cb in self.callbacks:
            result = getattr(cb, hook)(*args)
            if inspect.isawaitable(result):
                yield from maybe_await(result)


def _overrides_batch(cb) -> bool:
    if isinstance(cb, (BaseLogger, History, ProgbarLogger, CustomCallback, VerboseEpochLogger)):
        return False
    klass = type(cb)
    return klass.onBatchEnd is not BaseCallback.onBatchEnd or \
        klass.onBatchBegin is not BaseCallback.onBatchBegin

