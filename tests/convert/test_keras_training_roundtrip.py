"""Compiled models saved here as `.keras` / `.h5` with `includeOptimizer: true` keep their
compile settings and optimizer state: loaded back they are compiled with the same optimizer
config, the same state (iterations, slots) and train on exactly as the original.

With $TFJS_KERAS_ROUNDTRIP_DIR set, the files are also left there as `tfjs_train_<case>_<ext>.*`,
with the training batch and the weights reached here after 2 more steps, for
tools/check_keras_roundtrip.py, which loads them compiled in Keras 3 / tf-keras, trains 2
steps and compares.
"""
import os
import shutil
import warnings

import numpy as np
import pytest

import tfjs as tf

EXPORT = os.environ.get('TFJS_KERAS_ROUNDTRIP_DIR')
RS = np.random.RandomState(3)
X = RS.randn(6, 3).astype(np.float32)
Y = RS.randn(6, 2).astype(np.float32)
OPTIMIZERS = {
    'adam': lambda: tf.train.adam(0.01),
    'momentum': lambda: tf.train.momentum(0.05, 0.9),
    'nesterov': lambda: tf.train.momentum(0.05, 0.8, True),
    'rmsprop_centered': lambda: tf.train.rmsprop(0.01, 0.9, 0.5, None, True),
    'rmsprop': lambda: tf.train.rmsprop(0.01),
    'adagrad': lambda: tf.train.adagrad(0.05),
    'adamax': lambda: tf.train.adamax(0.02),
    'sgd': lambda: tf.train.sgd(0.05),
}


def _model(optimizer):
    inp = tf.input({'shape': [3], 'name': 'x'})
    h = tf.layers.dense({'units': 4, 'activation': 'tanh', 'name': 'hidden'}).apply(inp)
    h = tf.layers.batchNormalization({'name': 'bn'}).apply(h)
    out = tf.layers.dense({'units': 2, 'name': 'out'}).apply(h)
    model = tf.model({'inputs': inp, 'outputs': out})
    model.compile({'optimizer': optimizer, 'loss': 'meanSquaredError', 'metrics': ['mae']})
    return model


def _fit(model, steps=2):
    model.fit(tf.tensor(X), tf.tensor(Y), {'batchSize': len(X), 'epochs': steps,
                                          'shuffle': False, 'verbose': 0})


def _weights(model):
    return {f'after/{l.name}/{i}': w.arraySync() for l in model.layers
            for i, w in enumerate(l.getWeights())}


@pytest.mark.parametrize('ext', ['keras', 'h5'])
@pytest.mark.parametrize('case', sorted(OPTIMIZERS))
def test_training_state_round_trip(tmp_path, case, ext):
    model = _model(OPTIMIZERS[case]())
    _fit(model)
    path = str(tmp_path / f'tfjs_train_{case}_{ext}.{ext}')
    model.save(path, {'includeOptimizer': True})
    back = tf.loadLayersModel(path)
    assert back.optimizer_ is not None
    assert back.optimizer_.getClassName() == model.optimizer_.getClassName()
    for k, v in model.optimizer_.getConfig().items():
        assert back.optimizer_.getConfig()[k] == pytest.approx(v), k
    ours = model.optimizer_.getWeights()
    theirs = back.optimizer_.getWeights()
    assert [w['name'] for w in theirs][0] == 'iter'
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        if case == 'rmsprop' and a['name'].endswith('/momentum'):
            continue    # momentum 0: Keras keeps no such slot (it restarts at 0; unused)
        np.testing.assert_allclose(b['tensor'].arraySync(), a['tensor'].arraySync(),
                                   rtol=1e-6, atol=1e-7)
    _fit(model)
    _fit(back)
    want, got = _weights(model), _weights(back)
    for key, value in want.items():
        np.testing.assert_allclose(got[key], value, rtol=1e-6, atol=1e-6, err_msg=key)
    if EXPORT:
        os.makedirs(EXPORT, exist_ok=True)
        shutil.copy(path, os.path.join(EXPORT, os.path.basename(path)))
        np.savez(os.path.join(EXPORT, f'tfjs_train_{case}_{ext}.npz'), x0=X,
                 y0=np.asarray(_model_predict_before(path)), train_x=X, train_y=Y,
                 iterations=int(back.optimizer_.iterations) - 2,
                 optimizer=model.optimizer_.getClassName(), **want)


def _model_predict_before(path):
    return tf.loadLayersModel(path).predict(tf.tensor(X)).arraySync()


def test_without_include_optimizer_no_training_state(tmp_path):
    """`includeOptimizer: false` (Keras's default is true): no compile settings."""
    model = _model(tf.train.adam(0.01))
    _fit(model)
    path = str(tmp_path / 'plain.keras')
    model.save(path, {'includeOptimizer': False})
    assert tf.loadLayersModel(path).optimizer_ is None


def test_unrepresentable_state_warns_and_saves_the_model(tmp_path):
    model = _model(tf.train.adamax(0.02, 0.9, 0.999, None, 0.1))     # lr decay: not in Keras
    _fit(model)
    path = str(tmp_path / 'decay.keras')
    with pytest.warns(UserWarning, match='decay'):
        model.save(path, {'includeOptimizer': True})
    back = tf.loadLayersModel(path)
    assert back.optimizer_ is None
    np.testing.assert_allclose(back.predict(tf.tensor(X)).arraySync(),
                               model.predict(tf.tensor(X)).arraySync(), atol=1e-6)
