"""Elementwise activations as the hand-written recurrent kernels (`_rnn_autograd`) use them:
`forward(src, out)` writes the activation of a (strided) view into a preallocated view, and
`derivative` / `chain` give d post / d pre (times a multiplier) for a whole sequence at once,
after the step loop, so the loop itself does no derivative work.

Values are those of the activation's `apply_raw` (the step loop's ops) and derivatives are
autograd's through `apply_raw` (what the step loop back-propagates), with fused forms for tanh,
sigmoid, linear and hardSigmoid. TF.js's hardSigmoid is `clipByValue(0.2 * x + 0.5, 0, 1)`
whose gradient passes where `0 <= 0.2 * x + 0.5 <= 1`, bounds included.

>>> import torch
>>> from tfjs.activations import get_activation
>>> act = KernelActivation.of(get_activation('hardSigmoid'))
>>> x = torch.tensor([-2.6, -2.5, 0.0, 3.0]); y = torch.empty(4); act.forward(x, y)
>>> d = torch.empty(4); act.derivative(x, y, d); d.tolist()
[0.0, 0.20000000298023224, 0.20000000298023224, 0.0]
"""
from __future__ import annotations

import numpy as np
import torch

from .. import activations as A

# Activations applied element by element (softmax-like ones and user callables are not).
_ELEMENTWISE = (A.Linear, A.Relu, A.Relu6, A.Elu, A.Selu, A.Sigmoid, A.HardSigmoid, A.Softplus,
                A.Softsign, A.Tanh, A.Swish, A.Mish, A.Gelu, A.GeluNew, A.Exponential,
                A.HardSilu, A.LeakyRelu, A.LogSigmoid, A.Celu, A.HardTanh, A.SparsePlus,
                A.Squareplus, A.TanhShrink, A.SoftShrink, A.HardShrink)

_aten = torch.ops.aten


class KernelActivation:
    """An elementwise activation with in-place forward and whole-sequence derivatives."""

    def __init__(self, act: A.Activation):
        self.act = act
        self.kind = type(act)

    @property
    def affine_clip(self) -> tuple | None:
        """(scale, shift) when the activation is `clip(scale * x + shift, 0, 1)`
        (hardSigmoid): a kernel may then fold the affine part into its weights and apply
        only `clip_forward` / `clip_chain` to the shifted pre-activations."""
        return (0.2, 0.5) if self.kind is A.HardSigmoid else None

    @staticmethod
    def clip_forward(src: torch.Tensor, out: torch.Tensor) -> None:
        """`out[...] = clip(src, 0, 1)`."""
        torch.clamp(src, 0.0, 1.0, out=out)

    @staticmethod
    def clip_chain(mult: torch.Tensor, pre: torch.Tensor, out: torch.Tensor) -> None:
        """`out[...] = mult` where `0 <= pre <= 1` (bounds included, as TF.js's clipByValue
        gradient), else 0."""
        _aten.hardtanh_backward.grad_input(mult, pre, _BELOW_ZERO, _ABOVE_ONE, grad_input=out)

    @staticmethod
    def of(act) -> 'KernelActivation | None':
        """The kernel form of `act`, or None when it is not a known elementwise activation."""
        return KernelActivation(act) if type(act) in _ELEMENTWISE else None

    def forward(self, src: torch.Tensor, out: torch.Tensor) -> None:
        """`out[...] = activation(src)`."""
        kind = self.kind
        if kind is A.Tanh:
            torch.tanh(src, out=out)
        elif kind is A.HardSigmoid:
            # 0.5 + 0.2 * x (two roundings, as TF.js and HardSigmoid.apply_raw), then clip;
            # 0-d tensor operands skip wrapping a Python scalar on every call
            torch.mul(src, _const(0.2, src), out=out)
            out.add_(_const(0.5, src))
            out.clamp_(0.0, 1.0)
        elif kind is A.Sigmoid:
            torch.sigmoid(src, out=out)
        elif kind is A.Linear:
            out.copy_(src)
        else:
            out.copy_(self.act.apply_raw(src))

    def derivative(self, pre: torch.Tensor, post: torch.Tensor, out: torch.Tensor) -> None:
        """`out[...] =` d activation / d pre, from the inputs `pre` and outputs `post`."""
        kind = self.kind
        if kind is A.HardSigmoid:
            lo, hi = _hard_sigmoid_open_bounds()
            one_fifth = torch.full((), 0.2, dtype=pre.dtype, device=pre.device).expand(pre.shape)
            _aten.hardtanh_backward.grad_input(one_fifth, pre, lo, hi, grad_input=out)
        elif kind is A.Linear:
            out.fill_(1.0)
        else:
            ones = torch.ones((), dtype=pre.dtype, device=pre.device).expand(pre.shape)
            self.chain(ones, pre, post, out)

    def chain(self, mult: torch.Tensor, pre: torch.Tensor, post: torch.Tensor,
              out: torch.Tensor) -> None:
        """`out[...] = mult *` d activation / d pre (autograd's backward with `mult` flowing in)."""
        kind = self.kind
        if kind is A.Tanh:
            _aten.tanh_backward.grad_input(mult, post, grad_input=out)
        elif kind is A.Sigmoid:
            _aten.sigmoid_backward.grad_input(mult, post, grad_input=out)
        elif kind is A.Linear:
            out.copy_(mult)
        elif kind is A.HardSigmoid:
            self.derivative(pre, post, out)
            out.mul_(mult)
        else:
            with torch.enable_grad():
                p = pre.detach().clone().requires_grad_(True)
                y = self.act.apply_raw(p)
                out.copy_(torch.autograd.grad(y, p, mult.expand(y.shape))[0])


_BELOW_ZERO = float(-np.finfo(np.float32).smallest_subnormal)   # p > this  <=>  p >= 0
_ABOVE_ONE = float(np.nextafter(np.float32(1), np.float32(2)))   # p < this  <=>  p <= 1
_BOUNDS: list = []
_CONSTS: dict = {}


def _const(value: float, like: torch.Tensor) -> torch.Tensor:
    """A cached 0-d tensor holding `value` with `like`'s dtype and device."""
    key = (value, like.dtype, like.device)
    t = _CONSTS.get(key)
    if t is None:
        t = _CONSTS[key] = torch.tensor(value, dtype=like.dtype, device=like.device)
    return t


def _hard_sigmoid_open_bounds() -> tuple:
    """(lo, hi) float32 values with `0 <= fl(fl(0.2 * x) + 0.5) <= 1` exactly when
    `lo < x < hi` (the expression is monotone in x): hardtanh_backward's open interval."""
    if not _BOUNDS:
        def p(x):
            t = torch.from_numpy(x)
            return (t * 0.2 + 0.5).numpy()

        def first(target_lo, centre):
            # consecutive float32 values around the nominal bound, ordered
            base = np.float32(centre).view(np.int32)
            bits = np.arange(-4096, 4097, dtype=np.int64)
            if centre < 0:
                xs = (base - bits).astype(np.int32).view(np.float32)     # ascending
            else:
                xs = (base + bits).astype(np.int32).view(np.float32)
            return xs, p(xs)
        xs, ps = first(0.0, -2.5)
        inside = ps >= 0
        lo_in = xs[np.argmax(inside)]                                    # first x inside
        xs2, ps2 = first(1.0, 2.5)
        inside2 = ps2 <= 1
        hi_in = xs2[len(inside2) - 1 - np.argmax(inside2[::-1])]         # last x inside
        lo = float(np.nextafter(lo_in, np.float32(-np.inf)))
        hi = float(np.nextafter(hi_in, np.float32(np.inf)))
        _BOUNDS.extend([lo, hi])
    return _BOUNDS[0], _BOUNDS[1]
