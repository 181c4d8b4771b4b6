"""Differential cases: scan, segment, moving average, bincount, evaluation (topk, unique,
inTopKAsync, searchSorted...), logical extras, tf.math.confusionMatrix, einsum, RNN cells."""
import numpy as np

from harness import Case, Raw, assert_all_agree, run_cases

RS = np.random.RandomState(11)
A = RS.randn(3, 4).astype(np.float32)
V = RS.randn(5).astype(np.float32)
I = np.array([[3, -7, 2], [0, 5, -1]], np.int32)
B = np.array([True, False, True, True])
EDGE = np.array([1.0, -0.0, np.inf, -np.inf, 2.5, np.nan], np.float32)
TIES = np.array([[3, 1, 3, 2, 3, 1], [0, 0, -1, 0, 5, 5]], np.float32)
E = np.zeros([0], np.float32)

CASES = []
for op in ['cumsum', 'cumprod']:
    CASES += [Case(op, [V], grad=True), Case(op, [A, 1], grad=[0], name=f'{op} last axis'),
              Case(op, [A, 0], name=f'{op} axis 0'),
              Case(op, [A, 1, True], grad=[0], name=f'{op} exclusive'),
              Case(op, [A, 1, False, True], grad=[0], name=f'{op} reverse'),
              Case(op, [A, 1, True, True], grad=[0], name=f'{op} exclusive reverse'),
              Case(op, [RS.randn(2, 3, 4).astype(np.float32), 1, True, True], name=f'{op} 3d middle'),
              Case(op, [I, 1]), Case(op, [I, 0, True, True]), Case(op, [B]),
              Case(op, [EDGE]), Case(op, [E])]
# not compared: TF.js returns 0 for a scalar, garbage for an out-of-range or negative axis, and a
# transposed (failing) gradient for a non-last axis; tfjs raises / computes as TensorFlow does
CASES += [Case('cumsum', [A, 1], method=True, py=lambda tf, x, a: x.cumsum(a), js='a[0].cumsum(a[1])')]
SEG = np.array([1, 0, 1], np.int32)
CASES += [Case('unsortedSegmentSum', [A, SEG, 3], grad=[0]),
          Case('unsortedSegmentSum', [V, np.array([0, 2, 0, 1, 2], np.int32), 3], grad=[0]),
          Case('unsortedSegmentSum', [A, np.array([1, 5, -1], np.int32), 2], grad=[0], name='ids out of range'),
          # not compared: multi-dimensional segmentIds (TF.js's CPU kernel gives a wrong shape or
          # raises) and int32 x (TF.js's CPU kernel returns float32; tfjs keeps int32, as TF)
          Case('unsortedSegmentSum', [A, SEG.astype(np.float32), 3], raises=True, name='float ids'),
          Case('unsortedSegmentSum', [A, SEG, 2.5], raises=True, name='fractional numSegments')]
CASES += [Case('movingAverage', [A, A * 2, 0.6, 3], grad=[0, 1]),
          Case('movingAverage', [A, A * 2, 0.6, None, False], grad=[0, 1]),
          Case('movingAverage', [V, V + 1, np.float32(0.9) * np.ones([], np.float32), np.float32(2) * np.ones([], np.float32)], grad=[0, 1]),
          Case('movingAverage', [A, A, 0.6], raises=True, name='movingAverage no step'),
          Case('movingAverage', [A, V, 0.6, 1], raises=True, name='movingAverage shape mismatch'),
          Case('movingAverage', [I, A, 0.6, 1], raises=True, name='movingAverage dtype mismatch')]
X1 = np.array([1, 1, 3, 0, 7, 2, 3], np.int32)
W1 = RS.rand(7).astype(np.float32)
X2 = np.array([[1, 1, 3], [0, 4, 0]], np.int32)
CASES += [Case('bincount', [X1, Raw([]), 5]), Case('bincount', [X1, W1, 5]),
          Case('bincount', [X1, X1, 8]), Case('bincount', [X1, Raw([]), 0]),
          Case('bincount', [X1.astype(np.float32), Raw([]), 5], raises=True, name='bincount float x'),
          Case('bincount', [np.array([-1], np.int32), Raw([]), 5], raises=True, name='bincount negative'),
          Case('bincount', [X1, W1[:3].copy(), 5], raises=True, name='bincount weights size'),
          Case('denseBincount', [X1, Raw([]), 5]), Case('denseBincount', [X1, W1, 4]),
          Case('denseBincount', [X2, Raw([]), 5]), Case('denseBincount', [X2, Raw([]), 4, True]),
          Case('denseBincount', [X2, RS.rand(2, 3).astype(np.float32), 5]),
          Case('denseBincount', [X2.reshape(1, 2, 3), Raw([]), 5], raises=True, name='denseBincount rank 3')]
CASES += [Case('topk', [V]), Case('topk', [A, 3]), Case('topk', [TIES, 3]), Case('topk', [TIES, 6]),
          Case('topk', [TIES, 0]), Case('topk', [I, 2]), Case('topk', [TIES, 4, False]),
          Case('topk', [RS.randint(0, 5, (3, 40)).astype(np.float32), 7, False], name='topk unsorted ties'),
          Case('topk', [RS.randn(2, 700).astype(np.float32), 30, False], name='topk unsorted large'),
          Case('topk', [RS.randn(2, 700).astype(np.float32), 30], name='topk sorted large'),
          Case('topk', [EDGE[:5].copy(), 3]),
          Case('topk', [np.float32(1) * np.ones([], np.float32)], raises=True, name='topk scalar'),
          Case('topk', [V, 6], raises=True, name='topk k too big'),
          Case('topk', [V, -1], raises=True, name='topk k negative'),
          Case('topk', [V, 2], py=lambda tf, x, k: x.topk(k), js='a[0].topk(a[1])', name='topk chained')]
CASES += [Case('unique', [np.array([1, 1, 2, 4, 4, 4, 7, 8, 8], np.float32)]),
          Case('unique', [np.array([3, -1, 3, 0, -1], np.int32)]),
          Case('unique', [np.array([True, True, False])]),
          Case('unique', [np.array(['a', 'b', 'a', 'c', 'b'], object)]),
          Case('unique', [np.array([np.nan, 1, np.nan, 0.0, -0.0], np.float32)], name='unique nan and -0'),
          Case('unique', [np.array([[1, 0, 0], [1, 0, 0], [2, 0, 0]], np.int32), 0]),
          Case('unique', [np.array([[1, 0, 1], [1, 0, 1], [2, 0, 2]], np.float32), 1]),
          Case('unique', [np.array([[1, 0, 1], [1, 0, 1]], np.float32), -1]),
          Case('unique', [np.array([[['a', 'b'], ['a', 'b']], [['c', 'b'], ['c', 'b']]], object), 1]),
          Case('unique', [np.array([[['a', 'b'], ['a', 'x']], [['c', 'b'], ['c', 'b']]], object), 2]),
          Case('unique', [E]),
          Case('unique', [np.float32(1) * np.ones([], np.float32)], raises=True, name='unique scalar'),
          Case('unique', [V, 1], raises=True, name='unique bad axis')]
P = np.array([[20, 10, 40, 30], [30, 50, -20, 10], [1, 1, 1, 1]], np.float32)
CASES += [Case('inTopKAsync', [P, np.array([2, 0, 3], np.int32), 2]),
          Case('inTopKAsync', [P, np.array([3, 1, 0], np.int32)]),
          Case('inTopKAsync', [P, np.array([3, 1, 1], np.int32), 4]),
          Case('inTopKAsync', [P.reshape(3, 1, 4), np.array([[3], [1], [0]], np.int32), 2]),
          Case('inTopKAsync', [P, np.array([3, 1], np.int32)], raises=True, name='inTopK shape'),
          Case('inTopKAsync', [P, np.array([3, 1, 0], np.int32), 5], raises=True, name='inTopK k'),
          Case('inTopKAsync', [V, np.array(1, np.int32)], raises=True, name='inTopK rank')]
SS = np.array([[0, 3, 9, 9, 10], [1, 2, 3, 4, 5]], np.float32)
VALS = np.array([[2, 4, 9, 10, -1, 11], [0, 1, 3, 3.5, 5, 6]], np.float32)
for op in ['searchSorted', 'lowerBound', 'upperBound']:
    CASES += [Case(op, [SS, VALS]), Case(op, [SS[0].copy(), np.array([0, 9, 12], np.float32)]),
              Case(op, [SS.astype(np.int32), VALS.astype(np.int32)]),
              Case(op, [SS, VALS[:1].copy()], raises=True, name=f'{op} leading mismatch')]
CASES += [Case('searchSorted', [SS, VALS, 'right']),
          Case('searchSorted', [SS.reshape(2, 1, 5), VALS.reshape(2, 1, 6), 'left'])]
CASES += [Case('whereAsync', [np.array([[True, False], [False, True]])]),
          Case('whereAsync', [np.array([False, False])]),
          Case('whereAsync', [np.array(True)]),
          Case('whereAsync', [np.array([[[True], [True]]])]),
          Case('whereAsync', [A], raises=True, name='whereAsync float'),
          Case('bitwiseAnd', [np.array([0, 5, 3, -1, 14], np.int32), np.array([3, 3, 3, 7, -3], np.int32)]),
          Case('bitwiseAnd', [I, I[::-1].copy()]),
          Case('bitwiseAnd', [A, A], raises=True, name='bitwiseAnd float'),
          Case('bitwiseAnd', [I, I[:1].copy()], raises=True, name='bitwiseAnd shape')]
LAB = np.array([0, 1, 2, 1, 0, 2, 2], np.int32)
PRED = np.array([0, 0, 2, 1, 0, 1, 2], np.int32)
CASES += [Case('math.confusionMatrix', [LAB, PRED, 3]), Case('math.confusionMatrix', [LAB, PRED, 4]),
          Case('math.confusionMatrix', [LAB.astype(np.float32), PRED.astype(np.float32), 3]),
          Case('math.confusionMatrix', [LAB, PRED[:3].copy(), 3], raises=True, name='cm mismatch'),
          Case('math.confusionMatrix', [LAB, PRED, 0], raises=True, name='cm numClasses 0'),
          Case('math.confusionMatrix', [LAB.reshape(7, 1), PRED, 3], raises=True, name='cm rank')]
M34 = RS.randn(3, 4).astype(np.float32)
M45 = RS.randn(4, 5).astype(np.float32)
T234 = RS.randn(2, 3, 4).astype(np.float32)
CASES += [Case('einsum', ['ij,jk->ik', M34, M45]), Case('einsum', ['ij->ji', M34]),
          Case('einsum', ['ij->', M34]), Case('einsum', ['ij->j', M34]), Case('einsum', ['i,i->', V, V]),
          Case('einsum', ['i,j->ij', V, V]), Case('einsum', ['bij,bjk->bik', T234, RS.randn(2, 4, 2).astype(np.float32)]),
          Case('einsum', ['ij,ij->i', M34, M34]), Case('einsum', ['ijk->kij', T234]),
          Case('einsum', ['ij , jk -> ik', I.T.copy(), I], name='einsum int32 whitespace'),
          Case('einsum', ['ij,jk', M34, M45], raises=True, name='einsum no arrow'),
          Case('einsum', ['ij->j->i', M34], raises=True, name='einsum two arrows'),
          Case('einsum', ['...j->j', M34], raises=True, name='einsum ellipsis'),
          Case('einsum', ['ij,jk,kl->il', M34, M45, M45.T.copy()], raises=True, name='einsum 3 inputs'),
          Case('einsum', ['ii->i', M34[:3, :3].copy()], raises=True, name='einsum duplicate'),
          Case('einsum', ['ij->k', M34], raises=True, name='einsum bad output'),
          Case('einsum', ['ij,jk->ik', M34, M34], raises=True, name='einsum dim mismatch'),
          Case('einsum', ['ij,jk->ik', M34], raises=True, name='einsum count')]
KER = (RS.randn(5, 12) * 0.5).astype(np.float32)
BIAS = RS.randn(12).astype(np.float32)
DATA = RS.randn(2, 2).astype(np.float32)
C0, H0 = RS.randn(2, 3).astype(np.float32), RS.randn(2, 3).astype(np.float32)
FB = np.float32(1.0) * np.ones([], np.float32)
CASES += [Case('basicLSTMCell', [FB, KER, BIAS, DATA, C0, H0], grad=True)]
KER2 = (RS.randn(6, 12) * 0.5).astype(np.float32)
MULTI_JS = ('tf.multiRNNCell([(x, c, h) => tf.basicLSTMCell(a[0], a[1], a[2], x, c, h), '
            '(x, c, h) => tf.basicLSTMCell(a[0], a[3], a[2], x, c, h)], a[4], [a[5], a[6]], [a[6], a[5]])')


def _multi(tf, fb, k1, b, k2, x, c, h):
    cells = [lambda i, cc, hh: tf.basicLSTMCell(fb, k1, b, i, cc, hh),
             lambda i, cc, hh: tf.basicLSTMCell(fb, k2, b, i, cc, hh)]
    return tf.multiRNNCell(cells, x, [c, h], [h, c])


CASES += [Case('multiRNNCell', [FB, KER, BIAS, KER2, DATA, C0, H0], grad=True, py=_multi, js=MULTI_JS)]


def test_scan_eval(oracle):
    assert_all_agree(run_cases(oracle, CASES))
