"""Loading without copies: `tf.loadLayersModel` of a `file://` model reads the shards into one
buffer and the weights use its memory (views, no initializer run); the weights stay writable
and belong to the model alone; quantized weights are dequantized exactly as TF.js does; bytes
that belong to the caller are copied, never aliased."""
import doctest
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import tfjs as tf
from tfjs.engine import weight_loading
from tfjs.io.weights import encode_weights
from tfjs_converter import tfjs_layers
from tfjs_converter.model import ConvertedModel


def _model(constraint=None):
    m = tf.sequential()
    m.add(tf.layers.dense({'units': 6, 'inputShape': [4], 'activation': 'relu',
                           'kernelConstraint': constraint}))
    m.add(tf.layers.batchNormalization())
    m.add(tf.layers.dense({'units': 3}))
    return m


def _weights(model):
    return [np.array(w.read()) for w in model.weights]


def _xy():
    rng = np.random.default_rng(0)
    return (tf.tensor(rng.standard_normal((16, 4)).astype(np.float32)),
            tf.tensor(rng.standard_normal((16, 3)).astype(np.float32)))


@pytest.fixture
def saved(tmp_path):
    m = _model()
    m.compile({'optimizer': 'sgd', 'loss': 'meanSquaredError'})
    x, y = _xy()
    m.fit(x, y, {'epochs': 2, 'verbose': 0})     # moving statistics away from 0 / 1
    m.save(f'file://{tmp_path}/m')
    return m, tmp_path / 'm'


def test_loaded_weights_equal_and_are_views_of_one_buffer(saved):
    original, folder = saved
    loaded = tf.loadLayersModel(f'file://{folder}/model.json')
    for a, b in zip(_weights(original), _weights(loaded)):
        np.testing.assert_array_equal(a, b)
    # each weight starts where the previous one ends in weights.bin: views, not copies
    ptrs = [w.val._t.data_ptr() for w in loaded.weights]
    sizes = [w.val._t.numel() * w.val._t.element_size() for w in loaded.weights]
    order = json.loads((folder / 'model.json').read_text())['weightsManifest'][0]['weights']
    by_name = {w.originalName: (p, s) for w, p, s in zip(loaded.weights, ptrs, sizes)}
    placed = [by_name[spec['name']] for spec in order]
    for (p0, s0), (p1, _) in zip(placed, placed[1:]):
        assert p1 == p0 + s0
    x, _ = _xy()
    np.testing.assert_array_equal(original.predict(x).dataSync(), loaded.predict(x).dataSync())


def test_loaded_weights_are_writable_and_independent(saved):
    _, folder = saved
    on_disk = (folder / 'weights.bin').read_bytes()
    a = tf.loadLayersModel(f'file://{folder}/model.json')
    b = tf.loadLayersModel(str(folder / 'model.json'))
    before = _weights(b)
    a.compile({'optimizer': 'adam', 'loss': 'meanSquaredError'})
    x, y = _xy()
    a.fit(x, y, {'epochs': 3, 'verbose': 0})
    assert all((p != q).any() for p, q in zip(_weights(a), before))    # trained in place
    for p, q in zip(_weights(b), before):                               # b is untouched
        np.testing.assert_array_equal(p, q)
    assert (folder / 'weights.bin').read_bytes() == on_disk
    a.layers[0].setWeights([tf.zeros([4, 6]), tf.ones([6])])
    assert _weights(a)[1].tolist() == [1.0] * 6
    a.dispose()                        # the shared buffer outlives a disposed model's views
    np.testing.assert_array_equal(_weights(b)[0], before[0])


def test_caller_owned_bytes_are_copied_not_aliased(saved):
    original, folder = saved
    art = tf.io.fileSystem(str(folder / 'model.json')).load()
    data = bytearray(bytes(art['weightData']))
    art['weightData'] = data
    m = tf.loadLayersModel(tf.io.fromMemory(art))
    snapshot = bytes(data)
    m.compile({'optimizer': 'sgd', 'loss': 'meanSquaredError'})
    x, y = _xy()
    m.fit(x, y, {'epochs': 1, 'verbose': 0})
    assert bytes(data) == snapshot                     # the caller's buffer never changes
    data[:] = bytes(len(data))                         # nor does the model follow it
    assert any(np.abs(w).sum() > 0 for w in _weights(m))
    # decodeWeights gives tensors of their own too
    specs = art['weightSpecs']
    buf = bytearray(snapshot)
    decoded = tf.io.decodeWeights(buf, specs)
    buf[:] = bytes(len(buf))
    np.testing.assert_array_equal(decoded[specs[0]['name']].arraySync(), _weights(original)[0])


def test_unaligned_and_bool_entries_decode(saved):
    specs = [{'name': 'b', 'shape': [3], 'dtype': 'bool'},
             {'name': 'f', 'shape': [2], 'dtype': 'float32'}]
    data = bytes([1, 0, 1]) + np.float32([1.5, -2]).tobytes()        # float32 at offset 3
    out = tf.io.decodeWeights(data, specs)
    assert out['b'].arraySync() == [True, False, True] and out['f'].arraySync() == [1.5, -2.0]


@pytest.mark.parametrize('qdtype', ['uint8', 'uint16', 'float16'])
def test_quantized_loads_are_exact(tmp_path, qdtype):
    m = _model()
    m.compile({'optimizer': 'sgd', 'loss': 'meanSquaredError'})
    m.save(f'file://{tmp_path}/plain')
    converted = tfjs_layers.read(str(tmp_path / 'plain'))
    tfjs_layers.write(converted, str(tmp_path / 'q'), quantization={qdtype: True})
    manifest = json.loads((tmp_path / 'q' / 'model.json').read_text())['weightsManifest']
    raw = b''.join((tmp_path / 'q' / p).read_bytes() for g in manifest for p in g['paths'])
    expected, offset = {}, 0
    for spec in (s for g in manifest for s in g['weights']):
        q = spec['quantization']
        n = int(np.prod(spec['shape']))
        codes = np.frombuffer(raw, {'uint8': '<u1', 'uint16': '<u2', 'float16': '<f2'}[qdtype],
                              count=n, offset=offset)
        offset += codes.nbytes
        if qdtype == 'float16':
            expected[spec['name']] = codes.astype(np.float32)
        else:                       # TF.js: code * scale + min in doubles, stored as float32
            expected[spec['name']] = (codes.astype(np.float64) * q['scale'] + q['min']).astype(
                np.float32)
    loaded = tf.loadLayersModel(str(tmp_path / 'q' / 'model.json'))
    for w in loaded.weights:
        np.testing.assert_array_equal(np.array(w.read()).reshape(-1), expected[w.originalName])
    loaded.compile({'optimizer': 'sgd', 'loss': 'meanSquaredError'})
    x, y = _xy()
    loaded.fit(x, y, {'epochs': 1, 'verbose': 0})                 # dequantized: writable


def test_constraints_apply_on_load_as_layer_variable_write(tmp_path):
    m = _model(constraint='nonNeg')
    m.compile({'optimizer': 'sgd', 'loss': 'meanSquaredError'})
    art = {'modelTopology': json.loads(m.toJSON(None, True)), 'format': 'layers-model'}
    named = [(w.originalName, -np.abs(np.array(w.read())) - 1) for w in m.weights]
    art['weightData'], art['weightSpecs'] = encode_weights(named)
    loaded = tf.loadLayersModel(tf.io.fromMemory(art))
    kernel = np.array(loaded.layers[0].getWeights()[0].arraySync())
    assert kernel.min() == 0.0                       # TF.js's LayerVariable.write constrains
    assert np.array(loaded.layers[0].getWeights()[1].arraySync()).max() < 0    # bias: none


def test_non_strict_load_keeps_initialized_weights_of_missing_names(saved):
    _, folder = saved
    art = tf.io.fileSystem(str(folder / 'model.json')).load()
    art['weightSpecs'] = art['weightSpecs'][:2]       # first Dense only
    nbytes = sum(int(np.prod(s['shape'])) * 4 for s in art['weightSpecs'])
    art['weightData'] = bytes(art['weightData'])[:nbytes]
    with pytest.raises(tf.errors.ValueError):
        tf.loadLayersModel(tf.io.fromMemory(art))
    m = tf.loadLayersModel(tf.io.fromMemory(art), {'strict': False})
    assert np.isfinite(np.concatenate([w.reshape(-1) for w in _weights(m)])).all()
    assert _weights(m)[-1].tolist() == [1.0] * 6      # moving variance: its initializer (ones)


def test_loading_runs_no_initializer_and_draws_no_random_numbers(saved):
    import torch
    _, folder = saved
    state = torch.random.get_rng_state()
    tf.loadLayersModel(str(folder / 'model.json'))
    assert torch.equal(torch.random.get_rng_state(), state)    # TF.js: zeros, no draws either
    w = weight_loading.unallocated_weight('k', [3, 2], 'float32', True)
    assert w.shape == [3, 2] and w.read().dtype == 'float32'
    assert doctest.testmod(weight_loading, optionflags=doctest.ELLIPSIS).failed == 0


_PEAK = r'''
import sys, tracemalloc, tfjs as tf
tf.loadLayersModel(sys.argv[1]).dispose()        # imports and first-call caches
tracemalloc.start()
m = tf.loadLayersModel(sys.argv[1])
print(tracemalloc.get_traced_memory()[1])
'''


def test_peak_allocation_of_a_load_is_about_one_copy_of_the_weights(tmp_path):
    m = tf.sequential()
    m.add(tf.layers.dense({'units': 1024, 'inputShape': [1024]}))    # 4 MB of weights
    m.save(f'file://{tmp_path}/big')
    nbytes = (tmp_path / 'big' / 'weights.bin').stat().st_size
    out = subprocess.run([sys.executable, '-c', _PEAK, str(tmp_path / 'big' / 'model.json')],
                         capture_output=True, text=True, check=True)
    peak = int(out.stdout.strip().splitlines()[-1])
    assert nbytes <= peak < 1.3 * nbytes, (peak, nbytes)


def test_a_caching_handler_subclass_gets_copies(saved):
    from tfjs.io.file_system import NodeFileSystem

    class Cached(NodeFileSystem):
        cache = None

        def load(self):
            if Cached.cache is None:
                Cached.cache = super().load()
            return Cached.cache
    _, folder = saved
    a = tf.loadLayersModel(Cached(str(folder / 'model.json')))
    before = _weights(a)
    b = tf.loadLayersModel(Cached(str(folder / 'model.json')))
    b.compile({'optimizer': 'sgd', 'loss': 'meanSquaredError'})
    x, y = _xy()
    b.fit(x, y, {'epochs': 1, 'verbose': 0})
    for p, q in zip(_weights(a), before):
        np.testing.assert_array_equal(p, q)


def test_http_loads_keep_their_joined_buffer_and_never_alias_the_fetched_bytes(saved):
    original, folder = saved
    files = {name: bytearray((folder / name).read_bytes()) for name in ('model.json',
                                                                        'weights.bin')}
    snapshot = bytes(files['weights.bin'])

    def fetch(url, init=None):
        return files[url.rsplit('/', 1)[1]]
    a = tf.loadLayersModel('http://models.test/m/model.json', {'fetchFunc': fetch})
    b = tf.loadLayersModel('http://models.test/m/model.json', {'fetchFunc': fetch})
    for p, q in zip(_weights(original), _weights(a)):
        np.testing.assert_array_equal(p, q)
    a.compile({'optimizer': 'sgd', 'loss': 'meanSquaredError'})
    x, y = _xy()
    a.fit(x, y, {'epochs': 1, 'verbose': 0})
    assert bytes(files['weights.bin']) == snapshot
    for p, q in zip(_weights(original), _weights(b)):
        np.testing.assert_array_equal(p, q)


def test_a_weight_made_after_loading_is_zeros_as_tfjs(saved, monkeypatch):
    """TF.js never clears `fastWeightInitDuringBuild`: a weight a loaded layer makes later is
    zeros (never unallocated memory)."""
    _, folder = saved
    m = tf.loadLayersModel(f'file://{folder}/model.json')

    def unallocated(*args, **kwargs):
        raise AssertionError('a weight made after loading was left unallocated')
    monkeypatch.setattr(weight_loading, 'unallocated_weight', unallocated)
    layer = m.layers[0]
    assert layer.fastWeightInitDuringBuild
    w = layer.addWeight('extra', [3, 5], 'float32', 'ones')
    np.testing.assert_array_equal(np.array(w.read()), np.zeros((3, 5), np.float32))


def test_a_shard_that_changes_size_while_loading_raises(saved):
    _, folder = saved
    manifest = json.loads((folder / 'model.json').read_text())['weightsManifest']

    def grow(specs, total, files):        # runs after the sizes are taken, before the reads
        with open(files[0], 'ab') as f:
            f.write(b'\0' * 8)
    with pytest.raises(tfjs_layers.FileFormatError, match='changed size'):
        tfjs_layers.read_weight_files(manifest, str(folder), check=grow)


def test_loading_a_compiled_model_repeatedly_keeps_no_tensors(tmp_path):
    m = _model()
    m.compile({'optimizer': 'adam', 'loss': 'meanSquaredError'})
    x, y = _xy()
    m.fit(x, y, {'epochs': 1, 'verbose': 0})
    m.save(f'file://{tmp_path}/m', {'includeOptimizer': True})
    counts = []
    for _ in range(3):
        loaded = tf.loadLayersModel(f'file://{tmp_path}/m/model.json')
        assert loaded.optimizer_ is not None
        loaded.dispose()
        loaded.optimizer_.dispose()
        counts.append(tf.memory()['numTensors'])
    assert counts[0] == counts[1] == counts[2]
