"""Shared helpers for the Keras 3 fixture tests of tests/layers: read a fixture
(tests/fixtures/keras/<family>/<name>.json + .npz) and build our layer from its Keras config.

Keras 3 configs differ from TF.js's dialect only in ways that do not matter for one layer:
dtype policies (`{'class_name': 'DTypePolicy', ...}`) become their dtype name, Keras object
dicts (`module`, `registered_name`) become `{className, config}`. (Whole Keras files are read by
the converter, which translates every dialect difference.)
"""
import glob
import json
import os

import numpy as np

from tfjs.serialization import convert_pythonic_to_ts
from tfjs.serialization.registry import deserialize

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'keras')


def case_names(family: str) -> list:
    """The fixture names (`<name>.json`) of tests/fixtures/keras/<family>/, sorted."""
    pattern = os.path.join(FIXTURES, family, '*.json')
    return sorted(os.path.basename(p)[:-5] for p in glob.glob(pattern))


def load(family: str, name: str) -> tuple:
    """`(meta, arrays)`: the fixture's JSON and its numpy arrays."""
    folder = os.path.join(FIXTURES, family)
    with open(os.path.join(folder, name + '.json')) as f:
        meta = json.load(f)
    with np.load(os.path.join(folder, name + '.npz')) as data:
        return meta, {k: data[k] for k in data.files}


def numbered(arrays: dict, prefix: str) -> list:
    """The arrays named <prefix>0, <prefix>1, ... in order."""
    out, i = [], 0
    while f'{prefix}{i}' in arrays:
        out.append(arrays[f'{prefix}{i}'])
        i += 1
    return out


def from_keras(obj):
    """A Keras 3 config after `convert_pythonic_to_ts`, in TF.js's dialect (see the module
    docstring)."""
    if isinstance(obj, list):
        return [from_keras(v) for v in obj]
    if not isinstance(obj, dict):
        return obj
    if obj.get('className') in ('DTypePolicy', 'FloatDTypePolicy'):
        return obj['config']['name']
    if 'className' in obj and 'config' in obj:
        return {'className': obj['className'], 'config': from_keras(obj['config'] or {})}
    return {k: from_keras(v) for k, v in obj.items() if k not in ('module', 'registeredName')}


def keras_layer(class_name: str, config: dict):
    """Our layer deserialized from a Keras class name and `get_config()`."""
    return deserialize({'className': class_name,
                        'config': from_keras(convert_pythonic_to_ts(config))}, kind='layer')
