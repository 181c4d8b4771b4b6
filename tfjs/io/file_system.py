"""The `file://` IOHandler (tfjs-node's `tf.io.fileSystem`), also used for plain paths.

Saving writes `<dir>/model.json` and `<dir>/weights.bin` exactly as tfjs-node does, but
atomically: a crash leaves either the previous model or the new one, never a mix. Loading takes
the path of `model.json` (or of the directory holding it) and reads every weight shard listed in
its manifest, which must stay inside the model's folder.

>>> import tempfile, os
>>> d = tempfile.mkdtemp()
>>> art = {'modelTopology': {'class_name': 'Sequential'}, 'format': 'layers-model',
...        'weightSpecs': [{'name': 'w', 'shape': [1], 'dtype': 'float32'}],
...        'weightData': b'\\x00\\x00\\x80?'}
>>> fileSystem(os.path.join(d, 'm')).save(art)['modelArtifactsInfo']['weightDataBytes']
4
>>> fileSystem(os.path.join(d, 'm', 'model.json')).load()['weightData']
b'\\x00\\x00\\x80?'
"""
from __future__ import annotations

import json
import os
import re
from typing import Mapping, Sequence

from .._naming import SnakeCaseAliases
from ..errors import IOError, NotImplementedError, ValueError
from ._atomic import recover, replace_directory
from ._json import stringify
from .artifacts import (artifacts_to_model_json, check_manifest, get_model_artifacts_info,
                        model_json_to_artifacts)
from .weights import as_buffer, plan_weights

URL_SCHEME = 'file://'
MODEL_JSON_FILENAME = 'model.json'
WEIGHTS_BINARY_FILENAME = 'weights.bin'
_DRIVE = re.compile(r'^[A-Za-z]:')


def strip_scheme(path: str) -> str:
    return path[len(URL_SCHEME):] if path.startswith(URL_SCHEME) else path


def _resolve(path: str) -> str:
    if not isinstance(path, (str, os.PathLike)):
        raise ValueError(f'A file path must be a string, not {type(path).__name__}.')
    return os.path.abspath(os.path.expanduser(strip_scheme(os.fspath(path))))


def safe_join(folder: str, relative: str, where: str) -> str:
    """`folder/relative`, refusing paths that are absolute, URLs, or climb out with `..`.

    >>> safe_join('/m', 'group1-shard1of2.bin', 'model.json')
    '/m/group1-shard1of2.bin'
    """
    if not isinstance(relative, str) or not relative:
        raise IOError(f'Malformed {where}: a weights path must be a non-empty string, not '
                      f'{relative!r}.')
    if '://' in relative or relative.startswith(('/', '\\')) or _DRIVE.match(relative) \
            or os.path.isabs(relative):
        raise IOError(f"Refusing weights path '{relative}' in {where}: weights paths must be "
                      "relative to the model's folder.")
    parts = re.split(r'[\\/]+', relative)
    if '..' in parts:
        raise IOError(f"Refusing weights path '{relative}' in {where}: it leaves the model's "
                      "folder ('..').")
    full = os.path.normpath(os.path.join(folder, *[p for p in parts if p not in ('', '.')]))
    base = os.path.normpath(folder)
    if os.path.commonpath([full, base]) != base:
        raise IOError(f"Refusing weights path '{relative}' in {where}: it leaves the model's "
                      'folder.')
    return full


def read_json_file(path: str, what: str = 'model.json'):
    """Parse a JSON file; IOError with the position when it is malformed."""
    try:
        with open(path, 'rb') as f:
            raw = f.read()
    except FileNotFoundError:
        raise IOError(f'There is no {what} at {path}.') from None
    except IsADirectoryError:
        raise IOError(f'{what} path {path} is a directory, not a file.') from None
    try:
        return json.loads(raw.decode('utf-8-sig'))
    except UnicodeDecodeError as exc:
        raise IOError(f'{what} at {path} is not UTF-8 text (byte {exc.start}); is it a JSON '
                      'file?') from None
    except json.JSONDecodeError as exc:
        raise IOError(f'{what} at {path} is not valid JSON: {exc.msg} at line {exc.lineno} '
                      f'column {exc.colno} (char {exc.pos}).') from None


def read_weight_files(weights_manifest: Sequence[Mapping], folder: str,
                      where: str = 'model.json') -> tuple:
    """`(specs, data, files)`: every shard of every group, in manifest order, joined."""
    check_manifest(weights_manifest, where)
    specs, buffers, files = [], [], []
    paths = [safe_join(folder, p, where) for g in weights_manifest for p in g['paths']]
    for path in paths:
        try:
            with open(path, 'rb') as f:
                buffers.append(f.read())
        except FileNotFoundError:
            raise IOError(f'Weight file {path} does not exist: loading failed. It is listed in '
                          f'the weightsManifest of {where}; copy every weights file next to '
                          'model.json.') from None
        except IsADirectoryError:
            raise IOError(f'Weight file {path} listed in {where} is a directory.') from None
        files.append(path)
    for group in weights_manifest:
        specs.extend(group['weights'])
    data = buffers[0] if len(buffers) == 1 else b''.join(buffers)
    return specs, data, files


class NodeFileSystem(SnakeCaseAliases):
    """IOHandler for a directory on the local file system (TF.js's `NodeFileSystem`)."""

    URL_SCHEME = URL_SCHEME
    MODEL_JSON_FILENAME = MODEL_JSON_FILENAME
    WEIGHTS_BINARY_FILENAME = WEIGHTS_BINARY_FILENAME

    def __init__(self, path: str | Sequence[str]):
        if isinstance(path, (list, tuple)):
            if len(path) != 2:
                raise ValueError(f'file paths must have a length of 2, (actual length is '
                                 f'{len(path)}).')
            self.path = [_resolve(p) for p in path]
        else:
            self.path = _resolve(path)

    def __repr__(self):
        return f'<NodeFileSystem {self.path!r}>'

    # -------------------------------------------------------------------------------- save
    def save(self, modelArtifacts: Mapping) -> dict:
        """Write `model.json` + `weights.bin` into the directory (created if needed)."""
        if isinstance(self.path, list):
            raise ValueError('Cannot perform saving to multiple paths.')
        if isinstance(modelArtifacts.get('modelTopology'), (bytes, bytearray, memoryview)):
            raise NotImplementedError('NodeFileSystem.save() does not support saving model '
                                      'topology in binary format yet.')
        model_json = artifacts_to_model_json(modelArtifacts, WEIGHTS_BINARY_FILENAME)
        try:
            text = stringify(model_json)
        except TypeError as exc:
            raise ValueError(f'The model artifacts cannot be written as JSON: {exc}') from None
        data = as_buffer(modelArtifacts.get('weightData'))
        replace_directory(self.path, {WEIGHTS_BINARY_FILENAME: data,
                                      MODEL_JSON_FILENAME: text.encode('utf-8')})
        return {'modelArtifactsInfo': get_model_artifacts_info(modelArtifacts)}

    # -------------------------------------------------------------------------------- load
    def load(self) -> dict:
        """The model artifacts: topology, weight specs and all weight bytes."""
        if isinstance(self.path, list):
            return self._load_binary_model()
        return self._load_json_model()

    def _model_json_path(self) -> str:
        path = self.path
        if os.path.basename(path) == MODEL_JSON_FILENAME or path.endswith('.json'):
            recover(os.path.dirname(path))
        else:
            recover(path)
        if os.path.isdir(path):
            candidate = os.path.join(path, MODEL_JSON_FILENAME)
            if not os.path.isfile(candidate):
                others = sorted(n for n in os.listdir(path) if n.endswith('.json'))
                hint = f' It holds: {", ".join(others)}; pass the path of one of those.' \
                    if others else ''
                raise IOError(f'There is no model.json at {path} (a directory).{hint}')
            return candidate
        if not os.path.exists(path):
            raise IOError(f'There is no model.json at {path}: the path does not exist.')
        return path

    def _load_json_model(self) -> dict:
        json_path = self._model_json_path()
        model_json = read_json_file(json_path)
        if not isinstance(model_json, dict):
            raise IOError(f'Malformed model.json at {json_path}: expected a JSON object, got '
                          f'{type(model_json).__name__}.')
        if model_json.get('modelTopology') is None and model_json.get('weightsManifest') is None:
            raise IOError(f'The JSON at {json_path} contains neither model topology nor manifest '
                          'for weights; is it a TF.js model.json?')
        data = specs = None
        if model_json.get('weightsManifest') is not None:
            specs, data, files = read_weight_files(model_json['weightsManifest'],
                                                   os.path.dirname(json_path), json_path)
            plan_weights(memoryview(data), specs, files)
        return model_json_to_artifacts(model_json, data, specs)

    def _load_binary_model(self) -> dict:
        topology_path, manifest_path = self.path
        for p, what in ((topology_path, 'Topology Path'), (manifest_path, 'Weight Manifest Path')):
            if not os.path.exists(p):
                raise IOError(f'{what} {p} does not exist: loading failed')
            if not os.path.isfile(p):
                raise IOError(f'File specified for {what.lower()} is not a file: {p}')
        with open(topology_path, 'rb') as f:
            topology = f.read()
        manifest = read_json_file(manifest_path, 'weights manifest')
        specs, data, files = read_weight_files(manifest, os.path.dirname(manifest_path),
                                               manifest_path)
        plan_weights(memoryview(data), specs, files)
        return {'modelTopology': topology, 'weightSpecs': specs, 'weightData': data}


def fileSystem(path: str | Sequence[str]) -> NodeFileSystem:
    """IOHandler for the local file system (`tf.io.fileSystem` of tfjs-node).

    Save: `path` is a directory (created if needed). Load: `path` is `model.json` (or its
    directory), or `[topology.pb, weights_manifest.json]` for a binary topology.
    """
    return NodeFileSystem(path)


def nodeFileSystemRouter(url, loadOptions=None):
    """Router: a handler for `file://...` URLs and for plain paths (no `scheme://`), except
    Keras files (`.keras`, `.h5`, `.hdf5`), which `keras_files.py` serves."""
    urls = url if isinstance(url, (list, tuple)) else [url]
    if not urls or not all(isinstance(u, (str, os.PathLike)) for u in urls):
        return None
    urls = [os.fspath(u) for u in urls]
    if not isinstance(url, (list, tuple)) and urls[0].lower().endswith(('.keras', '.h5',
                                                                        '.hdf5')):
        return None
    if all(u.startswith(URL_SCHEME) or '://' not in u for u in urls):
        return NodeFileSystem(list(urls) if isinstance(url, (list, tuple)) else urls[0])
    return None
