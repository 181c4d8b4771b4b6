"""Noise layers: GaussianNoise, GaussianDropout, AlphaDropout (TF.js's `layers/noise.ts`).

All three are the identity at inference and act only when called with `training: true`
(`model.fit` does). A `seed` (Keras) makes the noise reproducible.
"""
from __future__ import annotations

import math

import torch

from ..errors import ValueError
from ..tensor import Tensor
from .core import TorchLayer, one_input

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class _Noise(TorchLayer):
    """Shared plumbing: masks pass through, shape unchanged, optional seeded generator."""

    CONFIG_KEYS = ('seed',)

    def __init__(self, args: dict):
        super().__init__(args)
        self.supportsMasking = True
        self.seed = args.get('seed')
        self._generator = None
        if self.seed is not None:
            self._generator = torch.Generator(device='cpu')
            self._generator.manual_seed(int(self.seed))

    def _random(self, kind: str, shape, like: torch.Tensor) -> torch.Tensor:
        fn = torch.randn if kind == 'normal' else torch.rand
        if self._generator is not None:
            return fn(list(shape), generator=self._generator, dtype=like.dtype).to(like.device)
        return fn(list(shape), dtype=like.dtype, device=like.device)

    def computeOutputShape(self, inputShape):
        return inputShape

    def call(self, inputs, kwargs: dict):
        x = one_input(inputs, self)
        if not kwargs.get('training'):
            return x
        t = x._value()
        if not t.is_floating_point():
            t = t.float()
        return Tensor._make(self.forward(t, True), 'float32')

    def _base_config(self, config: dict) -> dict:
        if self.seed is not None:
            config['seed'] = self.seed
        config.update(TorchLayer.getConfig(self))
        return config


def _rate(args: dict, layer: str) -> float:
    rate = args.get('rate')
    if rate is None or isinstance(rate, bool) or not isinstance(rate, (int, float)):
        raise ValueError(f'tf.layers.{layer}() needs a "rate" between 0 and 1, e.g. {{"rate": 0.2}}.')
    return rate


class GaussianNoise(_Noise):
    """Add zero-mean Gaussian noise of standard deviation `stddev` (training only).

    >>> import tfjs as tf
    >>> tf.layers.gaussianNoise({'stddev': 0.1}).apply(tf.ones([2])).arraySync()
    [1.0, 1.0]
    """

    className = 'GaussianNoise'
    CONFIG_KEYS = ('stddev', 'seed')

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        stddev = args.get('stddev')
        if stddev is None or isinstance(stddev, bool) or not isinstance(stddev, (int, float)):
            raise ValueError('tf.layers.gaussianNoise() needs a "stddev" number, e.g. '
                             '{"stddev": 0.1}.')
        self.stddev = stddev

    def forward(self, x: torch.Tensor, training: bool = False) -> torch.Tensor:
        if not training:
            return x
        return x + self._random('normal', x.shape, x) * self.stddev

    def getConfig(self) -> dict:
        return self._base_config({'stddev': self.stddev})


class GaussianDropout(_Noise):
    """Multiply by Gaussian noise of mean 1 and standard deviation `sqrt(rate / (1 - rate))`
    (training only, for `0 < rate < 1`).

    >>> import tfjs as tf
    >>> tf.layers.gaussianDropout({'rate': 0.2}).apply(tf.ones([2])).arraySync()
    [1.0, 1.0]
    """

    className = 'GaussianDropout'
    CONFIG_KEYS = ('rate', 'seed')

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        self.rate = _rate(args, 'gaussianDropout')

    def forward(self, x: torch.Tensor, training: bool = False) -> torch.Tensor:
        if not training or not 0 < self.rate < 1:
            return x
        stddev = math.sqrt(self.rate / (1 - self.rate))
        return x * (self._random('normal', x.shape, x) * stddev + 1)

    def getConfig(self) -> dict:
        return self._base_config({'rate': self.rate})


class AlphaDropout(_Noise):
    """Dropout that keeps the mean and variance of SELU activations: dropped entries become
    SELU's negative saturation value `-alpha * scale`, then an affine map `a * x + b` restores
    the statistics (training only, for `0 < rate < 1`).

    Two TF.js 4.22 bugs are not copied: TF.js sets dropped entries to `+alpha * scale` (a sign
    error, `(kept - 1) * alphaP`, which shifts the mean), and does not save `noiseShape` in its
    config. Here the formula is Keras's and `noiseShape` is saved when set.

    >>> import tfjs as tf
    >>> tf.layers.alphaDropout({'rate': 0.1}).apply(tf.ones([2])).arraySync()
    [1.0, 1.0]
    """

    className = 'AlphaDropout'
    CONFIG_KEYS = ('rate', 'noiseShape', 'seed')

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        self.rate = _rate(args, 'alphaDropout')
        self.noiseShape = args.get('noiseShape')

    def forward(self, x: torch.Tensor, training: bool = False) -> torch.Tensor:
        if not training or not 0 < self.rate < 1:
            return x
        shape = list(x.shape) if self.noiseShape is None else \
            [x.shape[i] if d is None else d for i, d in enumerate(self.noiseShape)]
        keep = (self._random('uniform', shape, x) >= self.rate).to(x.dtype)
        alpha_p = -_SELU_ALPHA * _SELU_SCALE
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        return (x * keep + (1 - keep) * alpha_p) * a + b

    def getConfig(self) -> dict:
        config = {'rate': self.rate}
        if self.noiseShape is not None:
            config['noiseShape'] = self.noiseShape
        return self._base_config(config)


FACTORIES = {
    'gaussianNoise': (GaussianNoise, "{'stddev': 0.1}"),
    'gaussianDropout': (GaussianDropout, "{'rate': 0.2}"),
    'alphaDropout': (AlphaDropout, "{'rate': 0.1}"),
}
