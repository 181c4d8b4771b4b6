"""Complex numbers: tf.complex, tf.real, tf.imag (TF.js doc section "Tensors / Creation")."""
from __future__ import annotations

import torch

from ..errors import ValueError
from ..tensor import Tensor
from ._convert import convert
from ._dispatch import wrap

__all__ = ['complex', 'real', 'imag']


def complex(real, imag) -> Tensor:  # noqa: A001 - TF.js name
    """A complex64 tensor from float real and imaginary parts of the same shape.

    >>> import tfjs as tf
    >>> tf.complex([1, 2], [3, 4]).dtype
    'complex64'
    """
    re = convert(real, 'real', 'complex')
    im = convert(imag, 'imag', 'complex')
    if re.shape != im.shape:
        raise ValueError(f'real and imag shapes, {re.shape} and {im.shape}, must match in call to '
                         'tf.complex().')
    return wrap(torch.complex(_float(re), _float(im)), 'complex64')


def _float(x: Tensor):
    t = x._value()
    if x.dtype == 'complex64':
        return t.real
    return t if t.dtype == torch.float32 else t.to(torch.float32)


def real(input) -> Tensor:  # noqa: A002 - TF.js name
    """The real part of a complex tensor (a float32 copy of a real tensor).

    >>> import tfjs as tf
    >>> tf.real(tf.complex([1, 2], [3, 4])).arraySync()
    [1.0, 2.0]
    """
    x = convert(input, 'input', 'real')
    t = x._value()
    return wrap(t.real.clone() if x.dtype == 'complex64' else _float(x).clone(), 'float32')


def imag(input) -> Tensor:  # noqa: A002 - TF.js name
    """The imaginary part of a complex tensor (zeros for a real tensor).

    >>> import tfjs as tf
    >>> tf.imag(tf.complex([1, 2], [3, 4])).arraySync()
    [3.0, 4.0]
    """
    x = convert(input, 'input', 'imag')
    t = x._value()
    return wrap(t.imag.clone() if x.dtype == 'complex64' else torch.zeros_like(_float(x)), 'float32')
