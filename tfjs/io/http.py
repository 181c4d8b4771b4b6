"""The `http://` / `https://` IOHandler (TF.js's `tf.io.http`), on `urllib`.

Loading GETs `model.json`, then each weight file at the JSON URL's folder (or
`weightPathPrefix`) plus the JSON URL's `?query`, or at `weightUrlConverter(path)`. Saving
POSTs `multipart/form-data` with the files `model.json` and `model.weights.bin`.
`loadOptions['fetchFunc']` replaces `urllib`: `fetchFunc(url, requestInit)` returns bytes or
a response with `status` (or `ok`) and `read()` (or `content`).
"""
from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
import uuid
from typing import Callable, Mapping

from .._naming import SnakeCaseAliases
from ..errors import IOError, NotImplementedError, ValueError
from ._json import stringify
from .artifacts import (check_manifest, get_model_artifacts_info, get_weight_specs,
                        getModelJSONForModelArtifacts, model_json_to_artifacts)
from .weights import as_buffer, join_buffers, plan_weights

URL_SCHEME_REGEX = re.compile(r'^https?://')


def isHTTPScheme(url: str) -> bool:
    """True for `http://` and `https://` URLs."""
    return isinstance(url, str) and URL_SCHEME_REGEX.match(url) is not None


def parseUrl(url: str) -> tuple:
    """`(folder_with_slash, query_suffix)` of a URL, as TF.js splits it.

    >>> parseUrl('https://x.org/m/model.json?v=2')
    ('https://x.org/m/', '?v=2')
    """
    last_slash, last_query = url.rfind('/'), url.rfind('?')
    return url[:last_slash] + '/', url[last_query:] if last_query > last_slash else ''


class _Response:
    def __init__(self, status: int, body: bytes, headers=None):
        self.status, self.body, self.headers = status, body, dict(headers or {})
        self.ok = 200 <= status < 300

    def __repr__(self):
        return f'<Response {self.status}>'


def _urllib_fetch(url: str, init: Mapping | None = None) -> _Response:
    init = dict(init or {})
    req = urllib.request.Request(url, data=init.get('body'), headers=dict(init.get('headers') or {}),
                                 method=init.get('method'))
    try:
        with urllib.request.urlopen(req, timeout=init.get('timeout')) as resp:
            return _Response(resp.status, resp.read(), resp.headers)
    except urllib.error.HTTPError as exc:
        return _Response(exc.code, exc.read() if exc.fp else b'', exc.headers)
    except (urllib.error.URLError, OSError) as exc:
        raise IOError(f'Request to {url} failed: {getattr(exc, "reason", exc)}') from None


def _status_and_body(resp) -> tuple:
    if isinstance(resp, (bytes, bytearray, memoryview)):
        return 200, True, bytes(resp)
    if isinstance(resp, str):
        return 200, True, resp.encode('utf-8')
    status = getattr(resp, 'status', getattr(resp, 'status_code', 200))
    ok = getattr(resp, 'ok', 200 <= int(status) < 300)
    if hasattr(resp, 'body') and isinstance(resp.body, (bytes, bytearray)):
        body = bytes(resp.body)
    elif hasattr(resp, 'content'):
        body = resp.content
    elif hasattr(resp, 'read'):
        body = resp.read()
    else:
        body = b''
    return int(status), bool(ok), body


class HTTPRequest(SnakeCaseAliases):
    """IOHandler for a model served over HTTP(S)."""

    DEFAULT_METHOD = 'POST'
    # load() joins the fetched shards into a new buffer only its artifacts hold, so a model
    # loaded from them keeps that memory as its weights (tfjs.engine.weight_loading)
    _fresh_weight_data = True

    def __init__(self, path, loadOptions: Mapping | None = None):
        options = dict(loadOptions or {})
        if not path:
            raise ValueError('URL path for http must not be null, undefined or empty.')
        if isinstance(path, (list, tuple)) and len(path) != 2:
            raise ValueError(f'URL paths for http must have a length of 2, (actual length is '
                             f'{len(path)}).')
        self.path = list(path) if isinstance(path, (list, tuple)) else path
        self.weightPathPrefix = options.get('weightPathPrefix')
        self.weightUrlConverter: Callable | None = options.get('weightUrlConverter')
        self.onProgress: Callable | None = options.get('onProgress')
        fetch = options.get('fetchFunc')
        if fetch is not None and not callable(fetch):
            raise ValueError('Must pass a function that matches the signature of `fetch`.')
        self.fetch = fetch or _urllib_fetch
        init = dict(options.get('requestInit') or {})
        if init.get('body') is not None:
            raise ValueError('requestInit is expected to have no pre-existing body, but has one.')
        self.requestInit = init

    def __repr__(self):
        return f'<HTTPRequest {self.path!r}>'

    # -------------------------------------------------------------------------------- save
    def save(self, modelArtifacts: Mapping) -> dict:
        """POST the model as multipart form data (`model.json`, `model.weights.bin`)."""
        if isinstance(modelArtifacts.get('modelTopology'), (bytes, bytearray, memoryview)):
            raise NotImplementedError('BrowserHTTPRequest.save() does not support saving model '
                                      'topology in binary formats yet.')
        manifest = [{'paths': ['./model.weights.bin'],
                     'weights': modelArtifacts.get('weightSpecs')}]
        text = stringify(getModelJSONForModelArtifacts(modelArtifacts, manifest))
        parts = [('model.json', 'application/json', text.encode('utf-8'))]
        if modelArtifacts.get('weightData') is not None:
            parts.append(('model.weights.bin', 'application/octet-stream',
                          bytes(as_buffer(modelArtifacts['weightData']))))
        boundary = f'----tfjs{uuid.uuid4().hex}'
        body = b''.join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{name}"\r\n'
            f'Content-Type: {ctype}\r\n\r\n'.encode() + content + b'\r\n'
            for name, ctype, content in parts) + f'--{boundary}--\r\n'.encode()
        init = {'method': self.DEFAULT_METHOD, **self.requestInit}
        init['headers'] = {**dict(init.get('headers') or {}),
                           'Content-Type': f'multipart/form-data; boundary={boundary}'}
        init['body'] = body
        response = self.fetch(self.path, init)
        status, ok, _ = _status_and_body(response)
        if not ok:
            raise IOError(f'BrowserHTTPRequest.save() failed due to HTTP response status {status}.')
        return {'modelArtifactsInfo': get_model_artifacts_info(modelArtifacts),
                'responses': [response]}

    # -------------------------------------------------------------------------------- load
    def _get(self, url: str) -> tuple:
        return _status_and_body(self.fetch(url, dict(self.requestInit)))

    def _load_model_json(self) -> dict:
        url = self.path[0] if isinstance(self.path, list) else self.path
        status, ok, body = self._get(url)
        if not ok:
            raise IOError(f'Request to {url} failed with status code {status}. Please verify this '
                          'URL points to the model JSON of the model to load.')
        try:
            model_json = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise IOError(f'Failed to parse model JSON of response from {url}. Please make sure '
                          'the server is serving valid JSON for this request.') from None
        if not isinstance(model_json, dict) or (model_json.get('modelTopology') is None
                                                and model_json.get('weightsManifest') is None):
            raise IOError(f'The JSON from HTTP path {url} contains neither model topology or '
                          'manifest for weights.')
        return model_json

    def weight_urls(self, weights_manifest: list) -> list:
        """The URLs of every weight file, in manifest order."""
        check_manifest(weights_manifest, 'the model JSON')
        weight_path = self.path[1] if isinstance(self.path, list) else self.path
        prefix, suffix = parseUrl(weight_path)
        prefix = self.weightPathPrefix or prefix
        paths = [p for group in weights_manifest for p in group['paths']]
        if self.weightUrlConverter is not None:
            return [self.weightUrlConverter(p) for p in paths]
        return [prefix + p + suffix for p in paths]

    def load(self) -> dict:
        """Fetch `model.json` and its weight files."""
        model_json = self._load_model_json()
        manifest = model_json.get('weightsManifest')
        if manifest is None:
            return model_json_to_artifacts(model_json)
        urls = self.weight_urls(manifest)
        buffers = []
        for i, url in enumerate(urls):
            status, ok, body = self._get(url)
            if not ok:
                raise IOError(f'Request for weights file {url} failed with status code {status}.')
            buffers.append(body)
            if self.onProgress is not None:
                self.onProgress((i + 1) / len(urls))
        data = join_buffers(buffers)      # a new buffer, even for one shard: see below
        del buffers
        specs = get_weight_specs(manifest)
        plan_weights(data, specs, urls)
        return model_json_to_artifacts(model_json, data, specs)


def http(path, loadOptions: Mapping | None = None) -> HTTPRequest:
    """IOHandler for `http(s)://` URLs (`tf.io.http`, alias `browserHTTPRequest`)."""
    return HTTPRequest(path, loadOptions)


browserHTTPRequest = http


def httpRouter(url, loadOptions=None):
    """Router: an HTTPRequest handler for `http://` / `https://` URLs."""
    urls = url if isinstance(url, (list, tuple)) else [url]
    if urls and all(isHTTPScheme(u) for u in urls):
        return http(url, loadOptions)
    return None
