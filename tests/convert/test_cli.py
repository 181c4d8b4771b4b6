"""`tfjs convert` and `tfjs inspect`: the tensorflowjs_converter flags for layers models, on
every Keras fixture; outputs (plain and quantized) loaded by TF.js itself (the oracle) and by
tfjs; and the command line never imports PyTorch or TensorFlow."""
import io
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import tfjs as tf
import tfjs_converter as tc
from tfjs_converter import weights as wfmt
from tfjs_converter.cli import Progress

from convert_helpers import (MODELS, ROOT, assert_close, fixture_data, fixture_files, predict,
                             run_cli)

KERAS_FILES = fixture_files('*/*.keras') + fixture_files('*/*.h5')
# Fixtures TF.js 4.22 itself can run (the others use Keras's GRU reset_after=True, which TF.js
# rejects, or Subtract, which TF.js lacks); tfjs runs them all.
TFJS_RUNNABLE = ['k3/mlp.keras', 'k3/cnn.keras', 'k3/nested.keras', 'k3/time_distributed.keras',
                 'k3/misc_layers.keras', 'k3/cnn.h5',
                 'k2/mlp.h5', 'k2/cnn.h5', 'k2/nested.h5', 'k2/time_distributed.h5',
                 'k2/mlp_keras22.h5', 'k2/mlp_v3.keras']
PREDICT_JS = """
const model = await helpers.loadModelFromDir(args.path);
const xs = args.xs.map(x => tf.tensor(x.values, x.shape, 'float32'));
const out = model.predict(xs.length > 1 ? xs : xs[0]);
return (Array.isArray(out) ? out : [out]).map(
    t => ({shape: t.shape, values: Array.from(t.dataSync())}));
"""


def tfjs_predict(oracle, model_json, xs):
    out = oracle.eval(PREDICT_JS, {'path': str(model_json), 'xs': [
        {'shape': list(x.shape), 'values': x.astype(np.float32).ravel().tolist()} for x in xs]})
    return [np.asarray(o['values'], np.float32).reshape(o['shape']) for o in out]


@pytest.mark.parametrize('rel', KERAS_FILES)
def test_convert_every_fixture_to_tfjs_and_back(tmp_path, rel):
    src = os.path.join(MODELS, rel)
    fmt = 'keras_keras' if rel.endswith('.keras') else 'keras'
    run_cli('convert', '--input_format', fmt, src, str(tmp_path / 'web'))
    xs, ys = fixture_data(rel)
    assert_close(predict(tf.loadLayersModel(str(tmp_path / 'web' / 'model.json')), xs), ys)
    mj = json.loads((tmp_path / 'web' / 'model.json').read_text())
    assert mj['format'] == 'layers-model' and mj['convertedBy'].startswith('tfjs')
    assert list(mj) == ['format', 'generatedBy', 'convertedBy', 'modelTopology',
                        'weightsManifest']
    assert 'model_config' in mj['modelTopology']
    for out_fmt, name in (('keras', 'back.h5'), ('keras_keras', 'back.keras')):
        run_cli('convert', '--input_format', 'tfjs_layers_model', '--output_format', out_fmt,
                str(tmp_path / 'web' / 'model.json'), str(tmp_path / name))
        assert_close(predict(tf.loadLayersModel(str(tmp_path / name)), xs), ys, what=name)


@pytest.mark.parametrize('rel', TFJS_RUNNABLE)
def test_converted_fixture_runs_in_tfjs(oracle, tmp_path, rel):
    run_cli('convert', os.path.join(MODELS, rel), str(tmp_path / 'web'))
    xs, ys = fixture_data(rel)
    assert_close(tfjs_predict(oracle, tmp_path / 'web' / 'model.json', xs), ys, tol=1e-4,
                 what=rel)


def test_keras3_gru_is_a_tfjs_gap(oracle, tmp_path):
    """Keras's default GRU (reset_after=True) converts, runs here, and TF.js 4.22 refuses it."""
    run_cli('convert', os.path.join(MODELS, 'k3', 'text_rnn.keras'), str(tmp_path / 'web'))
    from oracle import OracleError
    with pytest.raises(OracleError, match='reset_after'):
        tfjs_predict(oracle, tmp_path / 'web' / 'model.json', fixture_data('k3/text_rnn.keras')[0])


@pytest.mark.parametrize('flag,qdtype,tol', [('--quantize_uint8', 'uint8', 0.1),
                                            ('--quantize_uint16', 'uint16', 1e-3),
                                            ('--quantize_float16', 'float16', 1e-2)])
def test_quantized_outputs_load_in_tfjs(oracle, tmp_path, flag, qdtype, tol):
    rel = 'k3/cnn.keras'
    run_cli('convert', flag, os.path.join(MODELS, rel), str(tmp_path / 'web'))
    mj = json.loads((tmp_path / 'web' / 'model.json').read_text())
    specs = [s for g in mj['weightsManifest'] for s in g['weights']]
    assert all(s['quantization']['dtype'] == qdtype and s['dtype'] == 'float32' for s in specs)
    xs, ys = fixture_data(rel)
    theirs = tfjs_predict(oracle, tmp_path / 'web' / 'model.json', xs)
    ours = predict(tf.loadLayersModel(str(tmp_path / 'web' / 'model.json')), xs)
    assert_close(ours, theirs, tol=1e-5)          # the same dequantized weights
    assert_close(ours, ys, tol=tol)               # close to the float32 model


def test_quantization_patterns_and_bytes(tmp_path):
    """`--quantize_uint8 '*/kernel'` quantizes the kernels only, with the converter's
    arithmetic: the bytes equal tensorflowjs's formula (re-stated here)."""
    rel = 'k3/mlp.keras'
    run_cli('convert', '--quantize_uint8', '*/kernel', '--quantize_float16', '*/bias',
            os.path.join(MODELS, rel), str(tmp_path / 'web'))
    mj = json.loads((tmp_path / 'web' / 'model.json').read_text())
    specs = mj['weightsManifest'][0]['weights']
    q = {s['name']: (s.get('quantization') or {}).get('dtype') for s in specs}
    assert q == {'dense/kernel': 'uint8', 'dense/bias': 'float16', 'dense_1/kernel': 'uint8',
                 'dense_1/bias': 'float16'}
    data = (tmp_path / 'web' / 'group1-shard1of1.bin').read_bytes()
    source = tc.load(os.path.join(MODELS, rel)).weight_dict()
    offset = 0
    for s in specs:
        a = source[s['name']]
        if s['quantization']['dtype'] == 'uint8':
            lo, hi = np.float64(a.min()), np.float64(a.max())          # tensorflowjs's steps
            scale = (hi - lo) / 255
            zero = np.round(-lo / scale)
            lo = -zero * scale
            hi = 255 * scale + lo
            expect = np.round((np.clip(a.astype(np.float64), lo, hi) - lo) / scale) \
                .astype(np.uint8).tobytes()
            assert s['quantization']['min'] == lo and s['quantization']['scale'] == scale
        else:
            expect = a.astype(np.float16).tobytes()
        assert data[offset:offset + len(expect)] == expect, s['name']
        offset += len(expect)
    assert offset == len(data)


def test_quantization_is_tfjs_io_quantization():
    import tfjs.io.weights as tio
    a = np.random.RandomState(0).randn(50).astype(np.float32)
    for dt in ('uint8', 'uint16', 'float16'):
        c1, m1 = tio.quantize_weights(a, dt)
        c2, m2 = wfmt.quantize_weights(a, dt)
        assert c1.tobytes() == c2.tobytes() and m1 == m2


def test_shards_groups_and_metadata(tmp_path):
    meta = tmp_path / 'meta.json'
    meta.write_text(json.dumps({'labels': ['a', 'b', 'c']}))
    run_cli('convert', '--weight_shard_size_bytes', '100', '--split_weights_by_layer',
            '--metadata', f'labels:{meta}', os.path.join(MODELS, 'k3', 'mlp.keras'),
            str(tmp_path / 'web'))
    mj = json.loads((tmp_path / 'web' / 'model.json').read_text())
    groups = mj['weightsManifest']
    assert [[w['name'] for w in g['weights']] for g in groups] == [
        ['dense/kernel', 'dense/bias'], ['dense_1/kernel', 'dense_1/bias']]
    assert groups[0]['paths'][:2] == ['group1-shard1of6', 'group1-shard2of6'] or \
        groups[0]['paths'][0].startswith('group1-shard1of')
    for g in groups:
        for p in g['paths']:
            assert os.path.getsize(tmp_path / 'web' / p) <= 100
    assert mj['userDefinedMetadata'] == {'labels': {'labels': ['a', 'b', 'c']}}
    xs, ys = fixture_data('k3/mlp.keras')
    assert_close(predict(tf.loadLayersModel(str(tmp_path / 'web' / 'model.json')), xs), ys)


def test_default_formats_and_errors(tmp_path):
    run_cli('convert', os.path.join(MODELS, 'k2', 'mlp.h5'), str(tmp_path / 'web'))
    run_cli('convert', str(tmp_path / 'web'), str(tmp_path / 'm.h5'))        # -> keras
    assert tc.detect_format(str(tmp_path / 'm.h5')) == 'keras'
    for args, message in [
            (['--input_format', 'tf_saved_model', 'x', 'y'], 'needs TensorFlow'),
            (['--output_format', 'tfjs_graph_model', str(tmp_path / 'm.h5'), 'y'],
             'TensorFlow graph format'),
            (['--quantize_uint8', '--output_format', 'keras', str(tmp_path / 'web'), 'z.h5'],
             'tfjs_layers_model output only'),
            (['--quantization_bytes', '1', '--quantize_uint8', str(tmp_path / 'm.h5'), 'w'],
             'cannot be combined'),
            (['--quantize_uint8', '--quantize_float16', str(tmp_path / 'm.h5'), 'w'],
             'Only one quantization flag'),
            ([str(tmp_path / 'nothing.h5'), 'w'], 'no file')]:
        proc = run_cli('convert', *args, check=False)
        assert proc.returncode == 1 and message in proc.stderr, (args, proc.stderr)
        assert 'Traceback' not in proc.stderr


def test_deprecated_quantization_bytes(tmp_path):
    run_cli('convert', '--quantization_bytes', '2', os.path.join(MODELS, 'k2', 'mlp.h5'),
            str(tmp_path / 'web'))
    mj = json.loads((tmp_path / 'web' / 'model.json').read_text())
    assert {s['quantization']['dtype'] for s in mj['weightsManifest'][0]['weights']} == \
        {'uint16'}


def test_weights_only_h5_converts_like_tensorflowjs(tmp_path):
    model = tf.loadLayersModel(os.path.join(MODELS, 'k2', 'mlp.h5'))
    model.saveWeights(str(tmp_path / 'w.h5'))
    run_cli('convert', '--input_format', 'keras', str(tmp_path / 'w.h5'), str(tmp_path / 'web'))
    mj = json.loads((tmp_path / 'web' / 'model.json').read_text())
    assert mj['modelTopology'] is None
    assert [w['name'] for w in mj['weightsManifest'][0]['weights']][0] == 'dense/kernel'


@pytest.mark.parametrize('rel', ['k3/multi_io.keras', 'k2/bidirectional.h5', 'k3/nested.h5'])
def test_inspect(rel):
    out = run_cli('inspect', os.path.join(MODELS, rel)).stdout
    assert 'Total params' in out and 'Output Shape' in out
    model = tc.load(os.path.join(MODELS, rel))
    assert f'Total params: {model.total_params():,}' in out


def test_inspect_model_json_reads_no_weights(tmp_path):
    run_cli('convert', '--quantize_uint8', os.path.join(MODELS, 'k3', 'cnn.keras'),
            str(tmp_path / 'web'))
    for p in tmp_path.glob('web/*.bin'):
        p.write_bytes(b'')                         # the manifest is enough
    out = run_cli('inspect', str(tmp_path / 'web' / 'model.json')).stdout
    assert 'conv2d (Conv2D)' in out and '(None, 8, 8, 4)' in out and 'uint8' in out
    assert 'Non-trainable params: 8' in out       # the batch-norm statistics


_NO_HEAVY = """
import sys
from tfjs_converter.cli import main
rc = [main(a) for a in {args!r}]
heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'tensorflow', 'keras',
                                                             'tf_keras', 'jax', 'tfjs'))
print('RC', rc, 'HEAVY', heavy)
"""


def test_cli_imports_neither_torch_nor_tensorflow(tmp_path):
    src = os.path.join(MODELS, 'k3', 'bidirectional.keras')
    args = [['inspect', src], ['convert', '-q', src, str(tmp_path / 'web')],
            ['convert', '-q', '--quantize_uint8', '--output_format', 'tfjs_layers_model',
             str(tmp_path / 'web'), str(tmp_path / 'web2')],
            ['convert', '-q', str(tmp_path / 'web2'), str(tmp_path / 'x.h5')],
            ['convert', '-q', str(tmp_path / 'x.h5'), str(tmp_path / 'x.keras'),
             '--output_format', 'keras_keras']]
    proc = subprocess.run([sys.executable, '-c', _NO_HEAVY.format(args=args)], cwd=ROOT,
                          capture_output=True, text=True)
    assert 'RC [0, 0, 0, 0, 0] HEAVY []' in proc.stdout, proc.stdout + proc.stderr
    proc = subprocess.run([sys.executable, '-X', 'importtime', '-m', 'tfjs_converter',
                           'inspect', src], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0
    imported = {line.split('|')[-1].strip().split('.')[0] for line in proc.stderr.splitlines()
                if line.startswith('import time:')}
    assert 'numpy' in imported and 'h5py' in imported
    assert not imported & {'torch', 'tensorflow', 'keras', 'jax', 'tfjs'}


def test_progress_on_slow_conversions():
    stream = io.StringIO()
    p = Progress(stream=stream, delay=0)
    p.stage('reading')
    for i in range(0, 101, 5):
        p.update(i, 100, 'encoding weights')
    p.finish()
    lines = stream.getvalue().splitlines()
    assert lines[0] == '[tfjs] reading'
    assert lines[1:] == [f'[tfjs] encoding weights: {n}%' for n in (0, 25, 50, 75, 100)]
    quiet = io.StringIO()
    q = Progress(stream=quiet)          # the first half second stays quiet
    q.update(50, 100, 'x')
    assert quiet.getvalue() == ''


def test_version():
    out = run_cli('--version').stdout
    assert 'numpy' in out and 'h5py' in out
