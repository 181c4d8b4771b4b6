"""Embedding, masking and the other core layers, advanced activations, noise layers,
LayerNormalization and Dot against TF.js 4.22 (tests/layers/layer_parity.py).

Where TF.js cannot run a configuration (ELU alpha != 1, softmax over a non-last axis, Dot on
rank > 3) the behaviour here is Keras's, tested in test_misc_keras.py; noise layers are compared
in inference mode (identity) and their training statistics are checked separately below.
"""
import numpy as np
import pytest

import tfjs as tf
from layer_parity import check_layer

INT7 = ('int', 0, 7)


def _timesteps_with_padding(value: float = 0.0, seed: int = 0) -> np.ndarray:
    """[3, 4, 2] floats where some timesteps are all `value` (masked) and some only partly."""
    x = np.random.RandomState(seed).randn(3, 4, 2).astype(np.float32)
    x[0, 1] = value
    x[1, 3] = value
    x[2, 0, 0] = value            # only one feature equals the mask value: not masked
    return x


CASES = [
    # Embedding: integer and float (cast) indices, inputLength, masks, repeated rows
    ('embedding', {'inputDim': 7, 'outputDim': 3}, [4], dict(input_spec=INT7)),
    ('embedding', {'inputDim': 5, 'outputDim': 2, 'maskZero': True}, [6],
     dict(input_spec=('int', 0, 5), check_mask=True)),
    ('embedding', {'inputDim': 6, 'outputDim': 4, 'inputLength': 3}, [3],
     dict(input_spec=('int', 0, 6))),
    ('embedding', {'inputDim': 10, 'outputDim': 2, 'inputLength': [2, 3]}, [2, 3],
     dict(input_spec=('int', 0, 10))),
    ('embedding', {'inputDim': 3, 'outputDim': 5}, [8], dict(input_spec=('int', 0, 3), batch=4)),
    ('embedding', {'inputDim': 4, 'outputDim': 3, 'maskZero': False,
                   'embeddingsInitializer': 'glorotUniform', 'embeddingsRegularizer': 'l1l2'},
     [2], dict(input_spec=('int', 0, 4), check_mask=True)),
    ('embedding', {'inputDim': 4, 'outputDim': 2, 'embeddingsConstraint': 'nonNeg'}, [2, 2],
     dict(input_spec=('int', 0, 4),          # setWeights applies the constraint, as in TF.js
          weights=[np.array([[0.5, -1], [-2, 1], [3, 0.25], [-0.5, -0.1]], np.float32)])),
    # Masking (TF.js 4.22 cannot differentiate it with respect to its input: no gradient for
    # the `any` op; ours is the mask itself)
    ('masking', {}, [4, 2],
     dict(inputs=[_timesteps_with_padding()], check_mask=True, gradients=False)),
    ('masking', {'maskValue': 1.5}, [4, 2],
     dict(inputs=[_timesteps_with_padding(1.5, 1)], check_mask=True, gradients=False)),
    # RepeatVector, Permute, SpatialDropout1D (inference)
    ('repeatVector', {'n': 3}, [4], {}),
    ('repeatVector', {'n': 1}, [2], {}),
    ('permute', {'dims': [2, 1]}, [3, 4], {}),
    ('permute', {'dims': [3, 1, 2]}, [2, 3, 4], {}),
    ('permute', {'dims': [1]}, [5], {}),
    ('spatialDropout1d', {'rate': 0.3}, [4, 3], {}),
    ('spatialDropout1d', {'rate': 0.6, 'seed': 3}, [2, 5], {}),
    # Advanced activations
    ('reLU', {}, [5], {}),
    ('reLU', {'maxValue': 0.5}, [3, 4], {}),
    ('leakyReLU', {}, [5], {}),
    ('leakyReLU', {'alpha': 0.1}, [2, 3], {}),
    ('prelu', {}, [4], dict(weights=[np.array([0.1, -0.2, 0.3, 0.5], np.float32)])),
    ('prelu', {'sharedAxes': [1]}, [3, 4],
     dict(weights=[np.array([[0.1, 0.2, 0.3, 0.4]], np.float32)])),
    ('prelu', {'sharedAxes': 1}, [2, 3], dict(weights=[np.array([[0.25, -0.5, 0.75]], np.float32)])),
    ('prelu', {'sharedAxes': [1, 2], 'alphaInitializer': 'ones'}, [2, 3, 4], {}),
    ('prelu', {'alphaInitializer': {'className': 'Constant', 'config': {'value': 0.2}},
               'alphaRegularizer': {'className': 'L1L2', 'config': {'l1': 0.01, 'l2': 0}}, 'alphaConstraint': 'nonNeg'}, [3], {}),
    ('elu', {}, [5], {}),
    ('elu', {'alpha': 1}, [2, 3], {}),
    # (TF.js 4.22 cannot differentiate ThresholdedReLU: no gradient for `greater`; ours is the
    # step function x > theta)
    ('thresholdedReLU', {}, [5], dict(gradients=False)),
    ('thresholdedReLU', {'theta': 0.3}, [2, 3], dict(gradients=False)),
    ('thresholdedReLU', {'theta': -0.5}, [4], dict(gradients=False)),
    ('softmax', {}, [5], {}),
    ('softmax', {'axis': -1}, [3, 4], {}),
    ('softmax', {'axis': [1, 2]}, [3, 4], {}),
    ('softmax', {'axis': [2]}, [3, 4], {}),
    ('softmax', {'axis': -1}, [3, 4],
     dict(kwargs={'mask': (np.random.RandomState(5).rand(3, 3, 4) > 0.3).astype(np.float32)})),
    # Noise layers: the identity in inference
    ('gaussianNoise', {'stddev': 0.5}, [4], {}),
    ('gaussianDropout', {'rate': 0.3}, [4], {}),
    ('alphaDropout', {'rate': 0.2}, [3, 2], {}),
    # LayerNormalization
    ('layerNormalization', {}, [5], {}),
    ('layerNormalization', {'axis': 1}, [3, 4], {}),
    ('layerNormalization', {'axis': [1, 2]}, [3, 4], {}),
    ('layerNormalization', {'axis': -2, 'epsilon': 0.01}, [3, 4], {}),
    # Without beta or gamma, TF.js 4.22 cannot differentiate the layer (the gradient of its
    # batchNormalization op walks the missing offset / scale tensor): values only.
    ('layerNormalization', {'center': False}, [4], dict(gradients=False)),
    ('layerNormalization', {'scale': False}, [4], dict(gradients=False)),
    ('layerNormalization', {'gammaInitializer': 'randomNormal', 'betaInitializer': 'ones',
                            'gammaRegularizer': 'l1l2'}, [2, 3], {}),
    ('layerNormalization', {'axis': [2, 1]}, [3, 4], {}),     # unsorted: TF.js reshapes gamma as is
    ('layerNormalization', {'axis': [0, 2]}, [3, 4], {}),     # over the batch axis too
    # Dot
    ('dot', {'axes': -1}, [[3], [3]], {}),
    ('dot', {'axes': 1, 'normalize': True}, [[4], [4]], {}),
    ('dot', {'axes': [2, 1]}, [[3, 4], [4, 5]], {}),
    ('dot', {'axes': [1, 1]}, [[3, 4], [3, 5]], {}),
    ('dot', {'axes': [2, 2]}, [[3, 4], [5, 4]], {}),
    ('dot', {'axes': [1, 2], 'normalize': True}, [[3, 4], [2, 3]], {}),
    ('dot', {'axes': 1}, [[3], [3, 5]], {}),
    ('dot', {'axes': [2, 1]}, [[4, 3], [3]], {}),
    ('dot', {'axes': -1}, [[2, 3], [2, 3]], dict(check_mask=True)),
    # int32 inputs keep their dtype where TF.js's do
    ('reLU', {'maxValue': 2}, [4], dict(input_spec=('int', -3, 4))),
    ('dot', {'axes': -1}, [[3], [3]], dict(input_spec=('int', -3, 4))),
    ('masking', {'maskValue': 1}, [3, 2], dict(input_spec=('int', 0, 2), check_mask=True)),
    ('permute', {'dims': [2, 1]}, [2, 3], dict(input_spec=('int', -3, 4))),
    ('repeatVector', {'n': 2}, [3], dict(input_spec=('int', -3, 4))),
]


@pytest.mark.parametrize('factory,config,shape,opts', CASES,
                         ids=[f'{c[0]}-{i}' for i, c in enumerate(CASES)])
def test_misc_layer_parity(oracle, factory, config, shape, opts):
    opts = dict(opts)
    if 'weights' in opts:
        opts['weights'] = list(opts['weights'])
    check_layer(oracle, factory, config, shape, **opts)


def test_embedding_float_indices_are_truncated_like_tfjs(oracle):
    # TF.js casts float indices to int32 (toward zero). Its gradient with respect to the float
    # indices is not a gradient (GatherV2's grad returns the indices themselves), so gradients
    # are not compared here; the embedding gradient is covered by the integer cases.
    x = np.array([[0.2, 1.9, 2.5], [3.99, 0.0, 1.0]], np.float32)
    check_layer(oracle, 'embedding', {'inputDim': 4, 'outputDim': 2}, [3], inputs=[x],
                gradients=False)


def test_embedding_mask_flows_through_a_model_like_tfjs(oracle):
    """embedding(maskZero) -> reLU -> layerNormalization -> dense: same predictions and the
    same output mask (model.computeMask) as TF.js."""
    x = np.array([[1, 0, 3, 0], [0, 0, 2, 4]], np.int32)
    inp = tf.input({'shape': [4], 'dtype': 'int32'})
    h = tf.layers.embedding({'inputDim': 5, 'outputDim': 3, 'maskZero': True}).apply(inp)
    h = tf.layers.reLU().apply(h)
    h = tf.layers.layerNormalization().apply(h)
    out = tf.layers.dense({'units': 2}).apply(h)
    model = tf.model({'inputs': inp, 'outputs': out})
    weights = [np.asarray(w) for w in model.getWeights()]
    js = r"""
    const inp = tf.input({shape: [4], dtype: 'int32'});
    let h = tf.layers.embedding({inputDim: 5, outputDim: 3, maskZero: true}).apply(inp);
    h = tf.layers.reLU().apply(h);
    h = tf.layers.layerNormalization().apply(h);
    const out = tf.layers.dense({units: 2}).apply(h);
    const model = tf.model({inputs: inp, outputs: out});
    model.setWeights(args.weights);
    return {y: model.predict(args.x), mask: model.computeMask(args.x)};
    """
    theirs = oracle.eval(js, {'x': x, 'weights': weights})
    np.testing.assert_allclose(np.asarray(model.predict(tf.tensor(x))), theirs['y'], rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_array_equal(np.asarray(model.computeMask(tf.tensor(x))), theirs['mask'])


def test_masking_mask_flows_through_a_sequential_like_tfjs(oracle):
    x = _timesteps_with_padding()
    model = tf.sequential()
    model.add(tf.layers.masking({'inputShape': [4, 2]}))
    model.add(tf.layers.dense({'units': 3}))
    model.add(tf.layers.leakyReLU())
    weights = [np.asarray(w) for w in model.getWeights()]
    # TF.js's LeakyReLU does not pass masks on (computeMask would throw), so TF.js runs
    # masking -> dense and its output goes through leaky ReLU here.
    js = r"""
    const model = tf.sequential();
    model.add(tf.layers.masking({inputShape: [4, 2]}));
    model.add(tf.layers.dense({units: 3}));
    model.setWeights(args.weights);
    return {y: model.predict(args.x), mask: model.computeMask(args.x)};
    """
    theirs = oracle.eval(js, {'x': x, 'weights': weights})
    ours = np.asarray(model.predict(tf.tensor(x)))
    pre = np.asarray(theirs['y'])
    np.testing.assert_allclose(ours, np.where(pre >= 0, pre, 0.3 * pre), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(np.asarray(model.computeMask(tf.tensor(x))), theirs['mask'])


# ---------------------------------------------------------------- training-mode statistics --
def _train(factory: str, config: dict, x: np.ndarray) -> np.ndarray:
    layer = getattr(tf.layers, factory)(config)
    return np.asarray(layer.apply(tf.tensor(x), {'training': True}))


def test_gaussian_noise_training_statistics():
    x = np.full([200, 500], 2.0, np.float32)
    y = _train('gaussianNoise', {'stddev': 0.5}, x)
    assert abs(y.mean() - 2.0) < 0.01 and abs(y.std() - 0.5) < 0.01


def test_gaussian_dropout_training_statistics():
    x = np.full([200, 500], 3.0, np.float32)
    y = _train('gaussianDropout', {'rate': 0.2}, x)
    assert abs(y.mean() - 3.0) < 0.02
    assert abs(y.std() - 3.0 * np.sqrt(0.2 / 0.8)) < 0.02


def test_alpha_dropout_training_keeps_mean_and_variance():
    rs = np.random.RandomState(0)
    x = rs.randn(400, 500).astype(np.float32)       # zero mean, unit variance (SELU's fixed point)
    y = _train('alphaDropout', {'rate': 0.3}, x)
    assert abs(y.mean()) < 0.01 and abs(y.var() - 1.0) < 0.02
    alpha_p = -1.6732632423543772 * 1.0507009873554805
    a = ((1 - 0.3) * (1 + 0.3 * alpha_p ** 2)) ** -0.5
    b = -a * alpha_p * 0.3
    dropped = np.isclose(y, a * alpha_p + b)
    assert abs(dropped.mean() - 0.3) < 0.01
    np.testing.assert_allclose(y[~dropped], a * x[~dropped] + b, rtol=1e-5, atol=1e-6)


def test_alpha_dropout_noise_shape_shares_the_mask():
    x = np.random.RandomState(1).randn(50, 7, 40).astype(np.float32)
    y = _train('alphaDropout', {'rate': 0.5, 'noiseShape': [50, 1, 40]}, x)
    alpha_p = -1.6732632423543772 * 1.0507009873554805
    a = ((1 - 0.5) * (1 + 0.5 * alpha_p ** 2)) ** -0.5
    dropped = np.isclose(y, a * alpha_p - a * alpha_p * 0.5)
    assert (dropped == dropped[:, :1, :]).all()


@pytest.mark.parametrize('factory,config,shape,shared', [
    ('spatialDropout1d', {'rate': 0.4}, [100, 6, 50], (1,)),
    ('spatialDropout2d', {'rate': 0.4}, [40, 3, 5, 50], (1, 2)),
    ('spatialDropout2d', {'rate': 0.4, 'dataFormat': 'channelsFirst'}, [40, 50, 3, 5], (2, 3)),
    ('spatialDropout3d', {'rate': 0.4}, [20, 2, 3, 2, 50], (1, 2, 3)),
])
def test_spatial_dropout_drops_whole_feature_maps(factory, config, shape, shared):
    x = np.ones(shape, np.float32)
    y = _train(factory, config, x)
    kept = y != 0
    first = kept[tuple(slice(0, 1) if i in shared else slice(None) for i in range(len(shape)))]
    assert (kept == first).all()
    assert abs(kept.mean() - 0.6) < 0.05
    np.testing.assert_allclose(y[kept], 1 / 0.6, rtol=1e-6)


def test_noise_layers_are_identity_without_training_flag():
    x = tf.randomNormal([3, 4])
    for factory, config in [('gaussianNoise', {'stddev': 1}), ('gaussianDropout', {'rate': 0.5}),
                            ('alphaDropout', {'rate': 0.5}), ('spatialDropout1d', {'rate': 0.5})]:
        layer = getattr(tf.layers, factory)(config)
        y = layer.apply(tf.reshape(x, [3, 4, 1]) if factory == 'spatialDropout1d' else x)
        np.testing.assert_array_equal(np.asarray(y).reshape(3, 4), np.asarray(x))


def test_seeded_noise_is_reproducible():
    x = tf.ones([4, 5])
    a = tf.layers.gaussianNoise({'stddev': 1, 'seed': 7}).apply(x, {'training': True})
    b = tf.layers.gaussianNoise({'stddev': 1, 'seed': 7}).apply(x, {'training': True})
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


@pytest.mark.parametrize('factory,config', [('reLU', {}), ('masking', {}), ('permute', {'dims': [1]}),
                                            ('repeatVector', {'n': 2}), ('dot', {'axes': 1})])
def test_int32_inputs_keep_their_dtype_like_tfjs(oracle, factory, config):
    x = np.array([[-2, 3], [1, 0]], np.int32)
    js = """const l = tf.layers[args.f](args.c);
            return l.apply(args.f === 'dot' ? [args.x, args.x] : args.x).dtype;"""
    theirs = oracle.eval(js, {'f': factory, 'c': config, 'x': x})
    ours = getattr(tf.layers, factory)(config).apply(
        [tf.tensor(x), tf.tensor(x)] if factory == 'dot' else tf.tensor(x))
    assert ours.dtype == theirs == 'int32'


# ------------------------------------------------------------- models across the two languages --
SEQUENTIAL_JS = """
  const model = tf.sequential();
  model.add(tf.layers.embedding({inputDim: 10, outputDim: 4, inputLength: 5}));
  model.add(tf.layers.permute({dims: [2, 1]}));
  model.add(tf.layers.prelu({sharedAxes: [1], alphaInitializer: 'ones'}));
  model.add(tf.layers.spatialDropout1d({rate: 0.3}));
  model.add(tf.layers.gaussianNoise({stddev: 0.2}));
  model.add(tf.layers.flatten());
  model.add(tf.layers.repeatVector({n: 2}));
  model.add(tf.layers.layerNormalization({axis: [1, 2], epsilon: 0.01}));
  model.add(tf.layers.leakyReLU({alpha: 0.2}));
  model.add(tf.layers.gaussianDropout({rate: 0.2}));
  model.add(tf.layers.thresholdedReLU({theta: 0.1}));
  model.add(tf.layers.alphaDropout({rate: 0.1}));
  model.add(tf.layers.elu());
  model.add(tf.layers.reLU({maxValue: 1.5}));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({units: 3}));
  model.add(tf.layers.softmax());"""


def _sequential():
    model = tf.sequential()
    model.add(tf.layers.embedding({'inputDim': 10, 'outputDim': 4, 'inputLength': 5}))
    model.add(tf.layers.permute({'dims': [2, 1]}))
    model.add(tf.layers.prelu({'sharedAxes': [1], 'alphaInitializer': 'ones'}))
    model.add(tf.layers.spatialDropout1d({'rate': 0.3}))
    model.add(tf.layers.gaussianNoise({'stddev': 0.2}))
    model.add(tf.layers.flatten())
    model.add(tf.layers.repeatVector({'n': 2}))
    model.add(tf.layers.layerNormalization({'axis': [1, 2], 'epsilon': 0.01}))
    model.add(tf.layers.leakyReLU({'alpha': 0.2}))
    model.add(tf.layers.gaussianDropout({'rate': 0.2}))
    model.add(tf.layers.thresholdedReLU({'theta': 0.1}))
    model.add(tf.layers.alphaDropout({'rate': 0.1}))
    model.add(tf.layers.elu())
    model.add(tf.layers.reLU({'maxValue': 1.5}))
    model.add(tf.layers.flatten())
    model.add(tf.layers.dense({'units': 3}))
    model.add(tf.layers.softmax())
    return model


FUNCTIONAL_JS = """
  const a = tf.input({shape: [3]});
  const b = tf.input({shape: [3]});
  const seq = tf.input({shape: [4, 2]});
  const other = tf.input({shape: [4, 3]});
  const cos = tf.layers.dot({axes: -1, normalize: true}).apply([a, b]);
  const masked = tf.layers.masking({maskValue: 0}).apply(seq);
  const h = tf.layers.dense({units: 3}).apply(masked);
  const pairs = tf.layers.dot({axes: [2, 2]}).apply([h, other]);
  const flat = tf.layers.flatten().apply(pairs);
  const out = tf.layers.concatenate().apply([flat, cos]);
  const model = tf.model({inputs: [a, b, seq, other], outputs: out});"""


def _functional():
    a = tf.input({'shape': [3]})
    b = tf.input({'shape': [3]})
    seq = tf.input({'shape': [4, 2]})
    other = tf.input({'shape': [4, 3]})
    cos = tf.layers.dot({'axes': -1, 'normalize': True}).apply([a, b])
    masked = tf.layers.masking({'maskValue': 0}).apply(seq)
    h = tf.layers.dense({'units': 3}).apply(masked)
    pairs = tf.layers.dot({'axes': [2, 2]}).apply([h, other])
    flat = tf.layers.flatten().apply(pairs)
    out = tf.layers.concatenate().apply([flat, cos])
    return tf.model({'inputs': [a, b, seq, other], 'outputs': out})


MODELS = {'sequential': (_sequential, SEQUENTIAL_JS, 10), 'functional': (_functional, FUNCTIONAL_JS, None)}


def _model_inputs(shapes, int_max, seed):
    rs = np.random.RandomState(seed)
    xs = []
    for s in shapes:
        shape = [2] + list(s[1:])
        x = np.floor(rs.uniform(0, int_max, shape)) if int_max else rs.randn(*shape)
        if len(shape) == 3 and not int_max:
            x[:, 1] = 0                  # a masked timestep for `masking`
        xs.append(x.astype(np.float32))
    return xs


def _predict(model, xs):
    out = model.predict([tf.tensor(x) for x in xs] if len(xs) > 1 else tf.tensor(xs[0]))
    return np.asarray(out)


PREDICT_JS = """
  return model.predict(args.xs.length > 1 ? args.xs : args.xs[0]);"""


@pytest.mark.parametrize('name', list(MODELS))
def test_model_saved_here_loads_in_tfjs(oracle, tmp_path, name):
    build, _, int_max = MODELS[name]
    model = build()
    rs = np.random.RandomState(3)
    model.setWeights([tf.tensor(rs.randn(*w.shape).astype(np.float32) * 0.5)
                      for w in model.getWeights()])
    xs = _model_inputs([t.shape for t in model.inputs], int_max, 0)
    ours = _predict(model, xs)
    model.save(f'file://{tmp_path}/m')
    theirs = oracle.eval('const model = await helpers.loadModelFromDir(args.path);' + PREDICT_JS,
                         {'path': str(tmp_path / 'm' / 'model.json'), 'xs': xs})
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize('name', list(MODELS))
def test_model_saved_by_tfjs_loads_here(oracle, tmp_path, name):
    _, js, int_max = MODELS[name]
    shapes = oracle.eval(js + 'return model.inputs.map(t => t.shape);')
    xs = _model_inputs(shapes, int_max, 1)
    theirs = oracle.eval(js + 'await helpers.saveModelToDir(model, args.dir);' + PREDICT_JS,
                         {'dir': str(tmp_path / 'js'), 'xs': xs})
    loaded = tf.loadLayersModel(f'file://{tmp_path}/js/model.json')
    np.testing.assert_allclose(_predict(loaded, xs), theirs, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize('name', list(MODELS))
def test_model_topology_is_tfjs_topology(oracle, name):
    import json
    from tfjs.engine.common import reset_uids
    oracle.restart()                      # fresh TF.js name counters
    theirs = oracle.eval(MODELS[name][1] + 'return model.toJSON(null, false);')
    reset_uids()
    ours = MODELS[name][0]().toJSON(None, False)
    ours, theirs = json.loads(json.dumps(ours)), json.loads(json.dumps(theirs))
    ours.pop('keras_version', None), theirs.pop('keras_version', None)
    assert ours == theirs
