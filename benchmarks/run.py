#!/usr/bin/env python3
"""Side-by-side benchmark: tfjs against raw PyTorch, Keras 3 (TensorFlow and PyTorch backends)
and TF.js 4.22 in Node (wasm and cpu backends), on the same workloads.

    .venv/bin/python benchmarks/run.py --repeats 3 --markdown --out benchmarks/results/cpu.json

Every measurement runs in a fresh subprocess of its own (so its peak RSS, read by the runner
from the child's rusage, belongs to that implementation and workload alone). Measurements are
interleaved: each repeat runs every workload for every implementation, the implementations in
a rotated order, then the next repeat; medians over the repeats are reported, with ratios to
raw PyTorch (metric / torch's metric). Implementations that are not installed are skipped with
the reason printed. Sizes and timing rules: benchmarks/common.py and docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from common import (ALL_WORKLOADS, FULL, QUICK, RESULT_PREFIX, SKIP_PREFIX,  # noqa: E402
                    big_model_bytes)

IMPLS = ('tfjs', 'torch', 'keras-tf', 'keras-torch', 'tfjs-node-wasm', 'tfjs-node-cpu')
EXTRA_WORKLOADS = ('op_overhead',)          # run only when named in --workloads
METRIC_TEXT = {'samples_per_s': 'samples/s (higher is better)',
               'ms_per_call': 'ms per call (lower is better)',
               'ms_per_load': 'ms per load (lower is better)'}
NOISE = ('I0000 ', 'W0000 ', 'WARNING: All log messages', 'E0000 ')


def _default_python() -> str:
    venv = os.path.join(ROOT, '.venv', 'bin', 'python')
    return venv if os.path.exists(venv) else sys.executable


def _default_keras_python() -> str | None:
    return '/work/kerasenv/bin/python' if os.path.exists('/work/kerasenv/bin/python') else None


# --------------------------------------------------------------------------- availability
def _find_specs(python: str, modules: list[str]) -> dict | str:
    """Which modules `python` can import (found, not imported: fast), or why it cannot say."""
    code = ('import importlib.util as u, json, sys; '
            'print(json.dumps({m: u.find_spec(m) is not None for m in sys.argv[1:]}))')
    try:
        out = subprocess.run([python, '-c', code, *modules], capture_output=True, text=True,
                             timeout=60, cwd=HERE)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f'{python} cannot run: {e}'
    if out.returncode != 0:
        return f'{python} failed: {out.stderr.strip()[-300:]}'
    return json.loads(out.stdout.strip().splitlines()[-1])


def check_impls(names: list[str], args) -> dict[str, str | None]:
    """{impl: None if runnable, else the reason it is skipped}."""
    reasons: dict[str, str | None] = {}
    main = _find_specs(args.python, ['torch', 'tfjs', 'numpy'])
    keras = (_find_specs(args.keras_python, ['keras', 'tensorflow', 'torch', 'numpy'])
             if args.keras_python else 'no --keras-python given (and /work/kerasenv absent)')
    node = shutil.which('node')
    tfjs_dir = os.path.join(ROOT, 'tests', 'js', 'node_modules', '@tensorflow')
    for name in names:
        reason = None
        if name in ('tfjs', 'torch'):
            need = ['torch', 'numpy'] + (['tfjs'] if name == 'tfjs' else [])
            if isinstance(main, str):
                reason = main
            elif not all(main[m] for m in need):
                reason = f'{args.python} lacks ' + ', '.join(m for m in need if not main[m])
        elif name.startswith('keras-'):
            backend = 'tensorflow' if name == 'keras-tf' else 'torch'
            if isinstance(keras, str):
                reason = keras
            elif not (keras['keras'] and keras['numpy'] and keras[backend]):
                missing = [m for m in ('keras', 'numpy', backend) if not keras[m]]
                reason = f'{args.keras_python} lacks ' + ', '.join(missing)
        elif name.startswith('tfjs-node-'):
            backend = name.rsplit('-', 1)[1]
            if not node:
                reason = 'node is not on PATH'
            elif not os.path.isdir(os.path.join(tfjs_dir, 'tfjs')):
                reason = 'TF.js is not installed in tests/js (run `npm ci` there)'
            elif backend == 'wasm' and not os.path.isdir(os.path.join(tfjs_dir,
                                                                      'tfjs-backend-wasm')):
                reason = '@tensorflow/tfjs-backend-wasm is not installed in tests/js (npm ci)'
            elif args.device == 'cuda':
                reason = 'TF.js in Node has no CUDA backend here (tfjs-node-gpu is not installed)'
        else:
            reason = f'unknown implementation {name!r}'
        reasons[name] = reason
    return reasons


# --------------------------------------------------------------------------- one measurement
def command_for(impl: str, workload: str, spec: dict, args, files_dir: str,
                prepare: bool = False) -> tuple[list[str], dict]:
    env = dict(os.environ)
    env.setdefault('PYTHONUNBUFFERED', '1')
    spec_json = json.dumps(spec)
    worker = os.path.join(HERE, 'worker.py')
    if args.device == 'cpu':
        env['CUDA_VISIBLE_DEVICES'] = ''
    if args.threads:
        n = str(args.threads)
        env.update(OMP_NUM_THREADS=n, MKL_NUM_THREADS=n, TF_NUM_INTRAOP_THREADS=n,
                   TF_NUM_INTEROP_THREADS=n)
    if args.omp_passive:
        env['OMP_WAIT_POLICY'] = 'PASSIVE'
    if impl in ('tfjs', 'torch'):
        if impl == 'tfjs':
            env['TFJS_BACKEND'] = args.device
        cmd = [args.python, worker, impl, workload, spec_json, args.device, files_dir]
    elif impl.startswith('keras-'):
        env['KERAS_BACKEND'] = 'tensorflow' if impl == 'keras-tf' else 'torch'
        env.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
        cmd = [args.keras_python, worker, 'keras', workload, spec_json, args.device, files_dir]
    else:
        cmd = ['node', os.path.join(HERE, 'bench_tfjs_node.js'), impl.rsplit('-', 1)[1],
               workload, spec_json, files_dir]
    if prepare:
        cmd.append('--prepare')
    return cmd, env


def run_child(cmd: list[str], env: dict, timeout: float) -> dict:
    """Run one worker; return its parsed result plus the peak RSS the kernel recorded for it."""
    timed_out = threading.Event()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=HERE)

        def kill():
            timed_out.set()
            proc.kill()

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
        finally:
            timer.cancel()
        wall = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode('utf-8', 'replace')
        stderr = err.read().decode('utf-8', 'replace')
    peak = usage.ru_maxrss / 1024.0 if sys.platform != 'darwin' else usage.ru_maxrss / 2**20
    record: dict = {'process_s': round(wall, 3), 'peak_rss_mb': peak}
    for line in stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            record.update(json.loads(line[len(RESULT_PREFIX):]))
            record['status'] = 'ok'
            return record
        if line.startswith(SKIP_PREFIX):
            record.update(json.loads(line[len(SKIP_PREFIX):]))
            record['status'] = 'skipped'
            return record
    tail = '\n'.join(line for line in (stderr + stdout).splitlines()
                     if line.strip() and not line.startswith(NOISE))[-1500:]
    record['status'] = 'error'
    record['reason'] = (f'timed out after {timeout:.0f} s' if timed_out.is_set()
                        else f'exit status {proc.returncode}') + (f': {tail}' if tail else '')
    return record


# --------------------------------------------------------------------------- summary
def _ratio(r: float) -> str:
    return f'{r:.2f}x' if r >= 0.1 else f'{r:.2g}x'


def _fmt(value: float | None, metric: str) -> str:
    if value is None:
        return '—'
    if metric == 'samples_per_s' and value >= 10 or value >= 100:
        return f'{value:,.0f}'
    if value >= 1:
        return f'{value:.2f}'
    return f'{value:.3f}'


def summarize(results: dict, impls: list[str]) -> None:
    """Medians over the repeats and ratios to raw PyTorch, in place."""
    for entry in results['workloads'].values():
        for impl in impls:
            r = entry['results'].get(impl)
            if not r:
                continue
            runs = [x for x in r['runs'] if x['status'] == 'ok']
            if runs:
                r['status'] = 'ok'
                r['value'] = statistics.median(x['value'] for x in runs)
                r['peak_rss_mb'] = statistics.median(x['peak_rss_mb'] for x in runs)
                base = [x['baseline_rss_mb'] for x in runs if x.get('baseline_rss_mb')]
                r['baseline_rss_mb'] = statistics.median(base) if base else None
                if runs[0].get('call_ms') is not None:
                    r['call_ms'] = statistics.median(x['call_ms'] for x in runs)
                if runs[0].get('first_ms') is not None:
                    r['first_ms'] = statistics.median(x['first_ms'] for x in runs)
                if any(x.get('partial_epoch') for x in runs):
                    r['partial_epoch'] = True
                r['versions'] = runs[-1].get('versions')
                r['repeats'] = len(runs)
            elif r['runs']:
                r['status'] = r['runs'][-1]['status']
                r['reason'] = r['runs'][-1].get('reason')
        torch_r = entry['results'].get('torch', {})
        for impl, r in entry['results'].items():
            if r.get('status') != 'ok' or torch_r.get('status') != 'ok':
                continue
            r['ratio_to_torch'] = r['value'] / torch_r['value']
            r['peak_rss_ratio_to_torch'] = r['peak_rss_mb'] / torch_r['peak_rss_mb']


def compact(results: dict) -> dict:
    """The summary without the per-run records (what is printed to stdout)."""
    out = {'meta': results['meta'], 'workloads': {}}
    for name, entry in results['workloads'].items():
        out['workloads'][name] = {
            'metric': entry['metric'],
            'results': {impl: {k: v for k, v in r.items() if k != 'runs'}
                        for impl, r in entry['results'].items()}}
    if 'op_overhead' in results:
        out['op_overhead'] = results['op_overhead']
    return out


def markdown(results: dict, impls: list[str]) -> str:
    lines = []
    ws = results['workloads']
    m = results.get('meta', {})
    if m:
        lines.append(f'Run {m.get("date_utc")}: {m.get("device")}, {m.get("cpu_count")} cores '
                     f'({m.get("cpu")}), {m.get("repeats")} repeat(s)'
                     f'{" (quick sizes)" if m.get("quick") else ""}, threads: {m.get("threads")}, '
                     f'OMP_WAIT_POLICY: {m.get("omp_wait_policy")}, 1-min load average during '
                     f'the run: {m.get("loadavg_1min_during")}, {m.get("total_s")} s in all.\n')
    if ws:
        lines.append('Speed: median over repeats; in brackets the ratio to raw PyTorch '
                     '(metric / torch\'s metric).\n')
        lines.append('| workload | metric | ' + ' | '.join(impls) + ' |')
        lines.append('|---|---|' + '---:|' * len(impls))
        notes = []
        partial = False
        for name, entry in ws.items():
            cells = []
            for impl in impls:
                r = entry['results'].get(impl, {})
                if r.get('status') == 'ok':
                    cell = _fmt(r['value'], entry['metric'])
                    if r.get('partial_epoch'):
                        cell += '*'
                        partial = True
                    if r.get('ratio_to_torch') is not None and impl != 'torch':
                        cell += f' ({_ratio(r["ratio_to_torch"])})'
                    if r.get('call_ms') is not None:
                        cell += f'; model(x) {_fmt(r["call_ms"], "ms_per_call")}'
                    cells.append(cell)
                else:
                    reason = r.get('reason') or 'not run'
                    notes.append(f'- {name} / {impl}: {r.get("status", "skipped")}: '
                                 f'{reason.splitlines()[0][:200]}')
                    cells.append('n/a')
            lines.append(f'| {name} | {METRIC_TEXT[entry["metric"]]} | ' + ' | '.join(cells)
                         + ' |')
        if partial:
            lines.append('\n\\* partial epoch: the run passed `max_train_s` and stopped after '
                         'the current batch; the figure is the throughput of the batches run.')
        lines.append('\nPeak RSS of the measuring process, MB (median; in brackets the ratio to '
                     'raw PyTorch; after the slash, RSS right after the framework import).\n')
        lines.append('| workload | ' + ' | '.join(impls) + ' |')
        lines.append('|---|' + '---:|' * len(impls))
        for name, entry in ws.items():
            cells = []
            for impl in impls:
                r = entry['results'].get(impl, {})
                if r.get('status') == 'ok':
                    cell = f'{r["peak_rss_mb"]:,.0f}'
                    if r.get('peak_rss_ratio_to_torch') is not None and impl != 'torch':
                        cell += f' ({_ratio(r["peak_rss_ratio_to_torch"])})'
                    if r.get('baseline_rss_mb'):
                        cell += f' / {r["baseline_rss_mb"]:,.0f}'
                    cells.append(cell)
                else:
                    cells.append('n/a')
            lines.append(f'| {name} | ' + ' | '.join(cells) + ' |')
        if notes:
            lines.append('\nNot measured:\n')
            lines += sorted(set(notes))
    if 'op_overhead' in results:
        lines.append('\nPer-op overhead (benchmarks/op_overhead.py):\n')
        lines.append(results['op_overhead'].get('markdown') or results['op_overhead'].get(
            'reason', ''))
    return '\n'.join(lines)


# --------------------------------------------------------------------------- main
def _cpu_model() -> str | None:
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return None


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _progress(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run_op_overhead(args) -> dict:
    cmd = [args.python, os.path.join(HERE, 'op_overhead.py')]
    if args.quick:
        cmd += ['--repeats', '3', '--number', '2000']
    env = dict(os.environ, TFJS_BACKEND='cpu')
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout, env=env,
                             cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {'status': 'error', 'reason': f'timed out after {args.timeout} s'}
    if out.returncode != 0:
        return {'status': 'error', 'reason': out.stderr.strip()[-500:]}
    return {'status': 'ok', 'markdown': out.stdout.strip()}


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog='\n'.join(__doc__.splitlines()[2:]))
    ap.add_argument('--workloads', default='all',
                    help='comma-separated, from: ' + ', '.join(ALL_WORKLOADS + EXTRA_WORKLOADS)
                    + " ('all' = every workload except op_overhead)")
    ap.add_argument('--impls', default=','.join(IMPLS),
                    help='comma-separated, from: ' + ', '.join(IMPLS))
    ap.add_argument('--repeats', type=int, default=3, help='measurements per (workload, impl)')
    ap.add_argument('--quick', action='store_true', help='tiny sizes: a smoke run, not figures')
    ap.add_argument('--device', choices=('cpu', 'cuda'), default='cpu')
    ap.add_argument('--out', help='write the full results (every run) as JSON to this file')
    ap.add_argument('--markdown', action='store_true', help='print Markdown tables after the JSON')
    ap.add_argument('--python', default=_default_python(),
                    help='interpreter with torch and tfjs (default: .venv/bin/python)')
    ap.add_argument('--keras-python', default=_default_keras_python(),
                    help='interpreter with keras and tensorflow and/or torch '
                    '(default: /work/kerasenv/bin/python if it exists)')
    ap.add_argument('--threads', type=int, default=None,
                    help='intra-op threads for every implementation (OMP/MKL/TF variables); '
                    'default: each framework\'s own choice')
    ap.add_argument('--omp-passive', action='store_true',
                    help='OMP_WAIT_POLICY=PASSIVE for every child: OpenMP threads sleep instead of '
                    'spinning while they wait. Use it on a shared machine, where spinning torch '
                    'threads fight other processes for the cores (10x-30x slowdowns seen)')
    ap.add_argument('--timeout', type=float, default=900, help='seconds per measurement')
    ap.add_argument('--report', metavar='JSON',
                    help='run nothing: print the Markdown tables of a saved --out file')
    ap.add_argument('--keep-files', action='store_true',
                    help='keep the temporary directory with the saved 100 MB models')
    args = ap.parse_args(argv)
    names = ALL_WORKLOADS if args.workloads == 'all' else tuple(
        w.strip() for w in args.workloads.split(',') if w.strip())
    bad = [w for w in names if w not in ALL_WORKLOADS + EXTRA_WORKLOADS]
    if bad:
        ap.error(f'unknown workload(s) {", ".join(bad)}; choose from '
                 + ', '.join(ALL_WORKLOADS + EXTRA_WORKLOADS))
    args.workload_list = list(names)
    args.impl_list = [i.strip() for i in args.impls.split(',') if i.strip()]
    bad = [i for i in args.impl_list if i not in IMPLS]
    if bad:
        ap.error(f'unknown implementation(s) {", ".join(bad)}; choose from ' + ', '.join(IMPLS))
    if args.repeats < 1:
        ap.error('--repeats must be at least 1')
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.report:
        with open(args.report) as f:
            saved = json.load(f)
        print(markdown(saved, saved['meta']['impls']))
        return 0
    sizes = QUICK if args.quick else FULL
    started = time.time()
    reasons = check_impls(args.impl_list, args)
    for impl, reason in reasons.items():
        if reason:
            _progress(f'skip {impl}: {reason}')
    runnable = [i for i in args.impl_list if not reasons[i]]
    workloads = [w for w in args.workload_list if w in ALL_WORKLOADS]
    results: dict = {
        'meta': {
            'date_utc': datetime.datetime.now(datetime.timezone.utc).strftime(
                '%Y-%m-%dT%H:%M:%SZ'),
            'device': args.device, 'quick': args.quick, 'repeats': args.repeats,
            'threads': args.threads or 'framework default',
            'omp_wait_policy': 'PASSIVE' if args.omp_passive else os.environ.get(
                'OMP_WAIT_POLICY', 'unset (OpenMP default: threads spin while waiting)'),
            'impls': args.impl_list, 'workloads': args.workload_list,
            'platform': platform.platform(), 'cpu': _cpu_model(), 'cpu_count': os.cpu_count(),
            'python': args.python, 'keras_python': args.keras_python,
            'loadavg_start': _loadavg(),
            'timing': 'training: one epoch after an untimed one-batch warm-up fit; predict: '
                      'median per-call wall time incl. reading the result to host; load: '
                      'median of the loads after the first in one process',
        },
        'workloads': {},
    }
    for w in workloads:
        spec = sizes[w]
        metric = {'train': 'samples_per_s', 'predict': 'ms_per_call',
                  'load': 'ms_per_load'}[spec['kind']]
        results['workloads'][w] = {'spec': spec, 'metric': metric, 'results': {
            impl: ({'status': 'skipped', 'reason': reasons[impl], 'runs': []} if reasons[impl]
                   else {'runs': []}) for impl in args.impl_list}}

    files_dir = tempfile.mkdtemp(prefix='tfjs-bench-')
    loadavgs = []
    try:
        if 'load' in workloads and runnable:
            spec = sizes['load']
            _progress(f'preparing the load workload ({big_model_bytes(spec) / 1e6:.0f} MB of '
                      f'weights) in {files_dir}')
            preparers = [i for i in runnable if not i.startswith('tfjs-node-')]
            if any(i.startswith('tfjs-node-') for i in runnable) and 'tfjs' not in preparers \
                    and check_impls(['tfjs'], args)['tfjs'] is None:
                preparers.insert(0, 'tfjs')          # TF.js in Node loads the files tfjs writes
            for impl in preparers:
                cmd, env = command_for(impl, 'load', spec, args, files_dir, prepare=True)
                rec = run_child(cmd, env, args.timeout)
                if rec['status'] != 'ok':
                    _progress(f'  {impl}: could not prepare: {rec.get("reason")}')
                    results['workloads']['load']['results'][impl] = {
                        'status': rec['status'], 'reason': 'preparing the files failed: '
                        + str(rec.get('reason')), 'runs': []}
        for rep in range(args.repeats):
            for w in workloads:
                spec = sizes[w]
                shift = rep % max(1, len(runnable))
                order = runnable[shift:] + runnable[:shift]
                for impl in order:
                    entry = results['workloads'][w]['results'][impl]
                    if entry.get('status') in ('skipped', 'error'):
                        continue            # a skip or a failure does not change by repeating
                    cmd, env = command_for(impl, w, spec, args, files_dir)
                    loadavgs.append(_loadavg())
                    rec = run_child(cmd, env, args.timeout)
                    rec['repeat'] = rep
                    entry['runs'].append(rec)
                    head = f'[{rep + 1}/{args.repeats}] {w:13s} {impl:15s}'
                    if rec['status'] == 'ok':
                        _progress(f'{head} {_fmt(rec["value"], rec["metric"]):>10s} '
                                  f'{rec["metric"]}, peak {rec["peak_rss_mb"]:.0f} MB '
                                  f'({rec["process_s"]:.1f} s)')
                    else:
                        entry['status'] = rec['status']
                        entry['reason'] = rec.get('reason')
                        _progress(f'{head} {rec["status"]}: '
                                  f'{str(rec.get("reason")).splitlines()[0][:300]}')
    finally:
        if args.keep_files:
            _progress(f'kept {files_dir}')
        else:
            shutil.rmtree(files_dir, ignore_errors=True)

    if 'op_overhead' in args.workload_list:
        _progress('op_overhead ...')
        results['op_overhead'] = run_op_overhead(args)

    summarize(results, args.impl_list)
    loads = [la[0] for la in loadavgs if la]
    results['meta'].update({
        'loadavg_end': _loadavg(),
        'loadavg_1min_during': [min(loads), max(loads)] if loads else None,
        'total_s': round(time.time() - started, 1),
    })
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(results, f, indent=1)
            f.write('\n')
        _progress(f'wrote {args.out}')
    print(json.dumps(compact(results), indent=1))
    if args.markdown:
        print()
        print(markdown(results, args.impl_list))
    return 0


if __name__ == '__main__':
    sys.exit(main())
