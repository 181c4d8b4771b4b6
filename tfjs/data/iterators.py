"""`LazyIterator` and the iterators behind every Dataset method (TF.js's `lazy_iterator.ts`).

Each iterator implements `_next()`, a job generator returning the next element or `END`; once
it returned `END` it keeps returning `END`. The public `next()` follows the TF.js Promise
contract (`{'value', 'done'}` in synchronous code, a Promise inside an event loop).

>>> import tfjs as tf
>>> it = tf.data.array([1, 2]).iterator()
>>> it.next(), it.next(), it.next()
({'value': 1, 'done': False}, {'value': 2, 'done': False}, {'value': None, 'done': True})
"""
from __future__ import annotations

import asyncio
from typing import Any, Callable

from .._async import Promise, drive_async, in_event_loop, promising
from .._naming import SnakeCaseAliases
from ..errors import ValueError
from ._jobs import END, Runner, await_
from ._alea import alea
from .batching import clone_element, deep_batch, dispose_element, dispose_except


class LazyIterator(SnakeCaseAliases):
    """A stream of elements; `next()` gives `{'value': element, 'done': bool}`.

    Python extras: `for x in it`, `async for x in it`, and `close()` (stops background work).
    """

    _runner: Runner | None = None
    _last_task = None

    def _next(self):
        """Job generator: the next element, or END."""
        raise NotImplementedError
        yield  # pragma: no cover

    def summary(self) -> str:
        return type(self).__name__

    def _upstreams(self) -> list:
        up = getattr(self, 'upstream', None)
        return [up] if up is not None else []

    def close(self) -> None:
        """Release what this iterator holds (prefetch threads, event loops), upstream too."""
        for up in self._upstreams():
            up.close()
        runner, self._runner = self._runner, None
        if runner is not None:
            runner.close()

    # ------------------------------------------------------------------ TF.js API
    def next(self):
        """`{'value': element, 'done': False}`, or `{'value': None, 'done': True}` at the end.

        Successive calls run one after another, even when not awaited in between (as in TF.js).
        """
        if not in_event_loop():
            if self._runner is None:
                self._runner = Runner()
            return _result(self._runner.run(self._next()))
        prev = self._last_task
        task = asyncio.ensure_future(self._serial_next(prev))
        self._last_task = task
        return Promise(task)

    async def _serial_next(self, prev):
        if prev is not None and not prev.done():
            try:
                await prev
            except BaseException:  # noqa: BLE001 - the earlier caller sees its own error
                pass
        return _result(await drive_async(self._next()))

    def _to_array_job(self):
        out = []
        while True:
            value = yield from self._next()
            if value is END:
                return out
            out.append(value)

    def toArray(self):
        """All remaining elements as a list."""
        return promising(self._to_array_job)()

    def _for_each_job(self, f: Callable):
        while True:
            value = yield from self._next()
            if value is END:
                return None
            result = yield from await_(f(value))
            dispose_except(value, result)

    def forEachAsync(self, f: Callable):
        """Call `f(element)` for every remaining element (`f` may be `async def`)."""
        return promising(self._for_each_job)(f)

    # ------------------------------------------------------------------ Python iteration
    def __iter__(self):
        if self._runner is None:
            self._runner = Runner()
        while True:
            value = self._runner.run(self._next())
            if value is END:
                return
            yield value

    def __aiter__(self):
        return self._aiter()

    async def _aiter(self):
        while True:
            value = await drive_async(self._next())
            if value is END:
                return
            yield value

    def __del__(self):
        runner = self._runner
        if runner is not None:
            runner.close()


def _result(value) -> dict:
    if value is END:
        return {'value': None, 'done': True}
    return {'value': value, 'done': False}


# ---------------------------------------------------------------------------- sources

class ArrayIterator(LazyIterator):
    """The items of a list, each deep-cloned (so consumers may dispose what they get)."""

    def __init__(self, items: list):
        self.items = items
        self.trav = 0

    def summary(self):
        return f'Array of {len(self.items)} items'

    def _next(self):
        if self.trav >= len(self.items):
            return END
        item = self.items[self.trav]
        self.trav += 1
        return clone_element(item)
        yield  # pragma: no cover - makes this a generator


class FunctionCallIterator(LazyIterator):
    """Calls `fn()` for each element; `fn` returns `{'value', 'done'}` (maybe awaitable)."""

    def __init__(self, fn: Callable):
        self.fn = fn

    def summary(self):
        return 'Function call'

    def _next(self):
        try:
            result = self.fn()
            result = yield from await_(result)
        except Exception as exc:
            _add_note(exc, 'Error thrown while iterating through a dataset.')
            raise
        return _unpack_result(result)


def _unpack_result(result):
    if isinstance(result, dict):
        done, value = result.get('done', False), result.get('value')
    elif hasattr(result, 'done'):
        done, value = result.done, getattr(result, 'value', None)
    else:
        raise ValueError(f'A tf.data.func() function must return {{"value": ..., "done": bool}}; '
                         f'got {result!r}.')
    return END if done else value


class GeneratorIterator(LazyIterator):
    """Elements of a Python iterator, an async iterator, or a JS-style object with `next()`."""

    def __init__(self, source: Any):
        self.source = source
        self.finished = False
        if hasattr(source, '__anext__'):
            self.kind = 'async'
        elif hasattr(source, '__next__'):
            self.kind = 'sync'
        elif hasattr(source, '__aiter__'):
            self.source, self.kind = source.__aiter__(), 'async'
        elif hasattr(source, '__iter__'):
            self.source, self.kind = iter(source), 'sync'
        elif callable(getattr(source, 'next', None)):
            self.kind = 'js'
        else:
            raise ValueError(f'tf.data.generator() needs a function returning an iterator, a '
                             f'generator or an async generator; it returned {source!r}.')

    def summary(self):
        return 'Generator'

    def _next(self):
        if self.finished:
            return END
        try:
            if self.kind == 'sync':
                try:
                    return next(self.source)
                except StopIteration:
                    self.finished = True
                    return END
            if self.kind == 'async':
                ok, value = yield from await_(_anext(self.source))
                if not ok:
                    self.finished = True
                    return END
                return value
            result = yield from await_(self.source.next())
            value = _unpack_result(result)
            if value is END:
                self.finished = True
            return value
        except Exception as exc:
            _add_note(exc, 'Error thrown while iterating through a dataset.')
            raise

    def close(self):
        super().close()
        if self.kind == 'sync' and hasattr(self.source, 'close'):
            try:
                self.source.close()
            except Exception:  # noqa: BLE001 - best effort
                pass


async def _anext(agen):
    try:
        return True, await agen.__anext__()
    except StopAsyncIteration:
        return False, None


def _add_note(exc: BaseException, note: str) -> None:
    if hasattr(exc, 'add_note') and note not in getattr(exc, '__notes__', ()):
        exc.add_note(note)


def as_lazy_iterator(obj: Any) -> LazyIterator:
    """A LazyIterator as is; any Python (async) iterator or iterable wrapped as one."""
    if isinstance(obj, LazyIterator):
        return obj
    return GeneratorIterator(obj)


# ---------------------------------------------------------------------------- one-to-one

class MapIterator(LazyIterator):
    """`transform(element)` for each element (awaited when it returns an awaitable); input
    tensors not passed through to the output are disposed."""

    def __init__(self, upstream: LazyIterator, transform: Callable, awaitable: bool = False):
        self.upstream = upstream
        self.transform = transform
        self.awaitable = awaitable

    def summary(self):
        return f'{self.upstream.summary()} -> {"AsyncMap" if self.awaitable else "Map"}'

    def _next(self):
        item = yield from self.upstream._next()
        if item is END:
            return END
        mapped = self.transform(item)
        if self.awaitable:
            mapped = yield from await_(mapped)
        dispose_except(item, mapped)
        return mapped


class FilterIterator(LazyIterator):
    """Elements for which `predicate` is true; rejected elements are disposed."""

    def __init__(self, upstream: LazyIterator, predicate: Callable):
        self.upstream = upstream
        self.predicate = predicate

    def summary(self):
        return f'{self.upstream.summary()} -> Filter'

    def _next(self):
        while True:
            item = yield from self.upstream._next()
            if item is END or self.predicate(item):
                return item
            dispose_element(item)


class TakeIterator(LazyIterator):
    def __init__(self, upstream: LazyIterator, max_count: int):
        self.upstream = upstream
        self.max_count = max_count
        self.count = 0

    def summary(self):
        return f'{self.upstream.summary()} -> Take'

    def _next(self):
        if self.count >= self.max_count:
            return END
        self.count += 1
        return (yield from self.upstream._next())


class SkipIterator(LazyIterator):
    def __init__(self, upstream: LazyIterator, max_count: int):
        self.upstream = upstream
        self.max_count = max_count
        self.count = 0

    def summary(self):
        return f'{self.upstream.summary()} -> Skip'

    def _next(self):
        while self.count < self.max_count:
            self.count += 1
            skipped = yield from self.upstream._next()
            if skipped is END:
                return END
            dispose_element(skipped)
        return (yield from self.upstream._next())


class BatchIterator(LazyIterator):
    """Groups `batch_size` elements and batches them column-major (`deep_batch`); the row
    tensors are disposed once stacked."""

    def __init__(self, upstream: LazyIterator, batch_size: int, small_last_batch: bool = True):
        self.upstream = upstream
        self.batch_size = batch_size
        self.small_last_batch = small_last_batch

    def summary(self):
        return f'{self.upstream.summary()} -> RowMajorBatch -> Map'

    def _next(self):
        rows = []
        while len(rows) < self.batch_size:
            item = yield from self.upstream._next()
            if item is END:
                if self.small_last_batch and rows:
                    break
                for r in rows:
                    dispose_element(r)
                return END
            rows.append(item)
        batched = deep_batch(rows)
        dispose_except(rows, batched)
        return batched


# ---------------------------------------------------------------------------- many-to-one

class ChainedIterator(LazyIterator):
    """The elements of each iterator in turn; `more()` is a job giving the next iterator or END.

    With `stop_on_empty` (used by `repeat`), a fresh iterator with no element ends the chain,
    as in Keras's tf.data (TF.js would loop forever).
    """

    def __init__(self, more: Callable, stop_on_empty: bool = False):
        self.more = more
        self.stop_on_empty = stop_on_empty
        self.iterator = None
        self.finished = False
        self.got_one = False

    def summary(self):
        return 'Chained'

    def _upstreams(self):
        return [self.iterator] if self.iterator is not None else []

    def _next(self):
        while not self.finished:
            if self.iterator is None:
                nxt = yield from self.more()
                if nxt is END:
                    self.finished = True
                    return END
                self.iterator = nxt
                self.got_one = False
            item = yield from self.iterator._next()
            if item is not END:
                self.got_one = True
                return item
            self.iterator.close()
            self.iterator = None
            if self.stop_on_empty and not self.got_one:
                self.finished = True
        return END


class ZipIterator(LazyIterator):
    """Elements of a (nested) list / tuple / dict of iterators, zipped; ends at the shortest."""

    def __init__(self, iterators: Any):
        self.iterators = iterators
        self.finished = False

    def summary(self):
        return 'Zip'

    def _upstreams(self):
        out = []
        _collect_iterators(self.iterators, out)
        return out

    def _next(self):
        if self.finished:
            return END
        state = {'n': 0, 'done': 0}
        value = yield from _zip_next(self.iterators, state)
        if state['done'] > 0:
            self.finished = True
            dispose_element(value)
            return END
        return value


def _collect_iterators(container, out: list) -> None:
    if isinstance(container, LazyIterator):
        out.append(container)
    elif isinstance(container, dict):
        for v in container.values():
            _collect_iterators(v, out)
    elif isinstance(container, (list, tuple)):
        for v in container:
            _collect_iterators(v, out)


def _zip_next(container, state):
    if isinstance(container, LazyIterator):
        state['n'] += 1
        value = yield from container._next()
        if value is END:
            state['done'] += 1
            return None
        return value
    if isinstance(container, dict):
        out = {}
        for k, v in container.items():
            out[k] = yield from _zip_next(v, state)
        return out
    items = []
    for v in container:
        items.append((yield from _zip_next(v, state)))
    return tuple(items) if isinstance(container, tuple) else items


# ---------------------------------------------------------------------------- shuffle

class ShuffleIterator(LazyIterator):
    """TF.js's reservoir shuffle: a window of `window_size` upcoming results; each step takes a
    random one (alea PRNG) and refills. Element order matches TF.js for the same seed."""

    def __init__(self, upstream: LazyIterator, window_size: int, seed: str):
        self.upstream = upstream
        self.window_size = window_size
        self.random = alea(seed)
        self.buffer: list = []
        self.upstream_exhausted = False

    def summary(self):
        return f'{self.upstream.summary()} -> Shuffle'

    def _refill(self):
        while len(self.buffer) < self.window_size:
            self.buffer.append((yield from self.upstream._next()))

    def _next(self):
        if not self.upstream_exhausted:
            yield from self._refill()
        buffer = self.buffer
        while buffer:
            index = int(self.random() * len(buffer))
            result = buffer[index]
            last = buffer.pop()
            if index < len(buffer):
                buffer[index] = last
            if result is END:
                self.upstream_exhausted = True
            else:
                yield from self._refill()
                return result
        return END

    def close(self):
        for item in self.buffer:
            if item is not END:
                dispose_element(item)
        self.buffer = []
        super().close()
