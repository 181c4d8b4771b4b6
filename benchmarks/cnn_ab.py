"""In-process, interleaved comparison of tfjs and raw PyTorch on the `cnn` workload.

    OMP_WAIT_POLICY=PASSIVE .venv/bin/python benchmarks/cnn_ab.py [--rounds 9] [--batches 8]
    OMP_WAIT_POLICY=PASSIVE .venv/bin/python benchmarks/cnn_ab.py --cpu-time   # busy machine

Each round times, one after the other in the same process, (1) the conv stack alone
(conv-relu-pool-conv-relu-pool-flatten, forward + backward of a sum) as tfjs layers and as
torch ops on NCHW, and (2) whole training steps: tfjs `trainOnBatch`, tfjs `fit` over the same
batches (what benchmarks/run.py times) and the raw PyTorch anchor's step
(benchmarks/workloads_torch.py). The order alternates between rounds; medians are printed,
with the median over rounds of each round's torch time / tfjs time (tfjs speed relative to
torch): the shared machine's noise hits both sides of a round alike. `--cpu-time` measures the
process's CPU time, which other processes on a loaded machine disturb much less. A diagnosis
tool, not the benchmark (benchmarks/run.py is that).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import FULL, make_data  # noqa: E402


def _timer(fn, reps: int, clock) -> float:
    t0 = clock()
    for _ in range(reps):
        fn()
    return (clock() - t0) / reps * 1e3


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--rounds', type=int, default=9)
    ap.add_argument('--batches', type=int, default=8, help='steps timed per round and side')
    ap.add_argument('--cpu-time', action='store_true',
                    help="the process's CPU time instead of wall time (steadier on a busy "
                         'machine; with one thread it measures the work done)')
    args = ap.parse_args()

    import torch
    import torch.nn.functional as F
    import tfjs as tf
    import workloads_tfjs as WT
    import workloads_torch as WP

    spec = FULL['cnn']
    b = spec['batch']
    x, y = make_data(spec)
    x, y = x[:b * args.batches], y[:b * args.batches]

    # ---- whole training steps
    model = WT.build(spec)
    model.compile({'optimizer': tf.train.adam(0.001), 'loss': 'categoricalCrossentropy'})
    tx = [tf.tensor(x[i:i + b]) for i in range(0, len(x), b)]
    ty = [tf.tensor(y[i:i + b]) for i in range(0, len(y), b)]
    tmodel = WP.build(spec)
    opt = torch.optim.Adam(tmodel.parameters(), lr=1e-3, eps=WP.EPS)
    px = WP._x_tensor(spec, x, 'cpu')
    py = torch.from_numpy(y)

    def tfjs_steps():
        for xb, yb in zip(tx, ty):
            model.trainOnBatch(xb, yb)

    xs_all, ys_all = tf.tensor(x), tf.tensor(y)
    fit_args = {'epochs': 1, 'batchSize': b, 'shuffle': False, 'verbose': 0}

    def tfjs_fit():
        model.fit(xs_all, ys_all, fit_args)

    def torch_steps():
        for i in range(0, len(px), b):
            opt.zero_grad(set_to_none=True)
            loss = WP.categorical_crossentropy(py[i:i + b], tmodel(px[i:i + b]))
            loss.backward()
            opt.step()

    # ---- the conv stack alone, forward + backward
    stack = model.layers[:5]
    xin = torch.from_numpy(x[:b])
    def weight(layer, i, perm=None):
        v = layer.getWeights()[i]
        t = torch.from_numpy(v.dataSync().reshape(v.shape).copy())
        return (t if perm is None else t.permute(*perm).contiguous()).requires_grad_()
    w1, b1 = weight(stack[0], 0, (3, 2, 0, 1)), weight(stack[0], 1)
    w2, b2 = weight(stack[2], 0, (3, 2, 0, 1)), weight(stack[2], 1)
    xin_nchw = xin.permute(0, 3, 1, 2).contiguous()
    tvars = [v.val._t for lay in stack for v in lay.trainableWeights]

    def tfjs_stack():
        for v in tvars:
            v.requires_grad_(True)
        with torch.enable_grad():
            t = xin
            for lay in stack:
                t = lay.forward(t, True)
            grads = torch.autograd.grad(t.sum(), tvars)
        for v in tvars:
            v.requires_grad_(False)
        return grads

    def torch_stack():
        t = F.max_pool2d(torch.relu(F.conv2d(xin_nchw, w1, b1)), 2)
        t = F.max_pool2d(torch.relu(F.conv2d(t, w2, b2)), 2).flatten(1)
        return torch.autograd.grad(t.sum(), [w1, b1, w2, b2])

    cases = {'stack tfjs': (tfjs_stack, 10), 'stack torch': (torch_stack, 10),
             'train tfjs': (tfjs_steps, 1), 'train torch': (torch_steps, 1),
             'fit tfjs': (tfjs_fit, 1)}
    for fn, _ in cases.values():
        fn()
    times: dict[str, list] = {k: [] for k in cases}
    clock = time.process_time if args.cpu_time else time.perf_counter
    for r in range(args.rounds):
        names = list(cases) if r % 2 == 0 else list(cases)[::-1]
        for name in names:
            fn, reps = cases[name]
            times[name].append(_timer(fn, reps, clock))
    med = {k: statistics.median(v) for k, v in times.items()}

    def paired(a: str, c: str) -> float:
        """Median over rounds of torch's time / tfjs's time (tfjs speed relative to torch)."""
        return statistics.median(t / s for s, t in zip(times[a], times[c]))
    print(f'threads {torch.get_num_threads()}, {args.rounds} rounds, '
          f'{"CPU" if args.cpu_time else "wall"} time, medians')
    print(f'conv stack fwd+bwd (batch {b}): tfjs {med["stack tfjs"]:.2f} ms, torch '
          f'{med["stack torch"]:.2f} ms, tfjs speed / torch speed '
          f'{paired("stack tfjs", "stack torch"):.3f}')
    n = args.batches
    print(f'train step (batch {b}): tfjs {med["train tfjs"] / n:.2f} ms, torch '
          f'{med["train torch"] / n:.2f} ms, tfjs speed / torch speed '
          f'{paired("train tfjs", "train torch"):.3f}')
    print(f'model.fit, one epoch of the same batches: tfjs {med["fit tfjs"] / n:.2f} ms a batch, '
          f'tfjs speed / torch speed {paired("fit tfjs", "train torch"):.3f}')


if __name__ == '__main__':
    main()
