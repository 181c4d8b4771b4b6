"""Differential cases against TF.js 4.22: raggedGather, raggedTensorToTensor, sparseToDense,
cosineWindow, enclosingPowerOfTwo and the tf.util helpers of util_extra (fingerPrint64 bit-exact
on many inputs), plus the ported error messages compared word for word.

Where TF.js's kernel returns garbage (documented in tfjs/ops/ragged.py), TF.js's behaviour is
pinned in `test_tfjs_ragged_bugs_pinned` and ours is checked against TensorFlow's semantics."""
import asyncio
import threading

import numpy as np
import pytest

import tfjs as tf
from harness import Case, Raw, _js_args, _run_python, assert_all_agree, run_cases
from tfjs._format import js_number_to_string

RS = np.random.RandomState(7)
i32 = lambda *v: np.array(v, np.int32)  # noqa: E731
f32 = lambda *v: np.array(v, np.float32)  # noqa: E731
b8 = lambda *v: np.array(v, bool)  # noqa: E731
S = lambda *v: np.array(v, object)  # noqa: E731

# ---------------------------------------------------------------------------- raggedGather
RG, RT = 'raggedGather', 'raggedTensorToTensor'


def _tensors(xs):
    """Arrays inside a list reach TF.js as tensors; make them tensors here too."""
    return [tf.tensor(x, None, {'i': 'int32', 'f': 'float32'}.get(x.dtype.kind)) if isinstance(x, np.ndarray)
            else x for x in xs]


def _rg(*args, **kw):
    kw.setdefault('py', lambda tf, s, v, i, r: tf.raggedGather(_tensors(s), v, i, r))
    return Case(RG, *args, **kw)


def _rt(*args, **kw):
    kw.setdefault('py', lambda tf, s, v, d, p, t: tf.raggedTensorToTensor(s, v, d, _tensors(p), t))
    return Case(RT, *args, **kw)


SP1 = i32(0, 2, 2, 5, 6)                    # 4 rows: [0,1] [] [2,3,4] [5]
V6 = f32(1.5, -2, 3, 4.25, 5, 6)
SPA, SPB = i32(0, 2, 3, 3), i32(0, 1, 3, 3, 6)   # 3 rows of 4 inner rows over 6 values
V6x2 = RS.randn(6, 2).astype(np.float32)
V6x2x3 = RS.randn(6, 2, 3).astype(np.float32)
SP3 = [i32(0, 1, 3), i32(0, 2, 3, 4), i32(0, 1, 3, 3, 7)]   # ragged rank 3 over 7 values
V7 = np.arange(7, dtype=np.int32) * 10
RG_CASES = [
    _rg([[SP1], V6, i32(3, 0, 1, 2), 1]),
    _rg([[SP1], V6, i32(2, 2, 2), 1], name='repeated index'),
    _rg([[SP1], V6, i32(), 1], name='no indices'),
    _rg([[SP1], V6, np.array(2, np.int32), 0], name='scalar index'),
    _rg([[SP1], V6, np.array(1, np.int32), 0], name='scalar index, empty row'),
    _rg([[SP1], V6, i32(3, 2, 1, 0).reshape(2, 2), 2], name='2-d indices'),
    _rg([[SP1], V6, i32(0, 1, 2, 3, 3, 2).reshape(1, 2, 3), 3], name='3-d indices'),
    _rg([[SP1], V6, np.zeros([2, 0], np.int32), 2], name='indices [2, 0]'),
    _rg([[SP1], V6x2, i32(2, 0), 1], name='2-d values'),
    _rg([[SP1], V6x2x3, i32(0, 3, 2), 1], name='3-d values'),
    _rg([[SP1], V6.astype(np.int32), i32(1, 3), 1], name='int32 values'),
    _rg([[SP1], b8(1, 0, 1, 1, 0, 0), i32(2, 3), 1], name='bool values'),
    _rg([[SPA, SPB], V6, i32(2, 0, 1), 2], name='ragged rank 2'),
    _rg([[SPA, SPB], V6x2, i32(1, 1), 2], name='ragged rank 2, 2-d values'),
    _rg([[SPA, SPB], V6, i32(0, 2, 1, 0).reshape(2, 2), 3], name='ragged rank 2, 2-d indices'),
    _rg([[SPA, SPB], V6, np.array(0, np.int32), 1], name='ragged rank 2, scalar index'),
    _rg([SP3, V7, i32(1, 0, 1), 3], name='ragged rank 3'),
    _rg([SP3, V7, i32(1, 0).reshape(2, 1), 4], name='ragged rank 3, 2-d indices'),
    _rg([[SP1], V6, Raw([3, 1]), 1], name='TensorLike indices'),
    _rg([Raw([[0, 1, 3]]), Raw([1, 2, 3]), i32(1), 1], name='TensorLike splits and values',
         py=lambda tf, s, v, i, r: tf.raggedGather([[0, 1, 3]], [1, 2, 3], i, r),
         js='tf.raggedGather([[0, 1, 3]], [1, 2, 3], a[2], a[3])'),
    _rg([[i32(0, 1, 4)], f32(1, 2, 3, 4, 9), i32(0, 1), 1], name='splits below values end'),
    _rg([[i32(1, 2, 4)], f32(1, 2, 3, 4), i32(0, 1), 1], name='splits not starting at 0'),
    _rg([[i32(0, 2, 2), i32(0, 1, 1)], f32(7), i32(1, 0), 2], name='empty row at the end'),
    _rg([[i32(0, 2, 4).reshape(1, 3)], V6, i32(0), 1], name='2-d splits tensor', raises=True),
    # errors
    _rg([[], V6, i32(0), 1], raises=True, name='no splits'),
    _rg([[np.array(3, np.int32)], V6, i32(0), 1], raises=True, name='scalar splits'),
    _rg([[SP1], V6, i32(0, 4), 1], raises=True, name='index past the rows'),
    _rg([[SP1], V6, i32(0, -1), 1], raises=True, name='negative index'),
    _rg([[SP1], V6, i32(0, 1, 2, 7).reshape(2, 2), 2], raises=True, name='bad index in 2-d'),
    _rg([[SP1], np.array(3, np.float32), i32(0), 1], raises=True, name='scalar values'),
    _rg([[i32()], V6, i32(), 1], raises=True, name='empty splits'),
    _rg([[i32(-1, 2, 6)], V6, i32(0), 1], raises=True, name='negative splits'),
    _rg([[i32(0, 4, 2, 6)], V6, i32(0), 1], raises=True, name='unsorted splits'),
    _rg([[i32(0, 2, 7)], V6, i32(0), 1], raises=True, name='splits past values'),
    _rg([[i32(0, 2, 5), i32(0, 1, 2, 3)], V6, i32(0), 1], raises=True,
         name='outer splits past inner splits'),
    _rg([[SP1], V6, f32(0, 1), 1], raises=True, name='float32 indices tensor'),
    _rg([[SP1.astype(np.float32)], V6, i32(0), 1], raises=True, name='float32 splits'),
    _rg([[SP1], S('a', 'b', 'c', 'd', 'e', 'f'), i32(0), 1], raises=True, name='string values'),
    _rg([[SP1], (V6 + 1j * V6).astype(np.complex64), i32(0), 1], raises=True,
         name='complex values'),
]

# ---------------------------------------------------------------------------- raggedTensorToTensor
VAL = f32(1, 2, 3, 4, 5, 6, 7)
SPL = i32(0, 2, 2, 5, 7)          # 4 rows: 2, 0, 3, 2
RIDS = i32(0, 0, 2, 2, 2, 3, 3)   # the same as value_rowids, first dim 4
SPL_OUT, SPL_IN = i32(0, 2, 3), i32(0, 1, 1, 4, 7)   # rank 2: 2 rows of [1,0,3] and [3] lists
RS_ = ['ROW_SPLITS']
RT_CASES = [
    _rt([i32(-1, -1), VAL, 0, [SPL], RS_]),
    _rt([i32(4, 3), VAL, -1, [SPL], RS_], name='natural shape given'),
    _rt([i32(2, 2), VAL, -1, [SPL], RS_], name='cropped'),
    _rt([i32(6, 5), VAL, 9.5, [SPL], RS_], name='padded'),
    _rt([i32(-1, 2), VAL, 0, [SPL], RS_], name='cropped columns'),
    _rt([i32(3, -1), VAL, 0, [SPL], RS_], name='cropped rows'),
    _rt([i32(0, -1), VAL, 0, [SPL], RS_], name='zero rows'),
    _rt([i32(4, 0), VAL, 0, [SPL], RS_], name='zero columns'),
    _rt([i32(-1, -1), VAL.astype(np.int32), 7, [SPL], RS_], name='int32'),
    _rt([i32(-1, -1), b8(1, 1, 0, 1, 0, 1, 1), False, [SPL], RS_], name='bool'),
    _rt([i32(-1, -1), VAL, np.array(-3, np.float32), [SPL], RS_], name='default tensor'),
    _rt([i32(-1, -1), VAL, 0, [np.array([4], np.int32), RIDS], ['FIRST_DIM_SIZE', 'VALUE_ROWIDS']],
         name='value_rowids'),
    _rt([i32(-1, -1), VAL, 0, [np.array(6, np.int32), RIDS], ['FIRST_DIM_SIZE', 'VALUE_ROWIDS']],
         name='value_rowids, larger first dim'),
    _rt([i32(3, 2), VAL, 0, [np.array(4, np.int32), RIDS], ['FIRST_DIM_SIZE', 'VALUE_ROWIDS']],
         name='value_rowids, cropped'),
    _rt([i32(-1, -1), VAL, 0, [np.array(2, np.int32), i32(0, 0, 0, 1, 1, 1, 1)],
              ['FIRST_DIM_SIZE', 'VALUE_ROWIDS']], name='value_rowids, two rows'),
    _rt([i32(-1, -1), f32(), 0, [np.array(3, np.int32), i32()], ['FIRST_DIM_SIZE', 'VALUE_ROWIDS']],
         name='value_rowids, no values'),
    _rt([i32(-1, -1, -1), VAL, 0, [SPL_OUT, SPL_IN], RS_ * 2], name='ragged rank 2'),
    _rt([i32(3, 3, 4), VAL, -1, [SPL_OUT, SPL_IN], RS_ * 2], name='ragged rank 2, padded'),
    _rt([i32(2, 1, 2), VAL, -1, [SPL_OUT, SPL_IN], RS_ * 2], name='ragged rank 2, cropped'),
    _rt([i32(-1, -1, -1), VAL, 0, [np.array(2, np.int32), i32(0, 0, 0, 1), SPL_IN],
              ['FIRST_DIM_SIZE', 'VALUE_ROWIDS', 'ROW_SPLITS']], name='value_rowids then row_splits'),
    _rt([i32(-1, -1, -1), VAL, 0, [SPL_OUT, i32(0, 2, 2, 2, 2, 3, 3)], ['ROW_SPLITS', 'VALUE_ROWIDS']],
         name='row_splits then value_rowids'),
    _rt([i32(-1, -1, 2), RS.randn(3, 2).astype(np.float32), 0, [i32(0, 1, 3)], RS_],
         name='2-d values (dense dim 2)'),
    _rt([i32(3, 3, 2), RS.randn(3, 2).astype(np.float32), 0.5, [i32(0, 1, 3)], RS_],
         name='2-d values padded (dense dim 2)'),
    _rt([i32(-1, -1), VAL, 0, [SPL], ['ROW_SPLITS', 'FOO', 'ROW_SPLITS']],
         name='types stop at an unknown name'),
    _rt([Raw([-1, -1]), Raw([1, 2, 3]), 0, Raw([[0, 1, 3]]), RS_], name='TensorLike',
         py=lambda tf, s, v, d, p, t: tf.raggedTensorToTensor(s, v, d, [[0, 1, 3]], t),
         js='tf.raggedTensorToTensor(a[0], a[1], a[2], [[0, 1, 3]], a[4])'),
    # errors
    _rt([i32(-1, -1), VAL, 0, [i32()], RS_], raises=True, name='empty first partition'),
    _rt([i32(-1, -1), VAL, 0, [SPL], []], raises=True, name='no types'),
    _rt([i32(-1, -1), VAL, 0, [SPL], ['ROW_LENGTHS']], raises=True, name='row_lengths first'),
    _rt([i32(-1, -1), VAL, 0, [RIDS], ['VALUE_ROWIDS']], raises=True, name='value_rowids first'),
    _rt([i32(4, 3), VAL, 0, [np.array(4, np.int32), RIDS], ['FIRST_DIM_SIZE', 'ROW_LENGTHS']],
         raises=True, name='unsupported partition type'),
    _rt([i32(-1, -1), VAL, 0, [np.array(4, np.int32), RIDS], ['FIRST_DIM_SIZE', 'ROW_LENGTHS']],
         raises=True, name='max width of unsupported type'),
    _rt([np.array(5, np.int32), VAL, 0, [SPL], RS_], raises=True, name='scalar shape not -1'),
    _rt([i32(-2, -1), VAL, 0, [SPL], RS_], raises=True, name='shape dim < -1'),
    _rt([i32(-1, -1, -1), VAL, 0, [SPL], RS_], raises=True, name='shape rank'),
    _rt([i32(), VAL, 0, [SPL], RS_], raises=True, name='empty shape'),
    _rt([i32(-1, -1), VAL, f32(0, 1), [SPL], RS_], raises=True, name='default rank'),
    _rt([i32(-1, -1, -1), RS.randn(3, 3).astype(np.float32), f32(0, 1), [i32(0, 1, 3)], RS_],
         raises=True, name='default incompatible'),
    _rt([i32(-1, -1), VAL, 0, [i32(1, 2, 7)], RS_], raises=True, name='splits not from 0'),
    _rt([i32(-1, -1), VAL, 0, [np.array(2, np.int32), RIDS], ['FIRST_DIM_SIZE', 'VALUE_ROWIDS']],
         raises=True, name='row id past first dim'),
    _rt([i32(-1, -1), VAL, 0, [np.array(2, np.int32), i32(3, 3, 3, 3, 3, 3, 3)],
              ['FIRST_DIM_SIZE', 'VALUE_ROWIDS']], raises=True, name='first row id past first dim'),
    _rt([i32(3, -1), VAL, 0, [np.array(-3, np.int32), RIDS], ['FIRST_DIM_SIZE', 'VALUE_ROWIDS']],
         raises=True, name='negative first dim size'),
    _rt([i32(-1, -1), VAL, 0, [np.array(-3, np.int32), RIDS], ['FIRST_DIM_SIZE', 'VALUE_ROWIDS']],
         raises=True, name='negative natural first dim'),
    _rt([i32(-1, -1, -1), VAL, 0, [i32(0, 3), SPL_IN], RS_ * 2], raises=True,
         name='row partition size greater than output size'),
    _rt([i32(-1, -1), VAL, 0, [SPL.astype(np.float32)], RS_], raises=True, name='float32 splits'),
    _rt([f32(-1, -1), VAL, 0, [SPL], RS_], raises=True, name='float32 shape tensor'),
    _rt([i32(-1, -1), VAL, i32(0), [SPL], RS_], raises=True, name='default dtype'),
    _rt([i32(-1, -1), S('a', 'b', 'c', 'd', 'e', 'f', 'g'), 'x', [SPL], RS_], raises=True,
         name='string values'),
    _rt([i32(-1, -1), (VAL + 1j).astype(np.complex64), Raw(None), [SPL], RS_], raises=True,
         name='complex values', py=lambda tf, s, v, d, p, t: tf.raggedTensorToTensor(s, v, tf.complex(0, 0), p, t),
         js='tf.raggedTensorToTensor(a[0], a[1], tf.complex(0, 0), a[3], a[4])'),
]

# ---------------------------------------------------------------------------- sparseToDense
SD = 'sparseToDense'
SD_CASES = [
    Case(SD, [i32(4, 5, 6, 1, 2, 3), f32(10, 11, 12, 13, 14, 15), Raw([8])]),
    Case(SD, [i32(4, 1), f32(10, 11), Raw([6]), -1.5], name='default'),
    Case(SD, [i32(0, 0, 2), f32(1, 2, 3), Raw([3])], name='repeated index keeps the last'),
    Case(SD, [i32(0, 2), np.array(7, np.float32), Raw([4]), 1], name='scalar value'),
    Case(SD, [np.array(2, np.int32), np.array(7, np.float32), Raw([4])], name='scalar index'),
    Case(SD, [np.array(2, np.int32), f32(7), Raw([4])], name='scalar index, one value'),
    Case(SD, [i32(0, 1, 1, 2, 2, 0).reshape(3, 2), f32(1, 2, 3), Raw([3, 3])], name='2-d'),
    Case(SD, [i32(0, 1, 1, 1, 2, 0, 0, 0, 3).reshape(3, 3), f32(1, 2, 3), Raw([2, 3, 4]), 9], name='3-d'),
    Case(SD, [i32(0, 5).reshape(1, 2), f32(7), Raw([3, 3])], name='flat index check only'),
    Case(SD, [i32(1, -1).reshape(1, 2), f32(7), Raw([3, 3])], name='negative component'),
    Case(SD, [i32(0, 9), f32(1, 2), Raw([0])], name='empty output ignores indices'),
    Case(SD, [i32(0, 9).reshape(2, 1), f32(1, 2), Raw([3, 0])], raises=True, name='rank mismatch'),
    Case(SD, [np.zeros([2, 0], np.int32), f32(1, 2), Raw([])], name='no index columns'),
    Case(SD, [i32(1, 3), i32(5, 6), Raw([5]), 2.7], name='int32 values, float default'),
    Case(SD, [i32(1, 3), b8(1, 0), Raw([5]), True], name='bool'),
    Case(SD, [i32(1, 3), S('a', 'bé'), Raw([5]), 'z'], name='string'),
    Case(SD, [i32(1, 3), S('a', 'b'), Raw([5])], raises=True, name='string with numeric default'),
    Case(SD, [Raw([1, 2]), Raw([3, 4]), Raw([4]), 2], name='TensorLike'),
    Case(SD, [i32(0, 1), f32(1, 2), Raw([2.0])], name='integral float dim'),
    Case(SD, [i32(0, 3), f32(1, 2), Raw([3])], raises=True, name='index out of range'),
    Case(SD, [i32(0, -1), f32(1, 2), Raw([3])], raises=True, name='negative index'),
    Case(SD, [i32(0, 1, 2, 3).reshape(2, 2), f32(1, 2), Raw([2, 1])], raises=True, name='2-d out of range'),
    Case(SD, [np.zeros([1, 1, 1], np.int32), f32(1), Raw([1])], raises=True, name='indices rank 3'),
    Case(SD, [i32(0, 1), f32(1, 2), Raw([2, 2])], raises=True, name='output rank'),
    Case(SD, [i32(0, 1), f32(1, 2, 3), Raw([3])], raises=True, name='values length'),
    Case(SD, [i32(0, 1), f32(1, 2).reshape(1, 2), Raw([3])], raises=True, name='values rank 2'),
    Case(SD, [f32(0, 1), f32(1, 2), Raw([3])], raises=True, name='float32 indices'),
    Case(SD, [i32(0, 1), f32(1, 2), Raw([2.5])], raises=True, name='fractional dim'),
    Case(SD, [i32(0, 1), f32(1, 2), Raw([-3])], raises=True, name='negative dim'),
    Case(SD, [i32(0, 1), f32(1, 2), Raw([3]), np.array(1, np.int32)], raises=True, name='default dtype'),
    Case(SD, [i32(0, 1), (f32(1, 2) + 1j).astype(np.complex64), Raw([3])], raises=True, name='complex',
         py=lambda tf, i, v, s: tf.sparseToDense(i, v, s, tf.complex(0, 0)),
         js='tf.sparseToDense(a[0], a[1], a[2], tf.complex(0, 0))'),
]

# ---------------------------------------------------------------------------- signal helpers
CW_CASES = [Case('cosineWindow', [n, a, b]) for n in (0, 1, 2, 3, 4, 5, 8, 16, 17, 100, 3.0, 2.5, -0.5)
            for a, b in ((0.5, 0.5), (0.54, 0.46), (1, -2))]
CW_CASES += [Case('cosineWindow', [float('nan'), 0.5, 0.5], name='NaN length'),
             Case('cosineWindow', [-1, 0.5, 0.5], raises=True, name='negative length'),
             Case('cosineWindow', [float('inf'), 0.5, 0.5], raises=True, name='infinite length')]
POW_VALUES = [0, 1, 2, 3, 5, 7, 8, 9, 0.3, 0.5, 0.51, 1.5, -1, -0.5, 1e-300, 5e-324, 1e300, 1.7e308,
              float('inf'), float('nan'), 2 ** 53 + 2] + [2 ** k for k in range(64)] + \
    [2 ** k + 1 for k in range(1, 60, 3)] + [2 ** k - 1 for k in range(2, 60, 3)] + \
    [float(v) for v in RS.uniform(0, 1e6, 20)]
POW_CASES = [Case('enclosingPowerOfTwo', [v], name=f'enclosingPowerOfTwo({v})',
                  py=lambda tf, v: js_number_to_string(tf.enclosingPowerOfTwo(v)),
                  js='String(tf.enclosingPowerOfTwo(a[0]))') for v in POW_VALUES]

# ---------------------------------------------------------------------------- tf.util
U = 'util.'


def _typed(fn):
    """A py= wrapper turning the NumPy typed array a util function returns into a list."""
    def call(tf, *args):
        out = fn(tf, *args)
        return out.tolist() if isinstance(out, np.ndarray) else out
    return call


def _u(fn, args, js=None, **kw):
    label = kw.pop('name', f'{fn}{args!r}'[:80])
    py = kw.pop('py', _typed(lambda tf, *a: getattr(tf.util, fn)(*a)))
    return Case(U + fn, [Raw(a) for a in args], js=js, name=label, py=py, **kw)


NaN, Inf = float('nan'), float('inf')
UTIL_CASES = [
    _u('isScalarShape', [[]]), _u('isScalarShape', [[1]]), _u('isScalarShape', [[0, 2]]),
    _u('arraysEqualWithNull', [[1, 2], [1, 2]]), _u('arraysEqualWithNull', [[1, None], [1, 5]]),
    _u('arraysEqualWithNull', [[None, 2], [3, None]]), _u('arraysEqualWithNull', [[1, 2], [1, 3]]),
    _u('arraysEqualWithNull', [[1, 2], [1]]), _u('arraysEqualWithNull', [None, [1]]),
    _u('arraysEqualWithNull', [None, None]), _u('arraysEqualWithNull', [[], []]),
    _u('arraysEqualWithNull', [[NaN], [NaN]]), _u('arraysEqualWithNull', [[1.0], [1]]),
    _u('arraysEqualWithNull', [[True], [1]]), _u('arraysEqualWithNull', [['a'], ['a']]),
    _u('assertNonNegativeIntegerDimensions', [[2, 0, 3]]), _u('assertNonNegativeIntegerDimensions', [[]]),
    _u('assertNonNegativeIntegerDimensions', [[2.0]]),
    _u('assertNonNegativeIntegerDimensions', [[2, -1]], raises=True),
    _u('assertNonNegativeIntegerDimensions', [[2.5]], raises=True),
    _u('assertNonNegativeIntegerDimensions', [[NaN]], raises=True),
    _u('assertNonNegativeIntegerDimensions', [[True]], raises=True),
    _u('assertNonNegativeIntegerDimensions', [['3']], raises=True),
    _u('bytesFromStringArray', [None]),
    _u('bytesFromStringArray', [[[104, 195, 169], [], [1, 2, 3, 4]]],
       js='tf.util.bytesFromStringArray(a[0].map(x => new Uint8Array(x)))'),
    _u('checkConversionForErrors', [[1, 2.5, -3], 'float32']), _u('checkConversionForErrors', [[], 'int32']),
    _u('checkConversionForErrors', [[1, NaN], 'float32'], raises=True),
    _u('checkConversionForErrors', [[Inf], 'int32'], raises=True),
    _u('checkConversionForErrors', [[-Inf], 'int32'], raises=True),
    _u('checkConversionForErrors', [['abc'], 'float32'], raises=True),
    _u('checkConversionForErrors', [['12', True, None, ' 3 '], 'float32']),
    _u('checkConversionForErrors', [[1, 2, 3], 'float32'], js="tf.util.checkConversionForErrors(new Float32Array(a[0]), a[1])"),
    _u('getArrayFromDType', ['float32', 3]), _u('getArrayFromDType', ['int32', 2]),
    _u('getArrayFromDType', ['bool', 4]), _u('getArrayFromDType', ['string', 2]),
    _u('getArrayFromDType', [None, 2]), _u('getArrayFromDType', ['float32', 0]),
    _u('getArrayFromDType', ['float32', 2.7]), _u('getArrayFromDType', ['complex64', 2], raises=True),
    _u('getArrayFromDType', ['float32', -1], raises=True), _u('getArrayFromDType', ['string', 1.5], raises=True),
    _u('getTypedArrayFromDType', ['int32', 3]), _u('getTypedArrayFromDType', ['bool', 1]),
    _u('getTypedArrayFromDType', ['int64', 1], raises=True),
    _u('makeZerosNestedTypedArray', [[2, 3], 'float32']), _u('makeZerosNestedTypedArray', [[], 'int32']),
    _u('makeZerosNestedTypedArray', [[3], 'bool']), _u('makeZerosNestedTypedArray', [[2, 0], 'float32']),
    _u('makeZerosNestedTypedArray', [[1, 2, 2], None]), _u('makeZerosNestedTypedArray', [[0], 'int32']),
    _u('makeZerosNestedTypedArray', [[2], 'complex64'], raises=True),
    _u('makeZerosNestedTypedArray', [[2], 'string'], raises=True),
    _u('toTypedArray', [[[1.7, -2.2], [0.4, 3]], 'int32']), _u('toTypedArray', [[1.7, -2.2, 1e10], 'float32']),
    _u('toTypedArray', [[0.4, 0.5, -0.5, -0.51, 2, NaN, Inf, 0], 'bool']),
    _u('toTypedArray', [[2 ** 31, -(2 ** 31) - 1, 2 ** 32 + 5, -2.9, NaN, Inf, -Inf], 'int32']),
    _u('toTypedArray', [[1, 2], 'complex64']), _u('toTypedArray', [[1, 2], None]),
    _u('toTypedArray', [['1.5', 'x', True, None, ' 2 ', '', '0x10', '1e3', 'Infinity', '-inf'], 'float32']),
    _u('toTypedArray', [[True, False], 'int32']), _u('toTypedArray', [[[[1]], [[2]]], 'float32']),
    _u('toTypedArray', [[], 'bool']), _u('toTypedArray', [5, 'float32']), _u('toTypedArray', [3, 'int32']),
    _u('toTypedArray', [5, 'bool']),
    _u('toTypedArray', [[1.5, -2.5, 300], 'int32'], js="tf.util.toTypedArray(new Float32Array(a[0]), a[1])",
       name='toTypedArray of a Float32Array', py=_typed(lambda tf, v, d: tf.util.toTypedArray(np.float32(v), d))),
    _u('toTypedArray', [[1, 0, 3], 'bool'], js="tf.util.toTypedArray(new Int32Array(a[0]), a[1])",
       name='toTypedArray of an Int32Array', py=_typed(lambda tf, v, d: tf.util.toTypedArray(np.int32(v), d))),
    _u('toTypedArray', [['a'], 'string'], raises=True), _u('toTypedArray', [[1], 'int64'], raises=True),
    _u('createScalarValue', [2.5, 'int32']), _u('createScalarValue', [2.5, 'float32']),
    _u('createScalarValue', [-0.7, 'bool']), _u('createScalarValue', [0.7, 'bool']),
    _u('createScalarValue', [NaN, 'bool']), _u('createScalarValue', [3, 'complex64']),
    _u('createScalarValue', ['hé ☃', 'string']), _u('createScalarValue', [1.5, 'string']),
    _u('createScalarValue', [True, 'string']), _u('createScalarValue', [1, 'uint8'], raises=True),
    _u('tanh', [0]), _u('tanh', [0.5]), _u('tanh', [-3.25]), _u('tanh', [1e-12]), _u('tanh', [25]),
    _u('tanh', [-800]), _u('tanh', [Inf]), _u('tanh', [-Inf]), _u('tanh', [NaN]), _u('tanh', ['0.5']),
    _u('tanh', [None]), _u('tanh', [True]),
]
CV = 'convertBackendValuesAndArrayBuffer'
UTIL_CASES += [
    _u(CV, [[[1, 2], [3]], 'string'], js=f"tf.util.{CV}(a[0].map(x => new Uint8Array(x)), a[1])",
       name='list passes through', py=lambda tf, v, d: [list(x) for x in tf.util.convertBackendValuesAndArrayBuffer(
           [bytes(x) for x in v], d)]),
    _u(CV, [[1.5, -2, 3e10], 'float32'], js=f"tf.util.{CV}(new Float32Array(a[0]).buffer, a[1])",
       name='float32 buffer', py=_typed(lambda tf, v, d: tf.util.convertBackendValuesAndArrayBuffer(np.float32(v).tobytes(), d))),
    _u(CV, [[1, -2, 2 ** 31 - 1], 'int32'], js=f"tf.util.{CV}(new Int32Array(a[0]).buffer, a[1])",
       name='int32 buffer', py=_typed(lambda tf, v, d: tf.util.convertBackendValuesAndArrayBuffer(np.int32(v).tobytes(), d))),
    _u(CV, [[1, 256, 257, -1, 0], 'bool'], js=f"tf.util.{CV}(new Int32Array(a[0]).buffer, a[1])",
       name='bool buffer', py=_typed(lambda tf, v, d: tf.util.convertBackendValuesAndArrayBuffer(np.int32(v).tobytes(), d))),
    _u(CV, [[65, 300], 'string'], js=f"tf.util.{CV}(new Int32Array(a[0]).buffer, a[1])",
       name='string buffer', py=_typed(lambda tf, v, d: tf.util.convertBackendValuesAndArrayBuffer(np.int32(v).tobytes(), d))),
    _u(CV, [[1.5, -2.7, 300.2], 'int32'], js=f"tf.util.{CV}(new Float32Array(a[0]), a[1])",
       name='Float32Array as int32', py=_typed(lambda tf, v, d: tf.util.convertBackendValuesAndArrayBuffer(np.float32(v), d))),
    _u(CV, [[1, 2], 'float32'], js=f"tf.util.{CV}(new Int32Array(a[0]), a[1])",
       name='Int32Array as float32', py=_typed(lambda tf, v, d: tf.util.convertBackendValuesAndArrayBuffer(np.int32(v), d))),
    _u(CV, [[1, 2, 3, 4, 5], 'float32'], js=f"tf.util.{CV}(new Uint8Array(a[0]).buffer, a[1])", raises=True,
       name='buffer not a multiple of 4', py=lambda tf, v, d: tf.util.convertBackendValuesAndArrayBuffer(bytes(v), d)),
    _u(CV, [[1, 2], 'complex64'], js=f"tf.util.{CV}(new Float32Array(a[0]), a[1])", raises=True,
       name='complex64', py=lambda tf, v, d: tf.util.convertBackendValuesAndArrayBuffer(np.float32(v), d)),
]
HEX = ['c3a5c85c97cb3127', 'b492b66fbe98f273', '9ae16a3b2f90404f', '9ddfea08eb382d69', 'ff', 'FF', '0',
       '1', '0x1f', '0X1F', ' 1f', '\t\n1f', '+f', '-ff', '-1', '--5', 'ffffffffffffffff', 'f' * 17,
       '1' + '0' * 16, '123456789abcdef0123', 'zz', 'g1', '1g', '12345678abc', '1234567g9abc', 'NaN',
       'Infinity', '-Infinity', '+Infinity', '-NaN', 'deadbeef', '8000000000000000', 'DeadBeefCafeBabe']
UTIL_CASES += [Case(U + 'hexToLong', [h], name=f'hexToLong({h!r})', py=lambda tf, h: str(tf.util.hexToLong(h)),
                    js='tf.util.hexToLong(a[0]).toString()') for h in HEX]
UTIL_CASES += [Case(U + 'hexToLong', [h], raises=True, name=f'hexToLong({h!r})', py=lambda tf, h: str(tf.util.hexToLong(h)),
                    js='tf.util.hexToLong(a[0]).toString()') for h in ['', '-', 'a-b', '1-']]

# fingerPrint64: every length up to 300 (all the code paths and their boundaries), then long ones
FP_INPUTS = [RS.randint(0, 256, n).tolist() for n in range(0, 301)] + \
    [RS.randint(0, 256, n).tolist() for n in (511, 512, 513, 1000, 4096, 4097)] + \
    [[0] * 70, [255] * 70, [255] * 17, [0] * 9, list(b'hello'), list('ünïcödé ☃'.encode())]
FP_CASES = [Case(U + 'fingerPrint64', [Raw(b)], name=f'fingerPrint64 len {len(b)}',
                 py=lambda tf, b: str(tf.util.fingerPrint64(np.array(b, np.uint8))),
                 js='tf.util.fingerPrint64(new Uint8Array(a[0])).toString()') for b in FP_INPUTS]
FP_CASES += [Case(U + 'fingerPrint64', [Raw(FP_INPUTS[n]), k], name=f'fingerPrint64 len {n} first {k}',
                  py=lambda tf, b, k: str(tf.util.fingerPrint64(bytes(b), k)),
                  js='tf.util.fingerPrint64(new Uint8Array(a[0]), a[1]).toString()')
             for n, k in ((100, 3), (100, 16), (100, 17), (100, 40), (100, 64), (100, 65), (300, 129),
                          (5, 9), (10, 20), (20, 40), (40, 70), (0, 2), (2, 3), (70, 200), (50, 0))]
FP_CASES += [Case(U + 'fingerPrint64', [s], name=f'stringToHashBucketFast agrees ({s!r})',
                  py=lambda tf, s: str(tf.util.fingerPrint64(s) % 1000003),
                  js='String(tf.string.stringToHashBucketFast([a[0]], 1000003).dataSync()[0])')
             for s in ('', 'a', 'hello world', 'x' * 40, 'y' * 99, 'ünïcödé ☃')]

REPEATED_TRY_JS = r"""(async () => {
  const calls = [], delays = [];
  let n = 0;
  const check = () => { calls.push(++n); return n >= a[0]; };
  const delay = (c) => { delays.push(c); return 1; };
  const schedule = a[2] ? (fn, d) => { delays.push('s' + d); fn(); } : undefined;
  try { const r = await tf.util.repeatedTry(check, delay, a[1] === null ? undefined : a[1], schedule);
        return ['resolved', r === undefined ? null : r, calls, delays]; }
  catch (e) { return ['rejected', null, calls, delays]; }
})()"""


def _repeated_try_py(tf, succeed_at, max_counter, use_schedule):
    calls, delays = [], []

    def check():
        calls.append(len(calls) + 1)
        return len(calls) >= succeed_at

    def delay(c):
        delays.append(c)
        return 1

    def schedule(fn, d):
        delays.append(f's{d}')
        fn()
    try:
        r = tf.util.repeatedTry(check, delay, max_counter, schedule if use_schedule else None)
        return ['resolved', r, calls, delays]
    except tf.TfjsError:
        return ['rejected', None, calls, delays]


RT_TRY_CASES = [Case(U + 'repeatedTry', [Raw(s), Raw(m), Raw(sch)], name=f'repeatedTry({s}, {m}, {sch})',
                     py=_repeated_try_py, js=REPEATED_TRY_JS)
                for s, m, sch in ((1, None, False), (4, None, False), (3, 5, False), (6, 5, False), (5, 5, False),
                                  (2, 1, False), (4, None, True), (9, 3, True))]


def test_ragged_gather(oracle):
    assert_all_agree(run_cases(oracle, RG_CASES))


def test_ragged_tensor_to_tensor(oracle):
    assert_all_agree(run_cases(oracle, RT_CASES))


def test_sparse_to_dense(oracle):
    assert_all_agree(run_cases(oracle, SD_CASES))


def test_cosine_window_and_enclosing_power_of_two(oracle):
    assert_all_agree(run_cases(oracle, CW_CASES + POW_CASES))


def test_util_helpers(oracle):
    assert_all_agree(run_cases(oracle, UTIL_CASES + RT_TRY_CASES))


def test_fingerprint64_bit_exact(oracle):
    assert len(FP_CASES) > 320
    assert_all_agree(run_cases(oracle, FP_CASES))


# ---------------------------------------------------------------------------- error messages
MSG_JS = r"""
const resolve = (path) => path.split('.').reduce((o, k) => o[k], tf);
return args.cases.map(c => {
  const a = c.args.map(x => ('raw' in x) ? x.raw : x.v);
  try { c.js ? (new Function('tf', 'a', 'return ' + c.js))(tf, a) : resolve(c.op)(...a); return null; }
  catch (e) { return String(e && e.message || e); }
});
"""
SAME_MESSAGE = {
    'raggedGather': ['no splits', 'scalar splits', 'index past the rows', 'negative index', 'bad index in 2-d',
                     'scalar values', 'empty splits', 'negative splits', 'unsorted splits', 'splits past values',
                     'float32 indices tensor', 'complex values'],
    'raggedTensorToTensor': ['empty first partition', 'no types', 'row_lengths first', 'value_rowids first',
                             'unsupported partition type', 'max width of unsupported type', 'scalar shape not -1',
                             'shape dim < -1', 'shape rank', 'empty shape', 'default rank', 'default incompatible',
                             'splits not from 0', 'row id past first dim', 'first row id past first dim',
                             'negative first dim size', 'negative natural first dim',
                             'row partition size greater than output size', 'float32 splits', 'default dtype',
                             'complex values'],
    'sparseToDense': ['index out of range', 'negative index', '2-d out of range', 'indices rank 3', 'output rank',
                      'values length', 'values rank 2', 'float32 indices', 'fractional dim', 'negative dim',
                      'default dtype', 'rank mismatch'],
}


def test_error_messages_match_tfjs(oracle):
    cases = [c for c in RG_CASES + RT_CASES + SD_CASES if c.name in SAME_MESSAGE.get(c.op, [])]
    cases += [c for c in UTIL_CASES if c.raises]
    theirs = oracle.eval(MSG_JS, {'cases': [{'op': c.op, 'args': _js_args(c.args), 'js': c.js} for c in cases]})
    bad = []
    for c, msg in zip(cases, theirs):
        try:
            _run_python(c)
            ours = None
        except Exception as exc:  # noqa: BLE001 - compared below
            ours = str(exc)
        if msg is None or ours is None or (ours != msg and not _benign(c, ours, msg)):
            bad.append(f'{c.op} {c.label}: tfjs {ours!r} vs TF.js {msg!r}')
    assert len(cases) > 60
    assert not bad, '\n'.join(bad)


def _benign(case, ours, theirs):
    """TF.js's RangeErrors come from V8, ours from the port: same text up to V8's wording."""
    return theirs.startswith('Invalid typed array length') and ours.startswith('Invalid typed array length') or \
        theirs == 'Invalid array length' and ours == theirs


# ---------------------------------------------------------------------------- TF.js bugs, pinned
def test_tfjs_ragged_bugs_pinned(oracle):
    """What TF.js 4.22 returns where its kernels are wrong (so a fix upstream shows up here), and
    what tfjs returns instead (TensorFlow's answer)."""
    js = r"""
    const v = tf.tensor2d([[1, 2, 3], [4, 5, 6], [7, 8, 9]]), s = [tf.tensor1d([0, 1, 3], 'int32')];
    const run = (f) => { try { const r = f(); return [r.shape, Array.from(r.dataSync())]; } catch (e) { return e.message; } };
    return [
      run(() => tf.raggedTensorToTensor(tf.tensor1d([-1, -1, 3], 'int32'), v, 0, s, ['ROW_SPLITS'])),
      run(() => tf.raggedTensorToTensor(tf.tensor1d([-1, -1, -1], 'int32'), v, 0, s, ['ROW_SPLITS'])),
      run(() => tf.raggedTensorToTensor(tf.scalar(-1, 'int32'), tf.tensor1d([1, 2, 3]), 0, s, ['ROW_SPLITS'])),
      run(() => tf.raggedTensorToTensor(tf.tensor1d([2, 3], 'int32'), tf.tensor1d([1, 2, 3]), 0, s, ['ROW_SPLITS'])),
      run(() => tf.raggedTensorToTensor(tf.tensor1d([2, 3, 3], 'int32'), v, tf.tensor1d([-1, -2, -3]),
                                        s, ['ROW_SPLITS'])),
      run(() => tf.raggedTensorToTensor(tf.tensor1d([-1, -1], 'int32'), tf.tensor1d([1, 2]), 0, s, ['ROW_SPLITS'])),
      run(() => tf.raggedGather([tf.tensor1d([0, 1, 4], 'int32'), tf.tensor1d([0, 2, 4, 7], 'int32')],
                                tf.tensor1d([1, 2, 3, 4, 5, 6, 7]), tf.tensor1d([1], 'int32'), 2).outputDenseValues),
    ];"""
    r = oracle.eval(js)
    assert r[0][0] == [2, 2, 3, 3] and np.isnan(r[0][1][-1])          # wrong shape, NaN tail
    assert r[1] == 'Dimension -1 must be >= 0'
    assert r[2].startswith('rt input.shape and shape= are incompatible')
    assert r[3] == [[2, 3], [1, 0, 0, 2, 3, 0]]                       # 1-d values: correct
    assert r[4][0] == [2, 3, 3, 3]
    assert r[5][0] == [2, 2] and np.isnan(r[5][1][3])                  # reads past the values
    assert len(r[6][0]) == 1 and np.isnan(r[6][0][0])                 # shape [NaN]

    v = tf.tensor2d([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    s = [tf.tensor1d([0, 1, 3], 'int32')]
    natural = [[[1, 2, 3], [0, 0, 0]], [[4, 5, 6], [7, 8, 9]]]
    assert tf.raggedTensorToTensor(tf.tensor1d([-1, -1, 3], 'int32'), v, 0, s, ['ROW_SPLITS']).arraySync() == natural
    assert tf.raggedTensorToTensor(tf.tensor1d([-1, -1, -1], 'int32'), v, 0, s, ['ROW_SPLITS']).arraySync() == natural
    assert tf.raggedTensorToTensor(-1, v, 0, s, ['ROW_SPLITS']).arraySync() == natural
    assert tf.raggedTensorToTensor(tf.scalar(-1, 'int32'), tf.tensor1d([1, 2, 3]), 0, s,
                                   ['ROW_SPLITS']).arraySync() == [[1, 0], [2, 3]]
    padded = tf.raggedTensorToTensor(tf.tensor1d([2, 3, 3], 'int32'), v, tf.tensor1d([-1, -2, -3]), s, ['ROW_SPLITS'])
    assert padded.arraySync() == [[[1, 2, 3], [-1, -2, -3], [-1, -2, -3]], [[4, 5, 6], [7, 8, 9], [-1, -2, -3]]]
    bcast = tf.raggedTensorToTensor(-1, tf.ones([3, 2, 3]), tf.tensor2d([[7], [8]]), s, ['ROW_SPLITS'])
    assert bcast.shape == [2, 2, 2, 3] and bcast.arraySync()[0][1] == [[7, 7, 7], [8, 8, 8]]
    with pytest.raises(tf.ValueError, match='incompatible'):
        tf.raggedTensorToTensor(tf.tensor1d([2, 2, 1], 'int32'), v, 0, s, ['ROW_SPLITS'])
    with pytest.raises(tf.ValueError, match='values has only 2'):
        tf.raggedTensorToTensor(tf.tensor1d([-1, -1], 'int32'), tf.tensor1d([1, 2]), 0, s, ['ROW_SPLITS'])
    with pytest.raises(tf.ValueError, match='must not point past values'):
        tf.raggedGather([tf.tensor1d([0, 1, 4], 'int32'), tf.tensor1d([0, 2, 4, 7], 'int32')],
                        tf.tensor1d([1, 2, 3, 4, 5, 6, 7]), tf.tensor1d([1], 'int32'), 2)
    with pytest.raises(tf.ValueError, match='non-negative'):
        tf.raggedTensorToTensor(-1, tf.tensor1d([1, 2]), 0, [tf.scalar(2, 'int32'), tf.tensor1d([0, -1], 'int32')],
                                ['FIRST_DIM_SIZE', 'VALUE_ROWIDS'])
    with pytest.raises(tf.ValueError, match='vector'):
        tf.raggedTensorToTensor(-1, tf.tensor1d([1, 2]), 0, [tf.scalar(2, 'int32')], ['ROW_SPLITS'])
    # the rows TF.js gathers correctly around the bad split still work here
    ok = tf.raggedGather([tf.tensor1d([0, 1, 4], 'int32'), tf.tensor1d([0, 2, 4, 7], 'int32')],
                         tf.tensor1d([1, 2, 3, 4, 5, 6, 7]), tf.tensor1d([0], 'int32'), 2)
    assert [t.arraySync() for t in ok['outputNestedSplits']] == [[0, 1], [0, 2]]


# ---------------------------------------------------------------------------- local checks
def test_names_snake_twins_and_namespaces():
    u = tf.util
    assert u.finger_print64 is u.fingerPrint64 and u.hex_to_long is u.hexToLong
    assert u.repeated_try is u.repeatedTry and u.to_typed_array is u.toTypedArray
    assert tf.sparse_to_dense is tf.sparseToDense and tf.cosine_window is tf.cosineWindow
    assert tf.enclosing_power_of_two is tf.enclosingPowerOfTwo
    assert tf.ragged_gather is tf.raggedGather and tf.ragged_tensor_to_tensor is tf.raggedTensorToTensor
    assert not hasattr(tf.signal, 'cosineWindow')          # TF.js exports it at tf.* only
    assert u.tanh is not tf.tanh and u.tanh(0.5) == pytest.approx(np.tanh(0.5))


def test_fingerprint64_inputs_and_hash_constants():
    u = tf.util
    data = 'hello wörld'.encode()
    want = u.fingerPrint64(np.frombuffer(data, np.uint8))
    assert u.fingerPrint64(data) == u.fingerPrint64(list(data)) == u.fingerPrint64('hello wörld') == want
    assert 0 <= want < 2 ** 64
    assert u.fingerPrint64(b'') == u.hexToLong('9ae16a3b2f90404f')   # k2, the empty-input hash
    assert u.fingerPrint64(data, 4) == u.fingerPrint64(data[:4])
    assert u.fingerPrint64(b'ab', 5) == u.fingerPrint64(b'ab\0\0\0')   # bytes past the end read 0


def test_typed_array_identity_and_dtypes():
    u = tf.util
    a = np.zeros(3, np.float32)
    assert u.toTypedArray(a, 'float32') is a                    # noConversionNeeded
    assert u.convertBackendValuesAndArrayBuffer(a, 'float32') is a
    b = np.zeros(2, np.uint8)
    assert u.toTypedArray(b, 'bool') is b
    assert u.toTypedArray(b, 'int32').dtype == np.int32
    assert u.toTypedArray(np.array([[1.5], [2.5]]), 'float32').tolist() == [1.5, 2.5]
    assert u.getArrayFromDType('bool', 2).dtype == np.uint8
    assert u.createScalarValue('hé', 'string').tolist() == [104, 195, 169]
    buf = bytearray(np.float32([1, 2]).tobytes())
    view = u.convertBackendValuesAndArrayBuffer(buf, 'float32')
    buf[0:4] = np.float32([5]).tobytes()
    assert view.tolist() == [5.0, 2.0]                          # a view of the buffer, as in JS
    assert u.makeZerosNestedTypedArray([2, 1], 'float32') == [[0.0], [0.0]]


def test_rand_uniform():
    xs = [tf.util.randUniform(-2, 3) for _ in range(4000)]
    assert min(xs) >= -2 and max(xs) < 3 and abs(np.mean(xs) - 0.5) < 0.15
    assert tf.util.randUniform(1, 1) == pytest.approx(1)


def test_repeated_try_async_and_threads():
    calls = []

    async def main():
        p = tf.util.repeatedTry(lambda: calls.append(1) or len(calls) >= 3, lambda c: 1)
        assert isinstance(p, tf.Promise)
        return await p
    assert asyncio.run(main()) is None and len(calls) == 3

    async def failing():
        await tf.util.repeatedTry(lambda: False, None, 2)
    with pytest.raises(tf.TfjsError):
        asyncio.run(failing())

    n = []

    def schedule(fn, delay):                                     # a retry from another thread
        threading.Timer(delay / 1000, fn).start()
    tf.util.repeatedTry(lambda: n.append(1) or len(n) >= 3, lambda c: 5, 10, schedule)
    assert len(n) == 3
