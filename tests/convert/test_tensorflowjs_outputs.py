"""Models converted by the real tensorflowjs_converter 4.22.0 (tests/fixtures/keras/tensorflowjs,
made by tools/fixtures/tensorflowjs_converted.sh from the Keras fixtures) load here with Keras's
predictions. For Keras 2 `.h5` inputs tensorflowjs copies tf.keras's config verbatim (`module`
keys, `axis: [3]`, an InputLayer in each Sequential, RNN weights named `lstm/lstm_cell/kernel`),
which tfjs reads as TF.js does. For Keras 3 `.keras` inputs it copies Keras 3's config and names
the weights by their paths in the weights file (`layers/dense/vars/0`): TF.js 4.22 cannot load
that output, tfjs can."""
import os

import pytest

import tfjs as tf
import tfjs_converter as tc

from convert_helpers import ROOT, assert_close, fixture_data, predict

FOLDER = os.path.join(ROOT, 'tests', 'fixtures', 'keras', 'tensorflowjs')
CASES = sorted(n for n in os.listdir(FOLDER) if os.path.isdir(os.path.join(FOLDER, n)))


def _source(name):
    if name.startswith('k3_'):
        return 'k3/' + name[3:] + '.keras'
    return 'k2/' + name.replace('_uint8', '') + '.h5'


def test_cases_exist():
    assert {'cnn', 'cnn_uint8', 'bidirectional', 'nested', 'text_rnn', 'mlp_keras22', 'k3_mlp',
            'k3_cnn', 'k3_bidirectional', 'k3_hard_sigmoid'} <= set(CASES)


@pytest.mark.parametrize('name', CASES)
def test_tensorflowjs_output_loads_with_keras_predictions(name):
    model = tf.loadLayersModel(os.path.join(FOLDER, name, 'model.json'))
    xs, ys = fixture_data(_source(name))
    assert_close(predict(model, xs), ys, tol=0.05 if 'uint8' in name else 1e-5, what=name)


@pytest.mark.filterwarnings('ignore:This model uses the activation')
@pytest.mark.parametrize('name', ['cnn', 'bidirectional', 'nested', 'k3_hard_sigmoid'])
def test_tensorflowjs_output_converts_back_to_keras(tmp_path, name):
    m = tc.load(os.path.join(FOLDER, name))
    assert m.converted_by.startswith('TensorFlow.js Converter')
    assert not any(w.name.startswith('layers/') for w in m.weights)
    for fmt in ('keras', 'h5'):
        tc.save(m, str(tmp_path / f'back.{fmt}'))
        xs, ys = fixture_data(_source(name))
        assert_close(predict(tf.loadLayersModel(str(tmp_path / f'back.{fmt}')), xs), ys)


def test_tfjs_cannot_load_tensorflowjs_keras3_output(oracle, tmp_path):
    """The pain point (tensorflow/tfjs#8266, #8328): TF.js 4.22 rejects what tensorflowjs writes
    for a `.keras` file; `tfjs convert` of the same file runs in TF.js (test_cli.py)."""
    from oracle import OracleError
    from test_cli import tfjs_predict
    xs, _ = fixture_data('k3/mlp.keras')
    with pytest.raises(OracleError, match='InputLayer should be passed'):
        tfjs_predict(oracle, os.path.join(FOLDER, 'k3_mlp', 'model.json'), xs)
