"""Recurrent layers against TF.js 4.22: outputs, input/weight gradients through time, weight
names and shapes, getConfig, masks (tests/layers/layer_parity.py), plus stateful layers,
symbolic initial states, deterministic dropout (TF.js's `dropoutFunc` hook) and dropout
statistics.

Both of our execution paths are covered: TF.js's default `recurrentActivation: 'hardSigmoid'`
runs the exact step loop; `tanh` + `sigmoid` without mask runs PyTorch's fused kernel (the
cases marked FUSED below); `test_fused_and_loop_paths_agree` compares the two directly.
"""
import numpy as np
import pytest

import tfjs as tf
from cases_recurrent import nested
from layer_parity import check_layer
from tfjs.layers import _rnn_kernels

SIG = {'recurrentActivation': 'sigmoid'}


def _mask(batch, steps, seed=1):
    rs = np.random.RandomState(seed)
    m = rs.rand(batch, steps) > 0.35
    m[:, 0] = True
    m[0, :] = True
    m[1, -2:] = False         # a padded tail, as from post-padding
    return m


CASES = [
    # SimpleRNN (tanh: FUSED; relu/sigmoid: loop)
    ('simpleRNN', {'units': 3}, [4, 5], {}),
    ('simpleRNN', {'units': 2, 'returnSequences': True, 'activation': 'relu'}, [5, 3], {}),
    ('simpleRNN', {'units': 3, 'goBackwards': True, 'returnSequences': True}, [4, 2], {}),
    ('simpleRNN', {'units': 3, 'returnState': True, 'useBias': False}, [3, 4], {}),
    ('simpleRNN', {'units': 4, 'activation': 'sigmoid', 'kernelInitializer': 'heNormal',
                   'recurrentInitializer': 'glorotUniform', 'biasInitializer': 'ones'}, [3, 2], {}),
    ('simpleRNN', {'units': 2, 'kernelRegularizer': {'className': 'L1L2',
                                                     'config': {'l1': 0.01, 'l2': 0.02}},
                   'recurrentConstraint': {'className': 'MaxNorm',
                                           'config': {'maxValue': 2, 'axis': 0}},
                   'dropout': 0.3, 'recurrentDropout': 0.1}, [3, 2], {}),
    # GRU (TF.js's resetAfter: false, never fused)
    ('gru', {'units': 3}, [4, 5], {}),
    ('gru', {'units': 2, 'returnSequences': True, **SIG}, [5, 3], {}),
    ('gru', {'units': 3, 'goBackwards': True, 'returnState': True}, [4, 2], {}),
    ('gru', {'units': 2, 'useBias': False, 'activation': 'relu', 'returnSequences': True},
     [3, 3], {}),
    ('gru', {'units': 3, 'implementation': 1, 'biasInitializer': 'randomNormal'}, [4, 2], {}),
    ('gru', {'units': 2, 'recurrentActivation': 'tanh', 'activation': 'softsign'}, [3, 2], {}),
    # LSTM (hardSigmoid: loop; sigmoid: FUSED)
    ('lstm', {'units': 3}, [4, 5], {}),
    ('lstm', {'units': 3, **SIG}, [4, 5], {}),
    ('lstm', {'units': 3, 'returnSequences': True, 'goBackwards': True, **SIG}, [5, 2], {}),
    ('lstm', {'units': 2, 'returnState': True, 'returnSequences': True}, [4, 3], {}),
    ('lstm', {'units': 4, 'unitForgetBias': True, 'biasInitializer': 'randomUniform'}, [3, 2], {}),
    ('lstm', {'units': 2, 'useBias': False, 'returnState': True, **SIG}, [4, 3], {}),
    ('lstm', {'units': 3, 'activation': 'relu', **SIG}, [4, 2], {}),
    ('lstm', {'units': 2, 'implementation': 2, 'unroll': True}, [3, 2], {}),
    # masks: the step loop even for tanh/sigmoid; masked steps keep output and states
    ('lstm', {'units': 3, 'returnSequences': True}, [6, 2], {'mask': True}),
    ('lstm', {'units': 3, 'returnState': True, **SIG}, [6, 2], {'mask': True}),
    ('gru', {'units': 2, 'returnSequences': True, 'goBackwards': True}, [6, 3], {'mask': True}),
    ('simpleRNN', {'units': 2, 'returnSequences': True, 'returnState': True}, [6, 2],
     {'mask': True}),
    # initial states as extra inputs [x, *states] (gradients flow into them)
    ('lstm', {'units': 2}, [[4, 3], [2], [2]], {}),
    ('lstm', {'units': 2, 'returnSequences': True, **SIG}, [[4, 3], [2], [2]], {}),
    ('gru', {'units': 3, 'returnSequences': True}, [[4, 2], [3]], {}),
    ('simpleRNN', {'units': 2, 'goBackwards': True}, [[4, 3], [2]], {}),
    # the generic RNN layer over cells
    ('rnn', {'cell': nested('simpleRNNCell', units=3, name='c1')}, [4, 2], {}),
    ('rnn', {'cell': nested('lstmCell', units=2, name='c1'), 'returnSequences': True}, [4, 3], {}),
    ('rnn', {'cell': nested('gruCell', units=2, name='c1', recurrentActivation='sigmoid'),
             'returnState': True, 'goBackwards': True}, [4, 3], {}),
    ('rnn', {'cell': nested('stackedRNNCells', name='stack',
                            cells=[nested('lstmCell', units=3, name='c1'),
                                   nested('simpleRNNCell', units=2, name='c2')]),
             'returnSequences': True}, [4, 3], {}),
    ('rnn', {'cell': nested('stackedRNNCells', name='stack',
                            cells=[nested('gruCell', units=2, name='c1'),
                                   nested('lstmCell', units=3, name='c2', **SIG)]),
             'returnState': True}, [4, 3], {}),
    ('rnn', {'cell': nested('stackedRNNCells', name='stack',
                            cells=[nested('lstmCell', units=2, name='c1'),
                                   nested('lstmCell', units=2, name='c2')]),
             'returnSequences': True}, [5, 3], {'mask': True}),
    # a long sequence: gradients through 60 steps (still within 1e-5)
    ('lstm', {'units': 8, 'returnSequences': True, **SIG}, [60, 6], {'batch': 4}),
    ('gru', {'units': 8}, [60, 6], {'batch': 4}),
    # ConvLSTM2D
    ('convLstm2d', {'filters': 2, 'kernelSize': 3}, [3, 5, 5, 2], {}),
    ('convLstm2d', {'filters': 2, 'kernelSize': 2, 'padding': 'same', 'returnSequences': True},
     [3, 4, 4, 1], {}),
    ('convLstm2d', {'filters': 3, 'kernelSize': [3, 2], 'strides': 2, 'returnState': True},
     [2, 6, 5, 2], {}),
    # TF.js 4.22 cannot differentiate conv2d with dilation > 1: values only
    ('convLstm2d', {'filters': 2, 'kernelSize': 3, 'dilationRate': 2, 'padding': 'same'},
     [2, 6, 6, 1], {'gradients': False}),
    ('convLstm2d', {'filters': 2, 'kernelSize': 3, 'dataFormat': 'channelsFirst',
                    'returnSequences': True}, [3, 2, 5, 5], {}),
    ('convLstm2d', {'filters': 2, 'kernelSize': 3, 'padding': 'same', 'goBackwards': True,
                    'unitForgetBias': True, **SIG}, [3, 4, 4, 2], {}),
]


def _ids():
    return [f'{i}-{c[0]}' for i, c in enumerate(CASES)]


@pytest.mark.parametrize('factory,config,shapes,opts', CASES, ids=_ids())
def test_recurrent_layer_parity(oracle, factory, config, shapes, opts):
    batch = opts.get('batch', 3)
    kwargs, extra = {}, {}
    if opts.get('mask'):
        mask = _mask(batch, shapes[0])
        kwargs['mask'] = mask
        extra = {'check_mask': True, 'in_mask': mask}
    check_layer(oracle, factory, config, shapes, batch=batch, kwargs=kwargs,
                gradients=opts.get('gradients', True), rtol=opts.get('rtol', 1e-5),
                atol=opts.get('atol', 1e-6), **extra)


def test_fused_and_loop_paths_agree(monkeypatch):
    """The fused PyTorch kernels and the step loop compute the same values and gradients."""
    rs = np.random.RandomState(0)
    x = tf.tensor(rs.randn(3, 7, 4).astype(np.float32))
    for factory, config in [('lstm', {'units': 5, **SIG}), ('simpleRNN', {'units': 5}),
                            ('gru', {'units': 5, 'resetAfter': True, **SIG})]:
        for extra in [{}, {'goBackwards': True, 'returnSequences': True},
                      {'returnState': True}]:
            layer = getattr(tf.layers, factory)({**config, **extra,
                                                 'biasInitializer': 'randomNormal'})

            def run():
                def f(inp):
                    outs = layer.apply(inp)
                    outs = outs if isinstance(outs, list) else [outs]
                    return tf.addN([tf.sum(tf.mul(o, o)) for o in outs])
                grads = tf.variableGrads(lambda: f(x), [w.read() for w in layer.trainableWeights])
                outs = layer.apply(x)
                outs = outs if isinstance(outs, list) else [outs]
                return [np.asarray(o) for o in outs] + \
                    [np.asarray(g) for g in grads['grads'].values()] + [np.asarray(tf.grad(f)(x))]
            layer.apply(x)
            monkeypatch.setattr(_rnn_kernels, 'USE_FUSED_KERNELS', True)
            fused = run()
            monkeypatch.setattr(_rnn_kernels, 'USE_FUSED_KERNELS', False)
            loop = run()
            for a, b in zip(fused, loop):
                np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


# ----------------------------------------------------------------------- stateful layers
STATEFUL_JS = r"""
const layer = tf.layers[args.factory](Object.assign({}, args.config,
    {stateful: true, batchInputShape: args.batchInputShape}));
const model = tf.sequential({layers: [layer]});
model.setWeights(args.weights);
const outs = [];
outs.push(model.predict(args.x1));
outs.push(model.predict(args.x2));
model.resetStates();
outs.push(model.predict(args.x1));
layer.resetStates(args.states);
outs.push(model.predict(args.x2));
return {outs, states: layer.states};
"""


@pytest.mark.parametrize('factory,config', [
    ('lstm', {'units': 3, 'returnSequences': True}),
    ('gru', {'units': 2}),
    ('simpleRNN', {'units': 3}),
    ('lstm', {'units': 2, 'goBackwards': True, **SIG}),
    ('convLstm2d', {'filters': 2, 'kernelSize': 2, 'padding': 'same'}),
])
def test_stateful_layers_carry_states_across_calls(oracle, factory, config):
    rs = np.random.RandomState(3)
    conv = factory == 'convLstm2d'
    batch_shape = [2, 3, 4, 4, 1] if conv else [2, 3, 4]
    x1 = rs.randn(*batch_shape).astype(np.float32)
    x2 = rs.randn(*batch_shape).astype(np.float32)
    layer = getattr(tf.layers, factory)({**config, 'stateful': True,
                                         'batchInputShape': batch_shape})
    model = tf.sequential({'layers': [layer]})
    weights = [np.asarray(w) for w in model.getWeights()]
    state_shape = [2, 4, 4, 2] if conv else [2, config['units']]
    n_states = len(layer.states)
    states = [rs.randn(*state_shape).astype(np.float32) for _ in range(n_states)]
    outs = [np.asarray(model.predict(tf.tensor(x1))), np.asarray(model.predict(tf.tensor(x2)))]
    model.resetStates()
    outs.append(np.asarray(model.predict(tf.tensor(x1))))
    layer.resetStates([tf.tensor(s) for s in states])
    outs.append(np.asarray(model.predict(tf.tensor(x2))))
    theirs = oracle.eval(STATEFUL_JS, {'factory': factory, 'config': config, 'x1': x1, 'x2': x2,
                                       'batchInputShape': batch_shape, 'weights': weights,
                                       'states': states})
    assert not np.allclose(outs[0], outs[1])
    np.testing.assert_allclose(outs[0], outs[2], rtol=1e-6)
    for ours, js in zip(outs, theirs['outs']):
        np.testing.assert_allclose(ours, js, rtol=1e-5, atol=1e-6)
    for ours, js in zip(layer.states, theirs['states']):
        np.testing.assert_allclose(np.asarray(ours), js, rtol=1e-5, atol=1e-6)


def test_stateful_errors_match_tfjs(oracle):
    theirs = oracle.eval(r"""
      const out = {};
      try { tf.layers.lstm({units: 2}).resetStates(); } catch (e) { out.notStateful = e.message; }
      const l = tf.layers.lstm({units: 2, stateful: true});
      try { l.apply(tf.input({shape: [3, 4]})); } catch (e) { out.noBatch = e.message; }
      return out;
    """)
    with pytest.raises(Exception) as e:
        tf.layers.lstm({'units': 2}).resetStates()
    assert str(e.value) == theirs['notStateful']
    with pytest.raises(Exception) as e:
        tf.layers.lstm({'units': 2, 'stateful': True}).apply(tf.input({'shape': [3, 4]}))
    assert 'needs to know its batch size' in theirs['noBatch']
    assert 'needs to know its batch size' in str(e.value)
    layer = tf.layers.lstm({'units': 2, 'stateful': True, 'batchInputShape': [2, 3, 4]})
    layer.apply(tf.ones([2, 3, 4]))
    with pytest.raises(Exception, match='expected shape=\\[2, 2\\]'):
        layer.resetStates([tf.ones([3, 2]), tf.ones([3, 2])])


# ------------------------------------------------------ symbolic initial states in a model
INITIAL_STATE_JS = r"""
const in1 = tf.input({shape: [5]});
const out1 = tf.layers.dense({units: 2, kernelInitializer: 'ones', biasInitializer: 'zeros'}).apply(in1);
const in2 = tf.input({shape: [3, 4]});
const out2 = tf.layers.gru({units: 2, recurrentInitializer: 'ones', kernelInitializer: 'ones',
                            biasInitializer: 'zeros'}).apply(in2, {initialState: out1});
const model = tf.model({inputs: [in1, in2], outputs: [out1, out2]});
return model.predict([args.x1, args.x2]);
"""


def test_symbolic_initial_state_in_a_model_saves_and_loads(oracle):
    """TF.js's own test: GRU with a Dense output as its initial state, then a JSON round trip."""
    x1 = np.array([[0.1, 0.2, 0.3, 0.4, 0.5]], np.float32)
    x2 = np.array([[[0.1, 0.2, 0.3, 0.4], [-0.1, -0.2, -0.3, -0.4], [0.3, 0.4, 0.5, 0.6]]],
                  np.float32)
    in1 = tf.input({'shape': [5]})
    out1 = tf.layers.dense({'units': 2, 'kernelInitializer': 'ones',
                            'biasInitializer': 'zeros'}).apply(in1)
    in2 = tf.input({'shape': [3, 4]})
    out2 = tf.layers.gru({'units': 2, 'recurrentInitializer': 'ones', 'kernelInitializer': 'ones',
                          'biasInitializer': 'zeros'}).apply(in2, {'initialState': out1})
    model = tf.model({'inputs': [in1, in2], 'outputs': [out1, out2]})
    ys = [np.asarray(y) for y in model.predict([tf.tensor(x1), tf.tensor(x2)])]
    theirs = oracle.eval(INITIAL_STATE_JS, {'x1': x1, 'x2': x2})
    np.testing.assert_allclose(ys[1], [[1.4435408, 1.4435408]], rtol=1e-5)   # Keras's value
    for a, b in zip(ys, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-5)
    again = tf.models.modelFromJSON({'modelTopology': model.toJSON(None, False)})
    again.setWeights(model.getWeights())
    for a, b in zip(ys, again.predict([tf.tensor(x1), tf.tensor(x2)])):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-6)


# ------------------------------------------------------------------------------- dropout
DROPOUT_JS = r"""
const pick = (ones, rate) => tf.mul(ones, ones.shape[ones.shape.length - 1] === args.inDim
    ? args.inMask : args.recMask);
const layer = tf.layers[args.factory](Object.assign({}, args.config, {dropoutFunc: pick}));
layer.apply(args.x);
layer.setWeights(args.weights);
const train = layer.apply(args.x, {training: true});
const infer = layer.apply(args.x);
const g = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(args.x, {training: true}), args.r)),
                           layer.trainableWeights.map(w => w.val));
return {train, infer, grads: layer.trainableWeights.map(w => g.grads[w.val.name])};
"""


@pytest.mark.parametrize('factory,config', [
    ('simpleRNN', {'units': 3, 'dropout': 0.5, 'recurrentDropout': 0.4}),
    ('gru', {'units': 3, 'dropout': 0.5, 'recurrentDropout': 0.4, 'returnSequences': True}),
    ('lstm', {'units': 3, 'dropout': 0.5, 'recurrentDropout': 0.4}),
    ('lstm', {'units': 3, 'dropout': 0.3, **SIG}),       # input dropout keeps the fused kernel
    ('convLstm2d', {'filters': 3, 'kernelSize': 2, 'padding': 'same', 'dropout': 0.5,
                    'recurrentDropout': 0.4}),
])
def test_dropout_with_fixed_masks_matches_tfjs(oracle, factory, config):
    """TF.js's `dropoutFunc` test hook fixes the masks, so training-mode dropout compares
    exactly: where the masks apply (inputs, recurrent state) and how they scale."""
    rs = np.random.RandomState(5)
    conv = factory == 'convLstm2d'
    x = rs.randn(*([2, 4, 3, 3, 2] if conv else [2, 4, 2])).astype(np.float32)
    units = config.get('units', config.get('filters'))
    in_mask = (rs.rand(*x.shape[:1], *x.shape[2:]) > 0.5).astype(np.float32) * 2
    rec_mask = (rs.rand(*(([2, 3, 3] if conv else [2]) + [units])) > 0.4).astype(np.float32) / 0.6

    def pick(ones, rate):
        return tf.mul(ones, tf.tensor(in_mask if ones.shape[-1] == x.shape[-1] else rec_mask))
    layer = getattr(tf.layers, factory)({**config, 'dropoutFunc': pick})
    layer.apply(tf.tensor(x))
    train = np.asarray(layer.apply(tf.tensor(x), {'training': True}))
    infer = np.asarray(layer.apply(tf.tensor(x)))
    r = rs.randn(*train.shape).astype(np.float32)
    grads = tf.variableGrads(lambda: tf.sum(tf.mul(layer.apply(tf.tensor(x), {'training': True}),
                                                   tf.tensor(r))),
                             [w.read() for w in layer.trainableWeights])['grads']
    theirs = oracle.eval(DROPOUT_JS, {'factory': factory, 'config': config, 'x': x, 'r': r,
                                      'inDim': int(x.shape[-1]), 'inMask': in_mask,
                                      'recMask': rec_mask,
                                      'weights': [np.asarray(w) for w in layer.getWeights()]})
    assert not np.allclose(train, infer)
    np.testing.assert_allclose(train, theirs['train'], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(infer, theirs['infer'], rtol=1e-5, atol=1e-6)
    for ours, js in zip(grads.values(), theirs['grads']):
        np.testing.assert_allclose(np.asarray(ours), js, rtol=1e-5, atol=1e-6)


STATS_JS = r"""
const layer = tf.layers.simpleRNN(args.config);
const x = tf.ones([args.batch, args.steps, args.features]);
layer.apply(x);
layer.setWeights(args.weights);
const y = layer.apply(x, {training: true});
return {mean: tf.mean(y), variance: tf.moments(y).variance, zeros: tf.mean(tf.cast(tf.equal(y, 0), 'float32'))};
"""


def test_random_dropout_statistics_match_tfjs(oracle):
    """Real (random) dropout: same output distribution as TF.js, and a fresh mask per call."""
    config = {'units': 1, 'activation': 'linear', 'dropout': 0.25, 'recurrentDropout': 0.5,
              'useBias': False}
    batch, steps, features = 4000, 1, 8
    layer = tf.layers.simpleRNN(config)
    x = tf.ones([batch, steps, features])
    layer.apply(x)
    weights = [np.ones([features, 1], np.float32), np.ones([1, 1], np.float32)]
    layer.setWeights([tf.tensor(w) for w in weights])
    y = np.asarray(layer.apply(x, {'training': True}))
    theirs = oracle.eval(STATS_JS, {'config': config, 'batch': batch, 'steps': steps,
                                    'features': features, 'weights': weights})
    # each output is 8 Bernoulli(0.75) inputs scaled by 1/0.75: mean 8, variance 8 / 3
    assert abs(y.mean() - 8) < 0.15 and abs(float(theirs['mean']) - 8) < 0.15
    assert abs(y.var() - 8 / 3) < 0.25 and abs(float(theirs['variance']) - 8 / 3) < 0.25
    assert abs((y == 0).mean() - float(theirs['zeros'])) < 0.01
    again = np.asarray(layer.apply(x, {'training': True}))
    assert not np.array_equal(y, again)
    np.testing.assert_array_equal(np.asarray(layer.apply(x)), np.full([batch, 1], 8.0, np.float32))


# --------------------------------------------------------- configs, errors, serialization
def test_default_configs_match_tfjs(oracle):
    theirs = oracle.eval(r"""
      const names = ['simpleRNN', 'gru', 'lstm'];
      const out = {};
      for (const n of names) { out[n] = tf.layers[n]({units: 2, name: 'x'}).getConfig(); }
      out.convLstm2d = tf.layers.convLstm2d({filters: 2, kernelSize: 3, name: 'x'}).getConfig();
      out.cell = tf.layers.rnn({cell: tf.layers.lstmCell({units: 2, name: 'c'}), name: 'x'}).getConfig();
      return JSON.parse(JSON.stringify(out, (k, v) => v === undefined ? null : v));
    """)
    from layer_parity import _json_like
    for name in ['simpleRNN', 'gru', 'lstm']:
        assert _json_like(getattr(tf.layers, name)({'units': 2, 'name': 'x'}).getConfig()) == \
            _json_like(theirs[name])
    assert _json_like(tf.layers.convLstm2d({'filters': 2, 'kernelSize': 3, 'name': 'x'})
                      .getConfig()) == _json_like(theirs['convLstm2d'])
    ours = tf.layers.rnn({'cell': tf.layers.lstmCell({'units': 2, 'name': 'c'}), 'name': 'x'})
    assert _json_like(ours.getConfig()) == _json_like(theirs['cell'])
    assert list(ours.getConfig()) == list(theirs['cell'])     # key order, for identical JSON


def test_config_key_order_matches_tfjs(oracle):
    """Same keys in the same order (model.json text is then identical)."""
    theirs = oracle.eval(r"""
      return [
        tf.layers.lstm({units: 2, inputShape: [3, 4], name: 'x'}),
        tf.layers.gru({units: 2, batchInputShape: [5, 3, 4], dtype: 'float32', name: 'x'}),
        tf.layers.bidirectional({layer: tf.layers.lstm({units: 2}), inputShape: [3, 4]}),
        tf.layers.timeDistributed({layer: tf.layers.dense({units: 2}), inputShape: [3, 4]}),
        tf.layers.convLstm2d({filters: 2, kernelSize: 2, inputShape: [3, 4, 4, 2]}),
        tf.layers.rnn({cell: [tf.layers.lstmCell({units: 2})], inputShape: [3, 4]}),
      ].map(l => Object.keys(l.getConfig()));
    """)
    ours = [
        tf.layers.lstm({'units': 2, 'inputShape': [3, 4], 'name': 'x'}),
        tf.layers.gru({'units': 2, 'batchInputShape': [5, 3, 4], 'dtype': 'float32', 'name': 'x'}),
        tf.layers.bidirectional({'layer': tf.layers.lstm({'units': 2}), 'inputShape': [3, 4]}),
        tf.layers.timeDistributed({'layer': tf.layers.dense({'units': 2}), 'inputShape': [3, 4]}),
        tf.layers.convLstm2d({'filters': 2, 'kernelSize': 2, 'inputShape': [3, 4, 4, 2]}),
        tf.layers.rnn({'cell': [tf.layers.lstmCell({'units': 2})], 'inputShape': [3, 4]}),
    ]
    assert [list(layer.getConfig()) for layer in ours] == theirs


def test_auto_names_match_tfjs_naming(oracle):
    theirs = oracle.eval(r"""
      return [tf.layers.lstm({units: 1}).name, tf.layers.convLstm2d({filters: 1, kernelSize: 1}).name,
              tf.layers.simpleRNNCell({units: 1}).name, tf.layers.stackedRNNCells({cells: [tf.layers.gruCell({units: 1})]}).name];
    """)
    ours = [tf.layers.lstm({'units': 1}).name,
            tf.layers.convLstm2d({'filters': 1, 'kernelSize': 1}).name,
            tf.layers.simpleRNNCell({'units': 1}).name,
            tf.layers.stackedRNNCells({'cells': [tf.layers.gruCell({'units': 1})]}).name]
    strip = [n.rstrip('0123456789') for n in theirs]
    assert [n.rstrip('0123456789') for n in ours] == strip


def test_errors_match_tfjs(oracle):
    theirs = oracle.eval(r"""
      const out = {};
      const tryIt = (k, f) => { try { f(); out[k] = null; } catch (e) { out[k] = e.message; } };
      tryIt('units', () => tf.layers.lstm({units: 0}));
      tryIt('rank', () => tf.layers.lstm({units: 2}).apply(tf.ones([2, 3])));
      tryIt('spec', () => tf.layers.lstm({units: 2}).apply(tf.ones([2, 3, 4]), {initialState: [tf.zeros([2, 2])]}));
      const built = tf.layers.lstm({units: 2});
      built.apply(tf.ones([2, 3, 4]));
      tryIt('states', () => built.apply(tf.ones([2, 3, 4]), {initialState: [tf.zeros([2, 2])]}));
      tryIt('unroll', () => tf.layers.convLstm2d({filters: 2, kernelSize: 2, unroll: true}));
      tryIt('cell', () => tf.layers.rnn({}));
      return out;
    """)
    assert all(v is not None for v in theirs.values())
    with pytest.raises(Exception, match='units'):
        tf.layers.lstm({'units': 0})
    with pytest.raises(Exception, match='ndim=3'):
        tf.layers.lstm({'units': 2}).apply(tf.ones([2, 3]))
    with pytest.raises(Exception, match='not compatible with cell.stateSize'):
        tf.layers.lstm({'units': 2}).apply(tf.ones([2, 3, 4]), {'initialState': [tf.zeros([2, 2])]})
    assert 'not compatible with cell.stateSize' in theirs['spec']
    built = tf.layers.lstm({'units': 2})
    built.apply(tf.ones([2, 3, 4]))
    with pytest.raises(Exception) as e:
        built.apply(tf.ones([2, 3, 4]), {'initialState': [tf.zeros([2, 2])]})
    assert str(e.value) == theirs['states']
    with pytest.raises(Exception, match='Unrolling is not possible'):
        tf.layers.convLstm2d({'filters': 2, 'kernelSize': 2, 'unroll': True})
    with pytest.raises(Exception, match='cell property is missing'):
        tf.layers.rnn({})


def test_gru_reset_after_goes_past_tfjs(oracle):
    """TF.js throws for resetAfter: true; we implement it (checked against Keras elsewhere)."""
    err = oracle.eval("try { tf.layers.gru({units: 2, resetAfter: true}); return null; } "
                      "catch (e) { return e.message; }")
    assert 'reset_after' in err
    layer = tf.layers.gru({'units': 2, 'resetAfter': True})
    assert layer.apply(tf.ones([1, 3, 2])).shape == [1, 2]
    assert [w.shape for w in layer.weights] == [[2, 6], [2, 6], [2, 6]]


def test_cell_regularizers_count_in_the_model_loss():
    """TF.js drops an RNN cell's weight regularizers from the training loss (they live on the
    cell, outside model.layers); Keras counts them, and so do we."""
    layer = tf.layers.lstm({'units': 2, 'inputShape': [3, 4], 'kernelInitializer': 'ones',
                            'kernelRegularizer': tf.regularizers.l2({'l2': 0.5})})
    model = tf.sequential({'layers': [layer]})
    model.compile({'optimizer': 'sgd', 'loss': 'meanSquaredError'})
    x, y = tf.ones([2, 3, 4]), tf.zeros([2, 2])
    total = float(np.asarray(model.evaluate(x, y)))
    mse = float(np.mean(np.asarray(model.predict(x)) ** 2))
    assert abs(total - mse - 0.5 * 4 * 8) < 1e-3
    assert len(layer.losses) == 1


def test_masking_layer_feeds_an_lstm_in_a_model(oracle):
    if not hasattr(tf.layers, 'masking'):
        pytest.skip('tf.layers.masking is built by another engineer and is not available yet')
    rs = np.random.RandomState(2)
    x = rs.randn(3, 5, 2).astype(np.float32)
    x[0, 3:] = 0
    x[2, 1:3] = 0
    inp = tf.input({'shape': [5, 2]})
    lstm = tf.layers.lstm({'units': 3, 'returnSequences': True})
    out = lstm.apply(tf.layers.masking({'maskValue': 0}).apply(inp))
    model = tf.model({'inputs': inp, 'outputs': out})
    y = np.asarray(model.predict(tf.tensor(x)))
    theirs = oracle.eval(r"""
      const inp = tf.input({shape: [5, 2]});
      const lstm = tf.layers.lstm({units: 3, returnSequences: true});
      const model = tf.model({inputs: inp, outputs: lstm.apply(tf.layers.masking({maskValue: 0}).apply(inp))});
      lstm.setWeights(args.weights);
      return model.predict(args.x);
    """, {'x': x, 'weights': [np.asarray(w) for w in lstm.getWeights()]})
    np.testing.assert_allclose(y, theirs, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(y[0, 3], y[0, 2])       # masked steps repeat the last output


def test_embedding_mask_zero_feeds_recurrent_layers_in_a_model(oracle):
    """An Embedding mask (maskZero) travels through Bidirectional(returnSequences) into an LSTM,
    as in TF.js."""
    if not hasattr(tf.layers, 'embedding'):
        pytest.skip('tf.layers.embedding is built by another engineer and is not available yet')
    ids = np.array([[3, 5, 2, 0, 0], [7, 1, 0, 0, 0], [4, 4, 9, 8, 6]], np.int32)
    model = tf.sequential()
    model.add(tf.layers.embedding({'inputDim': 10, 'outputDim': 3, 'maskZero': True,
                                   'inputShape': [5]}))
    model.add(tf.layers.bidirectional({'layer': tf.layers.gru({'units': 2,
                                                               'returnSequences': True})}))
    model.add(tf.layers.lstm({'units': 3}))
    y = np.asarray(model.predict(tf.tensor(ids, None, 'int32')))
    theirs = oracle.eval(r"""
      const model = tf.sequential();
      model.add(tf.layers.embedding({inputDim: 10, outputDim: 3, maskZero: true, inputShape: [5]}));
      model.add(tf.layers.bidirectional({layer: tf.layers.gru({units: 2, returnSequences: true})}));
      model.add(tf.layers.lstm({units: 3}));
      model.setWeights(args.weights);
      return model.predict(args.ids);
    """, {'ids': ids, 'weights': [np.asarray(w) for w in model.getWeights()]})
    np.testing.assert_allclose(y, theirs, rtol=1e-5, atol=1e-6)


STATEFUL_FIT_JS = r"""
const model = tf.sequential();
model.add(tf.layers.simpleRNN({units: 3, stateful: true, batchInputShape: [4, 3, 2]}));
model.add(tf.layers.dense({units: 1}));
model.setWeights(args.weights);
model.compile({optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError'});
const history = await model.fit(args.x, args.y, {batchSize: 4, epochs: 2, shuffle: false, verbose: 0});
return {loss: history.history.loss, weights: model.getWeights()};
"""


def test_stateful_training_matches_tfjs(oracle):
    """Stateful BPTT as TF.js: each batch starts from the previous batch's final states (as
    constants), with shuffle off."""
    rs = np.random.RandomState(8)
    x = rs.randn(8, 3, 2).astype(np.float32)
    y = rs.randn(8, 1).astype(np.float32)
    model = tf.sequential()
    model.add(tf.layers.simpleRNN({'units': 3, 'stateful': True, 'batchInputShape': [4, 3, 2]}))
    model.add(tf.layers.dense({'units': 1}))
    weights = [np.asarray(w) for w in model.getWeights()]
    model.compile({'optimizer': tf.train.sgd(0.1), 'loss': 'meanSquaredError'})
    history = model.fit(tf.tensor(x), tf.tensor(y), {'batchSize': 4, 'epochs': 2,
                                                    'shuffle': False, 'verbose': 0})
    theirs = oracle.eval(STATEFUL_FIT_JS, {'x': x, 'y': y, 'weights': weights})
    np.testing.assert_allclose(history.history['loss'], theirs['loss'], rtol=1e-5)
    for ours, js in zip(model.getWeights(), theirs['weights']):
        np.testing.assert_allclose(np.asarray(ours), js, rtol=1e-5, atol=1e-6)


CUSTOM_CELL_JS = r"""
class MinimalRNNCell extends tf.layers.RNNCell {
  constructor(args) { super(args); this.units = args.units; this.stateSize = args.units; }
  build(inputShape) {
    this.kernel = this.addWeight('kernel', [inputShape[inputShape.length - 1], this.units], null,
                                 tf.initializers.glorotUniform({}));
    this.recurrentKernel = this.addWeight('recurrent_kernel', [this.units, this.units], null,
                                          tf.initializers.orthogonal({}));
    this.built = true;
  }
  call(inputs, kwargs) {
    const out = tf.tanh(tf.add(tf.matMul(inputs[0], this.kernel.read()),
                               tf.matMul(inputs[1], this.recurrentKernel.read())));
    return [out, out];
  }
  static get className() { return 'MinimalRNNCell'; }
}
const layer = tf.layers.rnn({cell: new MinimalRNNCell({units: 3}), returnSequences: true,
                             goBackwards: true});
layer.apply(args.x);
layer.setWeights(args.weights);
const y = layer.apply(args.x, {mask: args.mask});
const g = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(args.x, {mask: args.mask}), args.r)),
                           layer.trainableWeights.map(w => w.val));
return {y, grads: layer.trainableWeights.map(w => g.grads[w.val.name]),
        names: layer.weights.map(w => w.originalName.split('/').slice(1).join('/'))};
"""


class MinimalRNNCell(tf.layers.RNNCell):
    """Keras's documentation example of a custom cell, written with tfjs ops."""

    def __init__(self, config):
        super().__init__(config)
        self.units = config['units']
        self.stateSize = self.units

    def build(self, inputShape):
        self.kernel = self.addWeight('kernel', [inputShape[-1], self.units], None, 'glorotUniform')
        self.recurrentKernel = self.addWeight('recurrent_kernel', [self.units, self.units], None,
                                              'orthogonal')
        self.built = True

    def call(self, inputs, kwargs):
        out = tf.tanh(tf.add(tf.matMul(inputs[0], self.kernel.read()),
                             tf.matMul(inputs[1], self.recurrentKernel.read())))
        return [out, out]


def test_custom_cell_runs_step_by_step_as_tfjs(oracle):
    """A user cell (only `call` with tfjs ops) runs through the generic step loop: masks,
    goBackwards, gradients and weight names as TF.js."""
    rs = np.random.RandomState(9)
    x = rs.randn(3, 5, 2).astype(np.float32)
    mask = _mask(3, 5)
    layer = tf.layers.rnn({'cell': MinimalRNNCell({'units': 3}), 'returnSequences': True,
                           'goBackwards': True})
    layer.apply(tf.tensor(x))
    y = np.asarray(layer.apply(tf.tensor(x), {'mask': tf.tensor(mask)}))
    r = rs.randn(*y.shape).astype(np.float32)
    vals = [w.read() for w in layer.trainableWeights]
    grads = tf.variableGrads(lambda: tf.sum(tf.mul(layer.apply(tf.tensor(x), {'mask': tf.tensor(mask)}),
                                                   tf.tensor(r))), vals)['grads']
    theirs = oracle.eval(CUSTOM_CELL_JS, {'x': x, 'mask': mask, 'r': r,
                                          'weights': [np.asarray(w) for w in layer.getWeights()]})
    np.testing.assert_allclose(y, theirs['y'], rtol=1e-5, atol=1e-6)
    for v, js in zip(vals, theirs['grads']):
        np.testing.assert_allclose(np.asarray(grads[v.name]), js, rtol=1e-5, atol=1e-6)
    assert [w.originalName.split('/', 1)[1] for w in layer.weights] == theirs['names']


def test_pythonic_arguments():
    """snake_case keyword arguments work for the constructors and the call arguments."""
    h, c = tf.ones([1, 2]), tf.zeros([1, 2])
    lstm = tf.layers.lstm(units=2, return_sequences=True, return_state=True,
                          recurrent_activation='sigmoid')
    out = lstm.apply(tf.ones([1, 3, 4]), initial_state=[h, c])
    same = lstm.apply(tf.ones([1, 3, 4]), {'initialState': [h, c]})
    for a, b in zip(out, same):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert lstm.recurrent_activation.getClassName() == 'sigmoid' and lstm.units == 2
    bi = tf.layers.bidirectional(layer=tf.layers.gru(units=2), merge_mode='sum')
    assert bi.apply(tf.ones([1, 3, 4]), initial_state=[h, h]).shape == [1, 2]
    with pytest.raises(Exception, match='returnSequences'):
        tf.layers.lstm(units=2, return_sequence=True)


def test_activity_regularizer_counts_as_in_keras():
    """TF.js ignores `activityRegularizer` on RNN layers; Keras adds `l(output) / batch` to the
    loss, and so do we (it is kept in the config)."""
    layer = tf.layers.lstm({'units': 2, 'inputShape': [3, 4],
                            'activityRegularizer': tf.regularizers.l2({'l2': 0.5})})
    model = tf.sequential({'layers': [layer]})
    model.compile({'optimizer': 'sgd', 'loss': 'meanSquaredError'})
    x, y = tf.randomNormal([4, 3, 4]), tf.zeros([4, 2])
    total = float(np.asarray(model.evaluate(x, y)))
    out = np.asarray(model.predict(x))
    assert abs(total - (np.mean(out ** 2) + 0.5 * np.sum(out ** 2) / 4)) < 1e-5
    assert layer.getConfig()['activityRegularizer']['config']['l2'] == 0.5
