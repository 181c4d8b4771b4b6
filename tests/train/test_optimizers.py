"""Unit tests of tf.train: factories and configs, weights, iterations, errors, minimize, and the
exactness of the grouped (`torch._foreach_*`) updates against a per-variable NumPy emulation of
TF.js's CPU kernels (each op computed in float64, as JS numbers, and stored as float32)."""
from __future__ import annotations

import asyncio

import numpy as np
import pytest

import tfjs as tf
import tfjs.train  # noqa: F401 - registers tf.train
from tfjs.errors import NotImplementedError as TfjsNotImplementedError
from tfjs.errors import ValueError as TfjsValueError
from tfjs.train import (AdadeltaOptimizer, AdagradOptimizer, AdamaxOptimizer, AdamOptimizer,
                        MomentumOptimizer, RMSPropOptimizer, SGDOptimizer)

train = tf.train
FACTORIES = {
    'sgd': lambda: train.sgd(0.1),
    'momentum': lambda: train.momentum(0.05, 0.9),
    'nesterov': lambda: train.momentum(0.05, 0.9, True),
    'rmsprop': lambda: train.rmsprop(0.01, 0.9, 0.3),
    'rmsprop_centered': lambda: train.rmsprop(0.01, 0.8, 0.5, None, True),
    'adam': lambda: train.adam(0.05, 0.8, 0.99),
    'adadelta': lambda: train.adadelta(1.0, 0.9),
    'adamax': lambda: train.adamax(0.05, 0.8, 0.99, None, 0.01),
    'adagrad': lambda: train.adagrad(0.2, 0.5),
}
SLOTS = {'sgd': [], 'momentum': ['momentum'], 'nesterov': ['momentum'],
         'rmsprop': ['rms', 'momentum'], 'rmsprop_centered': ['rms', 'momentum', 'mg'],
         'adam': ['m', 'v'], 'adadelta': ['accum_grad', 'accum_var'], 'adamax': ['m', 'v'],
         'adagrad': ['accumulator']}


def _vars(seed=0):
    rng = np.random.default_rng(seed)
    return (tf.variable(tf.tensor(rng.normal(size=(3, 4)).astype(np.float32))),
            tf.variable(tf.tensor(rng.normal(size=(4,)).astype(np.float32))))


def _loss(W, b, seed=1):
    rng = np.random.default_rng(seed)
    X = tf.tensor(rng.normal(size=(8, 3)).astype(np.float32))
    Y = tf.tensor(rng.normal(size=(8, 4)).astype(np.float32))
    return lambda: tf.mean(tf.square(tf.sub(tf.add(tf.matMul(X, W), b), Y)))


# ------------------------------------------------------------------------------ factories

def test_positional_config_and_keywords_agree():
    expected = {'learningRate': 0.2, 'beta1': 0.8, 'beta2': 0.99, 'epsilon': 1e-3}
    assert train.adam(0.2, 0.8, 0.99, 1e-3).getConfig() == expected
    assert train.adam({'learningRate': 0.2, 'beta1': 0.8, 'beta2': 0.99,
                       'epsilon': 1e-3}).getConfig() == expected
    assert train.adam(learning_rate=0.2, beta_1=0.8, beta_2=0.99, epsilon=1e-3).getConfig() \
        == expected
    assert train.adam({'lr': 0.2}, beta1=0.8, beta2=0.99, epsilon=1e-3).getConfig() == expected


def test_seed_guide_sgd_config_object():
    assert train.sgd({'lr': 0.2}).getConfig() == {'learningRate': 0.2}
    assert train.sgd(learningRate=0.3).learningRate == 0.3


def test_defaults_match_tfjs():
    assert train.adam().getConfig() == {'learningRate': 0.001, 'beta1': 0.9, 'beta2': 0.999,
                                        'epsilon': 1e-7}
    assert train.rmsprop(0.1).getConfig() == {'learningRate': 0.1, 'decay': 0.9, 'momentum': 0.0,
                                              'epsilon': 1e-7, 'centered': False}
    assert train.adadelta().getConfig() == {'learningRate': 0.001, 'rho': 0.95, 'epsilon': 1e-7}
    assert train.adamax().getConfig() == {'learningRate': 0.002, 'beta1': 0.9, 'beta2': 0.999,
                                          'epsilon': 1e-7, 'decay': 0.0}
    assert train.adagrad(0.1).getConfig() == {'learningRate': 0.1, 'initialAccumulatorValue': 0.1}
    assert train.momentum(0.1, 0.9).getConfig() == {'learningRate': 0.1, 'momentum': 0.9,
                                                    'useNesterov': False}


def test_keras_aliases():
    assert train.momentum(0.1, 0.9, nesterov=True).useNesterov is True
    assert train.momentum(lr=0.1, momentum=0.9, use_nesterov=True).useNesterov is True
    assert train.rmsprop(0.1, rho=0.8).decay == 0.8
    assert train.adagrad(0.1, initial_accumulator_value=0.3).initialAccumulatorValue == 0.3


def test_unknown_key_names_key_and_valid_ones():
    with pytest.raises(TfjsValueError, match=r'"beta3".*learningRate'):
        train.adam({'beta3': 0.5})
    with pytest.raises(TfjsValueError, match='momentum'):
        train.sgd(0.1, momentum=0.9)
    with pytest.raises(ValueError):     # also a builtin ValueError
        train.rmsprop(0.1, centred=True)


def test_argument_errors():
    with pytest.raises(TfjsValueError, match='given twice'):
        train.adam(0.1, learning_rate=0.2)
    with pytest.raises(TfjsValueError, match='given twice'):
        train.adam({'beta1': 0.8}, beta1=0.9)
    with pytest.raises(TypeError):
        train.sgd(0.1, 0.2)
    with pytest.raises(TfjsValueError, match='learningRate'):
        train.sgd()
    with pytest.raises(TfjsValueError, match='must be defined'):
        train.rmsprop()
    with pytest.raises(TfjsValueError, match='number'):
        train.adam('fast')


def test_class_names_and_snake_twins():
    names = {k: f().getClassName() for k, f in FACTORIES.items()}
    assert names == {'sgd': 'SGD', 'momentum': 'Momentum', 'nesterov': 'Momentum',
                     'rmsprop': 'RMSProp', 'rmsprop_centered': 'RMSProp', 'adam': 'Adam',
                     'adadelta': 'Adadelta', 'adamax': 'Adamax', 'adagrad': 'Adagrad'}
    assert AdamOptimizer.className == 'Adam' and RMSPropOptimizer.className == 'RMSProp'
    assert isinstance(train.momentum(0.1, 0.9), SGDOptimizer)
    opt = train.adam()
    assert opt.get_config() == opt.getConfig() and opt.get_class_name() == 'Adam'
    assert callable(opt.apply_gradients) and callable(opt.compute_gradients)
    assert callable(opt.get_weights) and callable(opt.set_weights)
    assert train.get_optimizer is train.getOptimizer
    assert train.deserialize_optimizer is train.deserializeOptimizer


@pytest.mark.parametrize('name', list(FACTORIES))
def test_config_round_trip(name):
    opt = FACTORIES[name]()
    again = type(opt).fromConfig(opt.getConfig())
    assert type(again) is type(opt) and again.getConfig() == opt.getConfig()
    snake = {tf._naming.to_snake_case(k): v for k, v in opt.getConfig().items()}
    assert type(opt).from_config(snake).getConfig() == opt.getConfig()
    ser = {'class_name': opt.getClassName(), 'config': opt.getConfig()}
    assert train.deserializeOptimizer(ser).getConfig() == opt.getConfig()


# ------------------------------------------------------------------------------ strings

@pytest.mark.parametrize('ident,cls,config', [
    ('sgd', SGDOptimizer, {'learningRate': 0.01}),
    ('SGD', SGDOptimizer, {'learningRate': 0.01}),
    ('adam', AdamOptimizer, {'learningRate': 0.001, 'beta1': 0.9, 'beta2': 0.999,
                             'epsilon': 1e-7}),
    ('rmsprop', RMSPropOptimizer, {'learningRate': 0.001, 'decay': 0.9, 'momentum': 0,
                                   'epsilon': 1e-7, 'centered': False}),
    ('RMSprop', RMSPropOptimizer, None),
    ('Adagrad', AdagradOptimizer, {'learningRate': 0.01, 'initialAccumulatorValue': 0.1}),
    ('adadelta', AdadeltaOptimizer, {'learningRate': 1, 'rho': 0.95, 'epsilon': 1e-7}),
    ('Adamax', AdamaxOptimizer, {'learningRate': 0.002, 'beta1': 0.9, 'beta2': 0.999,
                                 'epsilon': 1e-7, 'decay': 0}),
])
def test_get_optimizer_strings(ident, cls, config):
    opt = train.getOptimizer(ident)
    assert type(opt) is cls
    if config is not None:
        assert opt.getConfig() == config


def test_get_optimizer_unknown_and_passthrough():
    with pytest.raises(TfjsValueError, match=r'Unknown Optimizer.*Did you mean "adam"'):
        train.getOptimizer('ADAM')
    with pytest.raises(TfjsValueError, match='Valid names'):
        train.getOptimizer('momentum')      # TF.js has no 'momentum' string either
    opt = train.sgd(0.5)
    assert train.getOptimizer(opt) is opt
    assert train.getOptimizer({'className': 'SGD', 'config': {'learningRate': 0.5}}).learningRate \
        == 0.5


def test_deserialize_keras_configs():
    keras_adam = {'class_name': 'Adam', 'config': {
        'name': 'Adam', 'learning_rate': 0.01, 'beta_1': 0.8, 'beta_2': 0.99, 'epsilon': 1e-7,
        'amsgrad': False, 'weight_decay': None, 'clipnorm': None, 'global_clipnorm': None,
        'clipvalue': None, 'use_ema': False, 'ema_momentum': 0.99,
        'ema_overwrite_frequency': None, 'jit_compile': True, 'is_legacy_optimizer': False}}
    assert train.deserialize_optimizer(keras_adam).getConfig() == {
        'learningRate': 0.01, 'beta1': 0.8, 'beta2': 0.99, 'epsilon': 1e-7}
    rms = train.deserialize_optimizer({'class_name': 'RMSprop', 'module': 'keras.optimizers',
                                       'config': {'learning_rate': 0.002, 'rho': 0.8,
                                                  'momentum': 0.1, 'epsilon': 1e-7,
                                                  'centered': True, 'decay': 0.0}})
    assert type(rms) is RMSPropOptimizer and rms.decay == 0.8 and rms.centered
    mom = train.deserialize_optimizer({'class_name': 'SGD', 'config': {
        'learning_rate': 0.1, 'momentum': 0.9, 'nesterov': True}})
    assert type(mom) is MomentumOptimizer and mom.useNesterov and mom.momentum == 0.9
    sgd = train.deserialize_optimizer({'class_name': 'SGD', 'config': {
        'learning_rate': 0.1, 'momentum': 0.0, 'nesterov': False}})
    assert type(sgd) is SGDOptimizer
    ada = train.deserialize_optimizer({'class_name': 'Adagrad', 'config': {
        'learning_rate': 0.1, 'initial_accumulator_value': 0.2, 'epsilon': 1e-7}})
    assert ada.getConfig() == {'learningRate': 0.1, 'initialAccumulatorValue': 0.2}


def test_deserialize_errors():
    with pytest.raises(TfjsNotImplementedError, match='amsgrad'):
        train.deserialize_optimizer({'class_name': 'Adam', 'config': {'amsgrad': True}})
    with pytest.raises(TfjsValueError, match='ExponentialDecay needs "initialLearningRate"'):
        train.deserialize_optimizer({'class_name': 'Adam', 'config': {'learning_rate': {
            'class_name': 'ExponentialDecay', 'config': {}}}})
    with pytest.raises(TfjsValueError, match='Unknown learning rate schedule: MySchedule'):
        train.deserialize_optimizer({'class_name': 'Adam', 'config': {'learning_rate': {
            'class_name': 'MySchedule', 'config': {}}}})
    with pytest.raises(TfjsValueError, match='Unknown optimizer: Nadam'):
        train.deserialize_optimizer({'class_name': 'Nadam', 'config': {}})
    with pytest.raises(TfjsValueError, match='"beta3"'):
        train.deserialize_optimizer({'class_name': 'Adam', 'config': {'beta3': 1}})
    with pytest.raises(TfjsValueError, match='class_name'):
        train.deserialize_optimizer({'config': {}})


def test_registered_in_serialization_registry():
    from tfjs.serialization import deserialize
    opt = deserialize({'className': 'Adamax', 'config': {'learningRate': 0.01}})
    assert type(opt) is AdamaxOptimizer and opt.learningRate == 0.01


# ------------------------------------------------------------------------------ minimize

def test_minimize_return_cost_and_var_list():
    W, b = _vars()
    f = _loss(W, b)
    before = f().arraySync()
    opt = train.sgd(0.1)
    assert opt.minimize(f) is None      # all trainable variables (others get zero grads)
    b0 = b.numpy()
    cost = opt.minimize(f, True, [W])
    assert isinstance(cost, tf.Tensor) and cost.shape == [] and cost.arraySync() < before
    np.testing.assert_array_equal(b.numpy(), b0)     # b not in varList: unchanged
    assert opt.minimize(f, False, [W, b]) is None
    assert opt.iterations == 3


def test_non_trainable_variables_are_skipped():
    W, b = _vars()
    b.trainable = False
    b0 = b.numpy()
    opt = train.adam(0.1)
    opt.minimize(_loss(W, b), False, [W, b])
    np.testing.assert_array_equal(b.numpy(), b0)
    names = [w['name'] for w in opt.getWeights()]
    assert names == ['iter', f'{W.name}/m', f'{b.name}/m', f'{W.name}/v', f'{b.name}/v']
    with pytest.raises(TfjsValueError, match='trainable'):
        opt.minimize(_loss(W, b), False, [b])


def test_compute_then_apply_gradients_list_and_dict():
    W, b = _vars()
    f = _loss(W, b)
    o1, o2 = train.momentum(0.1, 0.9), train.momentum(0.1, 0.9)
    W2, b2 = tf.variable(W), tf.variable(b)
    f2 = _loss(W2, b2)
    for _ in range(3):
        out = o1.computeGradients(f, [W, b])
        assert set(out['grads']) == {W.name, b.name} and out['value'].shape == []
        o1.applyGradients([{'name': W.name, 'tensor': out['grads'][W.name]},
                           {'name': b.name, 'tensor': out['grads'][b.name]}])
        o2.applyGradients(o2.computeGradients(f2, [W2, b2])['grads'])
    np.testing.assert_array_equal(W.numpy(), W2.numpy())
    np.testing.assert_array_equal(b.numpy(), b2.numpy())


def test_apply_gradients_errors():
    W, _ = _vars()
    opt = train.sgd(0.1)
    with pytest.raises(TfjsValueError, match='no live variable'):
        opt.applyGradients({'no-such-variable': tf.ones([2])})
    with pytest.raises(TfjsValueError, match='shape'):
        opt.applyGradients({W.name: tf.ones([2])})
    with pytest.raises(TfjsValueError, match='dict'):
        opt.applyGradients([1, 2])
    opt.dispose()
    with pytest.raises(TfjsValueError, match='disposed'):
        opt.applyGradients({W.name: tf.ones([3, 4])})


def test_none_gradient_creates_slot_but_skips_update():
    W, b = _vars()
    b0 = b.numpy()
    opt = train.adagrad(0.1)
    opt.applyGradients({W.name: tf.ones([3, 4]), b.name: None})
    np.testing.assert_array_equal(b.numpy(), b0)
    ws = opt.getWeights()
    assert [w['name'] for w in ws] == ['iter', f'{W.name}/accumulator', f'{b.name}/accumulator']
    np.testing.assert_allclose(ws[2]['tensor'].numpy(), 0.1)


def test_memory_is_flat_and_slots_survive_tidy():
    W, b = _vars()
    f = _loss(W, b)
    opt = train.adam(0.01)
    tf.tidy(lambda: opt.minimize(f, False, [W, b]))    # slots are created inside a tidy
    assert all(not w['tensor'].isDisposed for w in opt.getWeights())
    n = tf.memory()['numTensors']
    for _ in range(5):
        opt.minimize(f, False, [W, b])
    assert tf.memory()['numTensors'] == n
    opt.dispose()
    assert tf.memory()['numTensors'] == n - 6      # 4 slots + accBeta1 + accBeta2


def test_hyperparameter_changes_take_effect():
    W, _ = _vars()
    w0 = W.numpy()
    opt = train.sgd(0.1)
    opt.setLearningRate(0.5)
    opt.applyGradients({W.name: tf.onesLike(W)})
    np.testing.assert_allclose(W.numpy(), w0 - 0.5, rtol=1e-6)
    opt.learning_rate = 1.0
    opt.applyGradients({W.name: tf.onesLike(W)})
    np.testing.assert_allclose(W.numpy(), w0 - 1.5, rtol=1e-6)
    assert opt.getConfig() == {'learningRate': 1.0}
    mom = train.momentum(1.0, 0.5)
    mom.applyGradients({W.name: tf.onesLike(W)})
    mom.setMomentum(0.0)
    mom.applyGradients({W.name: tf.onesLike(W)})     # acc = 0*1 + 1 = 1
    np.testing.assert_allclose(mom.getWeights()[1]['tensor'].numpy(), 1.0)


def test_centered_rmsprop_zero_gradient_stays_finite():
    W, _ = _vars()
    w0 = W.numpy()
    opt = train.rmsprop(0.01, 0.9, 0.5, None, True)
    for _ in range(3):
        opt.applyGradients({W.name: tf.zerosLike(W)})
    np.testing.assert_array_equal(W.numpy(), w0)      # TF.js gives NaN here


# ------------------------------------------------------------------------------ weights

@pytest.mark.parametrize('name', list(FACTORIES))
def test_get_weights_names_and_iter(name):
    W, b = _vars()
    opt = FACTORIES[name]()
    assert opt.iterations == 0
    ws = opt.getWeights()
    assert [w['name'] for w in ws] == ['iter']
    for _ in range(3):
        opt.minimize(_loss(W, b), False, [W, b])
    ws = opt.getWeights()
    expected = ['iter'] + [f'{v.name}/{s}' for s in SLOTS[name] for v in (W, b)]
    assert [w['name'] for w in ws] == expected
    assert ws[0]['tensor'].dtype == 'int32' and ws[0]['tensor'].shape == []
    assert ws[0]['tensor'].arraySync() == 3 == opt.iterations
    assert [w['tensor'].shape for w in ws[1:]] == [v.shape for s in SLOTS[name] for v in (W, b)]


@pytest.mark.parametrize('name', list(FACTORIES))
def test_set_weights_resumes_training(name):
    W, b = _vars()
    W2, b2 = tf.variable(W), tf.variable(b)
    f, f2 = _loss(W, b), _loss(W2, b2)
    opt = FACTORIES[name]()
    for _ in range(8):
        opt.minimize(f, False, [W, b])
    first = FACTORIES[name]()
    for _ in range(4):
        first.minimize(f2, False, [W2, b2])
    resumed = FACTORIES[name]()
    resumed.setWeights([{'name': w['name'], 'tensor': w['tensor'].clone()}
                        for w in first.getWeights()])
    assert resumed.iterations == 4
    assert [w['name'] for w in resumed.getWeights()] == [w['name'] for w in first.getWeights()]
    for _ in range(4):
        resumed.minimize(f2, False, [W2, b2])
    if name == 'adam':    # TF.js restores accBeta as beta^(iter+1) (pow), not the running product
        np.testing.assert_allclose(W2.numpy(), W.numpy(), rtol=1e-6, atol=1e-7)
    else:                 # everything else resumes bit-identically (Adamax included)
        np.testing.assert_array_equal(W2.numpy(), W.numpy())
        np.testing.assert_array_equal(b2.numpy(), b.numpy())


def test_set_weights_errors():
    with pytest.raises(TfjsValueError, match='settable'):
        train.sgd(0.1).setWeights([{'name': 'iter', 'tensor': tf.scalar(1, 'int32')},
                                   {'name': 'x', 'tensor': tf.ones([2])}])
    with pytest.raises(TfjsValueError, match='2 slot variables'):
        train.adam().setWeights([{'name': 'iter', 'tensor': tf.scalar(1, 'int32')},
                                 {'name': 'x/m', 'tensor': tf.ones([2])}])
    with pytest.raises(TfjsValueError, match='empty'):
        train.adam().setWeights([])
    opt = train.sgd(0.1)
    opt.setWeights([{'name': 'iter', 'tensor': tf.scalar(7, 'int32')}])
    assert opt.iterations == 7


def test_weights_are_promises_in_event_loop():
    W, b = _vars()
    opt = train.adagrad(0.1)
    opt.minimize(_loss(W, b), False, [W, b])

    async def main():
        ws = await opt.getWeights()
        other = train.adagrad(0.1)
        await other.setWeights(ws)
        return [w['name'] for w in await other.getWeights()], other.iterations

    names, it = asyncio.run(main())
    assert names == ['iter', f'{W.name}/accumulator', f'{b.name}/accumulator'] and it == 1


# ------------------------------------------------------------------------------ exactness
# A per-variable emulation of TF.js's CPU backend: every op in float64 (JS numbers), the result
# stored as float32 (Float32Array). The grouped torch updates must match it bit for bit.

def _r(x):
    return np.asarray(x, np.float64).astype(np.float32)


def add(a, b): return _r(np.float64(a) + np.float64(b))          # noqa: E704
def sub(a, b): return _r(np.float64(a) - np.float64(b))          # noqa: E704
def mul(a, b): return _r(np.float64(a) * np.float64(b))          # noqa: E704
def div(a, b): return _r(np.float64(a) / np.float64(b))          # noqa: E704
def sqrt(a): return _r(np.sqrt(np.float64(a)))                    # noqa: E704
def square(a): return mul(a, a)                                    # noqa: E704
def f(x): return np.float32(x)                                     # noqa: E704 - JS number -> f32


class Emulator:
    """Straight per-variable ports of the TS applyGradients bodies."""

    def __init__(self, name, values):
        self.name, self.w = name, [v.copy() for v in values]
        z = [np.zeros_like(v) for v in values]
        self.s = {k: [x.copy() for x in z] for k in ('a', 'b', 'c')}
        if name == 'adagrad':
            self.s['a'] = [np.full_like(v, f(0.5)) for v in values]
        self.acc1, self.acc2, self.it = f(0.8), f(0.99), f(0)

    def step(self, grads):
        n = self.name
        a, b, c = self.s['a'], self.s['b'], self.s['c']
        one1, one2 = sub(1, self.acc1), sub(1, self.acc2)
        lr_max = div(f(-0.05), add(mul(self.it, f(0.01)), 1))
        for i, g in enumerate(grads):
            if g is None:
                continue
            w = self.w[i]
            if n == 'sgd':
                w = add(mul(f(-0.1), g), w)
            elif n in ('momentum', 'nesterov'):
                a[i] = add(mul(f(0.9), a[i]), g)
                upd = add(g, mul(a[i], f(0.9))) if n == 'nesterov' else a[i]
                w = add(mul(f(-0.05), upd), w)
            elif n in ('rmsprop', 'rmsprop_centered'):
                d, mom = (0.9, 0.3) if n == 'rmsprop' else (0.8, 0.5)
                a[i] = add(mul(a[i], f(d)), mul(square(g), f(1 - d)))
                if n == 'rmsprop':
                    den = sqrt(add(a[i], f(1e-7)))
                else:   # Keras-correct centered denominator (TF.js: sub(ms, add(mg^2, eps)))
                    c[i] = add(mul(c[i], f(d)), mul(g, f(1 - d)))
                    den = sqrt(add(sub(a[i], square(c[i])), f(1e-7)))
                b[i] = add(mul(b[i], f(mom)), div(mul(g, f(0.01)), den))
                w = sub(w, b[i])
            elif n == 'adam':
                a[i] = add(mul(a[i], f(0.8)), mul(g, f(1 - 0.8)))
                b[i] = add(mul(b[i], f(0.99)), mul(square(g), f(1 - 0.99)))
                m_hat, v_hat = div(a[i], one1), div(b[i], one2)
                w = add(mul(div(m_hat, add(sqrt(v_hat), f(1e-7))), f(-0.05)), w)
            elif n == 'adadelta':
                upd = mul(div(sqrt(add(b[i], f(1e-7))), sqrt(add(a[i], f(1e-7)))), g)
                a[i] = add(mul(a[i], f(0.9)), mul(square(g), f(1 - 0.9)))
                b[i] = add(mul(b[i], f(0.9)), mul(square(upd), f(1 - 0.9)))
                w = add(mul(upd, f(-1.0)), w)
            elif n == 'adamax':
                a[i] = add(mul(a[i], f(0.8)), mul(g, f(1 - 0.8)))
                b[i] = np.maximum(mul(b[i], f(0.99)), np.abs(g))
                w = add(mul(div(lr_max, one1), div(a[i], add(b[i], f(1e-7)))), w)
            elif n == 'adagrad':
                a[i] = add(a[i], square(g))
                w = add(mul(div(g, sqrt(add(a[i], f(1e-7)))), f(-0.2)), w)
            self.w[i] = w
        if n in ('adam', 'adamax'):
            self.acc1, self.acc2 = mul(self.acc1, f(0.8)), mul(self.acc2, f(0.99))
            self.it = add(self.it, 1)


@pytest.mark.parametrize('name', list(FACTORIES))
def test_grouped_update_is_bit_identical_to_per_variable_math(name):
    rng = np.random.default_rng(7)
    shapes = [(3, 4), (4,), (2, 3, 5), ()]
    values = [rng.normal(size=s).astype(np.float32) for s in shapes]
    variables = [tf.variable(tf.tensor(v)) for v in values]
    opt, emu = FACTORIES[name](), Emulator(name, values)
    for step in range(25):
        grads = [(rng.normal(size=s) * 10 ** rng.uniform(-3, 1)).astype(np.float32)
                 for s in shapes]
        if step % 5 == 2:
            grads[1] = None                   # a variable without gradient this step
        if step % 7 == 3:
            grads[0][0] = 0                   # exact zeros
        opt.applyGradients([{'name': v.name, 'tensor': None if g is None else tf.tensor(g)}
                            for v, g in zip(variables, grads)])
        emu.step(grads)
    for v, expected in zip(variables, emu.w):
        np.testing.assert_array_equal(v.numpy(), expected)
