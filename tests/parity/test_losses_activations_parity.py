"""Parity with TF.js 4.22 (run in Node by the `oracle` fixture) for activations, layer losses,
metrics and their compile-time resolution, tf.losses (core), initializer statistics and configs,
regularizers and constraints.

Values and gradients must agree within 1e-5 relative / 1e-6 absolute (NaN where TF.js gives
NaN). TF.js's internal losses are reached through `model.lossFunctions` of a compiled model, and
activations through `tf.layers.activation({activation}).activation`. Run with `-s` to print the
largest differences seen.
"""
import re

import importlib

import numpy as np
import pytest

import tfjs as tf
from tfjs import activations, constraints, initializers, metrics, regularizers

# the module of layer losses (tf.losses is TF.js's core namespace, a different object)
losses = importlib.import_module('tfjs.losses')
from tfjs.gradients import grad

RTOL, ATOL = 1e-5, 1e-6
FIGURES = {}        # check -> (max abs diff, max rel diff where abs diff > ATOL)
INIT_FIGURES = {}   # initializer case -> relative difference of the sample std from TF.js's

TFJS_ACTIVATIONS = ['linear', 'relu', 'relu6', 'elu', 'selu', 'sigmoid', 'hardSigmoid',
                    'softplus', 'softsign', 'tanh', 'softmax', 'logSoftmax', 'swish', 'mish',
                    'gelu', 'gelu_new']
ELEMENTWISE = [a for a in TFJS_ACTIVATIONS if a not in ('softmax', 'logSoftmax')]
EDGE = [-100, -20, -10, -6, -3, -2.5, -1, -0.5, -1e-3, -1e-7, 0, 1e-7, 1e-3, 0.5, 1, 2.5, 3,
        6, 10, 20, 100]


@pytest.fixture(scope='module', autouse=True)
def _report():
    yield
    if FIGURES:
        print('\nlargest |ours - tfjs| (abs, rel) per check:')
        for name, (a, r) in sorted(FIGURES.items(), key=lambda kv: -kv[1][0]):
            print(f'  {name:55s} {a:.3e} {r:.3e}')
        worst_a = max(a for a, _ in FIGURES.values())
        worst_r = max(r for _, r in FIGURES.values())
        print(f'  {len(FIGURES)} checks; worst abs {worst_a:.3e}, worst rel {worst_r:.3e}')
    if INIT_FIGURES:
        worst = max(INIT_FIGURES, key=INIT_FIGURES.get)
        print(f'  initializers: {len(INIT_FIGURES)} cases; largest std difference from TF.js '
              f'{INIT_FIGURES[worst]:.2%} ({worst})')


def close(name, ours, theirs, rtol=RTOL, atol=ATOL):
    """Assert agreement (NaN matches NaN, inf matches inf) and record the largest error."""
    o = np.asarray(ours.numpy() if isinstance(ours, tf.Tensor) else ours, dtype=np.float64)
    t = np.asarray(theirs, dtype=np.float64)
    assert o.shape == t.shape, f'{name}: shape {o.shape} != TF.js {t.shape}'
    nan_o, nan_t = np.isnan(o), np.isnan(t)
    assert (nan_o == nan_t).all(), (f'{name}: NaN mismatch at {np.argwhere(nan_o != nan_t)[:5]}'
                                    f'\nours {o[nan_o != nan_t][:5]}\ntfjs {t[nan_o != nan_t][:5]}')
    inf = np.isinf(t) | np.isinf(o)
    assert (o[inf] == t[inf]).all(), f'{name}: inf mismatch ours {o[inf]} tfjs {t[inf]}'
    fin = ~(nan_o | inf)
    diff = np.abs(o[fin] - t[fin])
    rel = diff / np.maximum(np.abs(t[fin]), 1e-30)
    FIGURES[name] = (float(diff.max(initial=0)),
                     float(np.where(diff > atol, rel, 0).max(initial=0)))
    bad = diff > atol + rtol * np.abs(t[fin])
    assert not bad.any(), (f'{name}: {bad.sum()} values differ; worst ours {o[fin][bad][:5]} '
                           f'tfjs {t[fin][bad][:5]}')


# ------------------------------------------------------------------------------ activations

def _act_inputs():
    rng = np.random.default_rng(0)
    x = np.array(EDGE + list(rng.normal(0, 4, 11)), np.float32).reshape(4, 8)
    dy = rng.normal(0, 1, (4, 8)).astype(np.float32)
    return x, dy


ACT_JS = '''
const out = {};
for (const name of args.names) {
  const act = tf.layers.activation({activation: name}).activation;
  // tf.grad rejects a function returning its input unchanged (linear): add 0 first
  const f = name === 'linear' ? (x => act.apply(tf.add(x, 0))) : (x => act.apply(x));
  out[name] = {cls: act.getClassName(), y: f(args.x), g: tf.grad(f)(args.x, args.dy)};
}
return out;
'''


@pytest.fixture(scope='module')
def act_results(oracle):
    x, dy = _act_inputs()
    return oracle.eval(ACT_JS, names=TFJS_ACTIVATIONS, x=x, dy=dy)


@pytest.mark.parametrize('name', TFJS_ACTIVATIONS)
def test_activation_values_and_gradients(act_results, name):
    x, dy = _act_inputs()
    ref = act_results[name]
    act = activations.get_activation(name)
    assert act.getClassName() == ref['cls'] == activations.serialize_activation(act)
    xt = tf.tensor(x)
    close(f'activation {name} value', act.apply(xt), ref['y'])
    close(f'activation {name} grad', grad(lambda v: act.apply(v))(xt, tf.tensor(dy)), ref['g'])


def test_activation_special_values(oracle):
    x = np.array([-np.inf, np.inf, np.nan, -0.0, 1e30, -1e30], np.float32)
    ref = oracle.eval(ACT_JS.replace(', g: tf.grad(f)(args.x, args.dy)', ''),
                      names=ELEMENTWISE, x=x, dy=x)
    for name in ELEMENTWISE:
        close(f'activation {name} special', activations.get_activation(name).apply(tf.tensor(x)),
              ref[name]['y'])


def test_softmax_rows_with_large_values(oracle):
    x = np.array([[1000, 0, -1000, 3], [88, 89, 90, 1], [-1e4, -1e4, -1e4, -1e4]], np.float32)
    ref = oracle.eval(ACT_JS.replace(', g: tf.grad(f)(args.x, args.dy)', ''),
                      names=['softmax', 'logSoftmax'], x=x, dy=x)
    for name in ('softmax', 'logSoftmax'):
        close(f'activation {name} large rows', activations.get_activation(name).apply(tf.tensor(x)),
              ref[name]['y'])


# ---------------------------------------------------------------------------------- losses

def _loss_inputs():
    rng = np.random.default_rng(1)
    prob_true = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [1, 0, 1, 0],
                          [0, 0, 0, 0], [1, 1, 1, 1], [0, 1, 0, 0]], np.float32)
    prob_pred = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [1e-8, 1 - 1e-8, 0.5, 0.5],
                          [1e-7, 0.9999999, 0.3, 0.2], [0.5, 0.5, 0.5, 0.5],
                          [0.25, 0.25, 0.25, 0.25], [0.9, 0.05, 0.03, 0.01],
                          [0.1, 0.2, 0.3, 0.4]], np.float32)
    reg_true = rng.normal(0, 2, (6, 5)).astype(np.float32)
    reg_pred = rng.normal(0, 2, (6, 5)).astype(np.float32)
    reg_pred[0] = reg_true[0]                     # exact ties
    reg_true[1] = 0                               # zeros in yTrue (MAPE, MSLE)
    reg_pred[2, :2] = 0
    hinge_true = np.sign(rng.normal(0, 1, (6, 5))).astype(np.float32)
    hinge_pred = rng.normal(0, 1.5, (6, 5)).astype(np.float32)
    hinge_pred[0, 0] = hinge_true[0, 0]           # 1 - y*p == 0
    pos_pred = np.abs(reg_pred) + np.float32(0.1)
    return {
        'prob': (prob_true, prob_pred),
        'reg': (reg_true, reg_pred),
        'hinge': (hinge_true, hinge_pred),
        'pos': (np.abs(reg_true), pos_pred),
    }


LOSS_SETS = {
    'meanSquaredError': ['prob', 'reg'],
    'meanAbsoluteError': ['prob', 'reg'],
    'meanAbsolutePercentageError': ['prob', 'reg'],
    'meanSquaredLogarithmicError': ['prob', 'reg', 'pos'],
    'squaredHinge': ['hinge', 'reg'],
    'hinge': ['hinge', 'reg'],
    'categoricalHinge': ['prob', 'hinge'],
    'logcosh': ['prob', 'reg'],
    'categoricalCrossentropy': ['prob', 'pos'],
    'binaryCrossentropy': ['prob'],
    'kullbackLeiblerDivergence': ['prob', 'pos'],
    'poisson': ['prob', 'pos'],
    'cosineProximity': ['prob', 'reg'],
}

LOSS_JS = '''
const out = {};
for (const [name, sets] of Object.entries(args.plan)) {
  const m = tf.sequential({layers: [tf.layers.dense({units: 4, inputShape: [1]})]});
  m.compile({optimizer: 'sgd', loss: name});
  const fn = m.model.lossFunctions[0];
  out[name] = {};
  for (const s of sets) {
    const [yt, yp] = args.data[s];
    out[name][s] = {v: fn(yt, yp), g: tf.grad(p => fn(yt, p))(yp)};
  }
}
return out;
'''


@pytest.fixture(scope='module')
def loss_results(oracle):
    return oracle.eval(LOSS_JS, plan=LOSS_SETS, data=_loss_inputs())


@pytest.mark.parametrize('name', list(LOSS_SETS))
def test_loss_values_and_gradients(loss_results, name):
    data = _loss_inputs()
    fn, canonical = losses.get_loss(name)
    assert canonical == name
    for s in LOSS_SETS[name]:
        yt, yp = (tf.tensor(a) for a in data[s])
        ref = loss_results[name][s]
        close(f'loss {name} [{s}] value', fn(yt, yp), ref['v'])
        close(f'loss {name} [{s}] grad', grad(lambda p: fn(yt, p))(yp), ref['g'])


def test_sparse_categorical_crossentropy(oracle):
    pred = _loss_inputs()['prob'][1]
    labels = [np.array([0, 1, 2, 3, 0, 1, 2, 3], np.float32),
              np.array([[0], [1], [1.7], [3], [2], [3], [0], [2]], np.float32)]
    ref = oracle.eval('''
      const m = tf.sequential({layers: [tf.layers.dense({units: 4, inputShape: [1]})]});
      m.compile({optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy'});
      const fn = m.model.lossFunctions[0];
      return args.labels.map(yt => ({v: fn(yt, args.p), g: tf.grad(p => fn(yt, p))(args.p)}));
    ''', labels=labels, p=pred)
    fn, _ = losses.get_loss('sparse_categorical_crossentropy')
    yp = tf.tensor(pred)
    for i, yt in enumerate(labels):
        yt = tf.tensor(yt)
        close(f'loss sparseCategoricalCrossentropy [{i}] value', fn(yt, yp), ref[i]['v'])
        close(f'loss sparseCategoricalCrossentropy [{i}] grad', grad(lambda p: fn(yt, p))(yp),
              ref[i]['g'])


# --------------------------------------------------------------------------------- metrics

METRIC_FNS = ['binaryAccuracy', 'binaryCrossentropy', 'sparseCategoricalAccuracy',
              'categoricalAccuracy', 'categoricalCrossentropy', 'precision', 'recall',
              'cosineProximity', 'meanAbsoluteError', 'meanAbsolutePercentageError', 'MAPE',
              'mape', 'meanSquaredError', 'MSE', 'mse', 'r2Score']


def _metric_inputs():
    yt, yp = _loss_inputs()['prob']
    thresholded = (yp > 0.5).astype(np.float32)
    sparse = np.array([[0], [1], [2], [3], [0], [1], [2], [3]], np.float32)
    return yt, yp, thresholded, sparse


def test_metric_values(oracle):
    yt, yp, thr, sparse = _metric_inputs()
    ref = oracle.eval('''
      const out = {};
      for (const name of args.names) {
        const f = tf.metrics[name];
        const yt = name === 'sparseCategoricalAccuracy' ? args.sparse : args.yt;
        out[name] = {v: f(yt, args.yp), thr: f(yt, args.thr)};
      }
      return out;
    ''', names=METRIC_FNS, yt=yt, yp=yp, thr=thr, sparse=sparse)
    for name in METRIC_FNS:
        fn = getattr(metrics, name)
        assert fn.__name__ == name
        first = sparse if name == 'sparseCategoricalAccuracy' else yt
        close(f'metric {name} value', fn(tf.tensor(first), tf.tensor(yp)), ref[name]['v'])
        close(f'metric {name} thresholded', fn(tf.tensor(first), tf.tensor(thr)), ref[name]['thr'])


def test_metric_r2_and_precision_edge_cases(oracle):
    zeros = np.zeros((3, 2), np.float32)
    ones = np.ones((3, 2), np.float32)
    ref = oracle.eval('''return {
      p0: tf.metrics.precision(args.z, args.z), r0: tf.metrics.recall(args.z, args.z),
      p1: tf.metrics.precision(args.o, args.o), r2: tf.metrics.r2Score(args.o, args.z)};''',
                      z=zeros, o=ones)
    close('metric precision no positives', metrics.precision(zeros, zeros), ref['p0'])
    close('metric recall no positives', metrics.recall(zeros, zeros), ref['r0'])
    close('metric precision all positive', metrics.precision(ones, ones), ref['p1'])
    close('metric r2Score constant target', metrics.r2Score(ones, zeros), ref['r2'])


RESOLUTION_CASES = [   # (loss, units)
    ('meanSquaredError', 1), ('categoricalCrossentropy', 3), ('sparseCategoricalCrossentropy', 3),
    ('binaryCrossentropy', 3), ('meanSquaredError', 3),
]
STRING_METRICS = ['acc', 'accuracy', 'ce', 'crossentropy', 'binaryAccuracy',
                  'categoricalAccuracy', 'precision', 'categoricalCrossentropy',
                  'sparseCategoricalCrossentropy', 'mse', 'MSE', 'mae', 'MAE', 'mape', 'MAPE',
                  'cosine']


def test_metric_resolution_matches_compile(oracle):
    ref = oracle.eval('''
      return args.cases.map(([loss, units]) => {
        const m = tf.sequential({layers: [tf.layers.dense({units, inputShape: [2]})]});
        m.compile({optimizer: 'sgd', loss, metrics: args.metrics});
        return {names: m.metricsNames, fns: m.model.metricsTensors.map(x => x[0].name)};
      });
    ''', cases=RESOLUTION_CASES, metrics=STRING_METRICS)
    for (loss, units), r in zip(RESOLUTION_CASES, ref):
        resolved = [metrics.resolve_metric(m, loss, [None, units]) for m in STRING_METRICS]
        assert ['loss'] + [name for _, name in resolved] == r['names'], (loss, units)
        tfjs_fns = [re.sub(r'\$\d+$', '', n) for n in r['fns']]
        assert [fn.__name__ for fn, _ in resolved] == tfjs_fns, (loss, units)


def test_metric_function_names_match_compile(oracle):
    names = oracle.eval('''
      const m = tf.sequential({layers: [tf.layers.dense({units: 3, inputShape: [2]})]});
      m.compile({optimizer: 'sgd', loss: 'meanSquaredError',
                 metrics: args.names.map(n => tf.metrics[n])});
      return m.metricsNames;''', names=METRIC_FNS)
    ours = [metrics.resolve_metric(getattr(metrics, n), 'meanSquaredError', [None, 3])[1]
            for n in METRIC_FNS]
    assert ['loss'] + ours == names


# ------------------------------------------------------------------------- core tf.losses

def test_core_losses(oracle):
    rng = np.random.default_rng(2)
    labels = (rng.random((4, 3)) > 0.5).astype(np.float32)
    preds = rng.random((4, 3)).astype(np.float32)
    logits = rng.normal(0, 2, (4, 3)).astype(np.float32)
    unit = (preds / np.linalg.norm(preds, axis=1, keepdims=True)).astype(np.float32)
    weights = np.array([[1], [0], [2], [0.5]], np.float32)
    ref = oracle.eval('''
      const L = tf.losses, out = [];
      for (const r of [0, 1, 2, 3]) {
        for (const w of [undefined, args.w]) {
          out.push({
            ad: L.absoluteDifference(args.l, args.p, w, r),
            cd: L.cosineDistance(args.l, args.u, 1, w, r),
            hl: L.hingeLoss(args.l, args.x, w, r),
            hu: L.huberLoss(args.l, args.x, w, 0.7, r),
            ll: L.logLoss(args.l, args.p, w, 1e-7, r),
            ms: L.meanSquaredError(args.l, args.p, w, r),
            sc: L.sigmoidCrossEntropy(args.l, args.x, w, 0.1, r),
            sm: L.softmaxCrossEntropy(args.l, args.x, w, 0.2, r),
            cw: L.computeWeightedLoss(args.p, w, r)});
        }
      }
      return out;''', l=labels, p=preds, u=unit, x=logits, w=weights)
    L = losses.tf_losses
    i = 0
    for r in L.Reduction:
        for w in (None, weights):
            got = {
                'ad': L.absoluteDifference(labels, preds, w, r),
                'cd': L.cosineDistance(labels, unit, 1, w, r),
                'hl': L.hingeLoss(labels, logits, w, r),
                'hu': L.huberLoss(labels, logits, w, 0.7, r),
                'll': L.logLoss(labels, preds, w, 1e-7, r),
                'ms': L.meanSquaredError(labels, preds, w, r),
                'sc': L.sigmoidCrossEntropy(labels, logits, w, 0.1, r),
                'sm': L.softmaxCrossEntropy(labels, logits, w, 0.2, r),
                'cw': L.computeWeightedLoss(preds, w, r),
            }
            for key, value in got.items():
                close(f'tf.losses {key} {r.name} w={w is not None}', value, ref[i][key])
            i += 1


# ---------------------------------------------------------------------------- initializers

INIT_CASES = [
    ('glorotNormal', {}), ('glorotUniform', {}), ('heNormal', {}), ('heUniform', {}),
    ('leCunNormal', {}), ('leCunUniform', {}), ('randomNormal', {'mean': 0.5, 'stddev': 0.2}),
    ('randomUniform', {'minval': -0.3, 'maxval': 0.7}), ('truncatedNormal', {'stddev': 0.3}),
    ('varianceScaling', {'scale': 3, 'mode': 'fanOut', 'distribution': 'normal'}),
    ('varianceScaling', {'scale': 0.5, 'mode': 'fanAvg', 'distribution': 'uniform'}),
    ('orthogonal', {'gain': 2}), ('zeros', None), ('ones', None), ('constant', {'value': 0.25}),
]
INIT_SHAPES = [[200, 300], [3, 3, 32, 64], [40000], [5, 40, 60]]


def _stats(a):
    a = np.asarray(a, np.float64)
    return {'mean': a.mean(), 'std': a.std(), 'min': a.min(), 'max': a.max()}


@pytest.mark.filterwarnings('ignore:Orthogonal initializer')
def test_initializer_statistics_and_configs(oracle):
    ref = oracle.eval('''
      const out = [];
      for (const [name, cfg] of args.cases) {
        const init = cfg == null ? tf.initializers[name]() : tf.initializers[name](cfg);
        const row = {cls: init.getClassName(), config: init.getConfig(), shapes: []};
        for (const shape of args.shapes) {
          if (name === 'orthogonal' && shape.length < 2) { row.shapes.push(null); continue; }
          const t = init.apply(shape);
          const m = tf.moments(t);
          row.shapes.push({shape: t.shape, mean: m.mean, std: tf.sqrt(m.variance),
                           min: t.min(), max: t.max()});
        }
        out.push(row);
      }
      return out;''', cases=[[n, c] for n, c in INIT_CASES], shapes=INIT_SHAPES)
    for (name, cfg), r in zip(INIT_CASES, ref):
        init = getattr(initializers, name)() if cfg is None else getattr(initializers, name)(cfg)
        assert init.getClassName() == r['cls'], name
        ours_cfg = {k: v for k, v in init.getConfig().items() if v is not None}
        assert ours_cfg == r['config'], name
        for shape, rs in zip(INIT_SHAPES, r['shapes']):
            if rs is None:
                continue
            t = init.apply(shape)
            assert t.shape == rs['shape']
            s = _stats(t.numpy())
            label = f'{name}{cfg or ""} {shape}'
            n = np.prod(shape)
            ref_std = float(rs['std'])
            # sampling noise: std of a std estimate ~ std / sqrt(2n); allow 6 sigma (+ truncation)
            assert abs(s['std'] - ref_std) <= 6 * ref_std / np.sqrt(2 * n) + 1e-7, \
                f'{label}: std {s["std"]} vs TF.js {ref_std}'
            assert abs(s['mean'] - float(rs['mean'])) <= 8 * max(ref_std, 1e-7) / np.sqrt(n), \
                f'{label}: mean {s["mean"]} vs TF.js {rs["mean"]}'
            if ref_std > 0 and name not in ('randomNormal', 'orthogonal'):   # bounded ones
                span = float(rs['max']) - float(rs['min'])
                assert abs((s['max'] - s['min']) - span) <= 0.1 * span + 1e-6, \
                    f'{label}: range {s["min"]}..{s["max"]} vs TF.js {rs["min"]}..{rs["max"]}'
            if name == 'orthogonal':
                m = t.numpy().reshape(-1, shape[-1]).astype(np.float64)
                gram = m.T @ m if m.shape[0] >= m.shape[1] else m @ m.T
                assert np.allclose(gram, cfg['gain'] ** 2 * np.eye(len(gram)), atol=1e-4), label
            if ref_std > 0:
                INIT_FIGURES[label] = abs(s['std'] - ref_std) / ref_std


def test_variance_scaling_truncated_normal_is_not_tfjs_uniform_bug(oracle):
    """TF.js samples distribution 'truncatedNormal' from a uniform (it only tests for 'normal');
    we follow Keras (truncated normal, stddev corrected to sqrt(scale / fan)). Documented."""
    cfg = {'scale': 1, 'mode': 'fanIn', 'distribution': 'truncatedNormal', 'seed': 1}
    ref = oracle.eval('''
      const t = tf.initializers.varianceScaling(args.cfg).apply([400, 300]);
      return {min: t.min(), max: t.max()};''', cfg=cfg)
    limit = np.sqrt(3 / 400)
    assert float(ref['max']) <= limit and float(ref['max']) > 0.99 * limit     # TF.js: uniform
    ours = initializers.varianceScaling(cfg).apply([400, 300]).numpy()
    assert abs(ours.std() - np.sqrt(1 / 400)) < 0.02 * np.sqrt(1 / 400)
    assert np.abs(ours).max() > limit                                           # not uniform


def test_initializer_helper_configs(oracle):
    ref = oracle.eval('''
      return args.names.map(n => {
        const i = tf.initializers[n]({seed: 7});
        return {cls: i.getClassName(), config: i.getConfig()};
      });''', names=['glorotNormal', 'glorotUniform', 'heNormal', 'heUniform', 'leCunNormal',
                     'leCunUniform', 'orthogonal', 'randomUniform', 'varianceScaling'])
    for name, r in zip(['glorotNormal', 'glorotUniform', 'heNormal', 'heUniform', 'leCunNormal',
                        'leCunUniform', 'orthogonal', 'randomUniform', 'varianceScaling'], ref):
        init = getattr(initializers, name)({'seed': 7})
        assert init.getClassName() == r['cls']
        assert initializers.serialize_initializer(init) == {'className': r['cls'],
                                                           'config': r['config']}


# ------------------------------------------------------------------ regularizers, constraints

def test_regularizers_and_constraints(oracle):
    rng = np.random.default_rng(3)
    w = rng.normal(0, 2, (4, 5)).astype(np.float32)
    ref = oracle.eval('''
      const R = tf.regularizers, C = tf.constraints;
      const regs = [R.l1l2(), R.l1({l1: 0.3}), R.l2({l2: 0.2}), R.l1l2({l1: 0.1, l2: 0})];
      const cons = [C.maxNorm({maxValue: 2}), C.maxNorm({maxValue: 1, axis: 1}), C.unitNorm({}),
                    C.unitNorm({axis: 1}), C.nonNeg(), C.minMaxNorm({minValue: 1, maxValue: 3}),
                    C.minMaxNorm({minValue: 0.5, maxValue: 4, rate: 0.5, axis: 1})];
      return {
        regs: regs.map(r => ({v: r.apply(args.w), c: r.getConfig(), cls: r.getClassName()})),
        cons: cons.map(c => ({v: c.apply(args.w), c: c.getConfig(), cls: c.getClassName()})),
      };''', w=w)
    R, C = regularizers, constraints
    regs = [R.l1l2(), R.l1({'l1': 0.3}), R.l2({'l2': 0.2}), R.l1l2({'l1': 0.1, 'l2': 0})]
    cons = [C.maxNorm({'maxValue': 2}), C.maxNorm(max_value=1, axis=1), C.unitNorm({}),
            C.unitNorm(axis=1), C.nonNeg(), C.minMaxNorm({'minValue': 1, 'maxValue': 3}),
            C.minMaxNorm({'minValue': 0.5, 'maxValue': 4, 'rate': 0.5, 'axis': 1})]
    for i, (ours, r) in enumerate(zip(regs + cons, ref['regs'] + ref['cons'])):
        assert ours.getClassName() == r['cls']
        assert ours.getConfig() == r['c']
        close(f'{r["cls"]} #{i} {r["c"]}', ours.apply(tf.tensor(w)), r['v'])
