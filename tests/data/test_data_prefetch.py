"""Dataset.prefetch: a background thread reads ahead into a bounded queue."""
import asyncio
import gc
import threading
import time

import pytest

import tfjs as tf
from tfjs.data.prefetch import PrefetchIterator, background_threads_supported

# Reading ahead in a thread needs tidy scopes kept per thread by the tensor engine
# (tfjs/backend/engine.py); otherwise prefetch reads ahead in the consumer's thread.
needs_threads = pytest.mark.skipif(
    not background_threads_supported(),
    reason='the tensor engine shares tidy scopes between threads, so prefetch reads ahead in '
           'the calling thread (see PrefetchIterator)')


def _wait_for(cond, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def test_prefetch_preserves_elements():
    ds = tf.data.array(list(range(20))).prefetch(3)
    assert ds.toArray() == list(range(20))
    assert ds.size == 20
    assert list(ds.batch(8)) is not None


def test_prefetch_requires_buffer_size():
    with pytest.raises(ValueError, match='requires bufferSize'):
        tf.data.array([1]).prefetch(None)
    with pytest.raises(ValueError, match='positive'):
        tf.data.array([1]).prefetch(0)


@needs_threads
def test_runs_ahead_in_a_background_thread():
    produced = []

    def gen():
        for i in range(10):
            produced.append((i, threading.current_thread().name))
            yield i
    it = tf.data.generator(gen).prefetch(4).iterator()
    assert it.next() == {'value': 0, 'done': False}
    # without further requests, the thread fills the buffer: 4 queued + 1 waiting to be put
    assert _wait_for(lambda: len(produced) >= 6)
    time.sleep(0.05)
    assert len(produced) == 6       # bounded by the buffer
    assert all(name == 'tfjs-data-prefetch' for _, name in produced)
    assert [it.next()['value'] for _ in range(9)] == list(range(1, 10))
    assert it.next()['done']
    it.close()


@needs_threads
def test_slow_upstream_overlaps_with_consumer():
    def gen():
        for i in range(5):
            time.sleep(0.05)
            yield i
    ds = tf.data.generator(gen).prefetch(5)
    start = time.perf_counter()
    out = []
    for x in ds:
        time.sleep(0.05)           # consumer work overlaps with production
        out.append(x)
    elapsed = time.perf_counter() - start
    assert out == list(range(5))
    assert elapsed < 0.45          # serial would be >= 0.5 s


def test_upstream_exception_reaches_consumer():
    def gen():
        yield 1
        raise KeyError('broken source')
    it = tf.data.generator(gen).prefetch(2).iterator()
    assert it.next()['value'] == 1
    with pytest.raises(KeyError, match='broken source'):
        it.next()
    assert it.next()['done']


@needs_threads
def test_close_stops_the_thread_and_frees_read_ahead_tensors():
    gc.collect()             # tensors left in reference cycles by earlier tests go first
    before = tf.memory()['numTensors']
    ds = tf.data.array(list(range(100))).map(lambda x: tf.scalar(x)).prefetch(5)
    it = ds.iterator()
    first = it.next()['value']
    inner = it
    assert isinstance(inner, PrefetchIterator)
    thread = inner.state.thread
    assert _wait_for(lambda: inner.state.queue.full())
    it.close()
    thread.join(timeout=5)
    assert not thread.is_alive()
    first.dispose()
    assert tf.memory()['numTensors'] == before
    assert it.next()['done']


@needs_threads
def test_breaking_a_for_loop_stops_the_thread():
    ds = tf.data.array(list(range(1000))).prefetch(2)
    for x in ds:
        if x == 3:
            break
    assert _wait_for(lambda: not any(t.name == 'tfjs-data-prefetch' and t.is_alive()
                                     for t in threading.enumerate()))


@needs_threads
def test_async_consumer_does_not_block_the_event_loop():
    def gen():
        for i in range(3):
            time.sleep(0.05)
            yield i

    async def main():
        ticks = []

        async def ticker():
            while True:
                ticks.append(time.perf_counter())
                await asyncio.sleep(0.005)
        task = asyncio.ensure_future(ticker())
        out = [x async for x in tf.data.generator(gen).prefetch(1)]
        values = await tf.data.generator(gen).prefetch(2).toArray()
        task.cancel()
        return out, values, len(ticks)

    out, values, ticks = asyncio.run(main())
    assert out == [0, 1, 2] and values == [0, 1, 2]
    assert ticks > 10           # the loop kept running while waiting for the thread


def test_async_generator_source_through_prefetch():
    async def agen():
        for i in range(4):
            await asyncio.sleep(0.001)
            yield {'v': i}
    assert tf.data.generator(agen).prefetch(2).toArray() == [{'v': i} for i in range(4)]


def test_to_array_for_test():
    assert tf.data.array([1, 2, 3]).toArrayForTest() == [1, 2, 3]


def test_map_in_prefetch_while_main_thread_uses_tidy():
    """Tensors made by the read-ahead (inside map's tidy) and by the consumer inside its own
    tidy must not end up in each other's scopes."""
    ds = tf.data.array(list(range(200))).map(lambda i: tf.fill([4], i).add(1)).prefetch(4)
    total = 0.0
    for t in ds:
        total += tf.tidy(lambda: t.mul(2).sum()).arraySync()
        t.dispose()
    assert total == 2 * 4 * sum(i + 1 for i in range(200))


def test_unthreaded_fallback(monkeypatch):
    import tfjs.data.prefetch as mod
    monkeypatch.setattr(mod, '_threads_ok', False)
    import gc
    gc.collect()
    before = tf.memory()['numTensors']
    ds = tf.data.array(list(range(10))).map(lambda x: tf.scalar(x)).prefetch(3)
    assert [t.arraySync() for t in ds.take(10)] == list(range(10))
    it = ds.iterator()
    assert it.next()['value'].arraySync() == 0
    assert len(it.buffer) == 3
    it.close()                         # read-ahead tensors are disposed
    gc.collect()
    assert tf.memory()['numTensors'] == before

    def gen():
        yield 1
        raise KeyError('x')
    with pytest.raises(KeyError):
        tf.data.generator(gen).prefetch(2).toArray()
