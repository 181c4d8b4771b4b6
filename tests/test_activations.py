"""tfjs.activations: names, resolution, serialization, math and gradients."""
import math

import numpy as np
import pytest

import tfjs as tf
from tfjs import activations as A
from tfjs.errors import NotImplementedError as TfjsNotImplementedError
from tfjs.errors import ValueError as TfjsValueError
from tfjs.gradients import grad
from tfjs.serialization.convert import convert_pythonic_to_ts, convert_ts_to_pythonic

TFJS_NAMES = ['linear', 'relu', 'relu6', 'elu', 'selu', 'sigmoid', 'hardSigmoid', 'softplus',
              'softsign', 'tanh', 'softmax', 'logSoftmax', 'swish', 'mish', 'gelu', 'gelu_new']
X = np.array([-7, -3, -2.5, -1, -0.25, 0, 0.25, 1, 2.5, 3, 6, 7], np.float32)


def apply(name, x=X, **kw):
    return A.get_activation(name).apply(tf.tensor(x), **kw).numpy()


@pytest.mark.parametrize('name', TFJS_NAMES)
def test_tfjs_names_resolve_to_their_class_and_serialize_back(name):
    act = A.get_activation(name)
    assert act.getClassName() == name
    assert A.serialize_activation(act) == name
    assert act.getConfig() == {}
    assert tf.serialization.SerializationMap.class_name_map[name] is type(act)


@pytest.mark.parametrize('alias,expected', [
    ('hard_sigmoid', 'hardSigmoid'), ('log_softmax', 'logSoftmax'), ('silu', 'swish'),
    ('geluNew', 'gelu_new'), ('hard_silu', 'hardSilu'), ('hard_swish', 'hardSilu'),
    ('leaky_relu', 'leakyRelu'), ('log_sigmoid', 'logSigmoid'), ('exponential', 'exponential'),
])
def test_snake_case_and_keras_aliases(alias, expected):
    assert A.get_activation(alias).getClassName() == expected


def test_none_instance_class_dict_and_callable():
    assert A.get_activation(None).getClassName() == 'linear'
    relu = A.Relu()
    assert A.get_activation(relu) is relu
    assert isinstance(A.get_activation(A.Tanh), A.Tanh)
    assert A.get_activation({'className': 'elu', 'config': {}}).getClassName() == 'elu'
    assert A.get_activation({'class_name': 'hard_sigmoid', 'config': {}}).getClassName() == \
        'hardSigmoid'

    def double(x):
        return x * 2
    act = A.get_activation(double)
    assert act.getClassName() == 'double'
    assert A.serialize_activation(double) == 'double'
    np.testing.assert_allclose(act.apply(tf.tensor1d([1, 2])).numpy(), [2, 4])
    listy = A.get_activation(lambda x: [1.0, 2.0])
    assert isinstance(listy.apply(tf.tensor1d([0, 0])), tf.Tensor)


def test_unknown_activation_error_lists_names_and_suggests():
    with pytest.raises(TfjsValueError, match=r'Unknown activation: "rellu".*Did you mean "relu"'):
        A.get_activation('rellu')
    with pytest.raises(ValueError, match='hardSigmoid'):
        A.get_activation('nope')
    with pytest.raises(TfjsValueError):
        A.get_activation(42)
    with pytest.raises(TfjsValueError):
        A.get_activation({'config': {}})
    with pytest.raises(TfjsValueError, match='takes no configuration'):
        A.Relu({'alpha': 1})


def test_json_round_trip_of_activation_strings():
    for name in TFJS_NAMES:
        saved = convert_ts_to_pythonic({'activation': name})['activation']
        loaded = convert_pythonic_to_ts({'activation': saved})['activation']
        assert A.get_activation(loaded).getClassName() == name
    assert convert_ts_to_pythonic({'activation': 'hardSigmoid'}) == {'activation': 'hard_sigmoid'}


def test_custom_registered_activation_resolves():
    @tf.serialization.registerClass
    class Cube(A.Activation):
        className = 'cubeTestActivation'

        def apply(self, x, axis=-1):
            return x * x * x
    try:
        act = A.get_activation('cubeTestActivation')
        assert isinstance(act, Cube)
        assert act.apply(tf.tensor1d([2])).arraySync() == [8]
        assert A.deserialize_activation('anything', {'anything': Cube}).getClassName() == \
            'cubeTestActivation'
    finally:
        tf.serialization.clear_custom_classes()


def _sigmoid(x):
    return 1 / (1 + np.exp(-x.astype(np.float64)))


def _softplus(x):
    return np.log1p(np.exp(x.astype(np.float64)))


ERF = np.vectorize(math.erf)
EXPECTED = {
    'linear': lambda x: x,
    'relu': lambda x: np.maximum(x, 0),
    'relu6': lambda x: np.clip(x, 0, 6),
    'elu': lambda x: np.where(x >= 0, x, np.expm1(x)),
    'selu': lambda x: np.where(x >= 0, A.SELU_SCALE * x, A.SELU_SCALEALPHA * np.expm1(x)),
    'sigmoid': _sigmoid,
    'hardSigmoid': lambda x: np.clip(0.2 * x + 0.5, 0, 1),
    'softplus': _softplus,
    'softsign': lambda x: x / (np.abs(x) + 1),
    'tanh': np.tanh,
    'swish': lambda x: x * _sigmoid(x),
    'mish': lambda x: x * np.tanh(_softplus(x)),
    'gelu': lambda x: 0.5 * x * (1 + ERF(x / math.sqrt(2))),
    'gelu_new': lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3))),
    'exponential': np.exp,
    'hard_silu': lambda x: x * np.clip(x + 3, 0, 6) / 6,
    'leaky_relu': lambda x: np.where(x > 0, x, 0.2 * x),
    'log_sigmoid': lambda x: np.log(_sigmoid(x)),
}


@pytest.mark.parametrize('name', list(EXPECTED))
def test_elementwise_math(name):
    np.testing.assert_allclose(apply(name), EXPECTED[name](X.astype(np.float64)), rtol=1e-5,
                               atol=1e-6)


def test_softmax_and_log_softmax_over_axes():
    x = np.array([[1, 2, 3], [4, 0, -4]], np.float32)
    e = np.exp(x - x.max(-1, keepdims=True))
    np.testing.assert_allclose(apply('softmax', x), e / e.sum(-1, keepdims=True), rtol=1e-6)
    np.testing.assert_allclose(apply('logSoftmax', x), np.log(e / e.sum(-1, keepdims=True)),
                               rtol=1e-5)
    e0 = np.exp(x - x.max(0, keepdims=True))
    np.testing.assert_allclose(apply('softmax', x, axis=0), e0 / e0.sum(0), rtol=1e-6)
    with pytest.raises(TfjsValueError, match='rank'):
        A.get_activation('softmax').apply(tf.scalar(1))


def test_gradients_at_ties_follow_tfjs():
    # relu6 = minimum(6, relu(x)): slope 0 at exactly 6 and at 0; hardSigmoid inclusive clip
    g = grad(lambda x: A.get_activation('relu6').apply(x))(tf.tensor1d([0, 3, 6, 7])).arraySync()
    assert g == [0, 1, 0, 0]
    g = grad(lambda x: A.get_activation('hardSigmoid').apply(x))(
        tf.tensor1d([-3, -2.5, 0, 2.5, 3])).numpy()
    np.testing.assert_allclose(g, [0, 0.2, 0.2, 0.2, 0], rtol=1e-6)
    g = grad(lambda x: A.get_activation('elu').apply(x))(tf.tensor1d([-1, 0, 1])).numpy()
    np.testing.assert_allclose(g, [math.exp(-1), 1, 1], rtol=1e-6)


@pytest.mark.parametrize('name', ['gelu', 'gelu_new', 'mish', 'swish', 'selu', 'softplus',
                                  'softsign', 'sigmoid', 'tanh', 'exponential', 'log_sigmoid'])
def test_gradients_match_finite_differences(name):
    x = np.array([-2.3, -0.7, 0.4, 1.9], np.float64)
    g = grad(lambda v: A.get_activation(name).apply(v))(tf.tensor(x.astype(np.float32))).numpy()
    h = 1e-4
    numeric = (EXPECTED[name](x + h) - EXPECTED[name](x - h)) / (2 * h)
    np.testing.assert_allclose(g, numeric, rtol=2e-3, atol=1e-4)


def test_elu_alpha_and_swish_alpha():
    with pytest.raises(TfjsNotImplementedError, match='alpha'):
        A.Elu().apply(tf.tensor1d([1]), alpha=2)
    y = A.Swish().apply(tf.tensor1d([1.0]), alpha=2).numpy()
    np.testing.assert_allclose(y, [_sigmoid(np.array([2.0]))[0]], rtol=1e-6)


def test_inputs_and_dtypes():
    assert A.get_activation('relu').apply([[-1, 2]]).arraySync() == [[0, 2]]
    out = A.get_activation('sigmoid').apply(tf.tensor1d([0], 'int32'))
    assert out.dtype == 'float32' and out.arraySync() == [0.5]
    t = tf.tensor1d([1, 2], 'int32')
    assert A.get_activation('linear').apply(t) is t
    assert A.get_activation('relu')(tf.tensor1d([-1])).arraySync() == [0]


def test_activation_names_and_equality():
    names = A.activation_names()
    assert {'hard_sigmoid', 'hardSigmoid', 'silu', 'gelu_new', 'log_softmax'} <= set(names)
    assert A.Relu() == A.get_activation('relu')
    assert A.Relu() != A.Relu6()
    assert len({A.Relu(), A.Relu()}) == 1
    assert A.Relu().get_class_name() == 'relu'
    assert repr(A.Relu()) == '<Activation relu>'


@pytest.mark.parametrize('name', TFJS_NAMES + ['exponential', 'hardSilu', 'leakyRelu',
                                               'logSigmoid'])
def test_apply_raw_matches_apply(name):
    import torch
    act = A.get_activation(name)
    x = np.array([[-2.0, -0.5, 0.0, 0.5, 7.0]], np.float32)
    raw = act.apply_raw(torch.from_numpy(x))
    assert isinstance(raw, torch.Tensor)
    np.testing.assert_array_equal(raw.numpy(), act.apply(tf.tensor(x)).numpy())


def test_subclass_may_implement_either_apply_or_apply_raw():
    import torch

    class ViaApply(A.Activation):
        className = 'viaApplyTest'

        def apply(self, x, axis=-1):
            return x * 3

    class ViaRaw(A.Activation):
        className = 'viaRawTest'

        def apply_raw(self, t, axis=-1):
            return t * 3

    for cls in (ViaApply, ViaRaw):
        assert cls().apply(tf.tensor1d([1])).arraySync() == [3]
        assert cls().apply_raw(torch.ones(1)).tolist() == [3]
    with pytest.raises(TfjsNotImplementedError):
        A.Activation().apply(tf.tensor1d([1]))
    with pytest.raises(TfjsNotImplementedError):
        A.Activation().apply_raw(torch.ones(1))
    fn = A.get_activation(lambda x: x * 2)
    assert fn.apply_raw(torch.ones(2)).tolist() == [2, 2]
