"""TimeDistributed and Bidirectional against TF.js 4.22 (tests/layers/layer_parity.py):
outputs, gradients, weight names (`forward_<rnn>/kernel`..., the inner layer's weights in the
TimeDistributed scope), getConfig, masks; plus initial states, weight order and the
differences from TF.js that are deliberate (TimeDistributed accepts a new batch size)."""
import numpy as np
import pytest

import tfjs as tf
from cases_recurrent import nested
from layer_parity import check_layer

SIG = {'recurrentActivation': 'sigmoid'}


def _mask(batch, steps):
    m = np.ones([batch, steps], bool)
    m[1, -2:] = False
    m[2, 1] = False
    return m


CASES = [
    ('bidirectional', {'layer': nested('lstm', units=2, name='fw')}, [4, 3], {}),
    ('bidirectional', {'layer': nested('lstm', units=3, name='fw', returnSequences=True, **SIG)},
     [4, 2], {}),
    ('bidirectional', {'layer': nested('gru', units=2, name='fw', returnSequences=True),
                       'mergeMode': 'sum'}, [4, 3], {}),
    ('bidirectional', {'layer': nested('simpleRNN', units=3, name='fw'), 'mergeMode': 'mul'},
     [4, 2], {}),
    ('bidirectional', {'layer': nested('lstm', units=2, name='fw', returnSequences=True),
                       'mergeMode': 'ave'}, [5, 3], {}),
    ('bidirectional', {'layer': nested('gru', units=2, name='fw', returnSequences=True),
                       'mergeMode': None}, [4, 3], {}),
    ('bidirectional', {'layer': nested('lstm', units=2, name='fw', returnState=True)}, [4, 3], {}),
    ('bidirectional', {'layer': nested('gru', units=2, name='fw', returnState=True,
                                       returnSequences=True), 'mergeMode': None}, [4, 3], {}),
    ('bidirectional', {'layer': nested('simpleRNN', units=2, name='fw', goBackwards=True,
                                       returnSequences=True)}, [4, 3], {}),
    # masks: consumed by both directions and passed through with returnSequences
    ('bidirectional', {'layer': nested('lstm', units=2, name='fw', returnSequences=True)},
     [5, 3], {'mask': True}),
    ('bidirectional', {'layer': nested('gru', units=2, name='fw', returnState=True),
                       'mergeMode': 'sum'}, [5, 3], {'mask': True}),
    # initial states as extra inputs: forward states first, then backward ones
    ('bidirectional', {'layer': nested('lstm', units=2, name='fw')},
     [[4, 3], [2], [2], [2], [2]], {}),
    ('bidirectional', {'layer': nested('gru', units=3, name='fw', returnSequences=True),
                       'mergeMode': 'ave'}, [[4, 2], [3], [3]], {}),
    # TimeDistributed
    ('timeDistributed', {'layer': nested('dense', units=3, name='d')}, [4, 5], {}),
    ('timeDistributed', {'layer': nested('dense', units=2, name='d', activation='relu')},
     [3, 4, 5], {}),
    ('timeDistributed', {'layer': nested('flatten', name='f')}, [3, 2, 4], {}),
    ('timeDistributed', {'layer': nested('lstm', units=2, name='l')}, [3, 4, 2], {}),
    ('timeDistributed', {'layer': nested('dense', units=2, name='d')}, [4, 3], {'mask': True}),
    # BatchNormalization in training: TF.js normalizes every step over its own batch
    ('timeDistributed', {'layer': nested('batchNormalization', name='bn')}, [3, 4],
     {'kwargs': {'training': True}, 'batch': 5}),
]


def _ids():
    return [f'{i}-{c[0]}' for i, c in enumerate(CASES)]


@pytest.mark.parametrize('factory,config,shapes,opts', CASES, ids=_ids())
def test_wrapper_parity(oracle, factory, config, shapes, opts):
    batch = opts.get('batch', 3)
    kwargs, extra = dict(opts.get('kwargs', {})), {}
    if opts.get('mask'):
        steps = shapes[0][0] if isinstance(shapes[0], list) else shapes[0]
        mask = _mask(batch, steps)
        kwargs['mask'] = mask
        extra = {'check_mask': True, 'in_mask': mask}
    check_layer(oracle, factory, config, shapes, batch=batch, kwargs=kwargs, **extra)


def test_time_distributed_conv2d_parity(oracle):
    if not hasattr(tf.layers, 'conv2d'):
        pytest.skip('tf.layers.conv2d is built by another engineer and is not available yet')
    check_layer(oracle, 'timeDistributed',
                {'layer': nested('conv2d', filters=2, kernelSize=2, name='c')}, [3, 5, 5, 2])


def test_bidirectional_over_a_generic_rnn_layer(oracle):
    """TF.js 4.22 cannot wrap a generic `rnn` layer (its RNN.fromConfig replaces the `cell`
    entry of the shared config with the cell object, so building the backward copy throws);
    ours works and equals Bidirectional(LSTM) with the same weights, which TF.js runs."""
    err = oracle.eval(r"""
      try { tf.layers.bidirectional({layer: tf.layers.rnn({cell: tf.layers.lstmCell({units: 2})})});
            return null; } catch (e) { return e.message; }
    """)
    assert 'Improper config format' in err
    rs = np.random.RandomState(7)
    x = rs.randn(3, 4, 3).astype(np.float32)
    ours = tf.layers.bidirectional({'layer': tf.layers.rnn(
        {'cell': tf.layers.lstmCell({'units': 2}), 'returnSequences': True, 'name': 'fw'})})
    y = np.asarray(ours.apply(tf.tensor(x)))
    assert [w.originalName.split('/', 1)[1] for w in ours.weights][:3] == \
        ['forward_fw/kernel', 'forward_fw/recurrent_kernel', 'forward_fw/bias']
    theirs = oracle.eval(r"""
      const bi = tf.layers.bidirectional({layer: tf.layers.lstm({units: 2, returnSequences: true})});
      bi.apply(args.x);
      bi.setWeights(args.weights);
      return bi.apply(args.x);
    """, {'x': x, 'weights': [np.asarray(w) for w in ours.getWeights()]})
    np.testing.assert_allclose(y, theirs, rtol=1e-5, atol=1e-6)


def test_bidirectional_weights_are_forward_then_backward():
    bi = tf.layers.bidirectional({'layer': tf.layers.gru({'units': 2, 'name': 'g'})})
    bi.apply(tf.ones([1, 3, 4]))
    names = [w.originalName for w in bi.weights]
    assert names[:3] == [f'{bi.name}/forward_g/{n}' for n in ('kernel', 'recurrent_kernel', 'bias')]
    assert names[3:] == [f'{bi.name}/backward_g/{n}' for n in ('kernel', 'recurrent_kernel', 'bias')]
    values = [np.full(w.shape, i, np.float32) for i, w in enumerate(bi.weights)]
    bi.setWeights([tf.tensor(v) for v in values])
    for got, want in zip(bi.getWeights(), values):
        np.testing.assert_array_equal(np.asarray(got), want)
    assert bi.backwardLayer.goBackwards and not bi.forwardLayer.goBackwards
    assert bi.getConfig()['layer']['config']['name'] == 'g'


def test_bidirectional_in_a_functional_model_with_symbolic_states(oracle):
    """Symbolic initial states become extra inputs of the Bidirectional node; the model saves
    and loads, and predicts as TF.js does."""
    rs = np.random.RandomState(4)
    x = rs.randn(2, 4, 3).astype(np.float32)
    s = rs.randn(2, 5).astype(np.float32)
    inp = tf.input({'shape': [4, 3]})
    seed = tf.input({'shape': [5]})
    h = tf.layers.dense({'units': 2, 'name': 'h0'}).apply(seed)
    bi = tf.layers.bidirectional({'layer': tf.layers.gru({'units': 2, 'name': 'g'}),
                                  'name': 'bi'})
    out = bi.apply(inp, {'initialState': [h, h]})
    model = tf.model({'inputs': [inp, seed], 'outputs': out})
    y = np.asarray(model.predict([tf.tensor(x), tf.tensor(s)]))
    theirs = oracle.eval(r"""
      const inp = tf.input({shape: [4, 3]});
      const seed = tf.input({shape: [5]});
      const h = tf.layers.dense({units: 2, name: 'h0'}).apply(seed);
      const bi = tf.layers.bidirectional({layer: tf.layers.gru({units: 2, name: 'g'}), name: 'bi'});
      const model = tf.model({inputs: [inp, seed], outputs: bi.apply(inp, {initialState: [h, h]})});
      model.setWeights(args.weights);
      return model.predict([args.x, args.s]);
    """, {'x': x, 's': s, 'weights': [np.asarray(w) for w in model.getWeights()]})
    np.testing.assert_allclose(y, theirs, rtol=1e-5, atol=1e-6)
    again = tf.models.modelFromJSON({'modelTopology': model.toJSON(None, False)})
    again.setWeights(model.getWeights())
    np.testing.assert_allclose(np.asarray(again.predict([tf.tensor(x), tf.tensor(s)])), y,
                               rtol=1e-6)


def test_time_distributed_accepts_a_new_batch_size(oracle):
    """TF.js pins the batch size of the first call (its inputSpec keeps the whole shape, so a
    later batch of another size throws); Keras does not, and neither do we."""
    err = oracle.eval(r"""
      const t = tf.layers.timeDistributed({layer: tf.layers.dense({units: 2})});
      t.apply(tf.ones([2, 4, 5]));
      try { t.apply(tf.ones([3, 4, 5])); return null; } catch (e) { return e.message; }
    """)
    assert 'incompatible' in err
    td = tf.layers.timeDistributed({'layer': tf.layers.dense({'units': 2})})
    td.apply(tf.ones([2, 4, 5]))
    assert td.apply(tf.ones([3, 4, 5])).shape == [3, 4, 2]


def test_wrapper_trainability_and_losses():
    dense = tf.layers.dense({'units': 2, 'kernelRegularizer': 'l2'})
    td = tf.layers.timeDistributed({'layer': dense})
    td.apply(tf.ones([1, 3, 4]))
    assert len(td.trainableWeights) == 2 and len(td.losses) == 1
    td.trainable = False
    assert not dense.trainable and td.trainableWeights == [] and len(td.nonTrainableWeights) == 2
    bi = tf.layers.bidirectional({'layer': tf.layers.lstm({'units': 2,
                                                           'kernelRegularizer': 'l2'})})
    bi.apply(tf.ones([1, 3, 4]))
    assert len(bi.losses) == 2 and len(bi.calculateLosses()) == 2
    bi.trainable = False
    assert bi.trainableWeights == [] and len(bi.nonTrainableWeights) == 6
    assert bi.getConfig()['trainable'] is False


def test_bidirectional_rejects_what_tfjs_rejects():
    with pytest.raises(Exception, match='Invalid BidirectionalMergeMode'):
        tf.layers.bidirectional({'layer': tf.layers.lstm({'units': 2}), 'mergeMode': 'max'})
    with pytest.raises(Exception, match='weights support is not implemented'):
        tf.layers.bidirectional({'layer': tf.layers.lstm({'units': 2}), 'weights': [1]})
    with pytest.raises(Exception, match='needs an RNN layer'):
        tf.layers.bidirectional({'layer': tf.layers.dense({'units': 2})})
