"""Matching weights read from a file to a model's variables (TF.js's `Container.loadWeights`).

Weights are matched by name: a model variable's `originalName` (`dense_Dense1/kernel`) against
the file's keys. Names that do not match exactly are retried, in this order, with:

1. a trailing `:0` removed (`dense/kernel:0`, as Keras HDF5 names variables);
2. the second-to-last component removed (TF >= 2.2 RNNs: `lstm/lstm_cell/kernel` -> `lstm/kernel`);
3. a `_1` suffix removed from, or added to, the layer name (`conv2d_10_1/kernel` <->
   `conv2d_10/kernel`, as Keras names variables of a model built twice in one session).

A fallback only takes a variable that no other file weight matched exactly. Everything is checked
(names, shapes, dtypes) before anything is returned, so a caller that writes the returned pairs
never leaves a model half loaded.
"""
from __future__ import annotations

import difflib
from typing import Mapping, Sequence

from ..errors import ValueError
from ..tensor import Tensor, convert_to_tensor


def _strip_colon0(name: str) -> str:
    return name[:-2] if name.endswith(':0') else name


def _drop_cell(name: str) -> str | None:
    tokens = name.split('/')
    if len(tokens) < 3:
        return None
    return '/'.join(tokens[:-2] + [tokens[-1]])


def _suffix_variants(name: str) -> list:
    tokens = name.split('/')
    if len(tokens) < 2:
        return []
    out = []
    for i in range(len(tokens) - 1):
        t = tokens[i]
        alt = t[:-2] if t.endswith('_1') and len(t) > 2 else t + '_1'
        out.append('/'.join(tokens[:i] + [alt] + tokens[i + 1:]))
    return out


def candidate_names(name: str) -> list:
    """The names a file weight may match, most specific first.

    >>> candidate_names('lstm_1/lstm_cell/kernel:0')[:3]
    ['lstm_1/lstm_cell/kernel:0', 'lstm_1/lstm_cell/kernel', 'lstm_1/kernel']
    """
    base = _strip_colon0(name)
    out = [name, base]
    dropped = _drop_cell(base)
    if dropped:
        out.append(dropped)
    for n in [base] + ([dropped] if dropped else []):
        out.extend(_suffix_variants(n))
    seen, unique = set(), []
    for n in out:
        if n not in seen:
            seen.add(n)
            unique.append(n)
    return unique


def _shape(x) -> list:
    return [int(d) for d in x.shape]


def match_weights(model_weights: Sequence, incoming: Mapping, strict: bool = True,
                  model_name: str = 'model') -> list:
    """Pair model variables with file weights: `[(LayerVariable, Tensor)]`, fully validated.

    `model_weights`: the model's `LayerVariable`s (anything with `originalName`, `shape`,
    `dtype`). `incoming`: `{name: Tensor}` from a file (nested lists or NumPy arrays are
    converted to the variable's dtype). With `strict`, file weights that match
    nothing and model weights the file lacks raise a `ValueError` that lists both; without it they
    are ignored. Shape or dtype disagreements always raise, naming the weight.

    >>> import tfjs as tf
    >>> from tfjs.engine.variables import LayerVariable
    >>> v = LayerVariable(tf.zeros([2]), name='lstm/kernel')
    >>> [(a.originalName, b.shape) for a, b in match_weights([v], {'lstm/lstm_cell/kernel:0': tf.ones([2])})]
    [('lstm/kernel', [2])]
    """
    by_name: dict = {}
    for w in model_weights:
        if w.originalName in by_name:
            raise ValueError(f'Duplicate weight name: {w.originalName}')
        by_name[w.originalName] = w
    free = dict(by_name)
    matched: list = []          # (file name, variable)
    pending: list = []
    for name in incoming:       # exact names (and ':0') first, so fallbacks never steal them
        key = name if name in free else _strip_colon0(name)
        if key in free:
            matched.append((name, free.pop(key)))
        else:
            pending.append(name)
    unmatched = []
    for name in pending:
        key = next((c for c in candidate_names(name) if c in free), None)
        if key is None:
            unmatched.append(name)
        else:
            matched.append((name, free.pop(key)))

    if strict and (unmatched or free):
        raise ValueError(_mismatch_message(model_name, unmatched, list(free), len(by_name)))
    values, problems = {}, []
    for name, var in matched:
        value = incoming[name]
        if not isinstance(value, Tensor):        # nested lists / NumPy arrays, as TF.js allows
            value = convert_to_tensor(value, name, 'loadWeights', var.dtype)
        values[name] = value
        if _shape(value) != [int(d) for d in var.shape]:
            problems.append(f"weight '{var.originalName}' expects shape {list(var.shape)}, but the "
                            f"file's '{name}' has shape {_shape(value)}")
        elif value.dtype != var.dtype:
            problems.append(f"weight '{var.originalName}' has dtype {var.dtype}, but the file's "
                            f"'{name}' has dtype {value.dtype}")
    if problems:
        raise ValueError(f'Cannot load weights into model "{model_name}": ' + '; '.join(problems)
                         + '. The file was saved from a model with a different architecture.')
    order = {id(w): i for i, w in enumerate(model_weights)}
    matched.sort(key=lambda pair: order[id(pair[1])])
    return [(var, values[name]) for name, var in matched]


def _preview(names: list, limit: int = 20) -> str:
    shown = ', '.join(names[:limit])
    return shown + (f', ... ({len(names) - limit} more)' if len(names) > limit else '')


def _mismatch_message(model_name: str, unmatched: list, unset: list, total: int) -> str:
    parts = [f'The weights do not match model "{model_name}".']
    if unmatched:
        parts.append(f'Provided weight data has no target variable: {_preview(unmatched)} '
                     f'({len(unmatched)} weight(s) in the file match no weight of the model).')
    if unset:
        hint = ''
        if unmatched:
            close = difflib.get_close_matches(unset[0], unmatched, n=1, cutoff=0.5)
            hint = f' (the file has "{close[0]}"; was the model built differently?)' if close else ''
        parts.append(f'{len(unset)} of {total} weights are not set: {_preview(unset)}{hint}.')
    parts.append('Pass strict: false (e.g. tf.loadLayersModel(path, {"strict": False}) or '
                 'model.loadWeights(weights, False)) to load the weights that match and ignore '
                 'the rest.')
    return ' '.join(parts)
