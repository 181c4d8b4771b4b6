"""fit options beyond TF.js, with Keras's semantics: sampleWeight, 3-element validationData,
stepsPerEpoch / validationSteps, shuffle: 'batch'."""
import numpy as np
import pytest
import torch

import tfjs as tf

RS = np.random.RandomState(0)
X = RS.randn(12, 3).astype(np.float32)
Y = RS.randn(12, 1).astype(np.float32)


def _model(kernel=None):
    m = tf.sequential({'layers': [tf.layers.dense({'units': 1, 'inputShape': [3]})]})
    m.setWeights([tf.tensor(kernel if kernel is not None else [[0.1], [0.2], [-0.3]]),
                  tf.tensor([0.05])])
    m.compile({'optimizer': tf.train.sgd(0.1), 'loss': 'meanSquaredError'})
    return m


def _manual_weighted_sgd(w_sample, batch_size, epochs=1):
    """The same training written with torch: mean(per-sample MSE * w) per batch, no shuffle."""
    k = torch.tensor([[0.1], [0.2], [-0.3]], requires_grad=True)
    b = torch.tensor([0.05], requires_grad=True)
    x, y, w = torch.tensor(X), torch.tensor(Y), torch.tensor(w_sample)
    for _ in range(epochs):
        for s in range(0, len(X), batch_size):
            loss = (((x[s:s + batch_size] @ k + b - y[s:s + batch_size]) ** 2).mean(1)
                    * w[s:s + batch_size]).mean()
            gk, gb = torch.autograd.grad(loss, [k, b])
            with torch.no_grad():
                k -= 0.1 * gk
                b -= 0.1 * gb
    return k.detach().numpy(), b.detach().numpy()


def test_sample_weight_scales_each_sample_loss():
    w = RS.rand(12).astype(np.float32)
    m = _model()
    m.fit(tf.tensor(X), tf.tensor(Y), {'epochs': 2, 'batchSize': 4, 'shuffle': False,
                                       'verbose': 0, 'sampleWeight': tf.tensor(w)})
    k, b = _manual_weighted_sgd(w, 4, epochs=2)
    np.testing.assert_allclose(np.asarray(m.getWeights()[0]), k, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(m.getWeights()[1]), b, rtol=1e-5, atol=1e-6)


def test_sample_weight_combines_with_class_weight_and_checks_length():
    m = tf.sequential({'layers': [tf.layers.dense({'units': 2, 'inputShape': [3],
                                                   'activation': 'softmax'})]})
    m.compile({'optimizer': 'sgd', 'loss': 'categoricalCrossentropy'})
    y = tf.oneHot(tf.tensor([0, 1, 0, 1], None, 'int32'), 2)
    m.fit(tf.ones([4, 3]), y, {'verbose': 0, 'sampleWeight': [1, 2, 3, 4], 'classWeight': {0: 1, 1: 0}})
    with pytest.raises(ValueError, match='one weight per sample'):
        m.fit(tf.ones([4, 3]), y, {'verbose': 0, 'sampleWeight': [1, 2]})


def test_validation_data_with_sample_weights():
    m = _model()
    w = np.array([1, 0, 0, 0, 2, 0], np.float32)
    h = m.fit(tf.tensor(X[:6]), tf.tensor(Y[:6]), {
        'epochs': 1, 'verbose': 0, 'validationData': [tf.tensor(X[6:]), tf.tensor(Y[6:]), tf.tensor(w)]})
    pred = np.asarray(m.predict(tf.tensor(X[6:])))
    expected = np.mean(((pred - Y[6:]) ** 2).mean(1) * w)
    assert h.history['val_loss'][0] == pytest.approx(expected, rel=1e-5)


def test_steps_per_epoch_continues_across_epochs_and_stops_when_data_runs_out(capsys):
    m = _model()
    seen = []
    h = m.fit(tf.tensor(X), tf.tensor(Y), {
        'epochs': 5, 'batchSize': 4, 'stepsPerEpoch': 2, 'shuffle': False, 'verbose': 0,
        'callbacks': {'onBatchEnd': lambda batch, logs: seen.append(logs['size'])}})
    # 12 samples = 3 batches of 4: epoch 1 takes two, epoch 2 gets the last one and stops
    assert seen == [4, 4, 4]
    assert len(h.history['loss']) == 2
    assert h.params['steps'] == 2 and h.params['samples'] is None
    assert 'ran out of data' in capsys.readouterr().out


def test_validation_steps_limit_validation_batches():
    m = _model()
    h = m.fit(tf.tensor(X), tf.tensor(Y), {'epochs': 1, 'batchSize': 4, 'stepsPerEpoch': 3,
                                           'validationData': [tf.tensor(X), tf.tensor(Y)],
                                           'validationSteps': 1, 'verbose': 0, 'shuffle': False})
    pred = np.asarray(m.predict(tf.tensor(X[:4])))
    assert h.history['val_loss'][0] == pytest.approx(float(((pred - Y[:4]) ** 2).mean()), rel=1e-5)
    with pytest.raises(ValueError, match='stepsPerEpoch` must be set'):
        m.fit(tf.tensor(X), tf.tensor(Y), {'validationSteps': 1, 'verbose': 0})


def test_batch_shuffle_keeps_batches_together():
    inp = tf.input({'shape': [1]})
    m = tf.model({'inputs': inp, 'outputs': tf.layers.dense({'units': 1}).apply(inp)})
    m.compile({'optimizer': 'sgd', 'loss': 'meanSquaredError'})
    firsts = []
    original = m._train_on_batch

    def spy(ins, outs, ws):
        firsts.append(ins[0].arraySync())
        return original(ins, outs, ws)

    m._train_on_batch = spy
    x = tf.tensor(np.arange(10, dtype=np.float32).reshape(10, 1))
    m.fit(x, x, {'epochs': 3, 'batchSize': 4, 'shuffle': 'batch', 'verbose': 0})
    assert len(firsts) == 9
    for batch in firsts:
        values = [v[0] for v in batch]
        assert values in ([0, 1, 2, 3], [4, 5, 6, 7], [8, 9])
    assert [len(b) for b in firsts[2::3]] == [2, 2, 2]      # the partial batch stays last
    with pytest.raises(ValueError, match='shuffle must be'):
        m.fit(x, x, {'shuffle': 'sometimes', 'verbose': 0})


def _two_output_model():
    inp = tf.input({'shape': [3]})
    a = tf.layers.dense({'units': 1, 'name': 'a', 'kernelInitializer': 'ones'}).apply(inp)
    b = tf.layers.dense({'units': 1, 'name': 'b', 'kernelInitializer': 'zeros'}).apply(inp)
    return tf.model({'inputs': inp, 'outputs': [a, b]})


@pytest.mark.parametrize('weights', [[2.0, 0.5], {'a': 2.0, 'b': 0.5}])
def test_loss_weights_weight_the_total_loss_only(weights):
    m = _two_output_model()
    m.compile({'optimizer': tf.train.sgd(0.0), 'loss': 'meanSquaredError', 'lossWeights': weights})
    x, ya, yb = tf.tensor(X), tf.tensor(Y), tf.tensor(Y * 2)
    h = m.fit(x, [ya, yb], {'epochs': 1, 'batchSize': 12, 'verbose': 0})
    la, lb = h.history['a_loss'][0], h.history['b_loss'][0]
    pa, pb = [np.asarray(p) for p in m.predict(x)]
    assert la == pytest.approx(float(((pa - Y) ** 2).mean()), rel=1e-5)
    assert lb == pytest.approx(float(((pb - 2 * Y) ** 2).mean()), rel=1e-5)
    assert h.history['loss'][0] == pytest.approx(2.0 * la + 0.5 * lb, rel=1e-5)


def test_loss_weights_errors():
    m = _two_output_model()
    with pytest.raises(ValueError, match='not output names'):
        m.compile({'optimizer': 'sgd', 'loss': 'mse', 'lossWeights': {'c': 1}})
    with pytest.raises(ValueError, match='2 outputs'):
        m.compile({'optimizer': 'sgd', 'loss': 'mse', 'lossWeights': [1]})


def test_loss_weights_and_stateful_metrics_saved_in_training_config(tmp_path):
    m = _two_output_model()
    m.compile({'optimizer': 'adam', 'loss': 'meanSquaredError', 'lossWeights': [1.0, 3.0],
               'metrics': [tf.metrics.AUC({'numThresholds': 20}), 'mae']})
    m.save(f'file://{tmp_path}/m', {'includeOptimizer': True})
    loaded = tf.loadLayersModel(f'file://{tmp_path}/m/model.json')
    assert loaded.lossWeights == [1.0, 3.0]
    assert loaded.metricsNames == m.metricsNames
    auc = [fn for fn, _ in loaded.metricsTensors if isinstance(fn, tf.metrics.Metric)]
    assert len(auc) == 2 and auc[0].numThresholds == 20
