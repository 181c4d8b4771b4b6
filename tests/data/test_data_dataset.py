"""tf.data.Dataset: sources, lazy methods, sizes, consumers and memory behaviour."""
import asyncio
import math

import numpy as np
import pytest

import tfjs as tf
from tfjs._async import Promise


def arr(n):
    return tf.data.array(list(range(n)))


# ---------------------------------------------------------------------------- array / consumers

def test_array_elements_and_size():
    ds = tf.data.array([1, 'a', [1, 2], {'k': 3}])
    assert ds.size == 4
    assert ds.toArray() == [1, 'a', [1, 2], {'k': 3}]
    # re-iterable: every consumer starts afresh
    assert ds.toArray() == ds.toArray()


def test_array_rejects_non_list():
    with pytest.raises(ValueError, match='list of elements'):
        tf.data.array(5)


def test_array_elements_are_deep_copies():
    src = [{'a': [1, 2]}]
    ds = tf.data.array(src)
    first = ds.toArray()[0]
    first['a'].append(3)
    assert src == [{'a': [1, 2]}]
    assert ds.toArray() == [{'a': [1, 2]}]


def test_array_of_tensors_gives_fresh_handles():
    t = tf.tensor1d([1, 2])
    ds = tf.data.array([t])
    a = ds.toArray()[0]
    assert a is not t and a.arraySync() == [1.0, 2.0]
    a.dispose()                       # consumers may dispose what they get
    assert not t.isDisposed
    assert ds.toArray()[0].arraySync() == [1.0, 2.0]


def test_iterator_next_protocol():
    it = tf.data.array([1, 2]).iterator()
    assert it.next() == {'value': 1, 'done': False}
    assert it.next() == {'value': 2, 'done': False}
    assert it.next() == {'value': None, 'done': True}
    assert it.next() == {'value': None, 'done': True}


def test_python_iteration_and_break():
    ds = arr(5)
    assert list(ds) == [0, 1, 2, 3, 4]
    out = []
    for x in ds:
        out.append(x)
        if x == 1:
            break
    assert out == [0, 1]
    assert list(ds.iterator()) == [0, 1, 2, 3, 4]


def test_for_each_async_sync_and_async_callbacks():
    seen = []
    assert tf.data.array([1, 2, 3]).forEachAsync(seen.append) is None
    assert seen == [1, 2, 3]

    async def record(x):
        await asyncio.sleep(0)
        seen.append(-x)
    tf.data.array([1, 2]).forEachAsync(record)
    assert seen[-2:] == [-1, -2]


def test_for_each_async_disposes_element_tensors():
    before = tf.memory()['numTensors']
    ds = tf.data.array([0, 1, 2]).map(lambda x: tf.scalar(x))
    ds.forEachAsync(lambda t: None)
    assert tf.memory()['numTensors'] == before


def test_async_methods_return_promises_in_event_loop():
    ds = tf.data.array([1, 2, 3])

    async def main():
        p = ds.toArray()
        assert isinstance(p, Promise)
        values = await p
        it = await ds.iterator()
        first = it.next()
        second = it.next()          # not awaited in between: runs after the first
        assert isinstance(first, Promise)
        results = [await first, await second]
        seen = []
        await ds.forEachAsync(seen.append)
        return values, results, seen

    values, results, seen = asyncio.run(main())
    assert values == [1, 2, 3]
    assert results == [{'value': 1, 'done': False}, {'value': 2, 'done': False}]
    assert seen == [1, 2, 3]


def test_async_for():
    async def main():
        out = [x async for x in tf.data.array([1, 2, 3]).map(lambda x: x + 1)]
        it = await tf.data.array([4, 5]).iterator()
        out += [x async for x in it]
        return out
    assert asyncio.run(main()) == [2, 3, 4, 4, 5]


def test_snake_case_twins():
    ds = tf.data.array([1, 2])
    assert ds.to_array() == [1, 2]
    assert ds.map_async(lambda x: x).to_array() == [1, 2]
    seen = []
    ds.for_each_async(seen.append)
    assert seen == [1, 2]


# ---------------------------------------------------------------------------- methods and sizes

def test_take_skip():
    assert arr(5).take(2).toArray() == [0, 1]
    assert arr(5).skip(3).toArray() == [3, 4]
    assert arr(5).take(2).size == 2 and arr(5).take(10).size == 5
    assert arr(5).skip(3).size == 2 and arr(5).skip(10).size == 0
    assert arr(3).take(0).toArray() == [] and arr(3).take(0).size == 0
    assert arr(3).take(-1).toArray() == [0, 1, 2] and arr(3).take(-1).size == 3
    assert arr(3).skip(-1).toArray() == [0, 1, 2] and arr(3).skip(-1).size == 3
    assert arr(3).skip(5).toArray() == []


def test_repeat():
    assert arr(2).repeat(3).toArray() == [0, 1, 0, 1, 0, 1]
    assert arr(2).repeat(3).size == 6
    assert arr(2).repeat().size == math.inf
    assert arr(2).repeat(-1).size == math.inf
    assert arr(2).repeat(0).size == 0 and arr(2).repeat(0).toArray() == []
    assert arr(2).repeat().take(5).toArray() == [0, 1, 0, 1, 0]
    assert arr(2).repeat().take(5).size == 5


def test_repeat_iterates_the_source_afresh():
    calls = []

    def gen():
        calls.append(1)
        yield from range(2)
    ds = tf.data.generator(gen).repeat(3)
    assert ds.size is None
    assert ds.toArray() == [0, 1, 0, 1, 0, 1]
    assert len(calls) == 3


def test_infinite_repeat_of_empty_dataset_ends():
    assert tf.data.array([]).repeat().toArray() == []
    assert tf.data.generator(lambda: iter([])).repeat().toArray() == []


def test_concatenate():
    ds = arr(2).concatenate(tf.data.array([7, 8, 9]))
    assert ds.toArray() == [0, 1, 7, 8, 9] and ds.size == 5
    assert arr(2).concatenate(arr(1).repeat()).size == math.inf
    assert arr(2).concatenate(tf.data.generator(lambda: iter([1]))).size is None
    assert tf.data.array([]).concatenate(arr(2)).toArray() == [0, 1]
    with pytest.raises(ValueError, match='tf.data.Dataset'):
        arr(2).concatenate([1, 2])


def test_filter():
    ds = arr(6).filter(lambda x: x % 2 == 0)
    assert ds.toArray() == [0, 2, 4]
    assert ds.size is None
    assert arr(2).repeat().filter(lambda x: True).size == math.inf


def test_filter_with_tensor_predicate_and_memory():
    before = tf.memory()['numTensors']
    ds = tf.data.array([1, 2, 3, 4]).map(lambda x: tf.scalar(x))
    kept = ds.filter(lambda t: t.greater(2)).toArray()
    assert [t.arraySync() for t in kept] == [3.0, 4.0]
    # rejected elements and the predicate's tensors are disposed
    assert tf.memory()['numTensors'] == before + 2
    tf.dispose(kept)
    assert tf.memory()['numTensors'] == before


def test_map_runs_in_tidy_and_disposes_unused_inputs():
    before = tf.memory()['numTensors']
    ds = tf.data.array([[1, 2], [3, 4]]).map(lambda x: tf.tensor1d(x).square().add(1))
    out = ds.toArray()
    assert [t.arraySync() for t in out] == [[2.0,5.0], [10.0, 17.0]]
    assert tf.memory()['numTensors'] == before + 2    # only the results survive
    tf.dispose(out)
    # input tensors not returned are disposed; passed-through ones are kept
    t = tf.tensor1d([1, 2])
    before = tf.memory()['numTensors']
    out = tf.data.array([{'a': t, 'b': t}]).map(lambda e: e['a']).toArray()
    assert out[0].arraySync() == [1.0, 2.0]
    assert tf.memory()['numTensors'] == before + 1


def test_map_rejects_async_function():
    async def f(x):
        return x
    with pytest.raises(ValueError, match='mapAsync'):
        arr(2).map(f)


def test_map_async():
    async def slow_double(x):
        await asyncio.sleep(0.001)
        return 2 * x
    ds = arr(3).mapAsync(slow_double)
    assert ds.size == 3
    assert ds.toArray() == [0, 2, 4]
    assert asyncio.run(_collect(ds)) == [0, 2, 4]
    assert arr(2).mapAsync(lambda x: x + 1).toArray() == [1, 2]   # plain functions too


async def _collect(ds):
    return await ds.toArray()


def test_methods_are_lazy():
    calls = []
    ds = tf.data.array([1, 2, 3]).map(lambda x: calls.append(x) or x)
    ds2 = ds.batch(2).take(1)
    assert calls == []
    ds2.toArray()
    assert calls == [1, 2]


def test_to_array_of_infinite_dataset_raises():
    with pytest.raises(ValueError, match='infinite'):
        arr(2).repeat().toArray()


def test_size_propagation_through_map_prefetch_shuffle():
    ds = arr(7)
    for d in (ds.map(lambda x: x), ds.mapAsync(lambda x: x), ds.prefetch(2), ds.shuffle(3)):
        assert d.size == 7


def test_dataset_from_iterator_fn_and_subclass():
    ds = tf.data.datasetFromIteratorFn(lambda: iter([1, 2]), 2)
    assert ds.size == 2 and ds.toArray() == [1, 2]

    async def make():
        async def agen():
            yield 'a'
            yield 'b'
        return agen()
    assert tf.data.datasetFromIteratorFn(make).toArray() == ['a', 'b']

    class Squares(tf.data.Dataset):
        def iterator(self):
            return (i * i for i in range(4))
    sq = Squares()
    assert sq.size is None
    assert sq.map(lambda x: x + 1).toArray() == [1, 2, 5, 10]


def test_numpy_elements():
    ds = tf.data.array([np.array([1, 2], np.int64), np.array([3, 4], np.int64)]).batch(2)
    (b,) = ds.toArray()
    assert b.dtype == 'int32' and b.arraySync() == [[1, 2], [3, 4]]


def test_repr():
    assert 'size=3' in repr(arr(3))


def test_sync_for_loop_inside_a_running_event_loop():
    """A plain `for` over a dataset in async code (or a notebook cell) works, async sources and
    prefetch included."""
    async def agen():
        for i in range(3):
            await asyncio.sleep(0)
            yield i

    async def main():
        a = [x for x in tf.data.generator(agen)]
        b = [x for x in tf.data.array([1, 2, 3]).prefetch(2)]
        c = [x for x in tf.data.generator(agen).prefetch(1).map(lambda x: x + 1)]
        it = await tf.data.generator(agen).iterator()
        d = list(it)
        return a, b, c, d
    assert asyncio.run(main()) == ([0, 1, 2], [1, 2, 3], [1, 2, 3], [0, 1, 2])
