"""Keras 3 parity for the layers TF.js lacks or configurations beyond TF.js (fixtures from
tools/fixtures/keras_misc.py in tests/fixtures/keras/misc/), Lambda, ActivityRegularization
in training, and gradient cross-checks where TF.js cannot differentiate."""
import numpy as np
import pytest

import tfjs as tf
from tfjs.serialization import convert_pythonic_to_ts
from tfjs.serialization.registry import clear_custom_classes, deserialize
from keras_fixture import case_names, from_keras, keras_layer, load, numbered

CASES = case_names('misc')


def _load(name):
    meta, arrays = load('misc', name)
    layer = keras_layer(meta['class_name'], meta['config'])
    xs = [tf.tensor(x) for x in numbered(arrays, 'x')]
    return meta, arrays, layer, xs


def test_there_are_fixtures():
    assert len(CASES) >= 25


@pytest.mark.parametrize('name', CASES)
def test_keras_fixture(name):
    meta, arrays, layer, xs = _load(name)
    inp = xs if meta['multi'] else xs[0]
    layer.apply(inp)
    weights = [arrays[f'w{i}'] for i in range(len([k for k in arrays if k[0] == 'w']))]
    assert len(weights) == len(layer.weights)
    if weights:
        layer.setWeights([tf.tensor(w) for w in weights])
    y = layer.apply(inp)
    np.testing.assert_allclose(np.asarray(y), arrays['y'], rtol=1e-5, atol=1e-6)

    r = tf.tensor(arrays['r'])
    float_idx = [i for i, x in enumerate(xs) if x.dtype == 'float32']
    if float_idx:
        def objective(*floats):
            ins = list(xs)
            for j, i in enumerate(float_idx):
                ins[i] = floats[j]
            return tf.sum(tf.mul(layer.apply(ins if meta['multi'] else ins[0]), r))
        grads = tf.grads(objective)([xs[i] for i in float_idx])
        for j, g in enumerate(grads):
            np.testing.assert_allclose(np.asarray(g), arrays[f'g{j}'], rtol=1e-5, atol=1e-5,
                                       err_msg=f'input gradient {j}')
    if 'mask' in arrays:
        np.testing.assert_array_equal(np.asarray(layer.computeMask(inp)), arrays['mask'])
    if 'loss' in arrays:
        losses = layer.calculateLosses()
        assert len(losses) == 1
        np.testing.assert_allclose(np.asarray(losses[0]), arrays['loss'], rtol=1e-5)


@pytest.mark.parametrize('name', CASES)
def test_keras_config_survives_our_round_trip(name):
    meta, arrays, layer, xs = _load(name)
    layer.apply(xs if meta['multi'] else xs[0])
    config = layer.getConfig()
    again = type(layer).fromConfig(config)
    assert again.getConfig() == config
    keras_conf = from_keras(convert_pythonic_to_ts(meta['config']))
    for key, value in keras_conf.items():     # what Keras says is kept (axis lists resolve)
        if key in config and key not in ('axis', 'groups', 'dtype', 'trainable'):
            assert config[key] == value, key


def test_leaky_relu_accepts_keras3_negative_slope_and_writes_alpha():
    layer = tf.layers.leakyReLU({'negativeSlope': 0.2})
    assert layer.alpha == 0.2 and layer.getConfig()['alpha'] == 0.2
    assert tf.layers.leaky_re_lu(negative_slope=0.1).alpha == 0.1
    with pytest.raises(ValueError, match='not both'):
        tf.layers.leakyReLU({'alpha': 0.1, 'negativeSlope': 0.2})


def test_relu_tfjs_config_keeps_only_max_value():
    assert {k: v for k, v in tf.layers.reLU({'maxValue': 3}).getConfig().items()
            if k not in ('name', 'trainable')} == {'maxValue': 3}
    conf = tf.layers.reLU({'negativeSlope': 0.1, 'threshold': 0.5}).getConfig()
    assert conf['negativeSlope'] == 0.1 and conf['threshold'] == 0.5 and conf['maxValue'] is None
    with pytest.raises(ValueError, match='maxValue'):
        tf.layers.reLU({'maxValue': -1})


def test_softmax_default_axis_is_tfjs_1_and_keras_configs_keep_theirs():
    assert tf.layers.softmax().axis == 1
    layer = deserialize({'className': 'Softmax', 'config': {'axis': -1}}, kind='layer')
    assert layer.axis == -1


def test_elu_goes_past_tfjs_alpha_limit():
    y = tf.layers.elu({'alpha': 0.5}).apply(tf.tensor1d([-1.0, 2.0]))
    np.testing.assert_allclose(np.asarray(y), [0.5 * (np.exp(-1) - 1), 2.0], rtol=1e-6)


def test_embedding_rejects_lora_and_quantized_configs():
    with pytest.raises(NotImplementedError, match='loraRank'):
        tf.layers.embedding({'inputDim': 3, 'outputDim': 2, 'loraRank': 4})


def test_embedding_out_of_range_index_is_a_clear_error():
    layer = tf.layers.embedding({'inputDim': 3, 'outputDim': 2})
    with pytest.raises(ValueError, match='outside'):
        layer.apply(tf.tensor1d([0, 3], 'int32'))


def test_embedding_gradient_accumulates_repeated_rows():
    layer = tf.layers.embedding({'inputDim': 4, 'outputDim': 2})
    idx = tf.tensor2d([[1, 1, 3], [1, 0, 3]], [2, 3], 'int32')
    layer.apply(idx)
    w = layer.trainableWeights[0].read()
    g = tf.variableGrads(lambda: tf.sum(layer.apply(idx)), [w])['grads'][w.name]
    np.testing.assert_array_equal(np.asarray(g), [[1, 1], [3, 3], [0, 0], [2, 2]])


def test_embedding_mask_reaches_a_layer_that_uses_it():
    inp = tf.input({'shape': [3], 'dtype': 'int32'})
    emb = tf.layers.embedding({'inputDim': 4, 'outputDim': 3, 'maskZero': True,
                               'embeddingsInitializer': 'ones'}).apply(inp)
    out = tf.layers.softmax({'axis': 1}).apply(emb)      # masked timesteps get no probability
    model = tf.model({'inputs': inp, 'outputs': out})
    y = np.asarray(model.predict(tf.tensor2d([[1, 0, 2]], [1, 3], 'int32')))
    np.testing.assert_allclose(y[0, :, 0], [0.5, 0.0, 0.5], atol=1e-7)


# ------------------------------------------------------------ where TF.js cannot differentiate
def _input_grad(layer, x):
    return np.asarray(tf.grad(lambda t: tf.sum(tf.mul(layer.apply(t), tf.range(0, x.size).reshape(
        x.shape))))(tf.tensor(x)))


def test_masking_gradient_is_the_mask():
    x = np.array([[[1, 2], [0, 0], [0, 3]]], np.float32)
    g = _input_grad(tf.layers.masking(), x)
    np.testing.assert_array_equal(g, np.arange(6).reshape(1, 3, 2) * [[[1], [0], [1]]])


def test_thresholded_relu_gradient_is_the_step():
    x = np.array([[0.5, 1.5, -2.0, 3.0]], np.float32)
    g = _input_grad(tf.layers.thresholdedReLU(), x)
    np.testing.assert_array_equal(g, [[0, 1, 0, 3]])


@pytest.mark.parametrize('off', [{'center': False}, {'scale': False}])
def test_layer_normalization_without_beta_or_gamma_has_the_gradient_of_the_full_layer(off):
    x = np.random.RandomState(0).randn(3, 4).astype(np.float32)
    full = tf.layers.layerNormalization({'axis': -1})
    partial = tf.layers.layerNormalization(dict({'axis': -1}, **off))
    full.apply(tf.tensor(x))
    partial.apply(tf.tensor(x))
    g = np.random.RandomState(1).randn(4).astype(np.float32)
    full.setWeights([g if 'scale' not in off else np.ones(4, np.float32),
                     np.zeros(4, np.float32) if 'center' in off else g])
    partial.setWeights([g])
    np.testing.assert_allclose(_input_grad(partial, x), _input_grad(full, x), rtol=1e-6, atol=1e-6)


# ------------------------------------------------------------------ ActivityRegularization
def test_activity_regularization_adds_its_loss_in_fit():
    inp = tf.input({'shape': [3]})
    dense = tf.layers.dense({'units': 2, 'kernelInitializer': 'ones', 'useBias': False})
    out = tf.layers.activityRegularization({'l2': 0.5}).apply(dense.apply(inp))
    model = tf.model({'inputs': inp, 'outputs': out})
    model.compile({'optimizer': 'sgd', 'loss': 'meanSquaredError'})
    x = tf.tensor2d([[1, 0, 0], [0, 1, 1]], [2, 3])
    y = tf.zeros([2, 2])
    loss = model.evaluate(x, y)
    # mse = mean(h^2) over [[1, 1], [2, 2]] = 2.5; activity = 0.5 * (1+1+4+4) / 2 = 2.5
    np.testing.assert_allclose(np.asarray(loss), 5.0, rtol=1e-6)


# -------------------------------------------------------------------------------- Lambda
def test_lambda_eager_symbolic_and_in_a_model():
    layer = tf.layers.lambdaLayer(lambda x: tf.concat([x, tf.square(x)], -1))
    inp = tf.input({'shape': [None, 3]})
    out = layer.apply(inp)
    assert out.shape == [None, None, 6]
    model = tf.model({'inputs': inp, 'outputs': tf.layers.dense({'units': 1}).apply(out)})
    model.compile({'optimizer': 'sgd', 'loss': 'meanSquaredError'})
    model.fit(tf.ones([2, 4, 3]), tf.zeros([2, 4, 1]), {'epochs': 1, 'verbose': 0})
    np.testing.assert_allclose(np.asarray(layer.apply(tf.tensor([[[2.0, 3.0, 1.0]]]))),
                               [[[2, 3, 1, 4, 9, 1]]])


def test_lambda_explicit_output_shape_arguments_mask_and_training():
    seen = {}

    def fn(x, scale, training=None):
        seen['training'] = training
        return tf.mul(tf.sum(x, -1), scale)

    layer = tf.layers.Lambda(fn, outputShape=[], arguments={'scale': 3},
                             mask=lambda inputs, mask: None)
    assert layer.apply(tf.input({'shape': [4]})).shape == [None]
    np.testing.assert_allclose(np.asarray(layer.apply(tf.ones([2, 4]), training=True)), [12, 12])
    assert seen['training'] is True
    shaped = tf.layers.lambdaLayer(lambda xs: tf.add(xs[0], xs[1]),
                                   output_shape=lambda shapes: shapes[0])
    assert shaped.apply([tf.input({'shape': [2]}), tf.input({'shape': [2]})]).shape == [None, 2]


def test_lambda_multi_output_shape_inference():
    layer = tf.layers.lambdaLayer(lambda x: [tf.slice(x, [0, 0], [-1, 1]), tf.transpose(x)])
    outs = layer.apply(tf.input({'batchShape': [5, 3]}))
    assert [o.shape for o in outs] == [[5, 1], [3, 5]]


def test_lambda_uninferable_shape_asks_for_output_shape():
    def bad(x):
        raise RuntimeError('boom')
    with pytest.raises(NotImplementedError, match='outputShape'):
        tf.layers.lambdaLayer(bad).apply(tf.input({'shape': [2]}))


def test_lambda_config_is_descriptive_and_never_restored():
    def double(x):
        return tf.mul(x, 2)
    layer = tf.layers.lambdaLayer(double, outputShape=[3])
    config = layer.getConfig()
    assert config['function']['config']['name'].endswith('double')
    assert config['function']['config']['restorable'] is False
    assert config['outputShape'] == [3]
    with pytest.raises(ValueError, match='registerClass'):
        tf.layers.Lambda.fromConfig(config)
    with pytest.raises(ValueError, match='registerClass'):
        deserialize({'className': 'Lambda', 'config': config}, kind='layer')


def test_saved_model_with_lambda_loads_with_a_registered_replacement(tmp_path):
    inp = tf.input({'shape': [2]})
    out = tf.layers.lambdaLayer(lambda x: tf.mul(x, 2), name='double').apply(inp)
    model = tf.model({'inputs': inp, 'outputs': tf.layers.dense({'units': 1}).apply(out)})
    url = f'file://{tmp_path}/m'
    model.save(url)
    with pytest.raises(ValueError, match='registerClass'):
        tf.loadLayersModel(url + '/model.json')

    class Double(tf.layers.Layer):
        className = 'Lambda'

        def call(self, inputs, kwargs):
            return tf.mul(inputs[0] if isinstance(inputs, list) else inputs, 2)

        @classmethod
        def fromConfig(cls, config):
            return cls({'name': config['name']})

    try:
        tf.serialization.registerClass(Double)
        loaded = tf.loadLayersModel(url + '/model.json')
        x = tf.tensor2d([[1, 2]], [1, 2])
        np.testing.assert_allclose(np.asarray(loaded.predict(x)), np.asarray(model.predict(x)),
                                   rtol=1e-6)
    finally:
        clear_custom_classes()


@pytest.mark.parametrize('name', ['embedding', 'core_extra', 'advanced_activations', 'noise',
                                  'normalization_extra', 'merge'])
def test_docstring_examples(name):
    import doctest
    import importlib
    result = doctest.testmod(importlib.import_module(f'tfjs.layers.{name}'))
    assert result.failed == 0 and result.attempted > 0


def test_accelerator_gather_gives_zero_rows_out_of_range():
    import torch
    from tfjs.layers.embedding import gather_rows_or_zeros
    table = torch.arange(6, dtype=torch.float32).reshape(3, 2)
    out = gather_rows_or_zeros(table, torch.tensor([2, -1, 3, 0], dtype=torch.int32))
    np.testing.assert_array_equal(out.numpy(), [[4, 5], [0, 0], [0, 0], [0, 1]])


def test_identity_layer_and_identity_initializer_share_the_name():
    layer = deserialize({'className': 'Identity', 'config': {'name': 'same'}}, kind='layer')
    assert isinstance(layer, tf.layers.Layer) and layer.name == 'same'
    init = deserialize({'className': 'Identity', 'config': {'gain': 2}}, kind='initializer')
    assert init.apply([2, 2]).arraySync() == [[2, 0], [0, 2]]
    dense = tf.layers.dense({'units': 2, 'kernelInitializer': 'identity'})
    assert dense.getConfig()['kernelInitializer']['className'] == 'Identity'
