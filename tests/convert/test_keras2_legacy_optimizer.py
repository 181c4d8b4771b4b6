"""Keras 2.0-2.2 `.h5` files load compiled with their optimizer state, as tf-keras 2.21 loads them.

Those Keras versions name the optimizer variables without slot names (`Adam/iterations:0`,
`training/Adam/Variable_3:0`; Keras 2.0: `iterations_1:0`, `Variable_104:0`), so tf-keras's
legacy optimizers restore them by position (`set_weights`): Adam / Adamax `[iterations] + ms +
vs` (Keras 2.1+ Adam appends one `vhat` per variable, which tf-keras drops), SGD `[iterations] +
moments`, RMSprop / Adagrad / Adadelta with no iteration count (iterations restart at 0). The
layouts are those of keras-team/keras 2.1.6 `keras/optimizers.py` (`self.weights = ...` in each
`get_updates`). State that does not fit the model (count, or a shape in trainable-weight order)
leaves the model compiled with a fresh optimizer and a warning, as tf-keras does ("Error in
loading the saved optimizer state").

The synthetic files below are written with h5py in the layout of the real ones; the published
files (tests/convert/test_published_models.py) are checked against what tf-keras 2.21 holds.
"""
import json
import os
import sys
import warnings

import h5py
import numpy as np
import pytest

import tfjs as tf

from convert_helpers import ROOT

sys.path.insert(0, os.path.join(ROOT, 'tools', 'fixtures'))
import published_models as pm  # noqa: E402

SHAPES = [(4, 3), (3,), (3, 2), (2,)]          # trainable weights in model order


def _model():
    model = tf.sequential({'layers': [
        tf.layers.dense({'units': 3, 'inputShape': [4], 'activation': 'relu', 'name': 'da'}),
        tf.layers.dense({'units': 2, 'activation': 'softmax', 'name': 'db'})]})
    return model


def _keras2_file(tmp_path, optimizer, arrays, names=None, version='2.1.6'):
    """A Keras-2.1-style .h5: the model, a `training_config` with `optimizer` (Keras 2 keys:
    `lr`), and `optimizer_weights` holding `arrays` under Keras 2.1's slot-less names."""
    path = str(tmp_path / 'k2.h5')
    _model().save(path, {'includeOptimizer': False})
    names = names or ['Adam/iterations:0'] + [
        'training/Adam/Variable' + (f'_{i}' if i else '') + ':0' for i in range(len(arrays) - 1)]
    training = {'metrics': ['accuracy'], 'loss': 'categorical_crossentropy',
                'optimizer_config': optimizer, 'loss_weights': None, 'sample_weight_mode': None}
    with h5py.File(path, 'a') as f:
        f.attrs['keras_version'] = np.bytes_(version)
        f.attrs['training_config'] = json.dumps(training).encode()
        g = f.create_group('optimizer_weights')
        g.attrs['weight_names'] = [n.encode() for n in names]
        for n, a in zip(names, arrays):
            g.create_dataset(n, data=a)
    return path


def _slots(rng, k):
    return [[rng.standard_normal(s).astype(np.float32) for s in SHAPES] for _ in range(k)]


def _opt_weights(model):
    return {w['name']: np.asarray(w['tensor']) for w in model.optimizer.getWeights()}


def _load(path):
    with warnings.catch_warnings():
        warnings.simplefilter('error')          # a restorable state loads without a warning
        return tf.loadLayersModel(path)


TF_NAMES = ['da/kernel', 'da/bias', 'db/kernel', 'db/bias']


@pytest.mark.parametrize('vhats', [True, False])
def test_adam_by_position(tmp_path, vhats):
    rng = np.random.default_rng(0)
    ms, vs = _slots(rng, 2)
    vs = [np.abs(v) for v in vs]
    extra = [np.zeros(1, np.float32) for _ in SHAPES] if vhats else []      # Keras 2.1 vhats
    cfg = {'class_name': 'Adam', 'config': {'lr': 0.0020000000949949026, 'beta_1': 0.8,
                                            'beta_2': 0.99, 'decay': 0.0, 'epsilon': 1e-07,
                                            'amsgrad': False}}
    model = _load(_keras2_file(tmp_path, cfg, [np.int64(1234)] + ms + vs + extra))
    assert type(model.optimizer).__name__ == 'AdamOptimizer'
    assert model.optimizer.getConfig()['learningRate'] == pytest.approx(0.002)
    assert model.optimizer.getConfig()['beta1'] == pytest.approx(0.8)
    got = _opt_weights(model)
    assert int(got['iter']) == 1234
    for name, m, v in zip(TF_NAMES, ms, vs):
        np.testing.assert_array_equal(got[f'{name}/m'], m)
        np.testing.assert_array_equal(got[f'{name}/v'], v)


def test_keras20_names_and_float_iterations(tmp_path):
    """Keras 2.0.5: `iterations_1:0` (float32), `Variable_<n>:0`, no vhats."""
    rng = np.random.default_rng(1)
    ms, vs = _slots(rng, 2)
    names = ['iterations_1:0'] + [f'Variable_{104 + i}:0' for i in range(8)]
    cfg = {'class_name': 'Adamax', 'config': {'lr': 0.002, 'beta_1': 0.9, 'beta_2': 0.999,
                                              'epsilon': 1e-08, 'decay': 0.0}}
    model = _load(_keras2_file(tmp_path, cfg, [np.float32(77)] + ms + vs, names, '2.0.5'))
    assert type(model.optimizer).__name__ == 'AdamaxOptimizer'
    got = _opt_weights(model)
    assert int(got['iter']) == 77
    np.testing.assert_array_equal(got['db/kernel/m'], ms[2])
    np.testing.assert_array_equal(got['da/bias/v'], vs[1])


def test_sgd_momentum_by_position(tmp_path):
    """SGD `[iterations] + moments`; Keras keeps `v = momentum*v - lr*g`, TF.js `-v / lr`."""
    rng = np.random.default_rng(2)
    (moments,) = _slots(rng, 1)
    cfg = {'class_name': 'SGD', 'config': {'lr': 0.5, 'momentum': 0.9, 'decay': 0.0,
                                           'nesterov': False}}
    model = _load(_keras2_file(tmp_path, cfg, [np.int64(5)] + moments))
    assert type(model.optimizer).__name__ == 'MomentumOptimizer'
    got = _opt_weights(model)
    assert int(got['iter']) == 5
    for name, v in zip(TF_NAMES, moments):
        np.testing.assert_allclose(got[f'{name}/momentum'], v / -0.5, rtol=1e-6)


@pytest.mark.parametrize('cls, tfjs_cls, kinds', [
    ('RMSprop', 'RMSPropOptimizer', ['rms']),
    ('Adagrad', 'AdagradOptimizer', ['accumulator']),
    ('Adadelta', 'AdadeltaOptimizer', ['accum_grad', 'accum_var']),
])
def test_no_iteration_count_restarts_at_zero(tmp_path, cls, tfjs_cls, kinds):
    """Keras 2.1's RMSprop / Adagrad / Adadelta keep only their accumulators."""
    rng = np.random.default_rng(3)
    slots = [[np.abs(a) for a in s] for s in _slots(rng, len(kinds))]
    cfg = {'class_name': cls, 'config': {'lr': 0.01, 'epsilon': 1e-07, 'decay': 0.0,
                                         **({'rho': 0.9} if cls != 'Adagrad' else {})}}
    names = [f'training/{cls}/Variable_{i}:0' for i in range(4 * len(kinds))]
    model = _load(_keras2_file(tmp_path, cfg, [a for s in slots for a in s], names))
    assert type(model.optimizer).__name__ == tfjs_cls
    got = _opt_weights(model)
    assert int(got['iter']) == 0
    for kind, arrays in zip(kinds, slots):
        for name, a in zip(TF_NAMES, arrays):
            np.testing.assert_array_equal(got[f'{name}/{kind}'], a)
    if cls == 'RMSprop':                       # TF.js's momentum slot: Keras 2 had none
        assert not got['da/kernel/momentum'].any()


@pytest.mark.parametrize('case', ['shapes out of order', 'count'])
def test_state_that_does_not_fit_compiles_with_a_fresh_optimizer(tmp_path, case):
    rng = np.random.default_rng(4)
    ms, vs = _slots(rng, 2)
    arrays = [np.int64(9)] + ms + vs
    if case == 'count':
        arrays = arrays[:-1]
    else:
        arrays[1], arrays[2] = arrays[2], arrays[1]
    cfg = {'class_name': 'Adam', 'config': {'lr': 0.0001, 'beta_1': 0.9, 'beta_2': 0.999,
                                            'epsilon': 1e-08, 'decay': 0.0}}
    path = _keras2_file(tmp_path, cfg, arrays)
    with pytest.warns(UserWarning, match='optimizer state not restored.*freshly initialized'):
        model = tf.loadLayersModel(path)
    assert type(model.optimizer).__name__ == 'AdamOptimizer'
    assert model.optimizer.getConfig()['learningRate'] == pytest.approx(1e-4)
    assert [w['name'] for w in model.optimizer.getWeights()] in ([], ['iter'])
    xs, ys = tf.ones([2, 4]), tf.tensor([[1, 0], [0, 1]], [2, 2])
    model.fit(xs, ys, {'epochs': 1, 'verbose': 0})             # compiled: training runs
    assert int(_opt_weights(model)['iter']) == 1


# ------------------------------------------------------------- include_optimizer default (save)

@pytest.mark.parametrize('suffix', ['keras', 'h5'])
def test_keras_files_include_the_optimizer_by_default(tmp_path, suffix):
    model = _model()
    model.compile({'optimizer': tf.train.adam(0.01), 'loss': 'categoricalCrossentropy'})
    model.fit(tf.ones([2, 4]), tf.tensor([[1, 0], [0, 1]], [2, 2]), {'epochs': 2, 'verbose': 0})
    path = str(tmp_path / f'm.{suffix}')
    model.save(path)
    back = _load(path)
    assert type(back.optimizer).__name__ == 'AdamOptimizer'
    want = [np.asarray(w['tensor']) for w in model.optimizer.getWeights()]
    got = [np.asarray(w['tensor']) for w in back.optimizer.getWeights()]
    assert int(got[0]) == 2 and len(got) == len(want) == 9
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    plain = str(tmp_path / f'plain.{suffix}')
    model.save(plain, {'includeOptimizer': False})
    assert tf.loadLayersModel(plain).optimizer_ is None


def test_tfjs_urls_keep_tfjs_default(tmp_path):
    model = _model()
    model.compile({'optimizer': 'adam', 'loss': 'categoricalCrossentropy'})
    model.save(f'file://{tmp_path}/web')
    with open(tmp_path / 'web' / 'model.json') as f:
        assert 'trainingConfig' not in json.load(f)


# ------------------------------------------------------------------ the published files

def _published(name):
    try:
        return pm.fetch_model(name)
    except pm.Unreachable as e:
        pytest.skip(f'{name} not fetched (offline?): {e}')


def test_ethnicolr_keras216_restores_what_tf_keras_restores():
    """Keras 2.1.6 Adam: tf-keras 2.21 (`tf_keras.models.load_model`, legacy Adam) holds
    iterations 337500, lr 0.001, and m/v = the file's `training/Adam/Variable_<i>` in order;
    the first values below were printed by tf-keras from `optimizer.variables()`."""
    path = _published('ethnicolr_census2010')
    model = _load(path)
    assert type(model.optimizer).__name__ == 'AdamOptimizer'
    assert model.optimizer.getConfig()['learningRate'] == pytest.approx(0.001)
    got = _opt_weights(model)
    assert int(got['iter']) == 337500
    np.testing.assert_allclose(got['embedding_1/embeddings/m'].ravel()[:3],
                               [0.00305135, 0.00195545, -0.00337895], rtol=1e-5)
    np.testing.assert_allclose(got['dense_1/bias/v'][:3], [0.00075302, 0.00296444, 0.001613],
                               rtol=1e-5)
    with h5py.File(path, 'r') as f:
        g = f['optimizer_weights']
        np.testing.assert_array_equal(got['lstm_1/kernel/m'], g['training/Adam/Variable_1:0'])
        np.testing.assert_array_equal(got['lstm_1/recurrent_kernel/v'],
                                      g['training/Adam/Variable_8:0'])


def test_fer_keras205_compiles_with_a_fresh_optimizer_as_tf_keras():
    """Keras 2.0.5 listed its 104 slots in an order that does not follow the model's trainable
    weights: tf-keras warns "Error in loading the saved optimizer state" and starts fresh
    (iterations 0) with Adam(lr=1e-4) read from the legacy `lr` key."""
    path = _published('fer_emotion')
    with pytest.warns(UserWarning, match='optimizer state not restored'):
        model = tf.loadLayersModel(path)
    assert type(model.optimizer).__name__ == 'AdamOptimizer'
    assert model.optimizer.getConfig()['learningRate'] == pytest.approx(1e-4)
    assert model.optimizer.getConfig()['epsilon'] == pytest.approx(1e-8)
    assert [w['name'] for w in model.optimizer.getWeights()] in ([], ['iter'])
