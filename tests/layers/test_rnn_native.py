"""The native (C) LSTM and GRU step loops (`tfjs/_native`): their tanh, their results against the
PyTorch-op loops of the same kernels, and how they are built, cached and refused.

`test_rnn_fast_path.py` runs every kernel test with and without them as well."""
from __future__ import annotations

import os
import warnings

import numpy as np
import pytest
import torch

from tfjs.activations import get_activation
from tfjs import _native
from tfjs.layers import _rnn_autograd


def _kernels():
    k = _native.kernels()
    if k is None:
        pytest.skip(f'native LSTM loops unavailable: {_native.unavailable_reason()}')
    return k


@pytest.fixture
def fresh_build(monkeypatch, tmp_path):
    """Build state forgotten, cache in a temporary folder; restored afterwards."""
    monkeypatch.setenv('TFJS_CACHE_DIR', str(tmp_path))
    monkeypatch.delenv('TFJS_NATIVE_KERNELS', raising=False)
    _native.reset()
    yield tmp_path / 'native'
    _native.reset()


def _tanh(k, x: np.ndarray) -> np.ndarray:
    x = np.ascontiguousarray(x, dtype=np.float32)
    y = np.empty_like(x)
    k.tanh(x.ctypes.data, y.ctypes.data, x.size)
    return y


def test_tanh_within_7_ulp_of_the_exact_value():
    k = _kernels()
    bits = np.arange(0, 0x41300000, 97, dtype=np.int64).astype(np.int32)   # [0, 11) sampled
    x = bits.view(np.float32)
    x = np.concatenate([x, -x])
    y = _tanh(k, x)
    exact = np.tanh(x.astype(np.float64))
    ulps = np.abs(y - exact) / np.spacing(np.abs(exact).astype(np.float32))
    assert ulps.max() <= 7.0, (ulps.max(), x[ulps.argmax()])
    assert ulps.mean() < 0.2
    assert np.all(np.abs(y) <= 1.0)
    assert np.all(np.sign(y) == np.sign(x))


def test_tanh_special_values():
    k = _kernels()
    y = _tanh(k, np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-30, -3e-4, 20.0], np.float32))
    assert np.isnan(y[0])
    assert y[1:3].tolist() == [1.0, -1.0]
    assert y[3] == 0 and not np.signbit(y[3]) and np.signbit(y[4])
    assert y[5] == np.float32(1e-30) and y[6] == np.float32(-3e-4)
    assert y[7] == 1.0


def _lstm_grads(native: bool, monkeypatch, steps, batch, units, dirs=1, bias=True,
                outputs=('seq', 'h', 'c'), seed=0, scale=1.0):
    """Outputs and gradients of every input of `lstm_directions`, as numpy."""
    monkeypatch.setattr(_rnn_autograd, 'USE_NATIVE_KERNELS', native)
    g = torch.Generator().manual_seed(seed)

    def rnd(*shape, s=1.0):
        return (torch.randn(*shape, generator=g) * s).requires_grad_(True)
    x = rnd(dirs, steps * batch, 6, s=scale)
    kernel, recurrent = rnd(dirs, 6, 4 * units, s=0.5), rnd(dirs, units, 4 * units, s=0.5)
    b = rnd(dirs, 4 * units) if bias else None
    h0, c0 = rnd(dirs, batch, units), rnd(dirs, batch, units)
    seq, h, c = _rnn_autograd.lstm_directions(
        x, steps, h0, c0, kernel, recurrent, b, get_activation('tanh'),
        get_activation('hardSigmoid'), None)
    picked = {'seq': seq, 'h': h, 'c': c}
    loss = sum((picked[o] * torch.randn(picked[o].shape, generator=g)).sum() for o in outputs)
    leaves = [t for t in (x, kernel, recurrent, b, h0, c0) if t is not None]
    grads = torch.autograd.grad(loss, leaves)
    return [t.detach().numpy() for t in (seq, h, c)] + [t.numpy() for t in grads]


@pytest.mark.parametrize('steps,batch,units,dirs,bias,outputs', [
    (7, 3, 5, 1, True, ('seq', 'h', 'c')),
    (1, 2, 4, 1, False, ('seq',)),
    (9, 4, 3, 2, True, ('h',)),                 # Bidirectional: two directions together
    (5, 2, 6, 2, False, ('c', 'seq')),
    (12, 48, 96, 1, True, ('seq', 'c')),        # per-step GEMM above SMALL_GEMM_FLOPS
])
def test_native_loops_match_the_torch_op_loops(monkeypatch, steps, batch, units, dirs, bias,
                                                outputs):
    """Values and gradients of inputs, weights, bias and both initial states: the C loops
    against the PyTorch-op loops of the same kernel (other rounding order, other tanh)."""
    _kernels()
    for scale in (1.0, 6.0):                    # 6: most gates saturated, clip mask matters
        native = _lstm_grads(True, monkeypatch, steps, batch, units, dirs, bias, outputs,
                             scale=scale)
        ops = _lstm_grads(False, monkeypatch, steps, batch, units, dirs, bias, outputs,
                          scale=scale)
        for a, b in zip(native, ops):
            tol = 1e-5 * max(1.0, float(np.abs(b).max()))
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=tol)


def _gru_grads(native: bool, monkeypatch, steps, batch, units, bias=True, outputs=('seq', 'h'),
               seed=0, scale=1.0):
    """Outputs and gradients of every input of `_rnn_autograd.gru` (TF.js's default cell), as
    numpy."""
    monkeypatch.setattr(_rnn_autograd, 'USE_NATIVE_KERNELS', native)
    g = torch.Generator().manual_seed(seed)

    def rnd(*shape, s=1.0):
        return (torch.randn(*shape, generator=g) * s).requires_grad_(True)
    xs = rnd(steps, batch, 5, s=scale)
    # recurrent weights ~ 1/sqrt(units), as initializers give: larger ones make the sequence
    # chaotic, and any two roundings then drift apart step by step
    kernel, recurrent = rnd(5, 3 * units, s=0.5), rnd(units, 3 * units, s=1.5 / units ** 0.5)
    b = rnd(3 * units) if bias else None
    h0 = rnd(batch, units)
    seq, (h,) = _rnn_autograd.gru(xs, h0, kernel, recurrent, b, get_activation('tanh'),
                                  get_activation('hardSigmoid'), False, None)
    picked = {'seq': seq, 'h': h}
    loss = sum((picked[o] * torch.randn(picked[o].shape, generator=g)).sum() for o in outputs)
    leaves = [t for t in (xs, kernel, recurrent, b, h0) if t is not None]
    grads = torch.autograd.grad(loss, leaves)
    return [seq.detach().numpy(), h.detach().numpy()] + [t.numpy() for t in grads]


@pytest.mark.parametrize('steps,batch,units,bias,outputs', [
    (7, 3, 5, True, ('seq', 'h')),
    (1, 2, 4, False, ('seq',)),
    (9, 4, 3, True, ('h',)),
    (12, 48, 96, True, ('seq',)),               # per-step GEMMs above SMALL_GEMM_FLOPS
])
def test_native_gru_loops_match_the_torch_op_loops(monkeypatch, steps, batch, units, bias,
                                                   outputs):
    _kernels()
    for scale in (1.0, 6.0):
        native = _gru_grads(True, monkeypatch, steps, batch, units, bias, outputs, scale=scale)
        ops = _gru_grads(False, monkeypatch, steps, batch, units, bias, outputs, scale=scale)
        for a, b in zip(native, ops):
            tol = 1e-5 * max(1.0, float(np.abs(b).max()))
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=tol)


def test_native_gru_hard_sigmoid_is_tfjs_to_the_bit_at_its_bounds(monkeypatch):
    """Gates at x = -2.5 and 2.5 (0.2 x + 0.5 exactly 0 and 1) pass their gradient, x just
    outside does not, in both loops."""
    _kernels()
    grads = {}
    for native in (True, False):
        monkeypatch.setattr(_rnn_autograd, 'USE_NATIVE_KERNELS', native)
        xs = torch.zeros(1, 4, 1)
        kernel = torch.zeros(1, 3)
        recurrent = torch.zeros(1, 3, requires_grad=True)
        below = float(np.nextafter(np.float32(-2.5), np.float32(-3)))
        bias = torch.tensor([[-2.5, 2.5, 0.4], [below, 0.1, 0.4], [2.5, -2.5, 0.4],
                             [0.3, 0.3, 0.4]])
        h0 = torch.tensor([[0.5], [0.5], [0.5], [0.5]], requires_grad=True)
        outs = []
        for row in range(4):        # one bias per batch row: four separate 1-unit GRUs
            seq, _ = _rnn_autograd.gru(xs[:, row:row + 1], h0[row:row + 1], kernel, recurrent,
                                       bias[row], get_activation('tanh'),
                                       get_activation('hardSigmoid'), False, None)
            outs.append(seq.sum())
        grads[native] = [g.numpy() for g in torch.autograd.grad(outs, [recurrent, h0])]
    for a, b in zip(grads[True], grads[False]):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_clip_gradient_passes_at_exact_bounds(monkeypatch):
    """Folded gate pre-activations of exactly 0 and 1 (biases -2.5 and 2.5: 0.2 * -2.5 + 0.5
    == 0 and 0.2 * 2.5 + 0.5 == 1 in float32) are inside TF.js's clipByValue: their gradients
    flow in both loops."""
    _kernels()
    grads = {}
    for native in (True, False):
        monkeypatch.setattr(_rnn_autograd, 'USE_NATIVE_KERNELS', native)
        x = torch.zeros(1, 2 * 1, 1)
        kernel = torch.zeros(1, 1, 4, requires_grad=True)
        recurrent = torch.zeros(1, 1, 4, requires_grad=True)
        bias = torch.tensor([[-2.5, 1.0, 0.3, 2.5]], requires_grad=True)   # i f c o
        h0, c0 = torch.zeros(1, 1, 1), torch.ones(1, 1, 1)
        seq, h, c = _rnn_autograd.lstm_directions(
            x, 2, h0, c0, kernel, recurrent, bias, get_activation('tanh'),
            get_activation('hardSigmoid'), None)
        (db,) = torch.autograd.grad(seq.sum() + c.sum(), [bias])
        grads[native] = db.numpy()
    for native in (True, False):          # (the c gate's is 0: it is multiplied by i = 0)
        assert np.all(grads[native][0, [0, 1, 3]] != 0)
    np.testing.assert_allclose(grads[True], grads[False], rtol=1e-6, atol=1e-7)


def test_nan_inputs_propagate_as_in_the_torch_op_loops(monkeypatch):
    _kernels()
    outs = []
    for native in (True, False):
        monkeypatch.setattr(_rnn_autograd, 'USE_NATIVE_KERNELS', native)
        x = torch.randn(1, 3 * 2, 2)
        x[0, 1, 0] = float('nan')                 # batch row 1, step 0
        w = torch.ones(1, 2, 8) * 0.1
        seq, _, _ = _rnn_autograd.lstm_directions(
            x, 3, torch.zeros(1, 2, 2), torch.zeros(1, 2, 2), w, w[:, :2] * 0, None,
            get_activation('tanh'), get_activation('hardSigmoid'), None)
        outs.append(seq.numpy())
    np.testing.assert_array_equal(np.isnan(outs[0]), np.isnan(outs[1]))
    assert np.isnan(outs[0][0, 0, 1]).all() and not np.isnan(outs[0][0, :, 0]).any()


def test_other_dtypes_and_cells_keep_the_torch_op_loops(monkeypatch):
    """float64, and cells other than tanh + hardSigmoid, never reach the C loops."""
    k = _kernels()
    calls = []
    monkeypatch.setattr(k, 'run', lambda *a, **kw: calls.append(1))
    tanh, hs, relu = (get_activation(n) for n in ('tanh', 'hardSigmoid', 'relu'))
    for dtype, act in ((torch.float64, tanh), (torch.float32, relu)):
        xs = torch.randn(4, 2, 3, dtype=dtype)
        h0 = torch.zeros(2, 5, dtype=dtype)
        w, r = torch.randn(3, 20, dtype=dtype), torch.randn(5, 20, dtype=dtype)
        seq, _ = _rnn_autograd.lstm(xs, h0, h0, w, r, None, act, hs, None)
        assert seq.dtype == dtype
    assert calls == []


def test_switched_off_by_environment(monkeypatch, fresh_build):
    monkeypatch.setenv('TFJS_NATIVE_KERNELS', '0')
    assert _native.kernels() is None
    assert 'TFJS_NATIVE_KERNELS=0' in _native.unavailable_reason()


def test_without_a_compiler_the_loops_stay_in_torch(monkeypatch, fresh_build):
    monkeypatch.setattr(_native.shutil, 'which', lambda name: None)
    assert _native.kernels() is None
    assert 'no C compiler' in _native.unavailable_reason()
    xs, h0 = torch.randn(5, 2, 3), torch.zeros(2, 4)
    seq, _ = _rnn_autograd.lstm(xs, h0, h0, torch.randn(3, 16), torch.randn(4, 16), None,
                                get_activation('tanh'), get_activation('hardSigmoid'), None)
    assert seq.shape == (5, 2, 4)


def test_a_failing_compiler_warns_and_leaves_no_file(monkeypatch, fresh_build, tmp_path):
    failing = tmp_path / 'cc-that-fails'
    failing.write_text('#!/bin/sh\necho "cc: error: no" >&2\nexit 1\n')
    failing.chmod(0o755)
    monkeypatch.setenv('CC', str(failing))
    with pytest.warns(RuntimeWarning, match='building the native kernels'):
        assert _native.kernels() is None
    assert 'failed' in _native.unavailable_reason()
    assert list(fresh_build.iterdir()) == []


def test_built_once_then_loaded_from_the_cache(fresh_build):
    if _native.kernels() is None:
        pytest.skip(f'native LSTM loops unavailable: {_native.unavailable_reason()}')
    files = sorted(p.name for p in fresh_build.iterdir())
    assert len(files) == 1 and files[0].startswith('kernels-') and files[0].endswith('.so')
    stamp = os.stat(fresh_build / files[0]).st_mtime_ns
    _native.reset()
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        assert _native.kernels() is not None
    assert sorted(p.name for p in fresh_build.iterdir()) == files
    assert os.stat(fresh_build / files[0]).st_mtime_ns == stamp
