"""TF.js's whole-config converters (`convertTsToPythonic`, `convertPythonicToTs`).

Saving snake-cases every key and every string value, except values under `name` and
`className` and the layer names at index 0 of `inboundNodes` / `inputLayers` / `outputLayers`
entries. Loading does the mirror image. (Data strings of the Keras lookup layers, under
`vocabulary`, `oovToken` and `maskToken`, keys TF.js does not have, are kept verbatim.)

>>> convert_ts_to_pythonic({'dataFormat': 'channelsLast', 'name': 'myLayer'})
{'data_format': 'channels_last', 'name': 'myLayer'}
"""
from __future__ import annotations

from typing import Any

from .._naming import to_camel_case, to_snake_case

_LAYER_NAME_KEYS_TS = ('inboundNodes', 'inputLayers', 'outputLayers')
_LAYER_NAME_KEYS_PY = ('inbound_nodes', 'input_layers', 'output_layers')
_VERBATIM_KEYS = ('name', 'className', 'class_name', 'vocabulary', 'oovToken', 'oov_token',
                  'maskToken', 'mask_token')


def _is_layer_ref(value) -> bool:
    return isinstance(value, list) and len(value) >= 1 and isinstance(value[0], str)


def convert_ts_to_pythonic(config: Any, key: str | None = None) -> Any:
    """camelCase config (from getConfig) -> snake_case JSON config, TF.js's exact rules."""
    if config is None:
        return None
    if isinstance(config, str):
        return config if key in _VERBATIM_KEYS else to_snake_case(config)
    if isinstance(config, (bool, int, float)):
        return config
    if isinstance(config, (list, tuple)):
        out = []
        if key in _LAYER_NAME_KEYS_TS and _is_layer_ref(list(config)):
            out.append(config[0])
            out.extend(convert_ts_to_pythonic(v, key) for v in config[1:])
            return out
        return [convert_ts_to_pythonic(v, key) for v in config]
    if isinstance(config, dict):
        return {to_snake_case(k): convert_ts_to_pythonic(v, k) for k, v in config.items()}
    if hasattr(config, 'tolist'):
        return config.tolist()
    raise TypeError(f'Cannot serialize a {type(config).__name__} in a layer config: {config!r}.')


def convert_pythonic_to_ts(config: Any, key: str | None = None) -> Any:
    """snake_case JSON config -> camelCase config (as passed to fromConfig), TF.js's exact rules."""
    if config is None:
        return None
    if isinstance(config, str):
        return config if key in _VERBATIM_KEYS else to_camel_case(config)
    if isinstance(config, (bool, int, float)):
        return config
    if isinstance(config, list):
        if key in _LAYER_NAME_KEYS_PY and _is_layer_ref(config):
            return [config[0]] + [convert_pythonic_to_ts(v, key) for v in config[1:]]
        return [convert_pythonic_to_ts(v, key) for v in config]
    if isinstance(config, dict):
        if set(config) == {'type', 'value'} and config.get('type') == 'ndarray':
            return config['value']
        return {to_camel_case(k): convert_pythonic_to_ts(v, k) for k, v in config.items()}
    return config

