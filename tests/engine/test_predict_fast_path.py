"""The execution plan (raw torch steps for plain layers, `tfjs/engine/execution_plan.py`) and
predict's fast input check give what the general path gives: the same values, dtypes, masks,
errors and tensor accounting, for many model shapes and after the model changes."""
import gc

import numpy as np
import pytest

import tfjs as tf
from tfjs.engine.execution_plan import ExecutionPlan
from tfjs.errors import DisposedError

L = tf.layers
RS = np.random.RandomState(0)


def reference(model, x):
    """Predict through a plan that runs every node via `layer.call` (run_graph's old logic)."""
    inner = model.model if getattr(model, 'model', None) is not None else model
    fast = inner._execution_plan()
    inner._exec_plan = ExecutionPlan(inner.inputs, inner.outputs, inner._plan, raw_steps=False)
    try:
        out = model.predict(x)
    finally:
        inner._exec_plan = fast
    return out


def values(out):
    return [o.arraySync() for o in out] if isinstance(out, list) else out.arraySync()


def assert_same(a, b):
    a = a if isinstance(a, list) else [a]
    b = b if isinstance(b, list) else [b]
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert x.dtype == y.dtype and x.shape == y.shape
        np.testing.assert_array_equal(np.asarray(x), np.asarray(y))


def mlp():
    return tf.sequential({'layers': [L.dense({'units': 8, 'activation': 'relu', 'inputShape': [5]}),
                                     L.dropout({'rate': 0.5}),
                                     L.dense({'units': 3, 'activation': 'softmax'})]})


def test_plan_uses_raw_steps_for_plain_layers_only():
    model = mlp()
    model.predict(tf.ones([1, 5]))
    steps = model.model._execution_plan().steps
    assert [type(s.layer).__name__ for s in steps] == ['Dense', 'Dropout', 'Dense']
    assert [s.raw for s in steps] == [True, False, True]    # Dropout has its own call


def test_sequential_matches_general_path_and_layer_by_layer():
    model = mlp()
    x = tf.tensor(RS.randn(7, 5).astype(np.float32))
    out = model.predict(x)
    assert_same(out, reference(model, x))
    y = x
    for layer in model.layers:
        y = layer.apply(y)
    np.testing.assert_allclose(out.arraySync(), y.arraySync(), rtol=0, atol=0)
    assert_same(model.predictOnBatch(x), out)
    assert_same(model.apply(x), out)


def test_plain_stack_runs_as_a_chain_and_matches():
    model = tf.sequential({'layers': [
        L.conv2d({'filters': 3, 'kernelSize': 2, 'inputShape': [5, 5, 2], 'activation': 'relu'}),
        L.batchNormalization(), L.zeroPadding2d({'padding': 1}),
        L.dense({'units': 4, 'activation': 'elu'})]})
    x = tf.tensor(RS.randn(3, 5, 5, 2).astype(np.float32))
    out = model.predict(x)
    plan = model.model._execution_plan()
    assert plan.chain is not None and len(plan.chain) == 4
    assert_same(out, reference(model, x))
    seen = []
    model.layers[1].setCallHook(lambda inputs, kwargs: seen.append(1))   # leaves the chain
    assert_same(model.predict(x), out)
    assert seen == [1]


def test_int_inputs_keep_their_dtype_through_a_chain():
    model = tf.sequential({'layers': [L.zeroPadding1d({'padding': 1, 'inputShape': [3, 1]})]})
    x = tf.tensor([[[1], [2], [3]]], None, 'int32')
    out = model.predict(x)
    assert out.dtype == 'int32' and out.arraySync() == [[[0], [1], [2], [3], [0]]]
    assert_same(out, reference(model, x))
    model.add(L.dense({'units': 1, 'kernelInitializer': 'ones'}))     # int in, float out
    out = model.predict(x)
    assert out.dtype == 'float32' and out.arraySync() == [[[0], [1], [2], [3], [0]]]
    assert_same(out, reference(model, x))


def test_batch_size_chunks_match_one_batch():
    model = mlp()
    x = tf.tensor(RS.randn(70, 5).astype(np.float32))
    whole = model.predict(x, {'batchSize': 100})
    for bs in (1, 7, 32, 69, 70):
        np.testing.assert_allclose(model.predict(x, {'batchSize': bs}).arraySync(),
                                   whole.arraySync(), atol=1e-7)
    np.testing.assert_allclose(model.predict(x, batch_size=8).arraySync(), whole.arraySync(),
                               atol=1e-7)


def test_functional_multi_input_multi_output_shared_layer():
    a = tf.input({'shape': [4], 'name': 'a'})
    b = tf.input({'shape': [4], 'name': 'b'})
    shared = L.dense({'units': 3, 'activation': 'tanh'})
    merged = L.concatenate().apply([shared.apply(a), shared.apply(b)])
    out1 = L.dense({'units': 2, 'name': 'o1'}).apply(merged)
    out2 = L.activation({'activation': 'sigmoid', 'name': 'o2'}).apply(L.add().apply(
        [shared.apply(a), shared.apply(b)]))
    model = tf.model({'inputs': [a, b], 'outputs': [out1, out2]})
    xa = tf.tensor(RS.randn(5, 4).astype(np.float32))
    xb = tf.tensor(RS.randn(5, 4).astype(np.float32))
    out = model.predict([xa, xb])
    assert_same(out, reference(model, [xa, xb]))
    assert_same(model.predict({'a': xa, 'b': xb}), out)
    assert_same(model.predict([xa, xb], {'batchSize': 2}), out)
    assert_same(model.apply([xa, xb]), out)
    mid = model.execute([xa, xb], [merged.name])
    np.testing.assert_array_equal(
        mid.arraySync(), np.concatenate([shared.apply(xa).arraySync(),
                                         shared.apply(xb).arraySync()], axis=1))


def test_masks_propagate_through_raw_and_generic_steps():
    model = tf.sequential({'layers': [
        L.embedding({'inputDim': 10, 'outputDim': 4, 'maskZero': True, 'inputLength': 6}),
        L.dense({'units': 5, 'activation': 'relu'}),       # raw step, but given a mask: generic
        L.lstm({'units': 3, 'returnSequences': True}),
        L.globalAveragePooling1d()]})
    x = tf.tensor([[1, 2, 3, 0, 0, 0], [4, 0, 0, 0, 0, 0], [5, 6, 7, 8, 9, 1]], None, 'int32')
    out = model.predict(x)
    assert_same(out, reference(model, x))
    # the masked steps really are masked: trailing zeros do not change the result
    x2 = tf.tensor([[1, 2, 3, 0, 0, 0]], None, 'int32')
    np.testing.assert_allclose(model.predict(x2).arraySync()[0], out.arraySync()[0], atol=1e-6)
    seq = tf.model({'inputs': model.inputs, 'outputs': model.layers[2].output})
    assert_same(seq.predict(x), reference(seq, x))
    masks = seq.computeMask(x)
    np.testing.assert_array_equal(masks[0].arraySync(), [[1, 1, 1, 0, 0, 0], [1, 0, 0, 0, 0, 0],
                                                         [1] * 6])


def test_masking_layer_and_rnn():
    model = tf.sequential({'layers': [L.masking({'maskValue': 0, 'inputShape': [4, 2]}),
                                      L.simpleRNN({'units': 3}),
                                      L.dense({'units': 2})]})
    x = tf.tensor(RS.randn(3, 4, 2).astype(np.float32)).mul(tf.tensor([[[1], [1], [0], [0]]]))
    assert_same(model.predict(x), reference(model, x))


def test_gru_conv_and_nested_model():
    inner = tf.sequential({'layers': [L.conv1d({'filters': 4, 'kernelSize': 2, 'inputShape': [6, 3]}),
                                      L.maxPooling1d({'poolSize': 2}),
                                      L.gru({'units': 2})]})
    inp = tf.input({'shape': [6, 3]})
    out = L.dense({'units': 1}).apply(inner.apply(inp))
    model = tf.model({'inputs': inp, 'outputs': out})
    x = tf.tensor(RS.randn(4, 6, 3).astype(np.float32))
    assert_same(model.predict(x), reference(model, x))


def test_dropout_is_identity_at_inference_and_active_in_training_apply():
    model = tf.sequential({'layers': [L.dropout({'rate': 0.5, 'inputShape': [200]})]})
    x = tf.ones([3, 200])
    out = model.predict(x)
    np.testing.assert_array_equal(out.arraySync(), x.arraySync())
    assert out is not x
    trained = model.apply(x, {'training': True}).arraySync()
    assert 0 < np.mean(np.asarray(trained) == 0) < 1


def test_weight_changes_between_calls_are_seen():
    model = mlp()
    x = tf.tensor(RS.randn(2, 5).astype(np.float32))
    before = model.predict(x).arraySync()
    model.setWeights([w.mul(2) for w in model.getWeights()])
    after = model.predict(x)
    assert not np.allclose(before, after.arraySync())
    assert_same(after, reference(model, x))
    model.layers[2].kernel.write(tf.zeros([8, 3]))
    model.layers[2].bias.write(tf.zeros([3]))
    np.testing.assert_allclose(model.predict(x).arraySync(), np.full((2, 3), 1 / 3), rtol=1e-6)


def test_training_changes_predictions_and_trainable_flag():
    model = mlp()
    model.compile({'optimizer': tf.train.sgd(0.5), 'loss': 'categoricalCrossentropy'})
    x = tf.tensor(RS.randn(8, 5).astype(np.float32))
    y = tf.oneHot(tf.tensor([0, 1, 2, 0, 1, 2, 0, 1], None, 'int32'), 3)
    before = model.predict(x).arraySync()
    model.fit(x, y, {'epochs': 2, 'verbose': 0})
    after = model.predict(x)
    assert not np.allclose(before, after.arraySync())
    model.layers[0].trainable = False
    assert_same(model.predict(x), after)
    assert_same(model.predict(x), reference(model, x))


def test_layer_added_after_first_predict():
    model = tf.sequential({'layers': [L.dense({'units': 4, 'inputShape': [3]})]})
    x = tf.ones([2, 3])
    assert model.predict(x).shape == [2, 4]
    model.add(L.dense({'units': 6, 'activation': 'relu'}))
    out = model.predict(x)
    assert out.shape == [2, 6]
    assert_same(out, reference(model, x))
    model.pop()
    assert model.predict(x).shape == [2, 4]


def test_call_hook_and_instance_overrides_are_honoured():
    model = mlp()
    x = tf.ones([1, 5])
    seen = []
    model.layers[0].setCallHook(lambda inputs, kwargs: seen.append(kwargs.get('training')))
    model.predict(x)
    assert seen == [False]
    model.layers[0].clearCallHook()
    model.predict(x)
    assert seen == [False]
    layer = model.layers[2]
    layer.call = lambda inputs, kwargs: tf.zeros([inputs.shape[0], 3]).add(7)
    model.model._exec_plan = None           # a plan is analysed once per graph: rebuild it
    np.testing.assert_array_equal(model.predict(x).arraySync(), [[7, 7, 7]])


def test_identity_model_returns_a_copy():
    inp = tf.input({'shape': [2]})
    model = tf.model({'inputs': inp, 'outputs': inp})
    x = tf.ones([3, 2])
    out = model.predict(x)
    assert out is not x
    x.dispose()
    assert out.arraySync() == [[1, 1], [1, 1], [1, 1]]


def error_of(fn):
    with pytest.raises(Exception) as info:
        fn()
    return type(info.value), str(info.value)


@pytest.mark.parametrize('bad', [
    lambda: tf.ones([2, 4]),            # wrong last dim
    lambda: tf.ones([2, 5, 1]),         # wrong rank
    lambda: tf.ones([5]),               # rank 1: expanded to [5, 1], then wrong
    lambda: [tf.ones([2, 5]), tf.ones([2, 5])],
    lambda: 'text',
])
def test_bad_inputs_give_the_general_errors(bad):
    model = mlp()
    model.predict(tf.ones([1, 5]))
    got = error_of(lambda: model.predict(bad()))
    want = error_of(lambda: model.model._check_predict_inputs(bad()))
    assert got == want
    assert error_of(lambda: model.predictOnBatch(bad())) == want


def test_disposed_and_bad_args_errors():
    model = mlp()
    x = tf.ones([1, 5])
    x.dispose()
    with pytest.raises(DisposedError):
        model.predict(x)
    with pytest.raises(ValueError, match='Unknown config key "batchSiz"'):
        model.predict(tf.ones([1, 5]), {'batchSiz': 2})
    with pytest.raises(NotImplementedError, match='verbose'):
        model.predict(tf.ones([1, 5]), {'verbose': True})


def test_tensor_accounting_and_tidy():
    model = mlp()
    x = tf.ones([40, 5])
    model.predict(x).dispose()
    gc.collect()                        # other tests' unreachable tensors must not vanish midway
    gc.disable()
    try:
        check_accounting(model, x)
    finally:
        gc.enable()


def check_accounting(model, x):
    base = tf.memory()['numTensors']
    for bs in (None, 8):
        out = model.predict(x, {'batchSize': bs} if bs else None)
        assert tf.memory()['numTensors'] == base + 1
        out.dispose()
        assert tf.memory()['numTensors'] == base
    kept = tf.tidy(lambda: model.predict(x).add(1))
    assert tf.memory()['numTensors'] == base + 1
    kept.dispose()
    tf.tidy(lambda: [model.predict(x), model.apply(x), model.predictOnBatch(x)] and None)
    assert tf.memory()['numTensors'] == base


def test_predict_output_can_enter_autograd_later():
    """Predictions are ordinary tensors (no inference-mode tensors): usable as fit targets and
    inside gradients."""
    model = mlp()
    model.compile({'optimizer': 'sgd', 'loss': 'meanSquaredError'})
    x = tf.tensor(RS.randn(4, 5).astype(np.float32))
    target = model.predict(x)
    model.fit(x, target.mul(0.5), {'epochs': 1, 'verbose': 0})
    g = tf.grad(lambda t: t.mul(target).sum())(tf.ones([4, 3]))
    np.testing.assert_allclose(g.arraySync(), target.arraySync())


def test_call_replaced_on_the_instance_after_a_predict_is_used():
    m = tf.sequential()
    m.add(tf.layers.dense({'units': 2, 'inputShape': [3], 'kernelInitializer': 'ones'}))
    m.add(tf.layers.dense({'units': 2, 'kernelInitializer': 'ones'}))
    x = tf.ones([1, 3])
    np.testing.assert_allclose(np.array(m.predict(x)), [[6, 6]])
    layer = m.layers[1]
    layer.call = lambda inputs, kwargs=None: tf.mul(inputs if not isinstance(inputs, list)
                                                    else inputs[0], 10)
    np.testing.assert_allclose(np.array(m.predict(x)), [[30, 30]])
    del layer.call
    np.testing.assert_allclose(np.array(m.predict(x)), [[6, 6]])


def test_small_predicts_run_their_matrix_products_on_one_blas_thread(monkeypatch):
    """A predict whose products are all small sets MKL's per-thread count to 1 and restores
    it; a large one leaves it alone; the values do not depend on it."""
    from tfjs import _native
    calls = []

    def fake(n):
        calls.append(n)
        return 7 if n == 1 else 1
    monkeypatch.setattr(_native, 'set_local_blas_threads', lambda: fake)
    model = tf.sequential({'layers': [L.dense({'units': 64, 'inputShape': [32],
                                               'activation': 'relu'}), L.dense({'units': 3})]})
    x1 = tf.tensor(RS.randn(2, 32).astype(np.float32))
    small = model.predict(x1)
    assert calls == [1, 7]                  # one thread, then the previous setting back
    big = tf.tensor(RS.randn(4096, 32).astype(np.float32))
    model.predict(big, {'batchSize': 4096})
    assert calls == [1, 7]
    monkeypatch.undo()
    one_thread = model.predict(x1)
    monkeypatch.setattr(_native, 'set_local_blas_threads', lambda: None)
    assert_same(one_thread, model.predict(x1))
    assert_same(small, one_thread)


def test_predict_of_an_empty_batch_and_of_strings_keeps_grad_mode():
    import torch
    model = tf.sequential({'layers': [L.dense({'units': 2, 'inputShape': [3]})]})
    assert model.predict(tf.zeros([0, 3])).shape == [0, 2]
    assert torch.is_grad_enabled()
