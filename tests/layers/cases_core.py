"""Generic-harness cases for the core, normalization and merge layers.

Each entry: (factory, config, input shape without batch (a list of shapes for multi-input
layers), expected weight names[, options]); see tests/layers/test_layer_harness.py."""

HARNESS_CASES = [
    ('dense', {'units': 3}, [4], ['kernel', 'bias']),
    ('dense', {'units': 2, 'useBias': False, 'activation': 'tanh'}, [5, 4], ['kernel']),
    ('flatten', {}, [2, 3], []),
    ('flatten', {'dataFormat': 'channelsFirst'}, [2, 3, 2], []),
    ('activation', {'activation': 'relu'}, [3], []),
    ('dropout', {'rate': 0.5}, [3], []),
    ('reshape', {'targetShape': [2, -1]}, [6], []),
    ('batchNormalization', {}, [3], ['gamma', 'beta', 'moving_mean', 'moving_variance']),
    ('batchNormalization', {'axis': 1, 'center': False}, [3, 2],
     ['gamma', 'moving_mean', 'moving_variance']),
    ('add', {}, [[3], [3]], []),
    ('multiply', {}, [[3], [3]], []),
    ('average', {}, [[3], [3]], []),
    ('maximum', {}, [[3], [3]], []),
    ('minimum', {}, [[3], [3]], []),
    ('concatenate', {'axis': -1}, [[3], [2]], []),
    ('subtract', {}, [[3], [3]], []),
    ('subtract', {}, [[2, 3], [1, 3]], []),
]
