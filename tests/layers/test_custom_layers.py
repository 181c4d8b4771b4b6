"""Custom layers: subclass tf.layers.Layer, register by name, save and load with weights, under
plain and Keras-style `Custom>Name` class names; registrations can be cleared."""
import json

import numpy as np
import pytest

import tfjs as tf
from tfjs.serialization import convert_pythonic_to_ts
from tfjs.serialization.registry import deserialize


class Affine(tf.layers.Layer):
    """y = x * w + b with one weight per feature (a layer with weights of its own)."""
    className = 'AffineForTest'

    def __init__(self, config=None, **kwargs):
        super().__init__(config, **kwargs)
        self.offset = (config or {}).get('offset', 0.0)

    def build(self, input_shape):
        self.w = self.addWeight('w', [input_shape[-1]], 'float32', tf.initializers.ones())
        self.b = self.addWeight('b', [input_shape[-1]], 'float32', tf.initializers.zeros())
        self.built = True

    def call(self, inputs, kwargs):
        x = inputs[0] if isinstance(inputs, list) else inputs
        return x.mul(self.w.read()).add(self.b.read()).add(self.offset)

    def getConfig(self):
        config = super().getConfig()
        config['offset'] = self.offset
        return config


@pytest.fixture
def registered():
    tf.serialization.registerClass(Affine)
    yield
    tf.serialization.clear_custom_classes()


def _model():
    m = tf.sequential()
    m.add(tf.layers.dense({'units': 3, 'inputShape': [2]}))
    m.add(Affine({'offset': 0.5}))
    m.layers[1].setWeights([tf.tensor([1.0, 2.0, 3.0]), tf.tensor([0.1, 0.2, 0.3])])
    return m


def test_saved_and_loaded_with_weights(registered, tmp_path):
    m = _model()
    x = tf.tensor([[1.0, -2.0], [0.5, 3.0]])
    m.save(f'file://{tmp_path}/m')
    loaded = tf.loadLayersModel(f'file://{tmp_path}/m/model.json')
    assert type(loaded.layers[1]) is Affine and loaded.layers[1].offset == 0.5
    np.testing.assert_allclose(np.asarray(loaded.predict(x)), np.asarray(m.predict(x)), rtol=1e-6)
    names = [w['name'] for w in json.load(open(tmp_path / 'm' / 'model.json'))
             ['weightsManifest'][0]['weights']]
    assert names[2:] == [f'{m.layers[1].name}/w', f'{m.layers[1].name}/b']


def test_keras_style_package_name_loads(registered, tmp_path):
    m = _model()
    m.save(f'file://{tmp_path}/m')
    path = tmp_path / 'm' / 'model.json'
    doc = json.load(open(path))
    for layer in doc['modelTopology']['config']['layers']:
        if layer['class_name'] == 'AffineForTest':
            layer['class_name'] = 'Custom>AffineForTest'
    path.write_text(json.dumps(doc))
    loaded = tf.loadLayersModel(f'file://{path}')
    assert type(loaded.layers[1]) is Affine


def test_cleared_registration_gives_a_clear_error(tmp_path):
    tf.serialization.registerClass(Affine)
    _model().save(f'file://{tmp_path}/m')
    tf.serialization.clear_custom_classes()
    with pytest.raises(ValueError, match='(?s)Unknown layer: AffineForTest.*registerClass'):
        tf.loadLayersModel(f'file://{tmp_path}/m/model.json')


def test_custom_objects_instead_of_registration(tmp_path):
    tf.serialization.registerClass(Affine)
    _model().save(f'file://{tmp_path}/m')
    tf.serialization.clear_custom_classes()
    topology = json.load(open(tmp_path / 'm' / 'model.json'))['modelTopology']
    rebuilt = deserialize(convert_pythonic_to_ts(topology), {'AffineForTest': Affine}, kind='model')
    assert type(rebuilt.layers[1]) is Affine
