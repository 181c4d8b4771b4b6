"""`AdamaxOptimizer` (`tf.train.adamax`): Adam with the infinity norm.

Per step, as TF.js: `lr = -learningRate / (iteration*decay + 1)` and `1 - accBeta1` from
float32 scalar variables; per variable `m <- m*beta1 + g*(1-beta1)`,
`v <- max(v*beta2, |g|)`, `w <- (lr/(1-accBeta1)) * (m / (v + eps)) + w`; then
`iteration += 1`, `accBeta1 *= beta1`.

Difference from TF.js: TF.js's Adamax `getWeights()`/`setWeights()` throw "not implemented".
Here they work: `iter`, then the slots under the names TF.js gives them internally,
`<var>/m` (first moment) and `<var>/v` (weighted infinity norm). `setWeights` rebuilds the
internal `iteration` and `accBeta1` from `iter` by the same float32 arithmetic the steps use, so
training resumed from saved weights continues bit-identically.
"""
from __future__ import annotations

import numpy as np
import torch

from .adam import follow, scalar_variable
from .optimizer import (EPSILON, Optimizer, abs_out, add_out, check_number, div_out, f32,
                        mul_out, native_kernels, native_step, operand)


def beta_power(beta: float, n: int) -> np.float32:
    """`beta` multiplied by itself `n` times in float32, one rounding per step (as the steps do)."""
    b = np.float32(beta)
    acc, left = b, n
    while left > 0 and acc != 0:
        k = min(left, 1 << 16)
        chain = np.full(k + 1, b, np.float32)
        chain[0] = acc
        acc = np.multiply.accumulate(chain)[-1]
        left -= k
    return acc


class AdamaxOptimizer(Optimizer):
    """Adamax (Kingma & Ba, section 7)."""

    className = 'Adamax'
    _FACTORY = 'adamax'
    _PARAMS = (('learningRate', 0.002), ('beta1', 0.9), ('beta2', 0.999), ('epsilon', None),
               ('decay', 0.0))
    _SLOTS = ('m', 'v')

    def __init__(self, learningRate: float = 0.002, beta1: float = 0.9, beta2: float = 0.999,
                 epsilon: float | None = None, decay: float = 0.0):
        super().__init__()
        where = 'AdamaxOptimizer'
        self.learningRate = check_number(where, 'learningRate', learningRate)
        self.beta1 = check_number(where, 'beta1', beta1)
        self.beta2 = check_number(where, 'beta2', beta2)
        self.epsilon = check_number(where, 'epsilon', EPSILON if epsilon is None else epsilon)
        self.decay = check_number(where, 'decay', 0.0 if decay is None else decay)
        self._iteration = scalar_variable(0.0)
        self._acc_beta1 = scalar_variable(beta1)

    def _step(self, params, grads, slots):
        b1 = f32(self.beta1)
        it, acc1 = follow(self._iteration, params), follow(self._acc_beta1, params)
        if params:
            one_acc1 = torch.rsub(acc1, 1.0)
            lr = torch.mul(it, f32(self.decay))         # div(-lr, add(mul(iteration, decay), 1))
            lr.add_(1.0)
            lr = torch.div(torch.full_like(lr, f32(-self.learningRate)), lr)
            step = torch.div(lr, one_acc1)
            ms, vs = slots['m'], slots['v']
            native = native_kernels(params, grads, ms, vs)
            if native is not None:
                native_step(native.adamax, params, grads, [ms, vs],
                            (b1, f32(1 - self.beta1), f32(self.beta2), f32(self.epsilon),
                             step.item()))
                it.add_(1.0)
                acc1.mul_(b1)
                return
            (w1,) = self._scratch(params, 1)
            torch._foreach_mul_(ms, operand(b1, params))    # add(mul(m, b1), mul(g, 1-b1))
            torch._foreach_add_(ms, mul_out(grads, operand(f32(1 - self.beta1), params), w1))
            torch._foreach_mul_(vs, operand(f32(self.beta2), params))   # maximum(mul(v, b2), |g|)
            torch._foreach_maximum_(vs, abs_out(grads, w1))
            t = add_out(vs, operand(f32(self.epsilon), params), w1)  # add(mul(step, m/(v+eps)), w)
            t = div_out(ms, t, w1)
            torch._foreach_mul_(t, step)
            torch._foreach_add_(params, t)
        it.add_(1.0)
        acc1.mul_(b1)

    def _set_weights(self, weightValues) -> None:
        super()._set_weights(weightValues)
        n = self.iterations
        it = torch.tensor(float(n), dtype=torch.float32)    # float32 counter, as the steps keep it
        acc = torch.tensor(float(beta_power(self.beta1, n)), dtype=torch.float32)
        self._iteration._value().copy_(it)
        self._acc_beta1._value().copy_(acc)

    def dispose(self) -> None:
        super().dispose()
        self._iteration.dispose()
        self._acc_beta1.dispose()
