"""Random ops (statistics, shapes, dtypes, seed reproducibility: TF.js's streams are not
reproduced) and tf.util (differential where the values are deterministic)."""
import asyncio

import numpy as np
import pytest

import tfjs as tf
from harness import Case, Raw, assert_all_agree, run_cases


# ---------------------------------------------------------------- random
def test_random_gamma_statistics_and_seed():
    a = tf.randomGamma([20000], 2.0, 1.0, 'float32', 5).dataSync()
    assert abs(a.mean() - 2.0) < 0.06 and abs(a.var() - 2.0) < 0.15 and a.min() > 0
    b = tf.randomGamma([20000], 0.5, 2.0, 'float32', 6).dataSync()
    assert abs(b.mean() - 0.25) < 0.02          # beta is the rate: mean alpha / beta
    assert np.array_equal(tf.randomGamma([5], 3, 1, 'float32', 9).dataSync(),
                          tf.randomGamma([5], 3, 1, 'float32', 9).dataSync())
    i = tf.randomGamma([2, 3], 5, 1, 'int32', 1)
    assert i.dtype == 'int32' and i.shape == [2, 3]
    with pytest.raises(tf.ValueError):
        tf.randomGamma([2], 1, 1, 'bool')


def test_multinomial_statistics_shapes_and_seed():
    s = tf.multinomial(tf.tensor1d([0.0, np.log(3.0)]), 20000, 3)
    assert s.dtype == 'int32' and s.shape == [20000]
    assert abs(s.dataSync().mean() - 0.75) < 0.02
    p = tf.multinomial(tf.tensor2d([[0.1, 0.9, 0.0], [1.0, 0.0, 0.0]]), 5000, 4, True)
    assert p.shape == [2, 5000]
    rows = p.arraySync()
    assert set(rows[1]) == {0} and 2 not in rows[0] and abs(np.mean(rows[0]) - 0.9) < 0.03
    assert tf.multinomial([1.0, 2.0], 10, 7).arraySync() == tf.multinomial([1.0, 2.0], 10, 7).arraySync()
    with pytest.raises(tf.ValueError):
        tf.multinomial([1.0], 3)
    with pytest.raises(tf.ValueError):
        tf.multinomial(tf.zeros([2, 2, 2]), 3)


def test_rand_follows_typed_array_rules():
    assert tf.rand([2, 2], lambda: 1.5).arraySync() == [[1.5, 1.5], [1.5, 1.5]]
    values = iter([2.7, -2.7, 2 ** 32 + 5, float('nan')])
    assert tf.rand([4], lambda: next(values), 'int32').arraySync() == [2, -2, 5, 0]
    b = tf.rand([3], lambda: 0.3, 'bool')
    assert b.dtype == 'bool' and b.arraySync() == [0, 0, 0]
    with pytest.raises(tf.ValueError):
        tf.rand([2], lambda: 1, 'string')
    with pytest.raises(tf.ValueError):
        tf.rand([-1], lambda: 1)


def test_random_uniform_int_and_standard_normal():
    u = tf.randomUniformInt([20000], -3, 4, 11)
    d = u.dataSync()
    assert u.dtype == 'int32' and d.min() == -3 and d.max() == 3
    counts = np.bincount(d + 3)
    assert counts.min() > 2500                     # every value about equally likely
    assert np.array_equal(tf.randomUniformInt([6], 0, 100, 'seed').dataSync(),
                          tf.randomUniformInt([6], 0, 100, 'seed').dataSync())
    assert tf.randomUniformInt([3], 2, 2).arraySync() == [2, 2, 2]
    n = tf.randomStandardNormal([20000], 'float32', 2).dataSync()
    assert abs(n.mean()) < 0.03 and abs(n.std() - 1) < 0.03
    assert tf.randomStandardNormal([2, 2], 'int32', 1).dtype == 'int32'


def test_random_errors_match_tfjs(oracle):
    cases = [Case('multinomial', [Raw([1.0]), 2], raises=True, name='multinomial one outcome'),
             Case('randomGamma', [Raw([2]), 1, 1, 'bool'], raises=True, name='randomGamma bool'),
             Case('rand', [Raw([2]), Raw(None), 'string'], raises=True, name='rand bad dtype',
                  py=lambda tf, s, f, d: tf.rand(s, lambda: 1, d), js="tf.rand(a[0], () => 1, a[2])"),
             Case('rand', [Raw([2, 2])], py=lambda tf, s: tf.rand(s, lambda: 2.5),
                  js='tf.rand(a[0], () => 2.5)', name='rand constant')]
    assert_all_agree(run_cases(oracle, cases))


# ---------------------------------------------------------------- tf.util
U = 'util.'
UTIL_CASES = [
    Case(U + 'sizeFromShape', [Raw([2, 3, 4])]), Case(U + 'sizeFromShape', [Raw([])]),
    Case(U + 'clamp', [0, 5, 3]), Case(U + 'clamp', [0, -2, 3]),
    Case(U + 'arraysEqual', [Raw([1, 2]), Raw([1, 2])]), Case(U + 'arraysEqual', [Raw([1, 2]), Raw([1])]),
    Case(U + 'isInt', [3]), Case(U + 'isInt', [2.5]),
    Case(U + 'parseAxisParam', [-1, Raw([2, 3])]), Case(U + 'parseAxisParam', [Raw(None), Raw([2, 3])]),
    Case(U + 'parseAxisParam', [Raw([0, -2]), Raw([2, 3, 4])]),
    Case(U + 'parseAxisParam', [3, Raw([2, 3])], raises=True, name='parseAxisParam out of range'),
    Case(U + 'squeezeShape', [Raw([1, 3, 1, 2])]), Case(U + 'squeezeShape', [Raw([1, 3, 1, 2]), Raw([2])]),
    Case(U + 'squeezeShape', [Raw([1, 3, 1]), Raw([1])], raises=True, name='squeezeShape non-1'),
    Case(U + 'inferDtype', [Raw([[True]])]), Case(U + 'inferDtype', [Raw(['a'])]), Case(U + 'inferDtype', [Raw(3)]),
    Case(U + 'computeStrides', [Raw([2, 3, 4])]), Case(U + 'computeStrides', [Raw([5])]),
    Case(U + 'toNestedArray', [Raw([2, 2]), Raw([1, 2, 3, 4])]), Case(U + 'toNestedArray', [Raw([]), Raw([7])]),
    Case(U + 'toNestedArray', [Raw([1, 2]), Raw([1, 2, 3, 4]), True]),
    Case(U + 'toNestedArray', [Raw([3]), Raw([1, 2])], raises=True, name='toNestedArray size'),
    Case(U + 'isString', ['a']), Case(U + 'isString', [1]), Case(U + 'isBoolean', [True]), Case(U + 'isNumber', [1.5]),
    Case(U + 'isNumber', ['1']),
    Case(U + 'bytesPerElement', ['complex64']), Case(U + 'bytesPerElement', ['bool']),
    Case(U + 'bytesPerElement', ['string'], raises=True, name='bytesPerElement string'),
    Case(U + 'locToIndex', [Raw([1, 2, 3]), 3, Raw([12, 4])]), Case(U + 'indexToLoc', [23, 3, Raw([12, 4])]),
    Case(U + 'locToIndex', [Raw([]), 0, Raw([])]), Case(U + 'indexToLoc', [4, 1, Raw([])]),
    Case(U + 'nearestDivisor', [10, 3]), Case(U + 'nearestDivisor', [7, 2]),
    Case(U + 'rightPad', ['ab', 5]), Case(U + 'rightPad', ['abcdef', 3]),
    Case(U + 'sizeToSquarishShape', [10]), Case(U + 'sizeToSquarishShape', [16]),
    Case(U + 'inferFromImplicitShape', [Raw([2, -1]), 6]), Case(U + 'inferFromImplicitShape', [Raw([2, 3]), 6]),
    Case(U + 'inferFromImplicitShape', [Raw([-1, -1]), 6], raises=True, name='inferFromImplicitShape two -1'),
    Case(U + 'inferFromImplicitShape', [Raw([4, -1]), 6], raises=True, name='inferFromImplicitShape fraction'),
    Case(U + 'assertShapesMatch', [Raw([1, 2]), Raw([2, 1])], raises=True, name='assertShapesMatch mismatch'),
    Case(U + 'assertNonNull', [Raw(None)], raises=True, name='assertNonNull null'),
    Case(U + 'distSquared', [Raw([0, 1]), Raw([3, 5])]), Case(U + 'isValidDtype', ['int32']),
    Case(U + 'isValidDtype', ['int64']), Case(U + 'hasEncodingLoss', ['float32', 'int32']),
    Case(U + 'hasEncodingLoss', ['int32', 'float32']), Case(U + 'hasEncodingLoss', ['bool', 'bool']),
    Case(U + 'nearestLargerEven', [3]), Case(U + 'nearestLargerEven', [4]), Case(U + 'sum', [Raw([1, 2, 3.5])]),
    Case(U + 'flatten', [Raw([[1, [2, 3]], [[4]], 5])]), Case(U + 'decodeString', [Raw([104, 195, 169])],
                                                           js='tf.util.decodeString(new Uint8Array(a[0]))'),
]


def test_util_agrees_with_tfjs(oracle):
    assert_all_agree(run_cases(oracle, UTIL_CASES))


def test_util_typed_arrays_and_in_place_helpers():
    u = tf.util
    assert u.encodeString('hé').tolist() == [104, 195, 169]
    assert u.decodeString(u.encodeString('añb')) == 'añb'
    idx = u.createShuffledIndices(50)
    assert idx.dtype == np.uint32 and sorted(idx.tolist()) == list(range(50))
    a, b = list(range(20)), list(range(20))
    u.shuffleCombo(a, b)
    assert a == b and sorted(a) == list(range(20))
    with pytest.raises(tf.ValueError):
        u.shuffleCombo([1], [1, 2])
    c = [1, 2, 3]
    u.swap(c, 0, 2)
    assert c == [3, 2, 1]
    assert u.makeZerosTypedArray(3, 'int32').dtype == np.int32
    assert u.makeOnesTypedArray(2, 'complex64').tolist() == [1.0, 1.0]
    assert u.isTypedArray(np.zeros(2, np.float32)) and not u.isTypedArray([1.0])
    assert u.isFunction(len) and not u.isFunction(3)
    t0 = u.now()
    assert u.now() >= t0
    with pytest.raises(tf.ValueError, match='boom'):
        getattr(u, 'assert')(False, lambda: 'boom')
    assert u.size_from_shape([2, 2]) == 4


def test_util_fetch_file_url(tmp_path):
    path = tmp_path / 'x.json'
    path.write_text('{"a": 1}')
    r = tf.util.fetch(path.as_uri())
    assert r.ok and r.json() == {'a': 1}

    async def main():
        resp = await tf.util.fetch(path.as_uri())
        return await resp.text()
    assert asyncio.run(main()) == '{"a": 1}'
