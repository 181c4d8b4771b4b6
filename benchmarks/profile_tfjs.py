"""Where tfjs spends its time on one benchmark workload: cProfile (Python functions) and
torch.profiler (torch ops), around the same timed region as run.py's tfjs worker.

    .venv/bin/python benchmarks/profile_tfjs.py mlp [--top 25] [--torch-profiler]
    .venv/bin/python benchmarks/profile_tfjs.py lstm --set recurrentActivation=sigmoid
    .venv/bin/python benchmarks/profile_tfjs.py predict_b1 --calls 2000

Prints the wall time of the region without and with the profiler, the top functions by own
time and by cumulative time (with their share of the profiled total), and optionally the
top torch ops. A diagnosis tool, not a benchmark: the profiler itself slows Python down.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import FULL, QUICK, make_data, predict_input  # noqa: E402


def _region(name: str, spec: dict, calls: int, layer_overrides: dict):
    """(setup-free callable running the timed region once, description)."""
    import tfjs as tf
    import workloads_tfjs as W
    if layer_overrides:
        orig = {k: getattr(tf.layers, k) for k in ('lstm', 'gru')}

        def patched(fn):
            return lambda cfg: fn({**cfg, **layer_overrides})
        for k, fn in orig.items():
            setattr(tf.layers, k, patched(fn))
    model = W.build(spec)
    if spec['kind'] == 'train':
        x, y = make_data(spec)
        xs, ys = tf.tensor(x), tf.tensor(y)
        model.compile({'optimizer': tf.train.adam(0.001), 'loss': 'categoricalCrossentropy'})
        args = {'epochs': 1, 'batchSize': spec['batch'], 'shuffle': False, 'verbose': 0}
        model.fit(tf.tensor(x[:spec['batch']]), tf.tensor(y[:spec['batch']]), args)
        return (lambda: model.fit(xs, ys, args),
                f'one epoch: {spec["samples"]} samples, batch {spec["batch"]}')
    if spec['kind'] == 'predict':
        xt = tf.tensor(predict_input(spec))
        args = {'batchSize': spec['batch']}
        for _ in range(20):
            model.predict(xt, args).dataSync()

        def run():
            for _ in range(calls):
                model.predict(xt, args).dataSync()
        return run, f'{calls} predict calls at batch {spec["batch"]}'
    raise SystemExit(f'{name}: only training and predict workloads are profiled here')


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('workload', choices=[k for k, v in FULL.items() if v['kind'] != 'load'])
    ap.add_argument('--top', type=int, default=25)
    ap.add_argument('--calls', type=int, default=1000, help='predict calls profiled')
    ap.add_argument('--quick', action='store_true')
    ap.add_argument('--torch-profiler', action='store_true', help='also print the top torch ops')
    ap.add_argument('--set', action='append', default=[], metavar='KEY=VALUE',
                    help='extra config for the recurrent layers, e.g. recurrentActivation=sigmoid')
    args = ap.parse_args()
    spec = (QUICK if args.quick else FULL)[args.workload]
    overrides = {}
    for item in args.set:
        key, _, value = item.partition('=')
        overrides[key] = {'true': True, 'false': False}.get(value.lower(), value)
    run, what = _region(args.workload, spec, args.calls, overrides)

    t0 = time.perf_counter()
    run()
    plain = time.perf_counter() - t0
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    run()
    prof.disable()
    profiled = time.perf_counter() - t0
    print(f'{args.workload} ({what}{", " + str(overrides) if overrides else ""}): '
          f'{plain * 1e3:.1f} ms without the profiler, {profiled * 1e3:.1f} ms with it\n')
    stats = pstats.Stats(prof)
    total = sum(v[2] for v in stats.stats.values())          # sum of own times
    for key, title in (('tottime', 'own time'), ('cumulative', 'cumulative time')):
        rows = sorted(stats.stats.items(), key=lambda kv: kv[1][2 if key == 'tottime' else 3],
                      reverse=True)[:args.top]
        print(f'top {args.top} by {title} (share of the profiled total {total * 1e3:.0f} ms)')
        print(f'{"own%":>6} {"cum%":>6} {"calls":>8}  function')
        for (fname, line, func), (cc, nc, tt, ct, _) in rows:
            short = fname.replace(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), '')
            short = short.split('site-packages/')[-1]
            print(f'{100 * tt / total:6.1f} {100 * ct / total:6.1f} {nc:8d}  '
                  f'{short}:{line}({func})')
        print()
    if args.torch_profiler:
        import torch
        from torch.profiler import ProfilerActivity, profile
        with profile(activities=[ProfilerActivity.CPU]) as p:
            run()
        out = io.StringIO()
        print(p.key_averages().table(sort_by='self_cpu_time_total', row_limit=args.top),
              file=out)
        print(out.getvalue())
        del torch


if __name__ == '__main__':
    main()
