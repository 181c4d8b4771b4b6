"""Compare `tfjs convert` with `tensorflowjs_converter` on the Keras fixtures (outside CI: it
needs a Python environment with tensorflowjs, which brings TensorFlow).

For every fixture and flag set, both converters write a tfjs_layers_model; the script compares
the weight manifests (groups, shard file names, weight names, shapes, dtypes, quantization
parameters) and the shard bytes, and reports what differs. The model topologies are not
compared: tensorflowjs copies the Keras config verbatim, tfjs translates it to the dialect TF.js
reads (and converts Keras 3 files, which tensorflowjs does not).

    python tools/compare_tensorflowjs_converter.py /path/to/venv/bin/tensorflowjs_converter
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = os.path.join(ROOT, 'tests', 'fixtures', 'keras', 'models')
FLAGS = [[], ['--quantize_uint8'], ['--quantize_uint16', '*/kernel'], ['--quantize_float16'],
         ['--weight_shard_size_bytes', '1024'], ['--split_weights_by_layer']]


def _manifest(folder):
    with open(os.path.join(folder, 'model.json')) as f:
        mj = json.load(f)
    return mj['weightsManifest']


def _bytes(folder, manifest):
    return [open(os.path.join(folder, p), 'rb').read() for g in manifest for p in g['paths']]


def _run(cmd):
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        last = [l for l in proc.stderr.strip().splitlines() if l.strip()]
        return last[-1][:110] if last else f'exit {proc.returncode}'
    return None


def compare(tensorflowjs_converter, fixture, flags, tmp):
    fmt = 'keras_keras' if fixture.endswith('.keras') else 'keras'
    # tensorflowjs extracts a .keras archive next to it: give it a copy in a scratch folder
    copy = os.path.join(tmp, os.path.basename(fixture))
    shutil.copy(fixture, copy)
    fixture = copy
    theirs, ours = os.path.join(tmp, 'theirs'), os.path.join(tmp, 'ours')
    # flags after the paths: `--quantize_uint8 in out` would take `in` as its patterns
    err = _run([tensorflowjs_converter, '--input_format', fmt, '--output_format',
                'tfjs_layers_model', fixture, theirs, *flags])
    if err:
        return 'tensorflowjs failed', err
    err = _run([sys.executable, '-m', 'tfjs_converter', 'convert', '-q', '--input_format', fmt,
                fixture, ours, *flags])
    if err:
        return 'tfjs failed', err
    mt, mo = _manifest(theirs), _manifest(ours)
    if mt != mo:
        nt = [w['name'] for g in mt for w in g['weights']]
        no = [w['name'] for g in mo for w in g['weights']]
        if nt != no:
            diff = [(a, b) for a, b in zip(nt, no) if a != b][:2]
            return 'names differ', f'{diff}'
        return 'manifest differs', json.dumps(mt)[:60] + ' vs ' + json.dumps(mo)[:60]
    if _bytes(theirs, mt) != _bytes(ours, mo):
        return 'bytes differ', ''
    return 'equal', f'{sum(len(g["weights"]) for g in mt)} weights'


def main(tensorflowjs_converter):
    fixtures = sorted(glob.glob(os.path.join(MODELS, 'k2', '*.h5')) +
                      glob.glob(os.path.join(MODELS, 'k3', '*.keras')) +
                      glob.glob(os.path.join(MODELS, 'k3', 'mlp.h5')))
    fixtures = [f for f in fixtures if not os.path.basename(f).startswith('lambda')]
    counts = {}
    for fixture in fixtures:
        for flags in FLAGS:
            with tempfile.TemporaryDirectory() as tmp:
                status, detail = compare(tensorflowjs_converter, fixture, flags, tmp)
            counts[status] = counts.get(status, 0) + 1
            rel = os.path.relpath(fixture, MODELS)
            print(f'{rel:<26} {" ".join(flags) or "(defaults)":<32} {status:<20} {detail}',
                  flush=True)
    print(', '.join(f'{n} {k}' for k, n in sorted(counts.items())))


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else 'tensorflowjs_converter')
