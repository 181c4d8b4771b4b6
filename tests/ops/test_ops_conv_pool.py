"""Differential cases for convolution, pooling, fused ops, localResponseNormalization,
batchNorm2d/3d/4d and dropout, against TF.js 4.22."""
import numpy as np
import pytest

import tfjs as tf
from harness import Case, Raw, assert_all_agree, run_cases

RS = np.random.RandomState(11)


def r(*shape):
    return RS.randn(*shape).astype(np.float32)


X4 = r(2, 5, 6, 3)
X3 = r(5, 6, 3)
F4 = r(3, 2, 3, 4)
F1 = r(3, 3, 2)
X1 = r(2, 7, 3)
TIES = np.array([[[[1], [1], [0]], [[1], [1], [2]], [[2], [0], [2]]]], np.float32)
EDGE = np.array([[[[np.nan], [1]], [[-np.inf], [np.inf]], [[0], [-0.0]]]], np.float32)
NANS = np.array([[[[np.nan], [1]], [[2], [np.nan]], [[np.nan], [np.nan]]]], np.float32)

CASES = []
# conv2d: every padding kind, strides, dilations, rank 3, NCHW, rounding modes
for pad in ['valid', 'same', 1, Raw([[0, 0], [1, 2], [0, 1], [0, 0]])]:
    for strides in [1, 2, Raw([1, 2])]:
        CASES.append(Case('conv2d', [X4, F4, strides, pad], grad=True, name=f'conv2d pad={pad} s={strides}'))
CASES += [Case('conv2d', [X3, F4, 1, 'same'], grad=True, name='conv2d rank 3'),
          Case('conv2d', [X4, F4, 1, 'same', 'NHWC', 2], grad=True, name='conv2d dilation 2'),
          Case('conv2d', [X4, F4, 1, 'valid', 'NHWC', Raw([2, 1])], grad=True, name='conv2d dilation [2,1]'),
          Case('conv2d', [X4.transpose(0, 3, 1, 2).copy(), F4, 2, 'same', 'NCHW'], grad=True, name='conv2d NCHW'),
          Case('conv2d', [X4, F4, 2, 1, 'NHWC', 1, 'ceil'], name='conv2d ceil'),   # TF.js's gradient ignores the rounding mode
          Case('conv2d', [X4, F4, 2, 2, 'NHWC', 1, 'round'], grad=True, name='conv2d round'),
          Case('conv2d', [X4, F4, 2, 1, 'NHWC', 1, 'floor'], grad=True, name='conv2d floor'),
          Case('conv2d', [X4, F4, 1, 'same', 'NHWC', 1, 'ceil'], raises=True, name='conv2d string pad + rounding'),
          Case('conv2d', [X4, F4, 2, 'same', 'NHWC', 2], raises=True, name='conv2d strides and dilations'),
          Case('conv2d', [X4, r(3, 2, 2, 4), 1, 'same'], raises=True, name='conv2d depth mismatch'),
          Case('conv2d', [X4.astype(np.int32), F4, 1, 'same'], raises=True, name='conv2d int32'),
          Case('conv2d', [r(5, 6), F4, 1, 'same'], raises=True, name='conv2d rank 2'),
          Case('conv2d', [EDGE, r(2, 2, 1, 1), 1, 'valid'], name='conv2d edge values'),
          Case('conv2d', [r(1, 3, 3, 2), r(1, 1, 2, 3), 1, 'valid'], grad=True, name='conv2d 1x1')]
# conv1d
CASES += [Case('conv1d', [X1, F1, 1, 'same'], grad=True), Case('conv1d', [X1, F1, 2, 'valid'], grad=True),
          Case('conv1d', [X1[0], F1, 1, 'same', 'NWC', 2], grad=True, name='conv1d rank 2 dilation'),
          Case('conv1d', [X1, F1, 1, 'same', 'NCW'], raises=True, name='conv1d NCW'),
          Case('conv1d', [X1, F1, 2, 'same', 'NWC', 2], raises=True, name='conv1d stride and dilation')]
# conv2dTranspose
FT = r(3, 3, 2, 3)   # [h, w, out, in]
CASES += [Case('conv2dTranspose', [r(2, 3, 3, 3), FT, Raw([2, 5, 5, 2]), 2, 'same'], grad=True, name='conv2dTranspose same'),
          Case('conv2dTranspose', [r(2, 3, 3, 3), FT, Raw([2, 6, 6, 2]), 2, 'same'], grad=True, name='conv2dTranspose same even'),
          Case('conv2dTranspose', [r(2, 3, 3, 3), FT, Raw([2, 7, 7, 2]), 2, 'valid'], grad=True, name='conv2dTranspose valid'),
          Case('conv2dTranspose', [r(2, 3, 3, 3), FT, Raw([2, 8, 8, 2]), 2, 'valid'], grad=True, name='conv2dTranspose valid extra'),
          Case('conv2dTranspose', [r(3, 3, 3), FT, Raw([3, 3, 2]), 1, 1], grad=True, name='conv2dTranspose rank 3 pad 1'),
          Case('conv2dTranspose', [r(1, 4, 3, 3), FT, Raw([1, 4, 3, 2]), 1, 'same'], grad=True, name='conv2dTranspose s1'),
          Case('conv2dTranspose', [r(2, 3, 3, 3), FT, Raw([2, 5, 5, 3]), 2, 'same'], raises=True, name='conv2dTranspose depth')]
# conv3d / conv3dTranspose
X5 = r(1, 4, 5, 4, 2)
F5 = r(2, 3, 2, 2, 3)
CASES += [Case('conv3d', [X5, F5, 1, 'same'], grad=True), Case('conv3d', [X5, F5, 2, 'valid'], grad=True),
          Case('conv3d', [X5, F5, 2, 'same'], grad=True, name='conv3d same s2'),
          Case('conv3d', [X5[0], F5, Raw([1, 2, 1]), 'same'], grad=True, name='conv3d rank 4'),
          Case('conv3d', [X5, F5, 1, 'valid', 'NDHWC', 2], grad=True, name='conv3d dilation'),
          Case('conv3d', [X5, F5, 1, 'same', 'NCDHW'], raises=True, name='conv3d NCDHW'),
          Case('conv3dTranspose', [r(1, 2, 3, 2, 3), r(2, 3, 2, 2, 3), Raw([1, 4, 5, 4, 2]), 2, 'same'], grad=True),
          Case('conv3dTranspose', [r(2, 3, 2, 3), r(2, 3, 2, 2, 3), Raw([3, 5, 3, 2]), 1, 'valid'], grad=True, name='conv3dTranspose valid')]
# depthwise / separable
FD = r(3, 2, 3, 2)
CASES += [Case('depthwiseConv2d', [X4, FD, 1, 'same'], grad=True),
          Case('depthwiseConv2d', [X4, FD, 2, 'valid'], grad=True, name='depthwiseConv2d s2 valid'),
          Case('depthwiseConv2d', [X3, FD, 1, 'same', 'NHWC', 2], grad=True, name='depthwiseConv2d dilation'),
          Case('depthwiseConv2d', [X4, FD, 2, 1, 'NHWC', 1, 'ceil'], name='depthwiseConv2d ceil'),
          Case('depthwiseConv2d', [X4, FD, Raw([2, 1]), Raw([[0, 0], [2, 0], [1, 1], [0, 0]])], grad=True, name='depthwiseConv2d explicit'),
          Case('depthwiseConv2d', [X4, r(3, 2, 2, 2), 1, 'same'], raises=True, name='depthwiseConv2d channels'),
          Case('separableConv2d', [X4, FD, r(1, 1, 6, 4), 1, 'same'], grad=True),
          Case('separableConv2d', [X3, FD, r(1, 1, 6, 2), 2, 'valid'], grad=True, name='separableConv2d rank 3'),
          Case('separableConv2d', [X4, FD, r(1, 1, 6, 4), 1, 'same', 2], grad=True, name='separableConv2d dilation'),
          Case('separableConv2d', [X4, FD, r(1, 1, 5, 4), 1, 'same'], raises=True, name='separableConv2d bad pointwise'),
          Case('separableConv2d', [X4, FD, r(1, 1, 6, 4), 1, 'same', 1, 'NCHW'], raises=True, name='separableConv2d NCHW')]
# dilation2d
CASES += [Case('dilation2d', [X4, r(2, 3, 3), 1, 'same'], grad=True),
          Case('dilation2d', [X4, r(2, 2, 3), 2, 'valid'], grad=True, name='dilation2d s2'),
          Case('dilation2d', [X3, r(2, 2, 3), 1, 'same', 2], grad=True, name='dilation2d rank 3 dilated'),
          Case('dilation2d', [TIES, np.zeros([2, 2, 1], np.float32), 1, 'same'], grad=True, name='dilation2d ties'),
          Case('dilation2d', [X4, r(2, 2, 2), 1, 'same'], raises=True, name='dilation2d depth')]
# pooling
for op in ['maxPool', 'avgPool']:
    for pad in ['valid', 'same', 1]:
        for k, s in [(2, 2), (3, 1), (Raw([3, 2]), Raw([2, 1]))]:
            CASES.append(Case(op, [X4, k, s, pad], grad=op == 'maxPool' or pad == 'valid',
                              name=f'{op} k={k} s={s} pad={pad}'))
    CASES += [Case(op, [X3, 2, 1, 'same'], name=f'{op} rank 3', grad=op == 'maxPool'),
              Case(op, [X4, 3, 2, 1, 'ceil'], name=f'{op} ceil'),
              Case(op, [X4, 3, 2, 1, 'round'], name=f'{op} round'),
              Case(op, [X4, 2, 2, 1, 'ceil'], name=f'{op} ceil empty window'),
              Case(op, [X4, 3, 2, Raw([[0, 0], [1, 1], [0, 2], [0, 0]])], name=f'{op} explicit'),
              Case(op, [X4, 3, 2, 'same', 'ceil'], raises=True, name=f'{op} string pad rounding'),
              Case(op, [r(4, 4), 2, 2, 'valid'], raises=True, name=f'{op} rank 2'),
              Case(op, [EDGE, 2, 1, 'valid'], name=f'{op} edge values'),
              Case(op, [NANS, 2, 1, 'valid'], name=f'{op} NaN')]
CASES += [Case('maxPool', [TIES, 2, 1, 'valid'], grad=True, name='maxPool ties'),
          Case('maxPool', [TIES, 3, 1, 'same'], grad=True, name='maxPool ties same'),
          Case('maxPool', [X4.round().astype(np.int32), 2, 2, 'same'], name='maxPool int32'),
          Case('avgPool', [X4.astype(np.int32), 2, 2, 'same'], raises=True, name='avgPool int32'),
          Case('avgPool', [X4, 2, 2, 'valid'], grad=True, name='avgPool valid grad'),
          Case('maxPool', [np.zeros([1, 0, 3, 2], np.float32), 1, 1, 'valid'], name='maxPool empty')]
X5P = r(2, 4, 5, 4, 2)
for op in ['maxPool3d', 'avgPool3d']:
    CASES += [Case(op, [X5P, 2, 2, 'valid'], grad=True), Case(op, [X5P, 3, 1, 'same'], grad=op == 'maxPool3d', name=f'{op} same'),
              Case(op, [X5P[0], Raw([2, 3, 2]), Raw([1, 2, 2]), 'same'], name=f'{op} rank 4'),
              Case(op, [X5P, 2, 2, 1, 'ceil'], name=f'{op} ceil'),
              Case(op, [X5P, 2, 2, 'valid', None, 'NCDHW'], raises=True, name=f'{op} NCDHW')]
for inc in [False, True]:
    for pad in ['valid', 'same']:
        CASES.append(Case('maxPoolWithArgmax', [X4, 3, 2, pad, inc], name=f'maxPoolWithArgmax {pad} {inc}'))
CASES += [Case('maxPoolWithArgmax', [TIES, 2, 1, 'valid'], name='maxPoolWithArgmax ties')]
for kind in ['max', 'avg']:
    CASES += [Case('pool', [X4, 3, kind, 'same'], grad=kind == 'max', name=f'pool {kind} same'),
              Case('pool', [X4, 2, kind, 'valid', 1, 2], grad=True, name=f'pool {kind} strided'),
              Case('pool', [X4, 2, kind, 'same', 2], grad=True, name=f'pool {kind} dilated same'),
              Case('pool', [X3, Raw([2, 3]), kind, 'valid', Raw([2, 1])], grad=True, name=f'pool {kind} dilated valid'),
              Case('pool', [X4, 2, kind, 0, 1, 1], name=f'pool {kind} pad 0'),
              Case('pool', [X4, 2, kind, 'same', 2, 2], raises=True, name=f'pool {kind} strides and dilations')]

# fused
A, B = r(3, 4), r(4, 5)
BIAS5 = r(5)
ACTS = ['linear', 'relu', 'relu6', 'elu', 'sigmoid']
for act in ACTS:
    CASES.append(Case('fused.matMul', [A * 4, B, BIAS5], grad=True, name=f'fused.matMul {act}',
                      py=lambda tf, a, b, bias, act=act: tf.fused.matMul({'a': a, 'b': b, 'bias': bias, 'activation': act}),
                      js=f"tf.fused.matMul({{a: a[0], b: a[1], bias: a[2], activation: '{act}'}})"))
    CASES.append(Case('fused.conv2d', [X4 * 3, F4, r(4)], grad=True, name=f'fused.conv2d {act}',
                      py=lambda tf, x, f, bias, act=act: tf.fused.conv2d({'x': x, 'filter': f, 'strides': 1, 'pad': 'same', 'bias': bias, 'activation': act}),
                      js=f"tf.fused.conv2d({{x: a[0], filter: a[1], strides: 1, pad: 'same', bias: a[2], activation: '{act}'}})"))
    CASES.append(Case('fused.depthwiseConv2d', [X4 * 3, FD, r(6)], grad=True, name=f'fused.depthwiseConv2d {act}',
                      py=lambda tf, x, f, bias, act=act: tf.fused.depthwiseConv2d({'x': x, 'filter': f, 'strides': 2, 'pad': 'valid', 'bias': bias, 'activation': act}),
                      js=f"tf.fused.depthwiseConv2d({{x: a[0], filter: a[1], strides: 2, pad: 'valid', bias: a[2], activation: '{act}'}})"))
CASES += [Case('fused.matMul', [A, B.T.copy(), r(3, 1), r(5)], grad=True, name='fused.matMul transposeB prelu',
               py=lambda tf, a, b, bias, w: tf.fused.matMul({'a': a, 'b': b, 'transposeB': True, 'bias': bias, 'activation': 'prelu', 'preluActivationWeights': w}),
               js="tf.fused.matMul({a: a[0], b: a[1], transposeB: true, bias: a[2], activation: 'prelu', preluActivationWeights: a[3]})"),
          Case('fused.matMul', [A.T.copy(), B], grad=True, name='fused.matMul transposeA leakyrelu',
               py=lambda tf, a, b: tf.fused.matMul({'a': a, 'b': b, 'transposeA': True, 'activation': 'leakyrelu', 'leakyreluAlpha': 0.3}),
               js="tf.fused.matMul({a: a[0], b: a[1], transposeA: true, activation: 'leakyrelu', leakyreluAlpha: 0.3})"),
          Case('fused.matMul', [A, B], raises=True, name='fused.matMul bad activation',
               py=lambda tf, a, b: tf.fused.matMul({'a': a, 'b': b, 'activation': 'tanh'}),
               js="tf.fused.matMul({a: a[0], b: a[1], activation: 'tanh'})"),
          Case('fused.matMul', [A, A], raises=True, name='fused.matMul shapes',
               py=lambda tf, a, b: tf.fused.matMul({'a': a, 'b': b}), js="tf.fused.matMul({a: a[0], b: a[1]})"),
          Case('fused.conv2d', [X4, F4, r(4)], grad=True, name='fused.conv2d leakyrelu dilated',
               py=lambda tf, x, f, bias: tf.fused.conv2d({'x': x, 'filter': f, 'strides': 1, 'pad': 'valid', 'dilations': 2, 'bias': bias, 'activation': 'leakyrelu', 'leakyreluAlpha': 0.1}),
               js="tf.fused.conv2d({x: a[0], filter: a[1], strides: 1, pad: 'valid', dilations: 2, bias: a[2], activation: 'leakyrelu', leakyreluAlpha: 0.1})"),
          Case('fused.conv2d', [X4, F4, r(4)], grad=True, name='fused.conv2d prelu',
               py=lambda tf, x, f, w: tf.fused.conv2d({'x': x, 'filter': f, 'strides': 2, 'pad': 'same', 'activation': 'prelu', 'preluActivationWeights': w}),
               js="tf.fused.conv2d({x: a[0], filter: a[1], strides: 2, pad: 'same', activation: 'prelu', preluActivationWeights: a[2]})"),
          Case('fused.conv2d', [X3, F4], grad=True, name='fused.conv2d rank 3 no bias',
               py=lambda tf, x, f: tf.fused.conv2d({'x': x, 'filter': f, 'strides': 1, 'pad': 'same'}),
               js="tf.fused.conv2d({x: a[0], filter: a[1], strides: 1, pad: 'same'})")]

# normalization extras
X4L = r(2, 3, 4, 7)
CASES += [Case('localResponseNormalization', [X4L], grad=True),
          Case('localResponseNormalization', [X4L, 2, 1.5, 0.3, 0.75], grad=True, name='lrn options'),
          Case('localResponseNormalization', [X4L[0], 1, 2, 1, 1], grad=True, name='lrn rank 3'),
          Case('localResponseNormalization', [X4L, 10], grad=True, name='lrn wide radius'),
          Case('localResponseNormalization', [X4L, 1.5], raises=True, name='lrn fractional radius'),
          Case('localResponseNormalization', [r(3, 4)], raises=True, name='lrn rank 2')]
for op, x in [('batchNorm2d', r(3, 4)), ('batchNorm3d', r(2, 3, 4)), ('batchNorm4d', r(2, 2, 3, 4))]:
    ch = x.shape[-1]
    pos = (np.abs(r(ch)) + 0.5).astype(np.float32)
    CASES += [Case(op, [x, r(ch), pos, r(ch), pos * 2, 0.01], grad=True),
              Case(op, [x, r(ch), pos], grad=True, name=f'{op} no offset/scale'),
              Case(op, [x[0], r(ch), pos], raises=True, name=f'{op} wrong rank'),
              Case(op, [x, r(2, ch), pos], raises=True, name=f'{op} bad mean rank')]
CASES += [Case('dropout', [X4, 0], name='dropout rate 0'),
          Case('dropout', [X4, 1], raises=True, name='dropout rate 1'),
          Case('dropout', [X4, -0.1], raises=True, name='dropout negative rate'),
          Case('dropout', [X4.astype(np.int32), 0.5], raises=True, name='dropout int32')]


def test_conv_pool_ops_agree_with_tfjs(oracle):
    assert_all_agree(run_cases(oracle, CASES))


def test_dropout_scales_kept_values():
    x = tf.ones([200, 50])
    y = tf.dropout(x, 0.3, None, 1).arraySync()
    vals = np.array(y)
    kept = vals != 0
    assert np.allclose(vals[kept], 1 / 0.7)
    assert 0.6 < kept.mean() < 0.8
    z = np.array(tf.dropout(x, 0.5, [200, 1], 'abc').arraySync())
    assert all(len(set(row)) == 1 for row in z.tolist())   # noiseShape broadcasts along axis 1
    a = np.array(tf.dropout(x, 0.5, None, 7).arraySync())
    b = np.array(tf.dropout(x, 0.5, None, 7).arraySync())
    assert np.array_equal(a, b)                             # a seed makes it reproducible


def test_avg_pool_gradient_is_that_of_the_forward_pass():
    """TF.js divides the avgPool gradient by the full window even at 'same' borders; here the
    gradient is the true one (as TensorFlow/Keras): each output's weight is 1 / its count."""
    x = tf.ones([1, 3, 3, 1])
    g = tf.grad(lambda v: tf.avgPool(v, 2, 1, 'same').sum())(x).arraySync()
    # the bottom-right corner is in windows with counts 4, 2, 2, 1
    assert abs(g[0][2][2][0] - (1 / 4 + 1 / 2 + 1 / 2 + 1)) < 1e-6


def test_raw_helpers_work_on_torch_tensors():
    import torch
    from tfjs.ops.convolution import conv2d_raw
    from tfjs.ops.pooling import avg_pool_raw, max_pool_raw
    x = torch.randn(1, 5, 5, 2)
    f = torch.randn(3, 3, 2, 4)
    assert list(conv2d_raw(x, f, 2, 'same').shape) == [1, 3, 3, 4]
    assert list(max_pool_raw(x, 2, 2, 'same').shape) == [1, 3, 3, 2]
    assert list(avg_pool_raw(x, 3, 1, 'valid').shape) == [1, 3, 3, 2]
