"""What every benchmark worker shares: workload sizes, synthetic data, timing, memory, output.

Only the standard library and NumPy are imported here, because the Keras worker runs this
module in another interpreter (`--keras-python`), where neither `tfjs` nor the `.venv` exist.
The Node worker (`bench_tfjs_node.js`) receives the same sizes as JSON on its command line.
"""
from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import time

# --------------------------------------------------------------------------- workloads
# Training workloads: every implementation builds the same layers with the same shapes, trains
# with Adam (lr 1e-3) on categorical crossentropy over softmax outputs, batches in order (no
# shuffling), one epoch of `samples` samples, timed after one warm-up batch.
# `kind` says which measurement a workload is; `model` names the architecture. `max_train_s`
# bounds only TF.js in Node (its pure-JS cpu backend needs minutes for some epochs): past it
# the epoch stops after the current batch and the throughput of the batches run is reported.
FULL = {
    'mlp': {'kind': 'train', 'model': 'mlp', 'max_train_s': 30, 'samples': 8192, 'batch': 128,
            'input': [784], 'hidden': [256, 256], 'classes': 10},
    'cnn': {'kind': 'train', 'model': 'cnn', 'max_train_s': 30, 'samples': 2048, 'batch': 64,
            'input': [28, 28, 1], 'filters': [32, 64], 'dense': 128, 'classes': 10},
    'lstm': {'kind': 'train', 'model': 'lstm', 'max_train_s': 30, 'samples': 2048, 'batch': 64,
             'input': [50, 32], 'units': 64, 'classes': 10},
    'gru': {'kind': 'train', 'model': 'gru', 'max_train_s': 30, 'samples': 2048, 'batch': 64,
            'input': [50, 32], 'units': 64, 'classes': 10},
    'text': {'kind': 'train', 'model': 'text', 'max_train_s': 30, 'samples': 2048, 'batch': 64,
             'input': [80], 'vocab': 5000, 'embed': 32, 'units': 32, 'classes': 4},
    # Predict latency on the MLP above: median wall time of one `predict` call (result read
    # back to host memory), over up to `calls` calls or `budget_s` seconds after `warmup` calls.
    # `predict` gets batchSize = batch, so every implementation runs one forward pass.
    'predict_b1': {'kind': 'predict', 'model': 'mlp', 'batch': 1, 'calls': 500,
                   'warmup': 20, 'budget_s': 4.0,
                   'input': [784], 'hidden': [256, 256], 'classes': 10},
    'predict_b256': {'kind': 'predict', 'model': 'mlp', 'batch': 256, 'calls': 200,
                     'warmup': 5, 'budget_s': 4.0,
                     'input': [784], 'hidden': [256, 256], 'classes': 10},
    # loadLayersModel of a ~100 MB dense model (1024-4096-4096-1024-10: 25.2 M float32 weights).
    # The files are written once per run by tfjs's model.save; each implementation loads its
    # own equivalent file (`loads` times in one process; the median after the first is reported).
    'load': {'kind': 'load', 'model': 'big', 'input': [1024], 'hidden': [4096, 4096, 1024],
             'classes': 10, 'loads': 4},
}

QUICK = {
    'mlp': dict(FULL['mlp'], samples=256, batch=64, hidden=[32, 32]),
    'cnn': dict(FULL['cnn'], samples=64, batch=32, input=[12, 12, 1], filters=[4, 8], dense=16),
    'lstm': dict(FULL['lstm'], samples=64, batch=32, input=[6, 4], units=8),
    'gru': dict(FULL['gru'], samples=64, batch=32, input=[6, 4], units=8),
    'text': dict(FULL['text'], samples=64, batch=32, input=[10], vocab=50, embed=8, units=8),
    'predict_b1': dict(FULL['predict_b1'], calls=30, warmup=3, budget_s=0.5, hidden=[32, 32]),
    'predict_b256': dict(FULL['predict_b256'], calls=10, warmup=2, budget_s=0.5, hidden=[32, 32]),
    'load': dict(FULL['load'], hidden=[64, 64], input=[32], loads=2),
}

TRAINING = ('mlp', 'cnn', 'lstm', 'gru', 'text')
ALL_WORKLOADS = tuple(FULL)

RESULT_PREFIX = 'BENCH_RESULT '
SKIP_PREFIX = 'BENCH_SKIP '


def big_model_bytes(spec: dict) -> int:
    """Float32 bytes of the `load` model's weights."""
    dims = list(spec['input']) + list(spec['hidden']) + [spec['classes']]
    return 4 * sum(a * b + b for a, b in zip(dims[:-1], dims[1:]))


# --------------------------------------------------------------------------- synthetic data
def make_data(spec: dict, seed: int = 0):
    """(x, y) NumPy arrays for a training workload: x float32 (int32 token ids for `text`),
    y one-hot float32 [samples, classes]."""
    import numpy as np
    rng = np.random.default_rng(seed)
    n = spec['samples']
    if spec['model'] == 'text':
        x = rng.integers(0, spec['vocab'], size=(n, *spec['input'])).astype(np.int32)
    else:
        x = rng.standard_normal((n, *spec['input'])).astype(np.float32)
    labels = rng.integers(0, spec['classes'], size=n)
    y = np.zeros((n, spec['classes']), np.float32)
    y[np.arange(n), labels] = 1.0
    return x, y


def predict_input(spec: dict, seed: int = 0):
    import numpy as np
    return np.random.default_rng(seed).standard_normal(
        (spec['batch'], *spec['input'])).astype(np.float32)


# --------------------------------------------------------------------------- measuring
def rss_now_mb() -> float | None:
    """Resident set size of this process now (MB), from /proc where it exists."""
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('VmRSS:'):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (MB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024.0 * 1024.0) if sys.platform == 'darwin' else peak / 1024.0


def time_calls(fn, calls: int, warmup: int, budget_s: float, sync=None) -> list[float]:
    """Per-call wall times (ms) of `fn()`: `warmup` untimed calls, then up to `calls` timed calls,
    stopping early once `budget_s` seconds are spent (at least 5 calls are always timed)."""
    for _ in range(warmup):
        fn()
    if sync:
        sync()
    times = []
    start = time.perf_counter()
    for i in range(calls):
        t0 = time.perf_counter()
        fn()
        if sync:
            sync()
        times.append((time.perf_counter() - t0) * 1e3)
        if i >= 4 and time.perf_counter() - start > budget_s:
            break
    return times


def train_result(spec: dict, seconds: float, extra: dict | None = None) -> dict:
    """Throughput of one timed epoch; the warm-up before it trained on the first batch once."""
    out = {'metric': 'samples_per_s', 'value': spec['samples'] / seconds,
           'seconds': seconds, 'samples': spec['samples'], 'batch': spec['batch'],
           'warmup': 'untimed: one fit call on the first batch (raw torch: one step)'}
    out.update(extra or {})
    return out


def predict_result(times_ms: list[float], extra: dict | None = None) -> dict:
    out = {'metric': 'ms_per_call', 'value': statistics.median(times_ms),
           'calls': len(times_ms), 'min_ms': min(times_ms)}
    out.update(extra or {})
    return out


def load_result(times_ms: list[float], nbytes: int | None = None, extra: dict | None = None
                ) -> dict:
    warm = times_ms[1:] or times_ms
    out = {'metric': 'ms_per_load', 'value': statistics.median(warm),
           'first_ms': times_ms[0], 'loads': len(times_ms)}
    if nbytes:
        out['file_mb'] = nbytes / 1e6
    out.update(extra or {})
    return out


# --------------------------------------------------------------------------- worker protocol
def emit(result: dict, baseline_rss_mb: float | None = None) -> None:
    """Print the worker's result line; the runner adds the peak RSS it sees from outside."""
    result = dict(result)
    result['self_peak_rss_mb'] = peak_rss_mb()
    if baseline_rss_mb is not None:
        result['baseline_rss_mb'] = baseline_rss_mb
    sys.stdout.write(RESULT_PREFIX + json.dumps(result) + '\n')
    sys.stdout.flush()


def skip(reason: str) -> None:
    sys.stdout.write(SKIP_PREFIX + json.dumps({'reason': reason}) + '\n')
    sys.stdout.flush()


def median(xs):
    return statistics.median(xs) if xs else None


def env_flag(name: str) -> bool:
    return os.environ.get(name, '') not in ('', '0', 'false')
