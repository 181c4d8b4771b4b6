"""`pathlib.Path` (any `os.PathLike`) is accepted wherever a path string is: loadLayersModel,
model.save, loadWeights / saveWeights, the tf.io handlers, routers and tf.io.loadWeights; and
the `file://` reader shares the converter's path rules (one implementation)."""
import importlib
import json
import os
import pathlib

import numpy as np
import pytest

import tfjs as tf
from tfjs.errors import IOError as TfjsIOError
from tfjs_converter import tfjs_layers
from tfjs_converter.errors import FileFormatError

file_system = importlib.import_module('tfjs.io.file_system')   # tf.io.file_system is a function


class _PathLike:
    """A minimal os.PathLike that is not a pathlib.Path."""

    def __init__(self, path):
        self.path = str(path)

    def __fspath__(self):
        return self.path


def _model():
    m = tf.sequential()
    m.add(tf.layers.dense({'units': 3, 'inputShape': [2]}))
    return m


def _same(a, b):
    for p, q in zip(a.getWeights(), b.getWeights()):
        np.testing.assert_array_equal(p.arraySync(), q.arraySync())


@pytest.mark.parametrize('wrap', [pathlib.Path, _PathLike])
def test_save_and_load_model_json_with_paths(tmp_path, wrap):
    m = _model()
    m.save(wrap(tmp_path / 'm'))
    assert (tmp_path / 'm' / 'model.json').is_file() and (tmp_path / 'm' / 'weights.bin').is_file()
    _same(m, tf.loadLayersModel(wrap(tmp_path / 'm' / 'model.json')))
    _same(m, tf.loadLayersModel(wrap(tmp_path / 'm')))               # the folder works too


@pytest.mark.parametrize('name', ['m.h5', 'm.keras'])
def test_save_and_load_keras_files_with_paths(tmp_path, name):
    m = _model()
    m.save(tmp_path / name)
    _same(m, tf.loadLayersModel(tmp_path / name))


def test_save_and_load_weights_with_paths(tmp_path):
    m, other = _model(), _model()
    m.saveWeights(tmp_path / 'w.weights.h5')
    other.loadWeights(tmp_path / 'w.weights.h5')
    _same(m, other)


def test_io_handlers_routers_and_load_weights_take_paths(tmp_path):
    m = _model()
    m.save(tf.io.fileSystem(tmp_path / 'm'))
    art = tf.io.fileSystem(tmp_path / 'm' / 'model.json').load()
    assert [s['name'] for s in art['weightSpecs']] == [w.originalName for w in m.weights]
    handlers = tf.io.getLoadHandlers(tmp_path / 'm' / 'model.json')
    assert len(handlers) == 1 and handlers[0].path == str(tmp_path / 'm' / 'model.json')
    assert len(tf.io.getSaveHandlers(tmp_path / 'n')) == 1
    manifest = json.loads((tmp_path / 'm' / 'model.json').read_text())['weightsManifest']
    loaded = tf.io.loadWeights(manifest, tmp_path / 'm')
    np.testing.assert_array_equal(loaded[m.weights[0].originalName].arraySync(),
                                  m.getWeights()[0].arraySync())
    pair = tf.io.fileSystem([tmp_path / 'm' / 'model.json', tmp_path / 'm' / 'model.json'])
    assert all(isinstance(p, str) for p in pair.path)


def test_registered_routers_see_strings(tmp_path):
    seen = []

    def spy(url):
        seen.append(url)
        return None
    tf.io.registerLoadRouter(spy)
    try:
        tf.io.getLoadHandlers(tmp_path / 'm' / 'model.json')
    finally:
        from tfjs.io import router
        router._load_routers.remove(spy)
    assert seen == [str(tmp_path / 'm' / 'model.json')]


def test_converter_reads_paths(tmp_path):
    m = _model()
    m.save(tmp_path / 'm')
    converted = tfjs_layers.read(tmp_path / 'm')
    assert [w.name for w in converted.weights] == [w.originalName for w in m.weights]


def test_not_a_path_is_refused_clearly():
    with pytest.raises(tf.errors.ValueError, match='pathlib.Path'):
        tf.io.fileSystem(3.5)


# ------------------------------------------------------------------- one path-safety rule

def test_file_system_uses_the_converter_rules():
    assert file_system.safe_join.__wrapped__ is tfjs_layers.safe_join
    assert file_system.read_weight_files.__wrapped__ is tfjs_layers.read_weight_files
    for bad in ('../x.bin', '/etc/passwd', 'http://e/x.bin', 'a/../../x.bin', ''):
        with pytest.raises(FileFormatError) as converter_error:
            tfjs_layers.safe_join('/m', bad, 'model.json')
        with pytest.raises(TfjsIOError) as tfjs_error:
            file_system.safe_join('/m', bad, 'model.json')
        assert str(tfjs_error.value) == str(converter_error.value)


@pytest.mark.skipif(os.name != 'posix', reason='symbolic links')
def test_shard_linked_out_of_the_model_folder_is_refused(tmp_path):
    m = _model()
    m.save(tmp_path / 'm')
    outside = tmp_path / 'secret.bin'
    os.replace(tmp_path / 'm' / 'weights.bin', outside)
    os.symlink(outside, tmp_path / 'm' / 'weights.bin')
    with pytest.raises(TfjsIOError, match='link leading out'):
        tf.loadLayersModel(tmp_path / 'm' / 'model.json')
    with pytest.raises(FileFormatError, match='link leading out'):
        tfjs_layers.read(tmp_path / 'm')
