"""Router registry, passthrough handlers, loadWeights and the tf.io namespace."""
import asyncio
import json
import os
import warnings

import pytest

import tfjs as tf
import tfjs.io as tfio
from tfjs.errors import IOError as TfjsIOError
from tfjs.errors import NotImplementedError as TfjsNotImplementedError
from tfjs.errors import ValueError as TfjsValueError
from tfjs.io import router
from tfjs.io.file_system import NodeFileSystem
from tfjs.io.http import HTTPRequest
from tfjs.io.weights import encode_weights


@pytest.fixture()
def clean_routers(monkeypatch):
    monkeypatch.setattr(router, '_save_routers', list(router._save_routers))
    monkeypatch.setattr(router, '_load_routers', list(router._load_routers))


@pytest.mark.parametrize('url', ['file:///tmp/m/model.json', '/tmp/m/model.json', 'm/model.json',
                                 'relative_dir', 'C:\\models\\m'])
def test_file_router(url):
    for handlers in (tfio.getSaveHandlers(url), tfio.getLoadHandlers(url)):
        assert len(handlers) == 1 and isinstance(handlers[0], NodeFileSystem)
    assert tfio.getLoadHandlers('file:///tmp/m/model.json')[0].path == '/tmp/m/model.json'


def test_http_router_and_unknown_schemes():
    h = tfio.getLoadHandlers('https://x.org/m/model.json', {'weightPathPrefix': 'https://cdn/'})
    assert isinstance(h[0], HTTPRequest) and h[0].weightPathPrefix == 'https://cdn/'
    assert tfio.getSaveHandlers('foo://bar') == []


@pytest.mark.parametrize('scheme', ['downloads'])
def test_browser_schemes_not_implemented(scheme):
    with pytest.raises(TfjsNotImplementedError, match=f'{scheme}://'):
        tfio.getSaveHandlers(f'{scheme}://my-model')
    with pytest.raises(NotImplementedError, match=f'{scheme}://'):
        tfio.getLoadHandlers(f'{scheme}://my-model')


def test_register_routers(clean_routers):
    class Store:
        def __init__(self, url, options=None):
            self.url, self.options = url, options

    tfio.registerSaveRouter(lambda url: Store(url) if url.startswith('mystore://') else None)
    tfio.register_load_router(lambda url, options: Store(url, options)
                              if url.startswith('mystore://') else None)
    assert tfio.getSaveHandlers('mystore://m')[0].url == 'mystore://m'
    loaded = tfio.get_load_handlers('mystore://m', {'strict': False})
    assert loaded[0].options == {'strict': False}


def test_more_than_one_handler(clean_routers):
    tfio.registerLoadRouter(lambda url: object() if url.endswith('model.json') else None)
    handlers = tfio.getLoadHandlers('/tmp/model.json')
    assert len(handlers) == 2                              # TF.js returns them all...
    with pytest.raises(TfjsValueError, match=r'more than one \(2\) load handlers'):
        tfio.get_load_handler('/tmp/model.json')          # ...the model code refuses
    with pytest.raises(TfjsValueError, match='Cannot find any save handlers'):
        tfio.get_save_handler('foo://x')
    assert isinstance(tfio.get_save_handler('/tmp/x'), NodeFileSystem)


# --------------------------------------------------------------------------------- passthrough

def test_from_memory(artifacts):
    assert tfio.fromMemory(artifacts).load() is artifacts
    assert tfio.from_memory_sync(artifacts).load() is artifacts
    with pytest.warns(DeprecationWarning):
        legacy = tfio.fromMemory({'class_name': 'Sequential'}, artifacts['weightSpecs'],
                                 artifacts['weightData'], {'loss': 'x'})
    art = legacy.load()
    assert art['modelTopology'] == {'class_name': 'Sequential'}
    assert art['weightData'] == artifacts['weightData'] and art['trainingConfig'] == {'loss': 'x'}
    with pytest.warns(DeprecationWarning):
        assert tfio.fromMemory({'class_name': 'X'}).load() == {'modelTopology': {'class_name': 'X'}}
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        tfio.fromMemory({'weightSpecs': []})


def test_with_save_handler(artifacts):
    seen = []
    h = tfio.withSaveHandler(lambda a: seen.append(a) or {'modelArtifactsInfo': {'ok': 1}})
    assert h.save(artifacts) == {'modelArtifactsInfo': {'ok': 1}} and seen == [artifacts]
    assert tfio.with_save_handler_sync(lambda a: 'r').save(artifacts) == 'r'

    async def handler(a):
        return {'modelArtifactsInfo': tfio.getModelArtifactsInfoForJSON(a)}
    out = tfio.withSaveHandler(handler).save(artifacts)      # the awaitable, for the model code
    assert asyncio.run(out)['modelArtifactsInfo']['weightDataBytes'] == 32
    with pytest.raises(TypeError):
        tfio.withSaveHandler('not a function')


# ------------------------------------------------------------------------------- loadWeights

def _two_groups(tmp_path):
    d1, s1 = encode_weights({'a': tf.tensor1d([1, 2]), 's': tf.tensor1d(['x', 'yz'], 'string')})
    d2, s2 = encode_weights({'b': tf.tensor1d([3], 'int32')})
    (tmp_path / 'g1a.bin').write_bytes(d1[:5])
    (tmp_path / 'g1b.bin').write_bytes(d1[5:])
    (tmp_path / 'g2.bin').write_bytes(d2)
    return [{'paths': ['g1a.bin', 'g1b.bin'], 'weights': s1}, {'paths': ['g2.bin'], 'weights': s2}]


def test_load_weights_all_and_by_name(tmp_path):
    manifest = _two_groups(tmp_path)
    out = tfio.loadWeights(manifest, str(tmp_path))
    assert out['a'].arraySync() == [1, 2] and out['s'].arraySync() == ['x', 'yz']
    assert out['b'].arraySync() == [3]
    only = tfio.load_weights(manifest, f'file://{tmp_path}/', ['b'])
    assert list(only) == ['b']
    with pytest.raises(TfjsValueError, match=r'(?s)Could not find weights in manifest with names: '
                                             r'nope.*has weights with names: a, s, b'):
        tfio.loadWeights(manifest, str(tmp_path), ['nope'])


def test_weights_loader_factory_fetches_only_needed_groups(tmp_path):
    manifest = _two_groups(tmp_path)
    fetched = []

    def fetch(urls):
        fetched.extend(urls)
        return [open(u, 'rb').read() for u in urls]
    out = tfio.weightsLoaderFactory(fetch)(manifest, str(tmp_path), ['s'])
    assert list(out) == ['s'] and [os.path.basename(u) for u in fetched] == ['g1a.bin', 'g1b.bin']


def test_load_weights_errors(tmp_path):
    manifest = _two_groups(tmp_path)
    os.remove(tmp_path / 'g2.bin')
    with pytest.raises(TfjsIOError, match='g2.bin does not exist'):
        tfio.loadWeights(manifest, str(tmp_path))
    with pytest.raises(TfjsIOError, match='leaves'):
        tfio.loadWeights([{'paths': ['../g1a.bin'], 'weights': []}], str(tmp_path / 'sub'))
    (tmp_path / 'g2.bin').write_bytes(b'\x01')
    with pytest.raises(TfjsIOError, match="g2.bin' is 1 bytes but the manifest needs 4"):
        tfio.loadWeights(manifest, str(tmp_path))


# --------------------------------------------------------------------------------- namespace

def test_namespace_and_snake_twins(artifacts):
    for camel, snake in [('encodeWeights', 'encode_weights'), ('decodeWeights', 'decode_weights'),
                         ('fromMemory', 'from_memory'), ('withSaveHandlerSync',
                                                         'with_save_handler_sync'),
                         ('registerSaveRouter', 'register_save_router'),
                         ('getLoadHandlers', 'get_load_handlers'), ('fileSystem', 'file_system'),
                         ('loadWeights', 'load_weights'),
                         ('concatenateArrayBuffers', 'concatenate_array_buffers'),
                         ('getModelArtifactsInfoForJSON', 'get_model_artifacts_info_for_json')]:
        assert getattr(tfio, snake) is getattr(tfio, camel), camel
        assert camel in tfio.__all__ and snake in tfio.__all__
    assert tfio.concatenateArrayBuffers([b'a', b'', b'bc']) == b'abc'
    cab = tfio.CompositeArrayBuffer([b'ab', b'cd', b'e'])
    assert cab.slice(1, 4) == b'bcd' and cab.byteLength == 5
    assert cab.slice(-3, 2) == b'ab' and cab.slice(3, 99) == b'de' and cab.slice(4, 1) == b''
    enc = tfio.encodeWeights({'w': tf.tensor1d([1, 2])})
    assert set(enc) == {'data', 'specs'}
    assert tfio.decodeWeights([enc['data'][:3], enc['data'][3:]], enc['specs'])['w'].arraySync() \
        == [1, 2]


def test_promise_functions_inside_event_loop():
    async def main():
        p = tfio.encodeWeights({'w': tf.tensor1d([1])})
        assert not isinstance(p, dict)
        return await p
    assert asyncio.run(main())['specs'][0]['name'] == 'w'


def test_model_json_written_by_save_is_plain_json(tmp_path, artifacts):
    tfio.fileSystem(str(tmp_path)).save(artifacts)
    assert json.loads((tmp_path / 'model.json').read_text())['format'] == 'layers-model'
