"""The differential harness for ops: each `Case` runs here (`tfjs`) and in TF.js 4.22 (the Node
oracle), in batches, and the forward values and, for differentiable cases, the gradients are
compared (float32: 1e-5 relative or 1e-6 absolute; int32, bool and string: exact).

A case file (`tests/ops/cases_<group>.py`) lists `CASES`; `run_cases(oracle, CASES)` returns a
list of `Result`s, and `test_<group>` asserts they all agree. Every case is recorded in
`RESULTS`, from which the session summary prints how many TF.js ops were covered and agree.

Arguments: NumPy arrays become tensors on both sides; `Raw(value)` passes a value as plain
JSON/Python (e.g. a nested list where the op takes TensorLike, or a shape); anything else
(numbers, strings, lists, dicts) passes as is. Gradients are taken with respect to the float32
array arguments listed in `grad` (True = all of them), of `sum(output * dy)` with a fixed `dy`.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Any, Callable

import numpy as np

import tfjs as tf

RESULTS: list = []   # every Result of the session, for the coverage summary


@dataclasses.dataclass
class Raw:
    """An argument passed as plain data (not as a tensor) on both sides."""
    value: Any


@dataclasses.dataclass
class Case:
    op: str                             # 'add', or a namespace path such as 'image.resizeBilinear'
    args: list = dataclasses.field(default_factory=list)
    grad: bool | list = False           # True, or indices of the args to differentiate
    name: str = ''                      # a label for reports
    rtol: float = 1e-5
    atol: float = 1e-6
    raises: bool = False                # both sides must raise
    method: bool = False                # also check the chained method form `x.op(...)`
    py: Callable | None = None          # custom Python call `py(tf, *args)` when forms differ
    js: str | None = None               # custom JS expression over `tf`, `a` (the args array) and
                                        # the oracle's `helpers` (e.g. helpers.captureLog); a
                                        # Promise it returns is awaited
    grad_rtol: float | None = None
    grad_atol: float | None = None

    @property
    def label(self) -> str:
        return self.name or self.op


@dataclasses.dataclass
class Result:
    case: Case
    ok: bool
    message: str = ''


def _resolve(root, path: str):
    obj = root
    for part in path.split('.'):
        obj = getattr(obj, part)
    return obj


def _py_args(args):
    out = []
    for a in args:
        if isinstance(a, Raw):
            out.append(a.value)
        elif isinstance(a, np.ndarray):
            out.append(tf.tensor(a, None, _dtype_of(a)))
        else:
            out.append(a)
    return out


def _dtype_of(a: np.ndarray) -> str:
    kind = a.dtype.kind
    return {'b': 'bool', 'i': 'int32', 'u': 'int32', 'f': 'float32', 'c': 'complex64'}.get(kind, 'string')


def _js_args(args):
    return [{'raw': a.value} if isinstance(a, Raw) else {'v': a} for a in args]


def _to_numpy(x):
    """Tensors -> arrays, recursively (lists, tuples, dicts kept)."""
    if isinstance(x, tf.Tensor):
        return np.asarray(x.numpy())
    if isinstance(x, (list, tuple)):
        return [_to_numpy(v) for v in x]
    if isinstance(x, dict):
        return {k: _to_numpy(v) for k, v in x.items()}
    if hasattr(x, 'toTensor'):
        return _to_numpy(x.toTensor())
    return x


def _grad_indices(case: Case) -> list:
    if case.grad is True:
        return [i for i, a in enumerate(case.args) if isinstance(a, np.ndarray) and a.dtype.kind == 'f']
    return list(case.grad or [])


def _dy_for(out) -> np.ndarray:
    size = int(np.prod(out.shape)) if out.shape else 1
    return (np.sin(np.arange(1, size + 1, dtype=np.float64)) * 0.5 + 0.75).astype(np.float32).reshape(out.shape)


def _first_tensor(out):
    if isinstance(out, np.ndarray):
        return out
    if isinstance(out, (list, tuple)) and out:
        return _first_tensor(out[0])
    if isinstance(out, dict) and out:
        return _first_tensor(next(iter(out.values())))
    return None


def _run_python(case: Case):
    args = _py_args(case.args)
    if case.py is not None:
        return case.py(tf, *args)
    return _resolve(tf, case.op)(*args)


def _python_side(case: Case):
    """(output as numpy, grads as numpy list or None, error text or None)."""
    try:
        out = _to_numpy(_run_python(case))
    except Exception as exc:  # noqa: BLE001 - reported, compared with TF.js's behaviour
        return None, None, f'{type(exc).__name__}: {exc}'
    grads = None
    idx = _grad_indices(case)
    if idx and not case.raises:
        first = _first_tensor(out)
        dy = _dy_for(first)
        args = _py_args(case.args)

        def f(*xs):
            full = list(args)
            for i, x in zip(idx, xs):
                full[i] = x
            y = case.py(tf, *full) if case.py is not None else _resolve(tf, case.op)(*full)
            y = y if isinstance(y, tf.Tensor) else _first_out_tensor(y)
            return y.mul(tf.tensor(dy)).sum()

        try:
            grads = _to_numpy(tf.grads(f)([args[i] for i in idx]))
        except Exception as exc:  # noqa: BLE001
            return out, None, f'gradient: {type(exc).__name__}: {exc}'
    return out, grads, None


def _first_out_tensor(y):
    if isinstance(y, (list, tuple)):
        return _first_out_tensor(y[0])
    if isinstance(y, dict):
        return _first_out_tensor(next(iter(y.values())))
    return y


JS_RUNNER = r"""
const resolve = (path) => path.split('.').reduce((o, k) => o[k], tf);
const results = [];
for (const c of args.cases) {
  const a = c.args.map(x => ('raw' in x) ? x.raw : x.v);
  const call = (xs) => c.js ? (new Function('tf', 'a', 'helpers', 'return ' + c.js))(tf, xs, helpers)
                            : resolve(c.op)(...xs);
  const r = {};
  try {
    r.out = await call(a);
    if (r.out && typeof r.out.toTensor === 'function' && !(r.out instanceof tf.Tensor)) r.out = r.out.toTensor();
  } catch (e) { r.error = String(e && e.message || e); results.push(r); continue; }
  if (c.grad.length) {
    try {
      const first = (o) => o instanceof tf.Tensor ? o : Array.isArray(o) ? first(o[0]) : first(Object.values(o)[0]);
      const f = (...xs) => { const full = a.slice(); c.grad.forEach((i, k) => full[i] = xs[k]);
                             return first(call(full)).mul(c.dy).sum(); };
      r.grads = tf.grads(f)(c.grad.map(i => a[i]));
    } catch (e) { r.gradError = String(e && e.message || e); }
  }
  results.push(r);
}
return results;
"""


def _compare(ours, theirs, case: Case, what: str, rtol: float, atol: float) -> str:
    if isinstance(theirs, list) and not isinstance(ours, (list, tuple)):
        return f'{what}: TF.js gave a list of {len(theirs)}, tfjs gave {type(ours).__name__}'
    if isinstance(theirs, list):
        if len(ours) != len(theirs):
            return f'{what}: lengths differ ({len(ours)} vs TF.js {len(theirs)})'
        for i, (a, b) in enumerate(zip(ours, theirs)):
            msg = _compare(a, b, case, f'{what}[{i}]', rtol, atol)
            if msg:
                return msg
        return ''
    if isinstance(theirs, dict):
        if not isinstance(ours, dict) or set(ours) != set(theirs):
            return f'{what}: keys differ ({sorted(ours) if isinstance(ours, dict) else ours} vs {sorted(theirs)})'
        for k in theirs:
            msg = _compare(ours[k], theirs[k], case, f'{what}.{k}', rtol, atol)
            if msg:
                return msg
        return ''
    if isinstance(theirs, np.ndarray):
        if not isinstance(ours, np.ndarray):
            return f'{what}: TF.js gave a tensor, tfjs gave {type(ours).__name__}'
        if list(ours.shape) != list(theirs.shape):
            return f'{what}: shape {list(ours.shape)} vs TF.js {list(theirs.shape)}'
        if ours.dtype.kind != theirs.dtype.kind and not (ours.dtype.kind in 'iu' and theirs.dtype.kind in 'iu'):
            return f'{what}: dtype {ours.dtype} vs TF.js {theirs.dtype}'
        if theirs.dtype.kind in 'fc':
            a, b = ours.astype(np.complex128 if theirs.dtype.kind == 'c' else np.float64), \
                theirs.astype(np.complex128 if theirs.dtype.kind == 'c' else np.float64)
            with np.errstate(invalid='ignore'):
                return _compare_floats(a, b, what, rtol, atol)
        if not np.array_equal(ours, theirs):
            return f'{what}: values differ: tfjs {ours.ravel()[:8]} vs TF.js {theirs.ravel()[:8]}'
        return ''
    if isinstance(theirs, float) and isinstance(ours, (int, float)):
        if math.isnan(theirs):
            return '' if math.isnan(ours) else f'{what}: {ours} vs TF.js NaN'
        if ours == theirs:   # also the infinities, where ours - theirs is NaN
            return ''
        return '' if abs(ours - theirs) <= atol + rtol * abs(theirs) else f'{what}: {ours} vs TF.js {theirs}'
    return '' if ours == theirs else f'{what}: {ours!r} vs TF.js {theirs!r}'


def _compare_floats(a, b, what: str, rtol: float, atol: float) -> str:
    """NaN where TF.js has NaN, the same infinities, finite values within tolerance."""
    same_nan = np.isnan(a) == np.isnan(b)
    finite = np.isfinite(a) & np.isfinite(b)
    inf_same = np.where(~np.isfinite(a) & ~np.isnan(a), a == b, True)
    close = np.where(finite, np.abs(a - b) <= atol + rtol * np.abs(b), True)
    if not (same_nan.all() and inf_same.all() and close.all()):
        bad = np.argwhere(~(same_nan & inf_same & close))[:3].tolist()
        return f'{what}: values differ at {bad}: tfjs {a.ravel()[:6]} vs TF.js {b.ravel()[:6]}'
    return ''


def run_cases(oracle, cases: list, chunk: int = 200) -> list:
    """Run every case on both sides; returns Results (and records them in RESULTS)."""
    results = []
    for start in range(0, len(cases), chunk):
        batch = cases[start:start + chunk]
        ours = [_python_side(c) for c in batch]
        payload = []
        for c, (out, _, _) in zip(batch, ours):
            idx = _grad_indices(c) if not c.raises else []
            first = _first_tensor(out) if out is not None else None
            dy = _dy_for(first) if (idx and first is not None) else np.zeros([0], np.float32)
            payload.append({'op': c.op, 'args': _js_args(c.args), 'grad': idx if first is not None else [],
                            'dy': dy, 'js': c.js})
        theirs = oracle.eval(JS_RUNNER, {'cases': payload}, timeout=600)
        for c, (out, grads, err), t in zip(batch, ours, theirs):
            results.append(_judge(c, out, grads, err, t))
    RESULTS.extend(results)
    return results


def _judge(case: Case, out, grads, err, t: dict) -> Result:
    if case.raises or 'error' in t:
        if 'error' in t and err is not None:
            return Result(case, True)
        if 'error' in t:
            return Result(case, False, f'TF.js raised "{t["error"]}" but tfjs returned a value')
        return Result(case, False, f'tfjs: {err}' if err else 'TF.js returned a value; expected an error')
    if err is not None and grads is None and out is None:
        return Result(case, False, f'tfjs raised {err}; TF.js returned a value')
    msg = _compare(out, t.get('out'), case, 'output', case.rtol, case.atol)
    if msg:
        return Result(case, False, msg)
    if 'grads' in t:
        if grads is None:
            return Result(case, False, f'tfjs gradient failed: {err}')
        msg = _compare(grads, t['grads'], case, 'gradient', case.grad_rtol or case.rtol * 10,
                       case.grad_atol or case.atol * 10)
        if msg:
            return Result(case, False, msg)
    elif 'gradError' in t and grads is not None:
        pass   # TF.js has no gradient for this case; ours existing is fine
    return Result(case, True)


def assert_all_agree(results: list) -> None:
    bad = [f'{r.case.label} {r.case.args if len(str(r.case.args)) < 200 else ""}: {r.message}'
           for r in results if not r.ok]
    assert not bad, f'{len(bad)} of {len(results)} cases disagree with TF.js:\n' + '\n'.join(bad[:40])
