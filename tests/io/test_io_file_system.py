"""The file:// handler: the exact tfjs-node layout, shards, path safety, and load errors."""
import json
import os
import shutil

import numpy as np
import pytest

import tfjs as tf
import tfjs.io as tfio
from tfjs.errors import IOError as TfjsIOError
from tfjs.errors import NotImplementedError as TfjsNotImplementedError
from tfjs.io.file_system import NodeFileSystem, fileSystem
from tfjs.io.weights import decode_weights, encode_weights

from conftest import FIXTURES

SAVED = os.path.join(FIXTURES, 'io_tfjs_saved')


def _read(path, mode='rb'):
    with open(path, mode) as f:
        return f.read()


def test_tfjs_saved_model_loads_and_resaves_byte_identical(tmp_path, oracle_io):
    art = fileSystem(os.path.join(SAVED, 'model.json')).load()
    assert [s['name'] for s in art['weightSpecs']] == oracle_io['savedModel']['weightNames']
    assert art['format'] == 'layers-model' and art['convertedBy'] is None
    assert art['trainingConfig']['optimizer_config']['class_name'] == 'Adam'
    assert art['userDefinedMetadata'] == {'note': 'héllo', 'n': 1}
    weights = decode_weights(art['weightData'], art['weightSpecs'])
    assert weights['iter'].dtype == 'int32' and weights['iter'].arraySync() == 2
    out = tmp_path / 'resaved'
    fileSystem(f'file://{out}').save(art)
    assert sorted(os.listdir(out)) == ['model.json', 'weights.bin']
    assert _read(out / 'model.json') == _read(os.path.join(SAVED, 'model.json'))
    assert _read(out / 'weights.bin') == _read(os.path.join(SAVED, 'weights.bin'))


def test_save_layout_and_result(tmp_path, artifacts):
    result = fileSystem(str(tmp_path / 'm')).save(artifacts)
    info = result['modelArtifactsInfo']
    assert info['modelTopologyType'] == 'JSON' and info['weightDataBytes'] == 32
    text = _read(tmp_path / 'm' / 'model.json').decode('utf-8')
    assert text.startswith('{"modelTopology":{"class_name":"Sequential"')
    assert ',"weightsManifest":[{"paths":["weights.bin"],"weights":[{"name":"dense/kernel",' \
           '"shape":[3,2],"dtype":"float32"},' in text
    assert text.endswith('"format":"layers-model","generatedBy":"TensorFlow.js tfjs-layers '
                         'v4.22.0","convertedBy":null}')
    assert _read(tmp_path / 'm' / 'weights.bin') == artifacts['weightData']


@pytest.mark.parametrize('form', ['file', 'dir', 'url', 'url_dir'])
def test_load_forms(tmp_path, artifacts, form):
    d = tmp_path / 'm'
    fileSystem(str(d)).save(artifacts)
    path = {'file': str(d / 'model.json'), 'dir': str(d), 'url': f'file://{d}/model.json',
            'url_dir': f'file://{d}'}[form]
    art = fileSystem(path).load()
    assert art['weightData'] == artifacts['weightData']
    assert art['weightSpecs'] == artifacts['weightSpecs']
    assert art['modelTopology'] == artifacts['modelTopology']


def test_save_overwrites_and_keeps_other_files(tmp_path, artifacts):
    d = tmp_path / 'm'
    d.mkdir()
    (d / 'notes.txt').write_text('keep me')
    (d / 'sub').mkdir()
    (d / 'sub' / 'x').write_text('x')
    fileSystem(str(d)).save(artifacts)
    new = dict(artifacts, weightData=bytes(32), userDefinedMetadata={'v': 2})
    fileSystem(str(d)).save(new)
    assert sorted(os.listdir(d)) == ['model.json', 'notes.txt', 'sub', 'weights.bin']
    assert (d / 'notes.txt').read_text() == 'keep me' and (d / 'sub' / 'x').read_text() == 'x'
    art = fileSystem(str(d)).load()
    assert art['weightData'] == bytes(32) and art['userDefinedMetadata'] == {'v': 2}
    assert [n for n in os.listdir(tmp_path) if n != 'm'] == []      # no temporary leftovers


def test_save_creates_parents_and_refuses_a_file(tmp_path, artifacts):
    fileSystem(str(tmp_path / 'a' / 'b' / 'c')).save(artifacts)
    assert (tmp_path / 'a' / 'b' / 'c' / 'model.json').is_file()
    f = tmp_path / 'file'
    f.write_text('x')
    with pytest.raises(TfjsIOError, match='exists as a file'):
        fileSystem(str(f)).save(artifacts)
    assert f.read_text() == 'x'


def test_save_through_a_symlinked_directory(tmp_path, artifacts):
    real = tmp_path / 'real'
    real.mkdir()
    link = tmp_path / 'link'
    link.symlink_to(real)
    fileSystem(str(link)).save(artifacts)
    fileSystem(str(link)).save(artifacts)
    assert link.is_symlink() and (real / 'model.json').is_file()


def test_save_refuses_binary_topology(tmp_path, artifacts):
    with pytest.raises(TfjsNotImplementedError, match='binary'):
        fileSystem(str(tmp_path)).save(dict(artifacts, modelTopology=b'\x00'))
    with pytest.raises(ValueError, match='multiple paths'):
        fileSystem([str(tmp_path / 'a'), str(tmp_path / 'b')]).save(artifacts)


def _write_converter_model(d, groups, shard_size):
    """A converter-style model: groups of weights, each split into fixed-size shards."""
    os.makedirs(d, exist_ok=True)
    manifest = []
    for g, named in enumerate(groups):
        data, specs = encode_weights(named)
        n = max(1, -(-len(data) // shard_size))
        paths = []
        for i in range(n):
            name = f'group{g + 1}-shard{i + 1}of{n}.bin'
            with open(os.path.join(d, name), 'wb') as f:
                f.write(data[i * shard_size:(i + 1) * shard_size])
            paths.append(name)
        manifest.append({'paths': paths, 'weights': specs})
    mj = {'format': 'layers-model', 'generatedBy': 'keras v2.15.0',
          'convertedBy': 'TensorFlow.js Converter v4.22.0',
          'modelTopology': {'keras_version': '2.15.0', 'backend': 'tensorflow',
                            'model_config': {'class_name': 'Sequential', 'config': {}}},
          'weightsManifest': manifest}
    with open(os.path.join(d, 'model.json'), 'w') as f:
        json.dump(mj, f)
    return mj


def test_shards_with_a_weight_spanning_two_files(tmp_path):
    k = np.arange(12, dtype=np.float32).reshape(3, 4)
    groups = [[('dense/kernel', tf.tensor(k, [3, 4])), ('dense/bias', tf.tensor1d([1, 2, 3, 4]))],
              [('names', tf.tensor1d(['alpha', 'béta'], 'string')),
               ('emb', tf.tensor1d([7, 8, 9], 'int32'))]]
    _write_converter_model(tmp_path, groups, shard_size=20)   # dense/kernel straddles 3 files
    assert len(json.loads((tmp_path / 'model.json').read_text())['weightsManifest'][0]['paths']) == 4
    art = fileSystem(str(tmp_path / 'model.json')).load()
    assert art['convertedBy'] == 'TensorFlow.js Converter v4.22.0'
    w = decode_weights(art['weightData'], art['weightSpecs'])
    assert w['dense/kernel'].arraySync() == k.tolist()
    assert w['dense/bias'].arraySync() == [1, 2, 3, 4]
    assert w['names'].arraySync() == ['alpha', 'béta'] and w['emb'].arraySync() == [7, 8, 9]


def test_quantized_converter_model_loads(tmp_path):
    codes = np.array([0, 128, 255], np.uint8)
    (tmp_path / 'group1-shard1of1.bin').write_bytes(codes.tobytes())
    (tmp_path / 'model.json').write_text(json.dumps({'modelTopology': None, 'weightsManifest': [
        {'paths': ['group1-shard1of1.bin'], 'weights': [
            {'name': 'q', 'shape': [3], 'dtype': 'float32',
             'quantization': {'min': -1.0, 'scale': 2 / 255, 'dtype': 'uint8',
                              'original_dtype': 'float32'}}]}]}))
    art = fileSystem(str(tmp_path)).load()
    q = decode_weights(art['weightData'], art['weightSpecs'])['q'].arraySync()
    assert q[0] == -1.0 and q[2] == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize('bad', ['../secret.bin', 'a/../../secret.bin', '/etc/passwd',
                                 '..\\secret.bin', 'C:\\x.bin', 'file:///etc/passwd',
                                 'http://x.org/w.bin', ''])
def test_path_escape_is_rejected(tmp_path, bad):
    d = tmp_path / 'model'
    d.mkdir()
    (tmp_path / 'secret.bin').write_bytes(bytes(4))
    (d / 'model.json').write_text(json.dumps({'modelTopology': {}, 'weightsManifest': [
        {'paths': [bad], 'weights': [{'name': 'w', 'shape': [1], 'dtype': 'float32'}]}]}))
    with pytest.raises(TfjsIOError, match='weights path|Refusing'):
        fileSystem(str(d)).load()


def test_subfolder_paths_are_allowed(tmp_path):
    (tmp_path / 'shards').mkdir()
    (tmp_path / 'shards' / 'w.bin').write_bytes(np.float32([3]).tobytes())
    (tmp_path / 'model.json').write_text(json.dumps({'modelTopology': {}, 'weightsManifest': [
        {'paths': ['./shards/w.bin'], 'weights': [{'name': 'w', 'shape': [1],
                                                  'dtype': 'float32'}]}]}))
    art = fileSystem(str(tmp_path)).load()
    assert art['weightData'] == np.float32([3]).tobytes()


def test_missing_model_json(tmp_path):
    with pytest.raises(TfjsIOError, match=r'no model.json at .*nope'):
        fileSystem(str(tmp_path / 'nope' / 'model.json')).load()
    with pytest.raises(TfjsIOError, match=r'no model.json at .*\(a directory\)'):
        fileSystem(str(tmp_path)).load()
    (tmp_path / 'my_model.json').write_text('{}')
    with pytest.raises(TfjsIOError, match='my_model.json'):
        fileSystem(str(tmp_path)).load()


def test_malformed_json_reports_position(tmp_path):
    p = tmp_path / 'model.json'
    p.write_text('{"modelTopology": {},\n "weightsManifest": [}')
    with pytest.raises(TfjsIOError, match=r'not valid JSON: .* line 2 column 22'):
        fileSystem(str(p)).load()
    p.write_text('[1, 2]')
    with pytest.raises(TfjsIOError, match='expected a JSON object'):
        fileSystem(str(p)).load()
    p.write_text('{"format": "layers-model"}')
    with pytest.raises(TfjsIOError, match='neither model topology nor manifest'):
        fileSystem(str(p)).load()
    p.write_bytes(b'\xff\xfe{}')
    with pytest.raises(TfjsIOError, match='UTF-8'):
        fileSystem(str(p)).load()


def test_missing_shard(tmp_path):
    groups = [[('w', tf.zeros([10]))]]
    _write_converter_model(tmp_path, groups, shard_size=16)
    os.remove(tmp_path / 'group1-shard2of3.bin')
    with pytest.raises(TfjsIOError, match=r'group1-shard2of3.bin does not exist'):
        fileSystem(str(tmp_path)).load()


def test_truncated_shard(tmp_path, artifacts):
    d = tmp_path / 'm'
    fileSystem(str(d)).save(artifacts)
    with open(d / 'weights.bin', 'r+b') as f:
        f.truncate(30)
    with pytest.raises(TfjsIOError) as e:
        fileSystem(str(d)).load()
    msg = str(e.value)
    assert 'weights.bin' in msg and 'is 30 bytes but the manifest needs 32 bytes' in msg
    assert "'dense/bias'" in msg


def test_truncated_sharded_model_lists_all_files(tmp_path):
    _write_converter_model(tmp_path, [[('w', tf.zeros([10]))]], shard_size=16)
    with open(tmp_path / 'group1-shard3of3.bin', 'r+b') as f:
        f.truncate(4)
    with pytest.raises(TfjsIOError, match=r'group1-shard1of3.bin.*group1-shard3of3.bin.* are 36 '
                                          r'bytes in total but the manifest needs 40 bytes'):
        fileSystem(str(tmp_path)).load()


def test_binary_topology_pair(tmp_path):
    data, specs = encode_weights({'w': tf.tensor1d([1, 2])})
    (tmp_path / 'tensorflowjs.pb').write_bytes(b'\x08\x01graph')
    (tmp_path / 'w.bin').write_bytes(data)
    (tmp_path / 'weights_manifest.json').write_text(json.dumps([{'paths': ['w.bin'],
                                                                 'weights': specs}]))
    art = fileSystem([str(tmp_path / 'tensorflowjs.pb'),
                      str(tmp_path / 'weights_manifest.json')]).load()
    assert art['modelTopology'] == b'\x08\x01graph' and art['weightData'] == data
    with pytest.raises(TfjsIOError, match='does not exist'):
        fileSystem([str(tmp_path / 'x.pb'), str(tmp_path / 'weights_manifest.json')]).load()


def test_namespace_handler(tmp_path, artifacts):
    h = tfio.fileSystem(str(tmp_path / 'm'))
    assert isinstance(h, NodeFileSystem) and tfio.file_system is tfio.fileSystem
    h.save(artifacts)
    assert h.load()['weightData'] == artifacts['weightData']
    shutil.rmtree(tmp_path / 'm')
