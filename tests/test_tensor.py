"""Tensor creation, dtypes, data access, NumPy interop and operators (TF.js semantics)."""
import asyncio

import numpy as np
import pytest

import tfjs as tf


def test_numbers_are_float32_numpy_ints_are_int32():
    assert tf.tensor([1, 2, 3]).dtype == 'float32'
    assert tf.tensor(np.array([1, 2, 3])).dtype == 'int32'
    assert tf.tensor([True, False]).dtype == 'bool'
    assert tf.tensor(['a', 'b']).dtype == 'string'
    assert tf.tensor([1.5, 2], None, 'int32').arraySync() == [1, 2]


def test_ranked_constructors_and_shape_checks():
    assert tf.tensor2d([[1], [2], [3], [4]], [4, 1]).shape == [4, 1]
    assert tf.tensor2d([1, 2, 3, 4], [2, 2]).arraySync() == [[1, 2], [3, 4]]
    with pytest.raises(ValueError, match='should have 6 values but has 4'):
        tf.tensor([1, 2, 3, 4], [2, 3])
    with pytest.raises(ValueError, match='rank'):
        tf.tensor2d([1, 2, 3])
    with pytest.raises(ValueError, match='Inferred shape'):
        tf.tensor([[1, 2], [3, 4]], [4])
    assert tf.scalar(3).rank == 0


def test_creation_ops():
    assert tf.zeros([2, 2]).arraySync() == [[0, 0], [0, 0]]
    assert tf.ones([2], 'int32').dtype == 'int32'
    assert tf.fill([2], 7).arraySync() == [7, 7]
    assert tf.range(0, 5, 2).arraySync() == [0, 2, 4]
    assert tf.linspace(0, 1, 3).arraySync() == [0, 0.5, 1]
    assert tf.eye(2).arraySync() == [[1, 0], [0, 1]]
    assert tf.oneHot(tf.tensor1d([0, 2, 5], 'int32'), 3).arraySync() == [[1, 0, 0], [0, 0, 1], [0, 0, 0]]
    assert tf.zerosLike(tf.ones([3], 'int32')).dtype == 'int32'
    t = tf.randomNormal([1000], 0, 1, 'float32', 7)
    assert abs(float(t.mean())) < 0.15
    np.testing.assert_array_equal(np.asarray(t), np.asarray(tf.randomNormal([1000], 0, 1, 'float32', 7)))
    assert float(tf.truncatedNormal([1000]).abs().max()) <= 2
    u = tf.randomUniform([100], 2, 3)
    assert 2 <= float(u.min()) and float(u.max()) < 3


def test_data_access():
    t = tf.tensor2d([[1, 2], [3, 4]])
    assert t.dataSync().tolist() == [1, 2, 3, 4]
    assert t.dataSync().dtype == np.float32
    assert tf.tensor([True, False]).arraySync() == [1, 0]
    assert asyncio.run(_async_data(t)) == [[1, 2], [3, 4]]
    assert t.data().tolist() == [1, 2, 3, 4]   # sync code gets the value


async def _async_data(t):
    return await t.array()


def test_numpy_interop_and_operators():
    a = tf.tensor2d([[1, 2], [3, 4]])
    assert np.asarray(a).tolist() == [[1, 2], [3, 4]]
    assert (a + 1).arraySync() == [[2, 3], [4, 5]]
    assert (1 - a).arraySync() == [[0, -1], [-2, -3]]
    assert (a @ a).arraySync() == [[7, 10], [15, 22]]
    assert (a * np.array([[2, 2], [2, 2]])).arraySync() == [[2, 4], [6, 8]]
    assert (a > 2).arraySync() == [[0, 0], [1, 1]]
    assert tf.add(np.ones(2), [1, 2]).arraySync() == [2, 3]
    assert a[1].arraySync() == [3, 4]
    assert float(a.sum()) == 10


def test_dtype_rules_follow_tfjs():
    i = tf.tensor1d([1, 2], 'int32')
    assert tf.add(i, i).dtype == 'int32'
    assert tf.add(i, 1).dtype == 'float32'          # a JS number is float32
    assert tf.div(tf.tensor1d([7], 'int32'), tf.tensor1d([2], 'int32')).arraySync() == [3]
    assert tf.mean(i).dtype == 'float32'
    assert tf.sum(tf.tensor([True, True])).arraySync() == 2
    with pytest.raises(ValueError, match='upcast'):
        tf.add(tf.tensor(['a']), tf.tensor([1]))


def test_chained_methods_and_snake_case_twins():
    t = tf.tensor1d([1, -2, 3])
    assert t.abs().max().arraySync() == 3
    assert t.matMul is not None and t.mat_mul is not None
    assert tf.zeros_like is tf.zerosLike
    assert t.data_sync().tolist() == [1, -2, 3]
    assert t.reshape([3, 1]).shape == [3, 1]


def test_print_matches_tfjs_format(capsys):
    tf.tensor2d([[1], [2]]).print()
    assert capsys.readouterr().out == 'Tensor\n    [[1],\n     [2]]\n'
    tf.tensor1d([1, 2, 3], 'int32').print(True)
    assert capsys.readouterr().out == ('Tensor\n  dtype: int32\n  rank: 1\n  shape: [3]\n'
                                       '  values:\n    [1, 2, 3]\n')


def test_variable_assign_and_checks():
    v = tf.variable(tf.tensor1d([1, 2]))
    v.assign(tf.tensor1d([3, 4]))
    assert v.arraySync() == [3, 4]
    with pytest.raises(ValueError, match='shape'):
        v.assign(tf.tensor1d([1, 2, 3]))
    snapshot = np.asarray(v)
    v.assign(tf.tensor1d([5, 6]))
    assert snapshot.tolist() == [3, 4]      # NumPy got a copy of the variable


def test_gradients():
    assert tf.grad(lambda x: x.square())(tf.tensor1d([1, 2])).arraySync() == [2, 4]
    out = tf.valueAndGrads(lambda a, b: a.mul(b).sum())([tf.tensor1d([1, 2]), tf.tensor1d([3, 4])])
    assert out['value'].arraySync() == 11
    assert [g.arraySync() for g in out['grads']] == [[3, 4], [1, 2]]
    v = tf.variable(tf.scalar(3.0))
    assert tf.variableGrads(lambda: v.square(), [v])['grads'][v.name].arraySync() == 6
    g2 = tf.grad(lambda x: tf.grad(lambda y: y.mul(y).mul(y))(x))
    assert g2(tf.tensor1d([1, 2])).arraySync() == [6, 12]
    assert tf.grad(lambda x: x.relu())(tf.tensor1d([-1, 0, 1])).arraySync() == [0, 0, 1]
