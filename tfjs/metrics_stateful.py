"""Stateful metrics as Keras has them (TF.js has none): values accumulated over every batch of an
epoch (or of an `evaluate`), not averaged per batch. `fit` resets them at each epoch start and
logs the running result; the epoch value is the result over the whole epoch.

Confusion-matrix metrics follow Keras 3 (`keras.metrics.AUC`, `Precision`, `Recall`,
`TruePositives`...): `yTrue` counts as positive when non-zero, `yPred > threshold` as predicted
positive. Counts stay on the device (no host sync per batch).

>>> import tfjs as tf
>>> m = tf.metrics.AUC()
>>> m.updateState(tf.tensor([0, 0, 1, 1]), tf.tensor([0.1, 0.4, 0.35, 0.8]))
>>> round(float(m.result().dataSync()[0]), 4)
0.75
"""
from __future__ import annotations

from typing import Any, Mapping

import torch

from ._naming import SnakeCaseAliases, normalize_args, to_camel_case
from .errors import NotImplementedError, ValueError
from .serialization.registry import Serializable, register_builtin
from .tensor import Tensor, convert_to_tensor

EPSILON = 1e-7


def _raw(x, name: str) -> torch.Tensor:
    if isinstance(x, torch.Tensor):
        return x
    return convert_to_tensor(x, name, 'metric')._value()


class Metric(SnakeCaseAliases, Serializable):
    """Base class of stateful metrics: `updateState(yTrue, yPred)`, `result()`, `resetState()`.

    Subclasses set `className`, `_PARAMS` ((name, default), ...), and implement `_reset`,
    `_update(yTrue, yPred)` on torch tensors and `_result()` returning a torch scalar.
    """

    className = 'Metric'
    _PARAMS: tuple = ()
    _DEFAULT_NAME = 'metric'

    def __init__(self, config: Mapping[str, Any] | None = None, /, **kwargs: Any):
        names = [name for name, _ in self._PARAMS] + ['name', 'dtype']
        args = normalize_args(config, kwargs, names, f'tf.metrics.{self.className}')
        for name, default in self._PARAMS:
            setattr(self, name, default if args.get(name) is None else args[name])
        self.name = args.get('name') or self._DEFAULT_NAME
        self._check()
        self._state: dict = {}
        self.resetState()

    def _check(self) -> None:
        """Validate the parameters (subclasses)."""

    def resetState(self) -> None:
        """Forget everything accumulated so far."""
        self._state = {}

    def updateState(self, yTrue, yPred) -> None:
        """Accumulate one batch."""
        with torch.no_grad():
            self._update(_raw(yTrue, 'yTrue').detach(), _raw(yPred, 'yPred').detach())

    def result(self) -> Tensor:
        """The metric over everything accumulated since the last reset (a float32 scalar)."""
        return Tensor._make(self.raw_result(), 'float32')

    def raw_result(self) -> torch.Tensor:
        with torch.no_grad():
            return self._result().float()

    def __call__(self, yTrue, yPred) -> Tensor:
        """Update with one batch and return the running result (Keras's `metric(y, p)`)."""
        self.updateState(yTrue, yPred)
        return self.result()

    def _accumulate(self, key: str, value: torch.Tensor) -> None:
        prev = self._state.get(key)
        self._state[key] = value if prev is None else prev + value

    def getClassName(self) -> str:
        return type(self).className

    def getConfig(self) -> dict:
        config = {name: getattr(self, name) for name, _ in self._PARAMS}
        config['name'] = self.name
        return config

    @classmethod
    def fromConfig(cls, config: Mapping[str, Any]) -> 'Metric':
        return cls({to_camel_case(str(k)): v for k, v in config.items()
                    if to_camel_case(str(k)) != 'dtype'})

    def __repr__(self) -> str:
        return f'{self.className}({self.getConfig()})'


def _threshold(value, where: str) -> float:
    if isinstance(value, (list, tuple)):
        if len(value) != 1:
            raise NotImplementedError(f'{where} with several thresholds (a list) is not '
                                      'implemented; give one threshold.')
        value = value[0]
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 1:
        raise ValueError(f'{where}: thresholds must be a number in [0, 1]; got {value!r}.')
    return float(value)


class _Confusion(Metric):
    """One confusion-matrix count or ratio at one threshold, with Keras's `topK`/`classId`."""

    _PARAMS = (('thresholds', None), ('topK', None), ('classId', None))

    def _check(self):
        self._thr = 0.5 if self.thresholds is None else _threshold(self.thresholds, self.className)
        if getattr(self, 'topK', None) is not None and self.thresholds is None:
            self._thr = float('-inf')   # Keras: with topK and no thresholds, the top k count

    def _update(self, y_true, y_pred):
        if getattr(self, 'topK', None) is not None:
            k = int(self.topK)
            top = torch.topk(y_pred, min(k, y_pred.shape[-1]), dim=-1).indices
            keep = torch.zeros_like(y_pred, dtype=torch.bool).scatter_(-1, top, True)
            y_pred = torch.where(keep, y_pred, torch.full_like(y_pred, float('-inf')))
        if getattr(self, 'classId', None) is not None:
            y_true, y_pred = y_true[..., int(self.classId)], y_pred[..., int(self.classId)]
        truth = y_true.reshape(-1) != 0
        pred = y_pred.reshape(-1).float() > self._thr
        self._accumulate('tp', (truth & pred).sum().float())
        self._accumulate('fp', (~truth & pred).sum().float())
        self._accumulate('fn', (truth & ~pred).sum().float())
        self._accumulate('tn', (~truth & ~pred).sum().float())

    def _count(self, key: str) -> torch.Tensor:
        value = self._state.get(key)
        return torch.zeros(()) if value is None else value


def _divide_no_nan(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return torch.where(b == 0, torch.zeros_like(a), a / torch.where(b == 0, torch.ones_like(b), b))


class Precision(_Confusion):
    """`tp / (tp + fp)` over all batches (Keras `Precision`; 0 when nothing is predicted)."""
    className = 'Precision'
    _DEFAULT_NAME = 'precision'

    def _result(self):
        tp, fp = self._count('tp'), self._count('fp')
        return _divide_no_nan(tp, tp + fp)


class Recall(_Confusion):
    """`tp / (tp + fn)` over all batches (Keras `Recall`)."""
    className = 'Recall'
    _DEFAULT_NAME = 'recall'

    def _result(self):
        tp, fn = self._count('tp'), self._count('fn')
        return _divide_no_nan(tp, tp + fn)


def _count_metric(class_name: str, key: str, default_name: str) -> type:
    def _result(self):
        return self._count(key)
    cls = type(class_name, (_Confusion,), {
        'className': class_name, '_DEFAULT_NAME': default_name, '_result': _result,
        '__doc__': f'The number of {default_name.replace("_", " ")} over all batches (Keras '
                   f'`{class_name}`).'})
    cls._PARAMS = (('thresholds', None),)
    return cls


TruePositives = _count_metric('TruePositives', 'tp', 'true_positives')
FalsePositives = _count_metric('FalsePositives', 'fp', 'false_positives')
TrueNegatives = _count_metric('TrueNegatives', 'tn', 'true_negatives')
FalseNegatives = _count_metric('FalseNegatives', 'fn', 'false_negatives')


class AUC(Metric):
    """Area under the ROC (default) or PR curve, from counts at `numThresholds` thresholds
    (Keras `AUC`, summation 'interpolation', 'minoring' or 'majoring')."""

    className = 'AUC'
    _DEFAULT_NAME = 'auc'
    _PARAMS = (('numThresholds', 200), ('curve', 'ROC'), ('summationMethod', 'interpolation'),
               ('thresholds', None), ('multiLabel', False), ('numLabels', None),
               ('labelWeights', None), ('fromLogits', False))

    def _check(self):
        self.curve = str(self.curve).upper()
        if self.curve not in ('ROC', 'PR'):
            raise ValueError(f'AUC curve must be "ROC" or "PR"; got {self.curve!r}.')
        self.summationMethod = str(self.summationMethod).lower()
        if self.summationMethod not in ('interpolation', 'minoring', 'majoring'):
            raise ValueError('AUC summationMethod must be "interpolation", "minoring" or '
                             f'"majoring"; got {self.summationMethod!r}.')
        if self.multiLabel:
            raise NotImplementedError('AUC with multiLabel: true is not implemented; use one AUC '
                                      'per output column (classId is not available for AUC).')
        if self.thresholds is not None:
            inner = [float(t) for t in self.thresholds]
            self.numThresholds = len(inner) + 2
        else:
            if int(self.numThresholds) <= 1:
                raise ValueError(f'AUC numThresholds must be > 1; got {self.numThresholds}.')
            n = int(self.numThresholds)
            inner = [(i + 1) * 1.0 / (n - 1) for i in range(n - 2)]
        self._thresholds = torch.tensor([0.0 - EPSILON] + inner + [1.0 + EPSILON],
                                        dtype=torch.float32)

    def getConfig(self):
        config = super().getConfig()
        if self.thresholds is None:
            del config['thresholds']
        return config

    def _update(self, y_true, y_pred):
        if self.fromLogits:
            y_pred = torch.sigmoid(y_pred.float())
        truth = (y_true.reshape(-1) != 0).unsqueeze(1)
        pred = y_pred.reshape(-1).float().unsqueeze(1) > self._thresholds.to(y_pred.device)
        self._accumulate('tp', (truth & pred).sum(0).float())
        self._accumulate('fp', (~truth & pred).sum(0).float())
        self._accumulate('fn', (truth & ~pred).sum(0).float())
        self._accumulate('tn', (~truth & ~pred).sum(0).float())

    def _counts(self):
        zeros = torch.zeros(len(self._thresholds))
        return [self._state.get(k, zeros) for k in ('tp', 'fp', 'fn', 'tn')]

    def _result(self):
        tp, fp, fn, tn = self._counts()
        if self.curve == 'PR' and self.summationMethod == 'interpolation':
            return self._interpolate_pr_auc(tp, fp, fn)
        recall = _divide_no_nan(tp, tp + fn)
        if self.curve == 'ROC':
            x, y = _divide_no_nan(fp, fp + tn), recall
        else:
            x, y = recall, _divide_no_nan(tp, tp + fp)
        if self.summationMethod == 'interpolation':
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summationMethod == 'minoring':
            heights = torch.minimum(y[:-1], y[1:])
        else:
            heights = torch.maximum(y[:-1], y[1:])
        return ((x[:-1] - x[1:]) * heights).sum()

    @staticmethod
    def _interpolate_pr_auc(tp, fp, fn):
        """Davis & Goadrich's interpolation, as Keras's `interpolate_pr_auc`."""
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        slope = _divide_no_nan(dtp, torch.clamp(dp, min=0))
        intercept = tp[1:] - slope * p[1:]
        ratio = torch.where((p[:-1] > 0) & (p[1:] > 0),
                            _divide_no_nan(p[:-1], torch.clamp(p[1:], min=0)),
                            torch.ones_like(p[1:]))
        increment = _divide_no_nan(slope * (dtp + intercept * torch.log(ratio)),
                                   torch.clamp(tp[1:] + fn[1:], min=0))
        return increment.sum()


STATEFUL = (Precision, Recall, AUC, TruePositives, FalsePositives, TrueNegatives, FalseNegatives)
for _cls in STATEFUL:
    register_builtin(_cls)

# metric strings that mean a stateful Keras metric (TF.js's 'precision' / 'recall' strings keep
# TF.js's per-batch functions)
STATEFUL_STRINGS = {'AUC': AUC, 'auc': AUC, 'truePositives': TruePositives,
                    'falsePositives': FalsePositives, 'trueNegatives': TrueNegatives,
                    'falseNegatives': FalseNegatives}


def deserialize_metric(config: Mapping[str, Any]) -> Metric:
    """A stateful metric from `{'class_name': 'AUC', 'config': {...}}` (Keras or ours)."""
    from .serialization.registry import get_registered_class
    name = config.get('className', config.get('class_name'))
    cls = get_registered_class(str(name), kind='metric')
    if not (isinstance(cls, type) and issubclass(cls, Metric)):
        raise ValueError(f'"{name}" is not a stateful metric class.')
    return cls.fromConfig(config.get('config') or {})


__all__ = ['Metric', 'AUC', 'Precision', 'Recall', 'TruePositives', 'FalsePositives',
           'TrueNegatives', 'FalseNegatives']
