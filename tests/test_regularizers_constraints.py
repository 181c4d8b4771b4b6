"""tfjs.regularizers and tfjs.constraints: defaults, math, resolution and serialization."""
import numpy as np
import pytest

import tfjs as tf
from tfjs import constraints as C
from tfjs import regularizers as R
from tfjs.errors import ValueError as TfjsValueError
from tfjs.gradients import grad
from tfjs.serialization import convert_pythonic_to_ts, deserialize

W = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -4.0]], np.float32)


# ------------------------------------------------------------------------------ regularizers

def test_l1l2_defaults_and_factories():
    assert R.l1l2().getConfig() == {'l1': 0.01, 'l2': 0.01}
    assert R.l1l2({'l1': 0.5}).getConfig() == {'l1': 0.5, 'l2': 0.01}
    assert R.l1().getConfig() == {'l1': 0.01, 'l2': 0}
    assert R.l1({'l1': 0.2}).getConfig() == {'l1': 0.2, 'l2': 0}
    assert R.l2(l2=0.3).getConfig() == {'l1': 0, 'l2': 0.3}
    assert R.l1l2(l1=0, l2=0).getConfig() == {'l1': 0, 'l2': 0}
    for reg in (R.l1l2(), R.l1(), R.l2()):
        assert reg.getClassName() == 'L1L2'
        assert R.serialize_regularizer(reg) == {'className': 'L1L2', 'config': reg.getConfig()}


def test_l1l2_penalty():
    x = tf.tensor(W)
    expected = 0.1 * np.abs(W).sum() + 0.2 * (W.astype(np.float64) ** 2).sum()
    out = R.l1l2({'l1': 0.1, 'l2': 0.2}).apply(x)
    assert out.shape == [] and out.dtype == 'float32'
    np.testing.assert_allclose(out.item(), expected, rtol=1e-6)
    assert R.l1l2({'l1': 0, 'l2': 0}).apply(x).item() == 0
    assert R.l1({'l1': 1}).apply([-1, 2]).item() == 3
    assert R.l2({'l2': 1})([-1, 2]).item() == 5
    g = grad(lambda v: R.l2({'l2': 0.5}).apply(v))(tf.tensor1d([1, -2])).numpy()
    np.testing.assert_allclose(g, [1, -2])


def test_regularizer_resolution():
    assert R.get_regularizer(None) is None
    reg = R.l1()
    assert R.get_regularizer(reg) is reg
    assert R.get_regularizer('l1l2').getConfig() == {'l1': 0.01, 'l2': 0.01}
    assert R.get_regularizer('L1L2').getConfig() == {'l1': 0.01, 'l2': 0.01}
    assert R.get_regularizer('l1_l2').getConfig() == {'l1': 0.01, 'l2': 0.01}
    assert R.get_regularizer('l1').getConfig() == {'l1': 0.01, 'l2': 0}
    assert R.get_regularizer('l2').getConfig() == {'l1': 0, 'l2': 0.01}
    got = R.get_regularizer({'className': 'L1L2', 'config': {'l1': 0.3, 'l2': 0.4}})
    assert got.getConfig() == {'l1': 0.3, 'l2': 0.4}


def test_keras_l1_and_l2_classes_become_l1l2():
    for cfg, expected in [({'class_name': 'L1', 'config': {'l1': 0.05}}, {'l1': 0.05, 'l2': 0}),
                          ({'class_name': 'L2', 'config': {'l2': 0.07}}, {'l1': 0, 'l2': 0.07}),
                          ({'class_name': 'L1L2', 'config': {'l1': 0.0, 'l2': 0.02}},
                           {'l1': 0.0, 'l2': 0.02})]:
        reg = R.get_regularizer(convert_pythonic_to_ts(cfg))
        assert type(reg) is R.L1L2
        assert reg.getClassName() == 'L1L2' and reg.getConfig() == expected
        assert deserialize(convert_pythonic_to_ts(cfg), kind='regularizer').getConfig() == expected


def test_regularizer_errors():
    with pytest.raises(TfjsValueError, match=r'Unknown regularizer.*Did you mean'):
        R.get_regularizer('l1l3')
    with pytest.raises(TfjsValueError, match='Unknown config key'):
        R.l1l2({'l3': 1})
    with pytest.raises(TfjsValueError, match='Unknown config key "l2"'):
        R.l1({'l2': 1})
    with pytest.raises(TfjsValueError, match='number'):
        R.l1l2({'l1': 'big'})
    with pytest.raises(TfjsValueError):
        R.get_regularizer({'l1': 1})
    with pytest.raises(TfjsValueError):
        R.get_regularizer(3)


# ------------------------------------------------------------------------------- constraints

def _norms(w, axis):
    return np.sqrt((w.astype(np.float64) ** 2).sum(axis=axis, keepdims=True))


def test_constraint_defaults_and_configs():
    assert C.maxNorm().getConfig() == {'maxValue': 2, 'axis': 0}
    assert C.unitNorm().getConfig() == {'axis': 0}
    assert C.nonNeg().getConfig() == {}
    assert C.minMaxNorm().getConfig() == {'minValue': 0.0, 'maxValue': 1.0, 'rate': 1.0,
                                          'axis': 0}
    assert C.max_norm(max_value=3, axis=1).getConfig() == {'maxValue': 3, 'axis': 1}
    assert C.serialize_constraint(C.unitNorm({'axis': 1})) == {'className': 'UnitNorm',
                                                               'config': {'axis': 1}}
    assert C.serialize_constraint(None) is None


def test_max_norm_math():
    for axis in (0, 1):
        got = C.maxNorm({'maxValue': 2, 'axis': axis}).apply(tf.tensor(W)).numpy()
        n = _norms(W, axis)
        expected = W * (np.clip(n, 0, 2) / (1e-7 + n))
        np.testing.assert_allclose(got, expected, rtol=1e-6)
        assert (_norms(got, axis) <= 2 + 1e-5).all()


def test_unit_norm_non_neg_min_max_norm_math():
    got = C.unitNorm({'axis': 1}).apply(W).numpy()
    np.testing.assert_allclose(_norms(got, 1), 1, rtol=1e-5)
    assert C.nonNeg().apply(W).numpy().min() == 0
    np.testing.assert_array_equal(C.nonNeg()(W).numpy(), np.maximum(W, 0))
    mm = C.minMaxNorm({'minValue': 1, 'maxValue': 3, 'rate': 0.5, 'axis': [0]})
    n = _norms(W, 0)
    desired = 0.5 * np.clip(n, 1, 3) + 0.5 * n
    np.testing.assert_allclose(mm.apply(W).numpy(), W * desired / (1e-7 + n), rtol=1e-6)


def test_constraint_resolution_and_errors():
    assert C.get_constraint(None) is None
    c = C.nonNeg()
    assert C.get_constraint(c) is c
    for name, cls in [('maxNorm', 'MaxNorm'), ('max_norm', 'MaxNorm'), ('MaxNorm', 'MaxNorm'),
                      ('unit_norm', 'UnitNorm'), ('non_neg', 'NonNeg'), ('nonNeg', 'NonNeg'),
                      ('minMaxNorm', 'MinMaxNorm'), ('min_max_norm', 'MinMaxNorm')]:
        assert C.get_constraint(name).getClassName() == cls
    keras = convert_pythonic_to_ts({'class_name': 'MaxNorm',
                                    'config': {'max_value': 3.0, 'axis': 0}})
    assert C.get_constraint(keras).getConfig() == {'maxValue': 3.0, 'axis': 0}
    with pytest.raises(TfjsValueError, match=r'Unknown constraint.*Did you mean "maxNorm"'):
        C.get_constraint('maxNorn')
    with pytest.raises(TfjsValueError, match='Did you mean "maxValue"'):
        C.maxNorm({'maxVal': 3})
    with pytest.raises(TfjsValueError):
        C.get_constraint({'axis': 0})
    with pytest.raises(TfjsValueError):
        C.get_constraint(1.5)


def test_round_trip_through_registry():
    for c in (C.maxNorm({'maxValue': 3}), C.unitNorm({'axis': 1}), C.nonNeg(),
              C.minMaxNorm({'minValue': 0.2, 'rate': 0.3})):
        again = deserialize(C.serialize_constraint(c), kind='constraint')
        assert type(again) is type(c) and again.getConfig() == c.getConfig()
        assert again.get_class_name() == c.getClassName()
        assert repr(again).startswith('<Constraint')
