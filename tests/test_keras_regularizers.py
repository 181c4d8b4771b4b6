"""Keras regularizer configs (L1, L2, L1L2, OrthogonalRegularizer) load and give Keras 3's
penalties (tools/fixtures/keras_regularizers.py)."""
import json
import os

import pytest

import tfjs as tf
from tfjs.regularizers import get_regularizer, serialize_regularizer

FIXTURE = json.load(open(os.path.join(os.path.dirname(__file__), 'fixtures', 'keras',
                                      'regularizers', 'values.json')))


@pytest.mark.parametrize('case', FIXTURE['cases'], ids=lambda c: c['config']['class_name'])
def test_keras_regularizer_penalty(case):
    reg = get_regularizer(case['config'])
    value = float(reg.apply(tf.tensor(FIXTURE['w'])).dataSync()[0])
    assert value == pytest.approx(case['value'], rel=1e-5)
    again = get_regularizer(serialize_regularizer(reg))
    assert again.getConfig() == reg.getConfig()


def test_orthogonal_regularizer_errors():
    with pytest.raises(ValueError, match='mode must be'):
        get_regularizer({'className': 'OrthogonalRegularizer', 'config': {'mode': 'diag'}})
    reg = get_regularizer({'className': 'OrthogonalRegularizer', 'config': {}})
    with pytest.raises(ValueError, match='rank-2'):
        reg.apply(tf.ones([2, 2, 2]))
