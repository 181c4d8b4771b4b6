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
>>> bytes(fileSystem(os.path.join(d, 'm', 'model.json')).load()['weightData'])
b'\\x00\\x00\\x80?'
"""
from __future__ import annotations

import os
from typing import Mapping, Sequence, Union

from tfjs_converter import tfjs_layers as _layers_files

from .._naming import SnakeCaseAliases
from ..errors import IOError, NotImplementedError, ValueError
from ._atomic import recover, replace_directory
from ._json import stringify
from .artifacts import (artifacts_to_model_json, check_manifest, get_model_artifacts_info,
                        model_json_to_artifacts)
from .weights import _tfjs_errors, as_buffer, plan_weights

URL_SCHEME = 'file://'
MODEL_JSON_FILENAME = 'model.json'
WEIGHTS_BINARY_FILENAME = 'weights.bin'
PathLike = Union[str, os.PathLike]


def strip_scheme(path) -> str:
    """`path` (a string or `os.PathLike`) as a string, without a leading `file://`."""
    path = os.fspath(path)
    return path[len(URL_SCHEME):] if path.startswith(URL_SCHEME) else path


def _resolve(path) -> str:
    if not isinstance(path, (str, os.PathLike)):
        raise ValueError(f'A file path must be a string or a pathlib.Path, not '
                         f'{type(path).__name__}.')
    return os.path.abspath(os.path.expanduser(strip_scheme(path)))


# The rules for what a manifest may name, and the readers, are the converter's (torch-free,
# shared with `tfjs convert`); here they raise tfjs's IOError.
safe_join = _tfjs_errors(_layers_files.safe_join)
read_json_file = _tfjs_errors(_layers_files.read_json)
read_weight_files = _tfjs_errors(_layers_files.read_weight_files)
_json_path_of = _tfjs_errors(_layers_files.model_json_path)


def _model_json_path(path: str) -> str:
    recover(os.path.dirname(path) if path.endswith('.json') else path)   # this module's swaps
    return _json_path_of(path)


_read_model_json = _tfjs_errors(_layers_files.read_model_json)


class NodeFileSystem(SnakeCaseAliases):
    """IOHandler for a directory on the local file system (TF.js's `NodeFileSystem`)."""

    URL_SCHEME = URL_SCHEME
    MODEL_JSON_FILENAME = MODEL_JSON_FILENAME
    WEIGHTS_BINARY_FILENAME = WEIGHTS_BINARY_FILENAME
    # load() reads the shards into a new buffer that only the returned artifacts hold, so a
    # model loaded from them may keep that memory as its weights (tfjs.engine.weight_loading)
    _fresh_weight_data = True

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

    def _load_json_model(self) -> dict:
        json_path = _model_json_path(self.path)
        model_json = _read_model_json(json_path)
        data = specs = None
        if model_json.get('weightsManifest') is not None:
            specs, data, files = read_weight_files(model_json['weightsManifest'],
                                                   os.path.dirname(json_path), json_path)
            plan_weights(data, specs, files)
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
        plan_weights(data, specs, files)
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
