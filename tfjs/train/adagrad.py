"""`AdagradOptimizer` (`tf.train.adagrad`).

Per variable, as TF.js: `acc <- acc + g^2`, `w <- (g / sqrt(acc + eps)) * (-lr) + w` with the
backend epsilon (1e-7; Adagrad has no epsilon option). The accumulator starts at
`initialAccumulatorValue`. Slot: `<var>/accumulator`.
"""
from __future__ import annotations

from typing import Any, Mapping

import torch

from .optimizer import (EPSILON, REQUIRED, Optimizer, add_out, check_number, div_out, f32, mul_out,
                        native_kernels, native_step, operand, sqrt_)


class AdagradOptimizer(Optimizer):
    """Adagrad (Duchi et al. 2011)."""

    className = 'Adagrad'
    _FACTORY = 'adagrad'
    _PARAMS = (('learningRate', REQUIRED), ('initialAccumulatorValue', 0.1))
    _SLOTS = ('accumulator',)

    def __init__(self, learningRate: float, initialAccumulatorValue: float = 0.1):
        super().__init__()
        where = 'AdagradOptimizer'
        self.learningRate = check_number(where, 'learningRate', learningRate)
        self.initialAccumulatorValue = check_number(
            where, 'initialAccumulatorValue',
            0.1 if initialAccumulatorValue is None else initialAccumulatorValue)

    def _new_slot(self, suffix, var):
        return self._make_variable(torch.full_like(var._value(), f32(self.initialAccumulatorValue)))

    def _step(self, params, grads, slots):
        if not params:
            return
        accs = slots['accumulator']
        native = native_kernels(params, grads, accs)
        if native is not None:
            native_step(native.adagrad, params, grads, [accs],
                        (f32(EPSILON), f32(-self.learningRate)))
            return
        w1, w2 = self._scratch(params, 2)
        torch._foreach_add_(accs, mul_out(grads, grads, w1))        # add(acc, square(g))
        denom = add_out(accs, operand(f32(EPSILON), params), w2)    # div(g, sqrt(add(acc, eps)))
        sqrt_(denom)
        t = div_out(grads, denom, w1)
        torch._foreach_mul_(t, operand(f32(-self.learningRate), params))
        torch._foreach_add_(params, t)

    @classmethod
    def _normalize_config(cls, config: Mapping[str, Any]) -> dict:
        # Keras Adagrad has `epsilon` (default 1e-7, TF.js's fixed value): accept that value.
        if isinstance(config, Mapping) and config.get('epsilon', None) in (None, EPSILON):
            config = {k: v for k, v in config.items() if k != 'epsilon'}
        return super()._normalize_config(config)
