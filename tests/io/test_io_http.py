"""http(s):// handler against a local HTTP server in a thread."""
import email.parser
import email.policy
import http.server
import os
import threading

import pytest

import tfjs.io as tfio
from tfjs.errors import IOError as TfjsIOError
from tfjs.errors import ValueError as TfjsValueError
from tfjs.io.http import parseUrl


class _Handler(http.server.SimpleHTTPRequestHandler):
    posted: list = []
    seen: list = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        type(self).seen.append((self.path, self.headers.get('X-Token')))
        self.path = self.path.split('?')[0]
        return super().do_GET()

    def do_POST(self):
        body = self.rfile.read(int(self.headers['Content-Length']))
        type(self).posted.append((self.headers['Content-Type'], body))
        self.send_response(200 if self.path != '/fail' else 500)
        self.end_headers()


@pytest.fixture()
def server(tmp_path, artifacts):
    tfio.fileSystem(str(tmp_path / 'm')).save(artifacts)
    _Handler.posted, _Handler.seen = [], []
    handler = lambda *a, **k: _Handler(*a, directory=str(tmp_path), **k)  # noqa: E731
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f'http://127.0.0.1:{srv.server_address[1]}'
    srv.shutdown()
    srv.server_close()


def test_parse_url():
    assert parseUrl('http://a/b/model.json?x=1') == ('http://a/b/', '?x=1')
    assert parseUrl('http://a/b/model.json') == ('http://a/b/', '')


def test_load_over_http_with_query_and_headers(server, artifacts):
    h = tfio.getLoadHandlers(f'{server}/m/model.json?v=3',
                             {'requestInit': {'headers': {'X-Token': 't'}}})[0]
    progress = []
    h.onProgress = progress.append
    art = h.load()
    assert art['weightData'] == artifacts['weightData'] and art['format'] == 'layers-model'
    assert _Handler.seen == [('/m/model.json?v=3', 't'), ('/m/weights.bin?v=3', 't')]
    assert progress == [1.0]


def test_weight_path_prefix_and_converter(server, artifacts):
    h = tfio.http(f'{server}/m/model.json', {'weightPathPrefix': f'{server}/m/'})
    assert h.load()['weightData'] == artifacts['weightData']
    h = tfio.http(f'{server}/m/model.json',
                  {'weightUrlConverter': lambda p: f'{server}/m/{p}'})
    assert h.load()['weightData'] == artifacts['weightData']


def test_http_errors(server, tmp_path):
    with pytest.raises(TfjsIOError, match='failed with status code 404'):
        tfio.http(f'{server}/nope/model.json').load()
    (tmp_path / 'bad.json').write_text('{oops')
    with pytest.raises(TfjsIOError, match='Failed to parse model JSON'):
        tfio.http(f'{server}/bad.json').load()
    os.remove(tmp_path / 'm' / 'weights.bin')
    with pytest.raises(TfjsIOError, match='weights.bin failed with status code 404'):
        tfio.http(f'{server}/m/model.json').load()
    with pytest.raises(TfjsIOError, match='failed'):
        tfio.http('http://127.0.0.1:1/model.json').load()
    with pytest.raises(TfjsValueError, match='no pre-existing body'):
        tfio.http(f'{server}/m', {'requestInit': {'body': b'x'}})


def test_save_posts_multipart(server, artifacts):
    result = tfio.getSaveHandlers(f'{server}/upload')[0].save(artifacts)
    assert result['modelArtifactsInfo']['weightDataBytes'] == 32
    ctype, body = _Handler.posted[0]
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f'Content-Type: {ctype}\r\n\r\n'.encode() + body)
    parts = {p.get_filename(): p.get_content() for p in msg.iter_parts()}
    assert parts['model.weights.bin'] == artifacts['weightData']
    text = parts['model.json']
    text = text if isinstance(text, str) else text.decode()
    assert '"weightsManifest":[{"paths":["./model.weights.bin"]' in text
    with pytest.raises(TfjsIOError, match='status 500'):
        tfio.http(f'{server}/fail').save(artifacts)


def test_custom_fetch_func(artifacts):
    calls = []

    def fetch(url, init):
        calls.append(url)
        if url.endswith('model.json'):
            return b'{"modelTopology": {"a": 1}, "weightsManifest": [{"paths": ["w.bin"], ' \
                   b'"weights": [{"name": "w", "shape": [1], "dtype": "int32"}]}]}'
        return b'\x05\x00\x00\x00'
    art = tfio.http('https://example.org/x/model.json', {'fetchFunc': fetch}).load()
    assert calls == ['https://example.org/x/model.json', 'https://example.org/x/w.bin']
    assert tfio.decodeWeights(art['weightData'], art['weightSpecs'])['w'].arraySync() == [5]
