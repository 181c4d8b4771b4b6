"""Dataset sources besides `array`/`zip`: `generator`, `func`, and the browser-only
`webcam` / `microphone` (TF.js's `readers.ts`)."""
from __future__ import annotations

from typing import Any, Callable

from ..errors import NotImplementedError, ValueError
from ._jobs import await_
from .dataset import Dataset, _FnDataset
from .iterators import FunctionCallIterator, GeneratorIterator


def generator(generator: Callable[[], Any]) -> Dataset:  # noqa: A002 - TF.js parameter name
    """A Dataset of what `generator()` yields; the function is called afresh for each iterator.

    It may return a generator, any iterator or iterable, an async generator, or an awaitable of
    one of these. The size is unknown (None).

    >>> import tfjs as tf
    >>> def gen():
    ...     for i in range(3):
    ...         yield {'x': i}
    >>> tf.data.generator(gen).toArray()
    [{'x': 0}, {'x': 1}, {'x': 2}]
    """
    if not callable(generator):
        raise ValueError('tf.data.generator() expects a function that returns an iterator (e.g. a '
                         'generator function, `def gen(): yield ...`), not '
                         f'{type(generator).__name__}. Pass the function itself, not its result.')

    def job():
        source = yield from await_(generator())
        return GeneratorIterator(source)
    return _FnDataset(job, None)


def func(f: Callable[[], Any]) -> Dataset:
    """A Dataset whose elements come from calling `f()`, which returns `{'value': v, 'done':
    bool}` (or an awaitable of it). All iterators share one underlying stream, as in TF.js.

    >>> import tfjs as tf
    >>> state = {'i': -1}
    >>> def f():
    ...     state['i'] += 1
    ...     return {'value': state['i'], 'done': state['i'] == 3}
    >>> tf.data.func(f).toArray()
    [0, 1, 2]
    """
    if not callable(f):
        raise ValueError(f'tf.data.func() expects a function; got {type(f).__name__}.')
    shared = FunctionCallIterator(f)

    def job():
        return shared
        yield  # pragma: no cover
    return _FnDataset(job, None)


def webcam(webcamVideoElement: Any = None, webcamConfig: dict | None = None):
    """Browser-only in TF.js (reads an HTML video element); not available in Python."""
    raise NotImplementedError(
        'tf.data.webcam() is browser-only: it reads an HTMLVideoElement through getUserMedia. '
        'In Python, capture frames yourself (e.g. with OpenCV) and feed them through '
        'tf.data.generator().')


def microphone(microphoneConfig: dict | None = None):
    """Browser-only in TF.js (Web Audio API); not available in Python."""
    raise NotImplementedError(
        'tf.data.microphone() is browser-only: it uses the Web Audio API. In Python, record audio '
        'yourself (e.g. with sounddevice) and feed spectrograms through tf.data.generator().')
