"""tf.linalg: bandPart, gramSchmidt, qr (TF.js doc section "Operations / Linear Algebra").

qr uses TF.js's own Householder sequence (so Q and R carry TF.js's signs) written in batched
torch ops, differentiable through autograd as TF.js's composite op is. A batched qr returns
Q [..., m, m or k] and R [..., m or k, n] (TF.js reshapes both to x.shape, which only works for
square matrices)."""
from __future__ import annotations

from typing import Sequence

import torch

from ..errors import ValueError
from ..tensor import Tensor
from ._convert import convert
from ._dispatch import wrap

NAMESPACE = 'linalg'
__all__ = ['bandPart', 'gramSchmidt', 'qr']


def _band_limit(v, size: int, name: str) -> int:
    if isinstance(v, Tensor):
        if v.dtype != 'int32':
            raise ValueError(f"bandPart(): {name}'s dtype must be an int32.")
        v = int(v.item())
        return size if v < 0 else min(v, size)
    if v % 1 != 0:
        raise ValueError(f'bandPart(): {name} must be an integer, got {v}.')
    what = 'rows' if name == 'numLower' else 'columns'
    if v > size:
        raise ValueError(f'bandPart(): {name} ({v}) must not be greater than the number of {what} '
                         f'({size}).')
    return size if v < 0 else int(v)


def bandPart(a, numLower, numUpper) -> Tensor:
    """Keep the band of each inner matrix (`numLower` subdiagonals, `numUpper` superdiagonals;
    negative keeps the whole triangle), zeroing the rest.

    >>> import tfjs as tf
    >>> tf.linalg.bandPart(tf.ones([3, 3]), 0, 1).arraySync()
    [[1.0, 1.0, 0.0], [0.0, 1.0, 1.0], [0.0, 0.0, 1.0]]
    """
    x = convert(a, 'a', 'bandPart')
    if x.rank < 2:
        raise ValueError(f'bandPart(): Rank must be at least 2, got {x.rank}.')
    m, n = x.shape[-2:]
    lower = _band_limit(numLower, m, 'numLower')
    upper = _band_limit(numUpper, n, 'numUpper')
    t = x._value()
    ij = torch.arange(m, device=t.device).unsqueeze(1) - torch.arange(n, device=t.device)
    keep = (ij <= lower) & (ij >= -upper)
    return wrap(torch.where(keep, t, torch.zeros((), dtype=t.dtype, device=t.device)), x.dtype)


def gramSchmidt(xs):
    """Orthonormalise vectors (a list of 1-D tensors, or the rows of a 2-D tensor) in order.

    >>> import tfjs as tf
    >>> tf.linalg.gramSchmidt(tf.tensor2d([[1, 1], [0, 2]])).shape
    [2, 2]
    """
    as_list = isinstance(xs, (list, tuple))
    if as_list:
        if not xs:
            raise ValueError('Gram-Schmidt process: input must not be null, undefined, or empty')
        vs = [convert(v, 'xs', 'gramSchmidt')._value() for v in xs]
        for v in vs[1:]:
            if v.shape[0] != vs[0].shape[0]:
                raise ValueError(f'Gram-Schmidt: Non-unique lengths found in the input vectors: '
                                 f'({v.shape[0]} vs. {vs[0].shape[0]})')
    else:
        vs = list(convert(xs, 'xs', 'gramSchmidt')._value().unbind(0))
    if len(vs) > vs[0].shape[0]:
        raise ValueError(f'Gram-Schmidt: Number of vectors ({len(vs)}) exceeds number of '
                         f'dimensions ({vs[0].shape[0]}).')
    vs = [v if v.dtype == torch.float32 else v.to(torch.float32) for v in vs]
    ys = []
    for x in vs:
        for y in ys:
            x = x - (y * x).sum() * y
        ys.append(x / torch.sqrt((x * x).sum()))
    if as_list:
        return [wrap(y, 'float32') for y in ys]
    return wrap(torch.stack(ys, 0), 'float32')


def _qr(r, full: bool):
    m, n = r.shape[-2:]
    batch = r.shape[:-2]
    q = torch.eye(m, dtype=r.dtype, device=r.device).expand(*batch, m, m)
    one = torch.ones(*batch, 1, 1, dtype=r.dtype, device=r.device)
    for j in range(min(m, n)):
        col = r[..., j:, j:j + 1]
        norm = torch.sqrt((col * col).sum((-2, -1), keepdim=True))
        rjj = r[..., j:j + 1, j:j + 1]
        s = torch.where(rjj > 0, -one, one)
        u1 = rjj - s * norm
        w = torch.cat([one, (col / u1)[..., 1:, :]], -2)
        tau = -(s * u1) / norm
        tw = tau * w
        rows = r[..., j:, :]
        r = torch.cat([r[..., :j, :], rows - tw @ (w.transpose(-1, -2) @ rows)], -2)
        qcols = q[..., :, j:]
        q = torch.cat([q[..., :, :j], qcols - (qcols @ w) @ tw.transpose(-1, -2)], -1)
    if not full and m > n:
        q, r = q[..., :, :n], r[..., :n, :]
    return q, r


def qr(x, fullMatrices: bool = False) -> list:
    """QR decomposition of the inner matrices by Householder reflections; returns [q, r].

    >>> import tfjs as tf
    >>> q, r = tf.linalg.qr(tf.tensor2d([[1, 2], [3, 4]]))
    >>> [round(v, 4) for v in r.arraySync()[0]]
    [-3.1623, -4.4272]
    """
    x = convert(x, 'x', 'qr')
    if x.rank < 2:
        raise ValueError(f'qr() requires input tensor to have a rank >= 2, but got rank {x.rank}')
    t = x._value()
    t = t if t.dtype == torch.float32 else t.to(torch.float32)
    q, r = _qr(t, bool(fullMatrices))
    return [wrap(q, 'float32'), wrap(r, 'float32')]
