"""`tf.image` non-max suppression: nonMaxSuppression, WithScore (soft-NMS), Padded, and their
Async forms (which return a Promise inside an event loop, the value in synchronous code)."""
from __future__ import annotations

import bisect
import math

import torch

from .._async import resolved
from ..errors import ValueError
from ._dispatch import tensor_of, wrap

NAMESPACE = 'image'
__all__ = ['nonMaxSuppression', 'nonMaxSuppressionAsync', 'nonMaxSuppressionWithScore',
           'nonMaxSuppressionWithScoreAsync', 'nonMaxSuppressionPadded',
           'nonMaxSuppressionPaddedAsync']


def _check(boxes, scores, maxOutputSize, iouThreshold, scoreThreshold, softNmsSigma, op):
    b = tensor_of(boxes, 'boxes', op)
    s = tensor_of(scores, 'scores', op)
    iou = 0.5 if iouThreshold is None else float(iouThreshold)
    st = -math.inf if scoreThreshold is None else float(scoreThreshold)
    sigma = 0.0 if softNmsSigma is None else float(softNmsSigma)
    num = b.shape[0] if b.rank else 0
    max_out = min(int(maxOutputSize), num)
    if not 0 <= iou <= 1:
        raise ValueError(f"iouThreshold must be in [0, 1], but was '{iouThreshold}'")
    if b.rank != 2:
        raise ValueError(f"boxes must be a 2D tensor, but was of rank '{b.rank}'")
    if b.shape[1] != 4:
        raise ValueError(f'boxes must have 4 columns, but 2nd dimension was {b.shape[1]}')
    if s.rank != 1:
        raise ValueError('scores must be a 1D tensor')
    if s.shape[0] != num:
        raise ValueError(f'scores has incompatible shape with boxes. Expected {num}, but was '
                         f'{s.shape[0]}')
    if not 0 <= sigma <= 1:
        raise ValueError(f"softNmsSigma must be in [0, 1], but was '{softNmsSigma}'")
    bv = b._value().to(torch.float32).cpu().tolist()
    sv = s._value().to(torch.float32).cpu().tolist()
    return bv, sv, max_out, iou, st, sigma


def _iou(bi, bj):
    ymin_i, xmin_i, ymax_i, xmax_i = (min(bi[0], bi[2]), min(bi[1], bi[3]),
                                      max(bi[0], bi[2]), max(bi[1], bi[3]))
    ymin_j, xmin_j, ymax_j, xmax_j = (min(bj[0], bj[2]), min(bj[1], bj[3]),
                                      max(bj[0], bj[2]), max(bj[1], bj[3]))
    area_i = (ymax_i - ymin_i) * (xmax_i - xmin_i)
    area_j = (ymax_j - ymin_j) * (xmax_j - xmin_j)
    if area_i <= 0 or area_j <= 0:
        return 0.0
    inter = (max(min(ymax_i, ymax_j) - max(ymin_i, ymin_j), 0.0)
             * max(min(xmax_i, xmax_j) - max(xmin_i, xmin_j), 0.0))
    return inter / (area_i + area_j - inter)


def nms_impl(boxes: list, scores: list, max_out: int, iou_thr: float, score_thr: float,
             sigma: float = 0.0, pad: bool = False):
    """TF.js's nonMaxSuppressionImpl on plain lists: (indices, scores, validOutputs)."""
    # candidates kept sorted ascending by (score, -index): the last is the best, lowest index
    cands = sorted(([sc, -i, 0] for i, sc in enumerate(scores) if sc > score_thr),
                   key=lambda c: (c[0], c[1]))
    scale = -0.5 / sigma if sigma > 0 else 0.0
    sel, sel_scores = [], []
    while len(sel) < max_out and cands:
        cand = cands.pop()
        original, idx, begin = cand[0], -cand[1], cand[2]
        if original < score_thr:
            break
        ignore = False
        for j in range(len(sel) - 1, begin - 1, -1):
            iou = _iou(boxes[idx], boxes[sel[j]])
            if iou >= iou_thr:
                ignore = True
                break
            cand[0] = cand[0] * (math.exp(scale * iou * iou) if iou <= iou_thr else 0.0)
            if cand[0] <= score_thr:
                break
        cand[2] = len(sel)
        if not ignore:
            if cand[0] == original:
                sel.append(idx)
                sel_scores.append(cand[0])
            elif cand[0] > score_thr:
                keys = [(c[0], c[1]) for c in cands]
                cands.insert(bisect.bisect_left(keys, (cand[0], cand[1])), cand)
    valid = len(sel)
    if pad and max_out > valid:
        sel += [0] * (max_out - valid)
        sel_scores += [0.0] * (max_out - valid)
    return sel, sel_scores, valid


def _ints(v):
    return wrap(torch.tensor(v, dtype=torch.int32).reshape(-1), 'int32')


def nonMaxSuppression(boxes, scores, maxOutputSize: int, iouThreshold: float = 0.5,
                      scoreThreshold: float = float('-inf')):
    """Indices (int32) of the highest-scoring boxes [y1, x1, y2, x2], dropping any box whose IoU
    with an already selected box is >= iouThreshold.

    >>> import tfjs as tf
    >>> tf.image.nonMaxSuppression([[0, 0, 1, 1], [0, 0, 1, 0.9], [2, 2, 3, 3]], [0.9, 0.8, 0.7], 3).arraySync()
    [0, 2]
    """
    bv, sv, m, iou, st, _ = _check(boxes, scores, maxOutputSize, iouThreshold, scoreThreshold,
                                   None, 'nonMaxSuppression')
    return _ints(nms_impl(bv, sv, m, iou, st)[0])


def nonMaxSuppressionAsync(boxes, scores, maxOutputSize: int, iouThreshold: float = 0.5,
                           scoreThreshold: float = float('-inf')):
    """nonMaxSuppression, returning a Promise inside an event loop (the tensor otherwise).

    >>> import tfjs as tf
    >>> tf.image.nonMaxSuppressionAsync([[0, 0, 1, 1]], [0.5], 1).arraySync()
    [0]
    """
    bv, sv, m, iou, st, _ = _check(boxes, scores, maxOutputSize, iouThreshold, scoreThreshold,
                                   None, 'nonMaxSuppressionAsync')
    return resolved(_ints(nms_impl(bv, sv, m, iou, st)[0]))


def _with_score(boxes, scores, maxOutputSize, iouThreshold, scoreThreshold, softNmsSigma, op):
    bv, sv, m, iou, st, sigma = _check(boxes, scores, maxOutputSize, iouThreshold,
                                       scoreThreshold, softNmsSigma, op)
    sel, sc, _ = nms_impl(bv, sv, m, iou, st, sigma)
    return {'selectedIndices': _ints(sel),
            'selectedScores': wrap(torch.tensor(sc, dtype=torch.float32).reshape(-1), 'float32')}


def nonMaxSuppressionWithScore(boxes, scores, maxOutputSize: int, iouThreshold: float = 0.5,
                               scoreThreshold: float = float('-inf'), softNmsSigma: float = 0.0):
    """Soft-NMS (softNmsSigma > 0 decays overlapping scores instead of dropping them):
    {'selectedIndices': int32, 'selectedScores': float32}.

    >>> import tfjs as tf
    >>> tf.image.nonMaxSuppressionWithScore([[0, 0, 1, 1]], [0.5], 1)['selectedScores'].arraySync()
    [0.5]
    """
    return _with_score(boxes, scores, maxOutputSize, iouThreshold, scoreThreshold, softNmsSigma,
                       'nonMaxSuppressionWithScore')


def nonMaxSuppressionWithScoreAsync(boxes, scores, maxOutputSize: int, iouThreshold: float = 0.5,
                                    scoreThreshold: float = float('-inf'),
                                    softNmsSigma: float = 0.0):
    """nonMaxSuppressionWithScore as a Promise inside an event loop (the value otherwise).

    >>> import tfjs as tf
    >>> tf.image.nonMaxSuppressionWithScoreAsync([[0, 0, 1, 1]], [0.5], 1)['selectedIndices'].arraySync()
    [0]
    """
    return resolved(_with_score(boxes, scores, maxOutputSize, iouThreshold, scoreThreshold,
                                softNmsSigma, 'nonMaxSuppressionWithScoreAsync'))


def _padded(boxes, scores, maxOutputSize, iouThreshold, scoreThreshold, pad, op):
    bv, sv, m, iou, st, _ = _check(boxes, scores, maxOutputSize, iouThreshold, scoreThreshold,
                                   None, op)
    sel, _, valid = nms_impl(bv, sv, m, iou, st, 0.0, bool(pad))
    return {'selectedIndices': _ints(sel),
            'validOutputs': wrap(torch.tensor(valid, dtype=torch.int32), 'int32')}


def nonMaxSuppressionPadded(boxes, scores, maxOutputSize: int, iouThreshold: float = 0.5,
                            scoreThreshold: float = float('-inf'), padToMaxOutputSize: bool = False):
    """NMS whose selectedIndices are padded with 0 to min(maxOutputSize, numBoxes) when
    padToMaxOutputSize: {'selectedIndices', 'validOutputs'}.

    >>> import tfjs as tf
    >>> r = tf.image.nonMaxSuppressionPadded([[0, 0, 1, 1], [0, 0, 1, 1]], [0.9, 0.8], 2, 0.5, 0, True)
    >>> r['selectedIndices'].arraySync(), r['validOutputs'].arraySync()
    ([0, 0], 1)
    """
    return _padded(boxes, scores, maxOutputSize, iouThreshold, scoreThreshold, padToMaxOutputSize,
                   'nonMaxSuppression')


def nonMaxSuppressionPaddedAsync(boxes, scores, maxOutputSize: int, iouThreshold: float = 0.5,
                                 scoreThreshold: float = float('-inf'),
                                 padToMaxOutputSize: bool = False):
    """nonMaxSuppressionPadded as a Promise inside an event loop (the value otherwise).

    >>> import tfjs as tf
    >>> tf.image.nonMaxSuppressionPaddedAsync([[0, 0, 1, 1]], [0.9], 1)['validOutputs'].arraySync()
    1
    """
    return resolved(_padded(boxes, scores, maxOutputSize, iouThreshold, scoreThreshold,
                            padToMaxOutputSize, 'nonMaxSuppressionAsync'))
