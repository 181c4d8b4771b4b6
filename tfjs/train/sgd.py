"""`SGDOptimizer` (`tf.train.sgd`): plain gradient descent, `w <- w + (-learningRate) * g`.

As in TF.js, `getWeights()` holds only `iter`. Unlike TF.js, assigning
`optimizer.learningRate = x` takes effect (TF.js only honours `setLearningRate(x)`).
"""
from __future__ import annotations

from typing import Any, Mapping

import torch

from .optimizer import (REQUIRED, Optimizer, check_number, f32, mul_out, native_kernels,
                        native_step, operand)


class SGDOptimizer(Optimizer):
    """Stochastic gradient descent."""

    className = 'SGD'
    _FACTORY = 'sgd'
    _PARAMS = (('learningRate', REQUIRED),)

    def __init__(self, learningRate: float):
        super().__init__()
        self.learningRate = learningRate

    @property
    def learningRate(self) -> float:
        return self._learning_rate

    @learningRate.setter
    def learningRate(self, value: float) -> None:
        self._learning_rate = check_number(type(self).__name__, 'learningRate', value)
        self._c = f32(-value)    # TF.js keeps `c = scalar(-learningRate)`

    def setLearningRate(self, learningRate: float) -> None:
        """Change the learning rate (TF.js API)."""
        self.learningRate = learningRate

    def _step(self, params, grads, slots):
        native = native_kernels(params, grads)
        if native is not None:
            native_step(native.sgd, params, grads, [], (self._c,))
        elif params:
            c = operand(self._c, params)
            update = mul_out(grads, c, self._scratch(params, 1)[0])     # add(mul(c, g), w)
            torch._foreach_add_(params, update)

    @classmethod
    def fromConfig(cls, config: Mapping[str, Any]) -> Optimizer:
        """Also reads Keras SGD configs; one with `momentum` > 0 gives a `MomentumOptimizer`."""
        if cls is SGDOptimizer and isinstance(config, Mapping):
            extra = {k: v for k, v in config.items() if k in ('momentum', 'nesterov', 'useNesterov',
                                                           'use_nesterov')}
            if extra.get('momentum'):
                from .momentum import MomentumOptimizer
                return MomentumOptimizer.fromConfig(config)
            config = {k: v for k, v in config.items() if k not in extra}
        return super().fromConfig(config)
