"""The Keras 2 / Keras 3 / TF.js config dialects, translated both ways
(tfjs_converter/dialects.py)."""
import numpy as np
import pytest

from tfjs_converter import dialects as d
from tfjs_converter.errors import UnsupportedError

POLICY = {'module': 'keras', 'class_name': 'DTypePolicy', 'config': {'name': 'float32'},
          'registered_name': None}


def kt(name, node=0, index=0):
    return {'class_name': '__keras_tensor__', 'config': {'shape': [None, 2], 'dtype': 'float32',
                                                         'keras_history': [name, node, index]}}


def k3layer(cls, name, nodes=(), **config):
    return {'module': 'keras.layers', 'class_name': cls, 'registered_name': None,
            'config': {'name': name, 'trainable': True, 'dtype': POLICY, **config},
            'build_config': {'input_shape': [None, 2]}, 'name': name,
            'inbound_nodes': list(nodes)}


def k3model(layers, inputs, outputs):
    return {'module': 'keras.src.models.functional', 'class_name': 'Functional',
            'registered_name': 'Functional',
            'config': {'name': 'm', 'trainable': True, 'layers': layers,
                       'input_layers': inputs, 'output_layers': outputs}}


INPUT = {'module': 'keras.layers', 'class_name': 'InputLayer', 'registered_name': None,
         'name': 'x', 'inbound_nodes': [],
         'config': {'batch_shape': [None, 2], 'dtype': 'float32', 'sparse': False,
                    'ragged': False, 'name': 'x', 'optional': False}}


def test_keras3_layer_basics():
    topo = d.keras3_to_tfjs(k3model(
        [INPUT, k3layer('Dense', 'dense', [{'args': [kt('x')], 'kwargs': {}}], units=3,
                        lora_rank=None, quantization_config=None,
                        kernel_initializer={'module': 'keras.initializers',
                                            'class_name': 'LecunNormal',
                                            'config': {'seed': None, 'input_axes': None},
                                            'registered_name': None},
                        kernel_regularizer={'module': 'keras.regularizers', 'class_name': 'L2',
                                            'config': {'l2': 0.01}, 'registered_name': None})],
        ['x', 0, 0], ['dense', 0, 0]))
    x, dense = topo['config']['layers']
    assert x['config'] == {'batch_input_shape': [None, 2], 'dtype': 'float32', 'sparse': False,
                           'name': 'x'}
    assert dense['config'] == {
        'name': 'dense', 'trainable': True, 'dtype': 'float32', 'units': 3,
        'kernel_initializer': {'class_name': 'LeCunNormal', 'config': {'seed': None}},
        'kernel_regularizer': {'class_name': 'L1L2', 'config': {'l1': 0.0, 'l2': 0.01}}}
    assert dense['inbound_nodes'] == [[['x', 0, 0, {}]]]
    assert topo['config']['input_layers'] == [['x', 0, 0]]
    assert topo['config']['output_layers'] == [['dense', 0, 0]]


def test_dtype_policies():
    assert d.dtype_name(POLICY) == 'float32'
    assert d.dtype_name({'class_name': 'DTypePolicy', 'config': {'name': 'mixed_float16'}}) == \
        'float32'
    assert d.dtype_name({'class_name': 'Policy', 'config': {'name': 'mixed_bfloat16'}}) == \
        'float32'
    assert d.dtype_name('int32') == 'int32'


def test_merge_nodes_multi_inputs_and_kwargs():
    add = k3layer('Add', 'add', [{'args': [[kt('x'), kt('y')]], 'kwargs': {'training': False}}])
    assert d.keras3_to_tfjs(k3model([add], [['x', 0, 0]], ['add', 0, 0]))['config'][
        'layers'][0]['inbound_nodes'] == [[['x', 0, 0, {'training': False}],
                                           ['y', 0, 0, {'training': False}]]]
    mha = k3layer('MultiHeadAttention', 'mha', [{'args': [kt('q'), kt('v')],
                                                 'kwargs': {'key': kt('k'), 'mask': None}}])
    node = d.keras3_to_tfjs(k3model([mha], [], ['mha', 0, 0]))['config']['layers'][0][
        'inbound_nodes'][0]
    assert [r[0] for r in node] == ['q', 'v', 'k']
    back = d.node_to_keras3(node, 'MultiHeadAttention', {})
    assert [a['config']['keras_history'][0] for a in back['args']] == ['q', 'v']
    assert back['kwargs']['key']['config']['keras_history'] == ['k', 0, 0]
    bad = k3layer('Dense', 'd', [{'args': [kt('x')], 'kwargs': {'extra': kt('y')}}])
    with pytest.raises(UnsupportedError, match='tensor for "extra"'):
        d.keras3_to_tfjs(k3model([bad], [], ['d', 0, 0]))


def test_recorded_masks_are_dropped_and_ops_refused():
    op = {'module': 'keras.src.ops.numpy', 'class_name': 'NotEqual', 'registered_name': None,
          'name': 'ne', 'config': {'name': 'ne'}, 'inbound_nodes': [{'args': [kt('x'), 0],
                                                                     'kwargs': {}}]}
    lstm = k3layer('LSTM', 'lstm', [{'args': [kt('emb')], 'kwargs': {'mask': kt('ne')}}],
                   units=2)
    notes = []
    topo = d.keras3_to_tfjs(k3model([INPUT, op, lstm], [['x', 0, 0]], [['lstm', 0, 0]]), notes)
    assert [l['name'] for l in topo['config']['layers']] == ['x', 'lstm']
    assert any('mask' in n for n in notes)
    used = k3layer('Dense', 'd', [{'args': [kt('ne')], 'kwargs': {}}], units=1)
    with pytest.raises(UnsupportedError, match='keras.ops'):
        d.keras3_to_tfjs(k3model([INPUT, op, used], [['x', 0, 0]], [['d', 0, 0]]))


def test_input_and_output_layer_forms():
    assert d._refs_from_keras3(['a', 0, 0]) == [['a', 0, 0]]
    assert d._refs_from_keras3({'b': ['b', 0, 0], 'a': ['a', 0, 0]}) == [['a', 0, 0],
                                                                       ['b', 0, 0]]


def _nested_k3():
    inner_fn = {'module': 'keras.src.models.functional', 'class_name': 'Functional',
                'registered_name': 'Functional', 'name': 'fn',
                'config': {'name': 'fn', 'trainable': True, 'layers': [
                    {**INPUT, 'name': 'i', 'config': {**INPUT['config'], 'name': 'i'}},
                    k3layer('Dense', 'fd', [{'args': [kt('i')], 'kwargs': {}}], units=2)],
                    'input_layers': [['i', 0, 0]], 'output_layers': [['fd', 0, 0]]},
                'inbound_nodes': [{'args': [kt('seq', 1)], 'kwargs': {}}]}
    seq = {'module': 'keras', 'class_name': 'Sequential', 'registered_name': None, 'name': 'seq',
           'config': {'name': 'seq', 'layers': [
               {**INPUT, 'config': {**INPUT['config'], 'name': 'si'}},
               k3layer('Dense', 'sd', units=2)]},
           'inbound_nodes': [{'args': [kt('x')], 'kwargs': {}},
                             {'args': [kt('seq', 0)], 'kwargs': {}}]}
    return k3model([INPUT, seq, inner_fn], [['x', 0, 0]], [['fn', 1, 0], ['seq', 1, 0]])


def test_nested_model_node_indices():
    """TF.js and Keras 2 count a nested model's own node first; Keras 3's nodes do not (but its
    output_layers do, for a nested Functional)."""
    topo = d.keras3_to_tfjs(_nested_k3())
    layers = {l['name']: l for l in topo['config']['layers']}
    assert layers['seq']['inbound_nodes'] == [[['x', 0, 0, {}]], [['seq', 1, 0, {}]]]
    assert layers['fn']['inbound_nodes'] == [[['seq', 2, 0, {}]]]
    assert topo['config']['output_layers'] == [['fn', 1, 0], ['seq', 2, 0]]
    seq_layers = layers['seq']['config']['layers']     # the InputLayer folds into the first
    assert len(seq_layers) == 1 and seq_layers[0]['config']['batch_input_shape'] == [None, 2]
    back = d.tfjs_to_keras3(topo)
    again = d.keras3_to_tfjs(back)
    assert again == topo
    blayers = {l['name']: l for l in back['config']['layers']}
    assert blayers['fn']['inbound_nodes'][0]['args'][0]['config']['keras_history'] == \
        ['seq', 1, 0]
    assert back['config']['output_layers'] == [['fn', 1, 0], ['seq', 1, 0]]


def test_keras2_forms():
    topo = d.keras2_to_tfjs({'class_name': 'Sequential', 'config': [
        {'class_name': 'BatchNormalizationV1', 'config': {'name': 'bn', 'axis': [3],
                                                          'batch_input_shape': [None, 2, 2, 1],
                                                          'epsilon': {'type': 'ndarray',
                                                                      'value': 0.001}}}]})
    assert topo == {'class_name': 'Sequential', 'config': {'name': 'sequential', 'layers': [
        {'class_name': 'BatchNormalization', 'config': {
            'name': 'bn', 'axis': 3, 'batch_input_shape': [None, 2, 2, 1], 'epsilon': 0.001}}]}}


def test_renamed_keys_both_ways():
    k3 = k3layer('LeakyReLU', 'lr', negative_slope=0.2)
    tfjs = d.layer_from_keras3(k3)
    assert tfjs['config']['alpha'] == 0.2 and 'negative_slope' not in tfjs['config']
    assert d.layer_to_keras3(tfjs)['config']['negative_slope'] == 0.2
    relu = d.layer_from_keras3(k3layer('ReLU', 'r', max_value=6.0, negative_slope=0.0,
                                       threshold=0.0))
    assert relu['config'] == {'name': 'r', 'trainable': True, 'dtype': 'float32',
                              'max_value': 6.0}
    thr = d.layer_to_keras3({'class_name': 'ThresholdedReLU', 'config': {'name': 't',
                                                                         'theta': 0.5}})
    assert thr['class_name'] == 'ReLU' and thr['config']['threshold'] == 0.5
    init = d.layer_to_keras3({'class_name': 'Dense', 'config': {
        'name': 'd', 'units': 1, 'batch_input_shape': [None, 2],
        'kernel_initializer': {'class_name': 'LeCunUniform', 'config': {'seed': None}}}})
    assert init['config']['kernel_initializer']['class_name'] == 'LecunUniform'
    assert init['config']['kernel_initializer']['module'] == 'keras.initializers'
    assert 'batch_input_shape' not in init['config']      # Keras 3 layers reject it
    with pytest.raises(UnsupportedError, match='gelu_new'):
        d.layer_to_keras3({'class_name': 'Dense', 'config': {'activation': 'gelu_new'}})


def test_bidirectional_names_and_backward_layer():
    lstm = lambda name, back: {'module': 'keras.layers', 'class_name': 'LSTM',  # noqa: E731
                               'config': {'name': name, 'units': 2, 'go_backwards': back}}
    same = d.layer_from_keras3(k3layer('Bidirectional', 'b', layer=lstm('forward_l', False),
                                       backward_layer=lstm('backward_l', True)))
    assert same['config']['layer']['config']['name'] == 'l'
    assert 'backward_layer' not in same['config']
    other = d.layer_from_keras3(k3layer('Bidirectional', 'b', layer=lstm('forward_l', False),
                                        backward_layer={**lstm('backward_l', True),
                                                        'class_name': 'GRU'}))
    assert other['config']['backward_layer']['class_name'] == 'GRU'


def test_keras_outputs_clean_tfjs_only_keys():
    rnn = {'class_name': 'RNN', 'config': {
        'name': 'r', 'units': 3, 'cells': None, 'return_sequences': True,
        'cell': {'class_name': 'LSTMCell', 'config': {'units': 3}}}}
    seq = {'class_name': 'Sequential', 'config': {'name': 's', 'layers': [
        {**rnn, 'config': {**rnn['config'], 'batch_input_shape': [None, 4, 2]}}]}}
    k2 = d.tfjs_to_keras2(seq)['config']['layers']
    assert k2[0]['class_name'] == 'InputLayer' and k2[0]['config']['batch_input_shape'] == \
        [None, 4, 2]
    assert set(k2[1]['config']) == {'name', 'return_sequences', 'cell'}
    assert k2[1]['config']['cell']['module'] == 'keras.layers'
    k3 = d.tfjs_to_keras3(seq)['config']['layers']
    assert k3[0]['class_name'] == 'InputLayer' and k3[0]['config']['batch_shape'] == \
        [None, 4, 2]
    assert set(k3[1]['config']) == {'name', 'return_sequences', 'cell'}


def test_lambda_code_is_dropped_and_cannot_be_written():
    notes = []
    topo = d.keras3_to_tfjs(k3model([INPUT, k3layer(
        'Lambda', 'lam', [{'args': [kt('x')], 'kwargs': {}}],
        function={'class_name': '__lambda__', 'config': {'code': 'gASV...'}}, arguments={})],
        [['x', 0, 0]], [['lam', 0, 0]]), notes)
    assert topo['config']['layers'][1]['config'] == {'name': 'lam', 'trainable': True,
                                                     'dtype': 'float32', 'arguments': {}}
    assert 'registerClass' in notes[0]
    with pytest.raises(UnsupportedError, match='registerClass'):
        d.tfjs_to_keras3({'class_name': 'Sequential', 'config': {'layers': [
            {'class_name': 'Lambda', 'config': {'name': 'l'}}]}})


def test_keras_semantics_by_version():
    assert d.keras3_semantics('3.15.1') and not d.keras3_semantics('2.15.0')
    assert not d.keras3_semantics('tfjs-layers 4.22.0')
    assert d.keras3_semantics(None, {'class_name': 'InputLayer', 'config': {'batch_shape': [1]}})


def _hs_tfjs(x):
    return np.clip(0.2 * x + 0.5, 0, 1)


def _hs_keras3(x):
    return np.clip(x + 3, 0, 6) / 6


def test_hard_sigmoid_rescaling_is_exact():
    topo = {'class_name': 'Sequential', 'config': {'layers': [
        {'class_name': 'Dense', 'config': {'name': 'd', 'units': 3,
                                           'activation': 'hard_sigmoid'}},
        {'class_name': 'LSTM', 'config': {'name': 'l', 'units': 2,
                                          'recurrent_activation': 'hard_sigmoid'}}]}}
    rs = np.random.RandomState(0)
    w = {'d/kernel': rs.randn(4, 3).astype(np.float32) * 3, 'd/bias': rs.randn(3).astype(
        np.float32), 'l/kernel': rs.randn(3, 8).astype(np.float32),
        'l/recurrent_kernel': rs.randn(2, 8).astype(np.float32),
        'l/bias': rs.randn(8).astype(np.float32)}
    x = rs.randn(20, 4).astype(np.float32) * 3
    k3 = d.rescale_hard_sigmoid(topo, w, d.TFJS_HARD_SIGMOID_TO_KERAS3)
    np.testing.assert_allclose(_hs_keras3(x @ k3['d/kernel'] + k3['d/bias']),
                               _hs_tfjs(x @ w['d/kernel'] + w['d/bias']), atol=1e-6)
    gates = k3['l/kernel'] / w['l/kernel']        # i, f, o scaled; the candidate c is not
    np.testing.assert_allclose(gates[:, [0, 1, 2, 3, 6, 7]], 1.2, rtol=1e-6)
    np.testing.assert_allclose(gates[:, 4:6], 1.0)
    back = d.rescale_hard_sigmoid(topo, k3, d.KERAS3_HARD_SIGMOID_TO_TFJS)
    for n in w:
        np.testing.assert_allclose(back[n], w[n], rtol=3e-7)


@pytest.mark.parametrize('layer', [
    {'class_name': 'Activation', 'config': {'name': 'a', 'activation': 'hard_sigmoid'}},
    {'class_name': 'LSTM', 'config': {'name': 'l', 'units': 2, 'activation': 'hard_sigmoid'}}])
def test_hard_sigmoid_without_a_linear_map_is_refused(layer):
    topo = {'class_name': 'Sequential', 'config': {'layers': [layer]}}
    with pytest.raises(UnsupportedError, match='relu6'):
        d.rescale_hard_sigmoid(topo, {}, 1.2)


def test_translation_is_idempotent_on_the_tfjs_dialect():
    """Converted model.json files carry the source's keras_version, so their (already
    translated) topology is translated again when read: that must change nothing."""
    import glob
    import os
    import tfjs_converter as tc
    from convert_helpers import MODELS
    files = glob.glob(os.path.join(MODELS, '*', '*.keras')) + \
        glob.glob(os.path.join(MODELS, '*', '*.h5'))
    for path in files:
        topo = tc.load(path).topology
        assert d.keras3_to_tfjs(topo) == topo, path
        assert d.model_json_topology_to_tfjs(topo, '3.15.1') == topo
