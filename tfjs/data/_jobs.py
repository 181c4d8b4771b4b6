"""Job-generator plumbing for tf.data (see `tfjs._async` for the mechanism).

Every step of a data pipeline is a job generator: `value = yield from it._next()`. A step that
must wait (an `async def` generator, an async map function, a prefetch queue filled by another
thread) yields an awaitable, wrapped by `await_` so that its exception comes back as a normal
`raise` inside the job instead of being thrown into the generator by the driver.

`Runner` drives jobs from synchronous code, keeping one event loop for the whole life of an
iterator (so an async generator source always runs on the same loop). Public TF.js-async
methods go through `tfjs._async.promising` (the value in synchronous code, a `Promise` inside a
running event loop); `LazyIterator.next` does the same with its own Runner.
"""
from __future__ import annotations

import asyncio
import inspect
import threading
from typing import Any, Generator

from .._async import YIELD, in_event_loop


class _EndType:
    """The end-of-stream marker a `_next()` job returns."""

    __slots__ = ()

    def __repr__(self):
        return 'END'


END = _EndType()


async def _guard(awaitable):
    try:
        return True, await awaitable
    except BaseException as exc:  # noqa: BLE001 - re-raised inside the job
        return False, exc


def await_(value):
    """Inside a job: `x = yield from await_(maybe_awaitable)`; exceptions re-raise in the job."""
    if not inspect.isawaitable(value):
        return value
    ok, result = yield _guard(value)
    if ok:
        return result
    raise result


_local = threading.local()


def driven_synchronously() -> bool:
    """True while a `Runner` drives a job in this thread (a blocking caller, even one that sits
    inside a running event loop, such as a `for` loop in a Jupyter cell)."""
    return getattr(_local, 'depth', 0) > 0


class Runner:
    """Drives job generators from synchronous code on one lazily created, reused event loop.

    When the synchronous caller is itself inside a running event loop (a `for x in dataset`
    loop in `async def` code or a notebook), awaitables run on a helper thread's loop instead.
    """

    __slots__ = ('loop', 'helper', '__weakref__')

    def __init__(self):
        self.loop = None
        self.helper = None

    def run(self, gen: Generator) -> Any:
        _local.depth = getattr(_local, 'depth', 0) + 1
        try:
            to_send = None
            while True:
                try:
                    item = gen.send(to_send)
                except StopIteration as stop:
                    return stop.value
                to_send = None
                if item is YIELD:
                    continue
                if in_event_loop():
                    to_send = self._run_on_helper(item)
                    continue
                if self.loop is None:
                    self.loop = asyncio.new_event_loop()
                to_send = self.loop.run_until_complete(_as_coroutine(item))
        finally:
            _local.depth -= 1

    def _run_on_helper(self, awaitable):
        if self.helper is None:
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, daemon=True,
                                      name='tfjs-data-event-loop')
            thread.start()
            self.helper = (loop, thread)
        future = asyncio.run_coroutine_threadsafe(_as_coroutine(awaitable), self.helper[0])
        return future.result()

    def close(self) -> None:
        loop, self.loop = self.loop, None
        if loop is not None and not loop.is_closed():
            try:
                if not loop.is_running():
                    loop.run_until_complete(loop.shutdown_asyncgens())
            except Exception:  # noqa: BLE001 - best effort (e.g. another loop runs in this thread)
                pass
            loop.close()
        helper, self.helper = self.helper, None
        if helper is not None:
            hloop, thread = helper
            try:
                asyncio.run_coroutine_threadsafe(hloop.shutdown_asyncgens(), hloop).result(5)
            except Exception:  # noqa: BLE001 - best effort
                pass
            hloop.call_soon_threadsafe(hloop.stop)
            if thread is not threading.current_thread():
                thread.join(5)
                hloop.close()


async def _as_coroutine(awaitable):
    return await awaitable
