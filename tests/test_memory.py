"""tidy / keep / dispose / memory with TF.js semantics."""
import gc

import pytest

import tfjs as tf
from tfjs.errors import DisposedError


def count():
    return tf.memory()['numTensors']


def test_tidy_disposes_intermediates_and_keeps_result():
    before = count()
    kept = []

    def f():
        a = tf.ones([2])
        b = a.add(1)
        kept.append(tf.keep(b.mul(2)))
        return b.square()

    y = tf.tidy(f)
    assert count() - before == 2
    assert y.arraySync() == [4, 4]
    assert kept[0].arraySync() == [4, 4]


def test_disposed_tensor_raises_with_a_hint():
    t = tf.ones([2])
    t.dispose()
    assert t.isDisposed
    with pytest.raises(DisposedError, match='disposed'):
        t.add(1)
    inner = []
    tf.tidy(lambda: inner.append(tf.ones([1])))
    with pytest.raises(DisposedError, match='tf.keep'):
        inner[0].dataSync()


def test_dispose_containers_and_context_manager():
    before = count()
    ts = {'a': tf.ones([1]), 'b': [tf.ones([1]), tf.ones([1])]}
    tf.dispose(ts)
    assert count() == before
    with tf.tidy():
        tf.ones([3])
    assert count() == before


def test_num_tensors_flat_across_fit_epochs_and_predict():
    gc.collect()      # tensors other tests left in reference cycles must not be freed mid-fit
    model = tf.sequential()
    model.add(tf.layers.dense({'units': 4, 'inputShape': [3], 'activation': 'relu'}))
    model.add(tf.layers.batchNormalization())
    model.add(tf.layers.dropout({'rate': 0.5}))
    model.add(tf.layers.dense({'units': 1}))
    model.compile({'optimizer': 'adam', 'loss': 'meanSquaredError', 'metrics': ['mse']})
    xs, ys = tf.randomNormal([16, 3]), tf.randomNormal([16, 1])
    counts = []
    model.fit(xs, ys, {'epochs': 50, 'batchSize': 4, 'verbose': 0,
                       'callbacks': {'onEpochEnd': lambda e, logs: counts.append(count())}})
    assert len(set(counts[1:])) == 1, counts
    before = count()
    for _ in range(5):
        model.predict(xs).dispose()
    assert count() == before


def test_model_dispose_frees_weights():
    before = count()
    model = tf.sequential({'layers': [tf.layers.dense({'units': 2, 'inputShape': [2]})]})
    assert count() - before == 2
    assert model.dispose()['numDisposedVariables'] == 2
    assert count() == before
