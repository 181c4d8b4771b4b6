"""Dataset.shuffle: TF.js's reservoir shuffle with the alea PRNG (seedrandom port).

The expected orders below were produced by TF.js 4.22 (`tf.data.array(...).shuffle(...)` run in
Node); tests/parity/test_data_parity.py re-checks them live against the oracle.
"""
import math

import pytest

import tfjs as tf
from tfjs.data._alea import alea, js_string


def test_alea_matches_seedrandom():
    # seedrandom 3.0.5 in Node: r = alea('abc'); r(), r.int32(), r()
    r = alea('abc')
    assert r() == 0.4795641906093806
    assert r.int32() == 1398750857
    assert r() == 0.8431053028907627
    r = alea('héllo😀')          # UTF-16 code units, as JS strings
    assert [r(), r(), r()] == [0.9318372523412108, 0.7961582089774311, 0.22032562410458922]
    assert r.int32() == 596970770 and r.double() == 0.5605211476023458
    r = alea('-2147483649')
    assert (r.int32(), r.int32()) == (345842506, 591614254)


def test_js_string():
    assert js_string(12345) == '12345' and js_string(3.0) == '3' and js_string(1.5) == '1.5'
    assert js_string(True) == 'true' and js_string(math.inf) == 'Infinity'


def test_seeded_order_matches_tfjs():
    ds = tf.data.array(list(range(1, 11))).shuffle(10, 'abc')
    assert ds.toArray() == [9, 10, 7, 2, 8, 1, 3, 4, 6, 5]
    assert ds.toArray() == [5, 6, 2, 4, 9, 3, 10, 7, 1, 8]     # reshuffled, as in TF.js
    ds = tf.data.array(list(range(25))).shuffle(5, 12345)
    assert ds.toArray() == [2, 4, 0, 6, 8, 3, 5, 7, 11, 13, 14, 12, 1, 10, 9, 19, 17, 21, 15, 18,
                            23, 16, 24, 20, 22]
    batches = tf.data.array(list(range(25))).shuffle(5, 'seed').batch(4).toArray()
    assert [b.arraySync() for b in batches] == [
        [3, 5, 0, 1], [6, 4, 10, 7], [2, 12, 13, 15], [14, 11, 18, 17], [8, 16, 22, 19],
        [23, 20, 21, 9], [24]]


def test_same_seed_same_orders():
    a = tf.data.array(list(range(50))).shuffle(8, 'x')
    b = tf.data.array(list(range(50))).shuffle(8, 'x')
    assert a.toArray() == b.toArray()
    assert a.toArray() == b.toArray()


def test_no_reshuffle_repeats_first_order():
    # first iteration as TF.js; later ones repeat it (TF.js would reshuffle: not copied)
    ds = tf.data.array(list(range(1, 11))).shuffle(3, 'abc', False)
    first = ds.toArray()
    assert first == [3, 1, 2, 5, 6, 4, 7, 8, 9, 10]
    assert ds.toArray() == first
    assert list(ds) == first


def test_unseeded_is_a_permutation_and_varies():
    items = list(range(200))
    ds = tf.data.array(items).shuffle(200)
    a, b = ds.toArray(), ds.toArray()
    assert sorted(a) == items and sorted(b) == items
    assert a != items and a != b


def test_buffer_of_one_keeps_order():
    assert tf.data.array([1, 2, 3]).shuffle(1, 's').toArray() == [1, 2, 3]


def test_buffer_size_required():
    with pytest.raises(ValueError, match='requires bufferSize'):
        tf.data.array([1, 2]).shuffle(None)
    with pytest.raises(ValueError, match='2 elements'):
        tf.data.array([1, 2]).shuffle(-1)
    with pytest.raises(ValueError, match='requires bufferSize'):
        tf.data.generator(lambda: iter([1])).shuffle(None)


def test_shuffle_of_tensors_keeps_memory_flat():
    ds = tf.data.array(list(range(10))).map(lambda x: tf.scalar(x)).shuffle(4, 'm').take(3)
    before = tf.memory()['numTensors']
    out = ds.toArray()
    assert len(out) == 3
    tf.dispose(out)        # the shuffle buffer's leftovers were disposed on close
    assert tf.memory()['numTensors'] == before
