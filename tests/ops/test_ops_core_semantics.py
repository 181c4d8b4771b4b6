"""Differential cases for the exact semantics of the core ops (arithmetic, basic math,
matrices, reductions, logical, normalization): result dtypes for every input dtype, what TF.js
rejects, rank-0 and empty tensors, NaN/Infinity/-0, and gradients at kinks and ties."""
import numpy as np
import pytest

from harness import Case, Raw, assert_all_agree, run_cases

RS = np.random.RandomState(11)
F = np.array([-2.5, -0.0, 0.0, 0.5, 1.5, 2.5, np.nan, np.inf, -np.inf], np.float32)
I = np.array([-3, 0, 4, 7, -7], np.int32)
IB = np.array([2, -2, 0, -2, 2], np.int32)
BL = np.array([True, False, True, False])
BL2 = np.array([True, True, False, False])
S = np.array(['a', 'b'])
EMPTY = np.zeros([0], np.float32)
EMPTY2 = np.zeros([2, 0], np.float32)
SC = np.float32(-1.5) * np.ones([], np.float32)
KINK = np.array([-1.0, 0.0, 0.0, 2.0, 6.0, 7.0], np.float32)
A = RS.randn(3, 4).astype(np.float32)
M = RS.randn(2, 3, 4).astype(np.float32)

CASES = []

# -- unary ops: every dtype (float32-only ops reject int32/bool tensors; others keep dtypes)
UNARY = ['abs', 'neg', 'square', 'sign', 'relu', 'relu6', 'round', 'step', 'reciprocal', 'selu',
         'softplus', 'logSigmoid', 'expm1', 'log1p', 'asin', 'acos', 'atan', 'sinh', 'asinh',
         'acosh', 'atanh', 'exp', 'leakyRelu', 'erf', 'isNaN', 'isInf', 'isFinite',
         'sqrt', 'rsqrt', 'floor', 'ceil', 'sigmoid', 'elu', 'log', 'cos', 'tanh', 'sin', 'tan',
         'cosh']
for op in UNARY:
    CASES += [Case(op, [F], name=f'{op} float edge'),
              Case(op, [I], name=f'{op} int32'),
              Case(op, [SC], name=f'{op} rank 0'),
              Case(op, [EMPTY2], name=f'{op} empty'),
              Case(op, [S], raises=True, name=f'{op} string')]
    if op != 'erf':
        CASES += [Case(op, [BL], name=f'{op} bool')]
CASES += [Case('erf', [BL], raises=True, name='erf bool'),
          Case('round', [np.array([0.5, 1.5, 2.5, -0.5, -1.5, 3.49, -2.51], np.float32)],
               name='round half to even'),
          Case('step', [F, -1.0], name='step alpha'), Case('step', [I, 0.5], name='step int alpha'),
          Case('leakyRelu', [F, 1.5], name='leakyRelu alpha > 1'),
          Case('clipByValue', [F, -1.0, 1.0], name='clip NaN'),
          Case('clipByValue', [I, -1.5, 2.5], name='clip int32'),
          Case('clipByValue', [BL, 0.0, 0.5], name='clip bool'),
          Case('clipByValue', [A, 2.0, 1.0], raises=True, name='clip min > max'),
          Case('clipByValue', [A, 0.5, 0.5], grad=[0], name='clip min == max')]

# -- gradients at kinks and ties
for op in ['abs', 'relu', 'relu6', 'step', 'sign', 'round', 'floor', 'ceil', 'elu', 'selu',
           'leakyRelu', 'softplus', 'logSigmoid', 'sigmoid', 'square', 'neg', 'sqrt']:
    x = np.abs(KINK) if op == 'sqrt' else KINK
    CASES += [Case(op, [x], grad=True, name=f'{op} grad at kinks')]
CASES += [Case('clipByValue', [KINK, 0.0, 6.0], grad=[0], name='clip grad at bounds'),
          Case('prelu', [KINK, np.float32(0.25) * np.ones([1], np.float32)], grad=True,
               name='prelu grad at 0'),
          Case('prelu', [I, IB], name='prelu int32'), Case('prelu', [BL, BL2], name='prelu bool'),
          Case('maximum', [KINK, np.array([0, 0, 1, 2, 6, 8], np.float32)], grad=True,
               name='maximum ties'),
          Case('minimum', [KINK, np.array([0, 0, 1, 2, 6, 8], np.float32)], grad=True,
               name='minimum ties'),
          Case('maximum', [KINK, np.float32(2) * np.ones([], np.float32)], grad=True,
               name='maximum broadcast tie'),
          Case('max', [np.array([[1, 3, 3], [2, 2, 0]], np.float32)], grad=True, name='max ties all'),
          Case('max', [np.array([[1, 3, 3], [2, 2, 0]], np.float32), 1], grad=[0], name='max ties axis'),
          Case('min', [np.array([[1, 0, 0], [2, 2, 5]], np.float32), 1, True], grad=[0],
               name='min ties keepDims'),
          Case('pow', [np.array([-2, 0, 2, 3, 0.5], np.float32), np.array([2, 2, 0.5, 0, 3], np.float32)],
               grad=True, name='pow grad negative and zero base'),
          Case('mod', [np.array([-7, 7, 5.5, -5.5], np.float32), np.array([2, -2, 1.5, 1.5], np.float32)],
               grad=True, name='mod grad'),
          Case('atan2', [np.array([1, -1, 0], np.float32), np.array([2, 2, 3], np.float32)], grad=True),
          Case('logSumExp', [np.array([[1, 1], [3, 0]], np.float32), 1], grad=[0], name='logSumExp grad')]

# -- binary ops: dtypes, edge values, zero and negative divisors, strings rejected
FA = np.array([-7, 7, -7, 7, 0, 3, 1, np.nan, 5, -0.0, -5, 1, -1, 1], np.float32)
FB = np.array([2, -2, -2, 2, 0, 0, np.nan, 1, np.inf, 3, np.inf, np.inf, -np.inf, np.nan], np.float32)
for op in ['add', 'sub', 'mul', 'div', 'floorDiv', 'mod', 'pow', 'maximum', 'minimum',
           'squaredDifference', 'divNoNan', 'atan2']:
    CASES += [Case(op, [I, IB], name=f'{op} int32'),
              Case(op, [BL, BL2], name=f'{op} bool'),
              Case(op, [S, S], raises=True, name=f'{op} string'),
              Case(op, [np.float32([1.5, -2.5]), np.int32([2, 2])], name=f'{op} float32+int32'),
              Case(op, [np.int32([3, -3]), BL[:2]], name=f'{op} int32+bool'),
              Case(op, [SC, SC], name=f'{op} rank 0'),
              Case(op, [EMPTY, EMPTY], name=f'{op} empty'),
              Case(op, [EMPTY2, np.ones([1, 1], np.float32)], name=f'{op} empty broadcast')]
    if op != 'pow':
        CASES += [Case(op, [FA, FB], name=f'{op} float edge')]
CASES += [Case('pow', [np.array([0, 0, -2, -2, 2, np.nan, 1, -8, 0, -1, 1], np.float32),
                       np.array([0, -1, 0.5, 3, np.nan, 0, np.nan, 1 / 3, -2, np.inf, -np.inf], np.float32)],
               name='pow edge'),
          Case('pow', [np.int32([2, -2, 0, 3]), np.int32([-1, 3, -1, 0])], name='pow int negative exp')]

# -- reductions: dtypes, empty, rank 0, NaN, axis forms
for op in ['sum', 'mean', 'max', 'min', 'prod', 'logSumExp']:
    CASES += [Case(op, [I], name=f'{op} int32'), Case(op, [BL], name=f'{op} bool'),
              Case(op, [S], raises=True, name=f'{op} string'),
              Case(op, [EMPTY], name=f'{op} empty'), Case(op, [EMPTY2, 1], name=f'{op} empty axis'),
              Case(op, [EMPTY2, 0], name=f'{op} empty to empty'),
              Case(op, [SC], name=f'{op} rank 0'), Case(op, [SC, 0], raises=True, name=f'{op} rank 0 axis'),
              Case(op, [np.array([1, np.nan, 3], np.float32)], name=f'{op} NaN'),
              Case(op, [M, Raw([-1, 0])], grad=[0], name=f'{op} negative axes'),
              Case(op, [M, Raw([2, 0]), True], grad=[0], name=f'{op} keepDims unsorted axes'),
              Case(op, [M, 3], raises=True, name=f'{op} axis out of range')]
CASES += [Case('logSumExp', [np.array([np.inf, 1], np.float32)], name='logSumExp +Infinity'),
          Case('logSumExp', [np.array([-np.inf, -np.inf], np.float32)], name='logSumExp all -Infinity'),
          Case('logSumExp', [np.array([100, 100], np.float32)], name='logSumExp large')]
for op in ['argMax', 'argMin']:
    CASES += [Case(op, [np.array([1, np.nan, 3], np.float32)], name=f'{op} NaN inside'),
              Case(op, [np.array([np.nan, 1, 3], np.float32)], name=f'{op} NaN first'),
              Case(op, [np.array([3, 1, 3, 1], np.float32)], name=f'{op} ties first'),
              Case(op, [I], name=f'{op} int32'), Case(op, [BL], name=f'{op} bool'),
              Case(op, [EMPTY], name=f'{op} empty'), Case(op, [SC], raises=True, name=f'{op} rank 0'),
              Case(op, [M, -1], name=f'{op} axis -1'), Case(op, [M, 3], raises=True, name=f'{op} bad axis')]
for op in ['all', 'any']:
    CASES += [Case(op, [I], raises=True, name=f'{op} int32 rejected'),
              Case(op, [np.array([[True, False], [True, True]]), Raw([0, 1]), True], name=f'{op} keepDims'),
              Case(op, [np.ones([], bool)], name=f'{op} rank 0')]
CASES += [Case('any', [np.zeros([0], bool)], name='any empty')]

# -- norm / euclideanNorm: every ord and axis form
V = np.array([3, -4, 0, 1], np.float32)
for ord_ in ['euclidean', 2, 1, np.inf, -np.inf]:
    o = Raw(ord_) if not isinstance(ord_, float) else Raw(float(ord_))
    CASES += [Case('norm', [V, o], grad=[0] if ord_ not in (np.inf, -np.inf) else False, name=f'norm vector {ord_}'),
              Case('norm', [A, o, 1], grad=[0], name=f'norm axis 1 {ord_}'),
              Case('norm', [A, o, Raw([0]), True], name=f'norm axis [0] keepDims {ord_}'),
              Case('norm', [A, o], name=f'norm flattened {ord_}')]
for ord_ in ['euclidean', 'fro', 1, np.inf, -np.inf]:
    o = Raw(ord_) if not isinstance(ord_, float) else Raw(float(ord_))
    CASES += [Case('norm', [A, o, Raw([0, 1])], grad=[0], name=f'norm matrix {ord_}'),
              Case('norm', [M, o, Raw([1, 2]), True], name=f'norm batched matrix keepDims {ord_}')]
CASES += [Case('norm', [A, Raw(2), Raw([0, 1])], raises=True, name='norm matrix ord 2'),
          Case('norm', [A, Raw(3)], raises=True, name='norm bad ord'),
          Case('norm', [SC], name='norm scalar'), Case('norm', [I], raises=True, name='norm int32'),
          Case('norm', [I, Raw(1)], name='norm int32 ord 1'),
          Case('norm', [np.zeros([3], np.float32)], grad=True, name='norm zero vector grad'),
          Case('euclideanNorm', [A]), Case('euclideanNorm', [A, 0, True], grad=[0]),
          Case('euclideanNorm', [M, Raw([1, 2])], grad=[0]), Case('euclideanNorm', [I], raises=True)]

# -- softmax / logSoftmax / moments
CASES += [Case('softmax', [A, 1], grad=[0], name='softmax dim rank-1'),
          Case('softmax', [A, 0], raises=True, name='softmax dim 0'),
          Case('softmax', [I], raises=True, name='softmax int32'),
          Case('softmax', [np.array([np.inf, 1], np.float32)], name='softmax Infinity'),
          Case('logSoftmax', [A, 1], grad=[0]), Case('logSoftmax', [A, 0], raises=True),
          Case('logSoftmax', [I], name='logSoftmax int32'),
          Case('moments', [M, Raw([0, 2])], grad=[0]), Case('moments', [M, Raw([0, 2]), True], grad=[0]),
          Case('moments', [M, -1, True]), Case('moments', [M]), Case('moments', [I]),
          Case('moments', [SC]), Case('moments', [M, 3], raises=True)]

# -- logical
CASES += [Case('equal', [FA, FB]), Case('notEqual', [FA, FB]), Case('greater', [I, IB]),
          Case('less', [BL, BL2]), Case('greaterEqual', [FA, FB]), Case('lessEqual', [I, np.float32(0.5) * np.ones([], np.float32)]),
          Case('logicalAnd', [I, I], raises=True), Case('logicalNot', [np.ones([], bool)]),
          Case('where', [BL, BL, BL2]), Case('where', [np.array([True, False]), np.int32([1, 2]), np.float32([0.5, 0.5])])]

# -- matrices
CASES += [Case('matMul', [np.int32([[1, 2], [3, 4]]), np.int32([[5], [6]])], name='matMul int32'),
          Case('matMul', [A, np.float32([1, 2, 3, 4])], raises=True, name='matMul rank 1'),
          Case('matMul', [M, RS.randn(4, 2).astype(np.float32)], grad=True, name='matMul broadcast batch'),
          Case('matMul', [np.zeros([2, 0], np.float32), np.zeros([0, 3], np.float32)], name='matMul empty inner'),
          Case('dot', [np.int32([1, 2]), np.int32([3, 4])], name='dot int32'),
          Case('outerProduct', [np.int32([1, 2]), np.float32([3, 4])], name='outerProduct mixed')]


def test_core_semantics_agree_with_tfjs(oracle):
    assert_all_agree(run_cases(oracle, CASES))


def test_sqrt_rsqrt_bit_exact(oracle):
    """TF.js computes sqrt/rsqrt in float64 and rounds to float32; so must we, bit for bit."""
    import tfjs as tf
    x = np.concatenate([np.random.RandomState(3).rand(4000) * 100, np.random.RandomState(4).rand(4000) * 1e-3,
                        [0, 1, 2, 3, 1e30, 1e-30]]).astype(np.float32)
    js = oracle.eval('return [tf.sqrt(args.x), tf.rsqrt(args.x)];', {'x': x})
    ours = [tf.sqrt(tf.tensor(x)).numpy(), tf.rsqrt(tf.tensor(x)).numpy()]
    for name, a, b in zip(['sqrt', 'rsqrt'], ours, js):
        assert np.array_equal(a.view(np.int32), np.asarray(b, np.float32).view(np.int32)), name
