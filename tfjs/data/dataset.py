"""`Dataset`: a lazy, re-iterable stream of elements (TF.js's `tf.data.Dataset`).

Every method returns a new Dataset; nothing runs until a consumer iterates (`iterator()`,
`toArray()`, `forEachAsync()`, `model.fitDataset()`, or Python's `for` / `async for`). Each
consumer gets a fresh iterator, so a Dataset can be traversed many times.

`size` is the number of elements when known, `math.inf` for an infinite dataset, `None` when
unknown (TF.js's `null`).

>>> import tfjs as tf
>>> ds = tf.data.array([1, 2, 3, 4, 5]).map(lambda x: x * 10).batch(2)
>>> ds.size
3
>>> [b.arraySync() for b in ds]
[[10.0, 20.0], [30.0, 40.0], [50.0]]
"""
from __future__ import annotations

import inspect
import itertools
import math
import time
from typing import Any, Callable

from .._async import promising
from .._naming import SnakeCaseAliases
from ..backend.memory import tidy
from ..errors import ValueError
from ..tensor import Tensor
from ._alea import alea, js_string
from ._jobs import END, Runner, await_
from .iterators import (ArrayIterator, BatchIterator, ChainedIterator, FilterIterator, MapIterator,
                        ShuffleIterator, SkipIterator, TakeIterator, ZipIterator, as_lazy_iterator)

_seed_counter = itertools.count()


class Dataset(SnakeCaseAliases):
    """A lazy stream of elements. Subclasses implement `_make_iterator()` (a job returning a
    `LazyIterator`) or, as in TF.js, override `iterator()`."""

    MAX_BUFFER_SIZE = 10000

    def __init__(self):
        self.size: int | float | None = None

    # ------------------------------------------------------------------ iterators
    def _make_iterator(self):
        raise NotImplementedError(f'{type(self).__name__} must implement iterator().')
        yield  # pragma: no cover

    def _iterator_job(self):
        """Job: a fresh LazyIterator over this dataset."""
        if type(self).iterator is not Dataset.iterator:     # a user subclass overriding iterator()
            it = yield from await_(self.iterator())
            return as_lazy_iterator(it)
        return (yield from self._make_iterator())

    def iterator(self):
        """A new `LazyIterator` (TF.js: `await dataset.iterator()`)."""
        return promising(self._iterator_job)()

    # ------------------------------------------------------------------ transformations
    def batch(self, batchSize: int, smallLastBatch: bool = True) -> 'Dataset':
        """Group consecutive elements into batches, column by column (see `tfjs.data.batching`).

        >>> import tfjs as tf
        >>> [b['a'].shape for b in tf.data.array([{'a': [1, 2]}] * 3).batch(2)]
        [[2, 2], [1, 2]]
        """
        _check_positive_int(batchSize, 'batchSize', 'batch')
        base = self
        if self.size is None or self.size == math.inf:
            size = self.size
        elif smallLastBatch:
            size = math.ceil(self.size / batchSize)
        else:
            size = self.size // batchSize

        def make():
            it = yield from base._iterator_job()
            return BatchIterator(it, batchSize, smallLastBatch)
        return _FnDataset(make, size)

    def concatenate(self, dataset: 'Dataset') -> 'Dataset':
        """This dataset's elements, then `dataset`'s.

        >>> import tfjs as tf
        >>> tf.data.array([1, 2]).concatenate(tf.data.array([3])).toArray()
        [1, 2, 3]
        """
        _check_dataset(dataset, 'concatenate')
        base = self
        if self.size == math.inf or dataset.size == math.inf:
            size = math.inf
        elif self.size is not None and dataset.size is not None:
            size = self.size + dataset.size
        else:
            size = None

        def make():
            first = yield from base._iterator_job()
            second = yield from dataset._iterator_job()
            pending = [first, second]

            def more():
                return pending.pop(0) if pending else END
                yield  # pragma: no cover
            return ChainedIterator(more)
        return _FnDataset(make, size)

    def filter(self, predicate: Callable[[Any], Any]) -> 'Dataset':
        """Only the elements for which `predicate(element)` is true (run inside `tf.tidy`).

        >>> import tfjs as tf
        >>> tf.data.array([1, 2, 3, 4]).filter(lambda x: x % 2 == 0).toArray()
        [2, 4]
        """
        base = self
        size = math.inf if self.size == math.inf else None

        def keep(x):
            result = tidy(lambda: predicate(x))
            if isinstance(result, Tensor):
                flag = bool(result.item())
                if result is not x:
                    result.dispose()
                return flag
            return bool(result)

        def make():
            it = yield from base._iterator_job()
            return FilterIterator(it, keep)
        return _FnDataset(make, size)

    def map(self, transform: Callable[[Any], Any]) -> 'Dataset':
        """`transform(element)` for each element, run inside `tf.tidy` (intermediate tensors are
        freed; input tensors not returned are disposed).

        >>> import tfjs as tf
        >>> tf.data.array([1, 2]).map(lambda x: {'v': x}).toArray()
        [{'v': 1}, {'v': 2}]
        """
        if inspect.iscoroutinefunction(transform):
            raise ValueError('Dataset.map() needs a synchronous function (it runs inside tf.tidy); '
                             'use mapAsync() for an async function.')
        base = self

        def make():
            it = yield from base._iterator_job()
            return MapIterator(it, lambda x: tidy(lambda: transform(x)))
        return _FnDataset(make, self.size)

    def mapAsync(self, transform: Callable[[Any], Any]) -> 'Dataset':
        """`await transform(element)` for each element (`transform` may be `async def`); not run
        inside tidy, so the function manages its own intermediate tensors.

        >>> import tfjs as tf, asyncio
        >>> async def double(x):
        ...     await asyncio.sleep(0)
        ...     return 2 * x
        >>> tf.data.array([1, 2]).mapAsync(double).toArray()
        [2, 4]
        """
        base = self

        def make():
            it = yield from base._iterator_job()
            return MapIterator(it, transform, awaitable=True)
        return _FnDataset(make, self.size)

    def prefetch(self, bufferSize: int) -> 'Dataset':
        """Read up to `bufferSize` elements ahead, in a background thread.

        The upstream pipeline (sources, maps, batching) then runs in that thread, on its own
        event loop, while the consumer (e.g. `fitDataset`) trains. (If the tensor engine cannot
        keep tidy scopes per thread, the read-ahead happens in the consumer's thread.)

        >>> import tfjs as tf
        >>> tf.data.array([1, 2, 3]).prefetch(2).toArray()
        [1, 2, 3]
        """
        if bufferSize is None:
            raise ValueError('`Dataset.prefetch()` requires bufferSize to be specified.')
        _check_positive_int(bufferSize, 'bufferSize', 'prefetch')
        base = self

        def make():
            from .prefetch import PrefetchIterator
            it = yield from base._iterator_job()
            return PrefetchIterator(it, bufferSize)
        return _FnDataset(make, self.size)

    def repeat(self, count: int | None = None) -> 'Dataset':
        """Repeat the dataset `count` times (forever when `count` is None or negative); each
        repetition iterates afresh.

        An infinite repeat of an empty dataset ends instead of looping forever (as in Keras).

        >>> import tfjs as tf
        >>> tf.data.array([1, 2]).repeat(2).toArray()
        [1, 2, 1, 2]
        """
        base = self
        infinite = count is None or count < 0
        if count == 0:
            size = 0
        elif self.size is None:
            size = None
        elif infinite:
            size = math.inf if self.size != 0 else 0
        else:
            size = self.size * count

        def make():
            done = {'n': 0}

            def more():
                if not infinite and done['n'] >= count:
                    return END
                done['n'] += 1
                return (yield from base._iterator_job())
            return ChainedIterator(more, stop_on_empty=True)
            yield  # pragma: no cover
        return _FnDataset(make, size)

    def skip(self, count: int) -> 'Dataset':
        """All but the first `count` elements (a negative or None count skips nothing).

        >>> import tfjs as tf
        >>> tf.data.array([1, 2, 3]).skip(2).toArray()
        [3]
        """
        base = self
        if count is None or count < 0:
            size = self.size
        elif self.size is None:
            size = None
        else:
            size = max(self.size - count, 0)

        def make():
            it = yield from base._iterator_job()
            return it if count is None or count < 0 else SkipIterator(it, count)
        return _FnDataset(make, size)

    def shuffle(self, bufferSize: int, seed: str | int | None = None,
                reshuffleEachIteration: bool = True) -> 'Dataset':
        """Shuffle with a window of `bufferSize` elements (TF.js's reservoir shuffle).

        With a `seed`, the order is deterministic and identical to TF.js's for the same seed
        (the same alea PRNG). With `reshuffleEachIteration=False` every iteration repeats the
        first iteration's order (TF.js reshuffles anyway; this follows Keras/tf.data).

        >>> import tfjs as tf
        >>> tf.data.array(list(range(10))).shuffle(10, 'abc').toArray()
        [8, 9, 6, 1, 7, 0, 2, 3, 5, 4]
        """
        if bufferSize is None or bufferSize < 0:
            msg = '`Dataset.shuffle()` requires bufferSize to be specified.'
            if self.size is not None:
                msg += ('  If your data fits in main memory (for regular JS objects), and/or GPU '
                        'memory (for `tf.Tensor`s), consider setting bufferSize to the dataset '
                        f'size ({self.size} elements)')
            raise ValueError(msg)
        _check_positive_int(bufferSize, 'bufferSize', 'shuffle')
        base = self
        seed_str = js_string(seed) if seed is not None else \
            f'{time.perf_counter() * 1000}:{next(_seed_counter)}'
        random = alea(seed_str)
        fixed: list = []

        def make():
            if reshuffleEachIteration:
                seed2 = random.int32() + random.int32()
            elif fixed:
                seed2 = fixed[0]
            else:
                seed2 = random.int32()
                fixed.append(seed2)
            it = yield from base._iterator_job()
            return ShuffleIterator(it, bufferSize, str(seed2))
        return _FnDataset(make, self.size)

    def take(self, count: int) -> 'Dataset':
        """The first `count` elements (a negative or None count takes everything).

        >>> import tfjs as tf
        >>> tf.data.array([1, 2, 3]).take(2).toArray()
        [1, 2]
        """
        base = self
        if count is None or count < 0:
            size = self.size
        elif self.size is None:
            size = None
        else:
            size = min(self.size, count)

        def make():
            it = yield from base._iterator_job()
            return it if count is None or count < 0 else TakeIterator(it, count)
        return _FnDataset(make, size)

    # ------------------------------------------------------------------ consumers
    def _check_finite(self) -> None:
        if self.size == math.inf:
            raise ValueError('Can not convert infinite data stream to array.')

    def _to_array_job(self, prefetch: bool = False):
        self._check_finite()
        it = yield from self._iterator_job()
        try:
            if prefetch:
                from .prefetch import PrefetchIterator
                it = PrefetchIterator(it, 100)
            return (yield from it._to_array_job())
        finally:
            it.close()

    def toArray(self):
        """All elements as a list (TF.js: `await dataset.toArray()`).

        >>> import tfjs as tf
        >>> tf.data.array([[1, 2], [3, 4]]).toArray()
        [[1, 2], [3, 4]]
        """
        return promising(self._to_array_job)()

    def toArrayForTest(self):
        """`toArray()` through a prefetch buffer of 100, as TF.js's test helper."""
        return promising(self._to_array_job)(True)

    def _for_each_job(self, f):
        it = yield from self._iterator_job()
        try:
            return (yield from it._for_each_job(f))
        finally:
            it.close()

    def forEachAsync(self, f: Callable[[Any], Any]):
        """Call `f(element)` for every element (`f` may be `async def`); element tensors that `f`
        does not return are disposed afterwards.

        >>> import tfjs as tf
        >>> seen = []
        >>> tf.data.array([1, 2]).forEachAsync(seen.append)
        >>> seen
        [1, 2]
        """
        return promising(self._for_each_job)(f)

    # ------------------------------------------------------------------ Python iteration
    def __iter__(self):
        runner = Runner()
        it = None
        try:
            it = runner.run(self._iterator_job())
            while True:
                value = runner.run(it._next())
                if value is END:
                    return
                yield value
        finally:
            if it is not None:
                it.close()
            runner.close()

    def __aiter__(self):
        return self._aiter()

    async def _aiter(self):
        from .._async import drive_async
        it = await drive_async(self._iterator_job())
        try:
            while True:
                value = await drive_async(it._next())
                if value is END:
                    return
                yield value
        finally:
            it.close()

    def __repr__(self):
        return f'<tf.data.Dataset size={self.size}>'


class _FnDataset(Dataset):
    """A Dataset whose iterators come from a job function (TF.js's `datasetFromIteratorFn`)."""

    def __init__(self, iterator_job: Callable, size=None):
        super().__init__()
        self._job = iterator_job
        self.size = size

    def _make_iterator(self):
        it = yield from self._job()
        return as_lazy_iterator(it)


def datasetFromIteratorFn(iteratorFn: Callable[[], Any], size: int | float | None = None) -> Dataset:
    """A Dataset whose `iterator()` calls `iteratorFn()` (which may be `async def` and may return
    a LazyIterator or any Python (async) iterator)."""
    def job():
        it = yield from await_(iteratorFn())
        return it
    return _FnDataset(job, size)


def _check_positive_int(value, name: str, method: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0 or \
            (isinstance(value, float) and not value.is_integer()):
        raise ValueError(f'Dataset.{method}(): {name} needs to be a positive integer, but it is '
                         f'{value!r}.')


def _check_dataset(value, method: str) -> None:
    if not isinstance(value, Dataset):
        raise ValueError(f'Dataset.{method}() expects a tf.data.Dataset; got '
                         f'{type(value).__name__}.')


# ---------------------------------------------------------------------------- sources

def array(items: list) -> Dataset:
    """A Dataset of the given items (numbers, strings, lists, dicts, Tensors, nested).

    >>> import tfjs as tf
    >>> ds = tf.data.array([{'x': 1}, {'x': 2}])
    >>> ds.size, ds.toArray()
    (2, [{'x': 1}, {'x': 2}])
    """
    if isinstance(items, Dataset) or not hasattr(items, '__len__') or isinstance(items, (str, dict)):
        raise ValueError(f'tf.data.array() expects a list of elements; got {type(items).__name__}.')
    items = list(items)

    def job():
        return ArrayIterator(items)
        yield  # pragma: no cover
    return _FnDataset(job, len(items))


def zip(datasets) -> Dataset:  # noqa: A001 - TF.js name
    """Zip a list, tuple or (nested) dict of Datasets into a Dataset of lists / tuples / dicts of
    their elements; it ends with the shortest.

    >>> import tfjs as tf
    >>> tf.data.zip({'a': tf.data.array([1, 2]), 'b': tf.data.array([3, 4, 5])}).toArray()
    [{'a': 1, 'b': 3}, {'a': 2, 'b': 4}]
    """
    if not isinstance(datasets, (list, tuple, dict)):
        raise ValueError('The argument to zip() must be an object or array.')
    leaves: list = []
    _collect_datasets(datasets, leaves)
    sizes = [d.size for d in leaves]
    if not sizes:
        size = 0
    elif any(s is None for s in sizes):
        size = None
    else:
        size = min(sizes)

    def job():
        iterators = yield from _deep_iterators(datasets)
        return ZipIterator(iterators)
    return _FnDataset(job, size)


def _collect_datasets(container, out: list) -> None:
    if isinstance(container, Dataset):
        out.append(container)
    elif isinstance(container, dict):
        for v in container.values():
            _collect_datasets(v, out)
    elif isinstance(container, (list, tuple)):
        for v in container:
            _collect_datasets(v, out)
    else:
        raise ValueError('Leaves of the structure passed to zip() must be Datasets, not '
                         f'primitives (got {container!r}).')


def _deep_iterators(container):
    if isinstance(container, Dataset):
        return (yield from container._iterator_job())
    if isinstance(container, dict):
        out = {}
        for k, v in container.items():
            out[k] = yield from _deep_iterators(v)
        return out
    items = []
    for v in container:
        items.append((yield from _deep_iterators(v)))
    return tuple(items) if isinstance(container, tuple) else items
