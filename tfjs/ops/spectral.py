"""tf.spectral: fft, ifft, rfft, irfft over the innermost dimension (also exported at tf.*)."""
from __future__ import annotations

import torch

from ..errors import ValueError
from ..tensor import Tensor
from ._convert import convert
from ._dispatch import wrap

NAMESPACE = 'spectral'
__all__ = ['fft', 'ifft', 'rfft', 'irfft']
TOP_LEVEL = ['fft', 'ifft', 'rfft', 'irfft']
CHAINED = ['fft', 'ifft', 'rfft', 'irfft']


def _complex(x, op: str):
    x = convert(x, 'input', op, 'string_or_numeric')
    if x.dtype != 'complex64':
        raise ValueError(f'The dtype for tf.spectral.{op}() must be complex64 but got {x.dtype}.')
    return x._value()


def fft(input) -> Tensor:  # noqa: A002 - TF.js name
    """The discrete Fourier transform of the innermost dimension of a complex64 tensor.

    >>> import tfjs as tf
    >>> tf.spectral.fft(tf.complex([1, 2, 3], [0, 0, 0])).shape
    [3]
    """
    return wrap(torch.fft.fft(_complex(input, 'fft'), dim=-1), 'complex64')


def ifft(input) -> Tensor:  # noqa: A002 - TF.js name
    """The inverse discrete Fourier transform of the innermost dimension (divided by its length).

    >>> import tfjs as tf
    >>> tf.spectral.ifft(tf.spectral.fft(tf.complex([1, 2], [0, 0]))).arraySync()
    [1.0, 0.0, 2.0, 0.0]
    """
    return wrap(torch.fft.ifft(_complex(input, 'ifft'), dim=-1), 'complex64')


def rfft(input, fftLength: int | None = None) -> Tensor:  # noqa: A002 - TF.js name
    """The FFT of a real float32 signal, keeping the fftLength // 2 + 1 non-negative frequencies;
    `fftLength` crops or zero-pads the innermost dimension first.

    >>> import tfjs as tf
    >>> tf.spectral.rfft(tf.tensor1d([1, 2, 3, 4])).shape
    [3]
    """
    x = convert(input, 'input', 'rfft', 'string_or_numeric')
    if x.dtype != 'float32':
        raise ValueError(f'The dtype for rfft() must be real value but got {x.dtype}')
    t = x._value()
    n = t.shape[-1] if fftLength is None else int(fftLength)
    return wrap(torch.fft.rfft(t, n=n, dim=-1), 'complex64')


def irfft(input) -> Tensor:  # noqa: A002 - TF.js name
    """The inverse of rfft: from n = inner size complex values, 2 * (n - 1) real values (for
    n <= 2, the real part of ifft). As in TF.js, the result is 2-D [batch, length], or 3-D for a
    3-D input.

    >>> import tfjs as tf
    >>> tf.spectral.irfft(tf.spectral.rfft(tf.tensor1d([1, 2, 3, 4]))).arraySync()
    [[1.0, 2.0, 3.0, 4.0]]
    """
    x = convert(input, 'input', 'irfft', 'string_or_numeric')
    t = x._value()
    if x.dtype != 'complex64':
        t = torch.complex(t.to(torch.float32), torch.zeros_like(t, dtype=torch.float32))
    n = t.shape[-1] if t.ndim else 1
    size = t.numel()
    batch = size // n if n else 0
    flat = t.reshape(batch, n)
    if n > 2:
        mid = flat[:, 1:n - 1].flip(1)
        flat = torch.cat([flat, torch.complex(mid.real, -mid.imag)], 1)
    out = torch.fft.ifft(flat, dim=-1).real
    if x.rank == 3 and x.shape[0] != 0:
        b = x.shape[0]
        out = out.reshape(b, out.shape[0] // b, out.shape[1])
    return wrap(out.contiguous(), 'float32')
