"""The raw PyTorch anchor: hand-written modules and loops doing the same math as the tfjs models.

Same layers and shapes, Adam (lr 1e-3, epsilon 1e-7 as TF.js/Keras), categorical crossentropy
on softmax outputs computed as TF.js does (normalise, clip to [eps, 1-eps], -sum(y log p)),
batches in order. Images are NCHW here (PyTorch's native layout): the NHWC data is transposed
once, before timing. The loss is accumulated on the device and read once at the end of the
epoch. Initialisation is PyTorch's default (it does not change the speed).
"""
from __future__ import annotations

import os
import time

import torch
from torch import nn

from common import (big_model_bytes, load_result, make_data, predict_input, predict_result,
                    time_calls, train_result)

EPS = 1e-7


def versions() -> dict:
    return {'torch': torch.__version__, 'threads': torch.get_num_threads()}


class _LastStep(nn.Module):
    """Output of a (bi)directional recurrent layer at its last step, as Keras's
    `returnSequences: false` gives it (forward last state, then backward last state)."""

    def __init__(self, rnn: nn.Module):
        super().__init__()
        self.rnn = rnn

    def forward(self, x):
        _, h = self.rnn(x)
        if isinstance(h, tuple):          # LSTM: (h_n, c_n)
            h = h[0]
        return torch.cat(list(h), dim=-1) if h.shape[0] > 1 else h[0]


def build(spec: dict) -> nn.Module:
    m = spec['model']
    if m in ('mlp', 'big'):
        dims = list(spec['input']) + list(spec['hidden'])
        layers: list[nn.Module] = []
        for a, b in zip(dims[:-1], dims[1:]):
            layers += [nn.Linear(a, b), nn.ReLU()]
        layers.append(nn.Linear(dims[-1], spec['classes']))
    elif m == 'cnn':
        h, w, c = spec['input']
        f1, f2 = spec['filters']
        hh = ((h - 2) // 2 - 2) // 2
        ww = ((w - 2) // 2 - 2) // 2
        layers = [nn.Conv2d(c, f1, 3), nn.ReLU(), nn.MaxPool2d(2),
                  nn.Conv2d(f1, f2, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                  nn.Linear(f2 * hh * ww, spec['dense']), nn.ReLU(),
                  nn.Linear(spec['dense'], spec['classes'])]
    elif m in ('lstm', 'gru'):
        cls = nn.LSTM if m == 'lstm' else nn.GRU
        layers = [_LastStep(cls(spec['input'][1], spec['units'], batch_first=True)),
                  nn.Linear(spec['units'], spec['classes'])]
    elif m == 'text':
        layers = [nn.Embedding(spec['vocab'], spec['embed']),
                  _LastStep(nn.LSTM(spec['embed'], spec['units'], batch_first=True,
                                    bidirectional=True)),
                  nn.Linear(2 * spec['units'], spec['classes'])]
    else:
        raise ValueError(m)
    if m != 'big':
        layers.append(nn.Softmax(dim=-1))
    return nn.Sequential(*layers)


def categorical_crossentropy(y: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
    p = p / p.sum(dim=-1, keepdim=True)
    p = p.clamp(EPS, 1 - EPS)
    return -(y * p.log()).sum(dim=-1).mean()


def _x_tensor(spec, x, device):
    t = torch.from_numpy(x)
    if spec['model'] == 'cnn':
        t = t.permute(0, 3, 1, 2).contiguous()
    elif spec['model'] == 'text':
        t = t.long()
    return t.to(device)


def _sync(device):
    if device == 'cuda':
        torch.cuda.synchronize()


def train(spec: dict, device: str) -> dict:
    x, y = make_data(spec)
    xt, yt = _x_tensor(spec, x, device), torch.from_numpy(y).to(device)
    model = build(spec).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=EPS)
    b, n = spec['batch'], spec['samples']

    def step(xb, yb):
        opt.zero_grad(set_to_none=True)
        loss = categorical_crossentropy(yb, model(xb))
        loss.backward()
        opt.step()
        return loss.detach()

    step(xt[:b], yt[:b])                       # warm-up batch
    _sync(device)
    t0 = time.perf_counter()
    total = torch.zeros((), device=device)
    for start in range(0, n, b):
        total += step(xt[start:start + b], yt[start:start + b])
    final_loss = float(total) / ((n + b - 1) // b)   # one host sync, at the end
    seconds = time.perf_counter() - t0
    return train_result(spec, seconds, {'final_mean_loss': final_loss})


def predict(spec: dict, device: str) -> dict:
    model = build(spec).to(device).eval()
    xt = torch.from_numpy(predict_input(spec)).to(device)

    def call():
        with torch.inference_mode():
            return model(xt).cpu().numpy()

    times = time_calls(call, spec['calls'], spec['warmup'], spec['budget_s'])
    return predict_result(times)


def _path(files_dir: str) -> str:
    return os.path.join(files_dir, 'torch', 'model.pt')


def prepare_load(spec: dict, files_dir: str) -> None:
    path = _path(files_dir)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    torch.save(build(spec).state_dict(), path)


def load(spec: dict, device: str, files_dir: str) -> dict:
    """torch.load of the state dict, then the weights assigned to a module built on the `meta`
    device (no wasted initialisation), as a careful PyTorch user writes it."""
    path = _path(files_dir)
    times = []
    for _ in range(spec['loads']):
        t0 = time.perf_counter()
        state = torch.load(path, map_location=device)
        with torch.device('meta'):
            model = build(spec)
        model.load_state_dict(state, assign=True)
        _sync(device)
        times.append((time.perf_counter() - t0) * 1e3)
        del model, state
    return load_result(times, big_model_bytes(spec))
