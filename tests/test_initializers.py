"""tfjs.initializers: factories, configs, resolution, fans, sampling and seeds."""
import math

import numpy as np
import pytest

import tfjs as tf
from tfjs import initializers as I
from tfjs.errors import NotImplementedError as TfjsNotImplementedError
from tfjs.errors import ValueError as TfjsValueError
from tfjs.serialization import convert_pythonic_to_ts, deserialize

DEFAULT_CONFIGS = {
    'zeros': ('Zeros', {}),
    'ones': ('Ones', {}),
    'randomUniform': ('RandomUniform', {'minval': -0.05, 'maxval': 0.05, 'seed': None}),
    'randomNormal': ('RandomNormal', {'mean': 0.0, 'stddev': 0.05, 'seed': None}),
    'truncatedNormal': ('TruncatedNormal', {'mean': 0.0, 'stddev': 0.05, 'seed': None}),
    'identity': ('Identity', {'gain': 1.0}),
    'varianceScaling': ('VarianceScaling', {'scale': 1.0, 'mode': 'fanIn',
                                            'distribution': 'normal', 'seed': None}),
    'glorotUniform': ('VarianceScaling', {'scale': 1.0, 'mode': 'fanAvg',
                                          'distribution': 'uniform', 'seed': None}),
    'glorotNormal': ('VarianceScaling', {'scale': 1.0, 'mode': 'fanAvg',
                                         'distribution': 'normal', 'seed': None}),
    'heNormal': ('VarianceScaling', {'scale': 2.0, 'mode': 'fanIn', 'distribution': 'normal',
                                     'seed': None}),
    'heUniform': ('VarianceScaling', {'scale': 2.0, 'mode': 'fanIn', 'distribution': 'uniform',
                                      'seed': None}),
    'leCunNormal': ('VarianceScaling', {'scale': 1.0, 'mode': 'fanIn', 'distribution': 'normal',
                                        'seed': None}),
    'leCunUniform': ('VarianceScaling', {'scale': 1.0, 'mode': 'fanIn',
                                         'distribution': 'uniform', 'seed': None}),
    'orthogonal': ('Orthogonal', {'gain': 1.0, 'seed': None}),
}


@pytest.mark.parametrize('name', list(DEFAULT_CONFIGS))
def test_factory_defaults_and_serialization(name):
    init = getattr(I, name)()
    cls, config = DEFAULT_CONFIGS[name]
    assert init.getClassName() == cls
    assert init.getConfig() == config
    assert I.serialize_initializer(init) == {'className': cls, 'config': config}
    # string identifier, snake twin of the factory, and round trip through the registry
    assert I.get_initializer(name).getConfig() == config
    assert getattr(I, tf._naming.to_snake_case(name))().getConfig() == config
    again = deserialize(I.serialize_initializer(init), kind='initializer')
    assert again.getConfig() == config


def test_helpers_are_registered_under_their_own_names():
    for name, cls in [('GlorotUniform', I.GlorotUniform), ('GlorotNormal', I.GlorotNormal),
                      ('HeNormal', I.HeNormal), ('HeUniform', I.HeUniform),
                      ('LeCunNormal', I.LeCunNormal), ('LeCunUniform', I.LeCunUniform),
                      ('LecunNormal', I.LeCunNormal), ('LecunUniform', I.LeCunUniform)]:
        got = deserialize({'className': name, 'config': {'seed': None}}, kind='initializer')
        assert type(got) is cls
        assert got.getClassName() == 'VarianceScaling'


@pytest.mark.parametrize('identifier,cls,mode', [
    ('glorot_uniform', 'GlorotUniform', 'fanAvg'), ('he_normal', 'HeNormal', 'fanIn'),
    ('lecun_normal', 'LeCunNormal', 'fanIn'), ('lecun_uniform', 'LeCunUniform', 'fanIn'),
    ('le_cun_normal', 'LeCunNormal', 'fanIn'), ('GlorotNormal', 'GlorotNormal', 'fanAvg'),
    ('LecunUniform', 'LeCunUniform', 'fanIn'), ('variance_scaling', 'VarianceScaling', 'fanIn'),
])
def test_snake_case_and_keras_identifiers(identifier, cls, mode):
    init = I.get_initializer(identifier)
    assert type(init).className == cls
    assert init.getConfig()['mode'] == mode


@pytest.mark.parametrize('identifier,cls', [
    ('random_normal', 'RandomNormal'), ('random_uniform', 'RandomUniform'),
    ('truncated_normal', 'TruncatedNormal'), ('zero', 'Zeros'), ('one', 'Ones'),
    ('uniform', 'RandomUniform'), ('normal', 'RandomNormal'), ('Orthogonal', 'Orthogonal'),
    ('Zeros', 'Zeros'), ('identity', 'Identity'),
])
def test_other_identifiers(identifier, cls):
    assert I.get_initializer(identifier).getClassName() == cls


def test_resolution_of_dicts_instances_and_none():
    init = I.heNormal()
    assert I.get_initializer(init) is init
    assert I.get_initializer(None) is None
    assert isinstance(I.get_initializer(I.Ones), I.Ones)
    got = I.get_initializer({'className': 'RandomNormal', 'config': {'mean': 1, 'stddev': 2}})
    assert got.getConfig() == {'mean': 1, 'stddev': 2, 'seed': None}
    got = I.get_initializer({'class_name': 'Constant', 'config': {'value': 3}})
    assert got.getConfig() == {'value': 3}


def test_unknown_identifier_errors():
    with pytest.raises(TfjsValueError, match=r'Unknown initializer.*Did you mean "glorotNormal"'):
        I.get_initializer('glorotNormall')
    with pytest.raises(TfjsValueError, match='className'):
        I.get_initializer({'config': {}})
    with pytest.raises(ValueError, match='Unknown initializer: NoSuchInit'):
        I.get_initializer({'className': 'NoSuchInit', 'config': {}})
    with pytest.raises(TfjsValueError):
        I.get_initializer(3.5)


def test_config_keys_camel_and_snake_and_unknown():
    assert I.randomNormal({'mean': 1}, stddev=2).getConfig()['stddev'] == 2
    assert I.varianceScaling(mode='fan_out', distribution='truncated_normal').getConfig() == {
        'scale': 1.0, 'mode': 'fanOut', 'distribution': 'truncatedNormal', 'seed': None}
    with pytest.raises(TfjsValueError, match='Did you mean "stddev"'):
        I.randomNormal({'stdev': 1})
    with pytest.raises(TfjsValueError, match='FanMode'):
        I.varianceScaling({'mode': 'fanMiddle'})
    with pytest.raises(TfjsValueError, match='Distribution'):
        I.varianceScaling({'distribution': 'cauchy'})
    with pytest.raises(TfjsValueError, match='scale must be a positive'):
        I.varianceScaling({'scale': -1})
    with pytest.raises(TfjsValueError, match='value'):
        I.constant()
    with pytest.raises(TfjsValueError, match='Unknown config key'):
        I.glorotUniform({'scale': 2})


def test_keras_json_configs_load():
    keras = {'class_name': 'VarianceScaling',
             'config': {'scale': 2.0, 'mode': 'fan_avg', 'distribution': 'truncated_normal',
                        'seed': None}}
    ts = convert_pythonic_to_ts(keras)
    init = I.get_initializer(ts)
    assert init.getConfig() == {'scale': 2.0, 'mode': 'fanAvg',
                                'distribution': 'truncatedNormal', 'seed': None}
    old = convert_pythonic_to_ts({'class_name': 'Zeros', 'config': {'dtype': 'float32'}})
    assert I.get_initializer(old).getClassName() == 'Zeros'
    odd = I.get_initializer({'className': 'GlorotUniform',
                             'config': {'scale': 3.0, 'mode': 'fanIn',
                                        'distribution': 'uniform', 'seed': 1}})
    assert odd.getConfig()['scale'] == 3.0


@pytest.mark.parametrize('shape,fans', [
    ([3, 4], (3, 4)), ([3, 3, 8, 16], (72, 144)), ([5, 2, 7], (10, 35)),
    ([2, 2, 2, 3, 4], (24, 32)), ([16], (4.0, 4.0)), ([], (1.0, 1.0)),
    ([2, 3, 4, 5, 6, 7], (math.sqrt(5040), math.sqrt(5040))),
])
def test_compute_fans(shape, fans):
    assert I.compute_fans(shape) == fans


def test_compute_fans_channels_first():
    assert I.compute_fans([16, 8, 3, 3], 'channelsFirst') == (72, 144)
    with pytest.raises(TfjsValueError):
        I.compute_fans([1, 2, 3], 'nchw')


def test_seeds_are_reproducible():
    for factory in (I.glorotUniform, I.glorotNormal, I.randomUniform, I.randomNormal,
                    I.truncatedNormal, I.orthogonal, I.heNormal):
        a = factory({'seed': 42}).apply([6, 5]).numpy()
        b = factory(seed=42).apply([6, 5]).numpy()
        c = factory({'seed': 43}).apply([6, 5]).numpy()
        np.testing.assert_array_equal(a, b)
        assert not np.array_equal(a, c)
    d = I.glorotUniform().apply([6, 5]).numpy()
    e = I.glorotUniform().apply([6, 5]).numpy()
    assert not np.array_equal(d, e)


def _sample(init, shape):
    return init.apply(shape).numpy().astype(np.float64)


def test_variance_scaling_statistics():
    shape = [300, 500]
    fan_in, fan_out = 300, 500
    # uniform: limit sqrt(3 * scale / fan)
    a = _sample(I.varianceScaling({'scale': 2, 'mode': 'fanOut', 'distribution': 'uniform',
                                   'seed': 1}), shape)
    limit = math.sqrt(3 * 2 / fan_out)
    assert a.min() >= -limit and a.max() <= limit and a.max() > 0.99 * limit
    # normal (TF.js): truncated at 2 stddev, stddev sqrt(scale / fan), no correction
    b = _sample(I.varianceScaling({'mode': 'fanAvg', 'seed': 2}), shape)
    stddev = math.sqrt(1 / ((fan_in + fan_out) / 2))
    assert np.abs(b).max() <= 2 * stddev * 1.0001
    assert abs(b.std() - 0.8796 * stddev) < 0.02 * stddev
    # truncatedNormal (Keras): corrected so the truncated samples have stddev sqrt(scale / fan)
    c = _sample(I.varianceScaling({'distribution': 'truncatedNormal', 'seed': 3}), shape)
    assert abs(c.std() - math.sqrt(1 / fan_in)) < 0.02 * math.sqrt(1 / fan_in)
    # untruncatedNormal (Keras)
    d = _sample(I.varianceScaling({'distribution': 'untruncated_normal', 'seed': 4}), shape)
    assert abs(d.std() - math.sqrt(1 / fan_in)) < 0.02 * math.sqrt(1 / fan_in)
    assert np.abs(d).max() > 2 * math.sqrt(1 / fan_in)


def test_random_uniform_keeps_zero_bounds_and_dtypes():
    a = _sample(I.randomUniform({'minval': 0, 'maxval': 1, 'seed': 5}), [1000])
    assert a.min() >= 0 and a.max() < 1
    t = I.randomUniform({'minval': 0, 'maxval': 10, 'seed': 1}).apply([50], 'int32')
    assert t.dtype == 'int32'
    assert I.zeros().apply([2], 'int32').dtype == 'int32'
    assert I.ones().apply([2, 2]).arraySync() == [[1, 1], [1, 1]]
    assert I.constant({'value': 2.5}).apply([2]).arraySync() == [2.5, 2.5]
    with pytest.raises(TfjsNotImplementedError):
        I.randomNormal().apply([2], 'bool')


def test_identity_and_orthogonal():
    assert I.identity({'gain': 2}).apply([2, 2]).arraySync() == [[2, 0], [0, 2]]
    assert I.identity().apply([2, 3]).arraySync() == [[1, 0, 0], [0, 1, 0]]
    with pytest.raises(TfjsValueError, match='2D'):
        I.identity().apply([2, 2, 2])
    for shape in ([6, 4], [4, 6], [2, 3, 5]):
        q = I.orthogonal({'gain': 1.5, 'seed': 0}).apply(shape)
        assert q.shape == shape
        m = q.numpy().reshape(-1, shape[-1]).astype(np.float64)
        gram = m.T @ m if m.shape[0] >= m.shape[1] else m @ m.T
        np.testing.assert_allclose(gram, 2.25 * np.eye(len(gram)), atol=1e-5)
    with pytest.raises(TfjsNotImplementedError, match='2D'):
        I.orthogonal().apply([5])
    with pytest.warns(UserWarning, match='Slowness'):
        I.orthogonal().apply([50, 50])


def test_call_and_snake_methods():
    init = I.glorotUniform({'seed': 1})
    assert init([2, 2]).shape == [2, 2]
    assert init.get_class_name() == 'VarianceScaling'
    assert init.get_config()['mode'] == 'fanAvg'
    assert 'VarianceScaling' in repr(init)
    with pytest.raises(TfjsValueError, match='shape'):
        init.apply(3)
