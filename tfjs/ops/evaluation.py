"""Evaluation ops (TF.js doc section "Operations / Evaluation"): topk, unique, inTopKAsync,
searchSorted, lowerBound, upperBound. (confusionMatrix lives in `math_ns`, as tf.math.*.)"""
from __future__ import annotations

import math

import numpy as np
import torch

from .._async import resolved
from ..errors import ValueError
from ..tensor import Tensor
from ._convert import convert
from ._dispatch import wrap

__all__ = ['topk', 'unique', 'inTopKAsync', 'searchSorted', 'lowerBound', 'upperBound']
CHAINED = ['topk', 'unique']


def _cmp(a, b) -> float:
    """TF.js's comparePair: larger value first, then smaller index."""
    diff = b[0] - a[0]
    return a[1] - b[1] if diff == 0 else diff


def _select(arr: list, k: int, left: int = 0, right: int | None = None) -> None:
    """TF.js's Floyd-Rivest `select` (so unsorted topk returns TF.js's order)."""
    if right is None:
        right = len(arr) - 1
    while right > left:
        if right - left > 600:
            n = right - left + 1
            i = k - left + 1
            z = math.log(n)
            s = 0.5 * math.exp(2 * z / 3)
            sd = 0.5 * math.sqrt(z * s * (n - s) / n) * (1 if i - n / 2 > 0 else -1 if i - n / 2 < 0 else 0)
            _select(arr, k, max(left, math.floor(k - i * s / n + sd)),
                    min(right, math.floor(k + (n - i) * s / n + sd)))
        t = arr[k]
        i, j = left, right
        arr[left], arr[k] = arr[k], arr[left]
        if _cmp(arr[right], t) > 0:
            arr[left], arr[right] = arr[right], arr[left]
        while i < j:
            arr[i], arr[j] = arr[j], arr[i]
            i += 1
            j -= 1
            while _cmp(arr[i], t) < 0:
                i += 1
            while _cmp(arr[j], t) > 0:
                j -= 1
        if _cmp(arr[left], t) == 0:
            arr[left], arr[j] = arr[j], arr[left]
        else:
            j += 1
            arr[j], arr[right] = arr[right], arr[j]
        if j <= k:
            left = j + 1
        if k <= j:
            right = j - 1


def topk(x, k: int = 1, sorted: bool = True) -> dict:  # noqa: A002 - TF.js name
    """The `k` largest entries of the last dimension and their indices ({values, indices});
    ties go to the lower index.

    >>> import tfjs as tf
    >>> r = tf.topk(tf.tensor1d([1, 5, 3, 5]), 2)
    >>> r['values'].arraySync(), r['indices'].arraySync()
    ([5.0, 5.0], [1, 3])
    """
    x = convert(x, 'x', 'topk')
    if x.rank == 0:
        raise ValueError('topk() expects the input to be of rank 1 or higher')
    last = x.shape[-1]
    if k < 0:
        raise ValueError(f"'k' passed to topk() must be >= 0 but got {k}")
    if k > last:
        raise ValueError(f"'k' passed to topk() must be <= the last dimension ({last}) but got {k}")
    k = int(k)
    t = x._value()
    work = t.to(torch.uint8) if x.dtype == 'bool' else t
    if sorted or k >= last:
        if sorted:
            vals, idx = torch.sort(work, dim=-1, descending=True, stable=True)
            vals, idx = vals[..., :k], idx[..., :k]
        else:
            vals, idx = work, torch.arange(last, device=t.device).expand(t.shape)
    else:
        rows = t.detach().reshape(-1, last).cpu().double().numpy()
        order = []
        for row in rows:
            pairs = [(float(v), i) for i, v in enumerate(row)]
            _select(pairs, k)
            order.append([i for _, i in pairs[:k]])
        idx = torch.tensor(order, dtype=torch.long, device=t.device).reshape(list(t.shape[:-1]) + [k])
        vals = torch.gather(work, -1, idx)
    if x.dtype == 'bool':
        vals = vals != 0
    return {'values': wrap(vals, x.dtype), 'indices': wrap(idx.to(torch.int32), 'int32')}


def _key(v):
    if isinstance(v, float) and v != v:
        return 'NaN'
    return v


def unique(x, axis: int = 0) -> dict:
    """The unique elements (or slices along `axis`) in order of first occurrence, and for each
    input position the index of its unique element ({values, indices}).

    >>> import tfjs as tf
    >>> r = tf.unique(tf.tensor1d([1, 1, 2, 4, 4, 4, 7, 8, 8]))
    >>> r['values'].arraySync(), r['indices'].arraySync()
    ([1.0, 2.0, 4.0, 7.0, 8.0], [0, 0, 1, 2, 2, 2, 3, 4, 4])
    """
    x = convert(x, 'x', 'unique', 'string_or_numeric')
    if x.rank == 0:
        raise ValueError('The input tensor must be at least 1D')
    rank = x.rank
    if not -rank <= axis < rank:
        raise ValueError(f'All values in axis param must be in range [-{rank}, {rank}) but got '
                         f'axis {axis}')
    ax = axis % rank
    a = x._numpy()
    if x.dtype == 'complex64':
        raise ValueError('unique does not support complex64 tensors.')
    moved = np.moveaxis(a, ax, 0)
    n = moved.shape[0]
    flat = moved.reshape(n, int(np.prod(moved.shape[1:], dtype=np.int64))).tolist()
    seen: dict = {}
    indices, firsts = [], []
    for i, row in enumerate(flat):
        key = tuple(_key(v) for v in row)
        j = seen.get(key)
        if j is None:
            j = seen[key] = len(seen)
            firsts.append(i)
        indices.append(j)
    idx_t = torch.tensor(indices, dtype=torch.int32)
    if x.dtype == 'string':
        vals = np.moveaxis(moved[firsts], 0, ax).copy() if firsts else np.moveaxis(moved[:0], 0, ax).copy()
        return {'values': Tensor._make(vals, 'string'), 'indices': wrap(idx_t.to(_device(None)), 'int32')}
    t = x._value()
    sel = torch.tensor(firsts, dtype=torch.long, device=t.device)
    vals = torch.index_select(t.detach(), ax, sel)
    return {'values': wrap(vals, x.dtype), 'indices': wrap(idx_t.to(t.device), 'int32')}


def _device(_):
    from ..backend import device
    return device()


def inTopKAsync(predictions, targets, k: int = 1):
    """Whether each target is among the top `k` predictions of its row (a bool tensor; a
    Promise inside an event loop, as in TF.js).

    >>> import tfjs as tf
    >>> tf.inTopKAsync(tf.tensor2d([[20, 10, 40, 30], [30, 50, -20, 10]]), tf.tensor1d([2, 0]), 2).arraySync()
    [1, 1]
    """
    p = convert(predictions, 'predictions', 'inTopK')
    t = convert(targets, 'targets', 'inTopK')
    if p.rank <= 1:
        raise ValueError(f'inTopK() expects the predictions to be of rank 2 or higher, but got {p.rank}')
    if p.rank - 1 != t.rank:
        raise ValueError(f'predictions rank should be 1 larger than targets rank, but got '
                         f'predictions rank {p.rank} and targets rank {t.rank}')
    if p.shape[:-1] != t.shape:
        raise ValueError("predictions's shape should be align with the targets' shape, except the "
                         f'last dimension. Shapes {p.shape[:-1]} and {t.shape} must match')
    last = p.shape[-1]
    if not 0 < k <= last:
        raise ValueError(f"'k' passed to inTopK() must be > 0 && <= the predictions last dimension "
                         f'({last}), but got {k}')
    pt = p._value().detach()
    pt = pt.to(torch.float64) if pt.dtype != torch.float64 else pt
    order = torch.sort(pt, dim=-1, descending=True, stable=True).indices[..., :int(k)]
    hit = (order.to(torch.float64) == t._value().detach().to(torch.float64).unsqueeze(-1)).any(-1)
    return resolved(wrap(hit, 'bool'))


def searchSorted(sortedSequence, values, side: str = 'left') -> Tensor:
    """For each value, the insertion index into the sorted last dimension of `sortedSequence`
    (`side` 'left': first such index, 'right': last). The result is 2-D ([-1, values' last dim]).

    >>> import tfjs as tf
    >>> tf.searchSorted(tf.tensor1d([0, 1, 2, 3]), tf.tensor1d([1.5, 3])).arraySync()
    [[2, 3]]
    """
    s = convert(sortedSequence, 'sortedSequence', 'searchSorted')
    v = convert(values, 'values', 'searchSorted')
    if s.rank == 0 or v.rank == 0:
        raise ValueError('searchSorted needs sortedSequence and values of rank 1 or higher.')
    st = s._value().detach().reshape(-1, s.shape[-1]) if s.size or s.shape[-1] \
        else s._value().reshape(0, 0)
    vt = v._value().detach().reshape(-1, v.shape[-1]) if v.size or v.shape[-1] \
        else v._value().reshape(0, 0)
    if st.shape[0] != vt.shape[0]:
        raise ValueError("Leading dimension of 'sortedSequence' and 'values' must match.")
    st, vt = st.to(torch.float64).contiguous(), vt.to(torch.float64).contiguous()
    out = torch.searchsorted(st, vt, right=side == 'right') if st.shape[1] else \
        torch.zeros(vt.shape, dtype=torch.long, device=vt.device)
    return wrap(out.to(torch.int32), 'int32')


def lowerBound(sortedSequence, values) -> Tensor:
    """`searchSorted(sortedSequence, values, 'left')`.

    >>> import tfjs as tf
    >>> tf.lowerBound(tf.tensor1d([0, 3, 9, 10, 10]), tf.tensor1d([0, 4, 10])).arraySync()
    [[0, 2, 3]]
    """
    return searchSorted(sortedSequence, values, 'left')


def upperBound(sortedSequence, values) -> Tensor:
    """`searchSorted(sortedSequence, values, 'right')`.

    >>> import tfjs as tf
    >>> tf.upperBound(tf.tensor1d([0, 3, 9, 10, 10]), tf.tensor1d([0, 4, 10])).arraySync()
    [[1, 2, 5]]
    """
    return searchSorted(sortedSequence, values, 'right')
