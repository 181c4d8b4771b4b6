"""Public memory API with TF.js semantics: `tidy`, `keep`, `dispose`, `memory`, `disposeVariables`."""
from __future__ import annotations

import contextlib
import inspect
from typing import Any, Callable

from ..errors import ValueError
from .engine import ENGINE, iter_tensors


def tidy(nameOrFn: str | Callable | None = None, fn: Callable | None = None):
    """Run `fn` and dispose every tensor it created except those it returns or `keep`s.

    Also usable as a context manager, `with tf.tidy(): ...`, where everything created inside and
    not kept is disposed at the end of the block.

    >>> import tfjs as tf
    >>> before = tf.memory()['numTensors']
    >>> y = tf.tidy(lambda: tf.square(tf.add(tf.ones([2]), 1)))
    >>> tf.memory()['numTensors'] - before
    1
    """
    if fn is None and not isinstance(nameOrFn, str):
        fn = nameOrFn
    if fn is None:
        return _tidy_block()
    if not callable(fn):
        raise ValueError('tf.tidy() requires a function: tf.tidy(fn) or tf.tidy(name, fn).')
    if inspect.iscoroutinefunction(fn):
        raise ValueError('Cannot return a Promise inside of tidy: tf.tidy() needs a synchronous '
                         'function, as in TF.js.')
    ENGINE.start_scope()
    result = None
    try:
        result = fn()
        if inspect.isawaitable(result):
            raise ValueError('Cannot return a Promise inside of tidy.')
    finally:
        ENGINE.end_scope(result)
    return result


@contextlib.contextmanager
def _tidy_block():
    ENGINE.start_scope()
    try:
        yield
    finally:
        ENGINE.end_scope(None)


def keep(result):
    """Keep a tensor created inside `tidy` from being disposed at the end of the scope."""
    for t in iter_tensors(result):
        t._kept = True
    return result


def dispose(container: Any) -> None:
    """Dispose every tensor in a tensor, list, dict or nested container (layers/models too)."""
    if hasattr(container, 'dispose') and not isinstance(container, (list, tuple, dict)) \
            and not hasattr(container, '_t'):
        container.dispose()
        return
    for t in iter_tensors(container):
        t.dispose()


def memory() -> dict:
    """Memory bookkeeping as TF.js reports it: numTensors, numDataBuffers, numBytes, unreliable."""
    return {'numTensors': ENGINE.num_tensors, 'numDataBuffers': ENGINE.num_tensors,
            'numBytes': ENGINE.num_bytes, 'unreliable': False}


def disposeVariables() -> None:
    """Dispose every variable."""
    for v in list(ENGINE.variables.values()):
        v.dispose()
