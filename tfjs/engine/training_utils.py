"""Input standardization and batching helpers for compile/fit/evaluate/predict."""
from __future__ import annotations

from typing import Sequence

import torch

from ..errors import ValueError
from ..tensor import Tensor, convert_to_tensor


def standardize_input_data(data, names: Sequence[str], shapes: Sequence | None, check_batch_axis: bool = True,
                           exception_prefix: str = 'input') -> list:
    """Tensors for each model input (or output), from a Tensor, a list, or `{name: tensor}`;
    shapes checked against the model's (expected vs got)."""
    if not names:
        return []
    if isinstance(data, dict):
        missing = [n for n in names if n not in data]
        if missing:
            raise ValueError(f'No data provided for "{missing[0]}". Need data for each key in: '
                             f'{list(names)}')
        arrays = [data[n] for n in names]
    elif isinstance(data, (list, tuple)) and data and (isinstance(data[0], Tensor) or
                                                       _is_array_like_per_input(data, len(names))):
        if len(data) != len(names):
            raise ValueError(f'Error when checking model {exception_prefix}: the Array of Tensors '
                             f'that you are passing to your model is not the size the model '
                             f'expected. Expected to see {len(names)} Tensor(s), but instead got '
                             f'{len(data)} Tensor(s).')
        arrays = list(data)
    else:
        if len(names) > 1:
            raise ValueError(f'The model {exception_prefix} expects {len(names)} tensors, but got a '
                             'single one. Pass a list (one tensor per input) or a dict keyed by '
                             f'input name: {list(names)}.')
        arrays = [data]
    arrays = [_as_float_tensor(a, exception_prefix) for a in arrays]
    if shapes is not None:
        for i, (name, a, shape) in enumerate(zip(names, arrays, shapes)):
            if shape is None:
                continue
            got = list(a.shape)
            if len(got) != len(shape):
                raise ValueError(f'Error when checking {exception_prefix}: expected {name} to have '
                                 f'{len(shape)} dimension(s), but got array with shape {got}. '
                                 f'(Expected shape {_shape_str(shape)}.)')
            for j, (want, have) in enumerate(zip(shape, got)):
                if j == 0 and not check_batch_axis:
                    continue
                if want is not None and want != have:
                    raise ValueError(f'Error when checking {exception_prefix}: expected {name} to '
                                     f'have shape {_shape_str(shape)} but got array with shape '
                                     f'{_shape_str(got)}.')
    return arrays


def _is_array_like_per_input(data, n: int) -> bool:
    import numpy as np
    return n > 1 and len(data) == n and all(isinstance(d, (np.ndarray, list, tuple)) for d in data)


def _as_float_tensor(a, prefix: str) -> Tensor:
    if isinstance(a, Tensor):
        return a
    try:
        return convert_to_tensor(a, prefix, 'fit')
    except Exception as exc:  # noqa: BLE001 - re-raised with context
        raise ValueError(f'Could not convert the {prefix} data to a tensor: {exc}') from None


def _shape_str(shape) -> str:
    return '[' + ','.join('null' if d is None else str(d) for d in shape) + ']'


def check_array_lengths(inputs: list, targets: list) -> None:
    """All inputs and targets must have the same number of samples."""
    counts = {int(t.shape[0]) for t in inputs}
    if len(counts) > 1:
        raise ValueError(f'All input Tensors (x) should have the same number of samples. Got array '
                         f'shapes: {[t.shape for t in inputs]}')
    tcounts = {int(t.shape[0]) for t in targets}
    if len(tcounts) > 1:
        raise ValueError(f'All target Tensors (y) should have the same number of samples. Got array '
                         f'shapes: {[t.shape for t in targets]}')
    if counts and tcounts and counts != tcounts:
        raise ValueError(f'Input Tensors should have the same number of samples as target Tensors. '
                         f'Found {counts.pop()} input sample(s) and {tcounts.pop()} target sample(s).')


def make_batches(size: int, batch_size: int) -> list:
    """[(start, end), ...] covering range(size) in batches."""
    return [(i, min(size, i + batch_size)) for i in range(0, size, batch_size)]


def slice_rows(t: torch.Tensor, start: int, end: int, index: torch.Tensor | None):
    """Rows [start, end) of t, in `index` order when given (shuffling)."""
    if index is None:
        return t[start:end]
    return t.index_select(0, index[start:end])


def class_weights_to_sample_weights(y: Tensor, class_weight: dict) -> torch.Tensor:
    """Per-sample weights from `{classIndex: weight}` and the targets (argMax for one-hot)."""
    t = y._value()
    if t.ndim == 2 and t.shape[1] > 1:
        labels = t.argmax(dim=1)
    elif t.ndim == 2 and t.shape[1] == 1:
        labels = t.reshape(-1).round().long()
    elif t.ndim == 1:
        labels = t.round().long()
    else:
        raise ValueError(f'class weighting needs targets of rank 1 or 2; got shape {list(t.shape)}.')
    weights = torch.zeros(labels.shape[0], dtype=torch.float32, device=t.device)
    keys = {int(k): float(v) for k, v in class_weight.items()}
    present = set(int(v) for v in torch.unique(labels).tolist())
    for cls in present:
        if cls not in keys:
            raise ValueError(f'classWeight must contain all classes in the training data. The class '
                             f'{cls} exists in the data but not in classWeight.')
        weights[labels == cls] = keys[cls]
    return weights
