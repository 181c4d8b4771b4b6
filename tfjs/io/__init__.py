"""`tf.io`: model artifacts, weight files, IOHandlers and the URL router.

Handler objects (`fileSystem(path)`, `http(url)`, `fromMemory(...)`, `withSaveHandler(fn)`) have
plain synchronous `save(artifacts)` / `load()` methods; `model.save` and `tf.loadLayersModel`
give them TF.js's Promise behaviour. The functions that return Promises in TF.js
(`encodeWeights`, `loadWeights`) follow `tfjs._async`: the value in synchronous code, a Promise
inside a running event loop.

`tf.io.http` and `tf.io.file_system` are functions (as in TF.js); import the modules of the same
names with `from tfjs.io.file_system import ...`.

>>> import tfjs as tf
>>> out = tf.io.encodeWeights({'w': tf.tensor1d([1, 2])})
>>> tf.io.decodeWeights(out['data'], out['specs'])['w'].arraySync()
[1.0, 2.0]
"""
from __future__ import annotations

from .._async import resolved
from .._naming import add_snake_case_aliases
from . import weights as _weights
from .artifacts import (artifacts_to_model_json, get_model_artifacts_info as _artifacts_info,
                        get_weight_specs as _weight_specs, getModelArtifactsForJSON,
                        getModelArtifactsForJSONSync, getModelJSONForModelArtifacts,
                        model_json_to_artifacts, unwrap_topology)
from . import browser_store as _browser_store
from .browser_store import browserIndexedDB, browserLocalStorage
from .composite import CompositeArrayBuffer, concatenateArrayBuffers
from .file_system import NodeFileSystem, fileSystem, nodeFileSystemRouter
from .fsspec_handler import FsspecHandler, fsspecRouter
from .http import HTTPRequest, browserHTTPRequest, http, httpRouter, isHTTPScheme
from .loader import loadWeights as _load_weights, weightsLoaderFactory
from .passthrough import fromMemory, fromMemorySync, withSaveHandler, withSaveHandlerSync
from .router import (getLoadHandlers, getSaveHandlers, get_load_handler, get_save_handler,
                     registerLoadRouter, registerSaveRouter)
from .weights import DTYPE_VALUE_SIZE_MAP, match_weights, quantize_weights


def encodeWeights(tensors, group: str | None = None):
    """`{'data': bytes, 'specs': [...]}` for named tensors (TF.js's `tf.io.encodeWeights`).

    A Promise inside a running event loop, the dict otherwise. (`tfjs.io.weights.encode_weights`
    returns a `(data, specs)` tuple, synchronously.)
    """
    data, specs = _weights.encode_weights(tensors, group)
    return resolved({'data': data, 'specs': specs})


def decodeWeights(weightData, specs: list) -> dict:
    """`{name: Tensor}` from weight bytes (or a list of shard bytes) and their manifest entries."""
    return _weights.decode_weights(weightData, specs)


def loadWeights(manifest: list, filePathPrefix: str = '', weightNames=None, requestInit=None):
    """TF.js's `tf.io.loadWeights`: `{name: Tensor}` read from the manifest's files."""
    return resolved(_load_weights(manifest, filePathPrefix, weightNames, requestInit))


def getModelArtifactsInfoForJSON(modelArtifacts: dict) -> dict:
    """`ModelArtifactsInfo`: `dateSaved`, `modelTopologyType`, and the byte counts."""
    return _artifacts_info(modelArtifacts)


def getWeightSpecs(weightsManifest: list) -> list:
    """All entries of a weights manifest, flattened in order."""
    return _weight_specs(weightsManifest)


def listModels():
    """Every model in the `localstorage://` and `indexeddb://` stores: `{url: ModelArtifactsInfo}`
    (a Promise inside a running event loop)."""
    return resolved(_browser_store.list_models())


def removeModel(url: str):
    """Delete a stored model (`'indexeddb://name'`); returns its ModelArtifactsInfo."""
    return resolved(_browser_store.remove_model(url))


def copyModel(sourceURL: str, destURL: str):
    """Copy a model between URLs (stores, `file://` folders, ...); returns the copy's
    ModelArtifactsInfo."""
    return resolved(_browser_store.clone_model(sourceURL, destURL))


def moveModel(sourceURL: str, destURL: str):
    """Move a model between URLs; the source is removed (after the copy is saved when the two
    are different media)."""
    return resolved(_browser_store.clone_model(sourceURL, destURL, delete_source=True))


file_system = fileSystem   # the snake_case twin shadows the submodule's name, as `http` does
add_snake_case_aliases(globals())
__all__ = sorted(n for n, v in globals().items()
                 if not n.startswith('_') and (callable(v) or n == 'DTYPE_VALUE_SIZE_MAP')
                 and n not in ('annotations', 'resolved', 'add_snake_case_aliases'))
