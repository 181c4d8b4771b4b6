"""The converter's in-memory model: a TF.js-dialect topology, named NumPy weights, and the
metadata a `model.json` carries. Every reader produces one; every writer takes one.

>>> m = ConvertedModel({'class_name': 'Sequential', 'config': {'layers': []}},
...                    [Weight('d/kernel', np.ones((2, 1), np.float32))])
>>> art = m.to_artifacts()
>>> art['weightSpecs'], len(art['weightData'])
([{'name': 'd/kernel', 'shape': [2, 1], 'dtype': 'float32'}], 8)
>>> ConvertedModel.from_artifacts(art).weights[0].array.tolist()
[[1.0], [1.0]]
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from . import weights as wfmt
from .errors import FileFormatError

FORMAT = 'layers-model'


def keras3_paths_to_tfjs(topology, weights: list, keras_version=None) -> list:
    """Weights named by Keras 3 paths (`layers/dense/vars/0`: tensorflowjs_converter's output
    for `.keras` files, which TF.js cannot load) renamed to TF.js names, with Keras 3's
    `hard_sigmoid` rescaled; other weights are returned as they are."""
    from . import dialects, schema
    names = schema.keras3_path_names(topology, [w.name for w in weights if w.group is None])
    if names is None:
        return weights
    renamed = [Weight(names.get(w.name, w.name), w.array, w.group, w.layer) for w in weights]
    if dialects.keras3_semantics(keras_version or '3'):
        scaled = dialects.rescale_hard_sigmoid(topology, {w.name: w.array for w in renamed},
                                               dialects.KERAS3_HARD_SIGMOID_TO_TFJS)
        for w in renamed:
            w.array = scaled.get(w.name, w.array)
    return renamed


@dataclass
class Weight:
    name: str
    array: np.ndarray
    group: Optional[str] = None        # 'optimizer' for optimizer state (TF.js's `group`)
    layer: Optional[str] = None        # the top-level layer it belongs to (split by layer)


@dataclass
class ConvertedModel:
    topology: Optional[dict]           # TF.js dialect {class_name, config}; None: weights only
    weights: list = field(default_factory=list)
    keras_version: Optional[str] = None
    backend: Optional[str] = None
    training_config: Optional[dict] = None
    generated_by: Optional[str] = None
    converted_by: Optional[str] = None
    user_defined_metadata: Optional[dict] = None
    train_config_tfjs: Optional[dict] = None   # a TF.js top-level `trainingConfig`
    source: str = ''                   # what it was read from (for messages)
    notes: list = field(default_factory=list)   # what a conversion changed or dropped

    # ------------------------------------------------------------------ artifacts
    def model_topology(self) -> Optional[dict]:
        """`modelTopology` as the converter writes it: Keras's save dict around the config."""
        if self.topology is None:
            return None
        out = {'keras_version': self.keras_version or 'tfjs-layers 4.22.0',
               'backend': self.backend or 'tensor_flow.js', 'model_config': self.topology}
        if self.training_config is not None:
            out['training_config'] = self.training_config
        return out

    def to_artifacts(self, include_optimizer: bool = False) -> dict:
        """TF.js `ModelArtifacts` (`modelTopology`, `weightSpecs`, `weightData` bytes, ...)."""
        chunks, specs = [], []
        for w in self.weights:
            if w.group == 'optimizer' and not include_optimizer:
                continue
            data, (spec,) = wfmt.encode_weights([(w.name, w.array)], w.group)
            chunks.append(data)
            specs.append(spec)
        art = {'modelTopology': self.model_topology(), 'format': FORMAT,
               'generatedBy': self.generated_by, 'convertedBy': self.converted_by,
               'weightSpecs': specs, 'weightData': b''.join(chunks)}
        if self.user_defined_metadata is not None:
            art['userDefinedMetadata'] = self.user_defined_metadata
        if include_optimizer and self.train_config_tfjs is not None:
            art['trainingConfig'] = self.train_config_tfjs
        return art

    @classmethod
    def from_artifacts(cls, artifacts: dict, source: str = 'model artifacts') -> 'ConvertedModel':
        """From TF.js `ModelArtifacts` (weights decoded, dequantized)."""
        topo = artifacts.get('modelTopology')
        if isinstance(topo, (bytes, bytearray, memoryview)):
            raise FileFormatError(f'{source} holds a binary (graph model) topology; only layers '
                                  'models can be converted.')
        keras_version = backend = training = None
        if isinstance(topo, dict) and topo.get('model_config') is not None:
            keras_version, backend = topo.get('keras_version'), topo.get('backend')
            training = topo.get('training_config')
            topo = topo['model_config']
        elif isinstance(topo, dict):
            keras_version, backend = topo.get('keras_version'), topo.get('backend')
            topo = {k: v for k, v in topo.items() if k in ('class_name', 'config')}
        if topo:
            from .dialects import model_json_topology_to_tfjs
            topo = model_json_topology_to_tfjs(topo, keras_version)
        weights = []
        specs = artifacts.get('weightSpecs')
        if specs:
            for spec, array in wfmt.decode_weights(artifacts.get('weightData'), specs, source):
                weights.append(Weight(spec['name'], array, spec.get('group')))
        if topo:
            weights = keras3_paths_to_tfjs(topo, weights, keras_version)
        return cls(topo or None, weights, keras_version, backend, training,
                   artifacts.get('generatedBy'), artifacts.get('convertedBy'),
                   artifacts.get('userDefinedMetadata'), artifacts.get('trainingConfig'),
                   source)

    def weight_dict(self, group=None) -> dict:
        return {w.name: w.array for w in self.weights if w.group == group}

    def total_params(self) -> int:
        return int(sum(np.asarray(w.array).size for w in self.weights if w.group != 'optimizer'))
