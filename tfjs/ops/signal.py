"""tf.signal: hammingWindow, hannWindow, frame, stft."""
from __future__ import annotations

from typing import Callable

import torch

from ..errors import ValueError
from ..tensor import Tensor
from ._convert import convert
from ._dispatch import wrap

NAMESPACE = 'signal'
__all__ = ['hammingWindow', 'hannWindow', 'frame', 'stft']


def _cosine_window(length: int, a: float, b: float) -> Tensor:
    from .signal_util import cosineWindow
    return cosineWindow(length, a, b)


def hannWindow(windowLength: int) -> Tensor:
    """The Hann window `0.5 - 0.5 cos(2 pi i / (N - 1))` (N rounded up to odd, as in TF.js).

    >>> import tfjs as tf
    >>> tf.signal.hannWindow(4).shape
    [4]
    """
    return _cosine_window(windowLength, 0.5, 0.5)


def hammingWindow(windowLength: int) -> Tensor:
    """The Hamming window `0.54 - 0.46 cos(2 pi i / (N - 1))`.

    >>> import tfjs as tf
    >>> tf.signal.hammingWindow(3).shape
    [3]
    """
    return _cosine_window(windowLength, 0.54, 0.46)


def frame(signal, frameLength: int, frameStep: int, padEnd: bool = False,
          padValue: float = 0) -> Tensor:
    """Slice a 1-D signal into frames of `frameLength` every `frameStep` samples (padding the
    last frames with `padValue` when `padEnd`).

    >>> import tfjs as tf
    >>> tf.signal.frame(tf.range(0, 5), 2, 2).arraySync()
    [[0.0, 1.0], [2.0, 3.0]]
    """
    x = convert(signal, 'signal', 'frame')
    t = x._value().reshape(-1)
    size = t.shape[0]
    frameLength, frameStep = int(frameLength), int(frameStep)
    if frameStep <= 0 or frameLength < 0:
        raise ValueError(f'frame(): frameLength ({frameLength}) must be >= 0 and frameStep '
                         f'({frameStep}) > 0.')
    starts, start = [], 0
    while start + frameLength <= size:
        starts.append(start)
        start += frameStep
    if padEnd and frameLength > 0:
        while start < size:
            starts.append(start)
            start += frameStep
    if not starts:
        return wrap(torch.zeros(0, frameLength, dtype=torch.float32, device=t.device), 'float32')
    last = starts[-1] + frameLength
    if last > size:
        pad = torch.full([last - size], float(padValue), dtype=t.dtype, device=t.device)
        t = torch.cat([t, pad])
    idx = torch.tensor(starts, device=t.device).unsqueeze(1) + torch.arange(frameLength, device=t.device)
    return wrap(t[idx], x.dtype)


def stft(signal, frameLength: int, frameStep: int, fftLength: int | None = None,
         windowFn: Callable[[int], Tensor] = hannWindow) -> Tensor:
    """Short-time Fourier transform: frame, window (Hann by default), rfft of `fftLength`
    (the enclosing power of two of frameLength by default).

    >>> import tfjs as tf
    >>> tf.signal.stft(tf.tensor1d([1, 1, 1, 1, 1]), 3, 1).shape
    [3, 3]
    """
    from .arithmetic import mul
    from .spectral import rfft
    from .signal_util import enclosingPowerOfTwo
    if fftLength is None:
        fftLength = enclosingPowerOfTwo(frameLength)
    framed = frame(signal, frameLength, frameStep)
    return rfft(mul(framed, windowFn(frameLength)), fftLength)
