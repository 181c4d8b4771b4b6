"""TF.js dialect -> Keras 2 (`.h5`) and Keras 3 (`.keras`) configs; see `dialects.py`."""
from __future__ import annotations

import copy

from . import schema
from .dialects import (_CODE_LAYERS, _INIT_TO_KERAS, _KWARG_TENSOR_INPUTS,
                       _NESTED_LAYER_KEYS, LAMBDA_MESSAGE, _has_builtin_node, _is_object)
from .errors import ConfigError, UnsupportedError

_RNN_KEYS = {'name', 'trainable', 'dtype', 'cell', 'return_sequences', 'return_state',
             'go_backwards', 'stateful', 'unroll', 'time_major', 'zero_output_for_mask',
             'batch_input_shape', 'input_shape', 'batch_size'}


def _rnn_config(config: dict) -> dict:
    """TF.js writes a generic RNN's config with its cell's keys spread in; Keras wants only the
    RNN's own (the cell has its config under `cell`)."""
    return {k: v for k, v in config.items() if k in _RNN_KEYS}


def tfjs_to_keras2(topology: dict) -> dict:
    """The TF.js dialect is Keras 2's: the model config is written to `.h5` nearly as is (a
    `Functional` root is kept; tf.keras >= 2.4 and Keras 3 read both it and `Model`); generic
    RNN configs lose the cell keys TF.js spreads into them, and nested layers get the `module`
    key tf.keras >= 2.13 writes (Keras 3's legacy loader needs it to find their class)."""
    return _k2_out(copy.deepcopy(topology), top=True)


def _k2_out(entry, top=False):
    if not _is_object(entry):
        return entry
    cls, config = entry['class_name'], entry.get('config')
    if cls in ('Sequential', 'Functional', 'Model'):
        layers = [_k2_out(l) for l in schema.model_layers(cls, config)]
        if cls == 'Sequential' and layers and layers[0].get('class_name') != 'InputLayer' \
                and 'batch_input_shape' in (layers[0].get('config') or {}):
            # tf.keras >= 2.4 writes an InputLayer (Keras 3's legacy loader needs it)
            first = dict(layers[0]['config'])
            shape = first.pop('batch_input_shape')
            dtype = first.get('dtype') if first.get('dtype') in ('float32', None) else 'float32'
            layers[0] = {**layers[0], 'config': first}
            layers.insert(0, {'class_name': 'InputLayer', 'config': {
                'batch_input_shape': shape, 'dtype': dtype or 'float32', 'sparse': False,
                'ragged': False, 'name': f"{first.get('name', 'layer')}_input"}})
        for layer in layers:
            if layer.get('class_name') in _KWARG_TENSOR_INPUTS and layer.get('inbound_nodes'):
                layer['inbound_nodes'] = [_kwarg_tensors_to_keras2(n, layer['class_name'])
                                          for n in layer['inbound_nodes']]
        if isinstance(config, list):
            entry['config'] = {'name': 'sequential', 'layers': layers}
        else:
            entry['config'] = {**config, 'layers': layers}
        return entry
    if not isinstance(config, dict):
        return entry
    if cls == 'RNN':
        config = _rnn_config(config)
    if cls in _LOOKUPS:
        config = _lookup_to_keras2(cls, config)
    if cls in _K2_CHANNELS_LAST_ONLY and 'data_format' in config:
        config = dict(config)
        if config.pop('data_format') == 'channels_first':
            raise UnsupportedError(f'tf-keras\'s {cls} has no data_format (channels last only); '
                                   f'layer "{config.get("name")}" uses channels_first. Save as '
                                   '.keras.')
    if cls == 'MultiHeadAttention' and 'query_shape' in config:
        config = {**config, 'key_shape': config.get('key_shape', config.get('value_shape'))}
    for key in _NESTED_LAYER_KEYS:
        if _is_object(config.get(key)):
            config[key] = {'module': 'keras.layers', **_k2_out(config[key]),
                           'registered_name': None}
    if isinstance(config.get('cells'), list):
        config['cells'] = [{'module': 'keras.layers', **_k2_out(c), 'registered_name': None}
                           if _is_object(c) else c for c in config['cells']]
    entry['config'] = config
    return entry


def _kwarg_tensors_to_keras2(node: list, class_name: str) -> list:
    """MultiHeadAttention's value / key inputs as tf-keras's call kwargs (see dialects)."""
    if not isinstance(node, list) or len(node) < 2:
        return node
    first = list(node[0]) + ([{}] if len(node[0]) < 4 else [])
    kwargs = dict(first[3] or {})
    for key, item in zip(_KWARG_TENSOR_INPUTS[class_name], node[1:]):
        kwargs[key] = [item[0], int(item[1]), int(item[2])]
    return [first[:3] + [kwargs]]


_LOOKUPS = ('StringLookup', 'IntegerLookup')
_K2_CHANNELS_LAST_ONLY = ('ZeroPadding1D', 'Resizing', 'CenterCrop')
# keys a layer's config has here that Keras 3's constructor refuses (it takes no **kwargs, or
# keeps the value in build_config)
_KERAS3_REFUSED_KEYS = {
    'Discretization': ('trainable',),
    'SpatialDropout1D': ('noise_shape', 'trainable'),
    'SpatialDropout2D': ('noise_shape', 'trainable'),
    'SpatialDropout3D': ('noise_shape', 'trainable'),
    'MultiHeadAttention': ('query_shape', 'value_shape', 'key_shape'),
}


def _lookup_to_keras2(cls: str, config: dict) -> dict:
    """tf-keras's lookup layers take neither `oov_method` (Keras 3's; only its default,
    floormod, exists there) nor StringLookup's `vocabulary_dtype`, and want an integer dtype
    for integer outputs."""
    config = dict(config)
    if config.get('oov_method', 'floormod') != 'floormod':
        raise UnsupportedError(f'{cls} "{config.get("name")}" uses oov_method '
                               f'"{config["oov_method"]}", which tf-keras does not have; save '
                               'as .keras.')
    config.pop('oov_method', None)
    config.pop('salt', None)
    if cls == 'StringLookup':
        config.pop('vocabulary_dtype', None)
    if config.get('output_mode', 'int') == 'int' and config.get('dtype') in (None, 'float32'):
        config['dtype'] = 'int64'
    return config


# ============================================================================ TF.js -> Keras 3

_MODULES = {'initializer': 'keras.initializers', 'regularizer': 'keras.regularizers',
            'constraint': 'keras.constraints'}


def tfjs_to_keras3(topology: dict, shapes: dict | None = None) -> dict:
    """A TF.js-dialect `{class_name, config}` model as Keras 3's config.json dict.

    `shapes` (optional) maps `(layer name, node index, tensor index)` to output shapes, used
    for the `__keras_tensor__` placeholders of functional models (Keras replaces them when it
    rebuilds the graph; unknown shapes are written as `[null]`).
    """
    if not isinstance(topology, dict) or 'class_name' not in topology:
        raise ConfigError('A model topology must be an object with "class_name" and "config".')
    return _model_to_keras3(topology, shapes or {})


def _model_to_keras3(entry: dict, shapes: dict) -> dict:
    cls = entry['class_name']
    config = entry.get('config')
    if cls == 'Sequential':
        layers = [l for l in schema.model_layers(cls, config)]
        out_layers = []
        if layers and layers[0].get('class_name') != 'InputLayer':
            first = layers[0].get('config') or {}
            shape = first.get('batch_input_shape')
            if shape is None and first.get('input_shape') is not None:
                shape = [None] + list(first['input_shape'])
            if shape is not None:
                out_layers.append(_input_layer_to_keras3({
                    'batch_input_shape': shape, 'dtype': first.get('dtype', 'float32'),
                    'sparse': False, 'name': f"{first.get('name', 'layer')}_input"}))
        out_layers += [layer_to_keras3(l, shapes) for l in layers]
        name = config.get('name', 'sequential') if isinstance(config, dict) else 'sequential'
        return {'module': 'keras', 'class_name': 'Sequential',
                'config': {'name': name, 'trainable': True, 'dtype': _policy('float32'),
                           'layers': out_layers},
                'registered_name': None}
    if cls in ('Functional', 'Model'):
        entries = config.get('layers') or []
        shifted = {l.get('name') for l in entries if _has_builtin_node(l)}
        seq = {l.get('name') for l in entries
               if l.get('name') in shifted and l.get('class_name') == 'Sequential'}
        layers = []
        for l in entries:
            item = layer_to_keras3(l, shapes)
            name = l.get('name', (l.get('config') or {}).get('name'))
            item['name'] = name
            item['inbound_nodes'] = [node_to_keras3(n, l['class_name'], shapes, shifted)
                                     for n in l.get('inbound_nodes') or []]
            layers.append(item)

        def refs(key):        # Keras 3 numbers a nested Functional's nodes from 1 here only
            return [[r[0], r[1] - 1 if r[0] in seq else r[1], r[2]]
                    for r in config.get(key, [])]
        return {'module': 'keras.src.models.functional', 'class_name': 'Functional',
                'config': {'name': config.get('name'), 'trainable': True, 'layers': layers,
                           'input_layers': refs('input_layers'),
                           'output_layers': refs('output_layers')},
                'registered_name': 'Functional'}
    raise ConfigError(f'Unsupported model class "{cls}" (expected Sequential, Model or '
                      'Functional).')


def _policy(name: str) -> dict:
    return {'module': 'keras', 'class_name': 'DTypePolicy', 'config': {'name': name},
            'registered_name': None}


def _input_layer_to_keras3(config: dict) -> dict:
    cfg = {'batch_shape': list(config.get('batch_input_shape') or [None]),
           'dtype': config.get('dtype') or 'float32', 'sparse': bool(config.get('sparse')),
           'name': config.get('name')}
    return {'module': 'keras.layers', 'class_name': 'InputLayer', 'config': cfg,
            'registered_name': None}


def node_to_keras3(node: list, class_name: str, shapes: dict, shifted=()) -> dict:
    """A TF.js node `[[layer, node, tensor, kwargs], ...]` as Keras 3's `{args, kwargs}`
    (nested models' node indices lose TF.js's built-in node)."""
    tensors, kwargs = [], {}
    for item in node:
        ref = [item[0], int(item[1]), int(item[2])]
        shape = shapes.get(tuple(ref))
        if ref[0] in shifted:
            ref[1] -= 1
        tensors.append({'class_name': '__keras_tensor__', 'config': {
            'shape': list(shape) if shape is not None else [None],
            'dtype': 'float32', 'keras_history': ref}})
        if len(item) > 3 and isinstance(item[3], dict):
            kwargs.update(item[3])
    if class_name in _KWARG_TENSOR_INPUTS:
        args = tensors[:2]
        for key, t in zip(_KWARG_TENSOR_INPUTS[class_name][1:], tensors[2:]):
            kwargs[key] = t
        return {'args': args, 'kwargs': kwargs}
    return {'args': [tensors[0] if len(tensors) == 1 else tensors], 'kwargs': kwargs}


def layer_to_keras3(entry: dict, shapes: dict | None = None) -> dict:
    """One TF.js-dialect layer entry as a Keras 3 serialized layer (no nodes)."""
    cls = entry.get('class_name')
    if cls in _CODE_LAYERS:
        raise UnsupportedError(LAMBDA_MESSAGE.format(
            name=(entry.get('config') or {}).get('name'), cls=cls))
    if cls in ('Sequential', 'Functional', 'Model'):
        return _model_to_keras3(entry, shapes or {})
    config = dict(entry.get('config') or {})
    if cls == 'InputLayer':
        return _input_layer_to_keras3(config)
    if cls == 'RNN':
        config = _rnn_config(config)
    if config.get('time_major') is False:
        config.pop('time_major')
    config.pop('batch_input_shape', None)
    config.pop('input_shape', None)
    config.pop('batch_size', None)
    out = {}
    for key, value in config.items():
        if value is None and key in ('unit_forget_bias', 'implementation'):
            continue
        out[key] = _value_to_keras3(key, value, shapes)
    if 'dtype' in out and isinstance(out['dtype'], str):
        out['dtype'] = _policy(out['dtype'])
    k3_cls = schema.keras3_class(cls)
    if cls == 'LeakyReLU' and 'alpha' in out:
        out['negative_slope'] = out.pop('alpha')
    elif cls == 'ThresholdedReLU':
        k3_cls = 'ReLU'
        out = {'name': out.get('name'), 'trainable': out.get('trainable', True),
               'dtype': out.get('dtype', _policy('float32')), 'max_value': None,
               'negative_slope': 0.0, 'threshold': float(out.get('theta', 1.0))}
    elif cls == 'Embedding':
        out.pop('input_length', None)
    elif cls == 'StringLookup':
        out.pop('vocabulary_dtype', None)        # Keras 3's StringLookup sets it itself
    for key in _KERAS3_REFUSED_KEYS.get(cls, ()):
        out.pop(key, None)
    return {'module': 'keras.layers', 'class_name': k3_cls, 'config': out,
            'registered_name': None}


def _value_to_keras3(key, value, shapes):
    if isinstance(value, dict):
        if _is_object(value):
            if key in _NESTED_LAYER_KEYS:
                return layer_to_keras3(value, shapes)
            return _object_to_keras3(key, value)
        return {k: _value_to_keras3(k, v, shapes) for k, v in value.items()}
    if isinstance(value, list):
        if key == 'cells':
            return [layer_to_keras3(v, shapes) if _is_object(v) else v for v in value]
        return [_value_to_keras3(None, v, shapes) for v in value]
    if key in ('activation', 'recurrent_activation') and value == 'gelu_new':
        raise UnsupportedError('The activation "gelu_new" (tanh-approximated GELU) has no Keras 3 '
                               'name; use "gelu" or a custom activation.')
    return value


def _object_to_keras3(key, value: dict) -> dict:
    cls = value['class_name']
    cfg = value.get('config')
    module = None
    if isinstance(key, str):
        for suffix, mod in _MODULES.items():
            if key.endswith(suffix):
                module = mod
    if module == 'keras.initializers':
        cls = _INIT_TO_KERAS.get(cls, cls)
    out = dict(cfg) if isinstance(cfg, dict) else cfg
    return {'module': module or 'keras', 'class_name': cls, 'config': out,
            'registered_name': None}
