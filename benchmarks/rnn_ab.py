"""In-process A/B timing of recurrent training: tfjs `model.fit` (hand-written recurrent kernels,
optionally also the step loop) against raw PyTorch (nn.LSTM / nn.GRU, fused) on the runner's
lstm / gru / text workloads, interleaved epoch by epoch in one process; prints medians.

    OMP_WAIT_POLICY=PASSIVE .venv/bin/python benchmarks/rnn_ab.py lstm gru text --repeats 7
    OMP_WAIT_POLICY=PASSIVE .venv/bin/python benchmarks/rnn_ab.py lstm --loop   # + step loop
    OMP_WAIT_POLICY=PASSIVE .venv/bin/python benchmarks/rnn_ab.py lstm --cpu-time --threads 1

A diagnosis tool: timings depend on the machine and its load; compare within one run only.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import FULL, make_data  # noqa: E402


def _tfjs_epoch(spec, use_kernels: bool):
    import tfjs as tf
    import workloads_tfjs as W
    from tfjs.layers import _rnn_autograd
    x, y = make_data(spec)
    xs, ys = tf.tensor(x), tf.tensor(y)
    model = W.build(spec)
    model.compile({'optimizer': tf.train.adam(0.001), 'loss': 'categoricalCrossentropy'})
    args = {'epochs': 1, 'batchSize': spec['batch'], 'shuffle': False, 'verbose': 0}

    def run():
        _rnn_autograd.USE_AUTOGRAD_KERNELS = use_kernels
        try:
            model.fit(xs, ys, args)
        finally:
            _rnn_autograd.USE_AUTOGRAD_KERNELS = True
    return run


def _torch_epoch(spec):
    import torch
    import workloads_torch as T
    x, y = make_data(spec)
    xt, yt = T._x_tensor(spec, x, 'cpu'), torch.from_numpy(y)
    model = T.build(spec)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=T.EPS)
    b, n = spec['batch'], spec['samples']

    def run():
        total = torch.zeros(())
        for start in range(0, n, b):
            opt.zero_grad(set_to_none=True)
            loss = T.categorical_crossentropy(yt[start:start + b], model(xt[start:start + b]))
            loss.backward()
            opt.step()
            total += loss.detach()
        float(total)
    return run


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('workloads', nargs='+', choices=['lstm', 'gru', 'text'])
    p.add_argument('--repeats', type=int, default=5)
    p.add_argument('--samples', type=int, default=1024, help='samples per timed epoch')
    p.add_argument('--loop', action='store_true', help='also time the step loop')
    p.add_argument('--cpu-time', action='store_true',
                   help='process CPU time instead of wall time (steadier on a busy machine)')
    p.add_argument('--threads', type=int, default=0, help='torch threads (0: default)')
    args = p.parse_args()
    import torch
    if args.threads:
        torch.set_num_threads(args.threads)
    clock = time.process_time if args.cpu_time else time.perf_counter
    for name in args.workloads:
        spec = dict(FULL[name], samples=args.samples)
        runs = {'tfjs': _tfjs_epoch(spec, True), 'torch': _torch_epoch(spec)}
        if args.loop:
            runs['tfjs-loop'] = _tfjs_epoch(spec, False)
        for fn in runs.values():     # warm-up epoch each
            fn()
        times = {k: [] for k in runs}
        for _ in range(args.repeats):
            for k, fn in runs.items():
                t0 = clock()
                fn()
                times[k].append(clock() - t0)
        med = {k: statistics.median(v) for k, v in times.items()}
        parts = [f'{k} {spec["samples"] / s:,.0f} samples/s ({1e3 * s * spec["batch"] / spec["samples"]:.1f} ms/batch)'
                 for k, s in med.items()]
        ratio = med['torch'] / med['tfjs']
        print(f'{name}: ' + ', '.join(parts) + f'; tfjs/torch speed {ratio:.2f}x', flush=True)


if __name__ == '__main__':
    main()
