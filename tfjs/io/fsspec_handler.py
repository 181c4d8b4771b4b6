"""Any other URL (`s3://`, `gs://`, `memory://`, `abfs://`, ...) through `fsspec`, when it is
installed: the same layout as `file://` (`<url>/model.json` + `<url>/weights.bin`).

Saving writes the weights first and `model.json` last, so a reader never finds a model.json
whose weights are missing; object stores replace each object atomically. Loading takes the URL
of `model.json` (or of the folder holding it); weight paths in its manifest must stay inside
that folder. Credentials and options come from fsspec's usual configuration.

>>> import tfjs as tf
>>> m = tf.sequential({'layers': [tf.layers.dense({'units': 1, 'inputShape': [1]})]})
>>> _ = m.save('memory://doc/model')                          # doctest: +SKIP
>>> tf.loadLayersModel('memory://doc/model/model.json')       # doctest: +SKIP
"""
from __future__ import annotations

import json
import posixpath
from typing import Mapping

from .._naming import SnakeCaseAliases
from ..errors import IOError, NotImplementedError
from ._json import stringify
from .artifacts import artifacts_to_model_json, get_model_artifacts_info, model_json_to_artifacts
from .file_system import MODEL_JSON_FILENAME, WEIGHTS_BINARY_FILENAME, safe_join
from .router import registerLoadRouter, registerSaveRouter, url_scheme
from .weights import as_buffer, plan_weights

# schemes served elsewhere (or deliberately not by fsspec)
_OWN = {'file', 'http', 'https', 'localstorage', 'indexeddb', 'downloads'}


def _fsspec():
    try:
        import fsspec
    except ImportError:
        return None
    return fsspec


class FsspecHandler(SnakeCaseAliases):
    """IOHandler for a model folder (save) or model.json (load) at an fsspec URL."""

    def __init__(self, url: str):
        fsspec = _fsspec()
        if fsspec is None:
            raise NotImplementedError(f'Loading or saving "{url}" needs fsspec (and the backend '
                                      'for its scheme, e.g. s3fs): pip install fsspec.')
        self.url = url.rstrip('/')
        self._fs = None

    def _open_fs(self) -> None:
        if self._fs is None:
            try:
                self._fs, self.path = _fsspec().core.url_to_fs(self.url)
            except ImportError as exc:       # the backend of this scheme is not installed
                raise NotImplementedError(f'"{self.url}" needs an fsspec backend that is not '
                                          f'installed: {exc}') from None

    @property
    def fs(self):
        self._open_fs()
        return self._fs

    def _join(self, *parts: str) -> str:
        return posixpath.join(self.path, *parts)

    def save(self, modelArtifacts: Mapping) -> dict:
        """Write `weights.bin` then `model.json` into the folder at the URL."""
        if isinstance(modelArtifacts.get('modelTopology'), (bytes, bytearray, memoryview)):
            raise NotImplementedError('Saving a binary model topology is not supported.')
        self._open_fs()
        model_json = artifacts_to_model_json(modelArtifacts, WEIGHTS_BINARY_FILENAME)
        text = stringify(model_json).encode('utf-8')
        self.fs.makedirs(self.path, exist_ok=True)
        with self.fs.open(self._join(WEIGHTS_BINARY_FILENAME), 'wb') as f:
            f.write(bytes(as_buffer(modelArtifacts.get('weightData'))))
        with self.fs.open(self._join(MODEL_JSON_FILENAME), 'wb') as f:
            f.write(text)
        return {'modelArtifactsInfo': get_model_artifacts_info(modelArtifacts)}

    def load(self) -> dict:
        """The artifacts of the model.json at the URL (or in the folder at the URL)."""
        self._open_fs()
        path = self.path
        if not path.endswith('.json'):
            path = self._join(MODEL_JSON_FILENAME)
        try:
            with self.fs.open(path, 'rb') as f:
                model_json = json.loads(f.read().decode('utf-8-sig'))
        except FileNotFoundError:
            raise IOError(f'There is no model.json at {self.url}.') from None
        except json.JSONDecodeError as exc:
            raise IOError(f'model.json at {self.url} is not valid JSON: {exc.msg}.') from None
        if not isinstance(model_json, dict):
            raise IOError(f'Malformed model.json at {self.url}: expected a JSON object.')
        data = specs = None
        manifest = model_json.get('weightsManifest')
        if manifest is not None:
            folder = posixpath.dirname(path)
            specs, buffers = [], []
            for group in manifest:
                for p in group.get('paths', []):
                    # validates the relative path the same way as file:// does
                    safe_join('/model', p, self.url)
                    full = posixpath.normpath(posixpath.join(folder, p))
                    try:
                        with self.fs.open(full, 'rb') as f:
                            buffers.append(f.read())
                    except FileNotFoundError:
                        raise IOError(f'Weight file {p} listed in {self.url} does not '
                                      'exist.') from None
                specs.extend(group.get('weights', []))
            data = b''.join(buffers)
            plan_weights(memoryview(data), specs, [self.url])
        return model_json_to_artifacts(model_json, data, specs)


def fsspecRouter(url, loadOptions=None):
    """Router: an `FsspecHandler` for URLs whose scheme fsspec knows (none without fsspec)."""
    scheme = url_scheme(url)
    if scheme is None or scheme in _OWN:
        return None
    fsspec = _fsspec()
    if fsspec is None:
        return None
    if scheme not in fsspec.available_protocols():
        return None
    return FsspecHandler(url)


registerSaveRouter(fsspecRouter)
registerLoadRouter(fsspecRouter)
