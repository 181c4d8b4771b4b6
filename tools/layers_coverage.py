"""Regenerate docs/layers.md: every `tf.layers` factory of TF.js 4.22 and every Keras layer we
load beyond TF.js, with its status in `tfjs` (done / not yet).

The TF.js list is read from TF.js itself, run by Node (the oracle in tests/js): every function
of `tf.layers` plus every layer class name TF.js's serialization registry knows. The Keras list
is `KERAS_EXTRAS` below (the layers issue 4 asks for beyond TF.js). A layer is done when its
factory exists in `tfjs.layers` and its class name deserializes. Re-run whenever layers land:

    .venv/bin/python tools/layers_coverage.py      # writes docs/layers.md, prints the counts
"""
from __future__ import annotations

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'parity'))
sys.path.insert(0, ROOT)
OUT = os.path.join(ROOT, 'docs', 'layers.md')

# (Keras class name, our factory) for the layers Keras models carry and TF.js lacks.
KERAS_EXTRAS = [
    ('Conv1DTranspose', 'conv1dTranspose'), ('SeparableConv1D', 'separableConv1d'),
    ('DepthwiseConv1D', 'depthwiseConv1d'), ('ZeroPadding1D', 'zeroPadding1d'),
    ('ZeroPadding3D', 'zeroPadding3d'), ('Cropping1D', 'cropping1D'), ('Cropping3D', 'cropping3D'),
    ('UpSampling1D', 'upSampling1d'), ('UpSampling3D', 'upSampling3d'),
    ('GlobalAveragePooling3D', 'globalAveragePooling3d'),
    ('GlobalMaxPooling3D', 'globalMaxPooling3d'),
    ('SpatialDropout2D', 'spatialDropout2d'), ('SpatialDropout3D', 'spatialDropout3d'),
    ('Identity', 'identity'), ('ActivityRegularization', 'activityRegularization'),
    ('GroupNormalization', 'groupNormalization'), ('UnitNormalization', 'unitNormalization'),
    ('MultiHeadAttention', 'multiHeadAttention'), ('Attention', 'attention'),
    ('AdditiveAttention', 'additiveAttention'), ('Normalization', 'normalization'),
    ('Discretization', 'discretization'), ('RandomFlip', 'randomFlip'),
    ('RandomRotation', 'randomRotation'), ('RandomZoom', 'randomZoom'),
    ('RandomContrast', 'randomContrast'), ('RandomCrop', 'randomCrop'),
    ('RandomTranslation', 'randomTranslation'), ('RandomBrightness', 'randomBrightness'),
    ('RandomHeight', 'randomHeight'), ('StringLookup', 'stringLookup'),
    ('IntegerLookup', 'integerLookup'), ('Lambda', 'lambdaLayer'), ('Subtract', 'subtract'),
]
# Behaviours beyond TF.js that have no class of their own; checked by the tests named.
KERAS_BEHAVIOURS = [
    ('GRU `resetAfter: true`', 'tests/layers/test_recurrent_keras.py'),
    ('Conv1D `padding: causal`', 'tests/layers/test_conv_keras.py'),
    ('ELU with any alpha', 'tests/layers/test_misc_keras.py'),
    ('Softmax with Keras\'s axis', 'tests/layers/test_misc_keras.py'),
]

JS = r"""
const factories = Object.keys(tf.layers).filter(k => typeof tf.layers[k] === 'function'
                                                 && !/^[A-Z]/.test(k)).sort();
const classOf = {};
for (const k of factories) {
  try {
    const probe = {
      inputLayer: {inputShape: [1]}, rnn: {cell: tf.layers.lstmCell({units: 1})},
      stackedRNNCells: {cells: [tf.layers.lstmCell({units: 1})]},
      bidirectional: {layer: tf.layers.lstm({units: 1})},
      timeDistributed: {layer: tf.layers.dense({units: 1})},
    }[k] || {units: 1, filters: 1, kernelSize: 1, rate: 0.5, stddev: 1, n: 1, dims: [1],
             targetShape: [1], inputDim: 1, outputDim: 1, cropping: 1, axes: 1, scale: 1,
             height: 1, width: 1, numTokens: 1, factor: 0.1, activation: 'relu'};
    classOf[k] = tf.layers[k](probe).getClassName();
  } catch (e) { classOf[k] = null; }
}
return {factories, classOf};
"""


def tfjs_layer_list(oracle=None) -> dict:
    """{'factories': [...], 'classOf': {factory: className}} from TF.js in Node."""
    from oracle import Oracle
    own = oracle is None
    oracle = oracle or Oracle()
    try:
        return oracle.eval(JS, {}, timeout=120)
    finally:
        if own:
            oracle.close()


# built from Python only, never deserialized from a file (loading one is a clear error)
NEVER_LOADED = {'Lambda'}


def status_of(factory: str, class_name: str | None) -> str:
    import tfjs as tf
    from tfjs.serialization.registry import SerializationMap
    if getattr(tf.layers, factory, None) is None:
        return 'not yet'
    if class_name and class_name not in NEVER_LOADED and \
            class_name not in SerializationMap.class_name_map:
        return 'not yet'
    return 'done'


def render(info: dict) -> tuple:
    rows, counts = [], {'done': 0, 'not yet': 0}
    for factory in info['factories']:
        cls = info['classOf'].get(factory)
        st = status_of(factory, cls)
        counts[st] += 1
        rows.append(f'| `tf.layers.{factory}` | {cls or ""} | {st} |')
    extra_rows, extra_counts = [], {'done': 0, 'not yet': 0}
    for cls, factory in KERAS_EXTRAS:
        st = status_of(factory, cls)
        extra_counts[st] += 1
        extra_rows.append(f'| {cls} | `tf.layers.{factory}` | {st} |')
    lines = ['# Layers coverage', '',
             'Generated by `tools/layers_coverage.py` from TF.js 4.22 itself (do not edit by hand; '
             're-run the script). "done" means the factory exists here and the class name '
             'deserializes; each layer is tested by the generic harness (tests/layers/'
             'test_layer_harness.py) and against TF.js or Keras (tests/layers/test_*_parity.py, '
             'test_*_keras.py).', '',
             f'## TF.js `tf.layers` ({counts["done"]} of {sum(counts.values())} done)', '',
             '| factory | class | status |', '|---|---|---|'] + rows + [
             '', f'## Keras layers beyond TF.js ({extra_counts["done"]} of '
             f'{sum(extra_counts.values())} done)', '', '| Keras class | factory | status |',
             '|---|---|---|'] + extra_rows + [
             '', '## Keras behaviours beyond TF.js', '', '| behaviour | tested in |', '|---|---|']
    lines += [f'| {what} | `{where}` |' for what, where in KERAS_BEHAVIOURS]
    return '\n'.join(lines) + '\n', counts, extra_counts


def main() -> None:
    text, counts, extra = render(tfjs_layer_list())
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w', encoding='utf-8') as f:
        f.write(text)
    print(f'wrote {os.path.relpath(OUT, ROOT)}: TF.js {counts["done"]} of {sum(counts.values())} '
          f'done; Keras extras {extra["done"]} of {sum(extra.values())} done')


if __name__ == '__main__':
    main()
