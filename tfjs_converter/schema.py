"""Which weights each layer has: their TF.js names, their place in a Keras 3 weights file, and
whether they are trainable, computed from a layer's config alone (no framework needed).

A `Slot` is one weight of one layer:

* `name`: the TF.js weight name relative to the layer (`kernel`, `forward_lstm/kernel`); TF.js
  saves it as `<layer name>/<name>`, except for layers of a nested model, whose slots are
  `absolute` (`dense_1/kernel`, without the nested model's name).
* `k3`: the path under the layer's group in a Keras 3 weights file (`vars/0`, `cell/vars/1`,
  `forward_layer/cell/vars/2`); Keras 3 addresses variables by position, not by name.
* `trainable`: Keras's legacy `.h5` files list each layer's trainable weights first.
* `preact`: for the `hard_sigmoid` translation (see `dialects.py`): which part of this weight
  feeds the pre-activation of `activation` / `recurrent_activation`: `'all'`, or
  `(parts, indices)` for gates stacked along the last axis (LSTM `i, f, c, o`; GRU `z, r, h`).

The order of the slots of a layer is the order in which Keras and TF.js create the weights
(trainable and non-trainable interleaved, as Keras 3 numbers them). The test
tests/convert/test_schema.py checks this table against the layers of `tfjs`.

>>> [(s.name, s.k3) for s in layer_slots('LSTM', {'name': 'lstm', 'units': 2})]
[('kernel', 'cell/vars/0'), ('recurrent_kernel', 'cell/vars/1'), ('bias', 'cell/vars/2')]
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from .errors import UnsupportedError
from .naming import keras_snake_case, unique_name

MODEL_CLASSES = ('Sequential', 'Functional', 'Model')


@dataclass(frozen=True)
class Slot:
    name: str
    k3: str
    trainable: bool = True
    absolute: bool = False
    preact: dict = field(default_factory=dict, hash=False, compare=False)
    acts: dict = field(default_factory=dict, hash=False, compare=False)


class UnknownLayerWeights(UnsupportedError):
    """The converter does not know the weights of a layer class."""

    def __init__(self, what):
        super().__init__(f'The converter does not know the weights of layer class {what}: a '
                         'custom or unsupported layer. Its weights cannot be placed in a Keras '
                         'file.' if isinstance(what, str) and ' ' not in what else str(what))
        self.what = what


# Keras 3 Python class behind each class name (aliases are the same class); the .keras
# weights file names layer groups after it.
KERAS3_CLASS = {
    'Model': 'Functional',
    'Convolution1D': 'Conv1D', 'Convolution2D': 'Conv2D', 'Convolution3D': 'Conv3D',
    'Convolution1DTranspose': 'Conv1DTranspose', 'Convolution2DTranspose': 'Conv2DTranspose',
    'Convolution3DTranspose': 'Conv3DTranspose',
    'SeparableConvolution1D': 'SeparableConv1D', 'SeparableConvolution2D': 'SeparableConv2D',
    'MaxPool1D': 'MaxPooling1D', 'MaxPool2D': 'MaxPooling2D', 'MaxPool3D': 'MaxPooling3D',
    'AvgPool1D': 'AveragePooling1D', 'AvgPool2D': 'AveragePooling2D',
    'AvgPool3D': 'AveragePooling3D',
    'GlobalMaxPool1D': 'GlobalMaxPooling1D', 'GlobalMaxPool2D': 'GlobalMaxPooling2D',
    'GlobalMaxPool3D': 'GlobalMaxPooling3D', 'GlobalAvgPool1D': 'GlobalAveragePooling1D',
    'GlobalAvgPool2D': 'GlobalAveragePooling2D', 'GlobalAvgPool3D': 'GlobalAveragePooling3D',
    'BatchNormalizationV1': 'BatchNormalization', 'UnifiedGRU': 'GRU', 'UnifiedLSTM': 'LSTM',
}

_KERNEL_BIAS = {'Dense', 'Conv1D', 'Conv2D', 'Conv3D', 'Conv1DTranspose', 'Conv2DTranspose',
                'Conv3DTranspose'}
_DEPTHWISE = {'DepthwiseConv1D', 'DepthwiseConv2D'}
_SEPARABLE = {'SeparableConv1D', 'SeparableConv2D'}
_CELLS = {'SimpleRNNCell': 'SimpleRNN', 'GRUCell': 'GRU', 'LSTMCell': 'LSTM'}
_RNNS = {'SimpleRNN', 'GRU', 'LSTM'}
# Layers that never have weights (a file holding weights for one of them is an error).
NO_WEIGHTS = {
    'InputLayer', 'Activation', 'ActivityRegularization', 'Add', 'AlphaDropout', 'Average',
    'AveragePooling1D', 'AveragePooling2D', 'AveragePooling3D', 'CategoryEncoding', 'CenterCrop',
    'Concatenate', 'Cropping1D', 'Cropping2D', 'Cropping3D', 'Dot', 'Dropout', 'ELU', 'Flatten',
    'GaussianDropout', 'GaussianNoise', 'GlobalAveragePooling1D', 'GlobalAveragePooling2D',
    'GlobalAveragePooling3D', 'GlobalMaxPooling1D', 'GlobalMaxPooling2D', 'GlobalMaxPooling3D',
    'Hashing', 'Identity', 'LeakyReLU', 'Masking', 'MaxPooling1D', 'MaxPooling2D',
    'MaxPooling3D', 'Maximum', 'Minimum', 'Multiply', 'Permute', 'RandomBrightness',
    'RandomContrast', 'RandomCrop', 'RandomFlip', 'RandomHeight', 'RandomRotation',
    'RandomTranslation', 'RandomWidth', 'RandomZoom', 'ReLU', 'RepeatVector', 'Rescaling',
    'Reshape', 'Resizing', 'Softmax', 'SpatialDropout1D', 'SpatialDropout2D', 'SpatialDropout3D',
    'Subtract', 'ThresholdedReLU', 'UnitNormalization', 'UpSampling1D', 'UpSampling2D',
    'UpSampling3D', 'ZeroPadding1D', 'ZeroPadding2D', 'ZeroPadding3D', 'Discretization',
    'IntegerLookup', 'StringLookup', 'TextVectorization',
}


def keras3_class(class_name: str) -> str:
    return KERAS3_CLASS.get(class_name, class_name)


def _vars(names, trainable=True, preact=None) -> list:
    return [Slot(n, f'vars/{i}', trainable, False, dict((preact or {}).get(n, {})))
            for i, n in enumerate(names)]


def _use_bias(config) -> bool:
    return config.get('use_bias', True) is not False


def _gates(n: int, rec: list, act) -> dict:
    """preact of a recurrent weight: recurrent gates and (maybe) the candidate."""
    out = {'recurrent_activation': (n, rec)}
    if act is not None:
        out['activation'] = (n, act)
    return out


def _cell_slots(kind: str, config: dict) -> list:
    names = ['kernel', 'recurrent_kernel'] + (['bias'] if _use_bias(config) else [])
    if kind == 'SimpleRNN':
        preact = {n: {'activation': 'all'} for n in names}
    elif kind == 'GRU':
        preact = {n: _gates(3, [0, 1], [2]) for n in names}
    else:                           # LSTM / ConvLSTM: the activation also acts on the cell state
        preact = {n: _gates(4, [0, 1, 3], None) for n in names}
    return _vars(names, preact=preact)


def _prefixed(slots, name_prefix: str, k3_prefix: str) -> list:
    return [replace(s, name=s.name if s.absolute else name_prefix + s.name, k3=k3_prefix + s.k3)
            for s in slots]


def _inner(entry) -> tuple:
    """(class_name, config) of a nested `{class_name, config}`."""
    if not isinstance(entry, dict) or 'class_name' not in entry:
        raise UnknownLayerWeights(f'expected a nested layer {{class_name, config}}, got {entry!r}')
    return entry['class_name'], entry.get('config') or {}


def _rnn_cell_slots(cell) -> list:
    """Slots of the `cell` of a generic RNN layer, relative to the RNN layer."""
    if isinstance(cell, list):
        cell = {'class_name': 'StackedRNNCells', 'config': {'cells': cell}}
    cls, cfg = _inner(cell)
    if cls == 'StackedRNNCells':
        out, used = [], {}
        for i, sub in enumerate(cfg.get('cells') or []):
            sub_cls, sub_cfg = _inner(sub)
            group = unique_name(keras_snake_case(keras3_class(sub_cls)), used)
            out += _prefixed(layer_slots(sub_cls, sub_cfg), f'RNNCell_{i}/',
                             f'cell/cells/{group}/')
        return out
    return _prefixed(layer_slots(cls, cfg), '', 'cell/')


def layer_slots(class_name: str, config: dict) -> list:
    """The weights of a layer of class `class_name` with (snake_case, TF.js-dialect) `config`.

    Raises `UnknownLayerWeights` for a class this table does not know.
    """
    cls = keras3_class(class_name)
    config = config or {}
    slots = [replace(s, acts={k: config.get(k) for k in s.preact}) if s.preact and not s.acts
             else s for s in _own_slots(cls, config)]
    if config.get('trainable') is False:
        slots = [replace(s, trainable=False) for s in slots]
    return slots


def _own_slots(cls: str, config: dict) -> list:
    act_all = {'activation': 'all'}
    if cls in NO_WEIGHTS:
        return []
    if cls in _KERNEL_BIAS:
        names = ['kernel'] + (['bias'] if _use_bias(config) else [])
        return _vars(names, preact={n: act_all for n in names})
    if cls in _DEPTHWISE:
        names = ['depthwise_kernel'] + (['bias'] if _use_bias(config) else [])
        return _vars(names, preact={n: act_all for n in names})
    if cls in _SEPARABLE:
        names = ['depthwise_kernel', 'pointwise_kernel'] + (['bias'] if _use_bias(config) else [])
        return _vars(names, preact={n: act_all for n in names[1:]})
    if cls == 'Embedding':
        return _vars(['embeddings'])
    if cls == 'PReLU':
        return _vars(['alpha'])
    if cls == 'BatchNormalization':
        out = [n for n, on in (('gamma', config.get('scale', True) is not False),
                               ('beta', config.get('center', True) is not False)) if on]
        slots = _vars(out)
        return slots + [Slot(n, f'vars/{len(out) + i}', False)
                        for i, n in enumerate(('moving_mean', 'moving_variance'))]
    if cls in ('LayerNormalization', 'GroupNormalization'):
        rms = cls == 'LayerNormalization' and config.get('rms_scaling') is True
        names = [n for n, on in (('gamma', rms or config.get('scale', True) is not False),
                                 ('beta', not rms and config.get('center', True) is not False))
                 if on]
        return _vars(names)
    if cls == 'Normalization':
        if config.get('mean') is not None and config.get('variance') is not None:
            return []
        return _vars(['mean', 'variance', 'count'], trainable=False)
    if cls in _CELLS:
        return _cell_slots(_CELLS[cls], config)
    if cls in _RNNS:
        return _prefixed(_cell_slots(cls, config), '', 'cell/')
    if cls in ('ConvLSTM1D', 'ConvLSTM2D', 'ConvLSTM3D'):
        return _prefixed(_cell_slots('LSTM', config), '', 'cell/')
    if cls == 'RNN':
        return _rnn_cell_slots(config.get('cell'))
    if cls == 'StackedRNNCells':
        return [replace(s, k3=s.k3[len('cell/'):]) for s in
                _rnn_cell_slots({'class_name': 'StackedRNNCells', 'config': config})]
    if cls == 'Bidirectional':
        inner_cls, inner_cfg = _inner(config.get('layer'))
        inner = layer_slots(inner_cls, inner_cfg)
        name = inner_cfg.get('name', keras_snake_case(inner_cls))
        back_cls, back_cfg, back_name = inner_cls, inner_cfg, name
        if isinstance(config.get('backward_layer'), dict):
            back_cls, back_cfg = _inner(config['backward_layer'])
            back_name = back_cfg.get('name', name)
            if back_name.startswith('backward_'):
                back_name = back_name[len('backward_'):]
        backward = layer_slots(back_cls, back_cfg)
        return (_prefixed(inner, f'forward_{name}/', 'forward_layer/')
                + _prefixed(backward, f'backward_{back_name}/', 'backward_layer/'))
    if cls == 'TimeDistributed':
        inner_cls, inner_cfg = _inner(config.get('layer'))
        return _prefixed(layer_slots(inner_cls, inner_cfg), '', 'layer/')
    if cls == 'MultiHeadAttention':
        out = []
        for part, group in (('query', 'query_dense'), ('key', 'key_dense'),
                            ('value', 'value_dense'), ('attention_output', 'output_dense')):
            names = ['kernel'] + (['bias'] if _use_bias(config) else [])
            out += [Slot(f'{part}/{n}', f'{group}/vars/{i}') for i, n in enumerate(names)]
        return out
    if cls == 'Attention':
        names = (['scale'] if config.get('use_scale') else []) + \
            (['concat_score_weight'] if config.get('score_mode') == 'concat' else [])
        return _vars(names)
    if cls == 'AdditiveAttention':
        return _vars(['scale'] if config.get('use_scale', True) is not False else [])
    if cls in MODEL_CLASSES:
        return [replace(s, absolute=True) for s in model_weight_slots(cls, config)]
    raise UnknownLayerWeights(cls)


# ------------------------------------------------------------------------- whole models

@dataclass(frozen=True)
class ModelSlot:
    """One weight of a model: its TF.js name, its Keras 3 path, the top-level layer (the
    group of a legacy `.h5` file) it belongs to, and the slot it comes from."""
    name: str
    k3: str
    layer: str
    trainable: bool
    slot: Slot


def model_layers(class_name: str, config) -> list:
    """The layer entries of a model config, in order (a Keras 2.2 Sequential may be a list)."""
    if isinstance(config, list):
        return config
    return list((config or {}).get('layers') or [])


def keras3_layer_groups(class_name: str, config) -> list:
    """`[(layer entry, group name)]`: the groups Keras 3 gives the layers of a model in a
    weights file (`dense`, `dense_1`, ...; a Sequential's InputLayer has none)."""
    used: dict = {}
    out = []
    for entry in model_layers(class_name, config):
        cls = entry.get('class_name')
        if keras3_class(class_name) == 'Sequential' and cls == 'InputLayer':
            continue
        out.append((entry, unique_name(keras_snake_case(keras3_class(cls)), used)))
    return out


def layer_entry_name(entry) -> str:
    return entry.get('name') or (entry.get('config') or {}).get('name')


def model_weight_slots(class_name: str, config, prefix: str = 'layers/') -> list:
    """Slots of a (nested) model: absolute TF.js names, Keras 3 paths under `layers/`."""
    out = []
    for entry, group in keras3_layer_groups(class_name, config):
        name = layer_entry_name(entry)
        for s in layer_slots(entry['class_name'], entry.get('config') or {}):
            full = s.name if s.absolute else f'{name}/{s.name}'
            out.append(replace(s, name=full, k3=f'{prefix}{group}/{s.k3}', absolute=True))
    return out


def model_slots(topology: dict) -> list:
    """Every weight of a model topology (`{class_name, config}`), as `ModelSlot`s in layer
    order.

    >>> topo = {'class_name': 'Sequential', 'config': {'layers': [
    ...     {'class_name': 'Dense', 'config': {'name': 'd', 'units': 1}}]}}
    >>> [(m.name, m.k3, m.layer) for m in model_slots(topo)]
    [('d/kernel', 'layers/dense/vars/0', 'd'), ('d/bias', 'layers/dense/vars/1', 'd')]
    """
    cls, config = topology['class_name'], topology.get('config')
    out = []
    for entry, group in keras3_layer_groups(cls, config):
        name = layer_entry_name(entry)
        for s in layer_slots(entry['class_name'], entry.get('config') or {}):
            full = s.name if s.absolute else f'{name}/{s.name}'
            out.append(ModelSlot(full, f'layers/{group}/{s.k3}', name, s.trainable, s))
    return out


def legacy_order(slots: list) -> list:
    """A layer's weights in Keras's legacy `.h5` order: trainable first (stable)."""
    return [s for s in slots if s.trainable] + [s for s in slots if not s.trainable]


def _candidates(name: str) -> list:
    """TF.js's fallbacks for a weight name (see tfjs/io/matching.py): `:0` removed, the
    RNN-cell component dropped, `_1` removed from / added to a layer name."""
    base = name[:-2] if name.endswith(':0') else name
    out = [name, base]
    tokens = base.split('/')
    dropped = '/'.join(tokens[:-2] + [tokens[-1]]) if len(tokens) >= 3 else None
    if dropped:
        out.append(dropped)
    for n in [base] + ([dropped] if dropped else []):
        t = n.split('/')
        for i in range(len(t) - 1):
            alt = t[i][:-2] if t[i].endswith('_1') and len(t[i]) > 2 else t[i] + '_1'
            out.append('/'.join(t[:i] + [alt] + t[i + 1:]))
    return out


def canonical_weights(topology: dict, named: dict) -> tuple:
    """`({slot name: array}, unmatched file names, missing slot names)`: a model's weights
    keyed by the names its topology implies, matching the file's names as TF.js does."""
    wanted = [ms.name for ms in model_slots(topology)]
    free = set(wanted)
    out, pending = {}, []
    for name, array in named.items():
        key = name if name in free else (name[:-2] if name.endswith(':0') else name)
        if key in free:
            out[key] = array
            free.discard(key)
        else:
            pending.append(name)
    unmatched = []
    for name in pending:
        key = next((c for c in _candidates(name) if c in free), None)
        if key is None:
            unmatched.append(name)
        else:
            out[key] = named[name]
            free.discard(key)
    return out, unmatched, [n for n in wanted if n in free]


_KERAS3_PATH = re.compile(r'^(layers|_layer_checkpoint_dependencies)/(.+/)?vars/\d+$')


def _normal_k3(path: str) -> str:
    parts = path.split('/')
    out = ['layers' if p == '_layer_checkpoint_dependencies' else
           (p[1:] if p.startswith('_') and p != '_' else p) for p in parts]
    return '/'.join(out)


def keras3_path_names(topology: dict, names) -> dict | None:
    """`{Keras 3 path: TF.js name}` when every weight name is a Keras 3 weights-file path
    (`layers/dense/vars/0`, what tensorflowjs_converter writes for `.keras` inputs), else None.
    """
    names = list(names)
    if not names or topology is None or not all(_KERAS3_PATH.match(n) for n in names):
        return None
    try:
        table = {_normal_k3(ms.k3): ms.name for ms in model_slots(topology)}
    except UnknownLayerWeights:
        return None
    out = {}
    for n in names:
        key = _normal_k3(n)
        if key not in table:
            return None
        out[n] = table[key]
    return out
