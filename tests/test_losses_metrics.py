"""tfjs.losses and tfjs.metrics: formulas, shapes, name resolution and compile rules."""
import math

import importlib

import numpy as np
import pytest

import tfjs as tf

# the module of layer losses (tf.losses is TF.js's core namespace, a different object)
L = importlib.import_module('tfjs.losses')
from tfjs import metrics as M
from tfjs.errors import ValueError as TfjsValueError
from tfjs.gradients import grad

EPS = 1e-7
T = np.array([[0, 1, 0], [1, 0, 0]], np.float64)
P = np.array([[0.1, 0.8, 0.1], [0.3, 0.3, 0.4]], np.float64)


def run(fn, t=T, p=P):
    return fn(tf.tensor(np.asarray(t, np.float32)), tf.tensor(np.asarray(p, np.float32))).numpy()


def _sce(z, x):
    return np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x)))


def _l2n(x):
    return x / np.sqrt(np.maximum((x ** 2).sum(-1, keepdims=True), EPS))


REFERENCE = {
    'meanSquaredError': lambda t, p: ((p - t) ** 2).mean(-1),
    'meanAbsoluteError': lambda t, p: np.abs(p - t).mean(-1),
    'meanAbsolutePercentageError':
        lambda t, p: 100 * np.abs((t - p) / np.maximum(np.abs(t), EPS)).mean(-1),
    'meanSquaredLogarithmicError':
        lambda t, p: ((np.log1p(np.maximum(p, EPS)) - np.log1p(np.maximum(t, EPS))) ** 2).mean(-1),
    'squaredHinge': lambda t, p: (np.maximum(0, 1 - t * p) ** 2).mean(-1),
    'hinge': lambda t, p: np.maximum(0, 1 - t * p).mean(-1),
    'categoricalHinge': lambda t, p: np.maximum(0, 1 + ((1 - t) * p).max(-1) - (t * p).sum(-1)),
    'logcosh': lambda t, p: np.log(np.cosh(p - t)).mean(-1),
    'categoricalCrossentropy': lambda t, p: -(t * np.log(np.clip(
        p / p.sum(-1, keepdims=True), EPS, 1 - EPS))).sum(-1),
    'binaryCrossentropy': lambda t, p: _sce(t, np.log(np.clip(p, EPS, 1 - EPS) /
                                                     (1 - np.clip(p, EPS, 1 - EPS)))).mean(-1),
    'kullbackLeiblerDivergence':
        lambda t, p: (t * np.log(np.clip(t, EPS, 1) / np.clip(p, EPS, 1))).sum(-1),
    'poisson': lambda t, p: (p - t * np.log(p + EPS)).mean(-1),
    'cosineProximity': lambda t, p: -(_l2n(t) * _l2n(p)).sum(-1),
}


@pytest.mark.parametrize('name', list(REFERENCE))
def test_loss_formulas(name):
    np.testing.assert_allclose(run(L.LOSSES_MAP[name]), REFERENCE[name](T, P), rtol=2e-5,
                               atol=1e-6)


@pytest.mark.parametrize('name', list(REFERENCE))
def test_losses_reduce_only_the_last_axis(name):
    rng = np.random.default_rng(0)
    t = rng.random((2, 3, 4))
    p = rng.random((2, 3, 4)) * 0.9 + 0.05
    out = run(L.LOSSES_MAP[name], t, p)
    assert out.shape == (2, 3)
    np.testing.assert_allclose(out, REFERENCE[name](t, p), rtol=2e-5, atol=1e-5)


def test_sparse_categorical_crossentropy():
    labels = np.array([1, 0], np.float32)
    expected = REFERENCE['categoricalCrossentropy'](T, np.clip(P, EPS, 1 - EPS))
    np.testing.assert_allclose(run(L.sparseCategoricalCrossentropy, labels), expected, rtol=1e-6)
    np.testing.assert_allclose(run(L.sparseCategoricalCrossentropy, [[1.9], [0.2]]), expected,
                               rtol=1e-6)   # floored
    ints = L.sparseCategoricalCrossentropy(tf.tensor1d([1, 0], 'int32'), tf.tensor(P)).numpy()
    np.testing.assert_allclose(ints, expected, rtol=1e-6)
    with pytest.raises(TfjsValueError, match='labels'):
        L.sparseCategoricalCrossentropy(tf.tensor1d([1, 0, 2]), tf.tensor(P))


def test_from_logits():
    logits = np.array([[2.0, -1.0, 0.5]], np.float32)
    sm = np.exp(logits) / np.exp(logits).sum()
    cce = L.categoricalCrossentropy(tf.tensor([[0, 0, 1]]), tf.tensor(logits), True).numpy()
    np.testing.assert_allclose(cce, [-math.log(sm[0, 2])], rtol=1e-6)
    scce = L.sparseCategoricalCrossentropy(tf.tensor1d([2]), tf.tensor(logits), True).numpy()
    np.testing.assert_allclose(scce, cce, rtol=1e-6)   # logits are not clipped (TF.js bug)


def test_binary_crossentropy_extremes_and_shape_check():
    t = np.array([[0, 1, 1, 0, 1]], np.float32)
    p = np.array([[0, 1, 0, 1, 0.5]], np.float32)
    out = run(L.binaryCrossentropy, t, p)
    assert np.isfinite(out).all()
    g = grad(lambda v: L.binaryCrossentropy(tf.tensor(t), v))(tf.tensor(p)).numpy()
    assert np.isfinite(g).all()
    # at p = 0.5 the logit is 0: slope sigmoid(0) - z, as in TF.js (abs has slope -1 at 0)
    assert g[0, 4] == pytest.approx((0.5 - 1) * 4 / 5, rel=1e-5)
    with pytest.raises(TfjsValueError, match='same shape'):
        L.binaryCrossentropy(tf.tensor2d([[1, 0]]), tf.tensor2d([[0.5], [0.5]]))


def test_mae_slope_at_zero_is_tfjs_minus_one():
    g = grad(lambda v: L.meanAbsoluteError(tf.tensor1d([1, 2]), v))(tf.tensor1d([1, 3]))
    np.testing.assert_allclose(g.numpy(), [-0.5, 0.5])


def test_categorical_hinge_gradient_goes_to_every_tied_max():
    t = tf.tensor2d([[0, 0, 1]])
    g = grad(lambda v: L.categoricalHinge(t, v))(tf.tensor2d([[0.5, 0.5, 0.2]])).numpy()
    np.testing.assert_allclose(g, [[1, 1, -1]])


@pytest.mark.parametrize('identifier,expected', [
    ('meanSquaredError', 'meanSquaredError'), ('mean_squared_error', 'meanSquaredError'),
    ('mse', 'meanSquaredError'), ('MSE', 'meanSquaredError'),
    ('MeanSquaredError', 'meanSquaredError'),
    ('mae', 'meanAbsoluteError'), ('mape', 'meanAbsolutePercentageError'),
    ('msle', 'meanSquaredLogarithmicError'), ('kld', 'kullbackLeiblerDivergence'),
    ('kl_divergence', 'kullbackLeiblerDivergence'), ('KLDivergence', 'kullbackLeiblerDivergence'),
    ('kullback_leibler_divergence', 'kullbackLeiblerDivergence'), ('bce', 'binaryCrossentropy'),
    ('binary_crossentropy', 'binaryCrossentropy'), ('BinaryCrossentropy', 'binaryCrossentropy'),
    ('sparse_categorical_crossentropy', 'sparseCategoricalCrossentropy'),
    ('log_cosh', 'logcosh'), ('logcosh', 'logcosh'), ('LogCosh', 'logcosh'),
    ('squared_hinge', 'squaredHinge'), ('categorical_hinge', 'categoricalHinge'),
    ('cosine_proximity', 'cosineProximity'), ('cosine_similarity', 'cosineProximity'),
    ('poisson', 'poisson'), ('Poisson', 'poisson'), ('hinge', 'hinge'),
])
def test_get_loss_names(identifier, expected):
    fn, name = L.get_loss(identifier)
    assert name == expected and fn is L.LOSSES_MAP[expected]


def test_get_loss_callables_and_errors():
    assert L.get_loss(L.meanSquaredError) == (L.meanSquaredError, 'meanSquaredError')
    assert L.get_loss(L.mse)[1] == 'meanSquaredError'       # TF.js: same function object

    def my_loss(yTrue, yPred):
        return tf.sub(yTrue, yPred)
    assert L.get_loss(my_loss) == (my_loss, 'my_loss')
    with pytest.raises(TfjsValueError, match=r'Unknown loss meanSquareError.*Did you mean'):
        L.get_loss('meanSquareError')
    with pytest.raises(TfjsValueError, match='"categoricalCrossentropy" as the string name'):
        L.get_loss('softmaxCrossEntropy')
    with pytest.raises(TfjsValueError):
        L.get_loss(None)


def test_snake_case_twins_and_aliases():
    assert L.mean_squared_error is L.meanSquaredError
    assert L.MSE is L.meanSquaredError and L.kld is L.kullbackLeiblerDivergence
    assert M.binary_accuracy is M.binaryAccuracy and M.r2_score is M.r2Score
    assert L.tf_losses.huber_loss is L.tf_losses.huberLoss
    assert L.epsilon() == 1e-7


# ------------------------------------------------------------------------- core tf.losses

def test_core_losses_and_reductions():
    R = L.Reduction
    labels, preds = [[1, 0], [0, 1]], [[0.5, 0.5], [1, 1]]
    ad = L.tf_losses.absoluteDifference
    assert ad(labels, preds, None, R.NONE).arraySync() == [[0.5, 0.5], [1, 0]]
    assert ad(labels, preds, None, R.SUM).item() == 2
    assert ad(labels, preds).item() == 0.5                      # SUM_BY_NONZERO_WEIGHTS
    assert ad(labels, preds, None, R.MEAN).item() == 0.5
    w = [[1], [0]]
    assert ad(labels, preds, w).item() == 0.5                   # (0.5 + 0.5) / 2 nonzero
    assert ad(labels, preds, w, R.MEAN).item() == 0.5           # 1 / 1 / broadcast 2
    assert L.tf_losses.computeWeightedLoss([1, 2, 3], [1, 0, 1]).item() == 2
    assert L.tf_losses.meanSquaredError([1, 2], [2, 2]).item() == 0.5
    np.testing.assert_allclose(L.tf_losses.huberLoss([0, 0], [0.5, 3]).item(),
                               (0.125 + 2.5) / 2)
    np.testing.assert_allclose(L.tf_losses.hingeLoss([1, 0], [0.5, -2]).item(), 0.25)
    np.testing.assert_allclose(L.tf_losses.logLoss([1], [0.5]).item(), -math.log(0.5 + 1e-7),
                               rtol=1e-6)
    np.testing.assert_allclose(L.tf_losses.cosineDistance([[1, 0]], [[1, 0]], 1).item(), 0)
    np.testing.assert_allclose(L.tf_losses.sigmoidCrossEntropy([1], [0]).item(), math.log(2),
                               rtol=1e-6)
    np.testing.assert_allclose(L.tf_losses.softmaxCrossEntropy([[1, 0]], [[0, 0]]).item(),
                               math.log(2), rtol=1e-6)
    with pytest.raises(TfjsValueError, match='Shapes'):
        ad([1, 2], [1, 2, 3])
    assert [r.value for r in R] == [0, 1, 2, 3]


# --------------------------------------------------------------------------------- metrics

def test_metric_functions():
    assert run(M.binaryAccuracy).tolist() == pytest.approx([1, 2 / 3])
    assert run(M.categoricalAccuracy).tolist() == [1, 0]
    assert M.sparseCategoricalAccuracy(tf.tensor1d([1, 2]), tf.tensor(P)).arraySync() == [1, 1]
    assert M.sparseCategoricalAccuracy(tf.tensor2d([[1], [0]]), tf.tensor(P)).arraySync() == [1, 0]
    assert M.sparseCategoricalAccuracy(tf.tensor1d([1, 2], 'int32'),
                                       tf.tensor(P)).arraySync() == [1, 1]
    yt, yp = [[1, 0, 1, 1]], [[1, 1, 0, 1]]
    assert M.precision(yt, yp).item() == pytest.approx(2 / 3)
    assert M.recall(yt, yp).item() == pytest.approx(2 / 3)
    assert M.precision([[0, 0]], [[0, 0]]).item() == 0
    np.testing.assert_allclose(M.r2Score([1, 2, 3], [1, 2, 4]).item(), 0.5)
    np.testing.assert_allclose(run(M.mse), REFERENCE['meanSquaredError'](T, P), rtol=1e-6)
    np.testing.assert_allclose(run(M.cosine), REFERENCE['cosineProximity'](T, P), rtol=1e-6)
    assert M.binaryAccuracy(tf.tensor1d([1, 0], 'bool'), tf.tensor1d([0.9, 0.5])).item() == 1
    assert M.topKCategoricalAccuracy(T, P, 1).arraySync() == [1, 0]
    assert M.sparseTopKCategoricalAccuracy([1, 0], P, 2).arraySync() == [1, 1]


def test_metric_function_names_are_tfjs_names():
    for name in M.TF_METRICS_NAMES:
        assert getattr(M, name).__name__ == name


@pytest.mark.parametrize('metric,loss,shape,fn,display', [
    ('accuracy', 'meanSquaredError', [None, 1], 'binaryAccuracy', 'acc'),
    ('acc', 'binaryCrossentropy', [None, 5], 'binaryAccuracy', 'acc'),
    ('acc', 'binary_crossentropy', [None, 5], 'binaryAccuracy', 'acc'),
    ('accuracy', 'sparseCategoricalCrossentropy', [None, 5], 'sparseCategoricalAccuracy', 'acc'),
    ('accuracy', 'categoricalCrossentropy', [None, 5], 'categoricalAccuracy', 'acc'),
    ('accuracy', 'meanSquaredError', [None, 5], 'categoricalAccuracy', 'acc'),
    ('ce', 'meanSquaredError', [None, 1], 'binaryCrossentropy', 'ce'),
    ('crossentropy', 'sparseCategoricalCrossentropy', [None, 3],
     'sparseCategoricalCrossentropy', 'ce'),
    ('crossentropy', None, [None, 3], 'categoricalCrossentropy', 'ce'),
    ('mse', None, None, 'meanSquaredError', 'mse'),
    ('MAE', None, None, 'meanAbsoluteError', 'MAE'),
    ('cosine', None, None, 'cosineProximity', 'cosine'),
    ('precision', None, None, 'precision', 'precision'),
    ('binaryAccuracy', None, None, 'binaryAccuracy', 'binaryAccuracy'),
    ('binary_accuracy', None, None, 'binaryAccuracy', 'binary_accuracy'),
    ('recall', None, None, 'recall', 'recall'),
    ('r2_score', None, None, 'r2Score', 'r2_score'),
    ('mean_squared_error', None, None, 'meanSquaredError', 'mean_squared_error'),
    ('kld', None, None, 'kullbackLeiblerDivergence', 'kld'),
])
def test_resolve_metric_rules(metric, loss, shape, fn, display):
    got_fn, got_name = M.resolve_metric(metric, loss, shape)
    assert got_fn.__name__ == fn and got_name == display


def test_resolve_metric_with_loss_function_and_callables():
    fn, name = M.resolve_metric('acc', L.binaryCrossentropy, [None, 4])
    assert fn is M.binaryAccuracy and name == 'acc'
    fn, name = M.resolve_metric('acc', L.sparseCategoricalCrossentropy, [None, 4])
    assert fn is M.sparseCategoricalAccuracy
    assert M.resolve_metric(L.meanSquaredError)[1] == 'meanSquaredError'
    assert M.resolve_metric(M.mse)[1] == 'mse'
    assert M.resolve_metric(M.METRICS_MAP['cosine'])[1] == 'cosineProximity'   # lossesMap first
    assert M.resolve_metric(M.binaryAccuracy)[1] == 'binaryAccuracy'

    def custom(yTrue, yPred):
        return yPred
    assert M.resolve_metric(custom) == (custom, 'custom')
    assert M.get_loss_or_metric_name('anything') == 'anything'


def test_unknown_metric_errors():
    with pytest.raises(TfjsValueError, match=r'Unknown metric acuracy.*Did you mean "accuracy"'):
        M.resolve_metric('acuracy')
    with pytest.raises(TfjsValueError, match='Unknown metric None'):
        M.resolve_metric(None)
    with pytest.raises(TfjsValueError):
        M.get_metric(3)
