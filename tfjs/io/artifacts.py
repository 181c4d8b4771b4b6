"""`model.json` <-> `ModelArtifacts`, and `ModelArtifactsInfo`.

`ModelArtifacts` is the in-memory form IOHandlers exchange: a dict with `modelTopology` (the
Keras-style topology JSON), `weightSpecs` (the manifest entries, flattened), `weightData` (bytes),
and optionally `format`, `generatedBy`, `convertedBy`, `trainingConfig`, `userDefinedMetadata`,
`signature`, `modelInitializer`, `initializerSignature`. `model.json` has the same fields, but a
`weightsManifest` (groups of `{paths, weights}`) instead of `weightSpecs`/`weightData`.

>>> art = {'modelTopology': {'class_name': 'Sequential'}, 'format': 'layers-model',
...        'weightSpecs': [], 'weightData': b''}
>>> list(artifacts_to_model_json(art))
['modelTopology', 'weightsManifest', 'format']
"""
from __future__ import annotations

import datetime
from typing import Any, Callable, Mapping, Sequence

from tfjs_converter import tfjs_layers as _layers_files

from ..errors import IOError, ValueError
from ._json import stringify, utf8_length
from .weights import _tfjs_errors, as_buffer

_OPTIONAL_KEYS = ('trainingConfig', 'signature', 'userDefinedMetadata', 'modelInitializer',
                  'initializerSignature')


def artifacts_to_model_json(artifacts: Mapping, weights_path: str | Sequence[str] = 'weights.bin',
                            manifest: list | None = None) -> dict:
    """The `model.json` dict for artifacts whose weights are stored at `weights_path`, with the
    key order of tfjs-node's file handler.

    Keys absent from `artifacts` are left out (as JS drops `undefined`); present `None`s are
    written as `null` (TF.js saves `convertedBy: null`).
    """
    if manifest is None:
        paths = [weights_path] if isinstance(weights_path, str) else list(weights_path)
        manifest = [{'paths': paths, 'weights': list(artifacts.get('weightSpecs') or [])}]
    out: dict = {'modelTopology': artifacts.get('modelTopology'), 'weightsManifest': manifest}
    for key in ('format', 'generatedBy', 'convertedBy'):
        if key in artifacts:
            out[key] = artifacts[key]
    for key in _OPTIONAL_KEYS:
        if artifacts.get(key) is not None:
            out[key] = artifacts[key]
    return out


def getModelJSONForModelArtifacts(artifacts: Mapping, manifest: list) -> dict:
    """TF.js's `getModelJSONForModelArtifacts` (the key order of the http and browser handlers)."""
    out: dict = {'modelTopology': artifacts.get('modelTopology')}
    for key in ('format', 'generatedBy', 'convertedBy'):
        if key in artifacts:
            out[key] = artifacts[key]
    out['weightsManifest'] = manifest
    for key in ('signature', 'userDefinedMetadata', 'modelInitializer', 'initializerSignature',
                'trainingConfig'):
        if artifacts.get(key) is not None:
            out[key] = artifacts[key]
    return out


def get_weight_specs(weights_manifest: Sequence[Mapping]) -> list:
    """All manifest entries of all groups, in order (TF.js's `getWeightSpecs`)."""
    check_manifest(weights_manifest)
    return [spec for group in weights_manifest for spec in group['weights']]


check_manifest = _tfjs_errors(_layers_files.check_manifest)
check_manifest.__doc__ = """Raise an IOError unless `weights_manifest` is a list of
`{paths: [str], weights: [...]}` (the converter's check, shared)."""


def model_json_to_artifacts(model_json: Mapping, weight_data: Any = None,
                            weight_specs: list | None = None) -> dict:
    """`ModelArtifacts` from a parsed `model.json` and its weights' bytes (all shards joined).

    >>> art = model_json_to_artifacts({'modelTopology': {}, 'weightsManifest': [
    ...     {'paths': ['w.bin'], 'weights': [{'name': 'a', 'shape': [], 'dtype': 'int32'}]}]},
    ...     b'\\x07\\x00\\x00\\x00')
    >>> art['weightSpecs'], art['weightData']
    ([{'name': 'a', 'shape': [], 'dtype': 'int32'}], b'\\x07\\x00\\x00\\x00')
    """
    if not isinstance(model_json, Mapping):
        raise IOError(f'Malformed model.json: expected a JSON object, got '
                      f'{type(model_json).__name__}.')
    artifacts: dict = {key: model_json.get(key)
                       for key in ('modelTopology', 'format', 'generatedBy', 'convertedBy')}
    if model_json.get('weightsManifest') is not None:
        specs = weight_specs if weight_specs is not None else \
            get_weight_specs(model_json['weightsManifest'])
        artifacts['weightSpecs'] = specs
        artifacts['weightData'] = b'' if weight_data is None else weight_data
    for key in _OPTIONAL_KEYS:
        if model_json.get(key) is not None:
            artifacts[key] = model_json[key]
    return artifacts


def getModelArtifactsForJSONSync(modelJSON: Mapping, weightSpecs: list | None = None,
                                 weightData: Any = None) -> dict:
    """TF.js's `getModelArtifactsForJSONSync`: weights must be given when there is a manifest."""
    if modelJSON.get('weightsManifest') is not None:
        if weightSpecs is None:
            raise ValueError('modelJSON has weightsManifest but weightSpecs is null')
        if weightData is None:
            raise ValueError('modelJSON has weightsManifest but weightData is null')
    return model_json_to_artifacts(modelJSON, weightData, weightSpecs)


def getModelArtifactsForJSON(modelJSON: Mapping, loadWeights: Callable) -> dict:
    """TF.js's `getModelArtifactsForJSON`: `loadWeights(manifest) -> (specs, data)`."""
    specs = data = None
    if modelJSON.get('weightsManifest') is not None:
        specs, data = loadWeights(modelJSON['weightsManifest'])
    return getModelArtifactsForJSONSync(modelJSON, specs, data)


def get_model_artifacts_info(artifacts: Mapping) -> dict:
    """TF.js's `getModelArtifactsInfoForJSON`: byte counts as JS would compute them.

    >>> info = get_model_artifacts_info({'modelTopology': {'a': 'é'}, 'weightData': b'1234'})
    >>> info['modelTopologyType'], info['modelTopologyBytes'], info['weightDataBytes']
    ('JSON', 10, 4)
    """
    topology = artifacts.get('modelTopology')
    if isinstance(topology, (bytes, bytearray, memoryview)):
        raise ValueError('Expected JSON model topology, received ArrayBuffer.')
    specs, data = artifacts.get('weightSpecs'), artifacts.get('weightData')
    return {
        'dateSaved': datetime.datetime.now(datetime.timezone.utc),
        'modelTopologyType': 'JSON',
        'modelTopologyBytes': 0 if topology is None else utf8_length(stringify(topology)),
        'weightSpecsBytes': 0 if specs is None else utf8_length(stringify(specs)),
        'weightDataBytes': 0 if data is None else _byte_length(data),
    }


def _byte_length(data) -> int:
    if isinstance(data, (list, tuple)):
        return sum(memoryview(b).nbytes for b in data)
    return len(as_buffer(data))


def unwrap_topology(model_topology: Any) -> tuple:
    """`(topology, keras_training_config_or_None)` for both `modelTopology` layouts.

    TF.js's `save()` writes the bare topology `{class_name, config, keras_version, backend}`;
    the converter writes Keras's save dict `{keras_version, backend, model_config,
    training_config}`. TF.js ignores the nested `training_config` when loading.

    >>> unwrap_topology({'keras_version': '2.4', 'model_config': {'class_name': 'Model'},
    ...                  'training_config': {'loss': 'mse'}})
    ({'class_name': 'Model'}, {'loss': 'mse'})
    """
    if isinstance(model_topology, Mapping) and model_topology.get('model_config') is not None:
        return model_topology['model_config'], model_topology.get('training_config')
    return model_topology, None
