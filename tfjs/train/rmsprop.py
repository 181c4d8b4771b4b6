"""`RMSPropOptimizer` (`tf.train.rmsprop`), class name `RMSProp` (Keras spells it `RMSprop`).

Per variable, in float32 and TF.js's order of operations:
`ms <- ms*decay + g^2*(1-decay)`;
plain: `mom <- mom*momentum + (g*lr) / sqrt(ms + eps)`;
centered: `mg <- mg*decay + g*(1-decay)`, `mom <- mom*momentum + (g*lr) / sqrt(ms - mg^2 + eps)`;
then `w <- w - mom`. Slots: `<var>/rms`, `<var>/momentum`, and `<var>/mg` when centered.

Difference from TF.js: TF.js's centered variant computes `sqrt(ms - (mg^2 + eps))`, a sign
error that gives NaN weights wherever `ms - mg^2 < eps` (a zero gradient, or a gradient that
stays constant). Here it is `sqrt((ms - mg^2) + eps)` as in Keras and TensorFlow; results differ
from TF.js by a relative ~2*eps/(ms - mg^2) otherwise. Keras configs (`rho`, lr `decay`) load.
"""
from __future__ import annotations

from typing import Any, Mapping

import torch

from ..errors import NotImplementedError, ValueError
from .optimizer import (EPSILON, REQUIRED, Optimizer, add_out, check_number, f32, mul_out,
                        native_kernels, native_step, operand, sqrt_, sub_out)


class RMSPropOptimizer(Optimizer):
    """RMSProp, optionally centered, with momentum."""

    className = 'RMSProp'
    _FACTORY = 'rmsprop'
    _PARAMS = (('learningRate', REQUIRED), ('decay', 0.9), ('momentum', 0.0), ('epsilon', None),
               ('centered', False))
    _ALIASES = {'lr': 'learningRate', 'rho': 'decay'}

    def __init__(self, learningRate: float, decay: float = 0.9, momentum: float = 0.0,
                 epsilon: float | None = None, centered: bool = False):
        self.centered = bool(centered)
        super().__init__()
        if learningRate is None:
            raise ValueError('learningRate for RMSPropOptimizer must be defined.')
        where = 'RMSPropOptimizer'
        self.learningRate = check_number(where, 'learningRate', learningRate)
        self.decay = check_number(where, 'decay', 0.9 if decay is None else decay)
        self.momentum = check_number(where, 'momentum', 0.0 if momentum is None else momentum)
        self.epsilon = check_number(where, 'epsilon', EPSILON if epsilon is None else epsilon)

    def _slot_names(self) -> tuple:
        return ('rms', 'momentum', 'mg') if self.centered else ('rms', 'momentum')

    def _step(self, params, grads, slots):
        if not params:
            return
        d, one_d = operand(f32(self.decay), params), operand(f32(1 - self.decay), params)
        lr = operand(f32(self.learningRate), params)
        ms, moms = slots['rms'], slots['momentum']
        mgs = slots['mg'] if self.centered else None
        native = native_kernels(params, grads, ms, moms, mgs)
        if native is not None:
            native_step(native.rmsprop, params, grads, [ms, moms, mgs],
                        (f32(self.decay), f32(1 - self.decay), f32(self.learningRate),
                         f32(self.momentum), f32(self.epsilon)))
            return
        w1, w2 = self._scratch(params, 2)
        torch._foreach_mul_(ms, d)                      # add(mul(ms, decay), mul(g^2, 1-decay))
        t = mul_out(grads, grads, w1)
        torch._foreach_mul_(t, one_d)
        torch._foreach_add_(ms, t)
        if self.centered:
            mg = slots['mg']
            torch._foreach_mul_(mg, d)                  # add(mul(mg, decay), mul(g, 1-decay))
            torch._foreach_add_(mg, mul_out(grads, one_d, w1))
            sq = mul_out(mg, mg, w1)                    # sqrt((ms - mg^2) + eps)
            denom = sub_out(ms, sq, w2)
            torch._foreach_add_(denom, operand(f32(self.epsilon), params))
        else:
            denom = add_out(ms, operand(f32(self.epsilon), params), w2)       # sqrt(ms + eps)
        sqrt_(denom)
        t = mul_out(grads, lr, w1)                 # add(mul(mom, momentum), div(mul(g, lr), sqrt))
        torch._foreach_mul_(moms, operand(f32(self.momentum), params))
        torch._foreach_addcdiv_(moms, t, denom)         # value 1: mom + (t/denom), two roundings
        torch._foreach_sub_(params, moms)

    @classmethod
    def _normalize_config(cls, config: Mapping[str, Any]) -> dict:
        # Keras dialect: `rho` is the decay of the mean square; `decay` is learning-rate decay.
        if isinstance(config, Mapping) and 'rho' in config:
            config = dict(config)
            lr_decay = config.pop('decay', 0)
            if lr_decay:
                raise NotImplementedError(
                    f'RMSprop config has learning-rate "decay": {lr_decay!r}, a Keras option that '
                    'TF.js optimizers do not have. Remove it to load this optimizer.')
            config['decay'] = config.pop('rho')
        return super()._normalize_config(config)
