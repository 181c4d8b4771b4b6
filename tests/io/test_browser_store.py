"""localstorage:// and indexeddb:// kept in a local SQLite store, and TF.js's model management
(listModels, copyModel, moveModel, removeModel)."""
import os
import subprocess
import sys

import numpy as np
import pytest

import tfjs as tf


@pytest.fixture(autouse=True)
def store(tmp_path, monkeypatch):
    monkeypatch.setenv('TFJS_MODEL_STORE', str(tmp_path / 'store.sqlite'))
    return tmp_path / 'store.sqlite'


def _model():
    m = tf.sequential({'layers': [tf.layers.dense({'units': 2, 'inputShape': [3]})]})
    m.compile({'optimizer': 'adam', 'loss': 'meanSquaredError'})
    return m


X = tf.tensor(np.arange(6, dtype=np.float32).reshape(2, 3))


@pytest.mark.parametrize('scheme', ['localstorage', 'indexeddb'])
def test_save_load_round_trip(scheme):
    m = _model()
    result = m.save(f'{scheme}://my/model', {'includeOptimizer': True})
    assert result['modelArtifactsInfo']['weightDataBytes'] == 4 * (6 + 2) + 4   # + optimizer iter
    loaded = tf.loadLayersModel(f'{scheme}://my/model')
    np.testing.assert_array_equal(np.asarray(loaded.predict(X)), np.asarray(m.predict(X)))
    assert loaded.optimizer_ is not None                   # trainingConfig came back too


def test_persists_across_processes(store):
    code = ("import tfjs as tf; m = tf.sequential({'layers': [tf.layers.dense({'units': 1, "
            "'inputShape': [1], 'kernelInitializer': 'ones'})]}); m.save('indexeddb://shared')")
    env = dict(os.environ, TFJS_MODEL_STORE=str(store))
    subprocess.run([sys.executable, '-c', code], check=True, env=env)
    loaded = tf.loadLayersModel('indexeddb://shared')
    assert loaded.predict(tf.tensor([[2.0]])).arraySync() == [[2.0]]


def test_list_copy_move_remove(tmp_path):
    _model().save('localstorage://a')
    info = tf.io.copyModel('localstorage://a', 'indexeddb://b')
    assert info['modelTopologyType'] == 'JSON'
    assert sorted(tf.io.listModels()) == ['indexeddb://b', 'localstorage://a']
    tf.io.moveModel('indexeddb://b', 'indexeddb://c')
    assert sorted(tf.io.listModels()) == ['indexeddb://c', 'localstorage://a']
    tf.io.moveModel('localstorage://a', f'file://{tmp_path}/folder')   # across media
    assert sorted(tf.io.listModels()) == ['indexeddb://c']
    assert (tmp_path / 'folder' / 'model.json').exists()
    removed = tf.io.removeModel('indexeddb://c')
    assert removed['weightSpecsBytes'] > 0 and tf.io.listModels() == {}


def test_errors_as_tfjs():
    with pytest.raises(ValueError, match="Cannot find model with path 'nope' in IndexedDB."):
        tf.loadLayersModel('indexeddb://nope')
    with pytest.raises(ValueError, match="In local storage, there is no model with name 'nope'"):
        tf.loadLayersModel('localstorage://nope')
    with pytest.raises(ValueError, match="Cannot find model at path 'nope'"):
        tf.io.removeModel('localstorage://nope')
    with pytest.raises(ValueError, match='does not contain a scheme'):
        tf.io.removeModel('nope')
    with pytest.raises(ValueError, match="Cannot find model manager for scheme 'ftp'"):
        tf.io.removeModel('ftp://x')
    with pytest.raises(ValueError, match="Old path and new path are the same"):
        tf.io.copyModel('indexeddb://x', 'indexeddb://x')
    with pytest.raises(ValueError, match='must not be null, undefined or empty'):
        tf.io.browserIndexedDB('')


def test_async_api():
    import asyncio

    async def main():
        await _model().save('indexeddb://async')
        models = await tf.io.listModels()
        info = await tf.io.removeModel('indexeddb://async')
        return models, info

    models, info = asyncio.run(main())
    assert list(models) == ['indexeddb://async'] and info['modelTopologyBytes'] > 0
