"""Element structure helpers: deep clone, tensor bookkeeping and TF.js's column-major batching.

An element is a TensorContainer: a number, bool, string, Tensor, NumPy array, list, tuple or
dict, nested. `deep_batch(rows)` turns a list of rows into one batched element as TF.js's
`deepBatchConcat` does: numbers, bools and strings become a 1-D tensor (float32, bool, string),
lists and NumPy arrays become one tensor with a new leading axis, Tensors are stacked (their
dtype kept), and dicts are batched field by field, recursively.

Beyond TF.js (where these cases throw): tuples, and lists holding Tensors or dicts, are
batched position by position, so `{'xs': [a, b], 'ys': c}` batches for a two-input model.

>>> import tfjs as tf
>>> b = deep_batch([{'x': 1, 'y': [1, 2]}, {'x': 2, 'y': [3, 4]}])
>>> b['x'].arraySync(), b['y'].shape
([1.0, 2.0], [2, 2])
"""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ..backend.engine import iter_tensors
from ..errors import ValueError
from ..tensor import Tensor, Variable

_SCALARS = (numbers.Number, str, bytes, np.generic)


def clone_element(element: Any, _seen: dict | None = None) -> Any:
    """A deep copy of the containers with a fresh handle for each Tensor (TF.js's `deepClone`).

    Tensor data is shared, not copied (tensors are immutable); the new handle can be disposed
    without affecting the original. Variables are copied, since they can change.
    """
    if _seen is None:
        _seen = {}
    key = id(element)
    if key in _seen:
        return _seen[key]
    if isinstance(element, Tensor):
        if isinstance(element, Variable):
            out = element.clone()
        else:
            out = Tensor._make(element._value(), element.dtype)
    elif isinstance(element, dict):
        out = type(element)() if type(element) is not dict else {}
        _seen[key] = out
        for k, v in element.items():
            out[k] = clone_element(v, _seen)
        return out
    elif isinstance(element, list):
        out = []
        _seen[key] = out
        out.extend(clone_element(v, _seen) for v in element)
        return out
    elif isinstance(element, tuple):
        out = type(element)(*(clone_element(v, _seen) for v in element)) \
            if hasattr(element, '_fields') else tuple(clone_element(v, _seen) for v in element)
    else:
        return element
    _seen[key] = out
    return out


def dispose_except(before: Any, after: Any) -> None:
    """Dispose the tensors of `before` that are not passed through into `after`."""
    inputs = list(iter_tensors(before))
    if not inputs:
        return
    kept = {id(t) for t in iter_tensors(after)}
    for t in inputs:
        if id(t) not in kept:
            t.dispose()


def dispose_element(element: Any) -> None:
    for t in iter_tensors(element):
        t.dispose()


# ---------------------------------------------------------------------------- batching

def _has_structure(row) -> bool:
    """True for a list row that TF.js could not tensorify: it holds Tensors or dicts."""
    stack = [row]
    while stack:
        item = stack.pop()
        if isinstance(item, (Tensor, dict)):
            return True
        if isinstance(item, (list, tuple)):
            stack.extend(item)
    return False


def deep_batch(rows: list) -> Any:
    """Batch a list of elements column by column (TF.js's `deepZip(rows, deepBatchConcat)`)."""
    example = rows[0]
    if isinstance(example, dict):
        out = {}
        for key in example:
            out[key] = deep_batch([_field(r, key) for r in rows])
        return out
    if isinstance(example, tuple) or (isinstance(example, list) and _has_structure(example)):
        n = len(example)
        for r in rows:
            if not isinstance(r, (list, tuple)) or len(r) != n:
                raise ValueError(f'Cannot batch elements of different structure: {example!r} and '
                                 f'{r!r}.')
        cols = [deep_batch([r[i] for r in rows]) for i in range(n)]
        if isinstance(example, tuple):
            return type(example)(*cols) if hasattr(example, '_fields') else tuple(cols)
        return cols
    return batch_concat(rows)


def _field(row, key):
    if not isinstance(row, dict):
        raise ValueError(f'Cannot batch elements of different structure: expected an object with '
                         f'key "{key}", got {row!r}.')
    return row.get(key)


def batch_concat(rows: list) -> Tensor:
    """One tensor from rows of Tensors (stacked), or of numbers / arrays (`tf.tensor(rows)`)."""
    from ..ops import stack, tensor
    if not rows:
        raise ValueError("Can't make a batch of zero elements.")
    if isinstance(rows[0], Tensor):
        return stack(rows)
    if isinstance(rows[0], np.ndarray):
        try:
            return tensor(np.stack([np.asarray(r) for r in rows]))
        except builtins_ValueError as exc:
            raise ValueError(f'Cannot batch arrays of different shapes: {exc}') from None
    try:
        return tensor(_none_to_zero(rows))
    except builtins_ValueError as exc:
        raise ValueError(f'Cannot batch these elements into one tensor ({exc}); the elements '
                         f'must have the same shape. First element: {rows[0]!r}.') from None


def _none_to_zero(rows):
    # TF.js turns null / undefined inside a batch of numbers into 0
    if any(r is None for r in rows):
        return [0 if r is None else r for r in rows]
    return rows


import builtins as _builtins  # noqa: E402

builtins_ValueError = _builtins.ValueError
