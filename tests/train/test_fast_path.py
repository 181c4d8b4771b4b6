"""The optimizers' fast path (reused work buffers, in-place NumPy square roots, `addcdiv`
fusion) pinned bit for bit (`torch.equal`) to a straightforward per-variable emulation of
TF.js's order of operations (`Emulator` in test_optimizers.py: every op in float64, stored as
float32), over many steps on tensors large enough for torch's vectorised and multi-threaded
kernels, with edge values: exact zeros, tiny and subnormal, huge (overflowing squares) and
mixed gradients."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import tfjs as tf
from tfjs import _native
from tfjs.tensor import Tensor
from tfjs.train import optimizer
from tfjs.train.optimizer import Optimizer, sqrt_
from test_optimizers import FACTORIES, Emulator

SHAPES = [(190, 180), (40, 50), (37,), (5, 7, 3), ()]   # 34200 > torch's 32768 grain: 2 threads


def _gradient(rng, shape, step):
    scale = 10.0 ** rng.uniform(-4, 1)
    g = (rng.normal(size=shape) * scale).astype(np.float32)
    flat = g.reshape(-1)
    if flat.size > 8:
        k = flat.size // 8
        kind = step % 6
        if kind == 1:
            flat[:k] = 0                                        # exact zeros
        elif kind == 2 and flat.size < 10_000:    # (slow, microcoded arithmetic: small tensors)
            flat[:k] = rng.choice([1e-30, -1e-38, 1e-40, -1e-45], k)   # tiny, subnormal
        elif kind == 3:
            flat[:k] = rng.choice([1e20, -3e25, 1e30], k)       # squares overflow to inf
        elif kind == 4:
            flat[::2] = 0
    return g


@pytest.mark.parametrize('path', ['native', 'buffers', 'grouped'])
@pytest.mark.parametrize('name', list(FACTORIES))
def test_fast_path_matches_tfjs_op_order_bit_for_bit(name, path, monkeypatch):
    if path == 'native':     # one-pass C updates (tfjs/_native/optimizers.c) where they exist
        if _native.kernels() is None:
            pytest.skip(f'native kernels unavailable: {_native.unavailable_reason()}')
    else:
        monkeypatch.setattr(optimizer, 'USE_NATIVE_KERNELS', False)
    if path == 'grouped':     # the path off the CPU: no work buffers, allocating foreach ops
        monkeypatch.setattr(Optimizer, '_scratch', lambda self, like, count: [None] * count)
    rng = np.random.default_rng(11)
    values = [rng.normal(size=s).astype(np.float32) for s in SHAPES]
    variables = [tf.variable(tf.tensor(v)) for v in values]
    opt, emu = FACTORIES[name](), Emulator(name, values)
    for step in range(25):
        grads = [_gradient(rng, s, step) for s in SHAPES]
        if step % 9 == 4:
            grads[3] = None                   # no gradient this step: skipped, buffers resized
        opt.applyGradients([{'name': v.name, 'tensor': None if g is None else tf.tensor(g)}
                            for v, g in zip(variables, grads)])
        with np.errstate(all='ignore'):
            emu.step(grads)
    for v, expected in zip(variables, emu.w):
        got = v._value()
        assert torch.equal(got, torch.from_numpy(np.asarray(expected))) or \
            np.array_equal(got.numpy(), expected, equal_nan=True), name


def test_minimize_with_var_list_matches_apply_gradients():
    rng = np.random.default_rng(3)
    x = tf.tensor(rng.normal(size=(64, 20)).astype(np.float32))
    y = tf.tensor(rng.normal(size=(64, 1)).astype(np.float32))
    start = [rng.normal(size=(20, 1)).astype(np.float32), np.zeros((1,), np.float32)]
    a = [tf.variable(tf.tensor(v)) for v in start]
    b = [tf.variable(tf.tensor(v)) for v in start]
    opt_a, opt_b = tf.train.adam(0.01), tf.train.adam(0.01)
    for _ in range(10):
        opt_a.minimize(lambda: tf.losses.meanSquaredError(y, tf.add(tf.matMul(x, a[0]), a[1])),
                       False, a)
        out = opt_b.computeGradients(
            lambda: tf.losses.meanSquaredError(y, tf.add(tf.matMul(x, b[0]), b[1])), b)
        opt_b.applyGradients(out['grads'])
    for va, vb in zip(a, b):
        assert torch.equal(va._value(), vb._value())
    assert [w['name'] for w in opt_a.getWeights()][1:] == [f'{a[0].name}/m', f'{a[1].name}/m',
                                                          f'{a[0].name}/v', f'{a[1].name}/v']


def test_work_buffers_follow_shape_changes_and_dispose():
    opt = tf.train.sgd(0.5)
    v1 = tf.variable(tf.tensor([1.0, 2.0]))
    opt.applyGradients({v1.name: tf.tensor([1.0, 1.0])})
    v2 = tf.variable(tf.tensor([[1.0], [2.0], [3.0]]))
    opt.applyGradients({v2.name: tf.tensor([[2.0], [2.0], [2.0]])})
    assert v1.arraySync() == [0.5, 1.5] and v2.arraySync() == [[0.0], [1.0], [2.0]]
    opt.dispose()
    assert opt._workspace is None


# ------------------------------------------------------------------------------ sqrt_

def _reference_sqrt(t: torch.Tensor) -> torch.Tensor:
    return torch.sqrt(t.double()).to(t.dtype)       # float64 root, rounded once


def test_sqrt_is_correctly_rounded_float32():
    gen = torch.Generator().manual_seed(0)
    bits = torch.randint(0, 0x7f800001, (2_000_000,), generator=gen, dtype=torch.int32)
    x = bits.view(torch.float32)
    specials = torch.tensor([0.0, -0.0, math.inf, -1.0, math.nan, 1e-45, 1.1754942e-38,
                             3.4028235e38, 2.0, 0.25])
    for t in (x, x[1::3], specials, x[:15]):         # contiguous, strided, special, short tail
        expected = _reference_sqrt(t)
        got = t.clone()
        sqrt_([got, got[:0]])
        assert torch.equal(got.nan_to_num(7.0), expected.nan_to_num(7.0))
        assert torch.isnan(got).eq(torch.isnan(expected)).all()


@pytest.mark.parametrize('dtype', [torch.float16, torch.float64, torch.bfloat16])
def test_sqrt_other_float_dtypes(dtype):
    if dtype == torch.float16:
        x = torch.arange(0, 0x7c01, dtype=torch.int16).view(torch.float16)   # every one
    else:
        x = torch.rand(100_000, dtype=torch.float64).mul_(1e6).to(dtype)
    expected = _reference_sqrt(x) if dtype != torch.float64 else \
        torch.tensor([math.sqrt(v) for v in x.tolist()], dtype=torch.float64)
    got = x.clone()
    sqrt_([got])
    assert torch.equal(got, expected)


def test_sqrt_of_a_tensor_that_requires_grad_falls_back():
    x = torch.rand(1000, requires_grad=True)
    with torch.no_grad():
        got = x.clone()
    got.requires_grad_(True)
    sqrt_([got])
    assert torch.equal(got.detach(), _reference_sqrt(x.detach()))


def test_zero_learning_rate_keeps_the_sign_of_zero_weights():
    # TF.js: add(mul(scalar(-0), g), w) with learningRate 0: -0 + (-0 * 2) stays -0, while a
    # +0 operand (say, a cached momentum of 0 mistaken for -0) would give +0.
    u = tf.variable(tf.tensor([1.0]))
    tf.train.momentum(0.1, 0.0).applyGradients({u.name: tf.tensor([1.0])})   # operand +0
    w = tf.variable(tf.tensor([-0.0, 0.0, -0.0]))
    tf.train.sgd(0.0).applyGradients({w.name: tf.tensor([2.0, 2.0, -2.0])})
    expected = np.array([-0.0, 0.0, -0.0], np.float32) + \
        np.float32(-0.0) * np.array([2.0, 2.0, -2.0], np.float32)      # [-0, +0, +0]
    got = w.numpy()
    assert np.array_equal(np.signbit(got), np.signbit(expected)) and np.signbit(got[0])


def test_adam_once_one_minus_beta_powers_are_one():
    # after beta^t < 2^-25, 1 - accBeta is exactly 1 in float32 and m / 1, v / 1 are skipped
    # (CPU): from step 27 for beta1 0.5, from step 35 for beta2 0.6
    rng = np.random.default_rng(5)
    values = [rng.normal(size=s).astype(np.float32) for s in [(40, 30), (7,)]]
    variables = [tf.variable(tf.tensor(v)) for v in values]
    opt = tf.train.adam(0.01, 0.5, 0.6)
    w, m, v = [x.copy() for x in values], [np.zeros_like(x) for x in values], \
        [np.zeros_like(x) for x in values]
    f = np.float32
    acc1, acc2 = f(0.5), f(0.6)
    for step in range(40):           # the last steps take the short paths
        grads = [(rng.normal(size=x.shape) * 0.1).astype(np.float32) for x in values]
        opt.applyGradients({var.name: tf.tensor(g) for var, g in zip(variables, grads)})
        one1, one2 = f(1) - acc1, f(1) - acc2
        for i, g in enumerate(grads):
            m[i] = m[i] * f(0.5) + g * f(1 - 0.5)
            v[i] = v[i] * f(0.6) + (g * g) * f(1 - 0.6)
            w[i] = ((m[i] / one1) / (np.sqrt(v[i] / one2) + f(1e-7))) * f(-0.01) + w[i]
        acc1, acc2 = acc1 * f(0.5), acc2 * f(0.6)
    assert f(1) - f(0.5) ** 39 == f(1) and f(1) - f(0.6) ** 39 == f(1)
    for var, expected in zip(variables, w):
        assert torch.equal(var._value(), torch.from_numpy(expected))


KERNEL_OF = {'sgd': 'sgd', 'momentum': 'momentum', 'nesterov': 'momentum', 'rmsprop': 'rmsprop',
             'rmsprop_centered': 'rmsprop', 'adam': 'adam', 'adadelta': 'adadelta',
             'adamax': 'adamax', 'adagrad': 'adagrad'}


@pytest.mark.parametrize('name', list(FACTORIES))
def test_native_kernel_is_taken_for_float32_cpu_variables(name, monkeypatch):
    kernels = _native.kernels()
    if kernels is None:
        pytest.skip(f'native kernels unavailable: {_native.unavailable_reason()}')
    calls = []
    kernel = getattr(kernels, KERNEL_OF[name])
    monkeypatch.setattr(kernels, KERNEL_OF[name], lambda *a: calls.append(a) or kernel(*a))
    w = tf.variable(tf.tensor([[1.0, -2.0], [3.0, 0.5]]))
    FACTORIES[name]().minimize(lambda: tf.sum(tf.square(w)), False, [w])
    assert len(calls) == 1 and calls[0][0] == w._value().data_ptr()


def test_native_kernels_only_for_contiguous_float32_cpu_tensors():
    if _native.kernels() is None:
        pytest.skip(f'native kernels unavailable: {_native.unavailable_reason()}')
    ok = torch.zeros(4, 3)
    assert optimizer.native_kernels([ok], [ok]) is not None
    assert optimizer.native_kernels([ok], [torch.zeros(3, 4).t()]) is not None   # any layout
    for bad in (torch.zeros(4, 3, dtype=torch.float64), torch.zeros(4, 3, requires_grad=True),
                torch.zeros(4, 3, dtype=torch.float16)):
        assert optimizer.native_kernels([ok], [bad]) is None
        assert optimizer.native_kernels([bad], [ok]) is None
    assert optimizer.native_kernels([torch.zeros(3, 4).t()], [ok]) is None
    assert optimizer.native_kernels([ok], [ok], [torch.zeros(3, 4).t()]) is None


def test_native_step_with_a_permuted_gradient_matches_the_torch_op_path(monkeypatch):
    """A convolution's kernel gradient comes permuted: the native step reads it in the
    variable's layout."""
    if _native.kernels() is None:
        pytest.skip(f'native kernels unavailable: {_native.unavailable_reason()}')
    rng = np.random.default_rng(3)
    start = rng.normal(size=(3, 3, 2, 4)).astype(np.float32)
    grads = [rng.normal(size=(4, 2, 3, 3)).astype(np.float32) for _ in range(3)]
    results = []
    for native in (True, False):
        monkeypatch.setattr(optimizer, 'USE_NATIVE_KERNELS', native)
        w = tf.variable(tf.tensor(start))
        opt = tf.train.adam(0.1)
        for g in grads:
            permuted = torch.from_numpy(g).permute(2, 3, 1, 0)      # shape (3, 3, 2, 4)
            assert not permuted.is_contiguous()
            opt.applyGradients({w.name: Tensor._make(permuted)})
        results.append(w._value().clone())
    assert torch.equal(results[0], results[1])


def test_native_update_invalidates_saved_tensors():
    """A native step changes the variable as an in-place torch op would: a graph that saved
    the old value refuses to backward through it."""
    if _native.kernels() is None:
        pytest.skip(f'native kernels unavailable: {_native.unavailable_reason()}')
    w = tf.variable(tf.tensor([1.0, 2.0, 3.0]))
    x = torch.ones(3, requires_grad=True)
    y = (x * w._value()).sum()                   # saves w's tensor for the backward
    tf.train.sgd(0.1).applyGradients({w.name: tf.tensor([1.0, 1.0, 1.0])})
    with pytest.raises(RuntimeError, match='modified by an inplace operation'):
        y.backward()
