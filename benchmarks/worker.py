"""One measurement in a fresh process: `worker.py IMPL WORKLOAD SPEC_JSON DEVICE FILES_DIR [--prepare]`.

IMPL is `tfjs`, `torch` or `keras` (the Keras backend comes from KERAS_BACKEND). Prints one
`BENCH_RESULT {json}` line (or `BENCH_SKIP {json}`); everything else it prints is noise.
`--prepare` writes the files the `load` workload reads, instead of measuring.
The runner (`run.py`) starts this; it is not meant to be run by hand, though it can be.
"""
from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import emit, rss_now_mb, skip  # noqa: E402


def main(argv: list[str]) -> None:
    impl, workload, spec_json, device, files_dir = argv[:5]
    prepare = '--prepare' in argv[5:]
    spec = json.loads(spec_json)
    if impl == 'tfjs':
        os.environ.setdefault('TFJS_BACKEND', device)
        import workloads_tfjs as mod
    elif impl == 'torch':
        import workloads_torch as mod
        if device == 'cuda':
            import torch
            if not torch.cuda.is_available():
                return skip('torch has no CUDA here')
    elif impl == 'keras':
        import workloads_keras as mod
        reason = mod.device_skip_reason(device)
        if reason:
            return skip(reason)
    else:
        raise SystemExit(f'unknown implementation {impl!r}')
    if prepare:
        mod.prepare_load(spec, files_dir)
        return emit({'prepared': True})
    baseline = rss_now_mb()          # after the framework's import, before any model or data
    kind = spec['kind']
    if kind == 'train':
        result = mod.train(spec, device)
    elif kind == 'predict':
        result = mod.predict(spec, device)
    elif kind == 'load':
        result = mod.load(spec, device, files_dir)
    else:
        raise SystemExit(f'unknown workload kind {kind!r}')
    result['versions'] = mod.versions()
    emit(result, baseline)


if __name__ == '__main__':
    main(sys.argv[1:])
