"""model.save / tf.loadLayersModel glue: optimizer state, async handlers, and bad files."""
import asyncio
import json
import os

import numpy as np
import pytest

import tfjs as tf


def trained_model():
    model = tf.sequential()
    model.add(tf.layers.dense({'units': 3, 'inputShape': [2], 'activation': 'relu'}))
    model.add(tf.layers.dense({'units': 1}))
    model.compile({'optimizer': tf.train.adam(0.01), 'loss': 'meanSquaredError'})
    xs, ys = tf.randomNormal([8, 2], 0, 1, 'float32', 1), tf.randomNormal([8, 1], 0, 1, 'float32', 2)
    model.fit(xs, ys, {'epochs': 3, 'verbose': 0, 'shuffle': False})
    return model, xs, ys


def test_include_optimizer_restores_compiled_state(tmp_path):
    model, xs, ys = trained_model()
    model.save(f'file://{tmp_path}/m', {'includeOptimizer': True})
    spec = json.loads((tmp_path / 'm' / 'model.json').read_text())
    assert spec['trainingConfig']['loss'] == 'mean_squared_error'
    assert spec['trainingConfig']['optimizer_config']['class_name'] == 'Adam'
    assert any(w.get('group') == 'optimizer' for w in spec['weightsManifest'][0]['weights'])
    loaded = tf.loadLayersModel(f'file://{tmp_path}/m/model.json')
    assert loaded.optimizer.getClassName() == 'Adam'
    h1 = model.fit(xs, ys, {'epochs': 2, 'verbose': 0, 'shuffle': False})
    h2 = loaded.fit(xs, ys, {'epochs': 2, 'verbose': 0, 'shuffle': False})
    np.testing.assert_allclose(h1.history['loss'], h2.history['loss'], rtol=1e-6)


def test_async_save_handler_and_await_load(tmp_path):
    model, xs, _ = trained_model()
    saved = {}

    async def handler(artifacts):
        await asyncio.sleep(0)
        saved.update(artifacts)
        return {'modelArtifactsInfo': {'dateSaved': None, 'modelTopologyType': 'JSON'}}

    async def main():
        await model.save(tf.io.withSaveHandler(handler))
        return await tf.loadLayersModel(tf.io.fromMemory(saved))

    loaded = asyncio.run(main())
    np.testing.assert_allclose(np.asarray(loaded.predict(xs)), np.asarray(model.predict(xs)),
                               rtol=1e-6)


def test_missing_model_json_is_a_clear_error(tmp_path):
    with pytest.raises(Exception, match='model.json'):
        tf.loadLayersModel(f'file://{tmp_path}/nothing/model.json')


def test_truncated_weights_are_a_clear_error(tmp_path):
    model, _, _ = trained_model()
    model.save(f'file://{tmp_path}/m')
    weights = tmp_path / 'm' / 'weights.bin'
    weights.write_bytes(weights.read_bytes()[:-8])
    with pytest.raises(Exception, match='bytes'):
        tf.loadLayersModel(f'file://{tmp_path}/m/model.json')


def test_manifest_naming_a_weight_the_model_lacks(tmp_path):
    model, _, _ = trained_model()
    model.save(f'file://{tmp_path}/m')
    path = tmp_path / 'm' / 'model.json'
    spec = json.loads(path.read_text())
    spec['weightsManifest'][0]['weights'][0]['name'] = 'no_such_layer/kernel'
    path.write_text(json.dumps(spec))
    with pytest.raises(ValueError, match='no_such_layer/kernel'):
        tf.loadLayersModel(f'file://{tmp_path}/m/model.json')
    relaxed = tf.loadLayersModel(f'file://{tmp_path}/m/model.json', {'strict': False})
    assert len(relaxed.layers) == 2


def test_failed_save_keeps_the_previous_model(tmp_path):
    model, xs, _ = trained_model()
    model.save(f'file://{tmp_path}/m')
    before = sorted(os.listdir(tmp_path / 'm'))
    bad = tf.sequential({'layers': [tf.layers.dense({'units': 1, 'inputShape': [1]})]})
    bad.userDefinedMetadata = {'x': object()}      # not JSON: save fails before writing
    with pytest.raises(Exception):
        bad.save(f'file://{tmp_path}/m')
    assert sorted(os.listdir(tmp_path / 'm')) == before
    loaded = tf.loadLayersModel(f'file://{tmp_path}/m/model.json')
    np.testing.assert_allclose(np.asarray(loaded.predict(xs)), np.asarray(model.predict(xs)),
                               rtol=1e-6)
