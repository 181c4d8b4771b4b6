"""tf.data sources: generator, func, zip, webcam / microphone."""
import asyncio
import math

import pytest

import tfjs as tf


def test_generator_sync_called_afresh_per_iterator():
    calls = []

    def gen():
        calls.append(1)
        for i in range(3):
            yield {'x': i}
    ds = tf.data.generator(gen)
    assert ds.size is None
    assert calls == []                       # lazy
    assert ds.toArray() == [{'x': 0}, {'x': 1}, {'x': 2}]
    assert ds.toArray() == [{'x': 0}, {'x': 1}, {'x': 2}]
    assert len(calls) == 2


def test_generator_accepts_iterables_iterators_and_js_style_objects():
    assert tf.data.generator(lambda: [1, 2]).toArray() == [1, 2]
    assert tf.data.generator(lambda: iter(range(2))).toArray() == [0, 1]

    class JsIterator:
        def __init__(self):
            self.i = 0

        def next(self):
            self.i += 1
            return {'value': self.i, 'done': self.i > 2}
    assert tf.data.generator(JsIterator).toArray() == [1, 2]


def test_generator_async():
    async def agen():
        for i in range(3):
            await asyncio.sleep(0)
            yield i * i
    ds = tf.data.generator(agen)
    assert ds.toArray() == [0, 1, 4]               # sync code drives the async generator
    assert list(ds) == [0, 1, 4]

    async def main():
        return await ds.toArray(), [x async for x in ds]
    assert asyncio.run(main()) == ([0, 1, 4], [0, 1, 4])


def test_generator_async_factory():
    async def factory():
        await asyncio.sleep(0)
        return iter(['a', 'b'])
    assert tf.data.generator(factory).toArray() == ['a', 'b']


def test_generator_errors():
    with pytest.raises(ValueError, match='function itself'):
        tf.data.generator(iter([1, 2]))

    def bad():
        yield 1
        raise RuntimeError('boom')
    with pytest.raises(RuntimeError, match='boom'):
        tf.data.generator(bad).toArray()
    with pytest.raises(ValueError, match='returned 5'):
        tf.data.generator(lambda: 5).toArray()


def test_generator_tensors_and_batching():
    def gen():
        for i in range(5):
            yield {'xs': tf.tensor1d([i, i]), 'ys': tf.scalar(i)}
    batches = tf.data.generator(gen).batch(2).toArray()
    assert [b['xs'].shape for b in batches] == [[2, 2], [2, 2], [1, 2]]
    assert batches[2]['ys'].arraySync() == [4]


def test_func_shared_stream():
    state = {'i': 0}

    def f():
        state['i'] += 1
        return {'value': state['i'], 'done': state['i'] > 5}
    ds = tf.data.func(f)
    assert ds.size is None
    assert ds.take(2).toArray() == [1, 2]
    assert ds.take(2).toArray() == [3, 4]      # one shared iterator, as in TF.js
    assert ds.toArray() == [5]


def test_func_async():
    state = {'i': 0}

    async def f():
        await asyncio.sleep(0)
        state['i'] += 1
        return {'value': state['i'], 'done': state['i'] > 3}
    assert tf.data.func(f).toArray() == [1, 2, 3]


def test_func_errors():
    with pytest.raises(ValueError, match='value'):
        tf.data.func(lambda: 3).toArray()
    with pytest.raises(ValueError, match='function'):
        tf.data.func(5)


def test_zip_list_tuple_dict_nested():
    a = tf.data.array([1, 2, 3])
    b = tf.data.array(['x', 'y'])
    assert tf.data.zip([a, b]).toArray() == [[1, 'x'], [2, 'y']]
    assert tf.data.zip((a, b)).toArray() == [(1, 'x'), (2, 'y')]
    nested = tf.data.zip({'p': a, 'q': [a, {'r': b}]})
    assert nested.toArray() == [{'p': 1, 'q': [1, {'r': 'x'}]}, {'p': 2, 'q': [2, {'r': 'y'}]}]


def test_zip_sizes():
    a = tf.data.array([1, 2, 3])
    assert tf.data.zip([a, tf.data.array([1])]).size == 1
    assert tf.data.zip({'a': a, 'b': {'c': a.repeat()}}).size == 3
    assert tf.data.zip([a, tf.data.generator(lambda: iter([1]))]).size is None
    assert tf.data.zip([a.repeat(), a.repeat()]).size == math.inf
    assert tf.data.zip([a.repeat(), a]).toArray() == [[1, 1], [2, 2], [3, 3]]


def test_zip_errors():
    with pytest.raises(ValueError, match='object or array'):
        tf.data.zip(tf.data.array([1]))
    with pytest.raises(ValueError, match='must be Datasets'):
        tf.data.zip([tf.data.array([1]), 5])


def test_zip_fresh_iterators_each_time():
    z = tf.data.zip({'xs': tf.data.array([1, 2]), 'ys': tf.data.array([3, 4])})
    assert z.toArray() == z.toArray()


def test_zip_disposes_leftovers_at_the_end():
    before = tf.memory()['numTensors']
    a = tf.data.array([0, 1, 2]).map(lambda x: tf.scalar(x))
    b = tf.data.array([0])
    out = tf.data.zip([a, b]).toArray()
    assert len(out) == 1
    tf.dispose(out)
    assert tf.memory()['numTensors'] == before


def test_browser_only_sources():
    with pytest.raises(NotImplementedError, match='browser-only'):
        tf.data.webcam()
    with pytest.raises(NotImplementedError, match='browser-only'):
        tf.data.microphone({'fftSize': 1024})


def test_namespace():
    for name in ('array', 'zip', 'generator', 'func', 'csv', 'webcam', 'microphone', 'Dataset',
                 'CSVDataset', 'TextLineDataset', 'FileDataSource', 'URLDataSource'):
        assert hasattr(tf.data, name), name
    assert tf.data.Dataset.MAX_BUFFER_SIZE == 10000
    assert tf.data.dataset_from_iterator_fn is tf.data.datasetFromIteratorFn
