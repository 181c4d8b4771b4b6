"""tf.einsum (TF.js doc section "Tensors / Matrices"), with TF.js's supported subset: exactly one
arrow, no ellipsis, at most two inputs, no repeated subscript within one input."""
from __future__ import annotations

import re

import torch

from ..errors import ValueError
from ..tensor import Tensor
from ._convert import convert
from ._dispatch import wrap

__all__ = ['einsum']


def einsum(equation: str, *tensors) -> Tensor:
    """Einstein summation, e.g. 'ij,jk->ik' (matMul) or 'ij->ji' (transpose).

    >>> import tfjs as tf
    >>> tf.einsum('i,i->', tf.tensor1d([1, 2, 3]), tf.tensor1d([4, 5, 6])).arraySync()
    32.0
    """
    xs = [convert(t, f'tensors{i}', 'einsum') for i, t in enumerate(tensors)]
    eq = re.sub(r'\s', '', equation)
    arrows = eq.count('->')
    if arrows < 1:
        raise ValueError('Equations without an arrow are not supported.')
    if arrows > 1:
        raise ValueError('Equation must contain exactly one arrow ("->").')
    ins, out = eq.split('->')
    if '...' in ins:
        raise ValueError('The ellipsis notation ("...") is not supported yet.')
    terms = ins.split(',')
    if len(xs) != len(terms):
        raise ValueError(f'Expected {len(terms)} input tensors, received {len(xs)}')
    if len(terms) > 2:
        raise ValueError('Support for more than 2 input tensors is not implemented yet.')
    for d in out:
        if not any(d in term for term in terms):
            raise ValueError(f'Output subscripts contain the label {d} not present in the input '
                             'subscripts.')
    for term in terms:
        if len(set(term)) != len(term):
            raise ValueError(f'Found duplicate axes in input component {term}. Support for '
                             'duplicate axes in input is not implemented yet.')
    sizes: dict = {}
    for term, x in zip(terms, xs):
        if len(term) != x.rank:
            raise ValueError(f'Expected {len(term)} dimensions in input component {term}, but the '
                             f'tensor has rank {x.rank}.')
        for d, n in zip(term, x.shape):
            if sizes.setdefault(d, n) != n:
                raise ValueError(f'Expected dimension {sizes[d]} at axis {term.index(d)} of input '
                                 f'shaped {x.shape}, but got dimension {n}')
    dtypes = {x.dtype for x in xs}
    dtype = 'float32' if 'float32' in dtypes else 'int32' if 'int32' in dtypes else 'bool'
    if dtypes & {'string', 'complex64'}:
        raise ValueError(f'einsum does not support {sorted(dtypes)} tensors.')
    if dtype == 'float32':
        ts = [x._value() if x.dtype == 'float32' else x._value().to(torch.float32) for x in xs]
        return wrap(torch.einsum(f'{ins}->{out}', *ts), 'float32')
    ts = [x._value().to(torch.int64) for x in xs]
    res = torch.einsum(f'{ins}->{out}', *ts).to(torch.int32)
    return wrap(res if dtype == 'int32' else res != 0, dtype)
