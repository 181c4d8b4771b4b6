"""`Optimizer`: the base of the `tf.train.*` optimizers (TF.js's `optimizers/optimizer.ts`).

An optimizer updates variables in place from their gradients. Subclasses implement `_step`,
which receives, for every variable that has a gradient this step, the raw torch tensors of the
variable, its gradient and its slot variables, and updates them with grouped `torch._foreach_*`
ops (one kernel per operation for all variables on CUDA) in float32, in exactly the order of
operations TF.js uses, so results are bit-identical to the per-variable TF.js math (checked on
CPU against TF.js's CPU backend; no host sync per step).

Speed without changing a bit: every TF.js op is one torch op that rounds once (no fused
multiply-add: torch's `addcmul` and `add(alpha=)` round once for two ops, so they are not
used; `addcdiv` with value 1 rounds exactly as div-then-add and is); intermediate results go
to work buffers kept between steps (`_scratch`, `mul_out`...), not fresh tensors; scalar
operands are cached 0-d tensors on CPU (`operand`); square roots are NumPy's in place on CPU
(`sqrt_`). That path still makes ~14 passes over the weights (TF.js's op order; torch's own
Adam makes ~7 with fused, differently rounded kernels), so on the CPU, for contiguous float32
variables, each optimizer's `_step` first tries `native_kernels`: one C pass per variable
(`tfjs/_native/optimizers.c`) doing the same float32 operations in the same order, built
without fused multiply-adds or fast-math, hence the same bits (tests/train/test_fast_path.py).

Slot variables are kept by position in the gradient list (as TF.js does) and named as TF.js
names them (`<varName>/m`, `<varName>/v`, ...); `getWeights()` lists `iter` (int32 scalar)
first, then every slot variable, slot kind by slot kind.

>>> import tfjs as tf
>>> w = tf.variable(tf.scalar(3.0))
>>> opt = tf.train.sgd(0.1)
>>> opt.minimize(lambda: w.square(), True, [w]).arraySync()
9.0
>>> round(w.arraySync(), 5), opt.iterations
(2.4, 1)
"""
from __future__ import annotations

import math
import numbers
import weakref
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import torch
from torch.autograd.graph import increment_version

from .. import _native
from .._async import resolved
from .._naming import SnakeCaseAliases, normalize_args, to_camel_case, unknown_key_message
from ..backend import ENGINE
from ..backend.memory import keep
from ..errors import NotImplementedError, ValueError
from ..serialization.registry import Serializable
from ..tensor import Tensor, Variable, convert_to_tensor, variable

EPSILON = 1e-7   # TF.js backend epsilon for float32 backends (`ENGINE.backend.epsilon()`)

REQUIRED = object()   # marks a constructor parameter without a default

# Keras optimizer config keys that TF.js optimizers do not have: ignored when "neutral" (the
# value Keras uses when the feature is off), otherwise loading raises rather than silently
# training differently.
_KERAS_BOOKKEEPING = {'name', 'jitCompile', 'isLegacyOptimizer', 'emaMomentum',
                      'emaOverwriteFrequency', 'module', 'registeredName'}
_KERAS_FEATURES = {'weightDecay', 'useEma', 'amsgrad', 'lossScaleFactor',
                   'gradientAccumulationSteps', 'decay'}
# Keras options beyond TF.js that every optimizer here supports (see `Optimizer._clip`).
CLIP_OPTIONS = ('clipnorm', 'clipvalue', 'globalClipnorm')


def sqrt_(tensors: list) -> None:
    """In-place square roots, correctly rounded as TF.js's `Math.sqrt` then float32.

    torch's CPU float32 sqrt (MKL VML) is off by one ulp for ~0.6% of inputs, so on CPU the
    roots are taken by NumPy in place (its float16/32/64 sqrt is the IEEE, correctly rounded
    instruction; no copy), and for other dtypes (bfloat16) in float64, rounded once (exact for
    sqrt). Elsewhere torch's own sqrt is used (CUDA's float32 sqrt is IEEE correctly rounded
    without fast-math; MPS has no float64).
    """
    if not tensors:
        return
    if tensors[0].device.type != 'cpu':
        torch._foreach_sqrt_(tensors)
        return
    with np.errstate(invalid='ignore'):             # sqrt(negative) is NaN, as in JS
        for t in tensors:
            if t.dtype in _NUMPY_SQRT and not t.requires_grad:
                a = t.numpy()
                np.sqrt(a, out=a)
            else:
                with torch.no_grad():
                    t.copy_(torch.sqrt(t.double()))


_NUMPY_SQRT = (torch.float32, torch.float64, torch.float16)

USE_NATIVE_KERNELS = True


def native_kernels(params: list, grads: list, *slot_lists: list):
    """`tfjs._native.kernels()` (one-pass C updates in TF.js's op order, bit for bit those of
    the torch-op path) when every tensor is a float32 CPU tensor that does not require grad,
    and the variables and their slots are contiguous (gradients may have any layout, see
    `native_step`); else None. A None slot list is skipped."""
    if not USE_NATIVE_KERNELS:
        return None
    for ts in (params, grads) + slot_lists:
        if ts is None:
            continue
        contiguous = ts is not grads
        for t in ts:
            if t.dtype is not torch.float32 or not t.is_cpu or t.requires_grad or \
                    (contiguous and not t.is_contiguous()):
                return None
    return _native.kernels()


def native_step(kernel, params: list, grads: list, slot_lists: list, scalars: tuple) -> None:
    """`kernel(w, g, *slots, n, *scalars)` (raw pointers; a None slot list passes NULL) for
    every variable, then tells autograd the variables and slots changed, as an in-place torch
    op would (a graph that saved one of them then refuses to backward with the old value)."""
    for i, (p, g) in enumerate(zip(params, grads)):
        if not g.is_contiguous():       # (a convolution's kernel gradient comes permuted)
            g = g.contiguous()
        slots = [None if s is None else s[i].data_ptr() for s in slot_lists]
        kernel(p.data_ptr(), g.data_ptr(), *slots, p.numel(), *scalars)
    for ts in [params] + [s for s in slot_lists if s is not None]:
        for t in ts:
            increment_version(t)


def sqrt_into(xs: list, outs: list) -> list:
    """`outs[i] = sqrt(xs[i])`, correctly rounded, one pass (CPU work buffers from `_scratch`,
    float32/float64/float16 tensors that do not require grad); returns `outs`."""
    with np.errstate(invalid='ignore'):
        for x, o in zip(xs, outs):
            np.sqrt(x.numpy(), out=o.numpy())
    return outs



def _out(op, foreach, xs: list, ys, outs: list | None) -> list:
    """`op(xs[i], ys[i] or ys)` per tensor, each rounded once: written into `outs` (work buffers
    from `Optimizer._scratch`), or, when `outs` is None (off the CPU, where `_scratch` keeps no
    buffers), one grouped `torch._foreach_*` op that allocates. Use the returned list."""
    if outs is None:
        return foreach(xs, ys)
    if isinstance(ys, list):
        for x, y, o in zip(xs, ys, outs):
            op(x, y, out=o)
    else:
        for x, o in zip(xs, outs):
            op(x, ys, out=o)
    return outs


def mul_out(xs: list, ys, outs: list | None) -> list:
    """`xs[i] * ys[i]` (or `* ys`), see `_out`."""
    return _out(torch.mul, torch._foreach_mul, xs, ys, outs)


def div_out(xs: list, ys, outs: list | None) -> list:
    """`xs[i] / ys[i]` (or `/ ys`), see `_out`."""
    return _out(torch.div, torch._foreach_div, xs, ys, outs)


def sub_out(xs: list, ys, outs: list | None) -> list:
    """`xs[i] - ys[i]` (or `- ys`), see `_out`."""
    return _out(torch.sub, torch._foreach_sub, xs, ys, outs)


def add_out(xs: list, ys, outs: list | None) -> list:
    """`xs[i] + ys[i]` (or `+ ys`), see `_out`."""
    return _out(torch.add, torch._foreach_add, xs, ys, outs)


def abs_out(xs: list, outs: list | None) -> list:
    """`|xs[i]|`, see `_out`."""
    if outs is None:
        return torch._foreach_abs(xs)
    for x, o in zip(xs, outs):
        torch.abs(x, out=o)
    return outs


def f32(x: float) -> float:
    """`x` rounded to float32, as TF.js does when a JS number meets a float32 tensor."""
    return float(np.float32(x))


_OPERANDS: dict = {}


def operand(x: float, like: list):
    """The float32 number `x` as the scalar operand of ops on the tensors `like`: a cached 0-d
    tensor when they are float32 on the CPU (torch turns a Python number into a fresh tensor
    for every op on every tensor, ~3x the cost of the op on a small tensor), else `x` itself.
    Either way the op multiplies (adds, ...) by the same float32 value."""
    t = like[0]
    if t.dtype is not torch.float32 or not t.is_cpu or x == 0 or x != x:
        return x                            # (a dict would not tell -0.0 from 0.0, or find NaN)
    s = _OPERANDS.get(x)
    if s is None:
        if len(_OPERANDS) >= 1024:          # learning-rate schedules make many values
            _OPERANDS.clear()
        s = _OPERANDS[x] = torch.tensor(x, dtype=torch.float32)
    return s


class Optimizer(SnakeCaseAliases, Serializable):
    """Base class of the optimizers: minimize, gradients, weights and config.

    Subclasses set `className`, `_PARAMS` (constructor parameters, in TF.js's positional order,
    with defaults), `_SLOTS` (slot-variable suffixes in `getWeights` order) and implement `_step`.
    """

    className = 'Optimizer'
    _PARAMS: tuple = ()          # ((name, default | REQUIRED), ...)
    _ALIASES: dict = {'lr': 'learningRate'}
    _SLOTS: tuple = ()

    def __init__(self):
        self._iterations: int | None = None
        self.clipnorm: float | None = None
        self.clipvalue: float | None = None
        self.globalClipnorm: float | None = None
        self._schedule = None          # a LearningRateSchedule driving learningRate, if any
        self._slots: dict = {s: [] for s in self._slot_names()}   # suffix -> [(name, Variable)]
        self._vars = weakref.WeakValueDictionary()                 # name -> Variable
        self._disposed = False
        self._workspace = None         # (key, [[work tensor per variable], ...]), see _scratch

    # ------------------------------------------------------------------ training
    def minimize(self, f: Callable[[], Tensor], returnCost: bool = False,
                 varList: Sequence[Variable] | None = None) -> Tensor | None:
        """Run `f()` and update `varList` (default: all trainable variables) to decrease its
        scalar result; return the cost when `returnCost` is true, else None."""
        out = self.computeGradients(f, varList)
        grads = out['grads']
        if varList is not None:
            self._check_live()
            self._apply([(v.name, v, grads.get(v.name)) for v in varList])
        else:
            self.applyGradients(grads)
        for g in grads.values():
            if g is not None:
                g.dispose()
        if returnCost:
            return out['value']
        out['value'].dispose()
        return None

    def computeGradients(self, f: Callable[[], Tensor],
                         varList: Sequence[Variable] | None = None) -> dict:
        """`{'value': f(), 'grads': {varName: gradient}}` for the trainable variables of
        `varList` (default: all trainable variables); non-trainable ones map to None."""
        from ..gradients import variableGrads
        if varList is None:
            varList = [v for v in ENGINE.variables.values() if v.trainable]
        else:
            varList = list(varList)
        known = self._vars
        for v in varList:
            if not isinstance(v, Variable):
                raise ValueError(f'varList must hold tf.Variable objects; got {type(v).__name__}. '
                                 'For layer weights pass weight.read() (or model.trainableWeights '
                                 'values as variables).')
            if known.get(v.name) is not v:
                known[v.name] = v
        trainable = [v for v in varList if v.trainable]
        if not trainable:
            raise ValueError('variableGrads() expects at least one input variable with '
                             'trainable=true: every variable given to the optimizer is '
                             'non-trainable (or there are no variables at all).')
        out = variableGrads(f, trainable)
        grads = out['grads']
        for v in varList:
            if not v.trainable:
                grads[v.name] = None
        return out

    def applyGradients(self, variableGradients: Mapping[str, Any] | Sequence[Mapping[str, Any]]
                       ) -> None:
        """Update variables from `{varName: gradient}` or `[{'name', 'tensor'}, ...]`."""
        self._check_live()
        if isinstance(variableGradients, Mapping):
            items = list(variableGradients.items())
        else:
            try:
                items = [(e['name'], e.get('tensor')) for e in variableGradients]
            except (TypeError, KeyError):
                raise ValueError('applyGradients() expects a dict {varName: gradient} or a list of '
                                 '{"name": varName, "tensor": gradient} entries.') from None
        self._apply([(name, self._resolve(name), grad) for name, grad in items])

    def _check_live(self) -> None:
        if self._disposed:
            raise ValueError(f'This {self.getClassName()} optimizer was disposed; '
                             'create a new one.')

    def _apply(self, items: list) -> None:
        """One step over `[(name, variable, gradient or None)]`, slots kept by position."""
        params, grads = [], []
        slot_lists = {s: [] for s in self._slots}
        slot_items = list(self._slots.items())
        for i, (name, var, grad) in enumerate(items):
            if var._t is None:
                var = self._resolve(name)
            for suffix, slots in slot_items:
                if len(slots) <= i:
                    slots.extend([None] * (i + 1 - len(slots)))
                if slots[i] is None:
                    slots[i] = (f'{name}/{suffix}', self._new_slot(suffix, var))
            if grad is None:
                continue
            p = var._t
            g = (grad if isinstance(grad, Tensor) else convert_to_tensor(grad, 'gradient'))._value()
            if g.shape != p.shape:
                raise ValueError(f'The gradient for variable "{name}" has shape {list(g.shape)} '
                                 f'but the variable has shape {list(p.shape)}.')
            if g.dtype != p.dtype or g.device != p.device:
                g = g.to(device=p.device, dtype=p.dtype)
            params.append(p)
            grads.append(g)
            for suffix, slots in slot_items:
                slot_lists[suffix].append(slots[i][1]._value())
        with torch.no_grad():
            if self._schedule is not None:
                self.learningRate = self._schedule(self.iterations)
            if grads and (self.clipnorm or self.clipvalue or self.globalClipnorm):
                grads = self._clip(grads)
            self._step(params, grads, slot_lists)
        self._iterations = self.iterations + 1

    def _scratch(self, like: list, count: int) -> list:
        """`count` lists of work tensors shaped as `like`, kept between steps (no allocation
        per step; reallocated only when the shapes, dtypes or devices change), for `mul_out`
        and its kin. Off the CPU: `count` Nones (grouped ops that allocate launch fewer
        kernels there, and CUDA's caching allocator makes allocation cheap)."""
        if not like[0].is_cpu:
            return [None] * count
        key = [(t.shape, t.dtype, t.device) for t in like]
        ws = self._workspace
        if ws is None or ws[0] != key or len(ws[1]) < count:
            ws = self._workspace = (key, [[torch.empty_like(t) for t in like]
                                          for _ in range(count)])
        return ws[1]

    def _clip(self, grads: list) -> list:
        """Keras's gradient clipping (beyond TF.js): per-tensor norm, global norm, value."""
        grads = [g.clone() for g in grads]
        if self.clipnorm:
            c = float(self.clipnorm)
            norms = torch._foreach_norm(grads)
            scales = [c / torch.clamp(n, min=c) for n in norms]
            torch._foreach_mul_(grads, scales)
        if self.globalClipnorm:
            c = float(self.globalClipnorm)
            total = torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)))
            torch._foreach_mul_(grads, c / torch.clamp(total, min=c))
        if self.clipvalue:
            v = float(self.clipvalue)
            torch._foreach_clamp_min_(grads, -v)
            torch._foreach_clamp_max_(grads, v)
        return grads

    def _set_extras(self, schedule, clipping: Mapping[str, Any]) -> 'Optimizer':
        """Attach a learning-rate schedule and Keras clipping options (validated)."""
        self._schedule = schedule
        given = {k: v for k, v in clipping.items() if v is not None}
        for key, value in given.items():
            check_number(f'tf.train.{getattr(self, "_FACTORY", "optimizer")}()', key, value)
            if value <= 0:
                raise ValueError(f'{key} must be positive; got {value}.')
        if len(given) > 1:
            raise ValueError(f'Only one of {", ".join(CLIP_OPTIONS)} can be set (as in Keras); '
                             f'got {", ".join(given)}.')
        for key in CLIP_OPTIONS:
            setattr(self, key, given.get(key))
        return self

    def _step(self, params: list, grads: list, slots: dict) -> None:
        """Update `params` (torch tensors) in place from `grads`; `slots[suffix]` lines up."""
        raise NotImplementedError(f'{type(self).__name__} does not implement _step().')

    def _resolve(self, name: str) -> Variable:
        var = self._vars.get(name)
        if var is None or var._t is None:
            var = ENGINE.variables.get(name)
        if var is None or var._t is None:
            raise ValueError(f'Cannot apply a gradient for "{name}": no live variable has that name. '
                             'Gradients are matched to variables by variable.name.')
        return var

    def _new_slot(self, suffix: str, var: Variable) -> Variable:
        return self._make_variable(torch.zeros_like(var._value()))

    @staticmethod
    def _make_variable(t: 'torch.Tensor') -> Variable:
        """A registered, non-trainable float32 variable that survives enclosing `tidy` scopes."""
        return keep(variable(Tensor._make(t, 'float32'), False))

    @classmethod
    def _slot_names(cls) -> tuple:
        return cls._SLOTS

    # ------------------------------------------------------------------ state
    @property
    def iterations(self) -> int:
        """How many times `applyGradients` (hence `minimize`) has run."""
        if self._iterations is None:
            self._iterations = 0
        return self._iterations

    def getWeights(self):
        """`[{'name': 'iter', 'tensor': int32 scalar}, {'name': '<var>/<slot>', 'tensor': ...}]`
        (a Promise inside an event loop, as in TF.js)."""
        return resolved(self._get_weights())

    def setWeights(self, weightValues: Sequence[Mapping[str, Any]]):
        """Restore `iter` and the slot variables from a `getWeights()`-style list."""
        self._set_weights(weightValues)
        return resolved(None)

    def _get_weights(self) -> list:
        from ..ops.creation import scalar
        out = [{'name': 'iter', 'tensor': scalar(self.iterations, 'int32')}]
        for slots in self._slots.values():
            out.extend({'name': s[0], 'tensor': s[1]} for s in slots if s is not None)
        return out

    def _set_weights(self, weightValues: Sequence[Mapping[str, Any]]) -> None:
        rest = self._extract_iterations(weightValues)
        names = list(self._slots)
        if not names:
            if rest:
                raise ValueError(f'{self.getClassName()} optimizer does not have settable weights '
                                 f'(got {len(rest)} besides "iter").')
            return
        if len(rest) % len(names):
            raise ValueError(f'{self.getClassName()}.setWeights() expects "iter" followed by '
                             f'{len(names)} slot variables per model variable ({", ".join(names)}); '
                             f'got {len(rest)} after "iter".')
        count = len(rest) // len(names)
        for k, suffix in enumerate(names):
            self._slots[suffix] = [(str(e['name']), self._variable_from(e))
                                   for e in rest[k * count:(k + 1) * count]]

    def _extract_iterations(self, weightValues) -> list:
        weightValues = list(weightValues)
        if not weightValues:
            raise ValueError('setWeights() expects a list starting with {"name": "iter", '
                             '"tensor": <int32 scalar>}; got an empty list.')
        for e in weightValues:
            if not isinstance(e, Mapping) or 'name' not in e or 'tensor' not in e:
                raise ValueError('setWeights() expects entries {"name": str, "tensor": Tensor}; '
                                 f'got {e!r}.')
        first = weightValues[0]['tensor']
        self._iterations = int(np.asarray(first).reshape(-1)[0])
        return weightValues[1:]

    def _variable_from(self, entry) -> Variable:
        value = convert_to_tensor(entry['tensor'], 'tensor', 'setWeights')
        return keep(variable(value, False))

    def dispose(self) -> None:
        """Dispose the slot variables this optimizer owns."""
        for slots in self._slots.values():
            for s in slots:
                if s is not None:
                    s[1].dispose()
        self._slots = {s: [] for s in self._slot_names()}
        self._workspace = None
        self._disposed = True

    # ------------------------------------------------------------------ config
    def getClassName(self) -> str:
        return type(self).className

    def getConfig(self) -> dict:
        """The constructor arguments, camelCase, as TF.js's `getConfig()` (plus a schedule as
        the learning rate and Keras clipping options, when used)."""
        config = {name: getattr(self, name) for name, _ in self._PARAMS}
        if self._schedule is not None:
            config['learningRate'] = {'className': self._schedule.getClassName(),
                                      'config': self._schedule.getConfig()}
        for key in CLIP_OPTIONS:
            if getattr(self, key, None) is not None:
                config[key] = getattr(self, key)
        return config

    @classmethod
    def fromConfig(cls, config: Mapping[str, Any]) -> 'Optimizer':
        """Build from a config (camelCase, snake_case or Keras keys such as `learning_rate`)."""
        args = cls._normalize_config(config)
        return _construct(cls, args)

    @classmethod
    def _normalize_config(cls, config: Mapping[str, Any]) -> dict:
        if not isinstance(config, Mapping):
            raise ValueError(f'{cls.className}.fromConfig() expects a dict; got {config!r}.')
        params = {name for name, _ in cls._PARAMS}
        out: dict = {}
        for key, value in config.items():
            camel = to_camel_case(str(key))
            camel = cls._ALIASES.get(camel, camel)
            if camel in params or camel in CLIP_OPTIONS:
                if isinstance(value, Mapping) and camel != 'learningRate':
                    raise ValueError(f'{cls.className} config "{key}" must be a number; got an '
                                     f'object ({value.get("class_name")!r}).')
                out[camel] = value
            elif camel in _KERAS_BOOKKEEPING:
                continue
            elif camel in _KERAS_FEATURES:
                if not _neutral(camel, value):
                    raise NotImplementedError(
                        f'{cls.className} config has "{key}": {value!r}, a Keras option that TF.js '
                        'optimizers do not have; training would silently differ. Remove it (or set '
                        'it to its neutral value) to load this optimizer.')
            else:
                raise ValueError(unknown_key_message(key, params, f'{cls.className}.fromConfig()'))
        return out

    def __repr__(self):
        args = ', '.join(f'{k}={v!r}' for k, v in self.getConfig().items())
        return f'<{type(self).__name__} {args}>'


def _neutral(key: str, value: Any) -> bool:
    if isinstance(value, (list, dict)):
        return False
    return value is None or value is False or value == 0 or \
        (key == 'gradientAccumulationSteps' and value == 1)


def check_number(where: str, name: str, value: Any, required: bool = True) -> Any:
    """`value` if it is a real number (None allowed when not `required`); else ValueError."""
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or \
            (isinstance(value, float) and math.isnan(value)):
        if value is None:
            raise ValueError(f'{where}: {name} must be defined (a number).')
        raise ValueError(f'{where}: {name} must be a number; got {type(value).__name__} {value!r}.')
    return value


def build(cls: type, positional: Sequence[Any], kwargs: Mapping[str, Any]) -> Optimizer:
    """Create `cls` from a factory's arguments: TF.js positional values, or a config dict as the
    first argument, and/or keyword arguments (camelCase, snake_case or Keras aliases)."""
    names = [name for name, _ in cls._PARAMS]
    where = f'tf.train.{cls._FACTORY}()'
    positional = list(positional)
    while positional and positional[-1] is None:
        positional.pop()
    config = None
    if positional and isinstance(positional[0], Mapping):
        config, positional[0] = positional[0], None     # later slots: given by name (or position)
    if len(positional) > len(names):
        raise ValueError(f'{where} takes at most {len(names)} positional arguments '
                         f'({", ".join(names)}); got {len(positional)}.')
    args = normalize_args(config, kwargs, names + list(CLIP_OPTIONS), where, cls._ALIASES)
    for name, value in zip(names, positional):
        if value is None:
            continue
        if name in args:
            raise ValueError(f'{where}: "{name}" is given twice (in the config object or keyword '
                             'arguments, and as an argument); give it once.')
        args[name] = value
    for name, default in cls._PARAMS:
        if default is REQUIRED and args.get(name) is None:
            raise ValueError(f'{where}: {name} must be defined (a number), e.g. '
                             f'tf.train.{cls._FACTORY}(0.01).')
    return _construct(cls, args)


def _construct(cls: type, args: dict) -> Optimizer:
    """`cls(**args)` after taking out the options TF.js's constructors lack: a learning-rate
    schedule (object or config) and Keras's clipping options."""
    from .schedules import LearningRateSchedule, deserialize_schedule
    clipping = {key: args.pop(key, None) for key in CLIP_OPTIONS}
    schedule = args.get('learningRate')
    if isinstance(schedule, Mapping):
        schedule = deserialize_schedule(schedule)
    if isinstance(schedule, LearningRateSchedule):
        args['learningRate'] = schedule(0)
    else:
        schedule = None
    return cls(**args)._set_extras(schedule, clipping)
