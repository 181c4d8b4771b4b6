"""`MomentumOptimizer` (`tf.train.momentum`): SGD with momentum, optionally Nesterov.

Per variable, with `c = -learningRate` and `m = momentum` (float32 scalars):
`acc <- m*acc + g`, then `w <- c*acc + w`, or with Nesterov `w <- c*(g + acc*m) + w`.
Slot: `<var>/momentum`. With a learning-rate schedule (a Keras feature) the update is Keras's
SGD instead, `v <- m*v - lr*g; w <- w + v` (Nesterov: `w <- w + m*v - lr*g`), which differs from
TF.js's form once the rate changes; the slot then holds Keras's `v`. Unlike TF.js (whose `setMomentum` changes only the reported config),
`setMomentum(x)` and assigning `momentum` take effect on the next step.
"""
from __future__ import annotations

import torch

from .optimizer import REQUIRED, check_number, f32, mul_out, native_kernels, native_step, operand
from .sgd import SGDOptimizer


class MomentumOptimizer(SGDOptimizer):
    """Gradient descent with momentum (a subclass of `SGDOptimizer`, as in TF.js)."""

    className = 'Momentum'
    _FACTORY = 'momentum'
    _PARAMS = (('learningRate', REQUIRED), ('momentum', REQUIRED), ('useNesterov', False))
    _ALIASES = {'lr': 'learningRate', 'nesterov': 'useNesterov'}
    _SLOTS = ('momentum',)

    def __init__(self, learningRate: float, momentum: float, useNesterov: bool = False):
        super().__init__(learningRate)
        self.momentum = check_number('MomentumOptimizer', 'momentum', momentum)
        self.useNesterov = bool(useNesterov)

    def setMomentum(self, momentum: float) -> None:
        """Change the momentum."""
        self.momentum = check_number('MomentumOptimizer', 'momentum', momentum)

    def _step(self, params, grads, slots):
        if not params:
            return
        accs = slots['momentum']
        m, c = operand(f32(self.momentum), params), operand(self._c, params)
        if self._schedule is not None:
            self._keras_step(params, grads, accs, m, c)
            return
        native = native_kernels(params, grads, accs)
        if native is not None:
            native_step(native.momentum, params, grads, [accs],
                        (f32(self.momentum), self._c, 1.0 if self.useNesterov else 0.0))
            return
        (w1,) = self._scratch(params, 1)
        torch._foreach_mul_(accs, m)                   # add(mul(m, acc), g)
        torch._foreach_add_(accs, grads)
        if self.useNesterov:
            update = mul_out(accs, m, w1)              # add(g, mul(newAcc, m))
            torch._foreach_add_(update, grads)
            torch._foreach_mul_(update, c)
        else:
            update = mul_out(accs, c, w1)
        torch._foreach_add_(params, update)

    def _keras_step(self, params, grads, vs, m, c):
        """Keras 3's SGD momentum step (`c` = -learningRate)."""
        w1, w2 = self._scratch(params, 2)
        torch._foreach_mul_(vs, m)                     # v = m*v - lr*g
        scaled = mul_out(grads, c, w1)
        torch._foreach_add_(vs, scaled)
        if self.useNesterov:
            update = mul_out(vs, m, w2)                # w += m*v - lr*g
            torch._foreach_add_(update, scaled)
            torch._foreach_add_(params, update)
        else:
            torch._foreach_add_(params, vs)
