"""`PrefetchIterator`: reads ahead of the consumer in a background thread.

A daemon thread drives the upstream iterator on its own event loop and fills a bounded queue
(`buffer_size` elements, plus the one it is waiting to put). The consumer takes from the queue:
blocking in synchronous code, awaiting (without blocking the event loop) inside one. An
exception raised upstream is re-raised by the consumer's `next()`; the stream then ends.
Closing the iterator, or dropping it, stops the thread and disposes what it had read ahead.

Tensors may be created in that thread (e.g. by an upstream `map`), which needs the tensor engine
to keep `tidy` scopes per thread. With an engine whose scopes are shared by all threads, the
read-ahead happens in the consumer's thread instead (TF.js's behaviour: a buffer, no thread).
"""
from __future__ import annotations

import asyncio
import collections
import queue
import threading
import weakref

from .._async import in_event_loop
from ._jobs import END, Runner, await_, driven_synchronously
from .batching import dispose_element
from .iterators import LazyIterator

_POLL_S = 0.05
_threads_ok: bool | None = None


def background_threads_supported() -> bool:
    """True when the tensor engine keeps tidy scopes per thread (checked once)."""
    global _threads_ok
    if _threads_ok is None:
        from ..backend import ENGINE
        mine = ENGINE.scopes
        other: list = []
        probe = threading.Thread(target=lambda: other.append(ENGINE.scopes))
        probe.start()
        probe.join()
        _threads_ok = bool(other) and other[0] is not mine
    return _threads_ok


class _State:
    """What the producer thread shares with the consumer (no reference to the iterator itself,
    so that dropping the iterator stops the thread)."""

    def __init__(self, upstream: LazyIterator, buffer_size: int):
        self.upstream = upstream
        self.queue: queue.Queue = queue.Queue(maxsize=buffer_size)
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.waiters: list = []      # (loop, future) of consumers awaiting an item
        self.thread: threading.Thread | None = None
        self.produced = 0            # elements read from upstream (for tests and diagnostics)

    def wake(self) -> None:
        with self.lock:
            waiters, self.waiters = self.waiters, []
        for loop, fut in waiters:
            try:
                loop.call_soon_threadsafe(_resolve, fut)
            except RuntimeError:     # that loop is closed
                pass

    def put(self, item) -> bool:
        while not self.stop.is_set():
            try:
                self.queue.put(item, timeout=_POLL_S)
            except queue.Full:
                continue
            self.wake()
            return True
        return False

    def shutdown(self) -> None:
        """Stop the producer and dispose what it read ahead (safe to call twice)."""
        self.stop.set()
        self.drain()
        self.wake()

    def drain(self) -> None:
        while True:
            try:
                kind, value = self.queue.get_nowait()
            except queue.Empty:
                return
            if kind == 'value':
                dispose_element(value)


def _resolve(fut) -> None:
    if not fut.done():
        fut.set_result(None)


def _produce(state: _State) -> None:
    runner = Runner()
    try:
        while not state.stop.is_set():
            try:
                value = runner.run(state.upstream._next())
            except BaseException as exc:  # noqa: BLE001 - handed to the consumer
                state.put(('error', exc))
                return
            if value is END:
                state.put(('end', None))
                return
            state.produced += 1
            if not state.put(('value', value)):
                dispose_element(value)
                return
    finally:
        if state.stop.is_set():
            state.drain()        # an item put while the consumer was shutting down
        runner.close()
        try:
            state.upstream.close()
        except Exception:  # noqa: BLE001 - best effort at shutdown
            pass


class PrefetchIterator(LazyIterator):
    """Up to `buffer_size` elements read ahead by a background thread."""

    def __init__(self, upstream: LazyIterator, buffer_size: int):
        self.upstream = upstream
        self.buffer_size = buffer_size
        self.threaded = background_threads_supported()
        self.state = _State(upstream, buffer_size)
        self.finished = False
        self.buffer: collections.deque = collections.deque()    # the unthreaded read-ahead
        self.error: BaseException | None = None
        self._finalizer = weakref.finalize(self, self.state.shutdown)

    def summary(self):
        return f'{self.upstream.summary()} -> Prefetch'

    def _upstreams(self):
        # the producer thread owns the upstream and closes it
        return [] if self.threaded else [self.upstream]

    def _start(self) -> None:
        thread = threading.Thread(target=_produce, args=(self.state,), daemon=True,
                                  name='tfjs-data-prefetch')
        self.state.thread = thread
        thread.start()

    def _next(self):
        if self.finished:
            return END
        if not self.threaded:
            return (yield from self._next_unthreaded())
        if self.state.thread is None:
            self._start()
        try:
            kind, value = self.state.queue.get_nowait()
        except queue.Empty:
            if in_event_loop() and not driven_synchronously():
                kind, value = yield from await_(self._get_async())
            else:
                kind, value = self._get_blocking()
        if kind == 'value':
            return value
        self.finished = True
        if kind == 'error':
            raise value
        return END

    def _next_unthreaded(self):
        while self.error is None and len(self.buffer) <= self.buffer_size:
            try:
                value = yield from self.upstream._next()
            except Exception as exc:  # noqa: BLE001 - raised after the elements read before it
                self.error = exc
                break
            if value is END:
                break
            self.buffer.append(value)
        if self.buffer:
            return self.buffer.popleft()
        self.finished = True
        if self.error is not None:
            raise self.error
        return END

    def _get_blocking(self):
        state = self.state
        while True:
            try:
                return state.queue.get(timeout=_POLL_S)
            except queue.Empty:
                if state.stop.is_set() or not state.thread.is_alive():
                    try:
                        return state.queue.get_nowait()
                    except queue.Empty:
                        return 'end', None

    async def _get_async(self):
        state = self.state
        loop = asyncio.get_running_loop()
        while True:
            try:
                return state.queue.get_nowait()
            except queue.Empty:
                pass
            if state.stop.is_set() or not state.thread.is_alive():
                try:
                    return state.queue.get_nowait()
                except queue.Empty:
                    return 'end', None
            fut = loop.create_future()
            with state.lock:
                state.waiters.append((loop, fut))
            if not state.queue.empty():
                continue
            try:
                await asyncio.wait_for(asyncio.shield(fut), timeout=1.0)
            except asyncio.TimeoutError:
                pass

    def close(self) -> None:
        self.finished = True
        self._finalizer()
        while self.buffer:
            dispose_element(self.buffer.popleft())
        super().close()
