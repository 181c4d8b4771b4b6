"""The one mechanism behind every API that returns a Promise in TF.js.

TF.js's `model.fit`, `model.save`, `tf.loadLayersModel`, `tensor.data()` ... return Promises.
Here such a function returns

* the value itself when called from synchronous code (no running event loop in this thread):
  `history = model.fit(xs, ys)`;
* a `Promise` when called from inside a running event loop (`async def` code, Jupyter): it has
  already started, like a JS Promise, and `await model.fit(xs, ys)` gives the value.

Long jobs are written once, as generators (`def job(): ... yield YIELD ... x = yield awaitable`):
`YIELD` marks a point where the event loop may run other work, and a yielded awaitable (such as
the coroutine returned by a user's `async def onEpochEnd`) is awaited and its result sent back.
`promising(job_fn)` turns such a generator function into the dual sync/async function.

>>> import asyncio
>>> def job():
...     yield YIELD
...     return 42
>>> run = promising(job)
>>> run()
42
>>> async def main():
...     return await run()
>>> asyncio.run(main())
42
"""
from __future__ import annotations

import asyncio
import functools
import inspect
from typing import Any, Callable, Generator

YIELD = object()   # a yield point: let the event loop run other work


def in_event_loop() -> bool:
    """True when called from inside a running asyncio event loop."""
    try:
        asyncio.get_running_loop()
        return True
    except RuntimeError:
        return False


class Promise:
    """An awaitable result that is already under way, with JS-style `then` and `catch`."""

    __slots__ = ('_future',)

    def __init__(self, future: asyncio.Future):
        self._future = future

    def __await__(self):
        return self._future.__await__()

    def then(self, on_fulfilled: Callable | None = None, on_rejected: Callable | None = None) -> 'Promise':
        """Chain callbacks as JS's `promise.then(f, g)` does; returns a new Promise."""
        async def chained():
            try:
                value = await self._future
            except BaseException as exc:  # noqa: BLE001 - forwarded to on_rejected
                if on_rejected is None:
                    raise
                out = on_rejected(exc)
            else:
                out = on_fulfilled(value) if on_fulfilled is not None else value
            return (await out) if inspect.isawaitable(out) else out
        return Promise(asyncio.ensure_future(chained()))

    def catch(self, on_rejected: Callable) -> 'Promise':
        """JS's `promise.catch(f)`."""
        return self.then(None, on_rejected)

    def done(self) -> bool:
        return self._future.done()

    def __repr__(self):
        state = 'pending' if not self._future.done() else 'settled'
        return f'<Promise {state}>'


def resolved(value: Any):
    """`value` in synchronous code; an already-resolved Promise inside an event loop."""
    if not in_event_loop():
        return value
    future = asyncio.get_running_loop().create_future()
    future.set_result(value)
    return Promise(future)


def drive_sync(gen: Generator) -> Any:
    """Run a job generator to completion in synchronous code."""
    loop = None
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
            if loop is None:
                loop = asyncio.new_event_loop()
            item_to_run = item
            while True:
                try:
                    to_send = loop.run_until_complete(_as_coroutine(item_to_run))
                    break
                except BaseException as exc:  # noqa: BLE001 - rethrown into the job
                    try:
                        item_to_run = gen.throw(exc)
                    except StopIteration as stop:
                        return stop.value
                    if item_to_run is YIELD:
                        to_send = None
                        break
    finally:
        if loop is not None:
            loop.close()


async def drive_async(gen: Generator) -> Any:
    """Run a job generator inside the running event loop, yielding to it at each `YIELD`."""
    to_send = None
    while True:
        try:
            item = gen.send(to_send)
        except StopIteration as stop:
            return stop.value
        to_send = None
        while item is not YIELD:
            try:
                to_send = await item
                break
            except BaseException as exc:  # noqa: BLE001 - rethrown into the job
                try:
                    item = gen.throw(exc)
                except StopIteration as stop:
                    return stop.value
                to_send = None
        else:
            await asyncio.sleep(0)


async def _as_coroutine(awaitable):
    return await awaitable


def maybe_await(value):
    """Inside a job: `result = yield from maybe_await(callback(...))` awaits only when needed."""
    if inspect.isawaitable(value):
        value = yield value
    return value


def promising(job_fn: Callable[..., Generator]) -> Callable:
    """Make the dual sync/async function of a job generator function (see the module doc)."""
    @functools.wraps(job_fn)
    def wrapper(*args, **kwargs):
        gen = job_fn(*args, **kwargs)
        if not in_event_loop():
            return drive_sync(gen)
        return Promise(asyncio.ensure_future(drive_async(gen)))
    wrapper.run_sync = lambda *a, **k: drive_sync(job_fn(*a, **k))  # type: ignore[attr-defined]
    return wrapper
