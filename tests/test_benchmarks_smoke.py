"""Smoke test of the benchmark runner (benchmarks/run.py): it runs end to end at tiny sizes and
writes the JSON it documents. Timings are never asserted: a slow or busy machine must not fail.

One workload of each kind (training, predict latency, loadLayersModel) keeps it near 20-30 s:
every measurement is a fresh process that imports torch."""
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUN = os.path.join(ROOT, 'benchmarks', 'run.py')


def test_runner_quick_tfjs_and_torch(tmp_path):
    out = tmp_path / 'quick.json'
    cmd = [sys.executable, RUN, '--quick', '--impls', 'tfjs,torch', '--repeats', '1',
           '--workloads', 'mlp,predict_b1,load',
           '--python', sys.executable, '--out', str(out), '--markdown', '--timeout', '120']
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=240, cwd=ROOT)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f'benchmarks/run.py --quick did not finish in 240 s: {e}')
    assert proc.returncode == 0, proc.stderr[-3000:]

    results = json.loads(out.read_text())
    assert set(results) >= {'meta', 'workloads'}
    assert results['meta']['quick'] is True and results['meta']['repeats'] == 1
    expected = {'mlp', 'predict_b1', 'load'}
    assert set(results['workloads']) == expected
    metrics = {'mlp': 'samples_per_s', 'predict_b1': 'ms_per_call', 'load': 'ms_per_load'}
    for name, entry in results['workloads'].items():
        assert set(entry) >= {'spec', 'metric', 'results'}
        assert entry['metric'] == metrics[name]
        assert set(entry['results']) == {'tfjs', 'torch'}
        for impl, r in entry['results'].items():
            assert r['status'] == 'ok', (name, impl, r.get('reason'))
            assert set(r) >= {'value', 'peak_rss_mb', 'runs', 'ratio_to_torch',
                              'peak_rss_ratio_to_torch', 'versions'}
            assert r['value'] > 0 and r['peak_rss_mb'] > 0
            assert len(r['runs']) == 1 and r['runs'][0]['status'] == 'ok'
        assert entry['results']['torch']['ratio_to_torch'] == pytest.approx(1.0)

    # stdout: the compact JSON summary, then the Markdown tables.
    summary_text, _, table = proc.stdout.partition('\n\n')
    summary = json.loads(summary_text)
    assert set(summary['workloads']) == expected
    assert 'runs' not in summary['workloads']['mlp']['results']['tfjs']
    assert '| workload | metric | tfjs | torch |' in table
    assert '| mlp |' in table and '| load |' in table


def test_runner_rejects_unknown_names():
    proc = subprocess.run([sys.executable, RUN, '--workloads', 'mlp,nope', '--impls', 'torch'],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode != 0 and 'nope' in proc.stderr
