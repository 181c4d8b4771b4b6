"""The converter's table of layer weights (tfjs_converter/schema.py, which cannot import tfjs)
agrees with the layers of tfjs: the same weight names, in the same order, with the same
trainable flags. Files depend on it: Keras 3 addresses weights by position."""
import pytest

import tfjs as tf
from tfjs.serialization import convert_pythonic_to_ts
from tfjs.serialization.registry import deserialize
from tfjs_converter import schema

L = {'class_name': 'LSTMCell', 'config': {'units': 3}}
G = {'class_name': 'GRUCell', 'config': {'units': 2}}
CASES = [
    ('Dense', {'units': 3}, [4]),
    ('Dense', {'units': 3, 'use_bias': False}, [4]),
    ('Conv1D', {'filters': 2, 'kernel_size': 2}, [5, 3]),
    ('Conv2D', {'filters': 2, 'kernel_size': 2}, [5, 5, 3]),
    ('Conv3D', {'filters': 2, 'kernel_size': 2}, [4, 4, 4, 1]),
    ('Conv1DTranspose', {'filters': 2, 'kernel_size': 2}, [5, 3]),
    ('Conv2DTranspose', {'filters': 2, 'kernel_size': 2}, [5, 5, 3]),
    ('Conv3DTranspose', {'filters': 2, 'kernel_size': 2, 'use_bias': False}, [3, 3, 3, 1]),
    ('SeparableConv1D', {'filters': 2, 'kernel_size': 2}, [5, 3]),
    ('SeparableConv2D', {'filters': 2, 'kernel_size': 2}, [5, 5, 3]),
    ('DepthwiseConv1D', {'kernel_size': 2}, [5, 3]),
    ('DepthwiseConv2D', {'kernel_size': 2, 'use_bias': False}, [5, 5, 3]),
    ('Embedding', {'input_dim': 10, 'output_dim': 3}, [4]),
    ('BatchNormalization', {}, [4]),
    ('BatchNormalization', {'scale': False}, [4]),
    ('BatchNormalization', {'center': False}, [4]),
    ('LayerNormalization', {}, [4]),
    ('GroupNormalization', {'groups': 2}, [4]),
    ('PReLU', {}, [4]),
    ('SimpleRNN', {'units': 3}, [4, 2]),
    ('GRU', {'units': 3}, [4, 2]),
    ('GRU', {'units': 3, 'reset_after': True}, [4, 2]),
    ('LSTM', {'units': 3, 'use_bias': False}, [4, 2]),
    ('RNN', {'cell': L}, [4, 2]),
    ('RNN', {'cell': [L, G]}, [4, 2]),
    ('ConvLSTM2D', {'filters': 2, 'kernel_size': 2}, [3, 4, 4, 1]),
    ('Bidirectional', {'layer': {'class_name': 'LSTM', 'config': {'units': 2, 'name': 'l'}}},
     [4, 2]),
    ('Bidirectional', {'layer': {'class_name': 'GRU', 'config': {'units': 2, 'name': 'g'}},
                       'merge_mode': 'sum'}, [4, 2]),
    ('TimeDistributed', {'layer': {'class_name': 'Dense', 'config': {'units': 2}}}, [3, 4]),
    ('TimeDistributed', {'layer': {'class_name': 'Conv1D',
                                   'config': {'filters': 2, 'kernel_size': 2}}}, [3, 5, 2]),
    ('Normalization', {}, [4]),
    ('Attention', {'use_scale': True}, None),
    ('AdditiveAttention', {'use_scale': True}, None),
    ('MultiHeadAttention', {'num_heads': 2, 'key_dim': 3}, None),
    ('Flatten', {}, [2, 2]),
    ('Dense', {'units': 2, 'trainable': False}, [3]),
]


def _build(cls, config, shape):
    layer = deserialize({'className': cls, 'config': convert_pythonic_to_ts(
        {**config, 'name': 'x'})}, kind='layer')
    if shape is None:
        q, v = tf.input({'shape': [3, 4]}), tf.input({'shape': [2, 4]})
        layer.apply([q, v])
    else:
        layer.apply(tf.input({'shape': shape, 'dtype': 'int32' if cls == 'Embedding'
                              else 'float32'}))
    return layer


@pytest.mark.parametrize('cls,config,shape', CASES,
                         ids=[f'{c[0]}-{i}' for i, c in enumerate(CASES)])
def test_slots_match_tfjs_layers(cls, config, shape):
    layer = _build(cls, config, shape)
    trainable = {id(w) for w in layer.trainableWeights}
    ours = [(w.originalName, id(w) in trainable) for w in layer.weights]
    slots = schema.legacy_order(schema.layer_slots(cls, {**config, 'name': 'x'}))
    assert [(f'x/{s.name}', s.trainable) for s in slots] == ours


def test_keras3_paths():
    slots = schema.layer_slots('Bidirectional', CASES[26][1])
    assert [s.k3 for s in slots[:3]] == ['forward_layer/cell/vars/0',
                                        'forward_layer/cell/vars/1',
                                        'forward_layer/cell/vars/2']
    slots = schema.layer_slots('RNN', {'cell': [L, L, G]})
    assert [s.k3 for s in slots][3:9:3] == ['cell/cells/lstm_cell_1/vars/0',
                                           'cell/cells/gru_cell/vars/0']
    bn = schema.layer_slots('BatchNormalization', {'center': False})
    assert [(s.name, s.k3) for s in bn] == [('gamma', 'vars/0'), ('moving_mean', 'vars/1'),
                                            ('moving_variance', 'vars/2')]


def test_keras3_group_names():
    topo = {'class_name': 'Functional', 'config': {'layers': [
        {'name': 'a', 'class_name': 'InputLayer', 'config': {}},
        {'name': 'd1', 'class_name': 'Dense', 'config': {'units': 1}},
        {'name': 'd2', 'class_name': 'Dense', 'config': {'units': 1}},
        {'name': 'c', 'class_name': 'Convolution2D', 'config': {'filters': 1}},
        {'name': 'p', 'class_name': 'PReLU', 'config': {}},
        {'name': 's', 'class_name': 'Sequential', 'config': {'layers': [
            {'class_name': 'Dense', 'config': {'name': 'in', 'units': 1}}]}}]}}
    assert [g for _, g in schema.keras3_layer_groups('Functional', topo['config'])] == [
        'input_layer', 'dense', 'dense_1', 'conv2d', 'p_re_lu', 'sequential']
    slots = {m.name: m.k3 for m in schema.model_slots(topo)}
    assert slots['in/kernel'] == 'layers/sequential/layers/dense/vars/0'


def test_unknown_class_is_a_clear_error():
    with pytest.raises(schema.UnknownLayerWeights, match='MyLayer'):
        schema.layer_slots('MyLayer', {})
