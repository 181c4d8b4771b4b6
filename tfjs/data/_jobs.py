"""Job-generator plumbing for tf.data (see `tfjs._async` for the mechanism).

Every step of a data pipeline is a job generator: `value = yield from it._next()`. A step that
must wait (an `async def` generator, an async map function, a prefetch queue filled by another
thread) yields an awaitable, wrapped by `await_` so that its exception comes back as a normal
`raise` inside the job instead of being thrown into the generator by the driver.

`Runner` drives jobs from synchronous code, keeping one event loop for the whole life of an
iterator (so an async generator source always runs on the same loop); `dual` gives the TF.js
Promise contract: the value in synchronous code, a `Promise` inside a running event loop.
"""
from __future__ import annotations

import asyncio
import inspect
from typing import Any, Generator

from .._async import YIELD, Promise, drive_async, in_event_loop


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


class Runner:
    """Drives job generators from synchronous code on one lazily created, reused event loop."""

    __slots__ = ('loop', '__weakref__')

    def __init__(self):
        self.loop = None

    def run(self, gen: Generator) -> Any:
        to_send = None
        while True:
            try:
                item = gen.send(to_send)
            except StopIteration as stop:
                return stop.value
            to_send = None
            if item is YIELD:
                continue
            if self.loop is None:
                self.loop = asyncio.new_event_loop()
            to_send = self.loop.run_until_complete(_as_coroutine(item))

    def close(self) -> None:
        loop, self.loop = self.loop, None
        if loop is None or loop.is_closed():
            return
        try:
            if not loop.is_running():
                loop.run_until_complete(loop.shutdown_asyncgens())
        except Exception:  # noqa: BLE001 - best effort (e.g. another loop runs in this thread)
            pass
        loop.close()


async def _as_coroutine(awaitable):
    return await awaitable


def dual(gen: Generator, runner: Runner | None = None):
    """Run a job: its value in synchronous code, a started `Promise` inside an event loop."""
    if not in_event_loop():
        if runner is not None:
            return runner.run(gen)
        own = Runner()
        try:
            return own.run(gen)
        finally:
            own.close()
    return Promise(asyncio.ensure_future(drive_async(gen)))
