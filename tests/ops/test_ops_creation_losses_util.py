"""Differential cases against TF.js 4.22 for the tensor-creation ops, the random ops, tf.util's
runtime helpers and tf.losses.

* creation: values, dtypes and shapes (rank 0, empty), TypedArray inputs, error cases;
  `tf.print` compares the printed text (our stdout vs TF.js's console.log, captured with the
  oracle's `helpers.captureLog`).
* random: deterministic properties only (shape, dtype, range, integrality, seeded
  reproducibility, and mean/std of a large sample within statistical tolerance, judged on each
  side; the streams themselves differ).
* util: typed-array kinds (`Float32Array` <-> float32 NumPy arrays ...), in-place shuffles
  (permutations), `fetch` against a loopback HTTP server started here, error messages.
* losses: values and gradients, for every `tf.Reduction`, with and without weights
  (full, broadcast, scalar, with zeros), label smoothing.

TF.js bugs found here (TF.js's behaviour pinned in `test_tfjs_bugs_pinned`, ours documented in
the op's module):
* `randomUniformInt` truncates toward zero, so a negative `minval` is (almost) never drawn and 0
  is drawn twice as often (tfjs/ops/random.py: ours is uniform over [minval, maxval));
* `losses.softmaxCrossEntropy`'s custom gradient for the labels is `dy * (labels - softmax)`;
  TensorFlow's (and the true derivative) is `-dy * logSoftmax(logits)`, which ours gives;
* `range(start, stop, step)` with `stop < start` and `0 < step < 1` counts *up* from start
  (`step > 1` where `step > 0` was meant); ours returns the empty range, as for every other
  positive step;
* `tensor([[1, 2], [3]])` (ragged) builds a [2, 2] tensor holding 3 values; ours raises;
* a rank-0 `buffer([]).set(v)` throws (no coordinates is taken as `[0]`); ours sets the value.

Python extensions not compared (TF.js throws or does something JS-specific): `variable` and
`print` of a plain array, `util.fetch` of file:// URLs, `range(n)` with one argument.
"""
import contextlib
import http.server
import io
import json
import threading

import numpy as np
import pytest

import tfjs as tf
from harness import Case, Raw, _resolve, assert_all_agree, run_cases

RS = np.random.RandomState(11)
f32 = lambda *v: np.array(v, np.float32)  # noqa: E731
i32 = lambda *v: np.array(v, np.int32)  # noqa: E731
b8 = lambda *v: np.array(v, bool)  # noqa: E731
S = lambda *v: np.array(v, object)  # noqa: E731

# JS typed arrays <-> NumPy arrays, for cases that build typed arrays on both sides
TYPED = {'Float32Array': np.float32, 'Int32Array': np.int32, 'Uint8Array': np.uint8,
         'Uint32Array': np.uint32, 'Float64Array': np.float64, 'Int16Array': np.int16,
         'Int8Array': np.int8, 'Uint16Array': np.uint16}
TYPED_NAME = {np.dtype(v): k for k, v in TYPED.items()}


def _typed_py(kind, values):
    return np.array(values, TYPED[kind])


def _typed_desc(a):
    """{'type': 'Float32Array', 'values': [...]} for a typed array (NumPy array here)."""
    return {'type': TYPED_NAME[np.asarray(a).dtype], 'values': np.asarray(a).tolist()}


JS_TYPED_DESC = "(x => ({type: x.constructor.name, values: Array.from(x)}))"


# =============================================================================== creation
def _tensor_from_typed(tf, kind, values, shape=None, dtype=None):
    return tf.tensor(_typed_py(kind, values), shape, dtype)


JS_TENSOR_FROM_TYPED = "tf.tensor(new globalThis[a[0]](a[1]), a[2] == null ? undefined : a[2], a[3] == null ? undefined : a[3])"

CREATION = []
# tf.tensor: nested lists, flat + shape, dtypes, rank 0 and empty, TypedArrays, errors
CREATION += [
    Case('tensor', [Raw([[1, 2], [3, 4]])]),
    Case('tensor', [Raw([1, 2, 3, 4, 5, 6]), Raw([2, 3])]),
    Case('tensor', [Raw([1, 2, 3, 4, 5, 6]), Raw([3, 2]), 'int32']),
    Case('tensor', [Raw([1.7, -2.7, 0.5, -0.5]), Raw(None), 'int32'], name='tensor float -> int32 truncates'),
    Case('tensor', [Raw([0, 2, 0.4, -1]), Raw(None), 'bool'], name='tensor numbers -> bool'),
    Case('tensor', [Raw([0.5, -0.5, -0.6, np.nan, np.inf]), Raw(None), 'bool'], name='tensor bool rounds'),
    Case('tensor', [Raw([np.nan, np.inf, -np.inf, 1e10]), Raw(None), 'int32'], name='tensor int32 ToInt32'),
    Case('tensor', [Raw([True, 2])], name='tensor bool first element'),
    Case('tensor', [Raw([True, False, True])]),
    Case('tensor', [Raw([[True], [False]]), Raw(None), 'int32'], name='tensor bool -> int32'),
    Case('tensor', [Raw(['a', 'bc', 'ü'])]),
    Case('tensor', [Raw([['a', 'b'], ['c', 'd']]), Raw([4])], name='tensor strings reshaped'),
    Case('tensor', [Raw(3.5)]),
    Case('tensor', [Raw(7), Raw([]), 'int32']),
    Case('tensor', [Raw(7), Raw([1, 1, 1])], name='tensor scalar value with shape [1,1,1]'),
    Case('tensor', [Raw(True)]),
    Case('tensor', [Raw('s')]),
    Case('tensor', [Raw([])]),
    Case('tensor', [Raw([[]])]),
    Case('tensor', [Raw([]), Raw([0, 3])]),
    Case('tensor', [Raw([]), Raw([2, 0]), 'int32']),
    Case('tensor', [Raw([1, 2, 3]), Raw([2, 2])], raises=True, name='tensor size mismatch'),
    Case('tensor', [Raw([1, 2]), Raw([2]), 'float64'], raises=True, name='tensor unknown dtype'),
    Case('tensor', [Raw([[1, 2], [3, 4]]), Raw([4, 1])], raises=True, name='tensor nested vs shape'),
    Case('tensor', [Raw([1, 2, 3, 4]), Raw([2, -2])], raises=True, name='tensor negative shape'),
    Case('tensor', [Raw(None)], raises=True, name='tensor null'),
    Case('tensor', [Raw([np.nan, np.inf, -np.inf, -0.0])], name='tensor non-finite'),
    Case('tensor', [Raw([1e40, -1e-50, 3.4028234663852886e38])], name='tensor float32 overflow/underflow'),
    Case('tensor', [Raw([2 ** 31 + 5, -(2 ** 31) - 1]), Raw(None), 'int32'], name='tensor int32 wraps'),
    Case('tensor', [Raw([1, 2, 3, 4]), Raw([2, 2]), 'complex64'], raises=True, name='tensor complex64 from numbers'),
]
for kind, values, shape, dtype in [('Float32Array', [1.5, -2, 3, 4], [2, 2], None),
                                   ('Int32Array', [1, -2, 3], None, None),
                                   ('Uint8Array', [0, 1, 255], None, None),
                                   ('Int32Array', [1, 0, 3, 0], [4], 'bool'),
                                   ('Float32Array', [1.9, -1.9], None, 'int32'),
                                   ('Float32Array', [], [0, 5], None),
                                   ('Float32Array', [1, 2, 3], [2, 2], None)]:
    CREATION.append(Case('tensor', [kind, Raw(values), Raw(shape), Raw(dtype)], py=_tensor_from_typed,
                         js=JS_TENSOR_FROM_TYPED, raises=len(values) == 3 and shape == [2, 2],
                         name=f'tensor from {kind} {shape} {dtype}'))

# the rank-checked variants
CREATION += [
    Case('tensor1d', [Raw([1, 2, 3])]), Case('tensor1d', [Raw([1, 2, 3]), 'int32']),
    Case('tensor1d', [Raw([])]), Case('tensor1d', [Raw([True, False]), 'bool']),
    Case('tensor1d', [Raw(['x', 'y'])]),
    Case('tensor1d', [Raw(5)], raises=True, name='tensor1d scalar'),
    Case('tensor1d', [Raw([[1, 2]])], raises=True, name='tensor1d nested'),
    Case('tensor2d', [Raw([[1, 2], [3, 4]])]),
    Case('tensor2d', [Raw([1, 2, 3, 4, 5, 6]), Raw([3, 2])]),
    Case('tensor2d', [Raw([[1, 2, 3]]), Raw([1, 3]), 'int32']),
    Case('tensor2d', [Raw([]), Raw([0, 4])]),
    Case('tensor2d', [Raw([[]])]),
    Case('tensor2d', [Raw([1, 2, 3, 4])], raises=True, name='tensor2d flat without shape'),
    Case('tensor2d', [Raw([[1, 2], [3, 4]]), Raw([4])], raises=True, name='tensor2d rank-1 shape'),
    Case('tensor2d', [Raw([[[1]]])], raises=True, name='tensor2d rank 3 values'),
    Case('tensor2d', [Raw([1, 2, 3]), Raw([2, 2])], raises=True, name='tensor2d size'),
    Case('tensor3d', [Raw([[[1], [2]], [[3], [4]]])]),
    Case('tensor3d', [Raw(list(range(12))), Raw([2, 3, 2]), 'int32']),
    Case('tensor3d', [Raw([]), Raw([2, 0, 3])]),
    Case('tensor3d', [Raw([1, 2, 3, 4])], raises=True, name='tensor3d flat without shape'),
    Case('tensor3d', [Raw([1, 2, 3, 4]), Raw([2, 2])], raises=True, name='tensor3d rank-2 shape'),
    Case('tensor3d', [Raw([[1, 2]])], raises=True, name='tensor3d rank-2 values'),
    Case('tensor4d', [Raw([[[[1, 2]], [[3, 4]]]])]),
    Case('tensor4d', [Raw(list(range(16))), Raw([2, 2, 2, 2]), 'int32']),
    Case('tensor4d', [Raw([]), Raw([1, 0, 1, 1])]),
    Case('tensor4d', [Raw([1, 2])], raises=True, name='tensor4d flat without shape'),
    Case('tensor4d', [Raw([[[1]]])], raises=True, name='tensor4d rank-3 values'),
    Case('tensor5d', [Raw([[[[[1], [2]]]]])]),
    Case('tensor5d', [Raw(list(range(32))), Raw([2, 2, 2, 2, 2]), 'bool']),
    Case('tensor5d', [Raw([1, 2]), Raw([2, 1, 1, 1])], raises=True, name='tensor5d rank-4 shape'),
    Case('tensor5d', [Raw([1, 2])], raises=True, name='tensor5d flat without shape'),
    Case('tensor6d', [Raw([[[[[[1, 2, 3]]]]]])]),
    Case('tensor6d', [Raw(list(range(12))), Raw([1, 2, 1, 3, 2, 1]), 'int32']),
    Case('tensor6d', [Raw([]), Raw([0, 1, 1, 1, 1, 1])]),
    Case('tensor6d', [Raw([1])], raises=True, name='tensor6d flat without shape'),
    Case('tensor6d', [Raw([[1]]), Raw([1, 1])], raises=True, name='tensor6d rank-2 shape'),
]
CREATION += [
    Case('scalar', [3.25]), Case('scalar', [-7, 'int32']), Case('scalar', [2.9, 'int32']),
    Case('scalar', [True]), Case('scalar', [0, 'bool']), Case('scalar', ['hé']),
    Case('scalar', [Raw(np.nan)]), Case('scalar', [Raw(-np.inf)]), Case('scalar', [1.5, 'float32']),
    Case('scalar', [Raw([1])], raises=True, name='scalar array'),
    Case('scalar', [Raw([])], raises=True, name='scalar empty array'),
    Case('scalar', [Raw(None)], raises=True, name='scalar null'),
]
for op in ['zeros', 'ones']:
    CREATION += [Case(op, [Raw([2, 3])]), Case(op, [Raw([])]), Case(op, [Raw([0])]), Case(op, [Raw([3, 0, 2])]),
                 Case(op, [Raw([2]), 'int32']), Case(op, [Raw([2, 1]), 'bool']), Case(op, [Raw([2]), 'complex64']),
                 Case(op, [Raw([2]), 'string'], raises=True, name=f'{op} string'),
                 Case(op, [Raw([-1])], raises=True, name=f'{op} negative dim'),
                 Case(op, [Raw([1.5])], raises=True, name=f'{op} fractional dim')]
CREATION += [
    Case('fill', [Raw([2, 2]), 3.5]), Case('fill', [Raw([]), -1]), Case('fill', [Raw([3]), 7, 'int32']),
    Case('fill', [Raw([3]), 2.7, 'int32'], name='fill int32 truncates'),
    Case('fill', [Raw([3]), -2.7, 'int32'], name='fill int32 truncates negative'),
    Case('fill', [Raw([2]), True]), Case('fill', [Raw([2]), 1, 'bool']), Case('fill', [Raw([2, 1]), 'ab']),
    Case('fill', [Raw([0, 4]), 1]), Case('fill', [Raw([2]), Raw(np.nan)]), Case('fill', [Raw([2]), Raw(np.inf)]),
    Case('fill', [Raw([2]), 'x', 'string']),
    Case('fill', [Raw([2]), 0.4, 'bool'], name='fill bool keeps the truncated byte'),
    Case('fill', [Raw([2]), 256, 'bool'], name='fill bool 256 is a zero byte'),
    Case('fill', [Raw([2]), Raw(np.nan), 'int32']), Case('fill', [Raw([2]), 3e9, 'int32'], name='fill int32 wraps'),
    Case('fill', [Raw([2]), 1, 'complex64'], raises=True, name='fill complex64'),
    Case('fill', [Raw([-2]), 1], raises=True, name='fill negative dim'),
    Case('fill', [Raw([2.5]), 1], raises=True, name='fill fractional dim'),
]
CREATION += [
    Case('linspace', [0, 9, 10]), Case('linspace', [1, 0, 5]), Case('linspace', [-1.5, 2.25, 7]),
    Case('linspace', [3, 3, 4]), Case('linspace', [5, 9, 1]), Case('linspace', [0, 1, 100]),
    Case('linspace', [0.1, 0.7, 13]), Case('linspace', [1e6, 1e6 + 1, 3]),
    Case('linspace', [0, 1, 0], raises=True, name='linspace num 0'),
    Case('linspace', [0, 1, -3], raises=True, name='linspace num negative'),
]
CREATION += [
    Case('range', [0, 5]), Case('range', [0, 5, 2]), Case('range', [1, 2, 0.1]), Case('range', [-3, 3, 1, 'int32']),
    Case('range', [10, 0, -3]), Case('range', [0, -2.5, -1]), Case('range', [0, 2.5]), Case('range', [3, 3]),
    Case('range', [0, 5, -1]), Case('range', [5, 0, 2]), Case('range', [0, 0.3, 0.1]),
    Case('range', [5, 0], name='range counts down when step is the default 1'),
    Case('range', [2.5, 0], name='range counts down from a fraction'),
    Case('range', [5, 0, 1, 'int32'], name='range int32 counts down'),
    Case('range', [0, 3, 0.5, 'int32'], name='range int32 fractional step accumulates truncated'),
    Case('range', [0.5, 4, 1, 'int32'], name='range int32 fractional start'),
    Case('range', [1.5, 5, 1.5, 'int32']), Case('range', [-1, 1, 0.25]),
    Case('range', [0, 1, 1 / 3]), Case('range', [100, 90, -0.7]),
    Case('range', [0, 5, 0], raises=True, name='range step 0'),
]
CREATION += [
    Case('eye', [3]), Case('eye', [2, 4]), Case('eye', [4, 2]), Case('eye', [1]), Case('eye', [0]),
    Case('eye', [3, 0]), Case('eye', [2, 3, Raw([2])]), Case('eye', [2, 2, Raw([2, 3])]),
    Case('eye', [2, 2, Raw([1, 2, 2])]), Case('eye', [2, 2, Raw(None), 'int32']),
    Case('eye', [3, 3, Raw(None), 'bool']), Case('eye', [2, Raw(None), Raw([3]), 'int32']),
    Case('eye', [2, 2, Raw([1, 1, 1, 1])], raises=True, name='eye 4-d batchShape'),
    Case('eye', [2, 2, Raw([])], raises=True, name='eye 0-d batchShape'),
    Case('eye', [2.5], raises=True, name='eye fractional'), Case('eye', [-1], raises=True, name='eye negative'),
    Case('eye', [2, 2, Raw(None), 'complex64'], raises=True, name='eye complex64'),
]
A = RS.randn(3, 4).astype(np.float32)
CREATION += [
    Case('clone', [A], grad=True), Case('clone', [f32()]), Case('clone', [np.array(2.5, np.float32)], grad=True),
    Case('clone', [i32(1, 2, 3)]), Case('clone', [b8(True, False)]), Case('clone', [S('a', 'b')]),
    Case('clone', [Raw([[1, 2], [3, 4]])], name='clone TensorLike'),
    Case('clone', [np.array([1 + 2j, 3 - 1j], np.complex64)]),
    Case('clone', [Raw('abc')], name='clone string TensorLike'),
]


def _buffer_set(tf, shape, dtype, sets):
    b = tf.buffer(shape, dtype)
    for value, *loc in sets:
        b.set(value, *loc)
    return {'t': b.toTensor(), 'get': [b.get(*loc) for _, *loc in sets], 'size': b.size,
            'strides': list(b.strides), 'dtype': b.dtype, 'shape': list(b.shape)}


JS_BUFFER_SET = """(() => { const b = tf.buffer(a[0], a[1]);
  for (const [v, ...loc] of a[2]) b.set(v, ...loc);
  return {t: b.toTensor(), get: a[2].map(([v, ...loc]) => b.get(...loc)), size: b.size,
          strides: b.strides, dtype: b.dtype, shape: b.shape}; })()"""
CREATION += [
    Case('buffer', [Raw([2, 3])]), Case('buffer', [Raw([2, 2]), 'int32', Raw([1, 2, 3, 4])]),
    Case('buffer', [Raw([]), 'float32', Raw([5])]), Case('buffer', [Raw([0, 2])]),
    Case('buffer', [Raw([3]), 'bool', Raw([1, 0, 1])]), Case('buffer', [Raw([2]), 'string', Raw(['a', 'b'])]),
    Case('buffer', [Raw([2, 2]), 'float32', Raw([1, 2, 3])], raises=True, name='buffer values size'),
    Case('buffer', [Raw([2]), 'complex64'], raises=True, name='buffer complex64'),
    Case('buffer', [Raw([2, -1])], raises=True, name='buffer negative dim'),
    Case('buffer', [Raw([2, 3]), 'float32', Raw([[1.5, 0, 1], [-2, 1, 2]])], py=_buffer_set, js=JS_BUFFER_SET,
         name='buffer set/get/strides'),
    Case('buffer', [Raw([2, 2, 2]), 'int32', Raw([[7.9, 1, 1, 1], [-3.2, 0, 0, 0]])], py=_buffer_set, js=JS_BUFFER_SET,
         name='buffer int32 set truncates'),
    Case('buffer', [Raw([2]), 'bool', Raw([[1, 1]])], py=_buffer_set, js=JS_BUFFER_SET, name='buffer bool set'),
    Case('buffer', [Raw([2, 2]), 'float32', Raw([[1, 0]])], py=_buffer_set, js=JS_BUFFER_SET, raises=True,
         name='buffer set wrong rank'),
]


def _variable(tf, x, trainable=True, name=None, dtype=None):
    v = tf.variable(x, trainable, name, dtype)
    out = {'v': v, 'trainable': v.trainable, 'dtype': v.dtype, 'shape': list(v.shape)}
    if name is not None:
        out['name'] = v.name
    return out


JS_VARIABLE = """(v => { const o = {v, trainable: v.trainable, dtype: v.dtype, shape: v.shape};
  if (a[2] != null) o.name = v.name; return o; })(tf.variable(a[0], a[1] == null ? undefined : a[1],
  a[2] == null ? undefined : a[2], a[3] == null ? undefined : a[3]))"""
_VAR_NAME = f'creation_case_var_{id(CREATION)}'
CREATION += [Case('variable', [x, *rest], py=_variable, js=JS_VARIABLE, name=f'variable {label}')
             for label, x, *rest in [
                 ('float', A), ('rank 0', np.array(3, np.float32)), ('empty', np.zeros([0, 2], np.float32)),
                 ('int32', i32(1, 2)), ('bool', b8(True)), ('string', S('a')),
                 ('not trainable', A, False), ('named', A, True, _VAR_NAME),
                 ('cast to int32', f32(1.7, -1.7, 2.5), True, None, 'int32'),
                 ('cast to bool', f32(0, 2), True, None, 'bool'),
                 ('cast int32 to float32', i32(3, -4), False, None, 'float32')]]
CREATION += [Case('variable', [A, True, _VAR_NAME + '_dup'], raises=True, name='variable duplicate name',
                  py=lambda tf, x, t, n: [tf.variable(x, t, n), tf.variable(x, t, n)],
                  js='[tf.variable(a[0], a[1], a[2]), tf.variable(a[0], a[1], a[2])]')]


def test_creation_agrees_with_tfjs(oracle):
    assert_all_agree(run_cases(oracle, CREATION))


# ================================================================================== print
def _printed(tf, x, verbose=False):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert tf.print(x, verbose) is None
    return out.getvalue()


JS_PRINTED = "helpers.captureLog(() => { if (tf.print(a[0], a[1]) !== undefined) throw new Error('returned'); })"
PRINT_VALUES = [
    RS.randn(3, 4).astype(np.float32), f32(1.5, -2, 3.25), np.array(-0.5, np.float32), i32(1, -20, 300),
    np.arange(24, dtype=np.int32).reshape(2, 3, 4), b8(True, False), S('a', 'bc', 'ünï'), S('x').reshape(1, 1),
    f32(), np.zeros([2, 0, 3], np.float32), f32(np.nan, np.inf, -np.inf, -0.0, 1e-8, 1e8),
    np.arange(100, dtype=np.float32), np.arange(2000, dtype=np.float32).reshape(40, 50) / 7,
    np.arange(64, dtype=np.int32).reshape(2, 2, 2, 2, 2, 2), np.array([1 + 2j, -3.5 - 1j], np.complex64),
    np.array(7, np.int32), np.array(True), RS.randn(2, 2, 2).astype(np.float32) * 1000,
]
PRINT_CASES = [Case('print', [x, verbose], py=_printed, js=JS_PRINTED,
                    name=f'print {x.dtype} {list(x.shape)} verbose={verbose}')
               for x in PRINT_VALUES for verbose in (False, True)]
PRINT_CASES += [Case('print', [Raw(None), False], py=_printed, js=JS_PRINTED, raises=True, name='print null')]


def test_print_text_agrees_with_tfjs(oracle):
    assert_all_agree(run_cases(oracle, PRINT_CASES))


# ================================================================================= random
# Each side summarises its own sample; the summaries (not the values) are compared.
#   spec: lo/hi (range, hi exclusive unless hiIncl), integers, mean/std (+ tolerances),
#   repeat (the same seed twice gives the same values), distinct (at least this many values).
def _summary(values, shape, dtype, spec, again=None):
    v = np.asarray(values, np.float64).reshape(-1)
    out = {'shape': list(shape), 'dtype': dtype, 'size': int(v.size)}
    if 'lo' in spec:
        out['inRange'] = bool(np.all((v >= spec['lo']) & ((v <= spec['hi']) if spec.get('hiIncl') else (v < spec['hi']))))
    if spec.get('integers'):
        out['integers'] = bool(np.all(v == np.round(v)))
    if 'mean' in spec:
        out['meanOk'] = bool(abs(v.mean() - spec['mean']) <= spec['meanTol'])
    if 'std' in spec:
        out['stdOk'] = bool(abs(v.std() - spec['std']) <= spec['stdTol'])
    if 'distinct' in spec:
        out['distinct'] = bool(len(set(v.tolist())) >= spec['distinct'])
    if again is not None:
        out['repeat'] = bool(np.array_equal(v, np.asarray(again, np.float64).reshape(-1)))
    return out


JS_SUMMARY = """((f, s) => { const t = f(); const v = Array.from(t.dataSync(), Number); const n = v.length;
  const out = {shape: t.shape, dtype: t.dtype, size: n};
  const mean = v.reduce((p, q) => p + q, 0) / n;
  const std = Math.sqrt(v.reduce((p, q) => p + (q - mean) * (q - mean), 0) / n);
  if ('lo' in s) out.inRange = v.every(x => x >= s.lo && (s.hiIncl ? x <= s.hi : x < s.hi));
  if (s.integers) out.integers = v.every(x => Number.isInteger(x));
  if ('mean' in s) out.meanOk = Math.abs(mean - s.mean) <= s.meanTol;
  if ('std' in s) out.stdOk = Math.abs(std - s.std) <= s.stdTol;
  if ('distinct' in s) out.distinct = new Set(v).size >= s.distinct;
  if (s.repeat) { const w = Array.from(f().dataSync(), Number); out.repeat = w.length === n && w.every((x, i) => x === v[i]); }
  return out; })"""


def random_case(op, args, spec=None, name='', raises=False):
    """A Case comparing the summaries of `tf.<op>(*args)` on both sides."""
    spec = dict(spec or {})

    def py(tf, *a):
        f = lambda: _resolve(tf, op)(*a)  # noqa: E731
        t = f()
        again = f().dataSync() if spec.get('repeat') else None
        return _summary(t.dataSync(), t.shape, t.dtype, spec, again)
    return Case(op, [Raw(a) for a in args], py=py, raises=raises, name=name or f'{op} {args}',
                js=f"{JS_SUMMARY}(() => tf.{op}(...a), {json.dumps(spec)})")


def moments(mean, std, n, integers=False, k=6.0):
    """mean/std expectations with a k-sigma tolerance for a sample of n (k=6: ~1e-9 flakiness)."""
    return {'mean': mean, 'meanTol': k * std / np.sqrt(n) + (0.5 if integers and std == 0 else 0),
            'std': std, 'stdTol': k * std / np.sqrt(2 * n)}


N = 20000
TRUNC_STD = 0.8796256610342398            # std of N(0, 1) truncated to [-2, 2]
ROUND_STD = float(np.sqrt(1 + 1 / 12))     # about the std of Math.round(N(0, 1))
RANDOM = []
for seed in [None, 7]:
    sd = [] if seed is None else [seed]
    rep = {} if seed is None else {'repeat': True}
    RANDOM += [
        random_case('randomNormal', [[N], 0, 1, 'float32', *sd], {**moments(0, 1, N), **rep}),
        random_case('randomNormal', [[100, 200], -3, 0.5, None, *sd], {**moments(-3, 0.5, N), **rep}),
        random_case('randomNormal', [[N], 0, 1, 'int32', *sd], {'integers': True, **moments(0, ROUND_STD, N), **rep},
                    name=f'randomNormal int32 rounds (seed {seed})'),
        random_case('randomNormal', [[N], 50, 10, 'int32', *sd], {'integers': True, **moments(50, 10, N), **rep}),
        random_case('randomStandardNormal', [[N], 'float32', *sd], {**moments(0, 1, N), **rep}),
        random_case('randomStandardNormal', [[40, 500], 'int32', *sd], {'integers': True, **moments(0, ROUND_STD, N), **rep}),
        random_case('truncatedNormal', [[N], 0, 1, 'float32', *sd],
                    {'lo': -2, 'hi': 2, 'hiIncl': True, **moments(0, TRUNC_STD, N), **rep}),
        random_case('truncatedNormal', [[N], 10, 3, 'float32', *sd],
                    {'lo': 4, 'hi': 16, 'hiIncl': True, **moments(10, 3 * TRUNC_STD, N), **rep}),
        random_case('truncatedNormal', [[N], 20, 5, 'int32', *sd],
                    {'lo': 10, 'hi': 30, 'hiIncl': True, 'integers': True, **moments(20, 5 * TRUNC_STD, N, k=7), **rep}),
        random_case('randomUniform', [[N], 0, 1, 'float32', *sd],
                    {'lo': 0, 'hi': 1, 'hiIncl': True, **moments(0.5, 1 / np.sqrt(12), N), **rep}),
        random_case('randomUniform', [[4, N // 4], -2, 6, 'float32', *sd],
                    {'lo': -2, 'hi': 6, 'hiIncl': True, **moments(2, 8 / np.sqrt(12), N), **rep}),
        random_case('randomUniform', [[N], 0, 10, 'int32', *sd],
                    {'lo': 0, 'hi': 10, 'integers': True, 'distinct': 10, **moments(4.5, np.sqrt(99 / 12), N), **rep}),
        random_case('randomUniform', [[N], 0, 1, 'bool', *sd], {**moments(0, 0, N), 'meanTol': 0, **rep},
                    name=f'randomUniform bool in [0, 1) is all false (a Uint8Array truncates; seed {seed})'),
        random_case('randomUniform', [[N], 0, 2, 'bool', *sd], {**moments(0.5, 0.5, N), **rep}),
        random_case('randomUniformInt', [[N], 0, 10, *sd],
                    {'lo': 0, 'hi': 10, 'integers': True, 'distinct': 10, **moments(4.5, np.sqrt(99 / 12), N), **rep}),
        random_case('randomUniformInt', [[100, 200], 5, 8, *sd],
                    {'lo': 5, 'hi': 8, 'integers': True, 'distinct': 3, **moments(6, np.sqrt(8 / 12), N), **rep}),
        random_case('randomUniformInt', [[N], -5, 5, *sd], {'lo': -5, 'hi': 5, 'integers': True, **rep},
                    name=f'randomUniformInt negative minval: range only (seed {seed})'),
    ]
RANDOM += [
    random_case('randomNormal', [[], 1, 2]), random_case('randomNormal', [[0, 3]]), random_case('randomNormal', [[2, 0], 0, 1, 'int32']),
    random_case('randomNormal', [[3], 4, 0], {'lo': 4, 'hi': 4, 'hiIncl': True}, name='randomNormal stdDev 0'),
    random_case('randomStandardNormal', [[]]), random_case('randomStandardNormal', [[0]]),
    random_case('truncatedNormal', [[]]), random_case('truncatedNormal', [[5, 0, 2]]),
    random_case('truncatedNormal', [[3], -1, 0], {'lo': -1, 'hi': -1, 'hiIncl': True}, name='truncatedNormal stdDev 0'),
    random_case('randomUniform', [[]]), random_case('randomUniform', [[0, 4], 0, 1, 'int32']),
    random_case('randomUniform', [[5], 3, 3], {'lo': 3, 'hi': 3, 'hiIncl': True}, name='randomUniform empty range'),
    random_case('randomUniform', [[N], 5, 1], {'lo': 1, 'hi': 5, 'hiIncl': True, **moments(3, 4 / np.sqrt(12), N)},
                name='randomUniform reversed bounds'),
    random_case('randomUniformInt', [[]]  + [0, 3]), random_case('randomUniformInt', [[0], 0, 3]),
    random_case('randomUniformInt', [[4], 2, 2], {'lo': 2, 'hi': 2, 'hiIncl': True}, name='randomUniformInt empty range'),
    random_case('randomUniformInt', [[4], 0, 1, 'seed-string'], {'lo': 0, 'hi': 0, 'hiIncl': True, 'repeat': True},
                name='randomUniformInt [0, 1) with a string seed'),
    random_case('randomNormal', [[N], 0, 1, 'float32', 'a string seed'], {**moments(0, 1, N), 'repeat': True}),
]
for op, args in [('randomNormal', [[2], 0, 1, 'bool']), ('randomNormal', [[-1]]), ('randomNormal', [[2.5]]),
                 ('randomStandardNormal', [[2], 'bool']), ('randomStandardNormal', [[-3]]),
                 ('truncatedNormal', [[2], 0, 1, 'bool']), ('truncatedNormal', [[1, -1]]),
                 ('randomUniform', [[-1]]), ('randomUniform', [[1.5]]), ('randomUniformInt', [[-2], 0, 5]),
                 ('randomUniformInt', [[2, 0.5], 0, 5])]:
    RANDOM.append(random_case(op, args, raises=True, name=f'{op} {args} raises'))


def test_random_properties_agree_with_tfjs(oracle):
    assert_all_agree(run_cases(oracle, RANDOM))


# =================================================================================== util
U = 'util.'


class _Thenable:
    def then(self, *a):
        return None


# the same kinds of values on both sides (built fresh for every call)
PY_KINDS = {
    'arrow function': lambda: (lambda: 1), 'builtin function': lambda: max, 'class': lambda: type('C', (), {}),
    'plain object': lambda: {}, 'number': lambda: 3, 'zero': lambda: 0, 'string': lambda: 's',
    'empty string': lambda: '', 'null': lambda: None, 'array': lambda: [1, 2], 'boolean': lambda: True,
    'tensor': lambda: tf.scalar(1), 'thenable': _Thenable, 'then not a function': lambda: {'then': 1},
    **{name: (lambda d=d: np.zeros(3, d)) for name, d in TYPED.items()},
}
JS_KINDS = """({
  'arrow function': () => () => 1, 'builtin function': () => Math.max, 'class': () => class C {},
  'plain object': () => ({}), 'number': () => 3, 'zero': () => 0, 'string': () => 's',
  'empty string': () => '', 'null': () => null, 'array': () => [1, 2], 'boolean': () => true,
  'tensor': () => tf.scalar(1), 'thenable': () => ({then: () => null}), 'then not a function': () => ({then: 1}),
  'promise': () => tf.scalar(1).data(),
  'Float32Array': () => new Float32Array(3), 'Int32Array': () => new Int32Array(3), 'Uint8Array': () => new Uint8Array(3),
  'Uint32Array': () => new Uint32Array(3), 'Float64Array': () => new Float64Array(3), 'Int16Array': () => new Int16Array(3),
  'Int8Array': () => new Int8Array(3), 'Uint16Array': () => new Uint16Array(3)})"""


def _predicate(op, kind):
    """util.isFunction/isPromise/isTypedArray of one kind of value; JS's truthiness as a bool
    (TF.js's isPromise returns the falsy operand itself, e.g. null or 0)."""
    fn = getattr(tf.util, op)
    if kind == 'promise':     # a Promise exists only inside a running event loop here
        import asyncio

        async def main():
            p = tf.scalar(1).data()
            out = bool(fn(p))
            await p
            return out
        py = lambda tf_, k: asyncio.run(main())  # noqa: E731
    else:
        py = lambda tf_, k: bool(fn(PY_KINDS[k]()))  # noqa: E731
    return Case(U + op, [kind], py=py, js=f"!!tf.util.{op}({JS_KINDS}[a[0]]())", name=f'{op} {kind}')


def _assert(tf, expr, msg):
    fn = getattr(tf.util, 'assert')
    message = (lambda: 'lazy message') if msg == '<function>' else msg
    try:
        ret = fn(expr, message)
        return {'threw': False, 'returned': 'undefined' if ret is None else ret}
    except Exception as exc:  # noqa: BLE001 - compared with TF.js's message
        return {'threw': True, 'message': str(exc)}


JS_ASSERT = """(() => { const msg = a[1] === '<function>' ? () => 'lazy message' : a[1];
  try { const r = tf.util.assert(a[0], msg); return {threw: false, returned: r === undefined ? 'undefined' : r}; }
  catch (e) { return {threw: true, message: e.message}; } })()"""


def _typed_call(op):
    return lambda tf, *a: _typed_desc(getattr(tf.util, op)(*a))


def _shuffled(tf, kind, n):
    """util.shuffle in place: returns nothing, keeps the elements, (almost always) moves some."""
    arr = list(range(n)) if kind == 'array' else np.arange(n, dtype=TYPED[kind])
    ret = tf.util.shuffle(arr)
    vals = [int(v) for v in arr]
    return {'ret': ret, 'sorted': sorted(vals), 'moved': vals != list(range(n)) if n > 8 else None,
            'type': kind if kind == 'array' else TYPED_NAME[arr.dtype]}


JS_SHUFFLED = """(() => { const n = a[1]; const arr = a[0] === 'array' ? [...Array(n).keys()] : globalThis[a[0]].from([...Array(n).keys()]);
  const ret = tf.util.shuffle(arr); const vals = Array.from(arr);
  return {ret: ret === undefined ? null : ret, sorted: vals.slice().sort((p, q) => p - q),
          moved: n > 8 ? vals.some((v, i) => v !== i) : null, type: a[0] === 'array' ? 'array' : arr.constructor.name}; })()"""


def _shuffled_combo(tf, n, m):
    x, y = list(range(n)), [f's{i}' for i in range(m)]
    ret = tf.util.shuffleCombo(x, y)
    return {'ret': ret, 'together': all(b == f's{a}' for a, b in zip(x, y)), 'sorted': sorted(x),
            'moved': x != list(range(n)) if n > 8 else None}


JS_SHUFFLED_COMBO = """(() => { const x = [...Array(a[0]).keys()], y = [...Array(a[1]).keys()].map(i => 's' + i);
  const ret = tf.util.shuffleCombo(x, y);
  return {ret: ret === undefined ? null : ret, together: x.every((v, i) => y[i] === 's' + v),
          sorted: x.slice().sort((p, q) => p - q), moved: a[0] > 8 ? x.some((v, i) => v !== i) : null}; })()"""


def _shuffled_indices(tf, n):
    idx = tf.util.createShuffledIndices(n)
    vals = np.asarray(idx).tolist()
    return {'type': TYPED_NAME[np.asarray(idx).dtype], 'sorted': sorted(vals),
            'moved': vals != list(range(n)) if n > 8 else None}


JS_SHUFFLED_INDICES = """(() => { const idx = tf.util.createShuffledIndices(a[0]); const v = Array.from(idx);
  return {type: idx.constructor.name, sorted: v.slice().sort((p, q) => p - q),
          moved: a[0] > 8 ? v.some((x, i) => x !== i) : null}; })()"""


def _swapped(tf, values, left, right):
    arr = list(values)
    ret = tf.util.swap(arr, left, right)
    return {'ret': ret, 'arr': arr}


JS_SWAPPED = "(() => { const arr = a[0].slice(); const ret = tf.util.swap(arr, a[1], a[2]); return {ret: ret === undefined ? null : ret, arr}; })()"


def _now(tf):
    t0 = tf.util.now()
    t1 = tf.util.now()
    return {'number': isinstance(t0, float), 'positive': t0 > 0, 'increasing': t1 >= t0}


def _now_elapsed(tf, ms):
    """util.now() is in milliseconds: a ~`ms` busy wait measures about `ms`."""
    import time
    t0 = tf.util.now()
    end = time.time() + ms / 1000
    while time.time() < end:
        pass
    dt = tf.util.now() - t0
    return ms * 0.9 <= dt < ms * 50


JS_NOW_ELAPSED = """(() => { const t0 = tf.util.now(); const end = Date.now() + a[0]; while (Date.now() < end) {}
  const dt = tf.util.now() - t0; return dt >= a[0] * 0.9 && dt < a[0] * 50; })()"""
JS_NOW = "(() => { const t0 = tf.util.now(), t1 = tf.util.now(); return {number: typeof t0 === 'number', positive: t0 > 0, increasing: t1 >= t0}; })()"


def _rand_uniform(tf, lo, hi, n):
    v = np.array([tf.util.randUniform(lo, hi) for _ in range(n)])
    a, b = min(lo, hi), max(lo, hi)
    inside = bool(np.all((v >= a) & (v <= b))) if lo != hi else bool(np.allclose(v, lo))
    return {'number': all(isinstance(x, float) for x in v.tolist()), 'inside': inside,
            'meanOk': bool(abs(v.mean() - (lo + hi) / 2) <= 6 * (b - a) / np.sqrt(12 * n) + 1e-12),
            'distinct': len(set(v.tolist())) > n // 2 if lo != hi else None}


JS_RAND_UNIFORM = """(() => { const [lo, hi, n] = a; const v = Array.from({length: n}, () => tf.util.randUniform(lo, hi));
  const p = Math.min(lo, hi), q = Math.max(lo, hi); const mean = v.reduce((s, x) => s + x, 0) / n;
  return {number: v.every(x => typeof x === 'number'),
          inside: lo !== hi ? v.every(x => x >= p && x <= q) : v.every(x => Math.abs(x - lo) < 1e-9),
          meanOk: Math.abs(mean - (lo + hi) / 2) <= 6 * (q - p) / Math.sqrt(12 * n) + 1e-12,
          distinct: lo !== hi ? new Set(v).size > Math.floor(n / 2) : null}; })()"""

UTIL = []
for op in ['isFunction', 'isPromise', 'isTypedArray']:
    UTIL += [_predicate(op, kind) for kind in list(PY_KINDS) + ['promise']]
for expr, msg in [(True, 'never'), (False, 'plain message'), (False, '<function>'), (1, 'one'), (0, 'zero'),
                  ('', 'empty'), ('x', 'x'), (Raw(None), 'null'), (Raw(np.nan), 'NaN is falsy'), (True, '<function>'),
                  (False, ''), (-1, 'minus one')]:
    UTIL.append(Case(U + 'assert', [expr, msg], py=_assert, js=JS_ASSERT, name=f'assert {expr!r} {msg!r}'))
UTIL += [Case(U + 'assert', [False, Raw(None)], raises=True, name='assert false with no message')]
for n in [0, 1, 2, 50]:
    UTIL.append(Case(U + 'createShuffledIndices', [n], py=_shuffled_indices, js=JS_SHUFFLED_INDICES,
                     name=f'createShuffledIndices {n}'))
for s, enc in [('hé', None), ('', None), ('abc', 'utf-8'), ('😀 ünï', 'utf8'), ('a\x00b', None), ('x', 'latin1'),
               ('x', 'utf-16le')]:
    UTIL.append(Case(U + 'encodeString', [s, Raw(enc)], py=_typed_call('encodeString'),
                     js=f'{JS_TYPED_DESC}(tf.util.encodeString(a[0], a[1] == null ? undefined : a[1]))',
                     raises=enc in ('latin1', 'utf-16le'), name=f'encodeString {s!r} {enc}'))
for op in ['makeOnesTypedArray', 'makeZerosTypedArray']:
    for size, dtype in [(3, 'float32'), (2, 'int32'), (4, 'bool'), (2, 'complex64'), (0, 'float32'),
                        (2, None), (1, 'string'), (1, 'float64')]:
        UTIL.append(Case(U + op, [size, Raw(dtype)], py=_typed_call(op), js=f'{JS_TYPED_DESC}(tf.util.{op}(a[0], a[1]))',
                         raises=dtype in ('string', 'float64'), name=f'{op} {size} {dtype}'))
UTIL += [Case(U + 'now', [], py=_now, js=JS_NOW, name='now is a number, increasing'),
         Case(U + 'now', [], py=lambda tf: isinstance(tf.util.now(), float), js="typeof tf.util.now() === 'number'"),
         Case(U + 'now', [30], py=_now_elapsed, js=JS_NOW_ELAPSED, name='now counts milliseconds')]
UTIL += [Case(U + 'randUniform', [lo, hi, 2000], py=_rand_uniform, js=JS_RAND_UNIFORM, name=f'randUniform {lo} {hi}')
         for lo, hi in [(0, 1), (-2, 3), (5, 5), (3, -1), (1e6, 1e6 + 1)]]
for kind, n in [('array', 50), ('array', 1), ('array', 0), ('array', 2), ('Float32Array', 30), ('Int32Array', 20),
                ('Uint8Array', 40), ('Uint32Array', 25)]:
    UTIL.append(Case(U + 'shuffle', [kind, n], py=_shuffled, js=JS_SHUFFLED, name=f'shuffle {kind} {n}'))
UTIL += [Case(U + 'shuffle', ['abc'], raises=True, name='shuffle a string (immutable)',
              py=lambda tf, s: tf.util.shuffle(s), js='tf.util.shuffle(a[0])')]
UTIL += [Case(U + 'shuffleCombo', [n, m], py=_shuffled_combo, js=JS_SHUFFLED_COMBO, raises=n != m,
              name=f'shuffleCombo {n} {m}') for n, m in [(40, 40), (1, 1), (0, 0), (3, 4), (5, 0)]]
UTIL += [Case(U + 'swap', [Raw(v), i, j], py=_swapped, js=JS_SWAPPED, name=f'swap {v} {i} {j}')
         for v, i, j in [([1, 2, 3], 0, 2), ([1, 2, 3], 1, 1), (['a', 'b'], 1, 0), ([[1], [2]], 0, 1), ([5, 6, 7], -1 + 3, 0)]]


def test_util_agrees_with_tfjs(oracle):
    assert_all_agree(run_cases(oracle, UTIL))


# ---------------------------------------------------------------------------- util.fetch
class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def _send(self, status, body, ctype='text/plain'):
        self.send_response(status)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802
        if self.path == '/data.json':
            self._send(200, json.dumps({'a': [1, 2.5], 'b': 'ü'}).encode(), 'application/json')
        elif self.path == '/bytes':
            self._send(200, bytes([0, 1, 127, 128, 255]), 'application/octet-stream')
        elif self.path == '/header':
            self._send(200, (self.headers.get('X-Test') or '<none>').encode())
        elif self.path == '/empty':
            self._send(204, b'')
        else:
            self._send(404, b'nope')

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
        self._send(201, b'echo:' + body)


@pytest.fixture(scope='module')
def http_base():
    """A loopback HTTP server both sides fetch from."""
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f'http://127.0.0.1:{server.server_address[1]}'
    server.shutdown()
    server.server_close()


def _fetched(tf, url, init, read):
    r = tf.util.fetch(url, init)
    out = {'ok': r.ok, 'status': r.status, 'url': r.url}
    if read == 'json':
        out['body'] = r.json()
    elif read == 'bytes':
        out['body'] = list(bytes(r.arrayBuffer()))
    else:
        out['body'] = r.text()
    return out


JS_FETCHED = """(async () => { const r = await tf.util.fetch(a[0], a[1] == null ? undefined : a[1]);
  const out = {ok: r.ok, status: r.status, url: r.url};
  out.body = a[2] === 'json' ? await r.json() : a[2] === 'bytes' ? Array.from(new Uint8Array(await r.arrayBuffer())) : await r.text();
  return out; })()"""


def _closed_port():
    import socket
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def test_util_fetch_agrees_with_tfjs(oracle, http_base):
    """(Ours also reads file:// URLs, which Node's fetch does not: an extension, not compared.)"""
    fetch = lambda url, init=None, read='text', raises=False: Case(  # noqa: E731
        U + 'fetch', [url, Raw(init), read], py=_fetched, js=JS_FETCHED, raises=raises, name=f'fetch {url} {init} {read}')
    cases = [fetch(http_base + '/data.json'), fetch(http_base + '/data.json', read='json'),
             fetch(http_base + '/bytes', read='bytes'), fetch(http_base + '/missing'),
             fetch(http_base + '/empty'),
             fetch(http_base + '/header', {'headers': {'X-Test': 'hello'}}),
             fetch(http_base + '/echo', {'method': 'POST', 'body': 'payload ü'}),
             fetch(http_base + '/data.json', {'method': 'GET'}, 'json'),
             fetch('not a url', raises=True), fetch(f'http://127.0.0.1:{_closed_port()}/x', raises=True),
             fetch(http_base + '/missing', read='json', raises=True)]   # 'nope' is not JSON
    assert_all_agree(run_cases(oracle, cases))


# ================================================================================= losses
L = 'losses.'
NONE, MEAN, SUM, SBNZW = 0, 1, 2, 3          # tf.Reduction
REDUCTIONS = [NONE, MEAN, SUM, SBNZW]
LAB = RS.rand(3, 4).astype(np.float32)
PRED = RS.rand(3, 4).astype(np.float32)
PROB = (RS.rand(3, 4) * 0.9 + 0.05).astype(np.float32)
BIN = (RS.rand(3, 4) > 0.5).astype(np.float32)
LOGITS = (RS.randn(3, 4) * 2).astype(np.float32)
ONEHOT = np.eye(4, dtype=np.float32)[[1, 3, 0]]
SOFT = (lambda p: (p / p.sum(-1, keepdims=True)).astype(np.float32))(RS.rand(3, 4) + 0.1)
UNIT = (lambda v: (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32))


def _weights_for(shape):
    """None, full (with zeros), broadcast along each axis, a scalar, all zeros."""
    full = (RS.rand(*shape) + 0.25).astype(np.float32)
    full.reshape(-1)[::3] = 0
    ws = [Raw(None), full, np.array(0.7, np.float32), np.zeros(shape, np.float32)]
    if len(shape) == 2:
        ws += [(RS.rand(shape[0], 1) + 0.5).astype(np.float32), np.array([[0.0] * (shape[1] - 1) + [2.0]], np.float32)]
    return ws


def _wlabel(w):
    if isinstance(w, Raw):
        return 'no weights'
    return f'weights {list(w.shape)}' + (' zeros' if not w.any() else '')


def loss_cases(op, labels, preds, mid=(), tail=(), loss_shape=None, grad_from=0, name=''):
    """`op(labels, preds, *mid, weights, *tail, reduction)` for every weights kind and reduction.
    (cosineDistance takes its axis before the weights: `mid`.)"""
    cases = []
    for w in _weights_for(loss_shape or list(labels.shape)):
        for r in REDUCTIONS:
            args = [labels, preds, *mid, w, *tail, r]
            grad = [i for i, a in enumerate(args) if i >= grad_from and isinstance(a, np.ndarray) and a.dtype.kind == 'f']
            cases.append(Case(L + op, args, grad=grad, name=f'{op} {name} {_wlabel(w)} reduction {r}'))
    return cases


LOSSES = []
LOSSES += loss_cases('absoluteDifference', LAB, PRED)
LOSSES += loss_cases('meanSquaredError', LAB, PRED)
LOSSES += loss_cases('hingeLoss', BIN, LOGITS)
for delta in [1.0, 0.3]:
    LOSSES += loss_cases('huberLoss', LAB * 3, LOGITS, tail=[delta], name=f'delta {delta}')
for eps in [1e-7, 0.1]:
    LOSSES += loss_cases('logLoss', BIN, PROB, tail=[eps], name=f'epsilon {eps}')
for smoothing in [0, 0.2]:
    LOSSES += loss_cases('sigmoidCrossEntropy', BIN, LOGITS, tail=[smoothing], name=f'smoothing {smoothing}')
for labels, label in [(ONEHOT, 'one-hot'), (SOFT, 'soft labels')]:
    for smoothing in [0, 0.1]:
        # the labels' gradient is TF.js's bug (see test_tfjs_bugs_pinned): logits and weights only
        LOSSES += loss_cases('softmaxCrossEntropy', labels, LOGITS, tail=[smoothing], loss_shape=[3], grad_from=1,
                             name=f'{label} smoothing {smoothing}')
for axis, shape in [(1, [3, 1]), (-1, [3, 1]), (0, [1, 4])]:
    LOSSES += loss_cases('cosineDistance', UNIT(RS.randn(3, 4)), UNIT(RS.randn(3, 4)), mid=[axis], loss_shape=shape,
                         name=f'axis {axis}')
LOSSES += [Case(L + 'computeWeightedLoss', [LAB, w, r], grad=True, name=f'computeWeightedLoss {_wlabel(w)} reduction {r}')
           for w in _weights_for([3, 4]) for r in REDUCTIONS]

# shapes: rank 0, rank 1, rank 3, empty; more weights shapes
X0, Y0 = np.array(0.25, np.float32), np.array(-1.5, np.float32)
E = np.zeros([0, 4], np.float32)
R3a, R3b = RS.rand(2, 3, 4).astype(np.float32), RS.rand(2, 3, 4).astype(np.float32)
for r in REDUCTIONS:
    LOSSES += [
        Case(L + 'absoluteDifference', [X0, Y0, Raw(None), r], grad=True),
        Case(L + 'meanSquaredError', [X0, Y0, np.array(2.0, np.float32), r], grad=True),
        Case(L + 'huberLoss', [X0, Y0, Raw(None), 1.0, r], grad=True),
        Case(L + 'logLoss', [np.array(1.0, np.float32), np.array(0.3, np.float32), Raw(None), 1e-7, r], grad=True),
        Case(L + 'sigmoidCrossEntropy', [np.array(1.0, np.float32), Y0, Raw(None), 0, r], grad=True),
        Case(L + 'hingeLoss', [np.array(0.0, np.float32), Y0, Raw(None), r], grad=True),
        Case(L + 'computeWeightedLoss', [X0, Raw(None), r], grad=True),
        Case(L + 'computeWeightedLoss', [X0, np.array(3.0, np.float32), r], grad=True),
        Case(L + 'absoluteDifference', [LAB[0], PRED[0], Raw(None), r], grad=True, name=f'absoluteDifference rank 1 reduction {r}'),
        Case(L + 'softmaxCrossEntropy', [ONEHOT[0], LOGITS[0], Raw(None), 0, r], grad=[1], name=f'softmaxCrossEntropy rank 1 reduction {r}'),
        Case(L + 'meanSquaredError', [R3a, R3b, (RS.rand(2, 1, 4) + 0.1).astype(np.float32), r], grad=True,
             name=f'meanSquaredError rank 3 weights [2,1,4] reduction {r}'),
        Case(L + 'softmaxCrossEntropy', [np.eye(4, dtype=np.float32)[[[0, 1, 2], [3, 0, 1]]], R3b, Raw(None), 0.3, r],
             grad=[1], name=f'softmaxCrossEntropy rank 3 smoothing (TF.js divides by shape[1]) reduction {r}'),
        Case(L + 'cosineDistance', [R3a, R3b, 2, (RS.rand(2, 3, 1) + 0.1).astype(np.float32), r], grad=True,
             name=f'cosineDistance rank 3 reduction {r}'),
        Case(L + 'absoluteDifference', [E, E, Raw(None), r], grad=True, name=f'absoluteDifference empty reduction {r}'),
        Case(L + 'computeWeightedLoss', [E, Raw(None), r], grad=True, name=f'computeWeightedLoss empty reduction {r}'),
        Case(L + 'meanSquaredError', [Raw([[1, 2], [3, 4]]), Raw([[1.5, 2], [2, 5]]), Raw([[1], [0]]), r],
             name=f'meanSquaredError TensorLike reduction {r}'),
        Case(L + 'absoluteDifference', [i32(1, 2, 3), f32(1.5, 2, 0), Raw(None), r], grad=[1],
             name=f'absoluteDifference int32 labels reduction {r}'),
        Case(L + 'hingeLoss', [BIN, LOGITS, (RS.rand(1, 4) + 0.1).astype(np.float32), r], grad=True,
             name=f'hingeLoss weights [1,4] reduction {r}'),
        Case(L + 'computeWeightedLoss', [LAB, (RS.rand(2, 3, 4) + 0.1).astype(np.float32), r], grad=True,
             name=f'computeWeightedLoss weights larger than losses reduction {r}'),
    ]
# kinks and edge values: |x| at 0, relu at 0, huber at |error| == delta, NaN and infinite logits
LOSSES += [
    Case(L + 'absoluteDifference', [f32(1, 2, 3), f32(1, 2.5, 3), Raw(None), SUM], grad=True, name='absoluteDifference at 0'),
    Case(L + 'hingeLoss', [f32(1, 0, 1), f32(1, -1, 0.5), Raw(None), NONE], grad=True, name='hingeLoss at the hinge'),
    Case(L + 'huberLoss', [f32(0, 0, 0, 0), f32(0.5, -0.5, 1, 2), Raw(None), 0.5, NONE], grad=True, name='huberLoss at delta'),
    Case(L + 'sigmoidCrossEntropy', [f32(1, 0, 1, 0.5), f32(0, 0, 80, -80), Raw(None), 0, NONE], grad=True,
         name='sigmoidCrossEntropy at 0 and large logits'),
    Case(L + 'sigmoidCrossEntropy', [f32(1, 0), f32(np.inf, np.nan), Raw(None), 0, NONE], name='sigmoidCrossEntropy non-finite'),
    Case(L + 'softmaxCrossEntropy', [ONEHOT, LOGITS * 40, Raw(None), 0, NONE], grad=[1], name='softmaxCrossEntropy large logits'),
    Case(L + 'logLoss', [f32(1, 0, 1, 0), f32(0, 1, 1, 0), Raw(None), 1e-7, NONE], grad=True, name='logLoss at 0 and 1'),
    Case(L + 'sigmoidCrossEntropy', [BIN, LOGITS, Raw(None), -0.5, MEAN], grad=True, name='sigmoidCrossEntropy negative smoothing is ignored'),
    Case(L + 'softmaxCrossEntropy', [ONEHOT, LOGITS, Raw(None), 1, SUM], grad=[1], name='softmaxCrossEntropy smoothing 1'),
    Case(L + 'softmaxCrossEntropy', [2 * SOFT, LOGITS, Raw(None), 0, NONE], grad=[1],
         name='softmaxCrossEntropy labels not summing to 1 (logits gradient softmax - labels, as TF)'),
]
# errors
LOSSES += [
    Case(L + 'absoluteDifference', [LAB, PRED.T.copy(), Raw(None), SUM], raises=True, name='absoluteDifference shapes'),
    Case(L + 'meanSquaredError', [LAB, PRED[:2].copy(), Raw(None), MEAN], raises=True, name='meanSquaredError shapes'),
    Case(L + 'hingeLoss', [LAB, PRED, f32(1, 2, 3), SUM], raises=True, name='hingeLoss weights not broadcastable'),
    Case(L + 'huberLoss', [LAB, PRED[0].copy(), Raw(None), 1.0, SUM], raises=True, name='huberLoss shapes'),
    Case(L + 'logLoss', [LAB, PRED, Raw(None), 1e-7, 7], raises=True, name='logLoss unknown reduction'),
    Case(L + 'computeWeightedLoss', [LAB, Raw(None), 4], raises=True, name='computeWeightedLoss unknown reduction'),
    Case(L + 'computeWeightedLoss', [LAB, f32(1, 2), SUM], raises=True, name='computeWeightedLoss weights shape'),
    Case(L + 'sigmoidCrossEntropy', [LAB, PRED[:, :2].copy(), Raw(None), 0, SUM], raises=True, name='sigmoidCrossEntropy shapes'),
    Case(L + 'softmaxCrossEntropy', [ONEHOT, LOGITS[:2].copy(), Raw(None), 0, SUM], raises=True, name='softmaxCrossEntropy shapes'),
    Case(L + 'softmaxCrossEntropy', [ONEHOT[0], LOGITS[0], Raw(None), 0.1, SUM], raises=True,
         name='softmaxCrossEntropy rank 1 with smoothing (no shape[1])'),
    Case(L + 'cosineDistance', [LAB, PRED[:1].copy(), 1, Raw(None), SUM], raises=True, name='cosineDistance shapes'),
    Case(L + 'absoluteDifference', [S('a'), S('b'), Raw(None), SUM], raises=True, name='absoluteDifference strings'),
]


def test_losses_agree_with_tfjs(oracle):
    assert_all_agree(run_cases(oracle, LOSSES))


# ============================================================================ TF.js bugs, pinned
def test_tfjs_bugs_pinned(oracle):
    """What TF.js 4.22 does where it is wrong (so a fix upstream shows up here), and what tfjs does
    instead (documented in the op's module)."""
    js = r"""
    const run = (f) => { try { const r = f(); return [r.shape, Array.from(r.dataSync())]; } catch (e) { return e.message; } };
    const ints = Array.from(tf.randomUniformInt([20000], -5, 5, 3).dataSync());
    const count = (v) => ints.filter(x => x === v).length;
    const labels = tf.tensor2d([[0.2, 0.8, 0], [1, 0, 0]]), logits = tf.tensor2d([[1, -2, 0.5], [0.1, 0.2, 3]]);
    const g = tf.grad(z => tf.losses.softmaxCrossEntropy(z, logits, undefined, 0, tf.Reduction.SUM))(labels);
    let bufferSet; try { const b = tf.buffer([]); b.set(4); bufferSet = 'no error'; } catch (e) { bufferSet = e.message; }
    return {minval: count(-5), zero: count(0), one: count(1), two: count(2), labelsGrad: g,
            range: run(() => tf.range(5, 0, 0.5)), ragged: run(() => tf.tensor([[1, 2], [3]])), bufferSet};"""
    r = oracle.eval(js)
    # randomUniformInt truncates toward zero: -5 (almost) never, 0 twice as often as 1 or 2
    assert r['minval'] == 0 and r['zero'] > 1.6 * r['one'] and r['zero'] > 1.6 * r['two']
    ours = tf.randomUniformInt([20000], -5, 5, 3).dataSync()
    counts = np.bincount(ours + 5, minlength=10)
    assert counts.min() > 1700 and counts.max() < 2300              # uniform over -5..4
    # softmaxCrossEntropy: TF.js's labels gradient is labels - softmax; TF's is -logSoftmax
    labels = np.array([[0.2, 0.8, 0], [1, 0, 0]], np.float32)
    logits = np.array([[1, -2, 0.5], [0.1, 0.2, 3]], np.float32)
    log_softmax = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    np.testing.assert_allclose(r['labelsGrad'], labels - np.exp(log_softmax), rtol=1e-5, atol=1e-6)
    ours = tf.grad(lambda z: tf.losses.softmaxCrossEntropy(z, tf.tensor2d(logits), None, 0, tf.Reduction.SUM))(
        tf.tensor2d(labels))
    np.testing.assert_allclose(ours.arraySync(), -log_softmax, rtol=1e-5, atol=1e-6)
    # range with stop < start and 0 < step < 1 counts up in TF.js; empty here
    assert r['range'][0] == [10] and r['range'][1][:3] == [5, 5.5, 6]
    assert tf.range(5, 0, 0.5).shape == [0]
    # a ragged nested array makes a tensor with too few values in TF.js (no shape check); an error here
    assert r['ragged'] == [[2, 2], [1, 2, 3]]
    with pytest.raises(tf.ValueError):
        tf.tensor([[1, 2], [3]])
    # a rank-0 TensorBuffer cannot be set in TF.js (set() with no coordinates assumes [0])
    assert r['bufferSet'] == 'The number of provided coordinates (1) must match the rank (0)'
    b = tf.buffer([])
    b.set(4)
    assert b.get() == 4 and b.toTensor().arraySync() == 4
