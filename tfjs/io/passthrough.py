"""IOHandlers that pass in-memory `ModelArtifacts` through (TF.js's `passthrough.ts`).

>>> h = fromMemory({'modelTopology': {'class_name': 'Sequential'}, 'weightSpecs': []})
>>> h.load()['modelTopology']
{'class_name': 'Sequential'}
>>> withSaveHandler(lambda art: {'modelArtifactsInfo': {'n': len(art)}}).save({'a': 1})
{'modelArtifactsInfo': {'n': 1}}
"""
from __future__ import annotations

import warnings
from typing import Any, Callable, Mapping

from .._naming import SnakeCaseAliases

_UNSET: Any = object()
_DEPRECATED = ('Please call tf.io.fromMemory() with only one argument. The argument should be of '
               'type ModelArtifacts. The multi-argument signature of tf.io.fromMemory() has been '
               'deprecated and will be removed in a future release.')


class PassthroughLoader(SnakeCaseAliases):
    """A handler whose `load()` returns the artifacts it was given."""

    def __init__(self, modelArtifacts: Mapping | None = None):
        self.modelArtifacts = modelArtifacts

    def load(self):
        return self.modelArtifacts


class PassthroughSaver(SnakeCaseAliases):
    """A handler whose `save(artifacts)` calls a function and returns what it returns (a
    `SaveResult`; for an `async def` function, the awaitable)."""

    def __init__(self, saveHandler: Callable):
        if not callable(saveHandler):
            raise TypeError('withSaveHandler() needs a function (artifacts) -> SaveResult.')
        self.saveHandler = saveHandler

    def save(self, modelArtifacts: Mapping):
        return self.saveHandler(modelArtifacts)


def fromMemorySync(modelArtifacts, weightSpecs=_UNSET, weightData=_UNSET,
                   trainingConfig=_UNSET) -> PassthroughLoader:
    """A handler that loads the given artifacts (or, deprecated: topology, specs, data, config)."""
    if weightSpecs is _UNSET and weightData is _UNSET and trainingConfig is _UNSET:
        if isinstance(modelArtifacts, Mapping) and (modelArtifacts.get('modelTopology') is not None
                                                    or modelArtifacts.get('weightSpecs') is not None):
            return PassthroughLoader(modelArtifacts)
        warnings.warn(_DEPRECATED, DeprecationWarning, stacklevel=3)
        return PassthroughLoader({'modelTopology': modelArtifacts})
    warnings.warn(_DEPRECATED, DeprecationWarning, stacklevel=3)
    unset = lambda v: None if v is _UNSET else v  # noqa: E731
    return PassthroughLoader({'modelTopology': modelArtifacts, 'weightSpecs': unset(weightSpecs),
                              'weightData': unset(weightData),
                              'trainingConfig': unset(trainingConfig)})


def fromMemory(modelArtifacts, weightSpecs=_UNSET, weightData=_UNSET,
               trainingConfig=_UNSET) -> PassthroughLoader:
    """`tf.io.fromMemory`: load a model from artifacts in memory.

    `tf.loadLayersModel(tf.io.fromMemory(artifacts))`; `artifacts` is a `ModelArtifacts` dict
    (`modelTopology`, `weightSpecs`, `weightData`...). The handler's `load()` is synchronous here;
    the model code gives the Promise.
    """
    return fromMemorySync(modelArtifacts, weightSpecs, weightData, trainingConfig)


def withSaveHandler(saveHandler: Callable) -> PassthroughSaver:
    """`tf.io.withSaveHandler`: `model.save(tf.io.withSaveHandler(fn))` calls `fn(artifacts)`."""
    return PassthroughSaver(saveHandler)


def withSaveHandlerSync(saveHandler: Callable) -> PassthroughSaver:
    """`tf.io.withSaveHandlerSync`: as `withSaveHandler`, for a synchronous function."""
    return PassthroughSaver(saveHandler)
