"""`torch.autograd.Function`s for ops whose TF.js gradient differs from torch's autograd
(kinks, ties, edge values). Each backward is the formula of tfjs-core/src/gradients/<Op>_grad.ts.
Callers use them only when an input requires grad (plain torch is faster otherwise)."""
from __future__ import annotations

import torch


def sum_to(g, shape):
    """Reduce a broadcast gradient back to `shape` (TF.js's getReductionAxes + reshape)."""
    if list(g.shape) == list(shape):
        return g
    lead = g.ndim - len(shape)
    if lead:
        g = g.sum(dim=tuple(range(lead)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if axes:
        g = g.sum(dim=axes, keepdim=True)
    return g.reshape(shape)


def needs_grad(*ts) -> bool:
    return torch.is_grad_enabled() and any(t.requires_grad for t in ts)


class Abs(torch.autograd.Function):
    """d|x| = step(x, -1): 1 for x > 0, -1 for x <= 0 (so -1 at 0), NaN for NaN."""
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.abs(x)

    @staticmethod
    def backward(ctx, dy):
        x, = ctx.saved_tensors
        s = torch.where(x > 0, 1.0, -1.0).to(dy.dtype)
        return dy * torch.where(torch.isnan(x), x, s)


class Relu6(torch.autograd.Function):
    """mask = (x <= 6) * step(x): 0 at 0, 1 at 6."""
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.clamp(x, 0, 6)

    @staticmethod
    def backward(ctx, dy):
        x, = ctx.saved_tensors
        return dy * ((x <= 6) & (x > 0)).to(dy.dtype)


class Maximum(torch.autograd.Function):
    """Ties give the whole gradient to `a` (greaterEqual), none to `b`."""
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return torch.maximum(a, b)

    @staticmethod
    def backward(ctx, dy):
        a, b = ctx.saved_tensors
        return (sum_to(dy * (a >= b).to(dy.dtype), a.shape),
                sum_to(dy * (a < b).to(dy.dtype), b.shape))


class Minimum(torch.autograd.Function):
    """Ties give the whole gradient to `a` (lessEqual), none to `b`."""
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return torch.minimum(a, b)

    @staticmethod
    def backward(ctx, dy):
        a, b = ctx.saved_tensors
        return (sum_to(dy * (a <= b).to(dy.dtype), a.shape),
                sum_to(dy * (a > b).to(dy.dtype), b.shape))


class ReduceMinMax(torch.autograd.Function):
    """max/min over axes; the gradient goes to every element equal to the result (all ties)."""
    @staticmethod
    def forward(ctx, x, fn, axes, keep):
        y = fn(x, dim=axes, keepdim=True)
        ctx.save_for_backward(x, y)
        return y if keep else y.reshape([n for i, n in enumerate(x.shape) if i not in axes])

    @staticmethod
    def backward(ctx, dy):
        x, y = ctx.saved_tensors
        return dy.reshape(y.shape) * (x == y).to(dy.dtype), None, None, None


def tfjs_pow(a, b):
    """JS Math.pow: like torch.pow except that 1 ** NaN and (+/-1) ** (+/-Infinity) are NaN."""
    y = torch.pow(a, b)
    bad = torch.isnan(b) | (torch.isinf(b) & (torch.abs(a) == 1))
    return torch.where(bad, torch.full_like(y, float('nan')), y) if bad.any() else y


class Pow(torch.autograd.Function):
    """d/da = b * a ** (b - 1); d/db = y * (log(a) where a > 0 else 0)."""
    @staticmethod
    def forward(ctx, a, b):
        y = tfjs_pow(a, b)
        ctx.save_for_backward(a, b, y)
        return y

    @staticmethod
    def backward(ctx, dy):
        a, b, y = ctx.saved_tensors
        da = dy * (b * tfjs_pow(a, b - 1))
        log_a = torch.where(a > 0, torch.log(torch.where(a > 0, a, torch.ones_like(a))),
                            torch.zeros_like(a))
        db = dy * (y * log_a)
        return sum_to(da, a.shape), sum_to(db, b.shape)


def tfjs_mod(a, b):
    """TF.js's float mod: r = a % b (JS, sign of a); r if a and b have the same sign, else
    (r + b) % b."""
    r = torch.fmod(a, b)
    same = ((a < 0) & (b < 0)) | ((a >= 0) & (b >= 0))
    return torch.where(same, r, torch.fmod(r + b, b))


class Mod(torch.autograd.Function):
    """d/da = 1; d/db = -floor(a / b)."""
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return tfjs_mod(a, b)

    @staticmethod
    def backward(ctx, dy):
        a, b = ctx.saved_tensors
        return sum_to(dy, a.shape), sum_to(dy * -torch.floor(a / b), b.shape)


class LogSumExp(torch.autograd.Function):
    """TF.js's log(sum(exp(x - max))) + max (so +Infinity inputs give NaN); the gradient is
    softmax (TF.js's composite gradient; the max path cancels)."""
    @staticmethod
    def forward(ctx, x, axes, keep):
        m = torch.amax(x, dim=axes, keepdim=True)
        e = torch.exp(x - m)
        s = torch.sum(e, dim=axes, keepdim=True)
        y = torch.log(s) + m
        ctx.save_for_backward(e, s)
        return y if keep else y.reshape([n for i, n in enumerate(x.shape) if i not in axes])

    @staticmethod
    def backward(ctx, dy):
        e, s = ctx.saved_tensors
        return dy.reshape(s.shape) * (e / s), None, None
