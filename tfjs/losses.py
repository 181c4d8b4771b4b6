"""Losses: the 14 TF.js Layers losses used by `model.compile({loss})` (TF.js's `losses.ts`),
and, in `tf_losses`, the tfjs-core `tf.losses.*` functions with weights and a `Reduction`.

Layer losses take `(yTrue, yPred)` and return per-sample losses (reduced over the last axis),
with TF.js's epsilon 1e-7 and its exact formulas (and gradients: `|x|` has slope -1 at 0, as
in TF.js). `get_loss` resolves TF.js's camelCase names and, as an extension over TF.js (which
rejects `'mse'`), snake_case and Keras names and aliases (`mse`, `mae`, `bce`, `kld`...).

TF.js 4.22 bug not copied (pinned in tests/ops/test_ops_creation_losses_util.py): the gradient
of `tf.losses.softmaxCrossEntropy` with respect to the labels is `dy * (labels - softmax)` in
TF.js; here it is TensorFlow's `-dy * logSoftmax(logits)` (the true derivative). The logits'
gradient is TF.js's and TensorFlow's `dy * (softmax - labels)`.

>>> import tfjs as tf
>>> from tfjs.losses import get_loss
>>> fn, name = get_loss('mse')
>>> name, fn(tf.tensor2d([[0, 1]]), tf.tensor2d([[1, 1]])).arraySync()
('meanSquaredError', [0.5])
"""
from __future__ import annotations

import enum
import math
from typing import Any, Callable

import torch

from ._naming import add_snake_case_aliases, did_you_mean, to_camel_case, to_snake_case
from .errors import ValueError
from .ops._dispatch import float_raw, raw, wrap
from .tensor import Tensor

EPSILON = 1e-7   # TF.js backend epsilon for float32 backends

LossFn = Callable[[Any, Any], Tensor]


def epsilon() -> float:
    """The fuzz factor used by losses, metrics and constraints (1e-7)."""
    return EPSILON


def _f(x, name: str, op: str) -> torch.Tensor:
    return float_raw(x, name, op)


def _pair(yTrue, yPred, op: str):
    return _f(yTrue, 'yTrue', op), _f(yPred, 'yPred', op)


def _out(t: torch.Tensor) -> Tensor:
    return wrap(t, 'float32')


def _abs(t: torch.Tensor) -> torch.Tensor:
    """|t| whose gradient at 0 is -1, as TF.js's Abs gradient (dy * step(x, -1))."""
    sign = torch.where(t > 0, 1.0, -1.0).to(t.dtype)
    return t * sign


class _MaxAll(torch.autograd.Function):
    """max over one axis; the gradient goes to every tied maximum (TF.js's Max gradient)."""

    @staticmethod
    def forward(ctx, x, dim):
        m = torch.amax(x, dim=dim)
        ctx.save_for_backward(x, m)
        ctx.dim = dim
        return m

    @staticmethod
    def backward(ctx, g):
        x, m = ctx.saved_tensors
        mask = (x == m.unsqueeze(ctx.dim)).to(g.dtype)
        return g.unsqueeze(ctx.dim) * mask, None


def _max_last(t: torch.Tensor) -> torch.Tensor:
    return _MaxAll.apply(t, t.ndim - 1)


# ------------------------------------------------------------------------- layer losses

def meanSquaredError(yTrue, yPred) -> Tensor:
    """mean((yPred - yTrue)^2) over the last axis."""
    t, p = _pair(yTrue, yPred, 'meanSquaredError')
    return _out(torch.mean(torch.square(p - t), dim=-1))


def meanAbsoluteError(yTrue, yPred) -> Tensor:
    """mean(|yPred - yTrue|) over the last axis."""
    t, p = _pair(yTrue, yPred, 'meanAbsoluteError')
    return _out(torch.mean(_abs(p - t), dim=-1))


def meanAbsolutePercentageError(yTrue, yPred) -> Tensor:
    """100 * mean(|(yTrue - yPred) / max(|yTrue|, eps)|) over the last axis."""
    t, p = _pair(yTrue, yPred, 'meanAbsolutePercentageError')
    clipped = torch.clamp(_abs(t), min=EPSILON)
    return _out(100 * torch.mean(_abs((t - p) / clipped), dim=-1))


def meanSquaredLogarithmicError(yTrue, yPred) -> Tensor:
    """mean((log(1 + max(yPred, eps)) - log(1 + max(yTrue, eps)))^2) over the last axis."""
    t, p = _pair(yTrue, yPred, 'meanSquaredLogarithmicError')
    first = torch.log(1 + torch.clamp(p, min=EPSILON))
    second = torch.log(1 + torch.clamp(t, min=EPSILON))
    return _out(torch.mean(torch.square(first - second), dim=-1))


def squaredHinge(yTrue, yPred) -> Tensor:
    """mean(max(0, 1 - yTrue * yPred)^2) over the last axis."""
    t, p = _pair(yTrue, yPred, 'squaredHinge')
    return _out(torch.mean(torch.square(torch.relu(1 - t * p)), dim=-1))


def hinge(yTrue, yPred) -> Tensor:
    """mean(max(0, 1 - yTrue * yPred)) over the last axis."""
    t, p = _pair(yTrue, yPred, 'hinge')
    return _out(torch.mean(torch.relu(1 - t * p), dim=-1))


def categoricalHinge(yTrue, yPred) -> Tensor:
    """max(0, 1 + max((1 - yTrue) * yPred) - sum(yTrue * yPred)) over the last axis."""
    t, p = _pair(yTrue, yPred, 'categoricalHinge')
    pos = torch.sum(t * p, dim=-1)
    neg = _max_last((1 - t) * p)
    return _out(torch.relu(1 + (neg - pos)))


def logcosh(yTrue, yPred) -> Tensor:
    """mean(log(cosh(yPred - yTrue))) over the last axis, computed stably."""
    t, p = _pair(yTrue, yPred, 'logcosh')
    d = p - t
    return _out(torch.mean((d + torch.nn.functional.softplus(-2 * d)) - math.log(2), dim=-1))


def _categorical_crossentropy(target: torch.Tensor, output: torch.Tensor,
                              fromLogits: bool) -> torch.Tensor:
    if fromLogits:
        output = torch.softmax(output, dim=-1)
    else:
        output = output / torch.sum(output, dim=-1, keepdim=True)
    output = torch.clamp(output, EPSILON, 1 - EPSILON)
    return -torch.sum(target * torch.log(output), dim=-1)


def categoricalCrossentropy(yTrue, yPred, fromLogits: bool = False) -> Tensor:
    """-sum(yTrue * log(clip(yPred / sum(yPred)))) over the last axis (softmax if fromLogits)."""
    t, p = _pair(yTrue, yPred, 'categoricalCrossentropy')
    return _out(_categorical_crossentropy(t, p, fromLogits))


def sparseCategoricalCrossentropy(yTrue, yPred, fromLogits: bool = False) -> Tensor:
    """Categorical crossentropy against integer class indices `yTrue` (floored).

    (TF.js also clips logits to [eps, 1 - eps] when fromLogits is true; that bug is not copied.)
    """
    p = _f(yPred, 'yPred', 'sparseCategoricalCrossentropy')
    labels = raw(yTrue, 'yTrue', 'sparseCategoricalCrossentropy')
    flat = torch.floor(labels.reshape(-1).to(torch.float32)).to(torch.int64)
    if not fromLogits:
        p = torch.clamp(p, EPSILON, 1 - EPSILON)
    depth = p.shape[-1]
    if flat.numel() * depth != p.numel():
        raise ValueError(f'sparseCategoricalCrossentropy: yTrue has {flat.numel()} labels but '
                         f'yPred of shape {list(p.shape)} needs {p.numel() // max(depth, 1)} '
                         '(one class index per row of yPred).')
    classes = torch.arange(depth, device=p.device)
    one_hot = (flat.unsqueeze(-1) == classes).to(p.dtype).reshape(p.shape)
    return _out(_categorical_crossentropy(one_hot, p, fromLogits))


def _relu_mul(t: torch.Tensor) -> torch.Tensor:
    """relu whose gradient is `dy * step(x)`, a product as in TF.js (so a NaN upstream gradient
    stays NaN where x <= 0; torch's relu masks it to 0)."""
    return t * (t > 0).to(t.dtype)


def _sigmoid_ce_with_logits(labels: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
    return (torch.relu(logits) - logits * labels) + torch.log1p(torch.exp(-_abs(logits)))


def sigmoidCrossEntropyWithLogits(labels, logits) -> Tensor:
    """max(x, 0) - x * z + log(1 + exp(-|x|)) for logits x and labels z (same shapes)."""
    z, x = _f(labels, 'labels', 'sigmoidCrossEntropyWithLogits'), \
        _f(logits, 'logits', 'sigmoidCrossEntropyWithLogits')
    _same_shape(z, x, 'sigmoidCrossEntropyWithLogits')
    return _out(_sigmoid_ce_with_logits(z, x))


def _same_shape(a: torch.Tensor, b: torch.Tensor, op: str, names=('labels', 'logits')) -> None:
    if list(a.shape) != list(b.shape):
        raise ValueError(f'{op}: {names[0]} and {names[1]} must have the same shape, but got '
                         f'shapes {list(a.shape)} and {list(b.shape)}.')


def binaryCrossentropy(yTrue, yPred) -> Tensor:
    """mean of sigmoid cross entropy over the last axis, from clipped probabilities."""
    t, p = _pair(yTrue, yPred, 'binaryCrossentropy')
    _same_shape(t, p, 'binaryCrossentropy', ('yTrue', 'yPred'))
    y = torch.clamp(p, EPSILON, 1 - EPSILON)
    y = torch.log(y / (1 - y))
    return _out(torch.mean(_sigmoid_ce_with_logits(t, y), dim=-1))


def kullbackLeiblerDivergence(yTrue, yPred) -> Tensor:
    """sum(yTrue * log(clip(yTrue) / clip(yPred))) over the last axis (clip to [eps, 1])."""
    t, p = _pair(yTrue, yPred, 'kullbackLeiblerDivergence')
    ct, cp = torch.clamp(t, EPSILON, 1), torch.clamp(p, EPSILON, 1)
    return _out(torch.sum(t * torch.log(ct / cp), dim=-1))


def poisson(yTrue, yPred) -> Tensor:
    """mean(yPred - yTrue * log(yPred + eps)) over the last axis."""
    t, p = _pair(yTrue, yPred, 'poisson')
    return _out(torch.mean(p - t * torch.log(EPSILON + p), dim=-1))


def _l2_normalize(x: torch.Tensor) -> torch.Tensor:
    square_sum = torch.sum(torch.square(x), dim=-1, keepdim=True)
    return x / torch.sqrt(torch.clamp(square_sum, min=EPSILON))


def cosineProximity(yTrue, yPred) -> Tensor:
    """-sum(l2normalize(yTrue) * l2normalize(yPred)) over the last axis."""
    t, p = _pair(yTrue, yPred, 'cosineProximity')
    return _out(-torch.sum(_l2_normalize(t) * _l2_normalize(p), dim=-1))


# TF.js's exported aliases (the same functions; not addressable by string in TF.js)
mse = MSE = meanSquaredError
mae = MAE = meanAbsoluteError
mape = MAPE = meanAbsolutePercentageError
msle = MSLE = meanSquaredLogarithmicError
kld = KLD = kullbackLeiblerDivergence
cosine = cosineProximity

LOSSES_MAP: dict = {
    'meanSquaredError': meanSquaredError,
    'meanAbsoluteError': meanAbsoluteError,
    'meanAbsolutePercentageError': meanAbsolutePercentageError,
    'meanSquaredLogarithmicError': meanSquaredLogarithmicError,
    'squaredHinge': squaredHinge,
    'hinge': hinge,
    'categoricalHinge': categoricalHinge,
    'logcosh': logcosh,
    'categoricalCrossentropy': categoricalCrossentropy,
    'sparseCategoricalCrossentropy': sparseCategoricalCrossentropy,
    'binaryCrossentropy': binaryCrossentropy,
    'kullbackLeiblerDivergence': kullbackLeiblerDivergence,
    'poisson': poisson,
    'cosineProximity': cosineProximity,
}
lossesMap = LOSSES_MAP

# Keras names and aliases (matched case-sensitively, then after camel-casing) -> lossesMap key
LOSS_ALIASES: dict = {
    'mse': 'meanSquaredError', 'MSE': 'meanSquaredError',
    'mae': 'meanAbsoluteError', 'MAE': 'meanAbsoluteError',
    'mape': 'meanAbsolutePercentageError', 'MAPE': 'meanAbsolutePercentageError',
    'msle': 'meanSquaredLogarithmicError', 'MSLE': 'meanSquaredLogarithmicError',
    'kld': 'kullbackLeiblerDivergence', 'KLD': 'kullbackLeiblerDivergence',
    'klDivergence': 'kullbackLeiblerDivergence', 'KLDivergence': 'kullbackLeiblerDivergence',
    'bce': 'binaryCrossentropy', 'BCE': 'binaryCrossentropy',
    'logCosh': 'logcosh', 'LogCosh': 'logcosh', 'cosine': 'cosineProximity',
    'cosineSimilarity': 'cosineProximity', 'CosineSimilarity': 'cosineProximity',
}


def canonical_loss_name(identifier: str) -> str | None:
    """The lossesMap key a loss string stands for (TF.js, snake_case, Keras names), or None.

    >>> canonical_loss_name('sparse_categorical_crossentropy')
    'sparseCategoricalCrossentropy'
    """
    for candidate in (identifier, to_camel_case(identifier)):
        candidate = LOSS_ALIASES.get(candidate, candidate)
        if candidate in LOSSES_MAP:
            return candidate
        lowered = candidate[:1].lower() + candidate[1:]     # Keras class names
        lowered = LOSS_ALIASES.get(lowered, lowered)
        if lowered in LOSSES_MAP:
            return lowered
    return None


def loss_name_of(fn: Callable) -> str:
    """The name TF.js gives a loss function: its lossesMap key, else its `__name__`."""
    for key, value in LOSSES_MAP.items():
        if value is fn:
            return key
    return getattr(fn, '__name__', None) or type(fn).__name__


def get_loss(identifier: str | Callable) -> tuple:
    """`(fn, canonical_name)` for a loss identifier (a name or a `(yTrue, yPred)` function).

    >>> get_loss('binary_crossentropy')[1]
    'binaryCrossentropy'
    """
    if isinstance(identifier, str):
        name = canonical_loss_name(identifier)
        if name is None:
            names = sorted(set(LOSSES_MAP) | {to_snake_case(n) for n in LOSSES_MAP}
                           | set(LOSS_ALIASES))
            msg = f'Unknown loss {identifier}.'
            if 'softmaxcrossentropy' in identifier.lower():
                msg += (' Use "categoricalCrossentropy" as the string name for '
                        'tf.losses.softmaxCrossEntropy.')
            raise ValueError(f'{msg}{did_you_mean(identifier, names)} Valid losses are: '
                             f'{", ".join(LOSSES_MAP)} (also their snake_case names and the '
                             'Keras aliases mse, mae, mape, msle, kld, bce).')
        return LOSSES_MAP[name], name
    if callable(identifier):
        return identifier, loss_name_of(identifier)
    raise ValueError(f'A loss must be a name such as "meanSquaredError" or a function '
                     f'(yTrue, yPred) => Tensor, got {identifier!r}.')


# ------------------------------------------------------------------- tfjs-core tf.losses

class Reduction(enum.IntEnum):
    """How `tf.losses.*` reduce weighted losses (TF.js's `tf.Reduction`)."""
    NONE = 0
    MEAN = 1
    SUM = 2
    SUM_BY_NONZERO_WEIGHTS = 3


def _weights(weights, op: str):
    return None if weights is None else _f(weights, 'weights', op)


def _reduce(losses: torch.Tensor, weights: torch.Tensor | None, reduction) -> torch.Tensor:
    weighted = losses if weights is None else losses * weights
    reduction = Reduction(reduction)
    if reduction == Reduction.NONE:
        return weighted
    if reduction == Reduction.SUM:
        return torch.sum(weighted)
    if reduction == Reduction.MEAN:
        if weights is None:      # tf.mean: sum(x / n), so the mean of nothing is 0, as in TF.js
            return torch.sum(weighted / max(losses.numel(), 1))
        factor = losses.numel() / max(weights.numel(), 1)
        result = torch.sum(weighted) / torch.sum(weights)
        return result / factor if factor > 1 else result
    if weights is None:
        return torch.sum(weighted) / losses.numel()
    broadcast = weights * torch.ones_like(losses)
    return torch.sum(weighted) / torch.sum((broadcast != 0).to(torch.float32))


def computeWeightedLoss(losses, weights=None,
                        reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Weight and reduce a loss tensor.

    >>> computeWeightedLoss([1, 2, 3], None, Reduction.SUM).arraySync()
    6.0
    """
    t = _f(losses, 'losses', 'computeWeightedLoss')
    return _out(_reduce(t, _weights(weights, 'computeWeightedLoss'), reduction))


def _labels_preds(labels, predictions, op: str, names=('labels', 'predictions')):
    a, b = _f(labels, names[0], op), _f(predictions, names[1], op)
    if list(a.shape) != list(b.shape):
        raise ValueError(f'Error in {op}: Shapes {list(a.shape)} and {list(b.shape)} must match.')
    return a, b


def absoluteDifference(labels, predictions, weights=None,
                       reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Weighted |labels - predictions|."""
    a, b = _labels_preds(labels, predictions, 'absoluteDifference')
    return _out(_reduce(_abs(a - b), _weights(weights, 'absoluteDifference'), reduction))


def cosineDistance(labels, predictions, axis: int, weights=None,
                   reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Weighted 1 - sum(labels * predictions, axis) (inputs assumed unit-normalized)."""
    a, b = _labels_preds(labels, predictions, 'cosineDistance')
    losses = 1 - torch.sum(a * b, dim=axis, keepdim=True)
    return _out(_reduce(losses, _weights(weights, 'cosineDistance'), reduction))


def hingeLoss(labels, predictions, weights=None,
              reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Weighted max(0, 1 - (2 * labels - 1) * predictions) for 0/1 labels."""
    a, b = _labels_preds(labels, predictions, 'hingeLoss')
    losses = _relu_mul(1 - (2 * a - 1) * b)
    return _out(_reduce(losses, _weights(weights, 'hingeLoss'), reduction))


def huberLoss(labels, predictions, weights=None, delta: float = 1.0,
              reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Weighted Huber loss: quadratic below `delta`, linear above."""
    a, b = _labels_preds(labels, predictions, 'huberLoss')
    error = _abs(b - a)
    quadratic = torch.where(error <= delta, error, torch.full_like(error, delta))
    linear = error - quadratic
    losses = 0.5 * torch.square(quadratic) + delta * linear
    return _out(_reduce(losses, _weights(weights, 'huberLoss'), reduction))


def logLoss(labels, predictions, weights=None, epsilon: float = 1e-7,
            reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Weighted -z * log(p + eps) - (1 - z) * log(1 - p + eps)."""
    z, p = _labels_preds(labels, predictions, 'logLoss')
    l1 = -(z * torch.log(p + epsilon))
    l2 = (1 - z) * torch.log((1 - p) + epsilon)
    return _out(_reduce(l1 - l2, _weights(weights, 'logLoss'), reduction))


def _core_mean_squared_error(labels, predictions, weights=None,
                             reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Weighted (labels - predictions)^2 (tfjs-core's `tf.losses.meanSquaredError`)."""
    a, b = _labels_preds(labels, predictions, 'meanSquaredError')
    return _out(_reduce(torch.square(a - b), _weights(weights, 'meanSquaredError'), reduction))


_core_mean_squared_error.__name__ = 'meanSquaredError'


def sigmoidCrossEntropy(multiClassLabels, logits, weights=None, labelSmoothing: float = 0,
                        reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Weighted sigmoid cross entropy of logits, with optional label smoothing."""
    z, x = _labels_preds(multiClassLabels, logits, 'sigmoidCrossEntropy',
                         ('multiClassLabels', 'logits'))
    if labelSmoothing > 0:
        z = z * (1 - labelSmoothing) + 0.5 * labelSmoothing
    losses = _sigmoid_ce_with_logits(z, x)
    return _out(_reduce(losses, _weights(weights, 'sigmoidCrossEntropy'), reduction))


class _SoftmaxCrossEntropy(torch.autograd.Function):
    """-sum(labels * logSoftmax(logits)) over the last axis, with TF's gradients: for the logits
    `dy * (softmax - labels)` (TF.js's and TensorFlow's, exact when the labels sum to 1 over the
    last axis), for the labels `-dy * logSoftmax(logits)` (TensorFlow's, the true derivative).

    TF.js bug not copied: TF.js's custom gradient gives the labels `dy * (labels - softmax)`."""

    @staticmethod
    def forward(ctx, labels, logits):
        log_result = logits - torch.logsumexp(logits, dim=-1, keepdim=True)
        ctx.save_for_backward(labels, log_result)
        return -torch.sum(log_result * labels, dim=-1)

    @staticmethod
    def backward(ctx, dy):
        labels, log_result = ctx.saved_tensors
        dy = dy.unsqueeze(-1)
        return -dy * log_result, dy * (torch.exp(log_result) - labels)


def softmaxCrossEntropy(onehotLabels, logits, weights=None, labelSmoothing: float = 0,
                        reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Weighted softmax cross entropy of logits over the last axis, with label smoothing
    (toward `1 / shape[1]`, as TF.js: the class count for the documented [batch, classes] input).

    Gradients are TensorFlow's (see `_SoftmaxCrossEntropy`): for the logits they agree with TF.js;
    for the labels TF.js's custom gradient is wrong (`dy * (labels - softmax)`), and this one is
    `-dy * logSoftmax(logits)`."""
    z, x = _labels_preds(onehotLabels, logits, 'softmaxCrossEntropy', ('onehotLabels', 'logits'))
    if labelSmoothing > 0:
        if z.dim() < 2:
            raise ValueError('softmaxCrossEntropy: label smoothing needs onehotLabels of shape '
                             f'[batch, numClasses]; got shape {list(z.shape)}.')
        z = z * (1 - labelSmoothing) + labelSmoothing / z.shape[1]
    losses = _SoftmaxCrossEntropy.apply(z, x)
    return _out(_reduce(losses, _weights(weights, 'softmaxCrossEntropy'), reduction))


class _Namespace:
    """A read-only bag of functions (used for `tf.losses`), with snake_case twins."""

    def __init__(self, name: str, members: dict):
        from ._naming import snake_twin
        self.__name__ = name
        for key, value in list(members.items()):
            setattr(self, key, value)
            twin = snake_twin(key)
            if twin and callable(value) and not isinstance(value, type):
                setattr(self, twin, value)

    def __repr__(self) -> str:
        return f'<namespace {self.__name__}>'


TF_LOSSES_NAMES = ('absoluteDifference', 'computeWeightedLoss', 'cosineDistance', 'hingeLoss',
                   'huberLoss', 'logLoss', 'meanSquaredError', 'sigmoidCrossEntropy',
                   'softmaxCrossEntropy', 'Reduction')
tf_losses = _Namespace('tf.losses', {
    'absoluteDifference': absoluteDifference, 'computeWeightedLoss': computeWeightedLoss,
    'cosineDistance': cosineDistance, 'hingeLoss': hingeLoss, 'huberLoss': huberLoss,
    'logLoss': logLoss, 'meanSquaredError': _core_mean_squared_error,
    'sigmoidCrossEntropy': sigmoidCrossEntropy, 'softmaxCrossEntropy': softmaxCrossEntropy,
    'Reduction': Reduction,
})

add_snake_case_aliases(globals())
