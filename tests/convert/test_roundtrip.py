"""Round trips here: models built with tfjs saved as `.keras` / `.h5` and loaded back (same
topology, same weights, same predictions), TF.js artifacts -> .keras -> TF.js artifacts equal,
and the Keras-style weights API (`saveWeights` / `loadWeights`).

With $TFJS_KERAS_ROUNDTRIP_DIR set, the files are also left there (with inputs and our
predictions) for tools/check_keras_roundtrip.py, which loads them in real Keras 3 and tf-keras.
"""
import json
import os
import shutil

import numpy as np
import pytest

import tfjs as tf
import tfjs_converter as tc
from tfjs.engine.saving import model_artifacts
from tfjs_converter import dialects

import models_tfjs
from convert_helpers import MODELS, assert_close, fixture_data, predict, run_cli

EXPORT = os.environ.get('TFJS_KERAS_ROUNDTRIP_DIR')


def _export(name, folder, xs, ys):
    if not EXPORT:
        return
    os.makedirs(EXPORT, exist_ok=True)
    for fn in os.listdir(folder):
        if fn.startswith(name + '.'):
            shutil.copy(os.path.join(folder, fn), os.path.join(EXPORT, 'tfjs_' + fn))
    np.savez(os.path.join(EXPORT, f'tfjs_{name}.npz'),
             **{f'x{i}': x for i, x in enumerate(xs)}, **{f'y{i}': y for i, y in enumerate(ys)})


def _no_nulls(value):
    """A config without null-valued keys: TF.js writes `implementation: null`,
    `unit_forget_bias: null`, `input_length: null`, which a Keras 3 file does not carry."""
    if isinstance(value, dict):
        return {k: _no_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_no_nulls(v) for v in value]
    return value


def _layer_configs(topology):
    return {l.get('name') or l['config'].get('name'): _no_nulls(l['config'])
            for l in topology['config']['layers']}


def _hard_sigmoid_layers(topology):
    return {path[1] for path, _ in dialects.hard_sigmoid_uses(topology)}   # (model, layer, ...)


@pytest.mark.filterwarnings('ignore:This model uses the activation')
@pytest.mark.parametrize('name', sorted(models_tfjs.MODELS))
def test_save_keras_files_and_load_back(tmp_path, name):
    model, xs = models_tfjs.build(name)
    ys = predict(model, xs)
    original = tc.ConvertedModel.from_artifacts(model_artifacts(model, {}))
    for fmt in ('keras', 'h5'):
        path = str(tmp_path / f'{name}.{fmt}')
        model.save(path)
        back = tf.loadLayersModel(path)
        assert_close(predict(back, xs), ys, tol=1e-6, what=fmt)
        read = tc.load(path)
        assert _layer_configs(read.topology) == _layer_configs(original.topology), fmt
        assert read.topology['class_name'] in (original.topology['class_name'], 'Functional')
        ours, theirs = original.weight_dict(), read.weight_dict()
        assert sorted(ours) == sorted(theirs)
        scaled = _hard_sigmoid_layers(original.topology) if fmt == 'keras' else set()
        for n, a in ours.items():
            if n.split('/')[0] in scaled:       # x 1.2 then x 5/6: within a float32 ulp or so
                np.testing.assert_allclose(theirs[n], a, rtol=2e-7, atol=1e-9)
            else:
                assert np.array_equal(theirs[n], a), n
    model.saveWeights(str(tmp_path / f'{name}.weights.h5'))
    _export(name, str(tmp_path), xs, ys)


def test_tfjs_artifacts_to_keras_and_back_equal(tmp_path):
    """TF.js model folder -> .keras -> TF.js folder (with the CLI): the same topology and the
    same weight bytes."""
    model, xs = models_tfjs.build('functional')
    model.save(f'file://{tmp_path}/web')
    run_cli('convert', '--input_format', 'tfjs_layers_model', '--output_format', 'keras_keras',
            str(tmp_path / 'web' / 'model.json'), str(tmp_path / 'm.keras'))
    run_cli('convert', '--input_format', 'keras_keras', str(tmp_path / 'm.keras'),
            str(tmp_path / 'web2'))
    a = json.loads((tmp_path / 'web' / 'model.json').read_text())
    b = json.loads((tmp_path / 'web2' / 'model.json').read_text())
    assert _layer_configs(b['modelTopology']['model_config']) == \
        _layer_configs(a['modelTopology'])
    assert [w['name'] for w in b['weightsManifest'][0]['weights']] == \
        [w['name'] for w in a['weightsManifest'][0]['weights']]
    assert [w['shape'] for w in b['weightsManifest'][0]['weights']] == \
        [w['shape'] for w in a['weightsManifest'][0]['weights']]
    assert (tmp_path / 'web2' / 'group1-shard1of1.bin').read_bytes() == \
        (tmp_path / 'web' / 'weights.bin').read_bytes()
    back = tf.loadLayersModel(f'file://{tmp_path}/web2/model.json')
    assert_close(predict(back, xs), predict(model, xs), tol=0)


@pytest.mark.parametrize('suffix', ['.weights.h5', '.h5'])
def test_save_and_load_weights(tmp_path, suffix):
    model, xs = models_tfjs.build('cnn', seed=3)
    path = str(tmp_path / f'w{suffix}')
    model.saveWeights(path)
    fresh, _ = models_tfjs.build('cnn', seed=9)     # same architecture, other names/values
    assert [w.originalName for w in fresh.weights] != [w.originalName for w in model.weights]
    fresh.loadWeights(path)
    assert_close(predict(fresh, xs), predict(model, xs), tol=0)
    fresh2, _ = models_tfjs.build('cnn', seed=5)
    fresh2.load_weights(path)                       # Keras's spelling
    assert_close(predict(fresh2, xs), predict(model, xs), tol=0)


def _keras_mlp_in_tfjs():
    L = tf.layers
    return tf.sequential({'layers': [
        L.dense({'units': 16, 'activation': 'relu', 'inputShape': [8]}), L.dropout({'rate': 0.3}),
        L.dense({'units': 3, 'activation': 'softmax'})]})


@pytest.mark.parametrize('rel', ['k3/mlp.keras', 'k3/mlp.h5', 'k2/mlp.h5', 'k2/mlp_v3.keras'])
def test_load_keras_weights_into_a_model_built_here(rel):
    model = _keras_mlp_in_tfjs()
    model.loadWeights(os.path.join(MODELS, rel))
    xs, ys = fixture_data(rel)
    assert_close(predict(model, xs), ys)


def test_load_weights_from_model_json(tmp_path):
    model, xs = models_tfjs.build('mlp', seed=1)
    model.save(f'file://{tmp_path}/m')
    other, _ = models_tfjs.build('mlp', seed=2)
    # names differ (dense_Dense1 vs dense_Dense3): a model.json is matched by name
    with pytest.raises(ValueError, match='do not match'):
        other.loadWeights(str(tmp_path / 'm' / 'model.json'))
    same = tf.loadLayersModel(f'file://{tmp_path}/m/model.json')
    for w in same.weights:
        w.write(tf.zerosLike(w.read()))
    same.loadWeights(str(tmp_path / 'm' / 'model.json'))
    assert_close(predict(same, xs), predict(model, xs), tol=0)


def test_load_weights_wrong_architecture_is_clear(tmp_path):
    model, _ = models_tfjs.build('cnn')
    model.saveWeights(str(tmp_path / 'w.h5'))
    other, _ = models_tfjs.build('mlp')
    with pytest.raises(OSError, match='matched by layer order'):
        other.loadWeights(str(tmp_path / 'w.h5'))


def test_weights_only_file_is_not_a_model(tmp_path):
    model, _ = models_tfjs.build('mlp')
    model.saveWeights(str(tmp_path / 'w.h5'))
    with pytest.raises(OSError, match='loadWeights'):
        tf.loadLayersModel(str(tmp_path / 'w.h5'))
    model.saveWeights(str(tmp_path / 'w.weights.h5'))
    with pytest.raises(OSError, match='loadWeights'):
        tf.loadLayersModel(str(tmp_path / 'w.weights.h5'))


def test_include_optimizer_keeps_the_training_state(tmp_path):
    """includeOptimizer: the Keras file holds the compile settings and the optimizer state
    (tests/convert/test_keras_training_roundtrip.py checks them in detail)."""
    model, xs = models_tfjs.build('mlp')
    model.compile({'optimizer': 'adam', 'loss': 'meanSquaredError'})
    model.fit(tf.tensor(xs[0]), tf.zeros([3, 3]), {'epochs': 1, 'verbose': 0})
    model.save(str(tmp_path / 'm.keras'), {'includeOptimizer': True})
    back = tf.loadLayersModel(str(tmp_path / 'm.keras'))
    assert_close(predict(back, xs), predict(model, xs), tol=0)
    assert back.optimizer_.getClassName() == 'Adam' and back.optimizer_.iterations == 1


def test_keras_file_router_does_not_take_folders(tmp_path):
    from tfjs.io.router import getLoadHandlers, getSaveHandlers
    assert [type(h).__name__ for h in getSaveHandlers(str(tmp_path / 'x.keras'))] == \
        ['KerasFile']
    assert [type(h).__name__ for h in getLoadHandlers('file:///a/b.H5')] == ['KerasFile']
    assert [type(h).__name__ for h in getSaveHandlers(str(tmp_path / 'web'))] == \
        ['NodeFileSystem']
    assert [type(h).__name__ for h in getLoadHandlers('http://x/m.h5')] == ['HTTPRequest']


RESAVE = ['k3/mlp.keras', 'k3/cnn.keras', 'k3/text_rnn.keras', 'k3/multi_io.keras',
          'k3/nested.keras', 'k3/bidirectional.keras', 'k3/time_distributed.keras',
          'k3/hard_sigmoid.keras', 'k3/misc_layers.keras', 'k3/stacked_cells.keras',
          'k2/mlp.h5', 'k2/cnn.h5', 'k2/text_rnn.h5', 'k2/multi_io.h5', 'k2/nested.h5',
          'k2/bidirectional.h5', 'k2/time_distributed.h5', 'k2/hard_sigmoid.h5']


@pytest.mark.filterwarnings('ignore:This model uses the activation')
@pytest.mark.parametrize('rel', RESAVE)
def test_keras_fixture_saved_again_keeps_keras_predictions(tmp_path, rel):
    """A Keras model loaded here and saved again (both formats) still gives Keras's
    predictions, here (and, via tools/check_keras_roundtrip.py, in Keras)."""
    xs, ys = fixture_data(rel)
    model = tf.loadLayersModel(os.path.join(MODELS, rel))
    name = rel.replace('/', '_').split('.')[0]
    for fmt in ('keras', 'h5'):
        path = str(tmp_path / f'{name}.{fmt}')
        model.save(path)
        assert_close(predict(tf.loadLayersModel(path), xs), ys, what=fmt)
    model.saveWeights(str(tmp_path / f'{name}.weights.h5'))
    _export(name, str(tmp_path), xs, ys)
