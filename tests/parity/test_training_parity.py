"""Training trajectories against TF.js 4.22: the same model (saved here, loaded by TF.js), the same
initial weights and batches (shuffle off), trained 20 epochs with `fit` on both sides. Per-epoch
losses must agree within 1e-4 relative and the final weights within 1e-4; `History` objects
(validationSplit, classWeight, initialEpoch, early stopping) must be the same."""
from __future__ import annotations

import numpy as np
import pytest

import tfjs as tf

EPOCHS = 20
OPTIMIZERS = [
    ('sgd', [0.05]),
    ('momentum', [0.02, 0.9]),
    ('momentum', [0.02, 0.9, True]),
    ('rmsprop', [0.005]),
    ('rmsprop', [0.005, 0.9, 0.3]),
    ('adam', [0.01]),
    ('adadelta', [1.0]),
    ('adamax', [0.01]),
    ('adagrad', [0.05]),
]

FIT_JS = """
const model = await helpers.loadModelFromDir(args.path);
model.compile({optimizer: tf.train[args.factory](...args.params), loss: args.loss,
               metrics: args.metrics});
const fitArgs = Object.assign({epochs: args.epochs, batchSize: args.batchSize, shuffle: false,
                               verbose: 0}, args.fitArgs);
if (args.earlyStopping) fitArgs.callbacks = [tf.callbacks.earlyStopping(args.earlyStopping)];
const h = await model.fit(args.x, args.y, fitArgs);
return {history: h.history, epoch: h.epoch, params: h.params, weights: model.getWeights()};
"""


def _mlp():
    m = tf.sequential()
    m.add(tf.layers.dense({'units': 16, 'inputShape': [6], 'activation': 'relu'}))
    m.add(tf.layers.dense({'units': 8, 'activation': 'tanh'}))
    m.add(tf.layers.dense({'units': 3, 'activation': 'softmax'}))
    return m


def _cnn():
    m = tf.sequential()
    m.add(tf.layers.conv2d({'filters': 4, 'kernelSize': 3, 'inputShape': [8, 8, 1],
                            'activation': 'relu'}))
    m.add(tf.layers.maxPooling2d({'poolSize': 2}))
    m.add(tf.layers.flatten())
    m.add(tf.layers.dense({'units': 3, 'activation': 'softmax'}))
    return m


def _data(shape, n=48, seed=0):
    rs = np.random.RandomState(seed)
    x = rs.randn(n, *shape).astype(np.float32)
    labels = rs.randint(0, 3, n)
    return x, np.eye(3, dtype=np.float32)[labels]


def _run_both(oracle, tmp_path, build, x, y, factory, params, *, loss='categoricalCrossentropy',
              metrics=None, fit_args=None, early=None, epochs=EPOCHS, batch_size=16):
    model = build()
    rs = np.random.RandomState(7)          # fixed initial weights: reproducible trajectories
    model.setWeights([tf.tensor((rs.randn(*w.shape) * 0.4).astype(np.float32))
                      for w in model.getWeights()])
    model.save(f'file://{tmp_path}/m')
    theirs = oracle.eval(FIT_JS, {
        'path': str(tmp_path / 'm' / 'model.json'), 'factory': factory, 'params': params,
        'loss': loss, 'metrics': metrics or [], 'x': x, 'y': y, 'epochs': epochs,
        'batchSize': batch_size, 'fitArgs': fit_args or {}, 'earlyStopping': early})
    model.compile({'optimizer': getattr(tf.train, factory)(*params), 'loss': loss,
                   'metrics': metrics or []})
    args = {'epochs': epochs, 'batchSize': batch_size, 'shuffle': False, 'verbose': 0}
    args.update(fit_args or {})
    if early:
        args['callbacks'] = [tf.callbacks.earlyStopping(early)]
    h = model.fit(tf.tensor(x), tf.tensor(y), args)
    return model, h, theirs


def _compare(model, h, theirs, rtol=1e-4):
    assert h.epoch == theirs['epoch']
    assert sorted(h.history) == sorted(theirs['history'])
    for key, values in theirs['history'].items():
        np.testing.assert_allclose(h.history[key], values, rtol=rtol, atol=1e-6, err_msg=key)
    for ours, t in zip(model.getWeights(), theirs['weights']):
        np.testing.assert_allclose(np.asarray(ours), t, rtol=rtol, atol=1e-4)


@pytest.mark.parametrize('factory,params', OPTIMIZERS, ids=[f'{f}{p}' for f, p in OPTIMIZERS])
def test_mlp_trajectory(oracle, tmp_path, factory, params):
    x, y = _data([6])
    model, h, theirs = _run_both(oracle, tmp_path, _mlp, x, y, factory, params,
                                 metrics=['accuracy'])
    _compare(model, h, theirs)


@pytest.mark.parametrize('factory,params', OPTIMIZERS, ids=[f'{f}{p}' for f, p in OPTIMIZERS])
def test_cnn_trajectory(oracle, tmp_path, factory, params):
    if not hasattr(tf.layers, 'conv2d'):
        pytest.skip('tf.layers.conv2d is not implemented yet')
    x, y = _data([8, 8, 1], n=32, seed=1)
    model, h, theirs = _run_both(oracle, tmp_path, _cnn, x, y, factory, params)
    _compare(model, h, theirs)


def test_validation_split_history(oracle, tmp_path):
    x, y = _data([6], n=50)
    model, h, theirs = _run_both(oracle, tmp_path, _mlp, x, y, 'adam', [0.01], epochs=5,
                                 metrics=['accuracy'], fit_args={'validationSplit': 0.3})
    assert h.params == {k: v for k, v in theirs['params'].items()}
    _compare(model, h, theirs)


def test_class_weight_history(oracle, tmp_path):
    x, y = _data([6])
    model, h, theirs = _run_both(oracle, tmp_path, _mlp, x, y, 'sgd', [0.1], epochs=5,
                                 fit_args={'classWeight': {0: 1.0, 1: 3.0, 2: 0.5}})
    _compare(model, h, theirs)


def test_initial_epoch_history(oracle, tmp_path):
    x, y = _data([6])
    model, h, theirs = _run_both(oracle, tmp_path, _mlp, x, y, 'sgd', [0.1], epochs=6,
                                 fit_args={'initialEpoch': 2})
    assert h.epoch == [2, 3, 4, 5]
    _compare(model, h, theirs)


def test_early_stopping_history(oracle, tmp_path):
    x, y = _data([6])
    # random labels: the validation loss soon stops improving
    model, h, theirs = _run_both(oracle, tmp_path, _mlp, x, y, 'sgd', [0.3], epochs=30,
                                 fit_args={'validationSplit': 0.25},
                                 early={'monitor': 'val_loss', 'patience': 2})
    assert len(h.epoch) < 30
    _compare(model, h, theirs)
