"""`compile({..., jitCompile: true})`: the training forward pass (and so its backward) through
`torch.compile`, as Keras's `jit_compile` (XLA there, TorchInductor here).

What is compiled: each maximal chain of plain layers in the model's execution plan (`TorchLayer`s
running `forward` on raw tensors, each feeding only the next) becomes one compiled function;
other layers (Dropout, RNNs, merges, custom layers), the loss and the optimizer run eagerly as
without the option. Compiled kernels may round differently in the last bits from TF.js's op
order (fused softmax, vectorised exp), as XLA does in Keras; the option is off by default.

Availability: TorchInductor needs a C++ compiler on CPU (g++/clang++, or `CXX`) and Triton on
CUDA. Like Keras when XLA is missing, asking for `jitCompile: true` without them raises a
`ValueError` at compile time rather than training slower than expected. `'auto'` means off, as
Keras's torch backend resolves it.

Measured on this project's 2-core CPU (docs/engine_performance.md): compiling makes training
*slower* (tfjs MLP epoch 553 -> 617 ms, CNN 3.7 -> 10.0 s; the same holds for raw torch) after a
first compile of 45-85 s, so it is an option for CUDA machines, not a default.

>>> import tfjs as tf
>>> model = tf.sequential({'layers': [tf.layers.dense({'units': 1, 'inputShape': [1]})]})
>>> model.compile({'optimizer': 'sgd', 'loss': 'meanSquaredError', 'jitCompile': False})
"""
from __future__ import annotations

import itertools
import types

import torch

from ..errors import ValueError
from .execution_plan import ExecutionPlan


def resolve_jit_compile(value) -> bool:
    """True/False from compile's `jitCompile` (None and 'auto' mean False); raises when True and
    torch.compile cannot run on the current backend."""
    if value is None or value is False or value == 'auto':
        return False
    if value is not True:
        raise ValueError(f'jitCompile must be true, false or "auto"; got {value!r}.')
    check_jit_available()
    return True


def check_jit_available(device: str | None = None) -> None:
    """Raise a ValueError naming what is missing when torch.compile cannot compile here."""
    from ..backend import get_backend
    device = device or get_backend()
    if not hasattr(torch, 'compile'):
        raise ValueError('jitCompile: true needs torch.compile (PyTorch >= 2.0); this PyTorch '
                         f'({torch.__version__}) lacks it. Compile with jitCompile: false.')
    try:
        import torch._dynamo as dynamo
        if not dynamo.is_dynamo_supported():
            raise ValueError('jitCompile: true needs torch.compile, which this Python version '
                             'does not support. Compile with jitCompile: false.')
    except ImportError as exc:
        raise ValueError(f'jitCompile: true needs torch.compile, which failed to load ({exc}). '
                         'Compile with jitCompile: false.') from None
    if device == 'cpu':
        if not has_cpp_compiler():
            raise ValueError('jitCompile: true on the CPU backend needs a C++ compiler for '
                             "torch.compile's TorchInductor, and none was found (g++ or the CXX "
                             'environment variable). Install one (e.g. apt-get install g++) or '
                             'compile with jitCompile: false.')
    elif device == 'cuda':
        from torch.utils._triton import has_triton
        if not has_triton():
            raise ValueError('jitCompile: true on the CUDA backend needs Triton for '
                             "torch.compile's TorchInductor (pip install triton), or compile "
                             'with jitCompile: false.')
    else:
        raise ValueError(f'jitCompile: true is supported on the "cpu" and "cuda" backends, not '
                         f'"{device}". Compile with jitCompile: false.')


def has_cpp_compiler() -> bool:
    """Whether TorchInductor finds its C++ compiler (its own search: config.cpp.cxx, CXX)."""
    try:
        from torch._inductor.cpp_builder import get_cpp_compiler
        get_cpp_compiler()
        return True
    except Exception:  # noqa: BLE001 - any failure means "cannot compile"
        return False


def _compile(fn):
    # static shapes: one compile per batch shape (the last, smaller batch adds one); Inductor's
    # dynamic-shape path fails on some conv chains (torch 2.13: "cannot determine truth value
    # of Relational")
    return torch.compile(fn, dynamic=False)


_chain_ids = itertools.count()


def _own_code(fn):
    """A copy of `fn` with its own code object: torch.compile caches per code object (at most
    `cache_size_limit` variants), so each chain gets its own cache instead of every model's
    chains sharing one."""
    code = fn.__code__.replace(co_name=f'tfjs_chain_{next(_chain_ids)}')
    return types.FunctionType(code, fn.__globals__, code.co_name, fn.__defaults__, fn.__closure__)


def _compiler_errors() -> tuple:
    """The exception types of a failed compilation (not of the model's own errors)."""
    errors = []
    try:
        from torch._dynamo.exc import BackendCompilerFailed
        errors.append(BackendCompilerFailed)
    except ImportError:
        pass
    try:
        from torch._inductor.exc import InductorError
        errors.append(InductorError)
    except ImportError:
        pass
    return tuple(errors) or (RuntimeError,)


def _warn_eager(segment, exc: Exception) -> None:
    import warnings
    segment.fn = None
    names = [layer.name for layer in segment.layers]
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ''
    warnings.warn(f'jitCompile: torch.compile could not compile layers {names} '
                  f'({type(exc).__name__}: {first[:300]}); they run eagerly instead.')


class _Segment:
    """A chain of plain layers run as one compiled function."""

    __slots__ = ('first', 'last', 'layers', 'fn', 'index')

    def __init__(self, steps: list, index: int, training: bool):
        self.first, self.last, self.index = steps[0], steps[-1], index
        self.layers = [s.layer for s in steps]
        layers = tuple(self.layers)

        def segment(x):
            for layer in layers:
                x = layer.forward(x, training)
            return x
        self.fn = _compile(_own_code(segment))

    def usable(self, raw, dts, msk) -> bool:
        i = self.first.ins[0]
        return (raw[i] is not None and msk[i] is None and dts[i] == 'float32'
                and all(l._callHook is None and l.activityRegularizer is None
                        for l in self.layers))


def chains(plan: ExecutionPlan) -> list:
    """[(start index, end index)] of the maximal runs of raw steps in which each step's only
    consumer is the next step (and its output is not a model output); runs of one step
    included."""
    uses: dict = {}
    for step in plan.steps:
        for i in step.ins:
            uses[i] = uses.get(i, 0) + 1
    for o in plan.out_slots:
        uses[o] = uses.get(o, 0) + 1
    runs, start = [], None
    for k, step in enumerate(plan.steps):
        linked = (start is not None and step.raw and step.ins[0] == plan.steps[k - 1].outs[0]
                  and uses.get(step.ins[0], 0) == 1)
        if linked:
            continue
        if start is not None:
            runs.append((start, k))
        start = k if step.raw else None
    if start is not None:
        runs.append((start, len(plan.steps)))
    return runs


class CompiledForward:
    """The plan of a model with its chains of plain layers compiled, for one `training` value."""

    def __init__(self, plan: ExecutionPlan, training: bool = True):
        self.plan, self.training = plan, training
        self.segments = {}
        for start, end in chains(plan):
            self.segments[start] = _Segment(plan.steps[start:end], end, training)

    def run(self, tensors: list, raws: list, dtypes: list) -> tuple:
        """As `ExecutionPlan.run` (no input masks), compiled chains where they apply."""
        plan = self.plan
        size = plan.n_slots
        raw = raws + [None] * (size - len(raws))
        dts = dtypes + [None] * (size - len(dtypes))
        tens = list(tensors) + [None] * (size - len(raws))
        msk = [None] * size
        steps, k, n = plan.steps, 0, len(plan.steps)
        training = self.training
        while k < n:
            seg = self.segments.get(k)
            if seg is not None and seg.fn is not None and seg.usable(raw, dts, msk):
                o = seg.last.outs[0]
                try:
                    raw[o] = seg.fn(raw[seg.first.ins[0]])
                except _compiler_errors() as exc:
                    _warn_eager(seg, exc)      # then the chain runs eagerly, now and later
                else:
                    dts[o] = 'float32'
                    k = seg.index
                    continue
            plan.run_steps(steps[k:k + 1], raw, dts, tens, msk, training)
            k += 1
        outs = plan.out_slots
        return ([raw[o] for o in outs], [dts[o] for o in outs], [tens[o] for o in outs],
                [msk[o] for o in outs])
