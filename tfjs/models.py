"""Model factories and loading: `tf.sequential`, `tf.model`, `tf.loadLayersModel`,
`tf.models.modelFromJSON` (TF.js's `exports.ts` and `models.ts`)."""
from __future__ import annotations

from ._async import promising, resolved
from ._naming import normalize_args
from .engine.saving import deserialize_model, load_model_job
from .engine.sequential import Sequential
from .engine.training import LayersModel
from .errors import ValueError


def sequential(config: dict | None = None, /, **kwargs) -> Sequential:
    """A linear stack of layers: `tf.sequential()` or `tf.sequential({'layers': [...]})`.

    >>> import tfjs as tf
    >>> model = tf.sequential({'layers': [tf.layers.dense({'units': 1, 'inputShape': [1]})]})
    >>> model.outputs[0].shape
    [None, 1]
    """
    return Sequential(config, **kwargs)


def model(config: dict | None = None, /, **kwargs) -> LayersModel:
    """A functional model: `tf.model({'inputs': x, 'outputs': y})` (lists for several).

    >>> import tfjs as tf
    >>> x = tf.input({'shape': [3]})
    >>> tf.model({'inputs': x, 'outputs': tf.layers.dense({'units': 2}).apply(x)}).outputs[0].shape
    [None, 2]
    """
    return LayersModel(config, **kwargs)


LOAD_OPTION_KEYS = ('strict', 'onProgress', 'requestInit', 'fetchFunc', 'weightPathPrefix',
                    'fromTFHub', 'weightUrlConverter', 'streamWeights', 'customObjects')


def loadLayersModel(pathOrIOHandler, options: dict | None = None, /, **kwargs):
    """Load a model saved by TF.js, by `model.save`, or converted from Keras.

    `pathOrIOHandler`: `'file://path/model.json'`, a plain path, a URL, or an IOHandler (an
    object with `load()`). Returns the model (a Promise inside an event loop).
    """
    options = normalize_args(options, kwargs, LOAD_OPTION_KEYS, 'tf.loadLayersModel')
    return promising(load_model_job)(pathOrIOHandler, options)


def modelFromJSON(modelAndWeightsConfig, customObjects: dict | None = None):
    """A model from a topology JSON (dict or string), optionally with `weightsManifest` and
    `pathPrefix` to load weights from files."""
    import json
    from .serialization import convert_pythonic_to_ts
    config = modelAndWeightsConfig
    if isinstance(config, str):
        config = json.loads(config)
    topology = config.get('modelTopology', config) if isinstance(config, dict) else config
    if isinstance(topology, dict) and 'model_config' in topology:
        topology = topology['model_config']
    model_ = deserialize_model(convert_pythonic_to_ts(topology), customObjects)
    if isinstance(config, dict) and config.get('weightsManifest') is not None:
        from .io.loader import loadWeights
        weights = loadWeights(config['weightsManifest'], config.get('pathPrefix', ''),
                              [w.originalName for w in model_.weights])
        model_.loadWeights(weights)
    return resolved(model_)
