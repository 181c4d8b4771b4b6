"""Generic-harness cases for the preprocessing layers (TF.js's and the Keras ones) and the
attention layers.

Each entry: (factory, config, input shape without batch (a list of shapes for multi-input
layers), expected weight names[, options]); see tests/layers/test_layer_harness.py."""

_MHA_WEIGHTS = ['query/kernel', 'query/bias', 'key/kernel', 'key/bias', 'value/kernel',
                'value/bias', 'attention_output/kernel', 'attention_output/bias']
_INT = ('int', 0, 255)
_RANDOM_SIZE = {'train': False, 'random_size': True}

HARNESS_CASES = [
    # TF.js preprocessing
    ('rescaling', {'scale': 1 / 255}, [4, 4, 3], []),
    ('rescaling', {'scale': 2.0, 'offset': -1.0}, [5], [], {'input': _INT}),
    ('centerCrop', {'height': 2, 'width': 3}, [4, 5, 2], []),
    ('centerCrop', {'height': 6, 'width': 6}, [4, 5, 2], []),
    ('centerCrop', {'height': 2, 'width': 2}, [4, 4, 1], [], {'input': _INT, 'train': False}),
    ('resizing', {'height': 3, 'width': 5}, [6, 4, 3], []),
    ('resizing', {'height': 8, 'width': 8, 'interpolation': 'nearest'}, [4, 4, 1], []),
    ('resizing', {'height': 4, 'width': 2, 'cropToAspectRatio': True}, [5, 5, 3], []),
    ('resizing', {'height': 4, 'width': 2, 'padToAspectRatio': True, 'fillValue': 1.0},
     [5, 5, 3], []),
    ('categoryEncoding', {'numTokens': 6}, [4], [], {'input': ('int', 0, 6)}),
    ('categoryEncoding', {'numTokens': 5, 'outputMode': 'oneHot'}, [1], [],
     {'input': ('int', 0, 5)}),
    ('categoryEncoding', {'numTokens': 5, 'outputMode': 'count'}, [3], [],
     {'input': ('int', 0, 5)}),
    # (their symbolic output size is unknown: it changes per call in training)
    ('randomWidth', {'factor': 0.5, 'seed': 1}, [4, 6, 3], [], _RANDOM_SIZE),
    ('randomWidth', {'factor': [0.0, 1.0], 'interpolation': 'nearest'}, [4, 6, 3], [],
     _RANDOM_SIZE),
    ('randomHeight', {'factor': 0.3}, [6, 4, 2], [], _RANDOM_SIZE),
    # Keras preprocessing
    ('normalization', {'mean': [1.0, 2.0, 3.0], 'variance': [1.0, 4.0, 9.0]}, [3], []),
    ('normalization', {'axis': None, 'mean': 3.0, 'variance': 2.0}, [2, 3], []),
    ('normalization', {}, [4], ['mean', 'variance', 'count']),
    ('normalization', {'axis': [1, 2], 'invert': True}, [2, 3], ['mean', 'variance', 'count']),
    ('discretization', {'binBoundaries': [-1.0, 0.0, 1.0]}, [4], []),
    ('discretization', {'binBoundaries': [0.0, 0.5], 'outputMode': 'oneHot'}, [1], []),
    ('discretization', {'binBoundaries': [0.0], 'outputMode': 'multiHot'}, [5], []),
    ('discretization', {'binBoundaries': [-0.5, 0.5], 'outputMode': 'count'}, [5], []),
    ('integerLookup', {'vocabulary': [3, 5, 7]}, [4], [], {'input': ('int', 0, 9)}),
    ('integerLookup', {'vocabulary': [3, 5, 7], 'maskToken': 0, 'outputMode': 'multiHot'},
     [4], [], {'input': ('int', 0, 9)}),
    ('integerLookup', {'vocabulary': [3, 5, 7], 'outputMode': 'tfIdf', 'idfWeights': [1, 2, 3]},
     [4], [], {'input': ('int', 0, 9)}),
    ('randomFlip', {}, [4, 5, 3], []),
    ('randomFlip', {'mode': 'vertical', 'seed': 2}, [4, 5, 3], []),
    ('randomRotation', {'factor': 0.2}, [5, 5, 2], []),
    ('randomRotation', {'factor': [-0.1, 0.3], 'fillMode': 'constant',
                        'interpolation': 'nearest', 'seed': 3}, [5, 5, 2], []),
    ('randomZoom', {'heightFactor': 0.3, 'widthFactor': [-0.2, 0.2], 'fillMode': 'wrap'},
     [5, 6, 1], []),
    ('randomTranslation', {'heightFactor': 0.2, 'widthFactor': 0.3, 'fillMode': 'nearest'},
     [5, 6, 1], []),
    ('randomContrast', {'factor': 0.4, 'seed': 1}, [4, 4, 3], [], {'input': ('uniform', 0, 255)}),
    ('randomBrightness', {'factor': [-0.1, 0.2], 'valueRange': [0, 1]}, [4, 4, 3], [],
     {'input': ('uniform', 0, 1)}),
    ('randomCrop', {'height': 3, 'width': 2}, [5, 6, 3], []),
    ('randomCrop', {'height': 3, 'width': 2, 'dataFormat': 'channelsFirst', 'seed': 5},
     [3, 5, 6], []),
    # attention
    ('multiHeadAttention', {'numHeads': 2, 'keyDim': 3}, [[4, 6], [5, 6]], _MHA_WEIGHTS),
    ('multiHeadAttention', {'numHeads': 2, 'keyDim': 3, 'valueDim': 2, 'outputShape': 4,
                            'dropout': 0.2}, [[4, 6], [5, 3], [5, 7]], _MHA_WEIGHTS),
    ('multiHeadAttention', {'numHeads': 1, 'keyDim': 2, 'useBias': False},
     [[4, 6], [4, 6]], ['query/kernel', 'key/kernel', 'value/kernel', 'attention_output/kernel']),
    ('multiHeadAttention', {'numHeads': 2, 'keyDim': 2, 'attentionAxes': [1, 2]},
     [[2, 3, 4], [2, 3, 4]], _MHA_WEIGHTS),
    ('attention', {}, [[3, 4], [5, 4]], [], {'train': True}),
    ('attention', {'useScale': True, 'scoreMode': 'concat', 'dropout': 0.1},
     [[3, 4], [5, 4], [5, 4]], ['scale', 'concat_score_weight']),
    ('additiveAttention', {}, [[3, 4], [5, 4]], ['scale']),
    ('additiveAttention', {'useScale': False}, [[3, 4], [5, 4], [5, 4]], []),
]
