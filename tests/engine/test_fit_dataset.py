"""model.fitDataset / model.evaluateDataset (TF.js's training_dataset.ts)."""
import asyncio
import gc
import math

import numpy as np
import pytest

import tfjs as tf


def make_model(metrics=None, units=1, input_dim=1, seed_ones=True):
    model = tf.sequential()
    model.add(tf.layers.dense({'units': units, 'inputShape': [input_dim],
                               'kernelInitializer': 'ones' if seed_ones else 'glorotUniform',
                               'biasInitializer': 'zeros'}))
    config = {'optimizer': tf.train.sgd(0.01), 'loss': 'meanSquaredError'}
    if metrics:
        config['metrics'] = metrics
    model.compile(config)
    return model


def xy_dataset(n=8, batch=4):
    xs = [[float(i)] for i in range(n)]
    ys = [[2.0 * i + 1] for i in range(n)]
    return tf.data.zip({'xs': tf.data.array(xs), 'ys': tf.data.array(ys)}).batch(batch)


def test_fit_dataset_trains_and_returns_history():
    model = make_model(['mse'])
    ds = xy_dataset()
    history = model.fitDataset(ds, {'epochs': 5, 'verbose': 0})
    assert history.epoch == [0, 1, 2, 3, 4]
    assert set(history.history) == {'loss', 'mse'}
    losses = history.history['loss']
    assert all(isinstance(v, float) for v in losses)
    assert losses[-1] < losses[0]
    assert getattr(model, 'model', model).history is history   # Sequential: its inner model
    assert history.params['steps'] == 2 and history.params['samples'] is None
    assert history.params['batchSize'] is None
    assert history.params['metrics'] == ['loss', 'mse']


def test_matches_fit_on_the_same_batches():
    """No shuffling, same batches: fitDataset and fit give the same weights and losses."""
    xs = np.arange(8, dtype=np.float32).reshape(8, 1)
    ys = 2 * xs + 1
    m1, m2 = make_model(), make_model()
    h1 = m1.fit(tf.tensor2d(xs), tf.tensor2d(ys), {'epochs': 3, 'batchSize': 4, 'shuffle': False,
                                                   'verbose': 0})
    ds = tf.data.zip({'xs': tf.data.array(xs.tolist()), 'ys': tf.data.array(ys.tolist())}).batch(4)
    h2 = m2.fitDataset(ds, {'epochs': 3, 'verbose': 0})
    np.testing.assert_allclose(h1.history['loss'], h2.history['loss'], rtol=1e-6)
    for a, b in zip(m1.getWeights(), m2.getWeights()):
        np.testing.assert_allclose(a.arraySync(), b.arraySync(), rtol=1e-6)


def test_new_iterator_per_epoch_without_batches_per_epoch():
    calls = []

    def gen():
        calls.append(1)
        for i in range(3):
            yield {'xs': tf.tensor2d([[float(i)]]), 'ys': tf.tensor2d([[1.0]])}
    model = make_model()
    batches = []
    model.fitDataset(tf.data.generator(gen), {
        'epochs': 3, 'verbose': 0,
        'callbacks': {'onBatchEnd': lambda b, logs: batches.append(b)}})
    assert len(calls) == 3
    assert batches == [0, 1, 2] * 3


def test_batches_per_epoch_uses_one_iterator():
    calls = []

    def gen():
        calls.append(1)
        for i in range(100):
            yield {'xs': tf.tensor2d([[float(i)]]), 'ys': tf.tensor2d([[1.0]])}
    model = make_model()
    sizes = []
    h = model.fitDataset(tf.data.generator(gen), {
        'epochs': 4, 'batchesPerEpoch': 5, 'verbose': 0,
        'callbacks': {'onEpochEnd': lambda e, logs: sizes.append(e)}})
    assert len(calls) == 1
    assert sizes == [0, 1, 2, 3]
    assert h.params['steps'] == 5


def test_batches_per_epoch_running_dry_warns_and_stops(capsys):
    model = make_model()
    ds = xy_dataset(8, 4)           # only 2 batches in total
    h = model.fitDataset(ds, {'epochs': 5, 'batchesPerEpoch': 3, 'verbose': 0})
    err = capsys.readouterr().err
    assert 'ran out of data after 2 batches' in err and 'repeat()' in err
    assert err.count('ran out of data') == 1
    assert h.epoch == [0]
    assert not model.isTraining


def test_batches_per_epoch_with_repeat_and_infinite_size():
    model = make_model()
    ds = xy_dataset(8, 4).repeat()
    assert ds.size == math.inf
    h = model.fitDataset(ds, {'epochs': 3, 'batchesPerEpoch': 3, 'verbose': 0})
    assert h.epoch == [0, 1, 2] and h.params['steps'] == 3


def test_validation_from_dataset():
    model = make_model(['mse'])
    val = xy_dataset(6, 2)
    h = model.fitDataset(xy_dataset(), {'epochs': 2, 'verbose': 0, 'validationData': val})
    assert set(h.history) == {'loss', 'mse', 'val_loss', 'val_mse'}
    assert h.params['metrics'] == ['loss', 'mse', 'val_loss', 'val_mse']
    # the logged validation loss is evaluateDataset's on the weights at the epoch's end
    expected = model.evaluateDataset(val)[0].arraySync()
    np.testing.assert_allclose(h.history['val_loss'][-1], expected, rtol=1e-5)


def test_validation_batches_limits_the_validation_dataset():
    model = make_model()
    seen = []
    val = xy_dataset(8, 2).map(lambda e: seen.append(1) or e)
    model.fitDataset(xy_dataset(), {'epochs': 2, 'verbose': 0, 'validationData': val,
                                    'validationBatches': 1})
    assert len(seen) == 2          # one batch per epoch
    with pytest.raises(ValueError, match='validationBatches'):
        model.fitDataset(xy_dataset(), {'epochs': 1, 'verbose': 0, 'validationData': val,
                                        'validationBatches': 0})


def test_validation_from_tensors():
    model = make_model()
    vx = tf.tensor2d([[1.0], [2.0], [3.0]])
    vy = tf.tensor2d([[3.0], [5.0], [7.0]])
    h = model.fitDataset(xy_dataset(), {'epochs': 2, 'verbose': 0, 'validationData': [vx, vy],
                                        'validationBatchSize': 2})
    expected = model.evaluate(vx, vy).arraySync()
    np.testing.assert_allclose(h.history['val_loss'][-1], expected, rtol=1e-5)
    with pytest.raises(NotImplementedError, match='sample weights'):
        model.fitDataset(xy_dataset(), {'epochs': 1, 'verbose': 0,
                                        'validationData': [vx, vy, vy]})


def test_callbacks_receive_logs():
    model = make_model(['mse'])
    events = []
    callbacks = {
        'onTrainBegin': lambda logs: events.append(('trainBegin', logs)),
        'onEpochBegin': lambda e, logs: events.append(('epochBegin', e)),
        'onBatchBegin': lambda b, logs: events.append(('batchBegin', b, dict(logs))),
        'onBatchEnd': lambda b, logs: events.append(('batchEnd', b, dict(logs))),
        'onEpochEnd': lambda e, logs: events.append(('epochEnd', e, dict(logs))),
        'onTrainEnd': lambda logs: events.append(('trainEnd',)),
    }
    model.fitDataset(xy_dataset(6, 4), {'epochs': 2, 'verbose': 0, 'callbacks': callbacks,
                                        'validationData': xy_dataset(2, 2)})
    kinds = [e[0] for e in events]
    assert kinds == ['trainBegin', 'epochBegin', 'batchBegin', 'batchEnd', 'batchBegin',
                     'batchEnd', 'epochEnd', 'epochBegin', 'batchBegin', 'batchEnd',
                     'batchBegin', 'batchEnd', 'epochEnd', 'trainEnd']
    batch_end = events[3]
    assert batch_end[2]['batch'] == 0 and batch_end[2]['size'] == 4
    assert isinstance(batch_end[2]['loss'], float) and isinstance(batch_end[2]['mse'], float)
    assert events[5][2]['size'] == 2
    epoch_end = events[6][2]
    assert set(epoch_end) == {'loss', 'mse', 'val_loss', 'val_mse'}
    assert all(isinstance(v, float) for v in epoch_end.values())
    # the epoch loss is the batch-size-weighted mean of the batch losses
    expected = (4 * events[3][2]['loss'] + 2 * events[5][2]['loss']) / 6
    assert epoch_end['loss'] == pytest.approx(expected, rel=1e-6)


def test_async_callbacks_and_stop_training():
    model = make_model()

    async def on_batch_end(batch, logs):
        await asyncio.sleep(0)
        if batch == 1:
            model.stopTraining = True
    h = model.fitDataset(xy_dataset(16, 2), {'epochs': 5, 'verbose': 0,
                                             'callbacks': {'onBatchEnd': on_batch_end}})
    assert h.epoch == [0]


def test_early_stopping_callback():
    model = make_model()
    model.compile({'optimizer': tf.train.sgd(0.0), 'loss': 'meanSquaredError'})  # no progress
    stop = tf.callbacks.earlyStopping({'monitor': 'loss', 'patience': 1})
    h = model.fitDataset(xy_dataset(), {'epochs': 10, 'verbose': 0, 'callbacks': [stop]})
    assert h.epoch == [0, 1]


def test_await_fit_dataset_in_asyncio_run():
    model = make_model()

    async def main():
        ticks = []

        async def ticker():
            while True:
                ticks.append(1)
                await asyncio.sleep(0)
        task = asyncio.ensure_future(ticker())
        history = await model.fitDataset(xy_dataset().prefetch(2), {
            'epochs': 3, 'verbose': 0, 'yieldEvery': 'batch'})
        result = await model.evaluateDataset(xy_dataset())
        task.cancel()
        return history, result, len(ticks)

    history, result, ticks = asyncio.run(main())
    assert history.epoch == [0, 1, 2]
    assert result.shape == [] and math.isfinite(result.arraySync())
    assert ticks > 0


def test_concurrent_fit_is_rejected():
    model = make_model()

    async def main():
        first = model.fitDataset(xy_dataset().repeat(), {'epochs': 2, 'batchesPerEpoch': 50,
                                                         'verbose': 0, 'yieldEvery': 'batch'})
        await asyncio.sleep(0)
        with pytest.raises(RuntimeError, match='another fit'):
            await model.fitDataset(xy_dataset(), {'epochs': 1, 'verbose': 0})
        return await first
    h = asyncio.run(main())
    assert h.epoch == [0, 1]
    assert not model.isTraining


def test_memory_is_flat_across_50_epochs():
    model = make_model(['mse'])
    ds = xy_dataset(8, 4)
    val = xy_dataset(4, 2)
    model.fitDataset(ds, {'epochs': 2, 'verbose': 0, 'validationData': val})
    gc.collect()
    before = tf.memory()['numTensors']
    model.fitDataset(ds, {'epochs': 50, 'verbose': 0, 'validationData': val})
    gc.collect()
    assert tf.memory()['numTensors'] == before


def test_memory_flat_with_map_shuffle_prefetch_pipeline():
    model = make_model()
    ds = tf.data.array(list(range(16))).map(
        lambda i: {'xs': tf.tensor1d([float(i)]), 'ys': tf.tensor1d([2.0 * i])}) \
        .shuffle(8, 'mem').batch(4).prefetch(2)
    model.fitDataset(ds, {'epochs': 1, 'verbose': 0})
    gc.collect()
    before = tf.memory()['numTensors']
    model.fitDataset(ds, {'epochs': 20, 'verbose': 0})
    gc.collect()
    assert tf.memory()['numTensors'] == before


def test_element_formats_list_and_dict_and_multi_io():
    a = tf.input({'shape': [2], 'name': 'a'})
    b = tf.input({'shape': [3], 'name': 'b'})
    merged = tf.layers.concatenate().apply([a, b]) if hasattr(tf.layers, 'concatenate') else None
    if merged is None:
        pytest.skip('tf.layers.concatenate not available yet')
    out1 = tf.layers.dense({'units': 1, 'name': 'out1'}).apply(merged)
    out2 = tf.layers.dense({'units': 2, 'name': 'out2'}).apply(merged)
    model = tf.model({'inputs': [a, b], 'outputs': [out1, out2]})
    model.compile({'optimizer': 'sgd', 'loss': 'meanSquaredError'})
    n = 6

    def elements(kind):
        for i in range(n):
            x = {'a': [float(i), 1.0], 'b': [1.0, 2.0, float(i)]}
            y = {'out1': [float(i)], 'out2': [1.0, 0.0]}
            if kind == 'tuple':      # tuples batch position by position (lists of numbers
                x, y = (x['a'], x['b']), (y['out1'], y['out2'])   # would become one tensor)
            yield {'xs': x, 'ys': y}
    for kind in ('dict', 'tuple'):
        ds = tf.data.generator(lambda kind=kind: elements(kind)).batch(3)
        h = model.fitDataset(ds, {'epochs': 2, 'verbose': 0})
        assert set(h.history) == {'loss', 'out1_loss', 'out2_loss'}
        values = model.evaluateDataset(ds)
        assert len(values) == 3


def test_element_errors():
    model = make_model()
    with pytest.raises(ValueError, match=r'\{xs: xVal, ys: yVal\}'):
        model.fitDataset(tf.data.array([1, 2]).batch(2), {'epochs': 1, 'verbose': 0})
    bad_key = tf.data.array([{'xs': {'nope': [1.0]}, 'ys': [1.0]}]).batch(1)
    with pytest.raises(ValueError, match="lacks the required input key"):
        model.fitDataset(bad_key, {'epochs': 1, 'verbose': 0})
    mismatch = tf.data.array([{'xs': tf.zeros([2, 1]), 'ys': tf.zeros([3, 1])}])
    with pytest.raises(ValueError, match='Batch size mismatch'):
        model.fitDataset(mismatch, {'epochs': 1, 'verbose': 0})
    wrong_shape = tf.data.array([{'xs': tf.zeros([2, 3]), 'ys': tf.zeros([2, 1])}])
    with pytest.raises(ValueError, match='expected'):
        model.fitDataset(wrong_shape, {'epochs': 1, 'verbose': 0})
    assert not model.isTraining


def test_reused_tensor_gives_clear_error():
    model = make_model()
    x, y = tf.zeros([2, 1]), tf.zeros([2, 1])
    ds = tf.data.generator(lambda: ({'xs': x, 'ys': y} for _ in range(2)))
    with pytest.raises(ValueError, match='already disposed'):
        model.fitDataset(ds, {'epochs': 1, 'verbose': 0})


def test_arg_validation():
    model = make_model()
    ds = xy_dataset()
    with pytest.raises(ValueError, match='epochs is expected to be a positive integer'):
        model.fitDataset(ds, {'verbose': 0})
    with pytest.raises(ValueError, match='epochs is expected to be a positive integer'):
        model.fitDataset(ds, {'epochs': 1.5})
    with pytest.raises(ValueError, match='batchesPerEpoch is expected'):
        model.fitDataset(ds, {'epochs': 1, 'batchesPerEpoch': 0})
    with pytest.raises(ValueError, match='validationSplit` is not supported'):
        model.fitDataset(ds, {'epochs': 1, 'validationSplit': 0.2})
    with pytest.raises(ValueError, match='Unknown config key "batchSize"'):
        model.fitDataset(ds, {'epochs': 1, 'batchSize': 2})
    with pytest.raises(ValueError, match='tf.data.Dataset'):
        model.fitDataset([1, 2], {'epochs': 1})
    uncompiled = tf.sequential({'layers': [tf.layers.dense({'units': 1, 'inputShape': [1]})]})
    with pytest.raises(Exception, match='compile'):
        uncompiled.fitDataset(ds, {'epochs': 1})
    assert not model.isTraining


def test_keyword_arguments_and_snake_case():
    model = make_model()
    h = model.fit_dataset(xy_dataset(), epochs=2, verbose=0, batches_per_epoch=1)
    assert h.epoch == [0, 1]


def test_initial_epoch():
    model = make_model()
    h = model.fitDataset(xy_dataset(), {'epochs': 4, 'initialEpoch': 2, 'verbose': 0})
    assert h.epoch == [2, 3]


def test_class_weight():
    model = make_model()
    ds = tf.data.array([{'xs': [1.0], 'ys': [1.0]}, {'xs': [2.0], 'ys': [0.0]}]).batch(2)
    h = model.fitDataset(ds, {'epochs': 1, 'verbose': 0, 'classWeight': {0: 1.0, 1: 0.0}})
    assert len(h.history['loss']) == 1


def test_evaluate_dataset():
    model = make_model(['mse', 'mae'])
    ds = xy_dataset(6, 4)                  # batches of 4 and 2
    loss, mse, mae = model.evaluateDataset(ds)
    xs = tf.tensor2d([[float(i)] for i in range(6)])
    ys = tf.tensor2d([[2.0 * i + 1] for i in range(6)])
    expected = model.evaluate(xs, ys, {'batchSize': 4})
    for got, want in zip((loss, mse, mae), expected):
        assert got.shape == []
        np.testing.assert_allclose(got.arraySync(), want.arraySync(), rtol=1e-6)
    single = make_model().evaluateDataset(ds)
    assert not isinstance(single, list) and single.shape == []


def test_evaluate_dataset_batches_and_warning(capsys):
    model = make_model()
    ds = xy_dataset(8, 2)
    first = model.evaluateDataset(ds, {'batches': 1}).arraySync()
    expected = model.evaluateDataset(ds.take(1)).arraySync()
    assert first == pytest.approx(expected)
    model.evaluateDataset(ds, {'batches': 10})
    assert 'ran out of data during evaluateDataset' in capsys.readouterr().err
    with pytest.raises(NotImplementedError, match='Verbose'):
        model.evaluateDataset(ds, {'verbose': 1})
    with pytest.raises(ValueError, match='positive integer'):
        model.evaluateDataset(ds, {'batches': 0})


def test_evaluate_dataset_memory_flat():
    model = make_model()
    ds = xy_dataset(8, 2)
    tf.dispose(model.evaluateDataset(ds))
    gc.collect()
    before = tf.memory()['numTensors']
    for _ in range(5):
        tf.dispose(model.evaluateDataset(ds))
    gc.collect()
    assert tf.memory()['numTensors'] == before
