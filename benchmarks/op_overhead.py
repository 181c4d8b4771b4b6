"""Per-call overhead of tfjs ops over the raw torch call they wrap (CPU).

Measures `tf.add` on [10], `tf.matMul` on [64, 64] and `tf.relu` on [1000] next to
`torch.add` / `torch.matmul` / `torch.relu` on the same data, interleaved, several repeats,
and prints a Markdown table of medians: the added microseconds per call and the ratio.
Not a test: it never fails, it only reports.

    .venv/bin/python benchmarks/op_overhead.py [--repeats 15] [--number 20000]
"""
from __future__ import annotations

import argparse
import gc
import statistics
import time

import torch

import tfjs as tf


def _per_call(fn, number: int) -> float:
    t0 = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - t0) / number * 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--repeats', type=int, default=15)
    ap.add_argument('--number', type=int, default=20000)
    args = ap.parse_args()
    torch.set_num_threads(1)
    tf.setBackend('cpu')
    a10, b10 = tf.randomNormal([10]), tf.randomNormal([10])
    m1, m2 = tf.randomNormal([64, 64]), tf.randomNormal([64, 64])
    r = tf.randomNormal([1000])
    cases = [
        ('add [10]', lambda: tf.add(a10, b10), lambda: torch.add(a10._t, b10._t)),
        ('matMul [64,64]', lambda: tf.matMul(m1, m2), lambda: torch.matmul(m1._t, m2._t)),
        ('relu [1000]', lambda: tf.relu(r), lambda: torch.relu(r._t)),
    ]
    times = {name: ([], []) for name, _, _ in cases}
    for name, ours, raw in cases:          # warm up
        _per_call(ours, 1000), _per_call(raw, 1000)
    gc.disable()
    try:
        for _ in range(args.repeats):
            for name, ours, raw in cases:  # interleaved: ours, raw, ours, raw ...
                times[name][0].append(_per_call(ours, args.number))
                times[name][1].append(_per_call(raw, args.number))
    finally:
        gc.enable()
    print(f'torch {torch.__version__}, 1 thread, {args.repeats} repeats x {args.number} calls, medians\n')
    print('| op | tfjs µs/call | torch µs/call | added µs/call | ratio |')
    print('|---|---:|---:|---:|---:|')
    for name, _, _ in cases:
        ours, raw = statistics.median(times[name][0]), statistics.median(times[name][1])
        print(f'| {name} | {ours:.2f} | {raw:.2f} | {ours - raw:.2f} | {ours / raw:.2f}x |')


if __name__ == '__main__':
    main()
