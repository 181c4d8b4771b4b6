"""Model saving and loading glue: artifacts from a model (TF.js's `LayersModel.save`) and a
model from artifacts (TF.js's `loadLayersModelFromIOHandler`). File formats live in `tfjs.io`."""
from __future__ import annotations

import json
import os
import warnings

from ..errors import ValueError

MAX_USER_DEFINED_METADATA_BYTES = 1024 * 1024


def check_user_defined_metadata(metadata, model_name: str, check_size: bool = False) -> None:
    """Metadata must be a plain JSON object; warn above 1 MiB (as TF.js does)."""
    if not isinstance(metadata, dict):
        raise ValueError(f'User-defined metadata is expected to be a JSON object, but is not. Model '
                         f'"{model_name}".')
    try:
        text = json.dumps(metadata)
    except TypeError as exc:
        raise ValueError(f'User-defined metadata of model "{model_name}" is not JSON-serializable: '
                         f'{exc}') from None
    if check_size and len(text) > MAX_USER_DEFINED_METADATA_BYTES:
        warnings.warn(f'User-defined metadata of model "{model_name}" is too large in size (length='
                      f'{len(text)} when serialized). It is not recommended to store such large '
                      'objects in user-defined metadata. Please make sure its serialized length is '
                      f'<= {MAX_USER_DEFINED_METADATA_BYTES}.')


def training_config(model) -> dict:
    """`{loss, metrics, optimizer_config}` as TF.js writes it into `trainingConfig`."""
    from .._naming import to_snake_case
    loss = model.loss
    if isinstance(loss, str):
        loss_json = to_snake_case(model.lossNames[0]) if model.lossNames else to_snake_case(loss)
    elif isinstance(loss, (list, tuple)):
        loss_json = [to_snake_case(n) for n in model.lossNames]
    elif isinstance(loss, dict):
        loss_json = {k: to_snake_case(v) if isinstance(v, str) else None for k, v in loss.items()}
    else:
        raise ValueError('Serialization of non-string loss is not supported.')
    metrics = model.metrics
    metrics_json = None
    if metrics is not None:
        if isinstance(metrics, dict):
            metrics_json = {k: [_metric_json(m) for m in (v if isinstance(v, list) else [v])]
                            for k, v in metrics.items()}
        else:
            ms = metrics if isinstance(metrics, (list, tuple)) else [metrics]
            metrics_json = [_metric_json(m) for m in ms]
    opt = model.optimizer_
    config = {'loss': loss_json, 'metrics': metrics_json,
              'optimizer_config': {'class_name': opt.getClassName(), 'config': opt.getConfig()}}
    if getattr(model, 'lossWeights', None) is not None:     # Keras's key (TF.js cannot load it)
        config['loss_weights'] = model.lossWeights
    return config


def _metric_json(metric):
    """A metric as trainingConfig holds it: its snake_case name, or `{class_name, config}` for
    a stateful (Keras) metric object."""
    from .._naming import to_snake_case
    from ..metrics_stateful import Metric
    from ..serialization import convert_ts_to_pythonic
    if isinstance(metric, str):
        return to_snake_case(metric)
    if isinstance(metric, Metric):
        return {'class_name': metric.getClassName(),
                'config': convert_ts_to_pythonic(metric.getConfig())}
    return getattr(metric, '__name__', '')


def load_training_config(model, config: dict) -> None:
    """Compile `model` from a saved `trainingConfig`."""
    from .._naming import to_camel_case
    from ..serialization import convert_pythonic_to_ts
    from ..train import deserialize_optimizer
    for key in ('weighted_metrics', 'sample_weight_mode'):
        if config.get(key) is not None:
            raise ValueError(f'{key} in the saved training config is not supported yet.')
    optimizer = deserialize_optimizer(convert_pythonic_to_ts(config['optimizer_config']))
    loss = config.get('loss')
    if isinstance(loss, str):
        loss = to_camel_case(loss)
    elif isinstance(loss, list):
        loss = [to_camel_case(l) for l in loss]
    elif isinstance(loss, dict):
        loss = {k: to_camel_case(v) for k, v in loss.items()}
    metrics = config.get('metrics')
    if isinstance(metrics, list):
        metrics = [_metric_from_json(m) for m in metrics]
    elif isinstance(metrics, dict):
        metrics = {k: [_metric_from_json(m) for m in (v if isinstance(v, list) else [v])]
                   for k, v in metrics.items()}
    model.compile({'loss': loss, 'metrics': metrics, 'optimizer': optimizer,
                   'lossWeights': config.get('loss_weights')})


def _metric_from_json(metric):
    from .._naming import to_camel_case
    if isinstance(metric, dict):
        from ..metrics_stateful import deserialize_metric
        return deserialize_metric(metric)
    return to_camel_case(metric)


def model_artifacts(model, config: dict) -> dict:
    """The `ModelArtifacts` TF.js's `model.save()` hands to an IOHandler."""
    from ..io.weights import encode_weights
    if config.get('trainableOnly'):
        raise ValueError('Saving only the trainable weights is not supported by TF.js '
                         '(trainableOnly: true); save the whole model.')
    named = [(w['name'], w['tensor']) for w in model.getNamedWeights(config)]
    data, specs = encode_weights(named)
    artifacts = {'modelTopology': model.toJSON(None, False), 'format': 'layers-model',
                 'generatedBy': 'TensorFlow.js tfjs-layers v4.22.0', 'convertedBy': None}
    if config.get('includeOptimizer') and model.optimizer_ is not None:
        artifacts['trainingConfig'] = training_config(model)
        opt_weights = model.optimizer_._get_weights()
        opt_data, opt_specs = encode_weights([(w['name'], w['tensor']) for w in opt_weights],
                                             group='optimizer')
        data += opt_data
        specs += opt_specs
    artifacts['weightSpecs'] = specs
    artifacts['weightData'] = data
    if model.userDefinedMetadata is not None:
        check_user_defined_metadata(model.userDefinedMetadata, model.name, True)
        artifacts['userDefinedMetadata'] = model.userDefinedMetadata
    return artifacts


def save_model_job(model, handler_or_url, config: dict):
    """Job: artifacts to a URL, a path (`str` or `pathlib.Path`) or an IOHandler (whose `save`
    may be a coroutine). Keras files include the optimizer unless `includeOptimizer` is false,
    as Keras's `model.save`; every other handler follows TF.js's default (false)."""
    from .._async import maybe_await
    from ..io.router import get_save_handler
    handler = get_save_handler(handler_or_url) if _is_url(handler_or_url) else handler_or_url
    if not hasattr(handler, 'save'):
        raise ValueError('LayersModel.save() cannot proceed because the IOHandler provided does not '
                         'have the `save` attribute defined.')
    from ..io.keras_files import KerasFile
    if isinstance(handler, KerasFile) and config.get('includeOptimizer') is None:
        config = {**config, 'includeOptimizer': True}      # Keras's include_optimizer=True
    result = yield from maybe_await(handler.save(model_artifacts(model, config)))
    return result


def _is_url(x) -> bool:
    return isinstance(x, (str, os.PathLike))


def load_model_job(path_or_handler, options: dict):
    """Job: a model from a URL, a path or an IOHandler (whose `load` may be a coroutine)."""
    from .._async import maybe_await
    from ..io.router import get_load_handler
    handler = get_load_handler(path_or_handler, options) if _is_url(path_or_handler) \
        else path_or_handler
    if not hasattr(handler, 'load'):
        raise ValueError('LayersModel loading requires an IOHandler with a `load` method (or a '
                         'path/URL string).')
    artifacts = yield from maybe_await(handler.load())
    strict = True if options.get('strict') is None else bool(options['strict'])
    # A handler of ours that reads files into a fresh buffer lets the weights keep its memory
    # (declared on the class itself: a subclass might cache what load() returns).
    owned = type(handler).__dict__.get('_fresh_weight_data') is True
    return model_from_artifacts(artifacts, options.get('customObjects'), strict, owned)


def model_from_artifacts(artifacts: dict, custom_objects=None, strict: bool = True,
                         owned_buffer: bool = False):
    """Build, load weights into and (with a trainingConfig) compile a model.

    `owned_buffer`: `artifacts['weightData']` is a writable buffer nobody else holds, so the
    weights may use its memory instead of copies (see `tfjs.engine.weight_loading`)."""
    from ..io.artifacts import unwrap_topology
    from ..serialization import convert_pythonic_to_ts
    topology = artifacts.get('modelTopology')
    if topology is None:
        raise ValueError('The model artifacts have no modelTopology (a weights-only file?); load '
                         'the weights into a model built in code with model.loadWeights().')
    if isinstance(topology, (bytes, bytearray)):
        raise ValueError('Binary (GraphDef) topologies are graph models; tf.loadGraphModel is not '
                         'supported.')
    keras_version = topology.get('keras_version') if isinstance(topology, dict) else None
    topology, _ = unwrap_topology(topology)
    topology = keras_dialect_to_tfjs(topology, keras_version)
    config = convert_pythonic_to_ts(topology)
    has_weights = artifacts.get('weightData') is not None and artifacts.get('weightSpecs') is not None
    from .topology import weights_set_after_build
    with weights_set_after_build():
        model = deserialize_model(config, custom_objects, fast_weight_init=has_weights and strict)
    if artifacts.get('trainingConfig') is not None:
        model.loadTrainingConfig(artifacts['trainingConfig'])
    if artifacts.get('userDefinedMetadata') is not None:
        model.setUserDefinedMetadata(artifacts['userDefinedMetadata'])
    if has_weights:
        _load_artifact_weights(model, artifacts, topology, keras_version, strict, owned_buffer)
    return model


def _load_artifact_weights(model, artifacts: dict, topology, keras_version, strict: bool,
                           owned_buffer: bool) -> None:
    """Decode the artifacts' weights into `model` (and its optimizer): one copy of the bytes at
    most, none when the buffer is owned (TF.js's `loadWeights(weights, strict)` semantics)."""
    from ..backend.memory import dispose
    from ..io.weights import as_buffer, decode_weight_arrays, match_weights
    from .container import Container
    from .weight_loading import assign_loaded, borrowed_tensor, tensor_from_array
    data = as_buffer(artifacts['weightData'])         # joins a list of buffers, once
    owned_buffer = owned_buffer and not data.readonly
    model_weights, optimizer_weights, adoptable = {}, [], set()
    for spec, values, dtype in decode_weight_arrays(data, artifacts['weightSpecs']):
        fresh = owned_buffer or values.flags.owndata
        if spec.get('group') == 'optimizer':
            tensor = tensor_from_array(values, dtype, spec['shape'], fresh)
            optimizer_weights.append({'name': spec['name'], 'tensor': tensor})
            continue
        if fresh:
            tensor = tensor_from_array(values, dtype, spec['shape'], True)
            adoptable.add(id(tensor))
        else:
            tensor = borrowed_tensor(values, dtype, spec['shape'])
        model_weights[spec['name']] = tensor
    renamed = _keras3_paths_renamed(topology, model_weights, keras_version)
    if renamed is not model_weights:
        model_weights, adoptable = renamed, {id(t) for t in renamed.values()}
    try:
        if type(model).loadWeights is Container.loadWeights:
            assign_loaded(match_weights(model.weights, model_weights, strict, model.name),
                          adoptable)
        else:                                   # a subclass's own loadWeights: it copies
            model.loadWeights({n: t.clone() for n, t in model_weights.items()}, strict)
        if optimizer_weights and model.optimizer_ is not None:
            model.optimizer_._set_weights(optimizer_weights)
    finally:        # the variables copied what they keep (`variable`, `_set_weights`)
        dispose(list(model_weights.values()) + [e['tensor'] for e in optimizer_weights])


def keras_dialect_to_tfjs(topology, keras_version=None):
    """A topology written by Keras (converted by tensorflowjs_converter: tf.keras's `module`
    keys, `axis: [3]`, an InputLayer in a Sequential; or Keras 3's dialect) in the dialect TF.js
    reads; TF.js-saved topologies (`keras_version` "tfjs-layers ...") are left as they are."""
    from tfjs_converter.dialects import model_json_topology_to_tfjs
    from ..io.keras_files import converted_errors
    with converted_errors():
        return model_json_topology_to_tfjs(topology, keras_version)


def _keras3_paths_renamed(topology, weights: dict, keras_version) -> dict:
    """Weights named by Keras 3 weights-file paths (`layers/dense/vars/0`, as
    tensorflowjs_converter writes `.keras` inputs) under their TF.js names (new tensors with
    memory of their own); `weights` itself when the names are TF.js's."""
    from tfjs_converter.model import Weight, keras3_paths_to_tfjs
    from tfjs_converter.schema import keras3_path_names
    if keras3_path_names(topology, weights) is None:
        return weights
    import numpy as np
    from ..backend.memory import dispose
    from ..ops.creation import tensor
    renamed = keras3_paths_to_tfjs(
        topology, [Weight(n, np.array(t._numpy())) for n, t in weights.items()], keras_version)
    dispose(list(weights.values()))
    return {w.name: tensor(w.array) for w in renamed}


def deserialize_model(config: dict, custom_objects=None, fast_weight_init: bool = False):
    """A model from a camelCase `{className, config}` topology."""
    from ..serialization.registry import get_registered_class
    if not isinstance(config, dict) or 'className' not in config:
        raise ValueError('Improper model topology: expected an object with "class_name" and '
                         '"config".')
    cls = get_registered_class(config['className'], custom_objects, 'model class')
    return cls.fromConfig(config['config'], custom_objects, fast_weight_init)
