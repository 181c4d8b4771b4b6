#!/usr/bin/env python3
"""In-process interleaved A/B timing of the optimizer step (issue 7).

    OMP_WAIT_POLICY=PASSIVE .venv/bin/python benchmarks/optimizer_ab.py [--repeats 15]

Part 1, one Adam step over the MLP's parameters (784-256-256-10: 6 tensors, 269k floats):
`old` is the previous tfjs step (14 `_foreach_*` passes, 4 fresh temporaries, square roots
through a float64 copy), `tfjs` the current `tf.train.adam` step (through `applyGradients`),
`torch` `torch.optim.Adam` with its default implementation (on CPU tensors: the per-tensor
loop; foreach is its default on CUDA only), `torch-fused` with `fused=True`. Part 2, one MLP
epoch (8192 samples, batch 128, `model.fit`; `tfjs-old` with the old Adam step) against the
hand-written raw PyTorch loop of benchmarks/workloads_torch.py. Rounds rotate the order;
medians (and minima) over rounds are printed, in ms. Both parts run hundreds of steps, so
tfjs's Adam takes its short path (`m / 1` skipped) after step 165, unlike a 64-batch epoch.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import tfjs as tf  # noqa: E402

SHAPES = [(784, 256), (256,), (256, 256), (256,), (256, 10), (10,)]


def f32(x: float) -> float:
    return float(np.float32(x))


def old_adam_step(params, grads, ms, vs, acc1, acc2, lr=0.001, b1=0.9, b2=0.999, eps=1e-7):
    """The tfjs Adam step before this change (commit acc6433), kept as the A/B baseline."""
    one_acc1, one_acc2 = torch.rsub(acc1, 1.0), torch.rsub(acc2, 1.0)
    torch._foreach_mul_(ms, f32(b1))
    t = torch._foreach_mul(grads, f32(1 - b1))
    torch._foreach_add_(ms, t)
    torch._foreach_mul_(vs, f32(b2))
    t = torch._foreach_mul(grads, grads)
    torch._foreach_mul_(t, f32(1 - b2))
    torch._foreach_add_(vs, t)
    m_hat = torch._foreach_div(ms, one_acc1)
    denom = torch._foreach_div(vs, one_acc2)
    wide = [d.double() for d in denom]
    torch._foreach_sqrt_(wide)
    torch._foreach_copy_(denom, wide)
    torch._foreach_add_(denom, f32(eps))
    torch._foreach_div_(m_hat, denom)
    torch._foreach_mul_(m_hat, f32(-lr))
    torch._foreach_add_(params, m_hat)
    acc1.mul_(f32(b1))
    acc2.mul_(f32(b2))


def step_impls(seed: int = 0) -> dict:
    """name -> zero-argument callable doing one Adam step on its own copy of the MLP weights."""
    rng = np.random.default_rng(seed)
    values = [rng.normal(size=s).astype(np.float32) for s in SHAPES]
    grads_np = [(rng.normal(size=s) * 1e-2).astype(np.float32) for s in SHAPES]
    impls = {}

    ps = [torch.from_numpy(v.copy()) for v in values]
    gs = [torch.from_numpy(g) for g in grads_np]
    state = ([torch.zeros(s) for s in SHAPES], [torch.zeros(s) for s in SHAPES],
             torch.tensor(0.9), torch.tensor(0.999))

    def old():
        with torch.no_grad():
            old_adam_step(ps, gs, *state)
    impls['old'] = old

    variables = [tf.variable(tf.tensor(v)) for v in values]
    tgrads = [tf.tensor(g) for g in grads_np]
    opt = tf.train.adam(0.001)
    entries = [{'name': v.name, 'tensor': g} for v, g in zip(variables, tgrads)]
    impls['tfjs'] = lambda: opt.applyGradients(entries) or variables   # keeps them alive

    for name, kwargs in (('torch', {}), ('torch-fused', {'fused': True})):
        tp = [torch.from_numpy(v.copy()).requires_grad_() for v in values]
        for p, g in zip(tp, grads_np):
            p.grad = torch.from_numpy(g)
        impls[name] = torch.optim.Adam(tp, lr=1e-3, eps=1e-7, **kwargs).step
    return impls


def epoch_impls() -> dict:
    """name -> zero-argument callable training one MLP epoch (tfjs `fit`, raw torch loop)."""
    from common import FULL, make_data
    import workloads_tfjs
    import workloads_torch
    spec = dict(FULL['mlp'])
    x, y = make_data(spec)
    b, n = spec['batch'], spec['samples']

    xs, ys = tf.tensor(x), tf.tensor(y)
    model = workloads_tfjs.build(spec)
    model.compile({'optimizer': tf.train.adam(0.001), 'loss': 'categoricalCrossentropy'})
    old_model = workloads_tfjs.build(spec)
    old_opt = tf.train.adam(0.001)
    old_model.compile({'optimizer': old_opt, 'loss': 'categoricalCrossentropy'})

    def old_step(params, grads, slots):
        if params:
            acc1, acc2 = old_opt._acc_beta1._value(), old_opt._acc_beta2._value()
            old_adam_step(params, grads, slots['m'], slots['v'], acc1, acc2)
    old_opt._step = old_step                 # this instance steps the old way
    args = {'epochs': 1, 'batchSize': b, 'shuffle': False, 'verbose': 0}

    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    net = workloads_torch.build(spec)
    topt = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7)

    def raw():
        total = torch.zeros(())
        for start in range(0, n, b):
            topt.zero_grad(set_to_none=True)
            loss = workloads_torch.categorical_crossentropy(yt[start:start + b],
                                                            net(xt[start:start + b]))
            loss.backward()
            topt.step()
            total += loss.detach()
        float(total)

    return {'tfjs-old': lambda: old_model.fit(xs, ys, args),
            'tfjs': lambda: model.fit(xs, ys, args), 'torch': raw}


def interleave(impls: dict, repeats: int, calls: int) -> tuple[dict, dict]:
    """({name: [wall ms per call]}, {name: [process CPU ms per call]}), one entry per round."""
    names = list(impls)
    for fn in impls.values():          # warm-up
        fn()
    wall, cpu = {k: [] for k in names}, {k: [] for k in names}
    for r in range(repeats):
        order = names[r % len(names):] + names[:r % len(names)]
        for k in order:
            fn = impls[k]
            t0, c0 = time.perf_counter(), time.process_time()
            for _ in range(calls):
                fn()
            wall[k].append((time.perf_counter() - t0) / calls * 1e3)
            cpu[k].append((time.process_time() - c0) / calls * 1e3)
    return wall, cpu


def report(title: str, times: tuple[dict, dict], base: str) -> None:
    """Wall time (what a user waits) and process CPU time (all threads; less sensitive to
    other processes on a shared machine), medians and minima over rounds."""
    wall, cpu = times
    print(f'\n{title}  (ms per call; median over rounds [min]; x = median / {base}\'s)')
    print(f'  {"":12s} {"wall":>18s} {"":7s} {"cpu (all threads)":>20s}')
    ref_w, ref_c = statistics.median(wall[base]), statistics.median(cpu[base])
    for k in wall:
        mw, mc = statistics.median(wall[k]), statistics.median(cpu[k])
        print(f'  {k:12s} {mw:8.3f} [{min(wall[k]):8.3f}] x{mw / ref_w:5.2f}'
              f'   {mc:8.3f} [{min(cpu[k]):8.3f}] x{mc / ref_c:5.2f}')


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--repeats', type=int, default=15)
    ap.add_argument('--calls', type=int, default=30, help='steps per timed round')
    ap.add_argument('--epochs', type=int, default=7, help='rounds of the epoch comparison')
    ap.add_argument('--skip-epoch', action='store_true')
    a = ap.parse_args()
    print(f'torch {torch.__version__}, threads {torch.get_num_threads()}, '
          f'OMP_WAIT_POLICY={os.environ.get("OMP_WAIT_POLICY", "")}')
    report('Adam step, MLP parameters', interleave(step_impls(), a.repeats, a.calls), 'torch')
    if not a.skip_epoch:
        report('MLP epoch (64 batches)', interleave(epoch_impls(), a.epochs, 1), 'torch')


if __name__ == '__main__':
    main()
