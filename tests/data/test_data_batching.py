"""Column-major batching of nested elements, as TF.js's deepBatchConcat."""
import collections
import math

import numpy as np
import pytest

import tfjs as tf


def test_numbers_become_float32_vectors():
    batches = tf.data.array([1, 2, 3, 4, 5]).batch(2).toArray()
    assert [b.dtype for b in batches] == ['float32'] * 3
    assert [b.arraySync() for b in batches] == [[1, 2], [3, 4], [5]]


def test_small_last_batch_and_sizes():
    ds = tf.data.array(list(range(5)))
    assert ds.batch(2).size == 3 and ds.batch(2, False).size == 2
    assert [b.shape for b in ds.batch(2, False).toArray()] == [[2], [2]]
    assert ds.batch(5).size == 1 and ds.batch(10).size == 1
    assert ds.repeat().batch(2).size == math.inf
    assert tf.data.generator(lambda: iter([1])).batch(2).size is None
    assert ds.batch(2, smallLastBatch=False).size == 2


def test_batch_size_must_be_positive():
    with pytest.raises(ValueError, match='positive'):
        tf.data.array([1]).batch(0)
    with pytest.raises(ValueError, match='positive'):
        tf.data.array([1]).batch(1.5)


def test_bool_and_string_values():
    (b,) = tf.data.array([True, False, True]).batch(3).toArray()
    assert b.dtype == 'bool' and b.arraySync() == [1, 0, 1]
    (s,) = tf.data.array(['a', 'b']).batch(2).toArray()
    assert s.dtype == 'string' and s.arraySync() == ['a', 'b']


def test_arrays_are_stacked_with_new_axis():
    (b,) = tf.data.array([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]).batch(2).toArray()
    assert b.shape == [2, 2, 2] and b.dtype == 'float32'


def test_tensors_are_stacked_keeping_dtype():
    rows = [tf.tensor1d([1, 2], 'int32'), tf.tensor1d([3, 4], 'int32')]
    (b,) = tf.data.array(rows).batch(2).toArray()
    assert b.dtype == 'int32' and b.arraySync() == [[1, 2], [3, 4]]
    rows = [tf.tensor1d([True, False], 'bool')] * 3
    (b,) = tf.data.array(rows).batch(3).toArray()
    assert b.dtype == 'bool' and b.shape == [3, 2]
    (s,) = tf.data.array([tf.scalar(1), tf.scalar(2)]).batch(2).toArray()
    assert s.shape == [2]


def test_nested_dicts_batched_per_field():
    elems = [{'a': i, 'b': [i, i + 1], 'c': {'d': tf.scalar(i, 'int32'), 'e': 'x%d' % i}}
             for i in range(3)]
    b1, b2 = tf.data.array(elems).batch(2).toArray()
    assert b1['a'].arraySync() == [0, 1]
    assert b1['b'].arraySync() == [[0, 1], [1, 2]]
    assert b1['c']['d'].dtype == 'int32' and b1['c']['d'].arraySync() == [0, 1]
    assert b1['c']['e'].arraySync() == ['x0', 'x1']
    assert b2['a'].arraySync() == [2] and b2['b'].shape == [1, 2]


def test_row_tensors_are_disposed_after_stacking():
    ds = tf.data.array(list(range(6))).map(lambda x: {'t': tf.fill([3], x)}).batch(3)
    before = tf.memory()['numTensors']
    out = ds.toArray()
    assert tf.memory()['numTensors'] == before + 2
    assert out[1]['t'].arraySync()[0] == [3, 3, 3]


def test_tuples_and_lists_of_tensors_batch_positionally():
    # beyond TF.js (which throws here): structure is kept position by position
    ds = tf.data.zip((tf.data.array([1, 2, 3]), tf.data.array([[1, 1], [2, 2], [3, 3]])))
    first = ds.batch(2).toArray()[0]
    assert isinstance(first, tuple)
    assert first[0].arraySync() == [1, 2] and first[1].shape == [2, 2]
    xs = tf.data.array([tf.tensor1d([i, i]) for i in range(4)])
    (b,) = tf.data.zip([xs, xs]).batch(4).toArray()
    assert isinstance(b, list) and [t.shape for t in b] == [[4, 2], [4, 2]]
    Point = collections.namedtuple('Point', 'x y')
    (p,) = tf.data.array([Point(1, 2), Point(3, 4)]).batch(2).toArray()
    assert isinstance(p, Point) and p.y.arraySync() == [2, 4]


def test_fit_dataset_shaped_elements():
    xs = tf.data.array([[1.0, 2.0]] * 5)
    ys = tf.data.array([[0.0]] * 5)
    (b,) = tf.data.zip({'xs': xs, 'ys': ys}).batch(5).toArray()
    assert b['xs'].shape == [5, 2] and b['ys'].shape == [5, 1]


def test_numpy_rows():
    (b,) = tf.data.array([np.zeros((2, 3), np.float32)] * 4).batch(4).toArray()
    assert b.shape == [4, 2, 3] and b.dtype == 'float32'
    (b,) = tf.data.array([np.float32(1.5), np.float32(2.5)]).batch(2).toArray()
    assert b.arraySync() == [1.5, 2.5]


def test_none_becomes_zero_in_number_batches():
    (b,) = tf.data.array([{'a': 1}, {'a': None}]).batch(2).toArray()
    assert b['a'].arraySync() == [1, 0]


def test_ragged_rows_raise_clear_error():
    with pytest.raises(ValueError, match='same shape'):
        tf.data.array([[1, 2], [3]]).batch(2).toArray()
    with pytest.raises(ValueError, match='different structure'):
        tf.data.array([{'a': 1}, 5]).batch(2).toArray()
