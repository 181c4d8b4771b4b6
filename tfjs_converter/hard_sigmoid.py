"""`hard_sigmoid`, exactly: TF.js and Keras 2 mean clip(0.2x + 0.5, 0, 1), Keras 3 means
relu6(x + 3) / 6 = clip(x / 6 + 0.5, 0, 1). Converting between them scales the weights that
feed the activation (by 5/6 from Keras 3, by 1.2 to it) so that the model computes the same
function; where no linear map precedes the activation the conversion is refused.
"""
from __future__ import annotations

import numpy as np

from . import schema
from .errors import UnsupportedError

_NESTED_LAYER_KEYS = ('layer', 'backward_layer', 'cell')


def _is_object(v) -> bool:
    return isinstance(v, dict) and 'class_name' in v and 'config' in v

KERAS3_HARD_SIGMOID_TO_TFJS = 5.0 / 6.0
TFJS_HARD_SIGMOID_TO_KERAS3 = 1.2
_SCALABLE = {
    'activation': {'Dense', 'Conv1D', 'Conv2D', 'Conv3D', 'Conv1DTranspose', 'Conv2DTranspose',
                   'Conv3DTranspose', 'DepthwiseConv1D', 'DepthwiseConv2D', 'SeparableConv1D',
                   'SeparableConv2D', 'SimpleRNN', 'SimpleRNNCell', 'GRU', 'GRUCell'},
    'recurrent_activation': {'GRU', 'GRUCell', 'LSTM', 'LSTMCell', 'ConvLSTM1D', 'ConvLSTM2D',
                             'ConvLSTM3D'},
}


def _layer_configs(entry, path=()):
    """Every (class_name, config, path) in a topology, nested layers and cells included."""
    if not isinstance(entry, dict):
        return
    cls, config = entry.get('class_name'), entry.get('config')
    name = (config or {}).get('name') if isinstance(config, dict) else None
    here = path + ((name or entry.get('name') or cls),)
    if cls in ('Sequential', 'Functional', 'Model'):
        for layer in schema.model_layers(cls, config):
            yield from _layer_configs(layer, here)
        return
    if not isinstance(config, dict):
        return
    yield cls, config, here
    for key in _NESTED_LAYER_KEYS:
        if _is_object(config.get(key)):
            yield from _layer_configs(config[key], here)
    cell = config.get('cell')
    if isinstance(cell, list):
        for c in cell:
            yield from _layer_configs(c, here)
    for c in config.get('cells') or []:
        yield from _layer_configs(c, here)


def hard_sigmoid_uses(topology: dict) -> list:
    """`[(layer path, key)]` of every `hard_sigmoid` activation in a topology; raises
    UnsupportedError where no linear map precedes it (it could not be made exact)."""
    uses = []
    for cls, config, path in _layer_configs(topology):
        k3 = schema.keras3_class(cls)
        for key in ('activation', 'recurrent_activation'):
            if config.get(key) != 'hard_sigmoid':
                continue
            if k3 not in _SCALABLE[key]:
                raise UnsupportedError(
                    f'Layer "{"/".join(path)}" ({cls}) uses the {key} "hard_sigmoid", which means '
                    'clip(0.2x + 0.5, 0, 1) in TF.js and Keras 2 but relu6(x + 3) / 6 in Keras 3. '
                    'The converter makes the two agree by rescaling the weights before the '
                    'activation, which is not possible here. Use another activation, or save '
                    'for the same Keras generation the model came from.')
            uses.append((path, key))
    return uses


def rescale_hard_sigmoid(topology: dict, weights: dict, factor: float) -> dict:
    """`weights` (`{TF.js name: array}`) with the pre-activations of every `hard_sigmoid`
    scaled by `factor` (5/6 when reading Keras 3, 1.2 when writing it); untouched weights are
    the same objects.
    """
    uses = hard_sigmoid_uses(topology)
    if not uses:
        return weights
    out = dict(weights)
    for ms in schema.model_slots(topology):
        slot = ms.slot
        for key, spec in slot.preact.items():
            if slot.acts.get(key) != 'hard_sigmoid' or ms.name not in out:
                continue
            a = np.array(out[ms.name], dtype=np.float32, copy=True)
            if spec == 'all':
                a *= np.float32(factor)
            else:
                parts, indices = spec
                width = a.shape[-1] // parts
                for i in indices:
                    a[..., i * width:(i + 1) * width] *= np.float32(factor)
            out[ms.name] = a
    return out
