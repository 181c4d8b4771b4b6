"""Learning-rate schedules and gradient clipping (Keras options beyond TF.js) against real Keras 3
fixtures (tools/fixtures/keras_optimizers.py)."""
import json
import os

import numpy as np
import pytest

import tfjs as tf

FIXTURES = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'keras', 'optimizers')
SCHEDULES = json.load(open(os.path.join(FIXTURES, 'schedules.json')))
TRAJECTORIES = json.load(open(os.path.join(FIXTURES, 'trajectories.json')))


@pytest.mark.parametrize('name', sorted(SCHEDULES))
def test_schedule_matches_keras(name):
    case = SCHEDULES[name]
    from tfjs.train.schedules import deserialize_schedule
    schedule = deserialize_schedule({'class_name': case['class_name'], 'config': case['config']})
    ours = [schedule(step) for step in range(len(case['rates']))]
    np.testing.assert_allclose(ours, case['rates'], rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize('name', sorted(TRAJECTORIES))
def test_sgd_trajectory_matches_keras(name):
    case = TRAJECTORIES[name]
    opt = tf.train.deserializeOptimizer(case['optimizer'])
    vs = [tf.variable(tf.tensor(w)) for w in case['w0']]
    for grads, expected in zip(case['grads'], case['steps']):
        opt.applyGradients({v.name: tf.tensor(g) for v, g in zip(vs, grads)})
        for v, e in zip(vs, expected):
            np.testing.assert_allclose(np.asarray(v), np.asarray(e, np.float32), rtol=1e-5, atol=1e-6)


def test_clipping_options_validated():
    with pytest.raises(ValueError, match='Only one of'):
        tf.train.sgd(0.1, clipnorm=1.0, clipvalue=0.5)
    with pytest.raises(ValueError, match='must be positive'):
        tf.train.adam(0.1, clipvalue=-1)
    with pytest.raises(ValueError, match='clipnrom.*clipnorm'):
        tf.train.sgd(0.1, clipnrom=1.0)


def test_clipping_does_not_modify_the_given_gradient():
    opt = tf.train.sgd(1.0, clipvalue=0.5)
    v = tf.variable(tf.tensor([1.0, 1.0]))
    g = tf.tensor([2.0, -0.25])
    opt.applyGradients({v.name: g})
    assert g.arraySync() == [2.0, -0.25]
    assert v.arraySync() == [0.5, 1.25]


def test_schedule_config_round_trip_and_fit():
    schedule = tf.train.schedules.exponentialDecay(
        {'initialLearningRate': 0.1, 'decaySteps': 2, 'decayRate': 0.5})
    opt = tf.train.adam(schedule)
    again = tf.train.deserializeOptimizer({'className': 'Adam', 'config': opt.getConfig()})
    assert again.getConfig() == opt.getConfig()
    model = tf.sequential({'layers': [tf.layers.dense({'units': 1, 'inputShape': [2]})]})
    model.compile({'optimizer': opt, 'loss': 'meanSquaredError'})
    model.fit(tf.ones([8, 2]), tf.ones([8, 1]), {'epochs': 2, 'batchSize': 4, 'verbose': 0})
    assert opt.iterations == 4
    assert opt.learningRate == pytest.approx(0.1 * 0.5 ** 1.5)   # the rate used at step 3


def test_learning_rate_changed_between_epochs_is_used():
    opt = tf.train.sgd(0.0)
    model = tf.sequential({'layers': [tf.layers.dense({'units': 1, 'inputShape': [1],
                                                       'kernelInitializer': 'zeros'})]})
    model.compile({'optimizer': opt, 'loss': 'meanSquaredError'})

    def on_epoch_begin(epoch, logs=None):
        opt.learningRate = 0.0 if epoch == 0 else 0.1

    model.fit(tf.ones([1, 1]), tf.ones([1, 1]),
              {'epochs': 2, 'verbose': 0, 'callbacks': {'onEpochBegin': on_epoch_begin}})
    kernel = model.getWeights()[0].arraySync()[0][0]
    assert kernel == pytest.approx(0.2)       # one step at lr 0.1 on d(x*w+b - 1)^2/dw = -2
