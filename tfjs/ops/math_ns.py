"""The tf.math namespace: confusionMatrix."""
from __future__ import annotations

import torch

from ..errors import ValueError
from ..tensor import Tensor
from ._convert import convert
from ._dispatch import wrap

NAMESPACE = 'math'
__all__ = ['confusionMatrix']


def confusionMatrix(labels, predictions, numClasses: int) -> Tensor:
    """The int32 [numClasses, numClasses] confusion matrix (rows: labels, columns: predictions).

    >>> import tfjs as tf
    >>> tf.math.confusionMatrix(tf.tensor1d([0, 1, 2, 1, 0], 'int32'),
    ...                         tf.tensor1d([0, 0, 2, 1, 0], 'int32'), 3).arraySync()
    [[2, 0, 0], [1, 1, 0], [0, 0, 1]]
    """
    lab = convert(labels, 'labels', 'confusionMatrix')
    pred = convert(predictions, 'predictions', 'confusionMatrix')
    if numClasses is None or not (numClasses > 0 and float(numClasses).is_integer()):
        raise ValueError(f'numClasses is required to be a positive integer, but got {numClasses}')
    if lab.rank != 1:
        raise ValueError(f'Expected the rank of labels to be 1, but got {lab.rank}')
    if pred.rank != 1:
        raise ValueError(f'Expected the rank of predictions to be 1, but got {pred.rank}')
    if lab.shape[0] != pred.shape[0]:
        raise ValueError(f'Mismatch in the number of examples: {lab.shape[0]} vs. {pred.shape[0]}. '
                         'Labels and predictions should have the same number of elements.')
    n = int(numClasses)
    lt = _as_int(lab).long()
    pt = _as_int(pred).long()
    keep = (lt >= 0) & (lt < n) & (pt >= 0) & (pt < n)     # oneHot of an out-of-range id is all 0
    out = torch.zeros(n * n, dtype=torch.int32, device=lt.device)
    out = out.index_add(0, (lt * n + pt)[keep], torch.ones_like(lt[keep], dtype=torch.int32))
    return wrap(out.reshape(n, n), 'int32')


def _as_int(x: Tensor):
    t = x._value().detach()
    return torch.trunc(t).to(torch.int32) if t.is_floating_point() else t.to(torch.int32)
