"""TF.js's preprocessing layers (rescaling, centerCrop, resizing, categoryEncoding, randomWidth;
RandomHeight is not in TF.js 4.22's bundle) against TF.js 4.22 through the generic parity
check, plus the places where TF.js is wrong and we follow Keras (each documented and pinned
here, TF.js's side included, so a change on either side shows up):

- resizing samples with aligned corners by default (it passes `!cropToAspectRatio` as
  `alignCorners`) and never crops with `cropToAspectRatio`; its computeOutputShape drops the
  batch axis. Compared here: the configurations where both samplings agree (2x
  nearest-neighbour upscaling, unchanged sizes): outputs, dtypes, and gradients on one image
  (TF.js's resizeNearestNeighbor gradient is wrong past the first image of a batch).
- centerCrop: TF.js has no gradient for its cropAndResize, so values and dtypes only.
- centerCrop moves the window one pixel right when the width shrinks by exactly one, and
  stretches smaller images without cropping to the aspect ratio.
- randomWidth ignores `training` and resizes at inference too (its docs say the layer is
  inactive at inference); the random factors come from a different generator.
"""
import numpy as np
import pytest

import tfjs as tf
from layer_parity import check_layer

IMG = [6, 8, 3]

RESCALING = [
    ({'scale': 0.5}, [5], 'float'),
    ({'scale': 1 / 255, 'offset': -1}, IMG, ('int', 0, 256)),
    ({'scale': 2.0, 'offset': 0.25}, [4, 4, 1], 'float'),
    ({'scale': -1.5, 'offset': 0}, [3, 2], ('int', -5, 5)),
]


@pytest.mark.parametrize('config,shape,spec', RESCALING,
                         ids=[str(i) for i in range(len(RESCALING))])
def test_rescaling_parity(oracle, config, shape, spec):
    res = check_layer(oracle, 'rescaling', config, shape, input_spec=spec)
    assert res['outs'][0].dtype == 'float32' and res['theirs']['outs'][0].dtype == np.float32


CENTER_CROP = [
    ({'height': 2, 'width': 4}, [6, 8, 3], 'float'),
    ({'height': 3, 'width': 3}, [5, 7, 2], 'float'),
    ({'height': 4, 'width': 8}, [6, 8, 1], 'float'),        # width unchanged
    ({'height': 1, 'width': 2}, [4, 6, 3], ('int', 0, 255)),
    ({'height': 6, 'width': 5}, [6, 8, 3], 'float'),        # height unchanged
]


@pytest.mark.parametrize('config,shape,spec', CENTER_CROP,
                         ids=[str(i) for i in range(len(CENTER_CROP))])
def test_center_crop_parity(oracle, config, shape, spec):
    # TF.js crops with cropAndResize, whose gradient TF.js does not implement for the image.
    res = check_layer(oracle, 'centerCrop', config, shape, input_spec=spec, gradients=False)
    dtype = 'int32' if spec != 'float' else 'float32'
    assert res['outs'][0].dtype == dtype
    assert str(res['theirs']['outs'][0].dtype) == dtype


def test_center_crop_unbatched_parity(oracle):
    x = np.arange(4 * 6 * 2, dtype=np.float32).reshape(4, 6, 2)   # one image, no batch axis
    check_layer(oracle, 'centerCrop', {'height': 2, 'width': 2}, [6, 2], inputs=[x],
                gradients=False)


JS_CENTER_CROP = """
const layer = tf.layers.centerCrop(args.config);
return layer.apply(args.x);
"""


def test_center_crop_width_minus_one_follows_keras_not_tfjs(oracle):
    # 4x4 -> 3x3: TF.js takes columns 1..3 (wBuffer 0 becomes 1) but rows 0..2; Keras (and
    # we) take rows and columns 0..2, the window at (size - target) // 2 on both axes.
    x = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
    theirs = oracle.eval(JS_CENTER_CROP, {'config': {'height': 3, 'width': 3}, 'x': x})
    ours = tf.layers.centerCrop({'height': 3, 'width': 3}).apply(tf.tensor(x))
    assert np.asarray(theirs)[0, :, :, 0].tolist() == [[1, 2, 3], [5, 6, 7], [9, 10, 11]]
    assert np.asarray(ours)[0, :, :, 0].tolist() == [[0, 1, 2], [4, 5, 6], [8, 9, 10]]


def test_center_crop_of_a_smaller_image_crops_to_the_aspect_ratio(oracle):
    # TF.js stretches the whole 2x4 image to 4x4; Keras (and we) resize its central 2x2.
    x = np.arange(8, dtype=np.float32).reshape(1, 2, 4, 1)
    theirs = np.asarray(oracle.eval(JS_CENTER_CROP, {'config': {'height': 4, 'width': 4}, 'x': x}))
    ours = np.asarray(tf.layers.centerCrop({'height': 4, 'width': 4}).apply(tf.tensor(x)))
    assert theirs.shape == ours.shape == (1, 4, 4, 1)
    central = tf.layers.resizing({'height': 4, 'width': 4}).apply(tf.tensor(x[:, :, 1:3]))
    np.testing.assert_allclose(ours, np.asarray(central))
    assert not np.allclose(ours, theirs)


RESIZING = [
    ({'height': 8, 'width': 12, 'interpolation': 'nearest'}, [4, 6, 3], 'float'),
    ({'height': 6, 'width': 4, 'interpolation': 'nearest'}, [3, 2, 2], ('int', 0, 255)),
    ({'height': 6, 'width': 8}, [6, 8, 3], 'float'),                 # same size: the identity
    ({'height': 6, 'width': 8, 'interpolation': 'nearest'}, [6, 8, 1], ('int', 0, 9)),
    ({'height': 4, 'width': 4, 'interpolation': 'nearest', 'cropToAspectRatio': True},
     [2, 2, 3], 'float'),
]


@pytest.mark.parametrize('config,shape,spec', RESIZING,
                         ids=[str(i) for i in range(len(RESIZING))])
def test_resizing_parity_where_tfjs_samples_correctly(oracle, config, shape, spec):
    # TF.js's computeOutputShape returns [height, width, inputShape[2]] (no batch axis).
    # TF.js's gradients: resizeNearestNeighbor's is wrong for every image but the first of a
    # batch, and resizeBilinear's fails for an unchanged non-square size (a transposed shape),
    # so gradients are compared on one image, nearest only.
    res = check_layer(oracle, 'resizing', config, shape, input_spec=spec,
                      compare_output_shape=False, gradients=False)
    layer = res['layer']
    assert layer.computeOutputShape([None] + shape) == [None, config['height'], config['width'],
                                                        shape[-1]]
    assert str(res['theirs']['outs'][0].dtype) == res['outs'][0].dtype
    if config.get('interpolation') == 'nearest' and spec == 'float':
        check_layer(oracle, 'resizing', config, shape, batch=1, compare_output_shape=False)


def test_resizing_bilinear_uses_half_pixel_centers_not_tfjs_aligned_corners(oracle):
    x = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
    js = """return tf.layers.resizing(args.config).apply(args.x);"""
    config = {'height': 2, 'width': 2, 'interpolation': 'nearest'}
    theirs = np.asarray(oracle.eval(js, {'config': config, 'x': x}))
    ours = np.asarray(tf.layers.resizing(config).apply(tf.tensor(x)))
    assert theirs[0, :, :, 0].tolist() == [[0, 3], [12, 15]]       # aligned corners
    assert ours[0, :, :, 0].tolist() == [[5, 7], [13, 15]]         # Keras / tf.image.resize
    bilinear = np.asarray(tf.layers.resizing({'height': 2, 'width': 2}).apply(tf.tensor(x)))
    assert bilinear[0, :, :, 0].tolist() == [[2.5, 4.5], [10.5, 12.5]]


CATEGORY = [
    ({'numTokens': 6}, [4], ('int', 0, 6), {}),
    ({'numTokens': 5, 'outputMode': 'oneHot'}, [], ('int', 0, 5), {}),
    ({'numTokens': 5, 'outputMode': 'oneHot'}, [1], ('int', 0, 5), {}),
    ({'numTokens': 7, 'outputMode': 'count'}, [5], ('int', 0, 7), {}),
    ({'numTokens': 4, 'outputMode': 'multiHot'}, [3], ('uniform', 0, 4), {}),
]


@pytest.mark.parametrize('config,shape,spec,kwargs', CATEGORY,
                         ids=[str(i) for i in range(len(CATEGORY))])
def test_category_encoding_parity(oracle, config, shape, spec, kwargs):
    # TF.js's denseBincount has no gradient; float ids are cast to int32 (truncated).
    check_layer(oracle, 'categoryEncoding', config, shape, input_spec=spec, kwargs=kwargs,
                gradients=False)


def test_category_encoding_count_weights_parity(oracle):
    ids = np.array([[0, 1, 1], [2, 2, 2], [3, 0, 1]], dtype=np.int32)
    weights = np.array([[0.5, 1, 2], [1, 1, 0.25], [3, 3, 3]], dtype=np.float32)
    check_layer(oracle, 'categoryEncoding', {'numTokens': 4, 'outputMode': 'count'}, [3],
                inputs=[ids], kwargs={'countWeights': weights}, gradients=False)


JS_ERROR = """
try { tf.layers.categoryEncoding(args.config).apply(tf.tensor(args.x, null, 'int32')); }
catch (e) { return e.message; }
return null;
"""


@pytest.mark.parametrize('values', [[[0, 4]], [[-1, 2]]])
def test_category_encoding_range_error_matches_tfjs(oracle, values):
    config = {'numTokens': 4}
    message = oracle.eval(JS_ERROR, {'config': config, 'x': values})
    with pytest.raises(ValueError) as err:
        tf.layers.categoryEncoding(config).apply(tf.tensor(values, None, 'int32'))
    assert str(err.value) == message


def test_category_encoding_count_weights_need_count_mode():
    layer = tf.layers.categoryEncoding({'numTokens': 3})
    with pytest.raises(ValueError, match='countWeights is not used'):
        layer.apply(tf.tensor([[0, 1]], None, 'int32'), {'countWeights': tf.ones([1, 2])})


JS_RANDOM = """
const layer = tf.layers.randomWidth(args.config);
const x = tf.ones(args.shape);
const shapes = [];
for (let i = 0; i < args.calls; i++) shapes.push(layer.apply(x, {training: args.training}).shape);
return {shapes, config: layer.getConfig()};
"""


@pytest.mark.parametrize('height', [False, True])
@pytest.mark.parametrize('config', [{'factor': 0.5, 'seed': 7},
                                    {'factor': [-0.2, 0.6], 'interpolation': 'nearest',
                                     'seed': 3}])
def test_random_width_and_height_shapes_ranges_and_config(oracle, config, height):
    # TF.js 4.22's bundle has RandomWidth only (random_height.ts is in the sources but not
    # compiled in), so RandomHeight is checked against RandomWidth's TF.js behaviour, on the
    # other axis.
    calls = 6
    theirs = oracle.eval(JS_RANDOM, {'config': config, 'calls': calls, 'training': True,
                                     'shape': [2, 5, 10, 3]})
    layer = (tf.layers.randomHeight if height else tf.layers.randomWidth)(dict(config))
    shape = [2, 10, 5, 3] if height else [2, 5, 10, 3]
    axis = 1 if height else 2
    factor = config['factor']
    lo, hi = (-factor, factor) if not isinstance(factor, list) else factor
    allowed = range(int(np.floor((1 + lo) * 10)), int(np.ceil((1 + hi) * 10)) + 1)
    ours = [layer.apply(tf.ones(shape), {'training': True}).shape for _ in range(calls)]
    for s in theirs['shapes']:
        assert s[:2] + s[3:] == [2, 5, 3] and s[2] in allowed
    for s in ours:
        assert s[:axis] + s[axis + 1:] == shape[:axis] + shape[axis + 1:] and s[axis] in allowed
    # the seed advances once per call, as TF.js's getConfig shows
    theirs_conf = {k: v for k, v in theirs['config'].items() if k != 'name'}
    ours_conf = {k: v for k, v in layer.getConfig().items() if k != 'name'}
    assert ours_conf == theirs_conf
    # seeded: reproducible here
    again = (tf.layers.randomHeight if height else tf.layers.randomWidth)(dict(config))
    assert [again.apply(tf.ones(shape), {'training': True}).shape for _ in range(calls)] == ours


def test_random_width_is_the_identity_at_inference_unlike_tfjs(oracle):
    config = {'factor': [0.5, 0.9], 'seed': 1}
    theirs = oracle.eval(JS_RANDOM, {'config': config, 'shape': [1, 4, 4, 1], 'calls': 1,
                                     'training': False, 'height': False})
    assert theirs['shapes'][0][2] > 4                     # TF.js resizes at inference (bug)
    x = tf.randomNormal([1, 4, 4, 1])
    layer = tf.layers.randomWidth(config)
    np.testing.assert_array_equal(np.asarray(layer.apply(x)), np.asarray(x))
    assert layer.getConfig()['seed'] == 1                # no random call was made


@pytest.mark.parametrize('config,message', [
    ({'factor': -0.5}, 'Invalid factor: -0.5. Must be positive number or tuple of 2 numbers'),
    ({'factor': [-5, 0.3]}, 'factor must have values larger than -1. Got: -5,0.3'),
    ({'factor': 0.5, 'interpolation': 'cubic'}, 'Invalid interpolation parameter: cubic is not '
                                                 'implemented'),
])
def test_random_width_validation(config, message):
    with pytest.raises(ValueError) as err:
        tf.layers.randomWidth(config)
    assert message.split(' Got: ')[0] in str(err.value)


def test_random_width_interpolation_and_dtypes():
    x = tf.tensor(np.arange(16, dtype=np.int32).reshape(1, 4, 4, 1), None, 'int32')
    nearest = tf.layers.randomWidth({'factor': [1, 1], 'interpolation': 'nearest', 'seed': 0})
    y = nearest.apply(x, {'training': True})
    assert y.dtype == 'int32' and y.shape == [1, 4, 8, 1]
    assert np.asarray(y)[0, 0, :, 0].tolist() == [0, 0, 1, 1, 2, 2, 3, 3]
    bilinear = tf.layers.randomWidth({'factor': [1, 1], 'seed': 0})
    assert bilinear.apply(x, {'training': True}).dtype == 'float32'


def test_random_height_is_deserializable_and_has_a_factory():
    from tfjs.serialization.registry import deserialize
    layer = deserialize({'className': 'RandomHeight', 'config': {'factor': 0.2}}, kind='layer')
    assert layer.getClassName() == 'RandomHeight'
    assert tf.layers.random_height({'factor': 0.2}).getConfig()['factor'] == 0.2
