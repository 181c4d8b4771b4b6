"""activityRegularizer on any layer (Keras semantics; TF.js throws): the penalty of the last
call's output, divided by the batch size, joins the training and evaluation loss."""
import numpy as np
import pytest

import tfjs as tf


def _model(l1=0.0, l2=0.0):
    m = tf.sequential()
    m.add(tf.layers.dense({'units': 2, 'inputShape': [3], 'kernelInitializer': 'ones',
                           'activityRegularizer': tf.regularizers.l1l2({'l1': l1, 'l2': l2})}))
    m.compile({'optimizer': tf.train.sgd(0.0), 'loss': 'meanSquaredError'})
    return m


def test_penalty_joins_the_loss():
    x = np.array([[1, 2, 3], [0, 1, -1], [2, 0, 0], [1, 1, 1]], np.float32)
    y = np.zeros([4, 2], np.float32)
    plain = _model().evaluate(tf.tensor(x), tf.tensor(y)).dataSync()[0]
    m = _model(l1=0.1, l2=0.01)
    out = x @ np.ones([3, 2], np.float32)
    penalty = (0.1 * np.abs(out).sum() + 0.01 * (out ** 2).sum()) / 4
    assert m.evaluate(tf.tensor(x), tf.tensor(y), {'batchSize': 4}).dataSync()[0] == \
        pytest.approx(plain + penalty, rel=1e-5)
    h = m.fit(tf.tensor(x), tf.tensor(y), {'batchSize': 4, 'verbose': 0})
    assert h.history['loss'][0] == pytest.approx(plain + penalty, rel=1e-5)


def test_training_shrinks_activations_and_config_round_trips():
    m = _model(l2=1.0)
    m.compile({'optimizer': tf.train.sgd(0.05), 'loss': 'meanSquaredError'})
    x = tf.randomNormal([8, 3])
    before = float(tf.abs(m.predict(x)).mean().dataSync()[0])
    m.fit(x, tf.zeros([8, 2]), {'epochs': 5, 'verbose': 0})
    assert float(tf.abs(m.predict(x)).mean().dataSync()[0]) < before
    config = m.layers[0].getConfig()['activityRegularizer']
    assert config['className'] == 'L1L2' and config['config']['l2'] == 1.0
    again = tf.models.modelFromJSON(m.toJSON(None, False))
    assert again.layers[0].activityRegularizer.getConfig() == {'l1': 0.0, 'l2': 1.0}
