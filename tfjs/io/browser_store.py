"""`localstorage://` and `indexeddb://` in Python: the browser model stores of TF.js, kept in a
local SQLite file, plus TF.js's model management (`tf.io.listModels`, `copyModel`,
`moveModel`, `removeModel`).

A model saved with `model.save('indexeddb://my-model')` persists across processes, as it does
across page loads in a browser. The store is the SQLite file named by the `TFJS_MODEL_STORE`
environment variable, by default `~/.tfjs/model_store.sqlite`; each save or removal is one
transaction, so a crash never leaves half a model. The two schemes are separate namespaces, as
in a browser. Unlike a browser's localStorage there is no 5 MB quota.

>>> import os, tempfile, tfjs as tf
>>> previous = os.environ.get('TFJS_MODEL_STORE')
>>> os.environ['TFJS_MODEL_STORE'] = os.path.join(tempfile.mkdtemp(), 'store.sqlite')
>>> m = tf.sequential({'layers': [tf.layers.dense({'units': 1, 'inputShape': [2]})]})
>>> _ = m.save('localstorage://demo')
>>> list(tf.io.listModels())
['localstorage://demo']
>>> _ = tf.io.removeModel('localstorage://demo')
>>> _ = os.environ.pop('TFJS_MODEL_STORE')
>>> if previous: os.environ['TFJS_MODEL_STORE'] = previous
"""
from __future__ import annotations

import datetime
import json
import os
import sqlite3
import threading
from typing import Mapping

from .._naming import SnakeCaseAliases
from ..errors import ValueError
from .artifacts import get_model_artifacts_info
from .composite import concatenateArrayBuffers
from .router import registerLoadRouter, registerSaveRouter

SCHEMES = {'localstorage': 'local storage', 'indexeddb': 'IndexedDB'}
URL_SCHEME_SUFFIX = '://'
_METADATA_KEYS = ('format', 'generatedBy', 'convertedBy', 'signature', 'userDefinedMetadata',
                  'modelInitializer', 'initializerSignature', 'trainingConfig')
_lock = threading.Lock()


def store_path() -> str:
    """The SQLite file holding the stores (`TFJS_MODEL_STORE`, default ~/.tfjs/...)."""
    return os.environ.get('TFJS_MODEL_STORE') or \
        os.path.join(os.path.expanduser('~'), '.tfjs', 'model_store.sqlite')


def _connect() -> sqlite3.Connection:
    path = store_path()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    db = sqlite3.connect(path, timeout=30)
    db.execute('CREATE TABLE IF NOT EXISTS models (scheme TEXT NOT NULL, path TEXT NOT NULL, '
               'info TEXT NOT NULL, topology TEXT, weight_specs TEXT, metadata TEXT, '
               'weight_data BLOB, PRIMARY KEY (scheme, path))')
    return db


def _info_to_json(info: Mapping) -> str:
    out = dict(info)
    if isinstance(out.get('dateSaved'), datetime.datetime):
        out['dateSaved'] = out['dateSaved'].isoformat()
    return json.dumps(out)


def _info_from_json(text: str) -> dict:
    info = json.loads(text)
    if isinstance(info.get('dateSaved'), str):
        info['dateSaved'] = datetime.datetime.fromisoformat(info['dateSaved'])
    return info


def _strip_scheme(scheme: str, path: str) -> str:
    prefix = scheme + URL_SCHEME_SUFFIX
    return path[len(prefix):] if path.startswith(prefix) else path


class BrowserStore(SnakeCaseAliases):
    """IOHandler for one model path of one store (`localstorage` or `indexeddb`)."""

    def __init__(self, scheme: str, modelPath: str):
        if scheme not in SCHEMES:
            raise ValueError(f'Unknown browser store "{scheme}"; use one of {sorted(SCHEMES)}.')
        if not modelPath:
            raise ValueError(f'For {SCHEMES[scheme]}, modelPath must not be null, undefined or '
                             'empty.')
        self.scheme = scheme
        self.modelPath = _strip_scheme(scheme, modelPath)

    def save(self, modelArtifacts: Mapping) -> dict:
        """Store the artifacts (replacing a model of the same path) in one transaction."""
        topology = modelArtifacts.get('modelTopology')
        if isinstance(topology, (bytes, bytearray, memoryview)):
            raise ValueError('Saving a model topology in binary format to a browser store is not '
                             'supported (TF.js does not support it either).')
        info = get_model_artifacts_info(modelArtifacts)
        data = modelArtifacts.get('weightData')
        if isinstance(data, (list, tuple)):
            data = concatenateArrayBuffers(list(data))
        metadata = {k: modelArtifacts[k] for k in _METADATA_KEYS
                    if modelArtifacts.get(k) is not None}
        row = (self.scheme, self.modelPath, _info_to_json(info), json.dumps(topology),
               json.dumps(modelArtifacts.get('weightSpecs')), json.dumps(metadata),
               None if data is None else bytes(data))
        with _lock, _connect() as db:
            db.execute('INSERT OR REPLACE INTO models VALUES (?, ?, ?, ?, ?, ?, ?)', row)
        db.close()
        return {'modelArtifactsInfo': info}

    def load(self) -> dict:
        """The stored artifacts; a clear error when there is no model at this path."""
        with _lock:
            db = _connect()
            try:
                row = db.execute('SELECT topology, weight_specs, metadata, weight_data FROM models '
                                 'WHERE scheme = ? AND path = ?',
                                 (self.scheme, self.modelPath)).fetchone()
            finally:
                db.close()
        if row is None:
            if self.scheme == 'indexeddb':
                raise ValueError(f"Cannot find model with path '{self.modelPath}' in IndexedDB.")
            raise ValueError(f"In local storage, there is no model with name '{self.modelPath}'")
        topology, specs, metadata, data = row
        out = {'modelTopology': json.loads(topology), 'weightSpecs': json.loads(specs)}
        out.update(json.loads(metadata or '{}'))
        if data is not None:
            out['weightData'] = bytes(data)
        return out


class BrowserStoreManager(SnakeCaseAliases):
    """TF.js's `ModelStoreManager` for one scheme: `listModels()`, `removeModel(path)`."""

    def __init__(self, scheme: str):
        self.scheme = scheme

    def listModels(self) -> dict:
        with _lock:
            db = _connect()
            try:
                rows = db.execute('SELECT path, info FROM models WHERE scheme = ? ORDER BY path',
                                  (self.scheme,)).fetchall()
            finally:
                db.close()
        return {path: _info_from_json(info) for path, info in rows}

    def removeModel(self, path: str) -> dict:
        path = _strip_scheme(self.scheme, path)
        with _lock:
            db = _connect()
            try:
                with db:
                    row = db.execute('SELECT info FROM models WHERE scheme = ? AND path = ?',
                                     (self.scheme, path)).fetchone()
                    if row is None:
                        if self.scheme == 'indexeddb':
                            raise ValueError(f"Cannot find model with path '{path}' in IndexedDB.")
                        raise ValueError(f"Cannot find model at path '{path}'")
                    db.execute('DELETE FROM models WHERE scheme = ? AND path = ?',
                               (self.scheme, path))
            finally:
                db.close()
        return _info_from_json(row[0])


MANAGERS = {scheme: BrowserStoreManager(scheme) for scheme in SCHEMES}


def _router(url, options=None):
    if not isinstance(url, str):
        return None
    for scheme in SCHEMES:
        if url.startswith(scheme + URL_SCHEME_SUFFIX):
            return BrowserStore(scheme, url[len(scheme) + len(URL_SCHEME_SUFFIX):])
    return None


def browserLocalStorage(modelPath: str) -> BrowserStore:
    """The `localstorage://` handler for `modelPath` (TF.js's `tf.io.browserLocalStorage`)."""
    return BrowserStore('localstorage', modelPath)


def browserIndexedDB(modelPath: str) -> BrowserStore:
    """The `indexeddb://` handler for `modelPath` (TF.js's `tf.io.browserIndexedDB`)."""
    return BrowserStore('indexeddb', modelPath)


registerSaveRouter(_router)
registerLoadRouter(_router)


# ---------------------------------------------------------------- model management

def _parse_url(url: str) -> tuple:
    if not isinstance(url, str) or URL_SCHEME_SUFFIX not in url:
        raise ValueError('The url string provided does not contain a scheme. Supported schemes '
                         f'are: {",".join(MANAGERS)}')
    scheme, path = url.split(URL_SCHEME_SUFFIX, 1)
    return scheme, path


def _manager(scheme: str) -> BrowserStoreManager:
    if scheme not in MANAGERS:
        raise ValueError(f"Cannot find model manager for scheme '{scheme}'")
    return MANAGERS[scheme]


def list_models() -> dict:
    """`{'indexeddb://name': ModelArtifactsInfo, 'localstorage://...': ...}` for every stored
    model."""
    out = {}
    for scheme, manager in MANAGERS.items():
        for path, info in manager.listModels().items():
            out[scheme + URL_SCHEME_SUFFIX + path] = info
    return out


def remove_model(url: str) -> dict:
    """Delete a stored model; returns its ModelArtifactsInfo."""
    scheme, path = _parse_url(url)
    return _manager(scheme).removeModel(path)


def clone_model(source: str, dest: str, delete_source: bool = False) -> dict:
    """Copy (or move) a model between any URLs with a load and a save handler, as TF.js's
    `cloneModelInternal`: within one store the source goes first, across media only after the
    copy is saved."""
    from .router import get_load_handler, get_save_handler
    if source == dest:
        raise ValueError(f"Old path and new path are the same: '{source}'")
    loader = get_load_handler(source)
    saver = get_save_handler(dest)
    source_scheme, source_path = _parse_url(source)
    dest_scheme = _parse_url(dest)[0]
    artifacts = loader.load()
    same_medium = source_scheme == dest_scheme
    if delete_source and same_medium:
        _manager(source_scheme).removeModel(source_path)
    result = saver.save(artifacts)
    if delete_source and not same_medium:
        _manager(source_scheme).removeModel(source_path)
    return result['modelArtifactsInfo']
