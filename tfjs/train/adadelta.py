"""`AdadeltaOptimizer` (`tf.train.adadelta`).

Per variable, as TF.js (float32, its order of operations):
`update = sqrt(accVar + eps) / sqrt(accGrad + eps) * g` (with accGrad *before* this step's
gradient, as TF.js computes it; Keras uses the updated one), then
`accGrad <- accGrad*rho + g^2*(1-rho)`, `accVar <- accVar*rho + update^2*(1-rho)`,
`w <- update*(-lr) + w`. Slots: `<var>/accum_grad`, `<var>/accum_var`.
"""
from __future__ import annotations

import torch

from .optimizer import (EPSILON, Optimizer, add_out, check_number, f32, mul_out, native_kernels,
                        native_step, operand, sqrt_)


class AdadeltaOptimizer(Optimizer):
    """Adadelta (Zeiler 2012)."""

    className = 'Adadelta'
    _FACTORY = 'adadelta'
    _PARAMS = (('learningRate', 0.001), ('rho', 0.95), ('epsilon', None))
    _SLOTS = ('accum_grad', 'accum_var')

    def __init__(self, learningRate: float = 0.001, rho: float = 0.95,
                 epsilon: float | None = None):
        super().__init__()
        where = 'AdadeltaOptimizer'
        self.learningRate = check_number(where, 'learningRate', learningRate)
        self.rho = check_number(where, 'rho', rho)
        self.epsilon = check_number(where, 'epsilon', EPSILON if epsilon is None else epsilon)

    def _step(self, params, grads, slots):
        if not params:
            return
        rho, one_rho = operand(f32(self.rho), params), operand(f32(1 - self.rho), params)
        eps = operand(f32(self.epsilon), params)
        acc_g, acc_u = slots['accum_grad'], slots['accum_var']
        native = native_kernels(params, grads, acc_g, acc_u)
        if native is not None:
            native_step(native.adadelta, params, grads, [acc_g, acc_u],
                        (f32(self.rho), f32(1 - self.rho), f32(self.epsilon),
                         f32(-self.learningRate)))
            return
        w1, w2 = self._scratch(params, 2)
        upd = add_out(acc_u, eps, w1)         # mul(div(sqrt(accU+eps), sqrt(accG+eps)), g)
        sqrt_(upd)
        t = add_out(acc_g, eps, w2)
        sqrt_(t)
        torch._foreach_div_(upd, t)
        torch._foreach_mul_(upd, grads)
        torch._foreach_mul_(acc_g, rho)                 # add(mul(accG, rho), mul(g^2, 1-rho))
        t = mul_out(grads, grads, w2)
        torch._foreach_mul_(t, one_rho)
        torch._foreach_add_(acc_g, t)
        torch._foreach_mul_(acc_u, rho)                 # add(mul(accU, rho), mul(upd^2, 1-rho))
        t = mul_out(upd, upd, w2)
        torch._foreach_mul_(t, one_rho)
        torch._foreach_add_(acc_u, t)
        torch._foreach_mul_(upd, operand(f32(-self.learningRate), params))   # add(mul(upd, -lr), w)
        torch._foreach_add_(params, upd)
