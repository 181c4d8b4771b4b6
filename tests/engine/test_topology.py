"""Layer engine: apply (symbolic and eager), names, weights, configs, errors."""
import json

import numpy as np
import pytest

import tfjs as tf
from tfjs.serialization import convert_pythonic_to_ts


def test_apply_symbolic_and_eager():
    x = tf.input({'shape': [2, 4]})
    flatten = tf.layers.flatten()
    y = flatten.apply(x)
    assert isinstance(y, tf.SymbolicTensor) and y.shape == [None, 8]
    out = tf.layers.flatten().apply(tf.ones([2, 3, 4]))
    assert isinstance(out, tf.Tensor) and out.shape == [2, 12]
    with pytest.raises(ValueError, match='all SymbolicTensors or all Tensors'):
        tf.layers.add().apply([x, tf.ones([1, 2, 4])])


def test_auto_names_follow_tfjs():
    d = tf.layers.dense({'units': 1})
    assert d.name.startswith('dense_Dense')
    bn = tf.layers.batchNormalization()
    assert bn.name.startswith('batch_normalization_BatchNormalization')
    assert tf.sequential().name.startswith('sequential_')
    x = tf.input({'shape': [1]})
    assert x.sourceLayer.name.startswith('input')
    m = tf.model({'inputs': x, 'outputs': tf.layers.dense({'units': 1}).apply(x)})
    assert m.name.startswith('model')


def test_weight_names_and_order():
    model = tf.sequential()
    model.add(tf.layers.dense({'units': 3, 'inputShape': [2], 'name': 'd1'}))
    model.add(tf.layers.batchNormalization({'name': 'bn'}))
    names = [w.originalName for w in model.weights]
    assert names == ['d1/kernel', 'd1/bias', 'bn/gamma', 'bn/beta', 'bn/moving_mean',
                     'bn/moving_variance']
    assert model.countParams() == 2 * 3 + 3 + 4 * 3
    assert [list(w.shape) for w in model.getWeights()] == [[2, 3], [3], [3], [3], [3], [3]]


def test_kwargs_and_snake_case_config():
    a = tf.layers.dense(units=2, input_shape=[3], kernel_initializer='ones', use_bias=False)
    assert a.useBias is False and a.batchInputShape == [None, 3]
    out = a.apply(tf.ones([1, 3]))
    assert out.arraySync() == [[3, 3]]


def test_unknown_config_key_names_the_key_and_suggests():
    with pytest.raises(ValueError, match=r'Unknown config key "unit".*Did you mean "units"'):
        tf.layers.dense({'unit': 3})
    with pytest.raises(ValueError, match='Valid keys are'):
        tf.layers.dropout({'rate': 0.1, 'ratee': 2})


def test_config_round_trip_and_json_round_trip():
    layers = [tf.layers.dense({'units': 3, 'activation': 'relu', 'inputShape': [4]}),
              tf.layers.batchNormalization({'momentum': 0.9}),
              tf.layers.dropout({'rate': 0.3}), tf.layers.reshape({'targetShape': [3, 1]}),
              tf.layers.flatten(), tf.layers.activation({'activation': 'softmax'})]
    for layer in layers:
        config = layer.getConfig()
        clone = type(layer).fromConfig(config)
        assert clone.getConfig() == config
    model = tf.sequential({'layers': layers})
    text = model.toJSON()
    again = tf.models.modelFromJSON(json.loads(text))
    assert json.loads(again.toJSON()) == json.loads(text)


def test_functional_model_shared_layer_and_get_layer():
    x = tf.input({'shape': [3]})
    shared = tf.layers.dense({'units': 3, 'name': 'shared'})
    y = shared.apply(shared.apply(x))
    model = tf.model({'inputs': x, 'outputs': y})
    assert model.getLayer('shared') is shared
    assert model.getLayer(None, 1) is shared
    with pytest.raises(ValueError, match='No such layer: share'):
        model.getLayer('share')
    config = model.toJSON(None, False)
    rebuilt = tf.models.modelFromJSON(config)
    assert len(rebuilt.getLayer('shared').inboundNodes) == 2
    rebuilt.setWeights(model.getWeights())
    inp = tf.ones([2, 3])
    np.testing.assert_allclose(np.asarray(rebuilt.predict(inp)), np.asarray(model.predict(inp)),
                               rtol=1e-6)


def test_trainable_flag_moves_weights():
    d = tf.layers.dense({'units': 2, 'inputShape': [2]})
    model = tf.sequential({'layers': [d]})
    assert len(model.trainableWeights) == 2
    d.trainable = False
    assert len(model.trainableWeights) == 0 and len(model.nonTrainableWeights) == 2


def test_set_weights_checks_shapes():
    d = tf.layers.dense({'units': 2, 'inputShape': [2]})
    tf.sequential({'layers': [d]})
    with pytest.raises(ValueError, match='not compatible'):
        d.setWeights([tf.ones([3, 2]), tf.ones([2])])
    with pytest.raises(ValueError, match='expecting 2 weights'):
        d.setWeights([tf.ones([2, 2])])


def test_sequential_needs_input_shape_first():
    with pytest.raises(ValueError, match='inputShape'):
        tf.sequential().add(tf.layers.dense({'units': 1}))


def test_layer_dispose_refcount():
    d = tf.layers.dense({'units': 2})
    d.apply(tf.ones([1, 2]))
    assert d.dispose()['numDisposedVariables'] == 2
    with pytest.raises(ValueError, match='already disposed'):
        d.apply(tf.ones([1, 2]))


def test_custom_layer_registered_and_loaded():
    class Scale(tf.layers.Layer):
        className = 'ScaleForTest'

        def __init__(self, config=None):
            super().__init__(config)
            self.factor = (config or {}).get('factor', 2)

        def call(self, inputs, kwargs):
            x = inputs[0] if isinstance(inputs, list) else inputs
            return x.mul(self.factor)

        def get_config(self):       # a snake_case override is seen as getConfig
            config = super().getConfig()
            config['factor'] = self.factor
            return config

    tf.serialization.registerClass(Scale)
    model = tf.sequential()
    model.add(tf.layers.dense({'units': 1, 'inputShape': [1], 'kernelInitializer': 'ones'}))
    model.add(Scale({'factor': 3}))
    rebuilt = tf.models.modelFromJSON(model.toJSON(None, False))
    rebuilt.setWeights(model.getWeights())
    assert rebuilt.predict(tf.tensor2d([[2]])).arraySync() == [[6]]
    tf.serialization.clear_custom_classes()
    with pytest.raises(ValueError, match='Unknown layer: ScaleForTest'):
        tf.models.modelFromJSON(model.toJSON(None, False))


def test_config_converters_follow_tfjs_rules():
    py = {'class_name': 'Dense', 'config': {'kernel_initializer': {'class_name': 'VarianceScaling',
                                                                   'config': {'mode': 'fan_avg'}},
                                            'name': 'my_dense'}}
    ts = convert_pythonic_to_ts(py)
    assert ts == {'className': 'Dense', 'config': {'kernelInitializer': {
        'className': 'VarianceScaling', 'config': {'mode': 'fanAvg'}}, 'name': 'my_dense'}}
