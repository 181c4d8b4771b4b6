"""Metrics (`tf.metrics.*` and `compile({metrics})`), as TF.js's `metrics.ts`.

`resolve_metric` applies TF.js's compile rules: `'accuracy'`/`'acc'` and `'crossentropy'`/`'ce'`
become the binary, sparse or categorical variant for each output and are logged as `acc` /
`ce`; other strings are looked up in TF.js's `metricsMap` (plus, as an extension, snake_case
and Keras names, and every loss name); functions are named by their lossesMap / metricsMap
key or their `__name__`.

Beyond TF.js, Keras's stateful metrics (`tf.metrics.AUC`, `Precision`, `Recall`,
`TruePositives`... in `metrics_stateful.py`) accumulate over an epoch; pass an instance, or the
string `'AUC'`, in `compile({metrics})`.

>>> import tfjs as tf
>>> from tfjs.metrics import resolve_metric
>>> fn, name = resolve_metric('accuracy', 'categoricalCrossentropy', [None, 3])
>>> fn.__name__, name
('categoricalAccuracy', 'acc')
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import torch

from . import losses as _losses
from ._naming import add_snake_case_aliases, did_you_mean, to_camel_case
from .errors import ValueError
from .ops._dispatch import float_raw, raw, wrap
from .metrics_stateful import (AUC, STATEFUL_STRINGS, FalseNegatives, FalsePositives, Metric,
                               Precision, Recall, TrueNegatives, TruePositives, deserialize_metric)
from .tensor import Tensor


def _out(t: torch.Tensor) -> Tensor:
    return wrap(t, 'float32')


def _compare_dtype(t, p):
    """Values of yTrue and a {0,1}/index tensor compared in a common dtype."""
    if t.dtype == torch.bool:
        return t, p != 0
    return t.to(torch.float32), p.to(torch.float32)


def binaryAccuracy(yTrue, yPred) -> Tensor:
    """mean(yTrue == (yPred > 0.5)) over the last axis."""
    t = raw(yTrue, 'yTrue', 'binaryAccuracy')
    p = float_raw(yPred, 'yPred', 'binaryAccuracy')
    a, b = _compare_dtype(t, (p > 0.5).to(torch.float32))
    return _out(torch.mean((a == b).to(torch.float32), dim=-1))


def categoricalAccuracy(yTrue, yPred) -> Tensor:
    """argMax(yTrue) == argMax(yPred) over the last axis, as float32."""
    t = raw(yTrue, 'yTrue', 'categoricalAccuracy')
    p = raw(yPred, 'yPred', 'categoricalAccuracy')
    return _out((torch.argmax(t, dim=-1) == torch.argmax(p, dim=-1)).to(torch.float32))


def sparseCategoricalAccuracy(yTrue, yPred) -> Tensor:
    """yTrue (class indices) == argMax(yPred), as float32."""
    t = raw(yTrue, 'yTrue', 'sparseCategoricalAccuracy')
    p = raw(yPred, 'yPred', 'sparseCategoricalAccuracy')
    if t.ndim == p.ndim:
        t = t.squeeze(-1)
    a, b = _compare_dtype(t, torch.argmax(p, dim=-1))
    return _out((a == b).to(torch.float32))


def _counts(yTrue, yPred, op: str):
    t = raw(yTrue, 'yTrue', op).to(torch.float32)
    p = raw(yPred, 'yPred', op).to(torch.float32)
    tp = torch.sum(((t == 1) & (p == 1)).to(torch.float32))
    fp = torch.sum(((t == 0) & (p == 1)).to(torch.float32))
    fn = torch.sum(((t == 1) & (p == 0)).to(torch.float32))
    return tp, fp, fn


def _ratio(num: torch.Tensor, den: torch.Tensor) -> torch.Tensor:
    return torch.where(den > 0, num / torch.where(den > 0, den, torch.ones_like(den)),
                       torch.zeros_like(den))


def precision(yTrue, yPred) -> Tensor:
    """tp / (tp + fp) over the whole batch, for 0/1 predictions (0 when undefined)."""
    tp, fp, _ = _counts(yTrue, yPred, 'precision')
    return _out(_ratio(tp, tp + fp))


def recall(yTrue, yPred) -> Tensor:
    """tp / (tp + fn) over the whole batch, for 0/1 predictions (0 when undefined)."""
    tp, _, fn = _counts(yTrue, yPred, 'recall')
    return _out(_ratio(tp, tp + fn))


def r2Score(yTrue, yPred) -> Tensor:
    """1 - SS_res / SS_tot over the whole tensor."""
    t = float_raw(yTrue, 'yTrue', 'r2Score')
    p = float_raw(yPred, 'yPred', 'r2Score')
    ss_res = torch.sum(torch.square(t - p))
    ss_tot = torch.sum(torch.square(t - torch.mean(t)))
    return _out(1 - ss_res / ss_tot)


def topKCategoricalAccuracy(yTrue, yPred, k: int = 5) -> Tensor:
    """1 where the true class (argMax of yTrue) is among the top `k` predictions (Keras)."""
    t = raw(yTrue, 'yTrue', 'topKCategoricalAccuracy')
    return _in_top_k(torch.argmax(t, dim=-1), yPred, k, 'topKCategoricalAccuracy')


def sparseTopKCategoricalAccuracy(yTrue, yPred, k: int = 5) -> Tensor:
    """1 where the class index yTrue is among the top `k` predictions (Keras)."""
    t = raw(yTrue, 'yTrue', 'sparseTopKCategoricalAccuracy')
    p = raw(yPred, 'yPred', 'sparseTopKCategoricalAccuracy')
    if t.ndim == p.ndim:
        t = t.squeeze(-1)
    return _in_top_k(t.to(torch.int64), yPred, k, 'sparseTopKCategoricalAccuracy')


def _in_top_k(target: torch.Tensor, yPred, k: int, op: str) -> Tensor:
    p = float_raw(yPred, 'yPred', op)
    score = torch.gather(p, -1, target.to(torch.int64).unsqueeze(-1).clamp(0, p.shape[-1] - 1))
    better = torch.sum((p > score).to(torch.int64), dim=-1)
    valid = (target >= 0) & (target < p.shape[-1])
    return _out(((better < k) & valid).to(torch.float32))


def _wrap(name: str, fn: Callable, doc: str) -> Callable:
    def metric(yTrue, yPred) -> Tensor:
        return fn(yTrue, yPred)
    metric.__name__ = metric.__qualname__ = name
    metric.__doc__ = doc
    return metric


# tf.metrics.* exports that reuse losses (distinct functions, named as in TF.js)
binaryCrossentropy = _wrap('binaryCrossentropy', _losses.binaryCrossentropy,
                           'Binary crossentropy (same as the loss).')
categoricalCrossentropy = _wrap('categoricalCrossentropy', _losses.categoricalCrossentropy,
                                'Categorical crossentropy (same as the loss).')
sparseCategoricalCrossentropy = _wrap('sparseCategoricalCrossentropy',
                                      _losses.sparseCategoricalCrossentropy,
                                      'Sparse categorical crossentropy (same as the loss).')
cosineProximity = _wrap('cosineProximity', _losses.cosineProximity,
                        '-sum(l2normalize(yTrue) * l2normalize(yPred)) over the last axis.')
meanAbsoluteError = _wrap('meanAbsoluteError', _losses.meanAbsoluteError,
                          'mean(|yPred - yTrue|) over the last axis.')
meanAbsolutePercentageError = _wrap('meanAbsolutePercentageError',
                                    _losses.meanAbsolutePercentageError,
                                    'Mean absolute percentage error over the last axis.')
meanSquaredError = _wrap('meanSquaredError', _losses.meanSquaredError,
                         'mean((yPred - yTrue)^2) over the last axis.')
MAPE = _wrap('MAPE', _losses.meanAbsolutePercentageError, 'Alias of meanAbsolutePercentageError.')
mape = _wrap('mape', _losses.meanAbsolutePercentageError, 'Alias of meanAbsolutePercentageError.')
MSE = _wrap('MSE', _losses.meanSquaredError, 'Alias of meanSquaredError.')
mse = _wrap('mse', _losses.meanSquaredError, 'Alias of meanSquaredError.')
MAE = _wrap('MAE', _losses.meanAbsoluteError, 'Alias of meanAbsoluteError.')
mae = _wrap('mae', _losses.meanAbsoluteError, 'Alias of meanAbsoluteError.')
cosine = _wrap('cosine', _losses.cosineProximity, 'Alias of cosineProximity.')

# TF.js's metricsMap: the string metrics compile accepts (values as in TF.js)
METRICS_MAP: dict = {
    'binaryAccuracy': binaryAccuracy,
    'categoricalAccuracy': categoricalAccuracy,
    'precision': precision,
    'categoricalCrossentropy': _losses.categoricalCrossentropy,
    'sparseCategoricalCrossentropy': _losses.sparseCategoricalCrossentropy,
    'mse': _losses.meanSquaredError,
    'MSE': _losses.meanSquaredError,
    'mae': _losses.meanAbsoluteError,
    'MAE': _losses.meanAbsoluteError,
    'mape': _losses.meanAbsolutePercentageError,
    'MAPE': _losses.meanAbsolutePercentageError,
    'cosine': _losses.cosineProximity,
}
metricsMap = METRICS_MAP

# Extension: further names (camelCase after conversion) accepted as metric strings.
_EXTRA_METRICS: dict = {
    'recall': recall,
    'sparseCategoricalAccuracy': sparseCategoricalAccuracy,
    'binaryCrossentropy': _losses.binaryCrossentropy,
    'r2Score': r2Score,
    'cosineProximity': _losses.cosineProximity,
    'topKCategoricalAccuracy': topKCategoricalAccuracy,
    'sparseTopKCategoricalAccuracy': sparseTopKCategoricalAccuracy,
    'bce': _losses.binaryCrossentropy, 'BCE': _losses.binaryCrossentropy,
    'msle': _losses.meanSquaredLogarithmicError, 'MSLE': _losses.meanSquaredLogarithmicError,
    'kld': _losses.kullbackLeiblerDivergence, 'KLD': _losses.kullbackLeiblerDivergence,
    'logCosh': _losses.logcosh,
}
_SPECIAL = ('accuracy', 'acc', 'crossentropy', 'ce')

TF_METRICS_NAMES = ('binaryAccuracy', 'binaryCrossentropy', 'sparseCategoricalAccuracy',
                    'categoricalAccuracy', 'categoricalCrossentropy', 'precision', 'recall',
                    'cosineProximity', 'meanAbsoluteError', 'meanAbsolutePercentageError', 'MAPE',
                    'mape', 'meanSquaredError', 'MSE', 'mse', 'r2Score', 'MAE', 'mae', 'cosine')


def _lookup(identifier: str):
    if identifier in METRICS_MAP:
        return METRICS_MAP[identifier]
    for candidate in (identifier, to_camel_case(identifier)):
        if candidate in METRICS_MAP:
            return METRICS_MAP[candidate]
        if candidate in _EXTRA_METRICS:
            return _EXTRA_METRICS[candidate]
    loss = _losses.canonical_loss_name(identifier)
    return _losses.LOSSES_MAP[loss] if loss else None


def get_metric(identifier: str | Callable) -> Callable:
    """The metric function for a name (metricsMap, snake_case, Keras names) or a function.

    >>> get_metric('binary_accuracy').__name__
    'binaryAccuracy'
    """
    if callable(identifier) and not isinstance(identifier, str):
        return identifier
    fn = _lookup(identifier) if isinstance(identifier, str) else None
    if fn is None:
        names = sorted(set(METRICS_MAP) | set(_EXTRA_METRICS) | set(_SPECIAL))
        hint = did_you_mean(identifier, names) if isinstance(identifier, str) else ''
        raise ValueError(f'Unknown metric {identifier}.{hint} Valid metric names are: '
                         f'{", ".join(_SPECIAL + tuple(METRICS_MAP))}, the other tf.metrics '
                         'names (recall, sparseCategoricalAccuracy, binaryCrossentropy, '
                         'r2Score...) and any loss name; or pass a function (yTrue, yPred).')
    return fn


def get_loss_or_metric_name(fn: str | Callable) -> str:
    """TF.js's `getLossOrMetricName`: the string itself, a function's lossesMap key, its
    metricsMap key, else its `__name__`."""
    if isinstance(fn, str):
        return fn
    for table in (_losses.LOSSES_MAP, METRICS_MAP):
        for key, value in table.items():
            if value is fn:
                return key
    return getattr(fn, '__name__', None) or type(fn).__name__


def _loss_is(loss: Any, name: str) -> bool:
    if loss is None:
        return False
    if isinstance(loss, str):
        return _losses.canonical_loss_name(loss) == name
    return loss is _losses.LOSSES_MAP[name]


def resolve_metric(identifier: str | Callable, loss_name: str | Callable | None = None,
                   output_shape: Sequence[int | None] | None = None) -> tuple:
    """`(fn, display_name)` for one metric of one output, following TF.js's compile rules.

    `loss_name` is that output's loss (a name or the function); `output_shape` its shape.

    >>> resolve_metric('acc', 'binaryCrossentropy', [None, 4])[0].__name__
    'binaryAccuracy'
    >>> resolve_metric('mse')[1]
    'mse'
    """
    if isinstance(identifier, str) and identifier in _SPECIAL:
        accuracy = identifier in ('accuracy', 'acc')
        last = output_shape[-1] if output_shape else None
        if last == 1 or _loss_is(loss_name, 'binaryCrossentropy'):
            fn = binaryAccuracy if accuracy else _losses.binaryCrossentropy
        elif _loss_is(loss_name, 'sparseCategoricalCrossentropy'):
            fn = sparseCategoricalAccuracy if accuracy else _losses.sparseCategoricalCrossentropy
        else:
            fn = categoricalAccuracy if accuracy else _losses.categoricalCrossentropy
        return fn, 'acc' if accuracy else 'ce'
    if identifier is None:
        raise ValueError('Unknown metric None: pass a metric name such as "accuracy" or a '
                         'function (yTrue, yPred).')
    if isinstance(identifier, Metric):
        return identifier, identifier.name
    if isinstance(identifier, dict) and ('class_name' in identifier or 'className' in identifier):
        metric = deserialize_metric(identifier)
        return metric, metric.name
    if isinstance(identifier, str) and identifier in STATEFUL_STRINGS:
        metric = STATEFUL_STRINGS[identifier]()
        return metric, metric.name
    fn = get_metric(identifier)
    return fn, get_loss_or_metric_name(identifier)


add_snake_case_aliases(globals())
