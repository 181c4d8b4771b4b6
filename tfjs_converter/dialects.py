"""The Keras JSON dialects, translated both ways.

Three dialects of the same `{class_name, config}` topology exist:

* **TF.js** (`model.json`, the converter's internal form): Keras 2 style, snake_case keys,
  `batch_input_shape`, list-style `inbound_nodes` (`[[layer, node, tensor, kwargs], ...]`),
  dtype strings, `hard_sigmoid` meaning `clip(0.2 x + 0.5, 0, 1)`.
* **Keras 2** (tf.keras / tf-keras `.h5`): the same, plus class names TF.js lacks, Keras 2.2's
  Sequential config that is a bare list of layers, mixed-precision `Policy` dicts.
* **Keras 3** (`.keras` and Keras 3 `.h5`): `module` / `registered_name` on every object, dtype
  policy dicts, `batch_shape`, args/kwargs `inbound_nodes` holding `__keras_tensor__` objects,
  `Functional` roots, an explicit InputLayer in every Sequential, `build_config` /
  `compile_config`, LeakyReLU `negative_slope`, and `hard_sigmoid` meaning `relu6(x + 3) / 6`.

`keras3_to_tfjs` / `tfjs_to_keras3` and `keras2_to_tfjs` / `tfjs_to_keras2` translate whole
topologies; `rescale_hard_sigmoid` makes the `hard_sigmoid` difference exact by scaling the
weights that feed it (`relu6(x + 3) / 6 == clip(0.2 (5/6 x) + 0.5, 0, 1)`), which is possible
wherever a linear map precedes the activation (Dense, convolutions, the gates of recurrent
layers); elsewhere (an Activation layer, an LSTM's output activation) it is an error.

>>> k3 = {'module': 'keras.layers', 'class_name': 'LeakyReLU', 'registered_name': None,
...       'config': {'name': 'lr', 'negative_slope': 0.1, 'dtype': {'module': 'keras',
...                  'class_name': 'DTypePolicy', 'config': {'name': 'float32'}}}}
>>> layer_from_keras3(k3)
{'class_name': 'LeakyReLU', 'config': {'name': 'lr', 'dtype': 'float32', 'alpha': 0.1}}
"""
from __future__ import annotations

from typing import Any

from . import schema
from .errors import ConfigError, UnsupportedError

LAMBDA_MESSAGE = (
    'Layer "{name}" is a {cls} layer: it holds Python code, which cannot be written to another '
    'format (and is never run by this converter). Write the computation as a layer class, '
    'register it (tf.serialization.registerClass in TF.js and tfjs, '
    'keras.saving.register_keras_serializable in Keras) and use it instead of the {cls}.')
LAMBDA_NOTE = (
    'layer "{name}" is a {cls}: its Python code was dropped (never run); to load the model, '
    'register a class named "{cls}" (tf.serialization.registerClass) that computes it')
_CODE_KEYS = ('function', 'function_type', 'module', 'output_shape_type', 'output_shape_module')
_CODE_LAYERS = ('Lambda', 'TFOpLambda', 'SlicingOpLambda', 'TensorFlowOpLayer')
_KERAS3_ONLY_INERT = {           # keys Keras 3 writes that mean nothing when at these values
    'lora_rank': None, 'lora_alpha': None, 'quantization_config': None, 'optional': False,
    'ragged': False, 'zero_output_for_mask': False, 'use_cudnn': 'auto',
    'input_axes': None, 'output_axes': None,
}
_DROP_KEYS = ('module', 'registered_name', 'build_config', 'compile_config', 'shared_object_id')
_INIT_TO_TFJS = {'LecunNormal': 'LeCunNormal', 'LecunUniform': 'LeCunUniform',
                 'IdentityInitializer': 'Identity'}
_INIT_TO_KERAS = {v: k for k, v in _INIT_TO_TFJS.items() if k != 'IdentityInitializer'}
_ACTIVATION_TO_TFJS = {'silu': 'swish'}
_NESTED_LAYER_KEYS = ('layer', 'backward_layer', 'cell')
_RENAMED = {'BatchNormalizationV1': 'BatchNormalization', 'UnifiedGRU': 'GRU',
            'UnifiedLSTM': 'LSTM'}            # TF 1.13-era class names
_KWARG_TENSOR_INPUTS = {'MultiHeadAttention': ('value', 'key')}


# ===================================================================================== helpers

def _is_object(v) -> bool:
    return isinstance(v, dict) and 'class_name' in v and 'config' in v


def dtype_name(value) -> Any:
    """A dtype from a string or a Keras dtype policy dict (mixed policies keep float32
    variables, which is what a file stores)."""
    if isinstance(value, dict):
        cfg = value.get('config') or {}
        name = cfg.get('name') if isinstance(cfg, dict) else None
        if not isinstance(name, str):
            return 'float32'
        value = name
    if isinstance(value, str) and (value.startswith('mixed_') or value in ('float16', 'bfloat16',
                                                                           'float64', 'half',
                                                                           'double')):
        return 'float32'
    return value


def is_keras3_topology(topology) -> bool:
    """Whether a topology is in the Keras 3 dialect (args/kwargs nodes, `batch_shape`, dtype
    policies). (`module` keys alone do not tell: tf-keras >= 2.13 writes them too.)"""
    def visit(obj) -> bool:
        if isinstance(obj, dict):
            if 'batch_shape' in obj or ('args' in obj and 'kwargs' in obj):
                return True
            if obj.get('class_name') in ('DTypePolicy', 'FloatDTypePolicy', '__keras_tensor__'):
                return True
            return any(visit(v) for v in obj.values())
        if isinstance(obj, list):
            return any(visit(v) for v in obj)
        return False
    return visit(topology)


def keras3_semantics(keras_version, topology=None) -> bool:
    """Whether `hard_sigmoid` in a file means Keras 3's relu6(x + 3) / 6: files written by Keras
    3 (`keras_version` 3.x); Keras 2, tf-keras (also its `.keras` files) and TF.js mean
    clip(0.2x + 0.5, 0, 1). Without a version, the dialect decides."""
    v = str(keras_version or '')
    if v[:1].isdigit():
        return v.startswith('3')
    if v:
        return False                      # 'tfjs-layers 4.22.0' and the like
    return topology is not None and is_keras3_topology(topology)


def model_json_topology_to_tfjs(topology, keras_version=None):
    """A `model.json` topology in the TF.js dialect. Converted models carry the Keras config
    as Keras wrote it (tensorflowjs copies tf.keras's `module` keys, `axis: [3]`, InputLayers
    in Sequentials; a Keras 3 config's dialect entirely); those are translated. Topologies TF.js
    saved (`keras_version` "tfjs-layers ...") are returned as they are."""
    if not isinstance(topology, dict) or str(keras_version or '').startswith('tfjs'):
        return topology
    if keras_version is None and not (is_keras3_topology(topology)
                                      or _has_key(topology, 'module')):
        return topology
    return keras3_to_tfjs(topology)


def _has_key(obj, key) -> bool:
    if isinstance(obj, dict):
        return key in obj or any(_has_key(v, key) for v in obj.values())
    if isinstance(obj, list):
        return any(_has_key(v, key) for v in obj)
    return False


def _numpy_value(obj):
    """Keras 3 serializes arrays in configs as `__numpy__` / `__tensor__` objects."""
    cfg = obj.get('config') or {}
    return cfg.get('value')


# ============================================================================ Keras 3 -> TF.js

def keras3_to_tfjs(topology: dict, notes: list | None = None) -> dict:
    """A Keras model config (Keras 3 config.json, or a Keras 2 / 2.2 `model_config`) in the
    TF.js dialect. `notes` collects what was dropped (masks Keras 3 records explicitly)."""
    if not isinstance(topology, dict) or 'class_name' not in topology:
        raise ConfigError('A Keras model config must be an object with "class_name" and '
                          '"config".')
    return _model_from_keras3(topology, notes if notes is not None else [])


def _has_builtin_node(item: dict) -> bool:
    """Whether TF.js (and Keras 2) give this layer a node of its own before its calls: nested
    functional models, and Sequential models that know their input."""
    cls, cfg = item['class_name'], item.get('config') or {}
    if cls in ('Functional', 'Model'):
        return True
    if cls == 'Sequential':
        layers = cfg.get('layers') or []
        return bool(layers) and (layers[0].get('class_name') == 'InputLayer'
                                 or 'batch_input_shape' in (layers[0].get('config') or {}))
    return False


def _shift(ref: list, shifted: set) -> list:
    return [ref[0], ref[1] + 1 if ref[0] in shifted else ref[1]] + list(ref[2:])


def _is_op_layer(entry: dict) -> bool:
    return str(entry.get('module') or '').startswith(('keras.src.ops', 'keras.ops'))


def _model_from_keras3(entry: dict, notes: list) -> dict:
    cls = entry['class_name']
    config = entry.get('config')
    if config is None:
        config = {}
    if cls == 'Sequential':
        if isinstance(config, list):                     # Keras 2.2: a bare list of layers
            config = {'name': 'sequential', 'layers': config}
        layers = [layer_from_keras3(l, notes) for l in config.get('layers') or []]
        shape = None
        if layers and layers[0]['class_name'] == 'InputLayer' and len(layers) > 1:
            shape = layers.pop(0)['config'].get('batch_input_shape')
        elif config.get('build_input_shape') is not None:
            shape = list(config['build_input_shape'])
        if shape is not None and layers and 'batch_input_shape' not in layers[0]['config']:
            # TF.js's form: the first layer carries the input shape (no InputLayer entry)
            first = layers[0]['config']
            layers[0]['config'] = {**first, 'batch_input_shape': list(shape)}
        out = {'name': config.get('name'), 'layers': layers}
        return {'class_name': 'Sequential', 'config': out}
    if cls in ('Functional', 'Model'):
        items, ops = [], set()
        for l in config.get('layers') or []:
            name = l.get('name', (l.get('config') or {}).get('name'))
            if _is_op_layer(l):
                ops.add(name)
                items.append((l, {'class_name': l['class_name'], 'config': {}}, name))
                continue
            items.append((l, layer_from_keras3(l, notes), name))
        shifted = {name for _, item, name in items if _has_builtin_node(item)}
        keras3_nodes = False
        layers, mask_sources = [], set()
        for l, item, name in items:
            nodes = []
            for n in l.get('inbound_nodes') or []:
                if isinstance(n, dict):
                    keras3_nodes = True
                    node = [_shift(r, shifted) for r in node_from_keras3(
                        n, item['class_name'], name, notes, mask_sources)]
                else:
                    node = _kwarg_tensors_from_keras2([list(r) for r in n], item['class_name'])
                nodes.append(node)
            layers.append({'name': name, 'class_name': item['class_name'],
                           'config': item['config'], 'inbound_nodes': nodes})
        refs = [_refs_from_keras3(config.get(k)) for k in ('input_layers', 'output_layers')]
        if keras3_nodes:       # Keras 3 numbers a nested Functional's nodes from 1 here only
            seq = {n for n in shifted if n not in _functional_names(items)}
            refs = [[_shift(r, seq) for r in rs] for rs in refs]
        # drop what only computed masks (TF.js computes them itself), then refuse other ops
        droppable = ops | (mask_sources - {r[0] for rs in refs for r in rs})
        while True:
            used = {r[0] for l in layers for node in l['inbound_nodes'] for r in node} | \
                {r[0] for rs in refs for r in rs}
            drop = {l['name'] for l in layers if l['name'] in droppable and l['name'] not in used}
            if not drop:
                break
            layers = [l for l in layers if l['name'] not in drop]
        for op in sorted(ops & {l['name'] for l in layers}):
            raise UnsupportedError(
                f'Layer "{op}" is a Keras operation (keras.ops, {_op_class(items, op)}) used in '
                'the model graph; it has no TF.js layer. Wrap it in a layer class and register '
                'it, or compute it outside the model.')
        out = {'name': config.get('name'), 'layers': layers, 'input_layers': refs[0],
               'output_layers': refs[1]}
        return {'class_name': 'Functional', 'config': out}
    raise ConfigError(f'Unsupported model class "{cls}" in a Keras config (expected Sequential or '
                      'Functional; subclassed models have no config to convert).')


def _functional_names(items) -> set:
    return {name for _, item, name in items if item['class_name'] in ('Functional', 'Model')}


def _op_class(items, name) -> str:
    return next((l.get('class_name') for l, _, n in items if n == name), '?')


def _refs_from_keras3(refs) -> list:
    """input_layers / output_layers: a single `[name, node, tensor]`, a list or a dict of them."""
    if refs is None:
        return []
    if isinstance(refs, dict):
        return [list(refs[k]) for k in sorted(refs)]
    if len(refs) == 3 and isinstance(refs[0], str) and isinstance(refs[1], int):
        return [list(refs)]
    return [list(r) for r in refs]


def _keras_tensor_ref(obj):
    if isinstance(obj, dict) and obj.get('class_name') == '__keras_tensor__':
        history = (obj.get('config') or {}).get('keras_history')
        if not isinstance(history, list) or len(history) != 3:
            raise ConfigError(f'Malformed __keras_tensor__ in a Keras 3 config: {obj!r}')
        return list(history)
    return None


def _flat_tensors(obj) -> list:
    ref = _keras_tensor_ref(obj)
    if ref is not None:
        return [ref]
    if isinstance(obj, (list, tuple)):
        return [r for item in obj for r in _flat_tensors(item)]
    if isinstance(obj, dict) and not _is_object(obj):
        return [r for k in sorted(obj) for r in _flat_tensors(obj[k])]
    return []


def _is_ref(value) -> bool:
    return isinstance(value, list) and len(value) == 3 and isinstance(value[0], str)


def _kwarg_tensors_from_keras2(node: list, class_name: str) -> list:
    """tf-keras writes MultiHeadAttention's `value` / `key` tensors as call kwargs
    (`[[query, 0, 0, {'value': [v, 0, 0]}]]`); TF.js lists them as further inputs."""
    keys = _KWARG_TENSOR_INPUTS.get(class_name)
    if not keys or not node or not isinstance(node[0], list) or len(node[0]) < 4 or \
            not isinstance(node[0][3], dict):
        return node
    first = list(node[0])
    kwargs = dict(first[3])
    extra = [list(kwargs.pop(k)) + [{}] for k in keys if _is_ref(kwargs.get(k))]
    if not extra:
        return node
    return [first[:3] + [kwargs]] + extra + [list(item) for item in node[1:]]


def node_from_keras3(node, class_name: str = '', layer_name: str = '',
                     notes: list | None = None, mask_sources=None) -> list:
    """One Keras 3 node `{args, kwargs}` as a TF.js node `[[layer, node, tensor, kwargs]...]`.

    Keras 3 records the masks it propagates (`kwargs.mask`, often computed by a `keras.ops`
    layer); TF.js propagates masks itself, so such tensors are dropped (and noted)."""
    if isinstance(node, list):                          # already the list form (Keras 2)
        return _kwarg_tensors_from_keras2(node, class_name)
    if not isinstance(node, dict) or 'args' not in node:
        raise ConfigError(f'Malformed inbound node of layer "{layer_name}": {node!r}')
    args = node.get('args') or []
    kwargs = dict(node.get('kwargs') or {})
    refs = _flat_tensors(args)
    for key in _KWARG_TENSOR_INPUTS.get(class_name, ()):
        if key in kwargs and _flat_tensors(kwargs[key]):
            refs += _flat_tensors(kwargs.pop(key))
    plain = {}
    for key, value in kwargs.items():
        if value is None:
            continue
        tensors = _flat_tensors(value)
        if tensors and key == 'mask':
            if isinstance(mask_sources, set):
                mask_sources.update(t[0] for t in tensors)
            if notes is not None:
                notes.append(f'layer "{layer_name}": the mask Keras recorded (from '
                             f'{", ".join(t[0] for t in tensors)}) is left to TF.js\'s mask '
                             'propagation')
            continue
        if tensors:
            raise UnsupportedError(
                f'Layer "{layer_name}" is called with a tensor for "{key}" in the model graph; '
                'only the layer inputs (and MultiHeadAttention value/key) can be converted.')
        plain[key] = value
    if not refs:
        raise ConfigError(f'Inbound node of layer "{layer_name}" has no input tensors.')
    return [ref + [plain] for ref in refs]


def layer_from_keras3(entry: dict, notes: list | None = None) -> dict:
    """`{class_name, config}` of one layer (or nested model) in the TF.js dialect."""
    if not isinstance(entry, dict) or 'class_name' not in entry:
        raise ConfigError(f'Malformed layer in a Keras config: {entry!r}')
    cls = _RENAMED.get(entry['class_name'], entry['class_name'])
    config = entry.get('config')
    name = (config or {}).get('name') if isinstance(config, dict) else None
    if cls in _CODE_LAYERS:
        # The code is dropped, never decoded: tfjs's loader then asks for a registered class
        # of this name (tf.serialization.registerClass), as TF.js does.
        if notes is not None:
            notes.append(LAMBDA_NOTE.format(name=name or entry.get('name'), cls=cls))
        config = {k: v for k, v in (config or {}).items()
                  if k not in _CODE_KEYS and k not in _DROP_KEYS}
        if isinstance(config.get('dtype'), dict):
            config['dtype'] = dtype_name(config['dtype'])
        if not isinstance(config.get('output_shape'), list):
            config.pop('output_shape', None)
        return {'class_name': cls, 'config': config}
    if cls in ('Sequential', 'Functional', 'Model'):
        return _model_from_keras3({**entry, 'class_name': cls}, notes if notes is not None
                                  else [])
    if not isinstance(config, dict):
        raise ConfigError(f'Malformed config of layer "{entry.get("name")}" ({cls}).')
    out = {}
    for key, value in config.items():
        if key in _DROP_KEYS:
            continue
        if key in _KERAS3_ONLY_INERT and value == _KERAS3_ONLY_INERT[key]:
            continue
        out[key] = _value_from_keras3(key, value)
    if cls == 'InputLayer':
        if 'batch_shape' in out:
            out['batch_input_shape'] = out.pop('batch_shape')
        elif 'shape' in out:
            out['batch_input_shape'] = [out.pop('batch_size', None)] + list(out.pop('shape'))
        out.pop('batch_size', None)
        out.pop('input_tensor', None)
    elif cls == 'LeakyReLU' and 'negative_slope' in out:
        out['alpha'] = out.pop('negative_slope')
    elif cls == 'ReLU':
        for key in ('negative_slope', 'threshold'):
            if out.get(key) in (0, 0.0):
                out.pop(key)
    elif cls == 'Bidirectional':
        _bidirectional_from_keras3(out)
    elif cls == 'BatchNormalization' and isinstance(out.get('axis'), list) \
            and len(out['axis']) == 1:
        out['axis'] = out['axis'][0]               # tf.keras writes [3]; TF.js wants 3
    return {'class_name': cls, 'config': out}


def _bidirectional_from_keras3(config: dict) -> None:
    forward = config.get('layer')
    if isinstance(forward, dict):
        fcfg = forward.get('config', {})
        if isinstance(fcfg.get('name'), str) and fcfg['name'].startswith('forward_'):
            fcfg['name'] = fcfg['name'][len('forward_'):]
    backward = config.get('backward_layer')
    if isinstance(backward, dict) and isinstance(forward, dict):
        same = backward.get('class_name') == forward.get('class_name')
        b = dict(backward.get('config', {}))
        f = dict(forward.get('config', {}))
        for d in (b, f):
            d.pop('name', None)
            d.pop('go_backwards', None)
        if same and b == f:
            config.pop('backward_layer')


def _value_from_keras3(key: str | None, value):
    if key == 'dtype':
        return dtype_name(value)
    if key == 'activation' or key == 'recurrent_activation':
        if isinstance(value, dict):                   # {"class_name": "function", ...}
            value = (value.get('config') if isinstance(value.get('config'), str)
                     else value.get('class_name'))
        return _ACTIVATION_TO_TFJS.get(value, value)
    if isinstance(value, list):
        if key == 'cells':
            return [layer_from_keras3(v) if _is_object(v) else v for v in value]
        return [_value_from_keras3(None, v) for v in value]
    if isinstance(value, dict):
        if set(value) == {'type', 'value'} and value.get('type') == 'ndarray':
            return value['value']
        if value.get('class_name') in ('__numpy__', '__tensor__'):
            return _numpy_value(value)
        if value.get('class_name') == '__tuple__':
            return list((value.get('config') or {}).get('value') or [])
        if _is_object(value):
            if key in _NESTED_LAYER_KEYS:
                return layer_from_keras3(value)
            return _object_from_keras3(key, value)
        return {k: _value_from_keras3(k, v) for k, v in value.items() if k not in _DROP_KEYS}
    return value


def _object_from_keras3(key, value: dict) -> dict:
    """Initializers, regularizers, constraints (and any other nested `{class_name, config}`)."""
    cls = value['class_name']
    cfg = value.get('config')
    if not isinstance(cfg, dict):
        return {'class_name': cls, 'config': cfg}
    out = {}
    for k, v in cfg.items():
        if k in _DROP_KEYS or (k in _KERAS3_ONLY_INERT and v == _KERAS3_ONLY_INERT[k]
                               and k in ('input_axes', 'output_axes')):
            continue
        out[k] = _value_from_keras3(k, v)
    if isinstance(key, str) and key.endswith('_regularizer') and cls in ('L1', 'L2'):
        out = {'l1': float(out.get('l1', 0.0)) if cls == 'L1' else 0.0,
               'l2': float(out.get('l2', 0.0)) if cls == 'L2' else 0.0}
        cls = 'L1L2'
    if isinstance(key, str) and key.endswith('_initializer'):
        cls = _INIT_TO_TFJS.get(cls, cls)
    return {'class_name': cls, 'config': out}


# ============================================================================ Keras 2 -> TF.js

def keras2_to_tfjs(topology: dict) -> dict:
    """A Keras 2 (tf.keras / tf-keras / Keras 2.2) model config in the TF.js dialect: bare-list
    Sequential configs wrapped, dtype policies as strings, TF 1.13-era class names updated,
    `{type: ndarray}` scalars unwrapped. (The same translation as `keras3_to_tfjs`, which reads
    both dialects; node indices are only shifted for Keras 3's args/kwargs nodes.)"""
    return keras3_to_tfjs(topology)


# ======================================================================= training configs

def training_config_from_compile_config(compile_config) -> dict | None:
    """Keras 3's `compile_config` as a Keras 2 `training_config` (kept beside the model config,
    as the tensorflowjs converter does; TF.js ignores it)."""
    if not isinstance(compile_config, dict) or not compile_config:
        return None
    opt = compile_config.get('optimizer')
    opt_cfg = None
    if isinstance(opt, dict):
        opt_cfg = {'class_name': opt.get('class_name'),
                   'config': {k: v for k, v in (opt.get('config') or {}).items()}}
    elif isinstance(opt, str):
        opt_cfg = {'class_name': opt, 'config': {}}
    out = {'loss': _strip_modules(compile_config.get('loss')),
           'metrics': _strip_modules(compile_config.get('metrics')),
           'weighted_metrics': _strip_modules(compile_config.get('weighted_metrics')),
           'loss_weights': compile_config.get('loss_weights'),
           'optimizer_config': opt_cfg}
    return out


def _strip_modules(value):
    if isinstance(value, dict):
        if _is_object(value) and value.get('class_name') == 'function':
            return value.get('config')
        return {k: _strip_modules(v) for k, v in value.items() if k not in _DROP_KEYS}
    if isinstance(value, list):
        return [_strip_modules(v) for v in value]
    return value


# The writing direction and the hard_sigmoid translation live in their own modules; they are
# part of this module's API.
from .dialects_out import (layer_to_keras3, node_to_keras3,  # noqa: E402,F401
                           tfjs_to_keras2, tfjs_to_keras3)
from .hard_sigmoid import (KERAS3_HARD_SIGMOID_TO_TFJS,  # noqa: E402,F401
                           TFJS_HARD_SIGMOID_TO_KERAS3, hard_sigmoid_uses,
                           rescale_hard_sigmoid)
