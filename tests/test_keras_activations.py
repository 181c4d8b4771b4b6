"""Keras activations beyond TF.js against real Keras 3 values
(tools/fixtures/keras_activations.py)."""
import json
import os

import numpy as np
import pytest

import tfjs as tf
from tfjs.activations import get_activation

FIXTURE = json.load(open(os.path.join(os.path.dirname(__file__), 'fixtures', 'keras',
                                      'activations', 'values.json')))


@pytest.mark.parametrize('name', sorted(FIXTURE['values']))
def test_keras_activation_values(name):
    x = tf.tensor(FIXTURE['x'])
    ours = np.asarray(get_activation(name).apply(x))
    np.testing.assert_allclose(ours, np.asarray(FIXTURE['values'][name], np.float32),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize('name', ['celu', 'glu', 'hard_tanh', 'sparse_plus', 'squareplus',
                                  'tanh_shrink', 'soft_shrink', 'hard_shrink', 'sparsemax'])
def test_usable_in_a_dense_layer_and_serialized_by_name(name):
    layer = tf.layers.dense({'units': 4, 'activation': name})
    out = layer.apply(tf.randomNormal([2, 3]))
    assert out.shape == ([2, 2] if name == 'glu' else [2, 4])
    assert tf.layers.dense(layer.getConfig()).getConfig()['activation'] == \
        layer.getConfig()['activation']
