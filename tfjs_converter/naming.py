"""Name conversions: TF.js's camelCase <-> snake_case rules and Keras's class-name rule.

>>> to_snake_case('batchInputShape'), to_camel_case('beta_1')
('batch_input_shape', 'beta1')
>>> keras_snake_case('PReLU'), keras_snake_case('Conv2D')
('p_re_lu', 'conv2d')
"""
from __future__ import annotations

import re

_SNAKE_1 = re.compile(r'(.)([A-Z][a-z0-9]+)')
_SNAKE_2 = re.compile(r'([a-z])([A-Z])')
_CAMEL = re.compile(r'_+(.)')
_NON_WORD = re.compile(r'\W+')


def to_snake_case(name: str) -> str:
    """TF.js's `toSnakeCase` (`kernelInitializer` -> `kernel_initializer`)."""
    s = _SNAKE_2.sub(r'\1_\2', _SNAKE_1.sub(r'\1_\2', name)).lower()
    return 'private' + s if s.startswith('_') else s


def to_camel_case(name: str) -> str:
    """TF.js's `toCamelCase` (`batch_input_shape` -> `batchInputShape`)."""
    if len(name) <= 1 or '_' not in name:
        return name
    return _CAMEL.sub(lambda m: m.group(1).upper(), name)


def keras_snake_case(name: str) -> str:
    """Keras's `naming.to_snake_case`, which names the groups of a `.keras` weights file
    after the Python class of each layer (`BatchNormalization` -> `batch_normalization`)."""
    name = _NON_WORD.sub('', name)
    name = re.sub('(.)([A-Z][a-z]+)', r'\1_\2', name)
    return re.sub('([a-z])([A-Z])', r'\1_\2', name).lower()


def unique_name(base: str, used: dict) -> str:
    """Keras's `_get_unique_name`: `dense`, `dense_1`, `dense_2`, ..."""
    if base in used:
        used[base] += 1
        return f'{base}_{used[base]}'
    used[base] = 0
    return base
