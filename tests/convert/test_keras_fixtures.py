"""Models saved by real Keras 3 and Keras 2 (tf-keras) load here with Keras's predictions.

Fixtures: tests/fixtures/keras/models/{k3,k2}/ (made by tools/fixtures/keras_models.py): an MLP,
a CNN with batch norm and pooling, an embedding + LSTM + GRU text model with masking, a
functional model with two inputs, two outputs and every merge layer, nested models (a
Sequential used twice, a functional model, a shared layer), Bidirectional, TimeDistributed,
hard_sigmoid activations (whose meaning differs between Keras 2 and 3), separable / depthwise /
transposed convolutions with PReLU, LeakyReLU, LayerNormalization, a regularizer and a
constraint, and stacked RNN cells; as `.keras` and `.h5`, plus a tf-keras `.keras` file and an
`.h5` in the Keras 2.2 layout (a Sequential config that is a bare list of layers).
"""
import os

import numpy as np
import pytest

import tfjs as tf
import tfjs_converter as tc

from convert_helpers import MODELS, assert_close, fixture_data, fixture_files, predict

FILES = fixture_files('*/*.keras') + fixture_files('*/*.h5')


def test_fixtures_exist():
    assert len(FILES) >= 28
    assert {f.split('/')[0] for f in FILES} == {'k2', 'k3'}


@pytest.mark.parametrize('rel', FILES)
def test_loads_with_keras_predictions(rel):
    model = tf.loadLayersModel(os.path.join(MODELS, rel))
    xs, ys = fixture_data(rel)
    assert_close(predict(model, xs), ys, what=rel)


@pytest.mark.parametrize('rel', ['k3/mlp.keras', 'k2/mlp.h5'])
def test_file_url(rel):
    xs, ys = fixture_data(rel)
    assert_close(predict(tf.loadLayersModel('file://' + os.path.join(MODELS, rel)), xs), ys)


@pytest.mark.parametrize('rel', ['k3/nested.keras', 'k2/nested.h5'])
def test_nested_models_keep_their_structure(rel):
    model = tf.loadLayersModel(os.path.join(MODELS, rel))
    kinds = {l.name: l.getClassName() for l in model.layers}
    assert kinds['inner_seq'] == 'Sequential'
    assert kinds['inner_fn'] in ('Functional', 'Model')
    # the shared layer is one layer called three times
    assert len([l for l in model.layers if l.name == 'shared']) == 1


def test_weight_names_are_tfjs_names():
    m = tc.load(os.path.join(MODELS, 'k3', 'bidirectional.keras'))
    names = [w.name for w in m.weights]
    inner = m.topology['config']['layers'][0]['config']['layer']['config']['name']
    assert not inner.startswith('forward_')       # Keras 3 names it forward_<name>
    assert f'bidirectional/forward_{inner}/kernel' in names
    assert f'bidirectional/backward_{inner}/recurrent_kernel' in names
    m = tc.load(os.path.join(MODELS, 'k3', 'time_distributed.keras'))
    assert [w.name for w in m.weights][:2] == ['time_distributed/kernel', 'time_distributed/bias']
    m = tc.load(os.path.join(MODELS, 'k3', 'stacked_cells.keras'))
    assert 'rnn/RNNCell_1/recurrent_kernel' in [w.name for w in m.weights]


def test_keras2_h5_names_kept_where_tfjs_loads_them():
    """As tensorflowjs_converter does: `lstm/lstm_cell/kernel` (TF.js drops the cell level)."""
    m = tc.load(os.path.join(MODELS, 'k2', 'text_rnn.h5'))
    names = [w.name for w in m.weights]
    assert any(n.endswith('/lstm_cell/kernel') for n in names)


def test_dialect_translation_of_keras3_file():
    m = tc.load(os.path.join(MODELS, 'k3', 'multi_io.keras'))
    text = repr(m.topology)
    for k3_only in ("'module'", "'registered_name'", "'batch_shape'", "'args'", 'DTypePolicy',
                    '__keras_tensor__', 'build_config'):
        assert k3_only not in text
    layers = m.topology['config']['layers']
    assert layers[0]['config']['batch_input_shape'] == [None, 6]
    assert isinstance(layers[2]['inbound_nodes'][0][0], list)


def test_keras22_sequential_list_config():
    m = tc.load(os.path.join(MODELS, 'k2', 'mlp_keras22.h5'))
    assert m.topology['class_name'] == 'Sequential'
    assert m.keras_version == '2.2.4'
    assert m.topology['config']['layers'][0]['config']['batch_input_shape'] == [None, 8]


def test_keras3_masks_left_to_tfjs():
    """Keras 3 records the mask of Embedding(mask_zero) as a `not_equal` op in the graph; it is
    dropped (TF.js propagates masks itself), with a note."""
    m = tc.load(os.path.join(MODELS, 'k3', 'text_rnn.keras'))
    assert 'not_equal' not in [l['name'] for l in m.topology['config']['layers']]
    assert any('mask' in n for n in m.notes)


@pytest.mark.parametrize('rel', ['k3/hard_sigmoid.keras', 'k3/hard_sigmoid.h5',
                                 'k2/hard_sigmoid.h5'])
def test_hard_sigmoid_means_what_the_file_means(rel):
    """Keras 3's hard_sigmoid is relu6(x + 3) / 6, Keras 2's (and TF.js's) clip(0.2x + 0.5):
    Keras 3 files get their pre-activation weights scaled by 5/6, Keras 2 files do not."""
    model = tf.loadLayersModel(os.path.join(MODELS, rel))
    xs, ys = fixture_data(rel)
    assert_close(predict(model, xs), ys, what=rel)
    lstm = model.layers[0].getConfig()
    assert lstm['recurrentActivation'] == 'hardSigmoid'


def test_tf_keras_dot_keras_file_is_keras2_semantics():
    m = tc.load(os.path.join(MODELS, 'k2', 'mlp_v3.keras'))
    assert m.keras_version.startswith('2.')
