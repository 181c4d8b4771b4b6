"""`AdamOptimizer` (`tf.train.adam`).

Per step, as TF.js: `1 - accBeta1`, `1 - accBeta2` from float32 scalar variables that start at
`beta1`, `beta2` and are multiplied by them after each step (not `beta^t` recomputed); per
variable `m <- m*beta1 + g*(1-beta1)`, `v <- v*beta2 + g^2*(1-beta2)`,
`w <- ((m/(1-accBeta1)) / (sqrt(v/(1-accBeta2)) + eps)) * (-lr) + w`.
Slots: `<var>/m`, `<var>/v`. `setWeights` sets `accBeta = beta^(iter+1)` as TF.js does.
On the CPU, once `1 - accBeta1` is exactly 1 (beta1^t < 2^-25: after 165 steps at 0.9) the
division `m / 1` (the identity, bit for bit) is skipped; likewise `v / 1` once `1 - accBeta2`
is 1 (after ~17,300 steps at beta2 0.999).
The two internal scalars are non-trainable here (TF.js makes them trainable variables, so a
`minimize` without `varList` would also create slots for them).
"""
from __future__ import annotations

import math

import numpy as np
import torch

from ..backend import device
from .optimizer import (_NUMPY_SQRT, EPSILON, Optimizer, check_number, div_out, f32, mul_out,
                        native_kernels, native_step, operand, sqrt_, sqrt_into)


def scalar_variable(value: float):
    """A float32 0-d non-trainable registered variable on the current device."""
    return Optimizer._make_variable(torch.tensor(np.float32(value), device=device()))


def follow(var, params: list):
    """The raw tensor of internal scalar `var`, moved to the parameters' device if needed."""
    t = var._value()
    if params and t.device != params[0].device:
        t = var._t = t.to(params[0].device)
    return t


def js_pow(base: float, exponent: float) -> float:
    """TF.js's CPU `pow` on two float32 scalars: Math.pow in float64, stored as float32."""
    return f32(math.pow(f32(base), f32(exponent)))


class AdamOptimizer(Optimizer):
    """Adam (Kingma & Ba)."""

    className = 'Adam'
    _FACTORY = 'adam'
    _PARAMS = (('learningRate', 0.001), ('beta1', 0.9), ('beta2', 0.999), ('epsilon', None))
    _SLOTS = ('m', 'v')

    def __init__(self, learningRate: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 epsilon: float | None = None):
        super().__init__()
        where = 'AdamOptimizer'
        self.learningRate = check_number(where, 'learningRate', learningRate)
        self.beta1 = check_number(where, 'beta1', beta1)
        self.beta2 = check_number(where, 'beta2', beta2)
        self.epsilon = check_number(where, 'epsilon', EPSILON if epsilon is None else epsilon)
        self._acc_beta1 = scalar_variable(beta1)
        self._acc_beta2 = scalar_variable(beta2)

    def _step(self, params, grads, slots):
        b1, b2 = f32(self.beta1), f32(self.beta2)
        acc1, acc2 = follow(self._acc_beta1, params), follow(self._acc_beta2, params)
        if params:
            one_acc1, one_acc2 = torch.rsub(acc1, 1.0), torch.rsub(acc2, 1.0)
            ms, vs = slots['m'], slots['v']
            native = native_kernels(params, grads, ms, vs)
            if native is not None:
                native_step(native.adam, params, grads, [ms, vs],
                            (b1, f32(1 - self.beta1), b2, f32(1 - self.beta2), one_acc1.item(),
                             one_acc2.item(), f32(self.epsilon), f32(-self.learningRate)))
                acc1.mul_(b1)
                acc2.mul_(b2)
                return
            t, d = self._scratch(params, 2)
            torch._foreach_mul_(ms, operand(b1, params))    # add(mul(m, b1), mul(g, 1-b1))
            torch._foreach_add_(ms, mul_out(grads, operand(f32(1 - self.beta1), params), t))
            torch._foreach_mul_(vs, operand(b2, params))    # add(mul(v, b2), mul(g^2, 1-b2))
            sq = mul_out(grads, grads, t)
            torch._foreach_mul_(sq, operand(f32(1 - self.beta2), params))
            torch._foreach_add_(vs, sq)
            if t is not None and one_acc2.item() == 1.0 and vs[0].dtype in _NUMPY_SQRT:
                denom = sqrt_into(vs, d)                    # v / 1 is v: one pass less
            else:
                denom = div_out(vs, one_acc2, d)            # add(sqrt(div(v, 1-accBeta2)), eps)
                sqrt_(denom)
            torch._foreach_add_(denom, operand(f32(self.epsilon), params))
            if t is not None and one_acc1.item() == 1.0:    # m / 1 is m, bit for bit: one
                q = div_out(ms, denom, t)                   # pass less (CPU, beta1^t < 2^-25)
            else:
                q = div_out(ms, one_acc1, t)                # mHat
                torch._foreach_div_(q, denom)               # add(mul(div(mHat, ...), -lr), w)
            torch._foreach_mul_(q, operand(f32(-self.learningRate), params))
            torch._foreach_add_(params, q)
        acc1.mul_(b1)
        acc2.mul_(b2)

    def _set_weights(self, weightValues) -> None:
        super()._set_weights(weightValues)
        it = self.iterations
        self._acc_beta1._value().fill_(js_pow(self.beta1, it + 1))
        self._acc_beta2._value().fill_(js_pow(self.beta2, it + 1))

    def dispose(self) -> None:
        super().dispose()
        self._acc_beta1.dispose()
        self._acc_beta2.dispose()
