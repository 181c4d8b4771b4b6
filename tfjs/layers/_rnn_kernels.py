"""Torch-level recurrent kernels shared by the RNN cells (no tfjs Tensors in here).

- `run_loop`: the exact step loop of TF.js's `rnn()` (time-major), with its masking rule: at a
  masked step the output is the previous `states[0]` and every state keeps its previous value.
- `fused_*`: PyTorch's fused sequence kernels (`torch._VF.lstm / gru / rnn_tanh`, cuDNN on CUDA,
  oneDNN on CPU) fed with Keras-layout weights; used when the cell's math is exactly theirs
  (tanh + sigmoid, GRU with `resetAfter`), there is no mask and no recurrent dropout.
- `dropout_mask`: TF.js's `K.dropout(ones, rate)` mask (or a user `dropoutFunc`).

`USE_FUSED_KERNELS = False` forces the step loop everywhere (the tests compare both paths).
"""
from __future__ import annotations

import warnings
from typing import Callable, Sequence

import torch
from torch import _VF

USE_FUSED_KERNELS = True

# cuDNN warns when the weights are not one flat buffer; ours are re-laid out per call on purpose.
warnings.filterwarnings('ignore', message='RNN module weights are not part of single contiguous')

StepFn = Callable[[int, list], tuple]


def run_loop(step: StepFn, n_steps: int, states: list, mask: torch.Tensor | None,
             need_seq: bool) -> tuple:
    """Iterate `step(t, states) -> (output, new_states)` over `n_steps` time steps.

    Steps read their inputs from `seq.unbind(0)` views taken once, never `seq[t]`: the backward
    of each `seq[t]` allocates and zero-fills a gradient of the whole sequence, which makes a
    long loop quadratic in its length.

    `mask` is bool `[time, batch]` (already reversed for backward layers) or None. Returns
    `(outputs [time, batch, ...] or None, last output, final states)`.
    """
    outs = []
    out = None
    view = None
    for t in range(n_steps):
        out, new_states = step(t, states)
        if mask is not None:
            if view is None:
                view = [mask.shape[1]] + [1] * (out.ndim - 1)
            m = mask[t].view(view)
            out = torch.where(m, out, states[0])
            new_states = [torch.where(m, n, s) for n, s in zip(new_states, states)]
        states = list(new_states)
        if need_seq:
            outs.append(out)
    return (torch.stack(outs) if need_seq else None), out, states


def fusable(*, activation, recurrent_activation=None, mask=None, recurrent_dropout=None) -> bool:
    """Whether PyTorch's fused kernel computes exactly this cell: tanh activation, sigmoid gates,
    no mask and no recurrent dropout (input dropout is applied before the kernel)."""
    from ..activations import Sigmoid, Tanh
    if not USE_FUSED_KERNELS or mask is not None or recurrent_dropout is not None:
        return False
    if type(activation) is not Tanh:
        return False
    return recurrent_activation is None or type(recurrent_activation) is Sigmoid


def _call_vf(kernel, x: torch.Tensor, hx, params: list, has_biases: bool):
    """Call a `torch._VF` sequence kernel (time-major). Without any gradient to record it runs
    under `no_grad` with `train=False`, which lets PyTorch pick its inference kernels."""
    tensors = [x] + list(hx if isinstance(hx, tuple) else (hx,)) + params
    train = torch.is_grad_enabled() and any(t.requires_grad for t in tensors)
    # (num_layers, dropout, train, bidirectional, batch_first)
    if train:
        return kernel(x, hx, params, has_biases, 1, 0.0, True, False, False)
    with torch.no_grad():
        return kernel(x, hx, params, has_biases, 1, 0.0, False, False, False)


def _bias_pair(bias: torch.Tensor | None, recurrent_bias: torch.Tensor | None = None) -> list:
    if bias is None:
        return []
    return [bias, torch.zeros_like(bias) if recurrent_bias is None else recurrent_bias]


def fused_lstm(x: torch.Tensor, h0: torch.Tensor, c0: torch.Tensor, kernel: torch.Tensor,
               recurrent_kernel: torch.Tensor, bias: torch.Tensor | None) -> tuple:
    """LSTM over time-major `x` with Keras weights (gate order i, f, c, o = PyTorch's i, f, g, o).

    Returns `(outputs [T, B, u], [h, c])`."""
    params = [kernel.t(), recurrent_kernel.t()] + _bias_pair(bias)
    out, h, c = _call_vf(_VF.lstm, x, (h0.unsqueeze(0), c0.unsqueeze(0)), params,
                         bias is not None)
    return out, [h[0], c[0]]


def _zrh_to_rzn(w: torch.Tensor) -> torch.Tensor:
    """Keras GRU gate blocks z, r, h (last axis) -> PyTorch's r, z, n."""
    z, r, h = w.chunk(3, dim=-1)
    return torch.cat([r, z, h], dim=-1)


def fused_gru(x: torch.Tensor, h0: torch.Tensor, kernel: torch.Tensor,
              recurrent_kernel: torch.Tensor, bias: torch.Tensor | None) -> tuple:
    """GRU with `resetAfter: true` (Keras 2/3's default; bias `[2, 3u]` = input, recurrent).

    Returns `(outputs [T, B, u], [h])`."""
    params = [_zrh_to_rzn(kernel).t(), _zrh_to_rzn(recurrent_kernel).t()]
    if bias is not None:
        params += [_zrh_to_rzn(bias[0]), _zrh_to_rzn(bias[1])]
    out, h = _call_vf(_VF.gru, x, h0.unsqueeze(0), params, bias is not None)
    return out, [h[0]]


def fused_simple_rnn(x: torch.Tensor, h0: torch.Tensor, kernel: torch.Tensor,
                     recurrent_kernel: torch.Tensor, bias: torch.Tensor | None) -> tuple:
    """tanh SimpleRNN. Returns `(outputs [T, B, u], [h])`."""
    params = [kernel.t(), recurrent_kernel.t()] + _bias_pair(bias)
    out, h = _call_vf(_VF.rnn_tanh, x, h0.unsqueeze(0), params, bias is not None)
    return out, [h[0]]


def project(x: torch.Tensor, kernel: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
    """`x @ kernel + bias` for every time step at once: `[T, B, in] -> [T, B, out]`."""
    flat = x.reshape(-1, x.shape[-1])
    out = torch.addmm(bias, flat, kernel) if bias is not None else flat @ kernel
    return out.view(*x.shape[:-1], kernel.shape[-1])


def dropout_mask(like: torch.Tensor, rate: float, dropout_func=None) -> torch.Tensor:
    """A dropout mask shaped like `like`: 0 with probability `rate`, else 1 / (1 - rate)
    (TF.js's `K.dropout(onesLike(x), rate)`); `dropout_func(ones, rate)` replaces it when given."""
    if dropout_func is not None:
        from ..tensor import Tensor, convert_to_tensor
        ones = Tensor._make(torch.ones_like(like), 'float32')
        return convert_to_tensor(dropout_func(ones, rate), 'mask', 'dropoutFunc')._value() \
            .to(like.dtype)
    keep = 1.0 - rate
    return torch.floor(torch.rand_like(like) + keep) / keep


def split_states(states: Sequence, sizes: Sequence[int]) -> list:
    """A flat list of states cut into consecutive groups of the given sizes."""
    out, i = [], 0
    for n in sizes:
        out.append(list(states[i:i + n]))
        i += n
    return out
