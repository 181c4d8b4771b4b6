"""LSTM, GRU and SimpleRNN sequences as `torch.autograd.Function`s with a hand-written backward,
for the cells PyTorch's fused kernels do not compute (TF.js's default `hardSigmoid` gates, GRU
`resetAfter: false`, other elementwise activations).

Forward: the input projection of every step is one GEMM, then each step is one small recurrent
GEMM plus a few in-place elementwise ops into preallocated `[T, B, ...]` buffers. Backward: the
activation derivatives of the whole sequence are computed at once, the step loop only carries
`dh`/`dc` back (a few elementwise ops and one small GEMM a step) while filling one `[T, B, G]`
buffer of gate gradients, and the weight, bias and input gradients are then one GEMM (or sum)
each. The math is the step loop's (`recurrent_cells`); values and gradients agree with it to
float32 rounding (the LSTM folds hardSigmoid's `0.2 * z + 0.5` into its gate weights, and
`a + b * c` runs as one fused op). `lstm_directions` steps several LSTMs of the same shape
together (a Bidirectional layer's two directions). A second-order gradient (backward with
`create_graph`), or a second backward through the same graph (`retain_graph`), recomputes
the sequence through the cell's differentiable step loop. Scratch buffers come from and go
back to `_rnn_workspace`.

For TF.js's default cells (tanh with hardSigmoid gates; GRU `resetAfter: false`) on float32 CPU
tensors, the step loops themselves run in C (`tfjs._native`: one call per sequence and
direction instead of ~12 torch calls per step) where that library builds; elsewhere, and with
`USE_NATIVE_KERNELS = False`, they run as the PyTorch ops below.

>>> import torch
>>> from tfjs.activations import get_activation
>>> x = torch.randn(5, 2, 3); h0 = torch.zeros(2, 4); c0 = torch.zeros(2, 4)
>>> w, r, b = torch.randn(3, 16), torch.randn(4, 16), torch.zeros(16)
>>> seq, (h, c) = lstm(x, h0, c0, w, r, b, get_activation('tanh'),
...                    get_activation('hardSigmoid'), slow=None)
>>> list(seq.shape), bool((seq[-1] == h).all())
([5, 2, 4], True)
"""
from __future__ import annotations

from typing import Callable

import torch

from .. import _native
from . import _rnn_workspace as W
from ..activations import HardSigmoid, Tanh
from ._rnn_act import KernelActivation

USE_AUTOGRAD_KERNELS = True
USE_NATIVE_KERNELS = True


def supports(*activations) -> bool:
    """Whether these kernels run a cell with these activations (all known elementwise ones)
    and are switched on (`USE_AUTOGRAD_KERNELS`)."""
    return USE_AUTOGRAD_KERNELS and all(KernelActivation.of(a) is not None for a in activations)


class _Config:
    """The non-tensor arguments of a sequence Function."""

    def __init__(self, steps: int, act, ract, slow: Callable | None, grad: bool,
                 reset_after: bool = False):
        self.steps, self.act, self.ract, self.slow = steps, act, ract, slow
        self.grad, self.reset_after = grad, reset_after
        self.clip = None
        self.native = None


def _needs_grad(*tensors) -> bool:
    return torch.is_grad_enabled() and any(t is not None and t.requires_grad for t in tensors)


def _project(x2d, w, b, steps):
    """`x2d @ w + b` into a workspace buffer `[T, B, G]`."""
    out = W.take((x2d.shape[0], w.shape[1]), x2d)
    if b is not None:
        torch.addmm(b, x2d, w, out=out)
    else:
        torch.mm(x2d, w, out=out)
    return out.view(steps, x2d.shape[0] // steps, w.shape[1])


def _recompute(ctx, grads):
    """Gradients through the cell's differentiable step loop: for a backward with
    `create_graph` (second order) or a second backward through the same graph."""
    cfg = ctx.cfg
    if cfg.slow is None:
        raise RuntimeError('This recurrent kernel has no differentiable step loop for a '
                           'second-order gradient or a second backward; set '
                           'tfjs.layers._rnn_autograd.USE_AUTOGRAD_KERNELS = False.')
    inputs = ctx.saved_tensors
    create = torch.is_grad_enabled()
    with torch.enable_grad():
        leaves = [t if t is None or create else t.detach().requires_grad_(t.requires_grad)
                  for t in inputs]
        outs = cfg.slow(*leaves)
        pairs = [(o, g) for o, g in zip(outs, grads) if g is not None]
        wanted = [i for i, t in enumerate(leaves) if t is not None and ctx.needs_input_grad[i]]
        got = torch.autograd.grad([o for o, _ in pairs], [leaves[i] for i in wanted],
                                  [g for _, g in pairs], create_graph=create, allow_unused=True)
    result = [None] * (len(inputs) + 1)
    for i, g in zip(wanted, got):
        result[i] = g if g is not None else torch.zeros_like(inputs[i])
    return tuple(result)


def _last_dh(dseq, dh_last, steps, dirs, batch, units, like, single):
    """The gradient reaching the last output: from the sequence and from the final state
    (`[D, T, B, u]` / `[D, B, u]`; the `[B, u]` slice of direction 0 when `single`)."""
    if dseq is None:
        dh = dh_last if dh_last is not None else like.new_zeros(dirs, batch, units)
    else:
        dh = dseq[:, steps - 1] if dh_last is None else dseq[:, steps - 1] + dh_last
    return dh[0] if single else dh


def _last_dh_2d(dseq, dh_last, steps, like, units):
    """`_last_dh` for one direction: `[T, B, u]` / `[B, u]`."""
    if dseq is None:
        return dh_last if dh_last is not None else like.new_zeros(like.shape[1], units)
    return dseq[steps - 1] if dh_last is None else dseq[steps - 1] + dh_last


def _recurrent_grad(dz_t, rt, dseq_prev, out):
    """`dz_t @ R^T (+ dseq_prev)` into `out`: the gradient reaching the previous output."""
    torch.mm(dz_t, rt, out=out)
    if dseq_prev is not None:
        out.add_(dseq_prev)
    return out


def _input_grads(ctx, dxp2d, x2d, w):
    """(dx, dW, db-input) from the gate gradients of the input projection."""
    need = ctx.needs_input_grad
    dx = torch.mm(dxp2d, w.t()) if need[0] else None
    dw = torch.mm(x2d.t(), dxp2d) if need[1] else None
    db = dxp2d.sum(0) if need[2] else None
    return dx, dw, db


# ------------------------------------------------------------------------------------ LSTM
def _to_internal(w, u):
    """Keras gate blocks i, f, c, o -> o, i, f, c: the three sigmoid gates first, and the three
    blocks that `dc` multiplies in backward next to each other."""
    return torch.cat([w[..., 3 * u:], w[..., :3 * u]], -1)


def _to_keras(g, u):
    return torch.cat([g[..., u:], g[..., :u]], -1)


def _steps(t: torch.Tensor, single: bool) -> tuple:
    """Per-step views of a `[D, T, ...]` buffer: `[...]` views for one direction, `[D, ...]`
    for several."""
    return t[0].unbind(0) if single else t.unbind(1)


def _lstm_forward(x, w, b, r, h0, c0, act, ract_fwd, steps, native=None):
    """x `[D, T*B, in]`, w `[D, in, 4u]`, b `[D, 4u]` or None, r `[D, u, 4u]` (internal gate
    order), h0 / c0 `[D, B, u]`: D independent LSTMs stepped together. With `native` (the C
    loops of `_native`, for tanh + folded hardSigmoid gates) the step loop runs there."""
    dirs, batch, u = h0.shape
    single = dirs == 1
    z = W.take((dirs, steps * batch, 4 * u), x)
    if single:
        _project_into(x[0], w[0], None if b is None else b[0], z[0])
    elif b is not None:
        torch.baddbmm(b.unsqueeze(1), x, w, out=z)
    else:
        torch.bmm(x, w, out=z)
    z = z.view(dirs, steps, batch, 4 * u)
    c = W.take((dirs, steps + 1, batch, u), z)
    tc = W.take((dirs, steps, batch, u), z)
    h = h0.new_empty(dirs, steps + 1, batch, u)    # not pooled: the outputs are views of it
    h[:, 0] = h0
    c[:, 0] = c0
    if native is not None:          # no activations buffer: the C loops keep tanh(g) in z
        native.run(native.lstm_forward, dirs, steps, batch, u, z.data_ptr(), h.data_ptr(),
                   c.data_ptr(), tc.data_ptr(), r.data_ptr(),
                   one_blas_thread=8.0 * batch * u * u < _native.SMALL_GEMM_FLOPS)
        return z, None, h, c, tc
    a = W.take(z.shape, z)
    zs, hs, cs, tcs = (_steps(t, single) for t in (z, h, c, tc))
    zsig, asig = _steps(z[..., :3 * u], single), _steps(a[..., :3 * u], single)
    zcell, acell = _steps(z[..., 3 * u:], single), _steps(a[..., 3 * u:], single)
    ao, ai, af = (_steps(a[..., k * u:(k + 1) * u], single) for k in range(3))
    act_fwd = act.forward
    rs = r[0] if single else r
    for t in range(steps):
        if single:
            zs[t].addmm_(hs[t], rs)
        else:
            zs[t].baddbmm_(hs[t], rs)
        ract_fwd(zsig[t], asig[t])
        act_fwd(zcell[t], acell[t])
        torch.mul(af[t], cs[t], out=cs[t + 1])
        cs[t + 1].addcmul_(ai[t], acell[t])
        act_fwd(cs[t + 1], tcs[t])
        torch.mul(ao[t], tcs[t], out=hs[t + 1])
    return z, a, h, c, tc


def _project_into(x2d, w, b, out):
    if b is not None:
        torch.addmm(b, x2d, w, out=out)
    else:
        torch.mm(x2d, w, out=out)


def _lstm_backward(ctx, dseq, dh_last, dc_last):
    cfg = ctx.cfg
    _ = ctx.saved_tensors       # version check: the inputs / weights not modified in place
    x, w, r, z, a, h, c, tc = ctx.bufs
    dirs, steps, batch, g4 = z.shape
    u = g4 // 4
    if cfg.native is not None:
        dz, dc, dh0 = _lstm_steps_backward_native(ctx, dseq, dh_last, dc_last)
    else:
        dz, dc, dh0 = _lstm_steps_backward(ctx, dseq, dh_last, dc_last)
    dz3d = dz.view(dirs, steps * batch, g4)
    need = ctx.needs_input_grad
    dx = torch.bmm(dz3d, w.transpose(1, 2)) if need[0] else None
    dw = torch.bmm(x.transpose(1, 2), dz3d) if need[1] else None
    db = dz3d.sum(1) if need[2] else None
    dr = torch.bmm(h[:, :-1].reshape(dirs, steps * batch, u).transpose(1, 2), dz3d) \
        if need[3] else None
    W.give(z, a, c, tc, dz)
    ctx.bufs = None
    if cfg.clip:        # the gates saw scale * weights: d weights = scale * d scaled weights
        for g in (dw, db, dr):
            if g is not None:
                g[..., :3 * u].mul_(cfg.clip[0])
    return (dx, None if dw is None else _to_keras(dw, u), None if db is None else _to_keras(db, u),
            None if dr is None else _to_keras(dr, u), dh0,
            dc if need[5] else None, None)


def _lstm_steps_backward_native(ctx, dseq, dh_last, dc_last):
    """`_lstm_steps_backward` in the C loop (tanh + folded hardSigmoid gates)."""
    native = ctx.cfg.native
    x, w, r, z, a, h, c, tc = ctx.bufs
    dirs, steps, batch, g4 = z.shape
    u = g4 // 4
    dense = torch.contiguous_format
    dh = dh_last.clone(memory_format=dense) if dh_last is not None else \
        z.new_zeros(dirs, batch, u)
    dc = dc_last.clone(memory_format=dense) if dc_last is not None else \
        z.new_zeros(dirs, batch, u)
    dseq = None if dseq is None else dseq.contiguous()
    dz = W.take(z.shape, z)
    dh0 = z.new_empty(dirs, batch, u) if ctx.needs_input_grad[4] else None
    native.run(native.lstm_backward, dirs, steps, batch, u, z.data_ptr(),
               c.data_ptr(), tc.data_ptr(), r.data_ptr(),
               None if dseq is None else dseq.data_ptr(), dh.data_ptr(), dc.data_ptr(),
               dz.data_ptr(), None if dh0 is None else dh0.data_ptr(),
               one_blas_thread=8.0 * batch * u * u < _native.SMALL_GEMM_FLOPS)
    return dz, dc, dh0


def _lstm_steps_backward(ctx, dseq, dh_last, dc_last):
    """(dz `[D, T, B, 4u]`, dc0, dh0): the step loop of the LSTM backward in PyTorch ops."""
    cfg = ctx.cfg
    x, w, r, z, a, h, c, tc = ctx.bufs
    dirs, steps, batch, g4 = z.shape
    u = g4 // 4
    single = dirs == 1
    # n: d(gate pre-activation) per unit of dh (slot o) or of dc (slots i, f, g)
    n = W.take(z.shape, z)
    mults = (tc, a[..., 3 * u:], c[:, :-1])     # o: dh * tanh(c) * o', i: dc * g * i',
    if cfg.clip:                                # f: dc * c_prev * f'
        for k, m in enumerate(mults):
            cfg.ract.clip_chain(m, z[..., k * u:(k + 1) * u], n[..., k * u:(k + 1) * u])
    else:
        cfg.ract.derivative(z[..., :3 * u], a[..., :3 * u], n[..., :3 * u])
        for k, m in enumerate(mults):
            n[..., k * u:(k + 1) * u].mul_(m)
    cfg.act.chain(a[..., u:2 * u], z[..., 3 * u:], a[..., 3 * u:], n[..., 3 * u:])  # g: dc*i*g'
    k = W.take((dirs, steps, batch, u), z)                       # dc += dh * o * tanh'(c)
    cfg.act.chain(a[..., :u], c[:, 1:], tc, k)

    dz = W.take(z.shape, z)
    dzs, dzo = _steps(dz, single), _steps(dz[..., :u], single)
    dz3 = _steps(dz.view(dirs, steps, batch, 4, u)[..., 1:, :], single)
    n3 = _steps(n.view(dirs, steps, batch, 4, u)[..., 1:, :], single)
    no, ks, af = _steps(n[..., :u], single), _steps(k, single), \
        _steps(a[..., 2 * u:3 * u], single)
    rt = r.transpose(1, 2).contiguous()
    rts = rt[0] if single else rt
    mm = torch.mm if single else torch.bmm
    dseqs = None if dseq is None else _steps(dseq, single)
    need_h0 = ctx.needs_input_grad[4]
    dh = _last_dh(dseq, dh_last, steps, dirs, batch, u, z, single)
    dc = dc_last.clone() if dc_last is not None else z.new_zeros(dirs, batch, u)
    if single:
        dc = dc[0]
    dc1 = dc.unsqueeze(-2)
    buf = torch.empty_like(dc)
    dh0 = None
    for t in range(steps - 1, -1, -1):
        dc.addcmul_(dh, ks[t])
        torch.mul(dh, no[t], out=dzo[t])
        torch.mul(dc1, n3[t], out=dz3[t])
        dc.mul_(af[t])
        if t > 0:
            mm(dzs[t], rts, out=buf)
            if dseqs is not None:
                buf.add_(dseqs[t - 1])
            dh = buf
        elif need_h0:
            dh0 = mm(dzs[0], rts)
    W.give(n, k)
    if single:
        dh0 = None if dh0 is None else dh0.unsqueeze(0)
        dc = dc.unsqueeze(0)
    return dz, dc, dh0


class _LSTMFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w, b, r, h0, c0, cfg):
        u = h0.shape[-1]
        wi, ri = _to_internal(w, u), _to_internal(r, u)
        bi = None if b is None else _to_internal(b, u)
        ract_fwd = cfg.ract.forward
        cfg.clip = cfg.ract.affine_clip
        if cfg.clip:
            # hardSigmoid gates: 0.2 * z + 0.5 comes out of the GEMMs, only the clip remains
            scale, shift = cfg.clip
            wi[..., :3 * u].mul_(scale)
            ri[..., :3 * u].mul_(scale)
            if bi is None:
                bi = wi.new_zeros(wi.shape[0], 4 * u)
            bi[..., :3 * u].mul_(scale).add_(shift)
            ract_fwd = cfg.ract.clip_forward
        cfg.native = _native_lstm(cfg, x, wi, ri, h0, c0)
        z, a, h, c, tc = _lstm_forward(x, wi, bi, ri, h0, c0, cfg.act, ract_fwd, cfg.steps,
                                       cfg.native)
        c_last = c[:, cfg.steps].clone()
        ctx.cfg = cfg
        ctx.save_for_backward(x, w, b, r, h0, c0)
        ctx.set_materialize_grads(False)
        if cfg.grad:
            ctx.bufs = (x, wi, ri, z, a, h, c, tc)
        else:
            ctx.bufs = None
            W.give(z, a, c, tc)
        return h[:, 1:], h[:, cfg.steps].clone(), c_last

    @staticmethod
    def backward(ctx, dseq, dh_last, dc_last):
        if torch.is_grad_enabled() or ctx.bufs is None:
            return _recompute(ctx, (dseq, dh_last, dc_last))
        return _lstm_backward(ctx, dseq, dh_last, dc_last)


def _native_lstm(cfg, *tensors):
    """The C step loops for this call, or None: tanh cells with hardSigmoid gates, float32
    CPU tensors, and the library built (`tfjs._native.kernels`)."""
    if not USE_NATIVE_KERNELS or not cfg.clip or cfg.act.kind is not Tanh:
        return None
    return _native_for(tensors)


def _native_for(tensors) -> '_native.Kernels | None':
    """`tfjs._native.kernels()` when every tensor is float32 on the CPU, else None."""
    if any(t.dtype != torch.float32 or t.device.type != 'cpu' for t in tensors):
        return None
    return _native.kernels()


def lstm(xs: torch.Tensor, h0: torch.Tensor, c0: torch.Tensor, kernel: torch.Tensor,
         recurrent: torch.Tensor, bias: torch.Tensor | None, activation, recurrent_activation,
         slow: Callable | None) -> tuple:
    """LSTM over time-major `xs` `[T, B, in]` with Keras weights (gates i, f, c, o).

    `activation` / `recurrent_activation` are tfjs Activations (elementwise; see
    `supports`). `slow(x2d, kernel, bias, recurrent, h0, c0) -> (seq, h, c)` is the
    differentiable step loop, used only for second-order gradients. Returns
    `(outputs [T, B, u], [h, c])`."""
    steps, batch = xs.shape[:2]
    x = xs.reshape(1, steps * batch, xs.shape[-1])
    one = (lambda t: None if t is None else t.unsqueeze(0))

    def slow1(x3, w, b, r, h, c):
        seq, hl, cl = slow(x3[0], w[0], None if b is None else b[0], r[0], h[0], c[0])
        return seq.unsqueeze(0), hl.unsqueeze(0), cl.unsqueeze(0)
    seq, h, c = lstm_directions(x, steps, one(h0), one(c0), one(kernel), one(recurrent),
                                one(bias), activation, recurrent_activation,
                                None if slow is None else slow1)
    return seq[0], [h[0], c[0]]


def lstm_directions(x: torch.Tensor, steps: int, h0: torch.Tensor, c0: torch.Tensor,
                    kernel: torch.Tensor, recurrent: torch.Tensor, bias: torch.Tensor | None,
                    activation, recurrent_activation, slow: Callable | None) -> tuple:
    """D LSTMs with the same shapes and activations stepped together (a Bidirectional layer's
    two directions): x `[D, T*B, in]` (time-major rows), h0 / c0 `[D, B, u]`, kernel
    `[D, in, 4u]`, recurrent `[D, u, 4u]`, bias `[D, 4u]` or None. `slow` takes and returns
    the same stacked tensors. Returns `(outputs [D, T, B, u], h [D, B, u], c [D, B, u])`."""
    act, ract = KernelActivation(activation), KernelActivation(recurrent_activation)
    grad = _needs_grad(x, kernel, bias, recurrent, h0, c0)
    return _LSTMFunction.apply(x, kernel, bias, recurrent, h0, c0,
                               _Config(steps, act, ract, slow, grad))


# ------------------------------------------------------------------------------------ GRU
def _gru_forward(x2d, w, b, r, h0, act, ract, steps, reset_after):
    batch, u = h0.shape
    b_in, b_rec = (b[0], b[1]) if (reset_after and b is not None) else (b, None)
    z = _project(x2d, w, b_in, steps)
    a = W.take(z.shape, z)
    omz = W.take((steps, batch, u), z)
    h = h0.new_empty(steps + 1, batch, u)
    h[0] = h0
    hs, omzs = h.unbind(0), omz.unbind(0)
    one = h0.new_ones(())
    zzr, azr = z[..., :2 * u].unbind(0), a[..., :2 * u].unbind(0)
    zh, ah = z[..., 2 * u:].unbind(0), a[..., 2 * u:].unbind(0)
    az, ar = a[..., :u].unbind(0), a[..., u:2 * u].unbind(0)
    act_fwd, ract_fwd = act.forward, ract.forward
    if reset_after:
        extra = inner = W.take(z.shape, z)
        inners, inner_zr, inner_h = inner.unbind(0), inner[..., :2 * u].unbind(0), \
            inner[..., 2 * u:].unbind(0)
    else:
        extra = rh = W.take((steps, batch, u), z)
        rhs = rh.unbind(0)
        r_zr, r_h = r[:, :2 * u], r[:, 2 * u:]
    for t in range(steps):
        hp = hs[t]
        if reset_after:
            if b_rec is not None:
                torch.addmm(b_rec, hp, r, out=inners[t])
            else:
                torch.mm(hp, r, out=inners[t])
            zzr[t].add_(inner_zr[t])
            ract_fwd(zzr[t], azr[t])
            zh[t].addcmul_(ar[t], inner_h[t])
        else:
            zzr[t].addmm_(hp, r_zr)
            ract_fwd(zzr[t], azr[t])
            torch.mul(ar[t], hp, out=rhs[t])
            zh[t].addmm_(rhs[t], r_h)
        act_fwd(zh[t], ah[t])
        torch.mul(az[t], hp, out=hs[t + 1])
        torch.sub(one, az[t], out=omzs[t])
        hs[t + 1].addcmul_(omzs[t], ah[t])
    return z, a, h, omz, extra


def _native_gru(cfg, x2d, w, r, h0):
    """The C step loops for this GRU call, or None: TF.js's default cell (tanh,
    hardSigmoid, `resetAfter: false`), float32 CPU tensors, a contiguous recurrent kernel, and
    the library built (`tfjs._native.kernels`)."""
    if not USE_NATIVE_KERNELS or cfg.reset_after or cfg.act.kind is not Tanh or \
            cfg.ract.kind is not HardSigmoid or not r.is_contiguous():
        return None
    return _native_for((x2d, w, r, h0))


def _gru_forward_native(x2d, w, b, r, h0, steps, native):
    """(z, rh, h) of `_gru_forward` (`resetAfter: false`) from the C loop: `z`'s z and r slots
    keep their pre-activations, its h slot the candidate; `rh` is r * h_prev."""
    batch, u = h0.shape
    z = _project(x2d, w, b, steps)
    rh = W.take((steps, batch, u), z)
    h = h0.new_empty(steps + 1, batch, u)          # not pooled: the outputs are views of it
    h[0] = h0
    native.run(native.gru_forward, steps, batch, u, z.data_ptr(), h.data_ptr(), rh.data_ptr(),
               r.data_ptr(), one_blas_thread=6.0 * batch * u * u < _native.SMALL_GEMM_FLOPS)
    return z, rh, h


def _gru_backward_native(ctx, dseq, dh_last):
    x2d, w, _, r, _ = ctx.saved_tensors     # version-checked: raises if modified in place
    z, _, _, rh, h = ctx.bufs
    steps, batch, g3 = z.shape
    u = g3 // 3
    native = ctx.cfg.native
    dh = dh_last.clone(memory_format=torch.contiguous_format) if dh_last is not None else \
        z.new_zeros(batch, u)
    dseq = None if dseq is None else dseq.contiguous()
    dz = W.take(z.shape, z)
    drh = z.new_empty(batch, u)         # (held here: C writes to it)
    native.run(native.gru_backward, steps, batch, u, z.data_ptr(), h.data_ptr(), r.data_ptr(),
               None if dseq is None else dseq.data_ptr(), dh.data_ptr(), drh.data_ptr(),
               dz.data_ptr(), one_blas_thread=6.0 * batch * u * u < _native.SMALL_GEMM_FLOPS)
    dx, dw, db, dr = _gru_weight_grads(ctx, dz, x2d, w, h, rh)
    W.give(z, rh, dz)
    ctx.bufs = None
    return dx, dw, db, dr, dh if ctx.needs_input_grad[4] else None, None


def _gru_weight_grads(ctx, dz, x2d, w, h, rh):
    """(dx, dW, db, dR) of a `resetAfter: false` GRU from the gradient of its input
    projection `dz` `[T, B, 3u]`: R's z, r columns see h_prev, its h columns r * h_prev."""
    steps, batch, g3 = dz.shape
    u = g3 // 3
    dz2 = dz.view(steps * batch, g3)
    dx, dw, db = _input_grads(ctx, dz2, x2d, w)
    dr = None
    if ctx.needs_input_grad[3]:
        dr = torch.cat([torch.mm(h[:-1].reshape(steps * batch, u).t(), dz2[:, :2 * u]),
                        torch.mm(rh.view(steps * batch, u).t(), dz2[:, 2 * u:])], 1)
    return dx, dw, db, dr


def _gru_backward(ctx, dseq, dh_last):
    cfg = ctx.cfg
    if cfg.native is not None:
        return _gru_backward_native(ctx, dseq, dh_last)
    x2d, w, _, r, _ = ctx.saved_tensors     # version-checked: raises if modified in place
    z, a, omz, extra, h = ctx.bufs
    steps, batch, g3 = z.shape
    u = g3 // 3
    hp = h[:-1]
    # n: d(pre-activation) per unit of dh: z slot (h_prev - hh) z', h slot (1 - z) hh'; and
    # r slot per unit of d(r * src): src r' (src = h_prev, or the recurrent hh part)
    n = W.take(z.shape, z)
    cfg.ract.derivative(z[..., :2 * u], a[..., :2 * u], n[..., :2 * u])
    n_z = n[..., :u]
    diff = W.take((steps, batch, u), z)
    n_z.mul_(torch.sub(hp, a[..., 2 * u:], out=diff))
    W.give(diff)
    n[..., u:2 * u].mul_(extra[..., 2 * u:] if cfg.reset_after else hp)
    cfg.act.chain(omz, z[..., 2 * u:], a[..., 2 * u:], n[..., 2 * u:])
    az, ar = a[..., :u].unbind(0), a[..., u:2 * u].unbind(0)
    nz, nr, nh = n_z.unbind(0), n[..., u:2 * u].unbind(0), n[..., 2 * u:].unbind(0)
    need_h0 = ctx.needs_input_grad[4]
    dh = _last_dh_2d(dseq, dh_last, steps, z, u)
    bufs = [z.new_empty(batch, u), z.new_empty(batch, u)]
    dz = W.take(z.shape, z)          # d(input projection)
    dzs_zr, dzz, dzr, dzh = dz[..., :2 * u].unbind(0), dz[..., :u].unbind(0), \
        dz[..., u:2 * u].unbind(0), dz[..., 2 * u:].unbind(0)
    if cfg.reset_after:
        d_inner = W.take(z.shape, z)                            # d(h @ R + b_rec)
        dis, diz, dir_, dih = d_inner.unbind(0), d_inner[..., :u].unbind(0), \
            d_inner[..., u:2 * u].unbind(0), d_inner[..., 2 * u:].unbind(0)
        rt = r.t().contiguous()
        for t in range(steps - 1, -1, -1):
            torch.mul(dh, nz[t], out=diz[t])
            torch.mul(dh, nh[t], out=dzh[t])
            torch.mul(dzh[t], nr[t], out=dir_[t])
            torch.mul(dzh[t], ar[t], out=dih[t])
            if t > 0 or need_h0:
                nxt = bufs[t % 2]
                if t > 0 and dseq is not None:
                    torch.addcmul(dseq[t - 1], dh, az[t], out=nxt)
                else:
                    torch.mul(dh, az[t], out=nxt)
                nxt.addmm_(dis[t], rt)
                dh = nxt
        dz[..., :2 * u].copy_(d_inner[..., :2 * u])
        dz2, di2 = dz.view(steps * batch, g3), d_inner.view(steps * batch, g3)
        dx, dw, db_in = _input_grads(ctx, dz2, x2d, w)
        dr = torch.mm(hp.reshape(steps * batch, u).t(), di2) if ctx.needs_input_grad[3] \
            else None
        db = torch.stack([db_in, di2.sum(0)]) if db_in is not None else None
        W.give(d_inner)
    else:
        rt_zr, rt_h = r[:, :2 * u].t().contiguous(), r[:, 2 * u:].t().contiguous()
        drh = z.new_empty(batch, u)
        for t in range(steps - 1, -1, -1):
            torch.mul(dh, nz[t], out=dzz[t])
            torch.mul(dh, nh[t], out=dzh[t])
            torch.mm(dzh[t], rt_h, out=drh)
            torch.mul(drh, nr[t], out=dzr[t])
            if t > 0 or need_h0:
                nxt = bufs[t % 2]
                if t > 0 and dseq is not None:
                    torch.addcmul(dseq[t - 1], dh, az[t], out=nxt)
                else:
                    torch.mul(dh, az[t], out=nxt)
                nxt.addcmul_(drh, ar[t])
                nxt.addmm_(dzs_zr[t], rt_zr)
                dh = nxt
        dx, dw, db, dr = _gru_weight_grads(ctx, dz, x2d, w, h, extra)
    dh0 = dh.clone() if need_h0 else None
    W.give(z, a, omz, extra, n, dz)
    ctx.bufs = None
    return dx, dw, db, dr, dh0, None


class _SingleStateFunction(torch.autograd.Function):
    """A whole sequence of a cell with one state (GRU, SimpleRNN). Subclasses define
    `_forward(x2d, w, b, r, h0, cfg)`, returning the scratch buffers with the states `h` last,
    and `_backward(ctx, dseq, dh_last)`, which reads them from `ctx.bufs`. Without a gradient to come, the buffers go back to the pool at once."""

    @classmethod
    def forward(cls, ctx, x2d, w, b, r, h0, cfg):
        bufs = cls._forward(x2d, w, b, r, h0, cfg)
        h = bufs[-1]
        ctx.cfg = cfg
        ctx.save_for_backward(x2d, w, b, r, h0)
        ctx.set_materialize_grads(False)
        if cfg.grad:
            ctx.bufs = bufs
        else:
            ctx.bufs = None
            W.give(*bufs[:-1])
        return h[1:], h[cfg.steps].clone()

    @classmethod
    def backward(cls, ctx, dseq, dh_last):
        if torch.is_grad_enabled() or ctx.bufs is None:
            return _recompute(ctx, (dseq, dh_last))
        return cls._backward(ctx, dseq, dh_last)


class _GRUFunction(_SingleStateFunction):
    @staticmethod
    def _forward(x2d, w, b, r, h0, cfg):
        cfg.native = _native_gru(cfg, x2d, w, r, h0)
        if cfg.native is not None:
            z, rh, h = _gru_forward_native(x2d, w, b, r, h0, cfg.steps, cfg.native)
            return z, None, None, rh, h
        z, a, h, omz, extra = _gru_forward(x2d, w, b, r, h0, cfg.act, cfg.ract, cfg.steps,
                                           cfg.reset_after)
        return z, a, omz, extra, h

    _backward = staticmethod(_gru_backward)


def gru(xs: torch.Tensor, h0: torch.Tensor, kernel: torch.Tensor, recurrent: torch.Tensor,
        bias: torch.Tensor | None, activation, recurrent_activation, reset_after: bool,
        slow: Callable | None) -> tuple:
    """GRU over time-major `xs` with Keras weights (gates z, r, h; bias `[2, 3u]` when
    `reset_after`). `slow(x2d, kernel, bias, recurrent, h0) -> (seq, h)` serves second-order
    gradients. Returns `(outputs [T, B, u], [h])`."""
    steps, batch = xs.shape[:2]
    act, ract = KernelActivation(activation), KernelActivation(recurrent_activation)
    x2d = xs.reshape(steps * batch, xs.shape[-1])
    grad = _needs_grad(x2d, kernel, bias, recurrent, h0)
    seq, h = _GRUFunction.apply(x2d, kernel, bias, recurrent, h0,
                                _Config(steps, act, ract, slow, grad, reset_after))
    return seq, [h]


# ------------------------------------------------------------------------------- SimpleRNN
def _rnn_forward(x2d, w, b, r, h0, act, steps):
    batch, u = h0.shape
    z = _project(x2d, w, b, steps)
    h = h0.new_empty(steps + 1, batch, u)
    h[0] = h0
    zs, hs = z.unbind(0), h.unbind(0)
    for t in range(steps):
        zs[t].addmm_(hs[t], r)
        act.forward(zs[t], hs[t + 1])
    return z, h


def _rnn_backward(ctx, dseq, dh_last):
    cfg = ctx.cfg
    x2d, w, _, r, _ = ctx.saved_tensors     # version-checked: raises if modified in place
    z, h = ctx.bufs
    steps, batch, u = z.shape
    d = W.take(z.shape, z)
    cfg.act.derivative(z, h[1:], d)
    dz = W.take(z.shape, z)
    ds, dzs, rt = d.unbind(0), dz.unbind(0), r.t().contiguous()
    need_h0 = ctx.needs_input_grad[4]
    dh = _last_dh_2d(dseq, dh_last, steps, z, u)
    buf = z.new_empty(batch, u)
    dh0 = None
    for t in range(steps - 1, -1, -1):
        torch.mul(dh, ds[t], out=dzs[t])
        if t > 0:
            dh = _recurrent_grad(dzs[t], rt, None if dseq is None else dseq[t - 1], buf)
        elif need_h0:
            dh0 = torch.mm(dzs[0], rt)
    dz2 = dz.view(steps * batch, u)
    dx, dw, db = _input_grads(ctx, dz2, x2d, w)
    dr = torch.mm(h[:-1].reshape(steps * batch, u).t(), dz2) if ctx.needs_input_grad[3] else None
    W.give(z, d, dz)
    ctx.bufs = None
    return dx, dw, db, dr, dh0, None


class _SimpleRNNFunction(_SingleStateFunction):
    @staticmethod
    def _forward(x2d, w, b, r, h0, cfg):
        return _rnn_forward(x2d, w, b, r, h0, cfg.act, cfg.steps)

    _backward = staticmethod(_rnn_backward)


def simple_rnn(xs: torch.Tensor, h0: torch.Tensor, kernel: torch.Tensor,
               recurrent: torch.Tensor, bias: torch.Tensor | None, activation,
               slow: Callable | None) -> tuple:
    """SimpleRNN over time-major `xs`. `slow(x2d, kernel, bias, recurrent, h0) -> (seq, h)`
    serves second-order gradients. Returns `(outputs [T, B, u], [h])`."""
    steps, batch = xs.shape[:2]
    x2d = xs.reshape(steps * batch, xs.shape[-1])
    grad = _needs_grad(x2d, kernel, bias, recurrent, h0)
    seq, h = _SimpleRNNFunction.apply(x2d, kernel, bias, recurrent, h0,
                                      _Config(steps, KernelActivation(activation), None, slow,
                                              grad))
    return seq, [h]
