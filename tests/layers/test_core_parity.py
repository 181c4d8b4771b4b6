"""Core layers against TF.js through the generic parity check (tests/layers/layer_parity.py)."""
import pytest

from layer_parity import check_layer

CASES = [
    ('dense', {'units': 3}, [4]),
    ('dense', {'units': 2, 'activation': 'relu', 'useBias': False}, [2, 5]),
    ('dense', {'units': 4, 'activation': 'softmax', 'kernelInitializer': 'heNormal'}, [3]),
    ('flatten', {}, [2, 3]),
    ('flatten', {'dataFormat': 'channelsFirst'}, [2, 3, 2]),
    ('activation', {'activation': 'elu'}, [5]),
    ('reshape', {'targetShape': [3, -1]}, [6]),
    ('dropout', {'rate': 0.3}, [4]),
    ('batchNormalization', {}, [4]),
]


def test_batch_normalization_without_center(oracle):
    # TF.js 4.22 cannot differentiate batchNormalization({center: false}) in inference mode
    # (its gradient walks an undefined offset tensor), so only values are compared.
    check_layer(oracle, 'batchNormalization', {'axis': 1, 'center': False, 'epsilon': 0.01},
                [3, 2], gradients=False)


@pytest.mark.parametrize('factory,config,shape', CASES, ids=[f'{c[0]}-{i}' for i, c in enumerate(CASES)])
def test_core_layer_parity(oracle, factory, config, shape):
    check_layer(oracle, factory, config, shape)


def test_batch_normalization_training_mode(oracle):
    check_layer(oracle, 'batchNormalization', {'momentum': 0.5}, [3], batch=5,
                kwargs={'training': True})


@pytest.mark.parametrize('factory', ['add', 'multiply', 'average', 'maximum', 'minimum', 'concatenate'])
def test_merge_layer_parity(oracle, factory):
    check_layer(oracle, factory, {}, [[3], [3]])


def test_subtract_is_keras_subtract():
    import numpy as np
    import tfjs as tf
    a, b = np.random.RandomState(0).randn(2, 4, 3).astype(np.float32)
    out = tf.layers.subtract().apply([tf.tensor(a), tf.tensor(b[:, :1])])   # broadcasts like Keras
    np.testing.assert_array_equal(np.asarray(out), a - b[:, :1])
    with pytest.raises(ValueError, match='exactly 2 inputs'):
        tf.layers.subtract().apply([tf.tensor(a)] * 3)
