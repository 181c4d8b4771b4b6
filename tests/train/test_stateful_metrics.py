"""Keras's stateful metrics (AUC, Precision, Recall, confusion counts) against real Keras 3
fixtures (tools/fixtures/keras_metrics.py), and their use in compile / fit / evaluate."""
import json
import os

import numpy as np
import pytest

import tfjs as tf
from tfjs.metrics_stateful import deserialize_metric

FIXTURE = json.load(open(os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'keras',
                                      'metrics', 'stateful.json')))


@pytest.mark.parametrize('name', sorted(FIXTURE))
def test_running_results_match_keras(name):
    case = FIXTURE[name]
    metric = deserialize_metric({'class_name': case['class_name'], 'config': case['config']})
    for (y, p), expected in zip(case['batches'], case['results']):
        metric.updateState(tf.tensor(y), tf.tensor(p))
        assert float(metric.result().dataSync()[0]) == pytest.approx(expected, rel=1e-5, abs=1e-6)
    metric.resetState()
    assert float(metric.result().dataSync()[0]) == 0


def test_config_round_trip_and_errors():
    auc = tf.metrics.AUC({'numThresholds': 50, 'curve': 'PR'})
    again = tf.metrics.AUC.fromConfig(auc.getConfig())
    assert again.getConfig() == auc.getConfig()
    with pytest.raises(ValueError, match='curve must be'):
        tf.metrics.AUC({'curve': 'XY'})
    with pytest.raises(NotImplementedError, match='multiLabel'):
        tf.metrics.AUC({'multiLabel': True})
    with pytest.raises(ValueError, match='numThreshold'):
        tf.metrics.AUC(numThreshold=10)


def _data():
    rs = np.random.RandomState(0)
    x = rs.randn(40, 3).astype(np.float32)
    y = (x[:, :1] + 0.3 * rs.randn(40, 1) > 0).astype(np.float32)
    return tf.tensor(x), tf.tensor(y)


def test_fit_logs_the_epoch_result_not_a_batch_average():
    x, y = _data()
    model = tf.sequential({'layers': [tf.layers.dense({'units': 1, 'inputShape': [3],
                                                       'activation': 'sigmoid'})]})
    auc = tf.metrics.AUC()
    model.compile({'optimizer': tf.train.sgd(0.0), 'loss': 'binaryCrossentropy',
                   'metrics': [auc, 'AUC', 'accuracy']})
    h = model.fit(x, y, {'epochs': 2, 'batchSize': 8, 'verbose': 0, 'shuffle': False,
                         'validationData': [x, y]})
    # learning rate 0: every batch sees the same model, so the epoch AUC is the AUC of the
    # whole data set, which evaluate() computes too
    whole = tf.metrics.AUC()
    whole.updateState(y, model.predict(x))
    expected = float(whole.result().dataSync()[0])
    assert set(h.history) >= {'auc', 'auc_1', 'val_auc', 'acc'}
    for key in ('auc', 'auc_1', 'val_auc'):
        assert h.history[key] == pytest.approx([expected, expected], rel=1e-6)
    results = model.evaluate(x, y, {'batchSize': 7})
    assert float(results[1].dataSync()[0]) == pytest.approx(expected, rel=1e-6)


def test_evaluate_dataset_with_stateful_metric():
    x, y = _data()
    model = tf.sequential({'layers': [tf.layers.dense({'units': 1, 'inputShape': [3],
                                                       'activation': 'sigmoid'})]})
    model.compile({'optimizer': 'sgd', 'loss': 'binaryCrossentropy',
                   'metrics': [tf.metrics.Precision({'thresholds': 0.4})]})
    ds = tf.data.zip({'xs': tf.data.array(x.unstack()), 'ys': tf.data.array(y.unstack())}).batch(6)
    loss, precision = model.evaluateDataset(ds)
    m = tf.metrics.Precision({'thresholds': 0.4})
    m.updateState(y, model.predict(x))
    assert float(precision.dataSync()[0]) == pytest.approx(float(m.result().dataSync()[0]), rel=1e-6)
