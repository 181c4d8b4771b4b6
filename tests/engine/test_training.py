"""compile / fit / evaluate / predict: options, History structure, callbacks, errors."""
import asyncio

import numpy as np
import pytest

import tfjs as tf


def make_model(units=1, activation=None, loss='meanSquaredError', metrics=None, optimizer='sgd'):
    model = tf.sequential()
    model.add(tf.layers.dense({'units': 4, 'inputShape': [2], 'activation': 'relu'}))
    model.add(tf.layers.dense({'units': units, 'activation': activation}))
    model.compile({'optimizer': optimizer, 'loss': loss, 'metrics': metrics})
    return model


def data(n=10, units=1):
    rs = np.random.RandomState(0)
    return tf.tensor(rs.randn(n, 2).astype(np.float32)), tf.tensor(rs.rand(n, units).astype(np.float32))


def test_history_structure_and_params():
    model = make_model(metrics=['mse'])
    xs, ys = data()
    h = model.fit(xs, ys, {'epochs': 3, 'batchSize': 4, 'verbose': 0, 'validationSplit': 0.2})
    assert h.epoch == [0, 1, 2]
    assert set(h.history) == {'loss', 'mse', 'val_loss', 'val_mse'}
    assert all(isinstance(v, float) for v in h.history['loss'])
    assert h.params['samples'] == 8 and h.params['batchSize'] == 4
    assert h.params['metrics'] == ['loss', 'mse', 'val_loss', 'val_mse']
    assert model.history is h


def test_accuracy_metric_is_logged_as_acc():
    model = make_model(units=3, activation='softmax', loss='categoricalCrossentropy',
                       metrics=['accuracy'])
    xs = tf.randomNormal([6, 2])
    ys = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32'), 3).toFloat()
    h = model.fit(xs, ys, {'epochs': 1, 'verbose': 0})
    assert set(h.history) == {'loss', 'acc'}
    loss, acc = model.evaluate(xs, ys)
    assert loss.rank == 0 and 0 <= acc.arraySync() <= 1


def test_callbacks_hooks_and_early_stopping():
    model = make_model()
    xs, ys = data()
    seen = []
    hooks = {'onTrainBegin': lambda logs: seen.append('train'),
             'onEpochEnd': lambda epoch, logs: seen.append(('epoch', epoch, round(logs['loss'], 6))),
             'onBatchEnd': lambda batch, logs: seen.append(('batch', logs['size']))}
    model.fit(xs, ys, {'epochs': 2, 'batchSize': 6, 'verbose': 0, 'callbacks': hooks})
    assert seen[0] == 'train'
    assert [s for s in seen if s[0] == 'batch'] == [('batch', 6), ('batch', 4)] * 2
    stopper = tf.callbacks.earlyStopping({'monitor': 'loss', 'patience': 0, 'minDelta': 1e9})
    h = model.fit(xs, ys, {'epochs': 10, 'verbose': 0, 'callbacks': [stopper]})
    assert len(h.epoch) == 2     # the first epoch always improves on +Infinity, as in TF.js


def test_async_callbacks_are_awaited():
    model = make_model()
    xs, ys = data()
    seen = []

    async def on_epoch_end(epoch, logs):
        await asyncio.sleep(0)
        seen.append(epoch)

    model.fit(xs, ys, {'epochs': 3, 'verbose': 0, 'callbacks': {'onEpochEnd': on_epoch_end}})
    assert seen == [0, 1, 2]


def test_await_fit_and_concurrent_fit_is_rejected():
    model = make_model()
    xs, ys = data()

    async def main():
        first = model.fit(xs, ys, {'epochs': 20, 'verbose': 0, 'yieldEvery': 'batch'})
        await asyncio.sleep(0)
        with pytest.raises(RuntimeError, match='another fit'):
            await model.fit(xs, ys, {'epochs': 1, 'verbose': 0})
        return await first

    h = asyncio.run(main())
    assert len(h.epoch) == 20


def test_on_yield_with_never_is_an_error():
    model = make_model()
    xs, ys = data()
    with pytest.raises(ValueError, match='yieldEvery'):
        model.fit(xs, ys, {'verbose': 0, 'yieldEvery': 'never',
                           'callbacks': {'onYield': lambda e, b, l: None}})


def test_shape_errors_say_expected_and_got():
    model = make_model()
    with pytest.raises(ValueError, match=r'expected .* to have shape \[null,2\] but got array with shape \[3,5\]'):
        model.fit(tf.ones([3, 5]), tf.ones([3, 1]), {'verbose': 0})
    with pytest.raises(ValueError, match=r'\[null,2\]'):
        model.predict(tf.ones([3, 5]))
    with pytest.raises(ValueError, match='same number of samples'):
        model.fit(tf.ones([3, 2]), tf.ones([4, 1]), {'verbose': 0})


def test_compile_errors():
    model = tf.sequential({'layers': [tf.layers.dense({'units': 1, 'inputShape': [1]})]})
    with pytest.raises(RuntimeError, match='compile'):
        model.fit(tf.ones([1, 1]), tf.ones([1, 1]))
    with pytest.raises(ValueError, match='Unknown config key "los"'):
        model.compile({'optimizer': 'sgd', 'los': 'meanSquaredError'})
    with pytest.raises(ValueError):
        model.compile({'optimizer': 'sgdd', 'loss': 'meanSquaredError'})


def test_validation_data_and_evaluate_and_predict_batches():
    model = make_model()
    xs, ys = data(20)
    h = model.fit(xs, ys, {'epochs': 2, 'verbose': 0, 'validationData': [xs, ys]})
    val = model.evaluate(xs, ys, {'batchSize': 7})
    assert h.history['val_loss'][-1] == pytest.approx(float(val.arraySync()), rel=1e-5)
    full = model.predict(xs)
    chunked = model.predict(xs, {'batchSize': 3})
    # different batch sizes may take different BLAS kernels: last-bit differences are fine
    np.testing.assert_allclose(np.asarray(full), np.asarray(chunked), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(np.asarray(model.predictOnBatch(xs)), np.asarray(full), rtol=1e-6,
                               atol=1e-7)


def test_train_on_batch_returns_numbers():
    model = make_model(metrics=['mse'])
    xs, ys = data()
    loss, mse = model.trainOnBatch(xs, ys)
    assert isinstance(loss, float) and isinstance(mse, float)


def test_multi_output_losses_and_names():
    x = tf.input({'shape': [2]})
    a = tf.layers.dense({'units': 1, 'name': 'a'}).apply(x)
    b = tf.layers.dense({'units': 2, 'activation': 'softmax', 'name': 'b'}).apply(x)
    model = tf.model({'inputs': x, 'outputs': [a, b]})
    model.compile({'optimizer': 'adam', 'loss': ['meanSquaredError', 'categoricalCrossentropy'],
                   'metrics': ['accuracy']})
    assert model.metricsNames == ['loss', 'a_loss', 'b_loss', 'a_acc', 'b_acc']
    xs = tf.randomNormal([4, 2])
    h = model.fit(xs, [tf.ones([4, 1]), tf.tensor2d([[1, 0], [0, 1], [1, 0], [0, 1]])],
                  {'epochs': 1, 'verbose': 0})
    assert set(h.history) == {'loss', 'a_loss', 'b_loss', 'a_acc', 'b_acc'}
    loss = h.history['loss'][0]
    assert abs(loss - h.history['a_loss'][0] - h.history['b_loss'][0]) < 1e-5


def test_verbose_1_prints_progress(capsys):
    model = make_model()
    xs, ys = data()
    model.fit(xs, ys, {'epochs': 2})
    out = capsys.readouterr().out
    assert 'Epoch 1 / 2' in out and 'Epoch 2 / 2' in out and 'loss=' in out


def test_class_weight_changes_the_loss():
    model = make_model(units=2, activation='softmax', loss='categoricalCrossentropy')
    xs = tf.randomNormal([4, 2])
    ys = tf.tensor2d([[1, 0], [0, 1], [1, 0], [0, 1]])
    w = model.getWeights()
    plain = model.evaluate(xs, ys).arraySync()
    h = model.fit(xs, ys, {'epochs': 1, 'verbose': 0, 'shuffle': False,
                           'classWeight': {0: 2, 1: 0}})
    assert h.history['loss'][0] != pytest.approx(plain)
    del w


def test_training_updates_only_trainable_weights():
    model = make_model()
    model.layers[0].trainable = False
    model.compile({'optimizer': 'sgd', 'loss': 'meanSquaredError'})
    before = [[np.asarray(w) for w in layer.getWeights()] for layer in model.layers]
    xs, ys = data()
    model.fit(xs, ys, {'epochs': 2, 'verbose': 0})
    after = [[np.asarray(w) for w in layer.getWeights()] for layer in model.layers]
    assert all(np.array_equal(a, b) for a, b in zip(before[0], after[0]))
    assert not np.array_equal(before[1][0], after[1][0])


def test_fit_reads_no_value_per_batch_without_batch_callbacks(monkeypatch):
    import torch
    model = make_model(metrics=['mse'])
    xs, ys = data(40)
    reads = []
    for name in ('item', '__float__', 'tolist'):
        original = getattr(torch.Tensor, name)

        def counting(self, *a, _original=original, **k):
            reads.append(1)
            return _original(self, *a, **k)
        monkeypatch.setattr(torch.Tensor, name, counting)
    model.fit(xs, ys, {'epochs': 3, 'batchSize': 4, 'verbose': 0})   # 10 batches per epoch
    # only the History's end-of-training sync: 2 logs x 3 epochs
    assert len(reads) <= 6, len(reads)
