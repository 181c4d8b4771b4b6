"""compile({jitCompile}): option parsing, the availability errors, the chains of layers that get
compiled, and (when TorchInductor can run here) training that matches eager training."""
import numpy as np
import pytest

import tfjs as tf
from tfjs.engine import jit

L = tf.layers


def model_with(layers, jit_compile, lr=0.01):
    model = tf.sequential({'layers': layers})
    model.compile({'optimizer': tf.train.adam(lr), 'loss': 'categoricalCrossentropy',
                   'jitCompile': jit_compile})
    return model


def dense_stack():
    return [L.dense({'units': 6, 'activation': 'relu', 'inputShape': [4],
                     'kernelInitializer': 'glorotUniform', 'biasInitializer': 'ones'}),
            L.dense({'units': 6, 'activation': 'tanh'}),
            L.dropout({'rate': 0.0}),
            L.dense({'units': 3, 'activation': 'softmax'})]


def data(n=32):
    rs = np.random.RandomState(1)
    x = tf.tensor(rs.randn(n, 4).astype(np.float32))
    y = tf.oneHot(tf.tensor(rs.randint(0, 3, n), None, 'int32'), 3)
    return x, y


def same_start(a, b):
    b.setWeights(a.getWeights())


@pytest.mark.parametrize('value', [None, False, 'auto'])
def test_off_values(value):
    model = model_with(dense_stack(), value)
    assert model.model._jit_compile is False


def test_bad_value_and_snake_case_key():
    with pytest.raises(ValueError, match='jitCompile must be true, false or "auto"'):
        model_with(dense_stack(), 'yes')
    model = tf.sequential({'layers': dense_stack()})
    model.compile(optimizer='sgd', loss='meanSquaredError', jit_compile=False)
    assert model.model._jit_compile is False


def test_missing_compiler_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(jit, 'has_cpp_compiler', lambda: False)
    with pytest.raises(ValueError, match='needs a C\\+\\+ compiler.*jitCompile: false'):
        model_with(dense_stack(), True)


def test_unsupported_backend_is_a_clear_error():
    with pytest.raises(ValueError, match='"mps"'):
        jit.check_jit_available('mps')


def test_chains_group_linked_plain_layers():
    inp = tf.input({'shape': [4]})
    a = L.dense({'units': 5}).apply(inp)
    b = L.dense({'units': 5, 'activation': 'relu'}).apply(a)     # a feeds b only: one chain
    c = L.dropout({'rate': 0.1}).apply(b)                        # not a plain layer
    d = L.dense({'units': 5}).apply(c)
    e = L.dense({'units': 5}).apply(d)                           # d feeds e and the add
    f = L.add().apply([d, e])
    g = L.dense({'units': 2}).apply(f)
    model = tf.model({'inputs': inp, 'outputs': [g, b]})
    plan = model._execution_plan()
    names = [type(s.layer).__name__ for s in plan.steps]
    assert names == ['Dense', 'Dense', 'Dropout', 'Dense', 'Dense', 'Add', 'Dense']
    # b is a model output too, but it is the chain's last output, which is kept
    assert jit.chains(plan) == [(0, 2), (3, 4), (4, 5), (6, 7)]


def test_compiled_runner_matches_the_plan_with_identity_compile(monkeypatch):
    """The segment bookkeeping (slots, dtypes, skipping) without TorchInductor: `compile` as
    the identity."""
    monkeypatch.setattr(jit, '_compile', lambda fn: fn)
    monkeypatch.setattr(jit, 'check_jit_available', lambda device=None: None)
    x, y = data()
    eager = model_with(dense_stack(), False)
    compiled = model_with(dense_stack(), True)
    same_start(eager, compiled)
    h1 = eager.fit(x, y, {'epochs': 2, 'batchSize': 8, 'shuffle': False, 'verbose': 0})
    h2 = compiled.fit(x, y, {'epochs': 2, 'batchSize': 8, 'shuffle': False, 'verbose': 0})
    assert h1.history['loss'] == h2.history['loss']          # identity compile: bit-identical
    runner = compiled.model._compiled_forward
    assert sorted(runner.segments) == [0, 3]
    np.testing.assert_array_equal(eager.predict(x).arraySync(), compiled.predict(x).arraySync())


def test_a_chain_that_fails_to_compile_warns_and_runs_eagerly(monkeypatch):
    class FakeCompileError(Exception):
        pass

    def failing(fn):
        def run(x):
            raise FakeCompileError('backend exploded\nmore lines')
        return run
    monkeypatch.setattr(jit, '_compile', failing)
    monkeypatch.setattr(jit, '_compiler_errors', lambda: (FakeCompileError,))
    monkeypatch.setattr(jit, 'check_jit_available', lambda device=None: None)
    x, y = data()
    eager = model_with(dense_stack(), False)
    compiled = model_with(dense_stack(), True)
    same_start(eager, compiled)
    args = {'epochs': 1, 'batchSize': 8, 'shuffle': False, 'verbose': 0}
    with pytest.warns(UserWarning, match='could not compile layers .*backend exploded'):
        h2 = compiled.fit(x, y, args)
    assert all(seg.fn is None for seg in compiled.model._compiled_forward.segments.values())
    assert eager.fit(x, y, args).history['loss'] == h2.history['loss']


def test_model_errors_are_not_swallowed(monkeypatch):
    monkeypatch.setattr(jit, '_compile', lambda fn: fn)
    monkeypatch.setattr(jit, 'check_jit_available', lambda device=None: None)
    model = model_with(dense_stack(), True)
    model.layers[0].kernel.val._t = model.layers[0].kernel.val._t[:3]   # a broken weight
    x, y = data()
    with pytest.raises(RuntimeError):
        model.fit(x, y, {'epochs': 1, 'verbose': 0})


@pytest.mark.skipif(not jit.has_cpp_compiler(), reason='TorchInductor needs a C++ compiler')
def test_real_compiled_training_matches_eager():
    x, y = data()
    eager = model_with(dense_stack(), False)
    compiled = model_with(dense_stack(), True)
    same_start(eager, compiled)
    args = {'epochs': 2, 'batchSize': 16, 'shuffle': False, 'verbose': 0}
    h1 = eager.fit(x, y, args)
    h2 = compiled.fit(x, y, args)
    np.testing.assert_allclose(h2.history['loss'], h1.history['loss'], rtol=1e-5)
    # weights written from outside between fits are seen by the compiled function
    new = [w.mul(0.5) for w in eager.getWeights()]
    eager.setWeights(new)
    compiled.setWeights(new)
    h1 = eager.fit(x, y, args)
    h2 = compiled.fit(x, y, args)
    np.testing.assert_allclose(h2.history['loss'], h1.history['loss'], rtol=1e-5)
    for a, b in zip(eager.getWeights(), compiled.getWeights()):
        np.testing.assert_allclose(a.arraySync(), b.arraySync(), rtol=1e-4, atol=1e-6)
