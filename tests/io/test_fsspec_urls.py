"""Model URLs served through fsspec (memory:// here; s3://, gs://... the same way)."""
import json

import numpy as np
import pytest

import tfjs as tf

fsspec = pytest.importorskip('fsspec', reason='fsspec is a test dependency (make test installs it)')


@pytest.fixture
def memfs():
    fs = fsspec.filesystem('memory')
    yield fs
    fs.store.clear()
    fs.pseudo_dirs[:] = ['']


def _model():
    return tf.sequential({'layers': [tf.layers.dense({'units': 2, 'inputShape': [3]})]})


def test_save_and_load_memory_url(memfs):
    m = _model()
    m.save('memory://t/models/a')
    assert sorted(memfs.ls('/t/models/a', detail=False)) == ['/t/models/a/model.json',
                                                             '/t/models/a/weights.bin']
    x = tf.ones([1, 3])
    for url in ('memory://t/models/a/model.json', 'memory://t/models/a'):
        loaded = tf.loadLayersModel(url)
        np.testing.assert_array_equal(np.asarray(loaded.predict(x)), np.asarray(m.predict(x)))


def test_manifest_paths_cannot_escape(memfs):
    _model().save('memory://t/models/b')
    doc = json.loads(memfs.cat('/t/models/b/model.json'))
    doc['weightsManifest'][0]['paths'] = ['../secret.bin']
    memfs.pipe('/t/models/b/model.json', json.dumps(doc).encode())
    with pytest.raises(Exception, match="leaves the model's folder"):
        tf.loadLayersModel('memory://t/models/b/model.json')


def test_missing_model_json(memfs):
    with pytest.raises(Exception, match='There is no model.json at memory://t/none'):
        tf.loadLayersModel('memory://t/none')


def test_copy_model_into_fsspec(memfs, tmp_path):
    _model().save(f'file://{tmp_path}/m')
    tf.io.copyModel(f'file://{tmp_path}/m/model.json', 'memory://t/copied')
    assert memfs.exists('/t/copied/model.json')


def test_unknown_scheme_has_no_handler():
    assert tf.io.getLoadHandlers('nosuchproto://x') == []


def test_missing_backend_is_a_clear_error():
    pytest.importorskip('fsspec')
    try:
        import s3fs  # noqa: F401
        pytest.skip('s3fs is installed here')
    except ImportError:
        pass
    with pytest.raises(NotImplementedError, match='needs an fsspec backend.*s3fs'):
        tf.loadLayersModel('s3://bucket/model.json')
