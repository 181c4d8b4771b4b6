"""match_weights: TF.js's loadWeights name matching, its fallbacks, and its strict errors."""
import pytest

import tfjs as tf
from tfjs.engine.variables import LayerVariable
from tfjs.errors import ValueError as TfjsValueError
from tfjs.io.weights import match_weights


def _var(name, shape=(2,), dtype='float32'):
    return LayerVariable(tf.zeros(list(shape), dtype), dtype, name)


def _names(pairs):
    return [(v.originalName, t.shape) for v, t in pairs]


def test_exact_names_in_model_order():
    a, b = _var('dense/kernel', (3, 2)), _var('dense/bias')
    pairs = match_weights([a, b], {'dense/bias': tf.ones([2]), 'dense/kernel': tf.ones([3, 2])})
    assert [v for v, _ in pairs] == [a, b]


def test_colon_zero_suffix():
    a = _var('dense/kernel')
    pairs = match_weights([a], {'dense/kernel:0': tf.ones([2])})
    assert pairs[0][0] is a


def test_tf22_cell_name_fallback():
    k, r, b = _var('lstm/kernel'), _var('lstm/recurrent_kernel'), _var('lstm/bias')
    incoming = {'lstm/lstm_cell/kernel': tf.ones([2]), 'lstm/lstm_cell/recurrent_kernel:0':
                tf.ones([2]), 'lstm/lstm_cell/bias': tf.ones([2])}
    assert [v for v, _ in match_weights([k, r, b], incoming)] == [k, r, b]
    fw = _var('bidi/forward_lstm/kernel')
    pairs = match_weights([fw], {'bidi/forward_lstm/lstm_cell/kernel': tf.ones([2])})
    assert pairs[0][0] is fw


def test_suffix_1_fallback_both_directions():
    v = _var('conv2d_10/kernel')
    assert match_weights([v], {'conv2d_10_1/kernel': tf.ones([2])})[0][0] is v
    w = _var('conv2d_10_1/kernel')
    assert match_weights([w], {'conv2d_10/kernel': tf.ones([2])})[0][0] is w
    lstm = _var('lstm_3/kernel')
    assert match_weights([lstm], {'lstm_3_1/lstm_cell_3/kernel:0': tf.ones([2])})[0][0] is lstm


def test_fallback_never_steals_an_exact_match():
    d, d1 = _var('dense/kernel'), _var('dense_1/kernel')
    one, two = tf.ones([2]), tf.fill([2], 2)
    pairs = match_weights([d, d1], {'dense_1/kernel': two, 'dense/kernel': one})
    assert dict((v.originalName, t) for v, t in pairs) == {'dense/kernel': one,
                                                           'dense_1/kernel': two}


def test_strict_lists_unmatched_and_missing_with_hint():
    a, b = _var('dense/kernel'), _var('dense/bias')
    with pytest.raises(TfjsValueError) as e:
        match_weights([a, b], {'dense/kernel': tf.ones([2]), 'other/gamma': tf.ones([2])},
                      True, 'my_model')
    msg = str(e.value)
    assert 'my_model' in msg
    assert 'Provided weight data has no target variable: other/gamma' in msg
    assert '1 of 2 weights are not set: dense/bias' in msg
    assert 'strict: false' in msg


def test_strict_missing_only_and_extra_only():
    a = _var('a/k')
    with pytest.raises(TfjsValueError, match=r'1 of 1 weights are not set: a/k'):
        match_weights([a], {})
    with pytest.raises(TfjsValueError, match=r'no target variable: b/k'):
        match_weights([a], {'a/k': tf.ones([2]), 'b/k': tf.ones([2])})


def test_non_strict_ignores_extra_and_missing():
    a, b = _var('dense/kernel'), _var('dense/bias')
    pairs = match_weights([a, b], {'dense/kernel': tf.ones([2]), 'x/y': tf.ones([5])}, False)
    assert [v for v, _ in pairs] == [a]


@pytest.mark.parametrize('strict', [True, False])
def test_shape_mismatch_names_weight_and_shapes(strict):
    a, b = _var('dense/kernel', (3, 2)), _var('dense/bias')
    with pytest.raises(TfjsValueError) as e:
        match_weights([a, b], {'dense/kernel': tf.ones([4, 2]), 'dense/bias': tf.ones([2])},
                      strict, 'm')
    msg = str(e.value)
    assert "'dense/kernel' expects shape [3, 2]" in msg and 'has shape [4, 2]' in msg
    assert 'dense/bias' not in msg


def test_dtype_mismatch():
    a = _var('emb/table', (2,), 'int32')
    with pytest.raises(TfjsValueError, match=r"'emb/table' has dtype int32.*dtype float32"):
        match_weights([a], {'emb/table': tf.ones([2])})


def test_duplicate_model_weight_names():
    a = _var('dup/kernel')
    b = _var('dup/kernel')
    assert a.originalName == b.originalName
    with pytest.raises(TfjsValueError, match='Duplicate weight name: dup/kernel'):
        match_weights([a, b], {})


def test_validates_everything_before_returning():
    """A bad last weight raises before any pair is handed back, so nothing is half-applied."""
    vs = [_var(f'l{i}/k') for i in range(5)]
    incoming = {f'l{i}/k': tf.fill([2], i) for i in range(5)}
    incoming['l4/k'] = tf.ones([3])
    with pytest.raises(TfjsValueError, match=r"'l4/k'"):
        match_weights(vs, incoming)
    assert all(v.read().arraySync() == [0.0, 0.0] for v in vs)


def test_plain_values_are_converted():
    import numpy as np
    a, b = _var('d/k', (2, 2)), _var('d/i', (2,), 'int32')
    pairs = match_weights([a, b], {'d/k': [[1, 2], [3, 4]], 'd/i': np.array([5, 6])})
    assert pairs[0][1].dtype == 'float32' and pairs[0][1].arraySync() == [[1, 2], [3, 4]]
    assert pairs[1][1].dtype == 'int32' and pairs[1][1].arraySync() == [5, 6]
