"""The hand-written recurrent kernels (`tfjs/layers/_rnn_autograd.py`) against the differentiable
step loop: outputs, final states, and gradients of inputs, weights and initial states. Every
test runs twice: with the LSTM's native C step loops (`tfjs/_native`, where they build)
and with its PyTorch-op step loops."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

import tfjs as tf
from tfjs import _native
from tfjs.layers import _rnn_autograd, _rnn_kernels


@pytest.fixture(autouse=True, params=['native-loops', 'torch-op-loops'])
def lstm_loops(request, monkeypatch):
    native = request.param == 'native-loops'
    if native and _native.kernels() is None:
        pytest.skip(f'native LSTM loops unavailable: {_native.unavailable_reason()}')
    monkeypatch.setattr(_rnn_autograd, 'USE_NATIVE_KERNELS', native)
    return native

CELLS = [
    ('lstm', {}),
    ('lstm', {'recurrentActivation': 'sigmoid', 'activation': 'relu'}),
    ('lstm', {'activation': 'linear', 'recurrentActivation': 'hardSigmoid'}),
    ('lstm', {'activation': 'softsign', 'recurrentActivation': 'linear', 'useBias': False}),
    ('gru', {}),
    ('gru', {'resetAfter': True}),
    ('gru', {'resetAfter': True, 'useBias': False, 'activation': 'elu'}),
    ('gru', {'recurrentActivation': 'sigmoid', 'activation': 'selu'}),
    ('gru', {'activation': 'linear', 'recurrentActivation': 'hardSigmoid'}),
    ('gru', {'resetAfter': True, 'activation': 'softsign', 'recurrentActivation': 'sigmoid'}),
    ('simpleRNN', {'activation': 'relu'}),
    ('simpleRNN', {'activation': 'linear', 'useBias': False}),
    ('simpleRNN', {'activation': 'hardSigmoid'}),
]
FLAGS = [{}, {'goBackwards': True, 'returnSequences': True}, {'returnState': True},
         {'returnSequences': True, 'returnState': True, 'goBackwards': True}]
SHAPES = [(3, 7, 4), (1, 5, 3), (2, 1, 4)]


def _run(layer, x, states, fast: bool, monkeypatch):
    """(outputs..., grad x, grads of weights..., grads of initial states...) as numpy."""
    monkeypatch.setattr(_rnn_autograd, 'USE_AUTOGRAD_KERNELS', fast)
    monkeypatch.setattr(_rnn_kernels, 'USE_FUSED_KERNELS', False)
    xt = torch.tensor(x, requires_grad=True)
    st = [torch.tensor(s, requires_grad=True) for s in states]
    weights = [w.read()._value() for w in layer.trainableWeights]
    for w in weights:
        w.requires_grad_(True)
        w.grad = None
    last, seq, final = layer.run(xt, st, None, False, True)
    outs = [seq, last] + list(final)
    rs = np.random.RandomState(7)
    loss = sum((o * torch.tensor(rs.randn(*o.shape).astype(np.float32))).sum() for o in outs)
    grads = torch.autograd.grad(loss, [xt] + weights + st)
    for w in weights:
        w.requires_grad_(False)
    return [o.detach().numpy() for o in outs] + [g.numpy() for g in grads]


@pytest.mark.parametrize('factory,config', CELLS, ids=[f'{f}-{i}' for i, (f, _) in
                                                       enumerate(CELLS)])
def test_fast_path_matches_step_loop(monkeypatch, factory, config):
    rs = np.random.RandomState(0)
    for flags, shape in itertools.product(FLAGS, SHAPES):
        layer = getattr(tf.layers, factory)({'units': 5, 'biasInitializer': 'randomNormal',
                                             **config, **flags})
        layer.build([None, shape[1], shape[2]])
        x = (rs.randn(*shape) * 2).astype(np.float32)
        states = [rs.randn(shape[0], 5).astype(np.float32)
                  for _ in range(2 if factory == 'lstm' else 1)]
        fast = _run(layer, x, states, True, monkeypatch)
        loop = _run(layer, x, states, False, monkeypatch)
        for a, b in zip(fast, loop):
            # gradients are sums in another order: absolute error relative to their scale
            scale = max(1.0, float(np.abs(b).max()))
            np.testing.assert_allclose(a, b, rtol=2e-6, atol=2e-6 * scale)


def test_hard_sigmoid_gradient_at_the_clip_bounds():
    """TF.js's clipByValue passes the gradient at the bounds (x = -2.5 and 2.5 give 0 and 1)."""
    from tfjs.activations import get_activation
    from tfjs.layers._rnn_act import KernelActivation
    act = KernelActivation.of(get_activation('hardSigmoid'))
    x = torch.tensor([-2.6, -2.5, 0.0, 2.5, 2.6])
    y = torch.empty(5)
    act.forward(x, y)
    p = x.clone().requires_grad_(True)
    ref = torch.autograd.grad(get_activation('hardSigmoid').apply_raw(p).sum(), p)[0]
    d = torch.empty(5)
    act.derivative(x, y, d)
    assert torch.equal(d, ref)
    assert ref.tolist()[1:4] == pytest.approx([0.2] * 3) and ref[0] == 0 and ref[4] == 0


def test_fast_path_is_taken_for_tfjs_defaults(monkeypatch):
    calls = []
    original = _rnn_autograd._LSTMFunction.apply
    monkeypatch.setattr(_rnn_autograd._LSTMFunction, 'apply',
                        lambda *a: calls.append(1) or original(*a))
    tf.layers.lstm({'units': 3}).apply(tf.ones([2, 4, 3]))
    assert calls


def test_second_order_gradient_goes_through_the_step_loop(monkeypatch):
    rs = np.random.RandomState(1)
    layer = tf.layers.lstm({'units': 3})
    layer.build([None, 4, 2])
    x = rs.randn(2, 4, 2).astype(np.float32)

    def gradgrad(fast):
        monkeypatch.setattr(_rnn_autograd, 'USE_AUTOGRAD_KERNELS', fast)
        xt = torch.tensor(x, requires_grad=True)
        last, _, _ = layer.run(xt, layer._zero_states(xt), None, False, False)
        g = torch.autograd.grad((last ** 2).sum(), xt, create_graph=True)[0]
        return torch.autograd.grad((g ** 2).sum(), xt)[0].numpy()
    np.testing.assert_allclose(gradgrad(True), gradgrad(False), rtol=1e-5, atol=1e-6)


def test_masks_and_recurrent_dropout_keep_the_step_loop(monkeypatch):
    called = []
    monkeypatch.setattr(_rnn_autograd, 'lstm', lambda *a, **k: called.append(1))
    layer = tf.layers.lstm({'units': 3, 'recurrentDropout': 0.5})
    layer.apply(tf.ones([2, 4, 3]), {'training': True})
    masked = tf.sequential({'layers': [tf.layers.masking({'inputShape': [4, 3]}),
                                       tf.layers.lstm({'units': 3})]})
    masked.predict(tf.ones([2, 4, 3]))
    assert not called


@pytest.mark.parametrize('factory', ['lstm', 'gru', 'simpleRNN'])
def test_second_backward_through_a_retained_graph(monkeypatch, factory):
    """The first backward hands the scratch buffers back; a second one recomputes."""
    rs = np.random.RandomState(2)
    layer = getattr(tf.layers, factory)({'units': 3, 'returnSequences': True,
                                         'activation': 'relu'})
    layer.build([None, 5, 2])
    x = rs.randn(2, 5, 2).astype(np.float32)

    def grads(fast):
        monkeypatch.setattr(_rnn_autograd, 'USE_AUTOGRAD_KERNELS', fast)
        xt = torch.tensor(x, requires_grad=True)
        _, seq, _ = layer.run(xt, layer._zero_states(xt), None, False, True)
        loss = (seq ** 2).sum()
        first = torch.autograd.grad(loss, xt, retain_graph=True)[0]
        return first.numpy(), torch.autograd.grad(loss, xt)[0].numpy()
    fast, loop = grads(True), grads(False)
    for a, b in zip(fast + loop[:1], loop + fast[1:]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_workspace_reuses_buffers_of_a_shape():
    from tfjs.layers import _rnn_workspace as W
    like = torch.zeros(1)
    t = W.take((3, 7), like)
    W.give(t)
    assert W.take((3, 7), like) is t
    assert W.take((3, 7), like) is not t
    v = W.take((6, 4), like)                 # a reshaping view hands back its buffer
    W.give(v.view(2, 3, 4))
    assert W.take((6, 4), like) is v
    W.give(v[:3])                            # a slice never does
    assert W.take((3, 4), like) is not v


@pytest.mark.parametrize('run', ['gru', 'simple_rnn', 'lstm'])
def test_workspace_reuses_the_input_projection(run):
    from tfjs.layers import _rnn_workspace as W
    from tfjs.activations import get_activation
    W.clear()
    xs, h0 = torch.randn(5, 2, 3), torch.zeros(2, 4)
    g = {'gru': 3, 'simple_rnn': 1, 'lstm': 4}[run]
    k, r = torch.randn(3, 4 * g), torch.randn(4, 4 * g)
    tanh, sig = get_activation('tanh'), get_activation('sigmoid')
    if run == 'gru':
        _rnn_autograd.gru(xs, h0, k, r, None, tanh, sig, False, None)
        key = ((10, 12), torch.float32)
    elif run == 'simple_rnn':
        _rnn_autograd.simple_rnn(xs, h0, k, r, None, tanh, None)
        key = ((10, 4), torch.float32)
    else:
        _rnn_autograd.lstm(xs, h0, h0, k, r, None, tanh, sig, None)
        key = ((1, 10, 16), torch.float32)
    assert W._free.get(key), 'the projection buffer z was not handed back'
    W.clear()


@pytest.mark.parametrize('run', ['gru', 'simple_rnn', 'lstm'])
def test_weight_modified_in_place_before_backward_raises(run):
    from tfjs.activations import get_activation
    xs, h0 = torch.randn(5, 2, 3), torch.zeros(2, 4)
    g = {'gru': 3, 'simple_rnn': 1, 'lstm': 4}[run]
    k = torch.randn(3, 4 * g, requires_grad=True)
    r = torch.randn(4, 4 * g, requires_grad=True)
    tanh, sig = get_activation('tanh'), get_activation('sigmoid')
    if run == 'gru':
        seq, _ = _rnn_autograd.gru(xs, h0, k, r, None, tanh, sig, False, None)
    elif run == 'simple_rnn':
        seq, _ = _rnn_autograd.simple_rnn(xs, h0, k, r, None, tanh, None)
    else:
        seq, _ = _rnn_autograd.lstm(xs, h0, h0, k, r, None, tanh, sig, None)
    with torch.no_grad():
        r.add_(1.0)                          # an optimizer step between forward and backward
    with pytest.raises(RuntimeError, match='modified by an inplace operation'):
        seq.sum().backward()


@pytest.mark.parametrize('config', [
    {},
    {'returnSequences': True, 'returnState': True},
    {'returnSequences': True, 'goBackwards': True, 'useBias': False},
    {'returnState': True, 'activation': 'relu', 'recurrentActivation': 'sigmoid'},
])
@pytest.mark.parametrize('merge', ['concat', 'sum', None])
def test_bidirectional_lstm_directions_step_together(monkeypatch, config, merge):
    """Bidirectional LSTM: both directions in one pass of the kernels, against each layer
    run on its own (and through the step loop): outputs and every gradient."""
    from tfjs.layers import wrappers
    rs = np.random.RandomState(4)
    bi = tf.layers.bidirectional({'layer': tf.layers.lstm({'units': 3, **config,
                                                           'biasInitializer': 'randomNormal'}),
                                  'mergeMode': merge})
    x = rs.randn(2, 5, 4).astype(np.float32)
    bi.apply(tf.tensor(x))
    paired = []
    original = wrappers.run_bidirectional
    def spy(*args):
        result = original(*args)
        paired.append(result is not None)
        return result
    monkeypatch.setattr(wrappers, 'run_bidirectional', spy)

    def run(pair: bool, fast: bool):
        monkeypatch.setattr(_rnn_autograd, 'USE_AUTOGRAD_KERNELS', fast)
        if not pair:
            monkeypatch.setattr(wrappers, 'run_bidirectional', lambda *a: None)
        xt = tf.tensor(x)
        weights = [w.read() for w in bi.trainableWeights]

        def loss(inp):
            outs = bi.apply(inp)
            outs = outs if isinstance(outs, list) else [outs]
            return tf.addN([tf.sum(tf.mul(o, tf.sin(o))) for o in outs])
        grads = tf.variableGrads(lambda: loss(xt), weights)['grads']
        outs = bi.apply(xt)
        outs = outs if isinstance(outs, list) else [outs]
        return [np.asarray(o) for o in outs] + [np.asarray(grads[k]) for k in sorted(grads)] + \
            [np.asarray(tf.grad(loss)(xt))]
    together = run(True, True)
    assert paired and all(paired)
    alone = run(False, True)
    loop = run(False, False)
    for a, b, c in zip(together, alone, loop):
        scale = max(1.0, float(np.abs(c).max()))
        np.testing.assert_allclose(a, b, rtol=2e-6, atol=2e-6 * scale)
        np.testing.assert_allclose(a, c, rtol=2e-6, atol=2e-6 * scale)


def test_folded_hard_sigmoid_mask_includes_both_bounds():
    from tfjs.layers._rnn_act import KernelActivation
    p = torch.tensor([-1e-8, 0.0, 0.5, 1.0, 1.0000001])
    out = torch.empty(5)
    KernelActivation.clip_chain(torch.full((5,), 3.0), p, out)
    assert out.tolist() == [0.0, 3.0, 3.0, 3.0, 0.0]
