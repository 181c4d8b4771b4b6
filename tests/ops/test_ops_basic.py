"""Differential cases for the ops of the foundation slice: arithmetic, basic math, matrices,
reductions, logical, normalization, shape ops."""
import numpy as np
import pytest

from harness import Case, Raw, assert_all_agree, run_cases

RS = np.random.RandomState(7)
A = RS.randn(3, 4).astype(np.float32)
B = RS.randn(3, 4).astype(np.float32)
ROW = RS.randn(4).astype(np.float32)
POS = (RS.rand(3, 4) + 0.1).astype(np.float32)
UNIT = (RS.rand(3, 4) * 1.8 - 0.9).astype(np.float32)
I = np.array([[3, -7, 2], [0, 5, -1]], np.int32)
J = np.array([[2, 3, -2], [1, 1, 4]], np.int32)
EDGE = np.array([0.0, -0.0, 1.5, -2.5, 0.5, np.inf, -np.inf, np.nan], np.float32)
S = np.float32(2.5)

CASES = []
for op in ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'squaredDifference', 'pow']:
    left = POS if op == 'pow' else A
    CASES += [Case(op, [left, B], grad=op != 'pow' or True, name=f'{op} same shape'),
              Case(op, [left, ROW], grad=True, name=f'{op} broadcast'),
              Case(op, [I, J], name=f'{op} int32'),
              Case(op, [I, np.float32(1.5) * np.ones([], np.float32)], name=f'{op} int32+float32 scalar')]
CASES += [Case('floorDiv', [A, B]), Case('floorDiv', [I, J]), Case('mod', [A, B]), Case('mod', [I, J]),
          Case('divNoNan', [A, np.array([1, 0, 2, 0], np.float32)]),
          Case('addN', [Raw(None)], raises=True, name='addN empty')]
CASES += [Case('addN', [], js="tf.addN([a[0], a[1]])", py=lambda tf, x, y: tf.addN([x, y]))]
CASES[-1].args = [A, B]
for op in ['abs', 'neg', 'square', 'sign', 'relu', 'relu6', 'exp', 'expm1', 'sigmoid', 'tanh',
           'sin', 'cos', 'atan', 'sinh', 'cosh', 'asinh', 'erf', 'floor', 'ceil', 'round',
           'softplus', 'logSigmoid', 'selu', 'elu', 'isNaN', 'isInf', 'isFinite', 'step',
           'reciprocal']:
    CASES += [Case(op, [A], grad=op not in ('isNaN', 'isInf', 'isFinite', 'floor', 'ceil', 'round', 'sign', 'step')),
              Case(op, [EDGE], name=f'{op} edge values')]
for op in ['log', 'sqrt', 'rsqrt', 'log1p']:
    CASES += [Case(op, [POS], grad=True)]
for op in ['asin', 'acos', 'atanh', 'tan']:
    CASES += [Case(op, [UNIT], grad=True)]
CASES += [Case('acosh', [POS + 1], grad=True), Case('atan2', [A, B], grad=True),
          Case('leakyRelu', [A, 0.1], grad=[0]), Case('prelu', [A, ROW], grad=True),
          Case('clipByValue', [A, -0.5, 0.5], grad=[0]),
          Case('abs', [I]), Case('neg', [I]), Case('square', [I])]
CASES += [Case('matMul', [A, B.T.copy()], grad=True), Case('matMul', [A, A, True, False], grad=True),
          Case('matMul', [A, B, False, True], grad=True),
          Case('matMul', [RS.randn(2, 3, 4).astype(np.float32), RS.randn(2, 4, 5).astype(np.float32)], grad=True),
          Case('matMul', [A, B], raises=True, name='matMul inner mismatch'),
          Case('dot', [ROW, ROW], grad=True), Case('dot', [A, ROW], grad=True),
          Case('outerProduct', [ROW, ROW[:3].copy()], grad=True),
          Case('transpose', [A], grad=True), Case('transpose', [RS.randn(2, 3, 4).astype(np.float32), Raw([1, 0, 2])], grad=[0]),
          Case('norm', [A]), Case('norm', [A, 1, 0]), Case('norm', [A, 'euclidean', 1, True])]
for op in ['sum', 'mean', 'max', 'min', 'prod', 'logSumExp']:
    CASES += [Case(op, [A], grad=True, name=f'{op} all'), Case(op, [A, 0], grad=True, name=f'{op} axis 0'),
              Case(op, [A, Raw([0, 1]), True], grad=[0], name=f'{op} keepDims')]
CASES += [Case('sum', [I]), Case('sum', [np.array([True, False, True])]), Case('mean', [I]),
          Case('argMax', [A]), Case('argMax', [A, 1]), Case('argMin', [A, -1]),
          Case('all', [np.array([[True, False], [True, True]]), 1]),
          Case('any', [np.array([[True, False], [False, False]]), 0])]
for op in ['equal', 'notEqual', 'greater', 'greaterEqual', 'less', 'lessEqual']:
    CASES += [Case(op, [A, B]), Case(op, [I, J]), Case(op, [A, ROW])]
BOOLS = [np.array([True, False, True, False]), np.array([True, True, False, False])]
CASES += [Case('logicalAnd', BOOLS), Case('logicalOr', BOOLS), Case('logicalXor', BOOLS),
          Case('logicalNot', BOOLS[:1]), Case('where', [A > 0, A, B], grad=[1, 2]),
          Case('logicalAnd', [A, B], raises=True, name='logicalAnd on floats')]
CASES += [Case('softmax', [A], grad=True), Case('logSoftmax', [A], grad=True),
          Case('moments', [A, 0]), Case('moments', [A, Raw([0, 1]), True]),
          Case('batchNorm', [A, ROW, POS[0], ROW * 0.5, POS[1]], grad=True)]
CASES += [Case('reshape', [A, Raw([4, 3])], grad=[0]), Case('reshape', [A, Raw([2, -1])], grad=[0]),
          Case('reshape', [A, Raw([5, -1])], raises=True, name='reshape bad'),
          Case('expandDims', [A, 1], grad=[0]), Case('squeeze', [A.reshape(3, 1, 4)], grad=True),
          Case('concat', [], py=lambda tf, x, y: tf.concat([x, y], 1), js='tf.concat([a[0], a[1]], 1)'),
          Case('stack', [], py=lambda tf, x, y: tf.stack([x, y], 1), js='tf.stack([a[0], a[1]], 1)'),
          Case('unstack', [A, 1]), Case('slice', [A, Raw([1, 1]), Raw([2, 2])], grad=[0]),
          Case('slice', [A, Raw([1]), Raw([-1])], grad=[0]),
          Case('gather', [A, np.array([2, 0, 2], np.int32), 1], grad=[0]),
          Case('tile', [A, Raw([2, 1])], grad=[0]), Case('split', [A, 2, 1]),
          Case('split', [A, Raw([1, 3]), 1]), Case('reverse', [A, 1], grad=[0]),
          Case('pad', [A, Raw([[1, 0], [0, 2]]), 1.5], grad=[0]),
          Case('broadcastTo', [ROW, Raw([3, 4])], grad=[0]),
          Case('cast', [A, 'int32']), Case('cast', [I, 'bool']), Case('cast', [I, 'float32']),
          Case('oneHot', [np.array([0, 2, -1, 3], np.int32), 3]),
          Case('zerosLike', [I]), Case('onesLike', [A])]
for c in CASES:
    if c.op in ('concat', 'stack'):
        c.args = [A, B]
        c.grad = True


def test_basic_ops_agree_with_tfjs(oracle):
    assert_all_agree(run_cases(oracle, CASES))
