"""`tf.loadLayersModel` of the 100 MB benchmark model: time and peak memory, each measurement in
a fresh subprocess (so peak RSS is that load's alone), interleaved with raw torch.

    OMP_WAIT_POLICY=PASSIVE .venv/bin/python benchmarks/load_ab.py [--repeats 5] [--loads 3]
    .venv/bin/python benchmarks/load_ab.py --format h5     # model.save('x.h5') / load of it

Per implementation it prints the median of: the first load's time, the later loads' median,
the RSS after imports, the peak RSS after the first load and at the end, and the peak of Python-level allocations
(tracemalloc, NumPy buffers included) during the first load. A diagnosis tool, not a test.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

_CHILD = r'''
import json, os, resource, statistics, sys, time, tracemalloc
sys.path.insert(0, {here!r})
from common import FULL, rss_now_mb
spec = dict(FULL['load'])
impl, folder, loads, fmt = {impl!r}, {folder!r}, {loads}, {fmt!r}
if impl == 'torch':
    import torch, workloads_torch as W
    def once():
        state = torch.load(W._path(folder), map_location='cpu')
        with torch.device('meta'):
            model = W.build(spec)
        model.load_state_dict(state, assign=True)
        return model
else:
    import tfjs as tf
    url = (os.path.join(folder, 'tfjs', 'model.json') if fmt == 'json'
           else os.path.join(folder, 'model.' + fmt))
    def once():
        return tf.loadLayersModel(url)
base = rss_now_mb()
times, traced = [], None
for i in range(loads):
    if i == 0:
        tracemalloc.start()
    t0 = time.perf_counter()
    m = once()
    times.append((time.perf_counter() - t0) * 1e3)
    if i == 0:
        traced = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        first_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if impl != 'torch':
        m.dispose()
    del m
print(json.dumps({{'first_ms': times[0], 'later_ms': statistics.median(times[1:] or times),
                  'base_mb': base, 'peak1_mb': first_peak, 'peak_mb':
                  resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 'traced_mb': traced}}))
'''


def prepare(folder: str, fmt: str) -> None:
    import workloads_tfjs as T
    import workloads_torch as P
    from common import FULL
    spec = FULL['load']
    P.prepare_load(spec, folder)
    if fmt == 'json':
        T.prepare_load(spec, folder)
    else:
        T.build(spec).save(os.path.join(folder, 'model.' + fmt))


def measure(impl: str, folder: str, loads: int, fmt: str) -> dict:
    code = _CHILD.format(here=HERE, impl=impl, folder=folder, loads=loads, fmt=fmt)
    env = dict(os.environ, OMP_WAIT_POLICY=os.environ.get('OMP_WAIT_POLICY', 'PASSIVE'))
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, env=env)
    if out.returncode:
        raise SystemExit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--repeats', type=int, default=5)
    ap.add_argument('--loads', type=int, default=3)
    ap.add_argument('--format', choices=('json', 'h5', 'keras'), default='json')
    ap.add_argument('--impls', default='tfjs,torch')
    args = ap.parse_args()
    impls = args.impls.split(',')
    with tempfile.TemporaryDirectory(prefix='tfjs-load-ab-') as folder:
        measure_prep = subprocess.run([sys.executable, '-c', f'import sys; sys.path.insert(0, '
                                       f'{HERE!r}); import load_ab; load_ab.prepare({folder!r}, '
                                       f'{args.format!r})'], env=os.environ)
        if measure_prep.returncode:
            raise SystemExit('preparing the files failed')
        runs: dict = {i: [] for i in impls}
        for rep in range(args.repeats):
            order = impls[rep % len(impls):] + impls[:rep % len(impls)]
            for impl in order:
                runs[impl].append(measure(impl, folder, args.loads, args.format))
    print(f'{"impl":6} {"first ms":>9} {"later ms":>9} {"base MB":>8} {"peak1 MB":>8} '
          f'{"peak MB":>8} {"traced MB":>9}')
    for impl, rs in runs.items():
        med = {k: statistics.median(r[k] for r in rs) for k in rs[0]}
        print(f'{impl:6} {med["first_ms"]:9.1f} {med["later_ms"]:9.1f} {med["base_mb"]:8.0f} '
              f'{med["peak1_mb"]:8.0f} {med["peak_mb"]:8.0f} {med["traced_mb"]:9.1f}')


if __name__ == '__main__':
    main()
