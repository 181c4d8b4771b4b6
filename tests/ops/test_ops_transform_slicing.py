"""Differential cases (against TF.js 4.22) for transformations, slicing and joining, complex
numbers and diag."""
import numpy as np

import tfjs as tf
from harness import Case, Raw, assert_all_agree, run_cases

RS = np.random.RandomState(11)
A = RS.randn(3, 4).astype(np.float32)
B = RS.randn(3, 4).astype(np.float32)
V = RS.randn(5).astype(np.float32)
T3 = RS.randn(2, 3, 4).astype(np.float32)
T4 = RS.randn(2, 4, 4, 3).astype(np.float32)
I = np.array([[3, -7, 2, 9], [0, 5, -1, 4]], np.int32)
BO = np.array([[True, False, True], [False, False, True]])
EDGE = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.5], np.float32)
S = np.array(['a', 'bc', 'd', 'ef'], dtype=object)
Z = np.zeros([0, 3], np.float32)
i32 = lambda v: np.array(v, np.int32)   # noqa: E731

CASES = []
# ---------------------------------------------------------------- pads
CASES += [Case('pad1d', [V, Raw([1, 2])], grad=[0]), Case('pad1d', [V, Raw([0, 3]), 2.5], grad=[0]),
          Case('pad2d', [A, Raw([[1, 0], [2, 1]])], grad=[0]), Case('pad2d', [I[:, :3].copy(), Raw([[1, 1], [0, 1]]), 7]),
          Case('pad3d', [T3, Raw([[0, 1], [1, 0], [2, 2]]), -1], grad=[0]),
          Case('pad4d', [T4, Raw([[0, 0], [1, 1], [1, 1], [0, 0]])], grad=[0]),
          Case('pad', [EDGE, Raw([[2, 1]]), np.nan], name='pad NaN value'),
          Case('pad', [np.float32(2.0) * np.ones([], np.float32), Raw([])], raises=True, name='pad scalar'),
          Case('pad', [Z, Raw([[1, 1], [0, 0]])], name='pad empty'),
          Case('pad2d', [A, Raw([[1, 0]])], raises=True, name='pad2d bad paddings')]
# mirrorPad: forward only against TF.js (its gradient drops the mirrored parts; ours sums them)
for mode in ['reflect', 'symmetric']:
    CASES += [Case('mirrorPad', [V, Raw([[2, 3]]), mode]),
              Case('mirrorPad', [A, Raw([[1, 2], [3, 0]]), mode]),
              Case('mirrorPad', [T3, Raw([[1, 1], [0, 2], [2, 1]]), mode]),
              Case('mirrorPad', [I, Raw([[1, 1], [2, 2]]), mode]),
              Case('mirrorPad', [V, Raw([[6, 0]]), mode], raises=True, name=f'mirrorPad {mode} too big')]
CASES += [Case('mirrorPad', [V, Raw([[1, 1]]), 'edge'], raises=True, name='mirrorPad bad mode'),
          Case('mirrorPad', [V, Raw([[5, 0]]), 'symmetric'], name='mirrorPad symmetric full')]
# ---------------------------------------------------------------- space/batch/depth
X = RS.randn(1, 4, 4, 2).astype(np.float32)
Y = RS.randn(8, 1, 3, 2).astype(np.float32)
CASES += [Case('spaceToBatchND', [X, Raw([2, 2]), Raw([[0, 0], [0, 0]])], grad=[0]),
          Case('spaceToBatchND', [X, Raw([2, 3]), Raw([[0, 2], [1, 1]])], grad=[0]),
          Case('spaceToBatchND', [RS.randn(2, 6, 3).astype(np.float32), Raw([3]), Raw([[1, 2]])], grad=[0]),
          Case('spaceToBatchND', [i32(np.arange(16).reshape(1, 4, 4, 1)), Raw([2, 2]), Raw([[0, 0], [0, 0]])]),
          Case('spaceToBatchND', [X, Raw([3, 3]), Raw([[0, 0], [0, 0]])], raises=True, name='spaceToBatchND not divisible'),
          Case('batchToSpaceND', [Y, Raw([2, 2]), Raw([[0, 0], [0, 0]])], grad=[0]),
          Case('batchToSpaceND', [Y, Raw([2, 2]), Raw([[0, 1], [1, 2]])], grad=[0]),
          Case('batchToSpaceND', [Y, Raw([4, 2]), Raw([[1, 0], [0, 0]])], grad=[0]),
          Case('batchToSpaceND', [RS.randn(6, 2, 3).astype(np.float32), Raw([3]), Raw([[1, 2]])], grad=[0]),
          Case('batchToSpaceND', [Y, Raw([3, 3]), Raw([[0, 0], [0, 0]])], raises=True, name='batchToSpaceND bad batch'),
          Case('depthToSpace', [RS.randn(1, 2, 3, 8).astype(np.float32), 2], grad=[0]),
          Case('depthToSpace', [RS.randn(2, 1, 2, 9).astype(np.float32), 3], grad=[0]),
          Case('depthToSpace', [RS.randn(1, 2, 3, 6).astype(np.float32), 2], raises=True, name='depthToSpace indivisible'),
          Case('depthToSpace', [RS.randn(1, 2, 3, 8).astype(np.float32), 1], raises=True, name='depthToSpace block 1'),
          Case('depthToSpace', [i32(np.arange(8).reshape(1, 1, 2, 4)), 2], raises=True, name='depthToSpace int32')]
# ---------------------------------------------------------------- misc transformations
CASES += [Case('ensureShape', [A, Raw([3, 4])]), Case('ensureShape', [A, Raw([None, 4])]),
          Case('ensureShape', [A, Raw([4, 3])], raises=True, name='ensureShape mismatch'),
          Case('ensureShape', [S, Raw([4])]),
          Case('setdiff1dAsync', [np.array([1, 2, 3, 4, 2, 5], np.float32), np.array([2, 5, 9], np.float32)]),
          Case('setdiff1dAsync', [i32([7, 1, 7, 3]), i32([])]),
          Case('setdiff1dAsync', [i32([7, 1]), i32([7, 1])]),
          Case('setdiff1dAsync', [i32([7, 1]), np.array([1.0], np.float32)], raises=True, name='setdiff1d dtypes'),
          Case('setdiff1dAsync', [I, i32([1])], raises=True, name='setdiff1d rank'),
          Case('broadcastArgs', [i32([2, 1, 3]), i32([4, 1])]), Case('broadcastArgs', [i32([5]), i32([])]),
          Case('broadcastArgs', [i32([2, 3]), i32([4, 3])], raises=True, name='broadcastArgs incompatible'),
          Case('broadcastArgs', [i32([[2]]), i32([1])], raises=True, name='broadcastArgs rank')]
# ---------------------------------------------------------------- ranked concat / slice / reverse
C2 = lambda fn, axis=None: (lambda tf, x, y: getattr(tf, fn)([x, y]) if axis is None else getattr(tf, fn)([x, y], axis))  # noqa: E731
CASES += [Case('concat1d', [V, V[:2].copy()], grad=True, py=C2('concat1d'), js='tf.concat1d([a[0], a[1]])'),
          Case('concat2d', [A, B], grad=True, py=C2('concat2d', 1), js='tf.concat2d([a[0], a[1]], 1)'),
          Case('concat3d', [T3, T3], grad=True, py=C2('concat3d', -1), js='tf.concat3d([a[0], a[1]], -1)'),
          Case('concat4d', [T4, T4], grad=True, py=C2('concat4d', 0), js='tf.concat4d([a[0], a[1]], 0)'),
          Case('concat', [A, I[:, :3].astype(np.float32).T.copy()], raises=True, name='concat mismatched shapes',
               py=C2('concat', 0), js='tf.concat([a[0], a[1]], 0)'),
          Case('concat', [A, i32(np.ones([3, 2]))], py=C2('concat', 1), js='tf.concat([a[0], a[1]], 1)', name='concat upcast'),
          Case('concat', [S, S], py=C2('concat'), js='tf.concat([a[0], a[1]])', name='concat strings'),
          Case('concat', [A], py=lambda tf, x: tf.concat([x]), js='tf.concat([a[0]])', name='concat one'),
          Case('concat', [Z, A[:1, :3].copy()], py=C2('concat'), js='tf.concat([a[0], a[1]])', name='concat empty'),
          Case('stack', [A, B], grad=True, py=lambda tf, x, y: tf.stack([x, y], -1), js='tf.stack([a[0], a[1]], -1)', name='stack -1'),
          Case('stack', [S, S], py=lambda tf, x, y: tf.stack([x, y], 1), js='tf.stack([a[0], a[1]], 1)', name='stack strings'),
          Case('stack', [A, I[:, :3].astype(np.float32)], raises=True, py=lambda tf, x, y: tf.stack([x, y]),
               js='tf.stack([a[0], a[1]])', name='stack shapes'),
          Case('unstack', [T3, -1], grad=[0]), Case('unstack', [S]), Case('unstack', [A, 2], raises=True, name='unstack bad axis'),
          Case('slice1d', [V, 1, 3], grad=[0]), Case('slice2d', [A, Raw([1, 0]), Raw([2, -1])], grad=[0]),
          Case('slice3d', [T3, Raw([0, 1, 1]), Raw([1, 2, 3])], grad=[0]),
          Case('slice4d', [T4, Raw([1, 0, 2, 0]), Raw([-1, 2, 2, 3])], grad=[0]),
          Case('slice2d', [V, Raw([0, 0]), Raw([1, 1])], raises=True, name='slice2d rank'),
          Case('slice', [A, 1], grad=[0], name='slice number begin'), Case('slice', [A, Raw([1]), 1], name='slice number size'),
          Case('slice', [S, 1, 2], name='slice strings'), Case('slice', [A, Raw([2, 0]), Raw([2, 1])], raises=True, name='slice overflow'),
          Case('slice', [A, Raw([0, 1]), Raw([0, 2])], name='slice empty'),
          Case('reverse1d', [V], grad=[0]), Case('reverse2d', [A, 1], grad=[0]), Case('reverse2d', [A], grad=[0]),
          Case('reverse3d', [T3, Raw([0, 2])], grad=[0]), Case('reverse4d', [T4, -1], grad=[0]),
          Case('reverse1d', [A], raises=True, name='reverse1d rank'), Case('reverse', [I, Raw([])], name='reverse no axes'),
          Case('reverse', [np.float32(3) * np.ones([], np.float32)], name='reverse scalar')]
# ---------------------------------------------------------------- existing ops, TF.js semantics
CASES += [Case('gather', [T3, i32([[2, 0], [1, 1]]), 1], grad=[0]),
          Case('gather', [T3, i32([[2, 0, 1], [1, 1, 3]]), 2, 1], grad=[0], name='gather batchDims 1'),
          Case('gather', [T3, i32([[[2], [0], [1]], [[1], [3], [0]]]), 2, 2], grad=[0], name='gather batchDims 2'),
          Case('gather', [T3, i32([[1, 0, 1], [2, 2, 0]]), -1, -1], name='gather batchDims -1'),
          Case('gather', [I, i32([1, 0, 1]), 0]), Case('gather', [BO, i32([2, 0]), 1]),
          Case('gather', [A, i32([4]), 0], raises=True, name='gather out of range'),
          Case('gather', [A, np.array([1.0], np.float32)], raises=True, name='gather float indices'),
          Case('gather', [A, Raw([2, 0])], name='gather list indices'),
          Case('tile', [S, Raw([2])]), Case('tile', [BO, Raw([1, 2])]), Case('tile', [T3, Raw([1, 2, 1])], grad=[0]),
          Case('tile', [A, Raw([2])], raises=True, name='tile wrong reps'),
          Case('split', [V, Raw([2, -1])], grad=[0]), Case('split', [T3, 2, -1]),
          Case('split', [V, 2], raises=True, name='split uneven'),
          Case('split', [V, Raw([1, 1])], raises=True, name='split sizes sum'),
          Case('squeeze', [np.zeros([1, 3, 1], np.float32), Raw([0])]), Case('squeeze', [np.zeros([1, 3, 1], np.float32), -1]),
          Case('squeeze', [A, Raw([0])], raises=True, name='squeeze non-1'),
          Case('expandDims', [S, -1]), Case('expandDims', [V, 2], raises=True, name='expandDims bad axis'),
          Case('reverse', [S], raises=True, name='reverse strings'), Case('pad', [S, Raw([[1, 1]])], raises=True, name='pad strings')]
# ---------------------------------------------------------------- stridedSlice
SS = [([1], [3], None, 0, 0, 0, 0, 0), ([0, 1], [3, 4], [1, 2], 0, 0, 0, 0, 0),
      ([2, 3], [0, 0], [-1, -2], 0, 0, 0, 0, 0), ([0, 0], [2, 2], [1, 1], 1, 2, 0, 0, 0),
      ([-1, 0], [-3, 4], [-1, 1], 0, 0, 0, 0, 0), ([1, 0], [0, 0], [1, 1], 0, 2, 0, 0, 1),
      ([0, 2], [0, 0], [1, 1], 0, 0, 0, 0, 2), ([0, 0, 1], [0, 0, 3], [1, 1, 1], 0, 0, 0, 1, 0),
      ([0, 1], [0, 3], [1, 1], 0, 0, 1, 0, 0), ([0, 0], [1, 2], [1, 1], 0, 0, 0, 2, 0),
      ([-1], [0], [1], 0, 0, 0, 0, 1), ([0, 0, 0], [2, 3, 4], [1, 1, 1], 0, 0, 0, 0, 0),
      ([10, -10], [20, 10], [1, 1], 0, 0, 0, 0, 0), ([3, 3], [-10, -10], [-1, -1], 0, 0, 0, 0, 0),
      ([0, 0], [0, 0], [1, 1], 3, 3, 0, 0, 0), ([0, 0], [0, 0], [-1, -1], 3, 3, 0, 0, 0)]
for b, e, s, bm, em, el, na, sh in SS:
    CASES.append(Case('stridedSlice', [A, Raw(b), Raw(e), Raw(s), bm, em, el, na, sh], grad=[0],
                      name=f'stridedSlice {b} {e} {s} masks {bm},{em},{el},{na},{sh}'))
CASES += [Case('stridedSlice', [T3, Raw([1, 0]), Raw([2, 2]), Raw([1, 1]), 0, 0, 1, 0, 2], grad=[0], name='stridedSlice ellipsis first'),
          Case('stridedSlice', [T3, Raw([0, 0, 1]), Raw([0, 0, 2]), Raw([1, 1, 1]), 0, 0, 2, 1, 4], grad=[0], name='stridedSlice newaxis+ellipsis+shrink'),
          Case('stridedSlice', [T4, Raw([0, 1]), Raw([0, 3]), Raw([1, 2]), 0, 0, 1, 0, 0], grad=[0], name='stridedSlice ellipsis 4d'),
          Case('stridedSlice', [T3, Raw([1, 0, 0]), Raw([2, 0, 0]), Raw([1, 1, 1]), 0, 0, 0, 0, 1], name='stridedSlice shrink only'),
          Case('stridedSlice', [S, Raw([3]), Raw([0]), Raw([-1])], name='stridedSlice strings'),
          Case('stridedSlice', [I, Raw([0, 3]), Raw([2, 0]), Raw([1, -2])], name='stridedSlice int32'),
          Case('stridedSlice', [A, Raw([0]), Raw([2]), Raw([0])], raises=True, name='stridedSlice zero stride'),
          Case('stridedSlice', [A, Raw([5]), Raw([6]), Raw([1]), 0, 0, 0, 0, 1], raises=True, name='stridedSlice shrink oob'),
          Case('stridedSlice', [A, Raw([0, 0]), Raw([1, 1]), Raw([1, 1]), 0, 0, 3], raises=True, name='stridedSlice two ellipses')]
# ---------------------------------------------------------------- gatherND / scatterND / tensorScatterUpdate
CASES += [Case('gatherND', [A, i32([[1, 2], [0, 0], [2, 3]])], grad=[0]),
          Case('gatherND', [T3, i32([[1], [0]])], grad=[0]), Case('gatherND', [T3, i32([1, 2])], grad=[0]),
          Case('gatherND', [T3, i32([[[0, 1], [1, 2]], [[1, 0], [0, 0]]])], grad=[0]),
          Case('gatherND', [S, i32([[3], [0]])]), Case('gatherND', [I, i32([[1, 3]])]),
          Case('gatherND', [A, i32([[3, 0]])], raises=True, name='gatherND out of range'),
          Case('gatherND', [A, i32([[0, 0, 0]])], raises=True, name='gatherND index too long'),
          Case('gatherND', [A, np.array([[0.0, 1.0]], np.float32)], raises=True, name='gatherND float indices'),
          Case('scatterND', [i32([[1], [3], [1]]), np.array([5, 7, 2], np.float32), Raw([5])], grad=[1]),
          Case('scatterND', [i32([[0, 1], [2, 2]]), np.array([1.5, -2], np.float32), Raw([3, 3])], grad=[1]),
          Case('scatterND', [i32([[1], [0]]), np.array([[1, 2], [3, 4]], np.float32), Raw([3, 2])], grad=[1]),
          Case('scatterND', [i32([0, 2]), np.array([4, 6], np.int32), Raw([4])], name='scatterND rank-1 indices'),
          Case('scatterND', [i32([[5]]), np.array([1], np.float32), Raw([3])], raises=True, name='scatterND oob'),
          Case('scatterND', [i32([[1]]), np.array([1, 2], np.float32), Raw([3])], raises=True, name='scatterND bad updates'),
          Case('tensorScatterUpdate', [A, i32([[0, 1], [2, 3]]), np.array([9, 8], np.float32)]),
          Case('tensorScatterUpdate', [A, i32([[1], [1]]), np.ones([2, 4], np.float32)], name='tensorScatterUpdate dup rows'),
          Case('tensorScatterUpdate', [I, i32([[0]]), i32([[1, 1, 1, 1]])]),
          Case('tensorScatterUpdate', [A, i32([[0, 1]]), i32([1])], raises=True, name='tensorScatterUpdate dtype')]
# ---------------------------------------------------------------- meshgrid / booleanMask
CASES += [Case('meshgrid', [V, A[0].copy()], grad=True), Case('meshgrid', [V, A[0].copy(), {'indexing': 'ij'}], grad=[0, 1]),
          Case('meshgrid', [i32([1, 2]), i32([3, 4, 5])]), Case('meshgrid', [A]),
          Case('meshgrid', [V, V, {'indexing': 'xx'}], raises=True, name='meshgrid bad indexing'),
          Case('meshgrid', [Raw([1, 2]), Raw([[3], [4]])], name='meshgrid lists'),
          Case('booleanMaskAsync', [A, np.array([True, False, True])]),
          Case('booleanMaskAsync', [A, np.array([False, True, True, False]), 1]),
          Case('booleanMaskAsync', [A, A > 0]), Case('booleanMaskAsync', [T3, T3[0] > 0, 1]),
          Case('booleanMaskAsync', [I, np.array([False, False])]),
          Case('booleanMaskAsync', [A, np.array([True, False])], raises=True, name='booleanMask shape'),
          Case('booleanMaskAsync', [A, np.array(True)], raises=True, name='booleanMask scalar')]
# ---------------------------------------------------------------- complex / diag
CASES += [Case('complex', [V, V[::-1].copy()]), Case('complex', [A, B[:1]], raises=True, name='complex shapes'),
          Case('real', [], py=lambda tf, x, y: tf.real(tf.complex(x, y)), js='tf.real(tf.complex(a[0], a[1]))'),
          Case('imag', [], py=lambda tf, x, y: tf.imag(tf.complex(x, y)), js='tf.imag(tf.complex(a[0], a[1]))'),
          Case('complex', [i32([1, 2]), i32([3, 4])], name='complex int32'),
          Case('concat', [], py=lambda tf, x, y: tf.concat([tf.complex(x, y), tf.complex(y, x)]),
               js='tf.concat([tf.complex(a[0], a[1]), tf.complex(a[1], a[0])])', name='concat complex'),
          Case('diag', [V]), Case('diag', [A]), Case('diag', [I]), Case('diag', [np.float32(2) * np.ones([], np.float32)]),
          Case('diag', [BO])]
for c in CASES:
    if c.op in ('real', 'imag') and not c.args:
        c.args = [V, V * 2]


def test_transform_slicing_ops_agree_with_tfjs(oracle):
    assert_all_agree(run_cases(oracle, CASES))


def test_mirror_pad_gradient_sums_mirrored_parts():
    """TF.js 4.22 only slices dy; the true gradient (TensorFlow's) adds the mirrored entries."""
    x = tf.tensor1d([1, 2, 3])
    g = tf.grad(lambda t: tf.mirrorPad(t, [[2, 1]], 'reflect').sum())(x)
    assert g.arraySync() == [1.0, 3.0, 2.0]    # padded: [3, 2, 1, 2, 3, 2]
    g = tf.grad(lambda t: tf.mirrorPad(t, [[2, 1]], 'symmetric').sum())(x)
    assert g.arraySync() == [2.0, 2.0, 2.0]    # padded: [2, 1, 1, 2, 3, 3]


def test_documented_differences_from_tfjs():
    """Where TF.js 4.22 crashes or silently misbehaves, tfjs gives a clear answer."""
    import pytest
    a = tf.ones([3, 4])
    with pytest.raises(tf.ValueError):          # TF.js pads with undefined for missing pairs
        tf.pad(a, [[1, 0]])
    assert tf.real(a).arraySync() == a.arraySync()     # TF.js: "Cannot read properties of undefined"
    assert tf.imag(a).arraySync() == tf.zerosLike(a).arraySync()


def test_chained_and_snake_case_forms():
    x = tf.tensor2d([[1, 2], [3, 4]])
    assert x.stridedSlice([0], [1], [1]).arraySync() == [[1.0, 2.0]]
    assert tf.strided_slice(x, [1], [2]).arraySync() == [[3.0, 4.0]]
    assert tf.gather_nd(x, tf.tensor1d([1, 1], 'int32')).arraySync() == 4.0
    assert x.mirrorPad([[1, 0], [0, 0]], 'symmetric').shape == [3, 2]


def test_async_forms_in_event_loop():
    import asyncio

    async def main():
        masked = await tf.booleanMaskAsync(tf.tensor1d([1, 2, 3]), tf.tensor1d([1, 0, 1], 'bool'))
        out, idx = await tf.setdiff1dAsync(tf.tensor1d([1, 2, 3]), tf.tensor1d([2]))
        return masked.arraySync(), out.arraySync(), idx.arraySync()
    assert asyncio.run(main()) == ([1.0, 3.0], [1.0, 3.0], [0, 2])


def test_print(capsys):
    tf.print(tf.tensor1d([1, 2]))
    tf.print(tf.tensor1d([1, 2]), True)
    out = capsys.readouterr().out
    assert out.startswith('Tensor\n    [1, 2]\n')
    assert 'dtype: float32' in out
