"""Native (C) kernels, built on first use: the LSTM's and GRU's time-step loops and one-pass
optimizer updates.

`lstm.c` / `gru.c` hold the sequential part of an LSTM / GRU with TF.js's default cell (tanh,
hardSigmoid gates; GRU `resetAfter: false`): per step one or two small GEMMs through the BLAS
`sgemm_` PyTorch links plus fused passes over the gates. `optimizers.c` holds the seven
optimizers' updates in one pass each, in TF.js's order of float32 ops.
They are compiled once per machine with the system C compiler (`$CC`, else `cc`, `gcc` or
`clang`) into one library in `~/.cache/tfjs/native` (or `$TFJS_CACHE_DIR/native`), keyed by a
hash of the sources, the flags, the compiler and the CPU (the code is built for this CPU's
instruction set, and a home folder may be shared by different machines), and loaded through
ctypes. Without a compiler, or a BLAS `sgemm_` in PyTorch's library, or with
`TFJS_NATIVE_KERNELS=0`, `kernels()` is None and the callers keep their PyTorch-op paths (the
optimizers' give the same bits; the recurrent ones the same math, values within float32
rounding).

>>> k = kernels()          # None where they cannot be built
>>> k is None or callable(k.adam)
True
"""
from __future__ import annotations

import ctypes
import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import warnings

_HERE = os.path.dirname(os.path.abspath(__file__))
_SOURCES = [os.path.join(_HERE, name) for name in ('lstm.c', 'gru.c', 'optimizers.c')]
_HEADERS = [os.path.join(_HERE, 'native.h')]
# -ffp-contract=off: no fused multiply-adds, so every product and sum rounds as written (the
# optimizers' bit-exactness depends on it; and the same values on every machine, whatever its
# vector width). No -ffast-math: IEEE semantics, no flush-to-zero.
_FLAGS = ['-O3', '-fPIC', '-shared', '-fno-math-errno', '-ffp-contract=off']
# tried in order until one compiles: this machine's vector units, 512-bit where it has them
# (measured 1.2-1.4x on the LSTM gate loops over 256-bit), then portable code
_ARCH_FLAGS = (['-march=native', '-mprefer-vector-width=512'], ['-march=native'], [])
# recurrent steps whose GEMMs have fewer flops run them on one thread: waking a second BLAS
# thread for every step costs more than it saves. Forward + backward of one layer on 2 cores,
# backward loop on two threads -> one (forward on one in both), OpenMP's default wait policy /
# OMP_WAIT_POLICY=PASSIVE: LSTM B=64 U=64 (2 MFLOP a step) 4.56 -> 4.71 / 12.5 -> 6.6 ms;
# Bidirectional LSTM U=32 6.0 -> 5.2 / 24.4 -> 7.7 ms; GRU U=64 3.7 -> 3.6 / 16.8 -> 5.0 ms;
# at U=128 (8 MFLOP) two threads win, 11.6 vs 15.7 ms. Forward alone at B=64 U=64: 1.4x
# faster on one thread.
SMALL_GEMM_FLOPS = 3e6

_lock = threading.Lock()
_state: dict = {}


class Kernels:
    """The loaded library. The recurrent loops (`lstm_*`, `gru_*`) take the `sgemm_` address
    first, then plain ints (sizes, pointers); the optimizer steps (`sgd` ... `adadelta`)
    pointers, a length and float32 scalars; see the C sources for the layouts."""

    def __init__(self, lib: ctypes.CDLL, sgemm: int, path: str, set_local_threads=None):
        p, i, f = ctypes.c_void_p, ctypes.c_int, ctypes.c_float
        self.path, self.sgemm = path, sgemm
        self._set_local_threads = set_local_threads
        self.lstm_forward = _bind(lib.tfjs_lstm_clip_forward, [p, i, i, i, i] + [p] * 5)
        self.lstm_backward = _bind(lib.tfjs_lstm_clip_backward, [p, i, i, i, i] + [p] * 9)
        self.gru_forward = _bind(lib.tfjs_gru_forward, [p, i, i, i] + [p] * 4)
        self.gru_backward = _bind(lib.tfjs_gru_backward, [p, i, i, i] + [p] * 7)
        self.tanh = _bind(lib.tfjs_tanh, [p, p, ctypes.c_long])
        n = ctypes.c_long
        self.sgd = _bind(lib.tfjs_sgd_step, [p, p, n, f])
        self.momentum = _bind(lib.tfjs_momentum_step, [p, p, p, n, f, f, f])
        self.rmsprop = _bind(lib.tfjs_rmsprop_step, [p, p, p, p, p, n] + [f] * 5)
        self.adagrad = _bind(lib.tfjs_adagrad_step, [p, p, p, n, f, f])
        self.adam = _bind(lib.tfjs_adam_step, [p, p, p, p, n] + [f] * 8)
        self.adamax = _bind(lib.tfjs_adamax_step, [p, p, p, p, n] + [f] * 5)
        self.adadelta = _bind(lib.tfjs_adadelta_step, [p, p, p, p, n] + [f] * 4)

    def run(self, fn, *args, one_blas_thread: bool = False) -> None:
        """`fn(sgemm, *args)`; with `one_blas_thread` its GEMMs run on one thread (set for this
        thread only, where the BLAS can: MKL)."""
        set_local = self._set_local_threads
        if set_local is None or not one_blas_thread:
            fn(self.sgemm, *args)
            return
        previous = set_local(1)
        try:
            fn(self.sgemm, *args)
        finally:
            set_local(previous)


def set_local_blas_threads():
    """MKL's `MKL_Set_Num_Threads_Local(n) -> previous` from PyTorch's library (the number of
    threads MKL uses in the calling thread; 0 = back to the global setting), or None when
    torch's BLAS is not MKL. Needs no compiler."""
    if 'set_local' not in _state:
        try:
            fn = getattr(_torch_blas(), 'MKL_Set_Num_Threads_Local', None)
        except _Unavailable:
            fn = None
        if fn is not None:
            fn.argtypes, fn.restype = [ctypes.c_int], ctypes.c_int
        _state['set_local'] = fn
    return _state['set_local']


def _bind(fn, argtypes: list):
    fn.argtypes, fn.restype = argtypes, None
    return fn


def kernels() -> Kernels | None:
    """The native kernels, building them on the first call; None when unavailable (the
    reason is in `unavailable_reason()`)."""
    if 'kernels' not in _state:
        with _lock:
            if 'kernels' not in _state:
                try:
                    _state['kernels'] = _load()
                    _state['reason'] = None
                except _Unavailable as e:
                    _state['kernels'], _state['reason'] = None, str(e)
    return _state['kernels']


def unavailable_reason() -> str | None:
    """Why `kernels()` is None (after it was called), else None."""
    kernels()
    return _state.get('reason')


def reset() -> None:
    """Forget the loaded state (tests: rebuild under other settings)."""
    with _lock:
        _state.clear()


class _Unavailable(Exception):
    pass


def _load() -> Kernels:
    if os.environ.get('TFJS_NATIVE_KERNELS', '1').strip().lower() in ('0', 'false', 'no', 'off'):
        raise _Unavailable('switched off by TFJS_NATIVE_KERNELS=0')
    sgemm = ctypes.cast(_torch_blas().sgemm_, ctypes.c_void_p).value
    set_local = set_local_blas_threads()
    path = _build()
    try:
        lib = ctypes.CDLL(path)
    except OSError as e:
        raise _Unavailable(f'the built library {path} does not load: {e}') from None
    return Kernels(lib, sgemm, path, set_local)


def _torch_blas() -> ctypes.CDLL:
    """The library holding the Fortran BLAS `sgemm_` that PyTorch uses (MKL or OpenBLAS inside
    its CPU library, or anywhere in the process when torch links it elsewhere)."""
    import torch
    libdir = os.path.join(os.path.dirname(torch.__file__), 'lib')
    names = [os.path.join(libdir, n) for n in ('libtorch_cpu.so', 'libtorch_cpu.dylib')]
    for name in [n for n in names if os.path.exists(n)] + [None]:
        try:
            lib = ctypes.CDLL(name)
            lib.sgemm_
        except (OSError, AttributeError):
            continue
        return lib
    raise _Unavailable("PyTorch's library exports no BLAS sgemm_")


def _compiler() -> str:
    for cand in [os.environ.get('CC'), 'cc', 'gcc', 'clang']:
        if cand and shutil.which(cand):
            return shutil.which(cand)
    raise _Unavailable('no C compiler (set CC, or install cc / gcc / clang)')


def _cpu_id() -> bytes:
    """What tells this CPU's instruction set apart (`-march=native` builds for it): the model
    and feature flags from /proc/cpuinfo on Linux, else the platform's processor string."""
    try:
        with open('/proc/cpuinfo', 'rb') as f:
            lines = [ln for ln in f.read().splitlines()
                     if ln.startswith((b'model name', b'flags', b'Features', b'CPU part'))]
        return b'\n'.join(sorted(set(lines)))
    except OSError:
        return platform.processor().encode()


def _cache_dir() -> str:
    base = os.environ.get('TFJS_CACHE_DIR') or os.path.join(
        os.environ.get('XDG_CACHE_HOME') or os.path.join(os.path.expanduser('~'), '.cache'),
        'tfjs')
    return os.path.join(base, 'native')


def _build() -> str:
    """Compile the sources unless a build with the same key exists; returns the library's
    path. It is written under a temporary name and renamed into place, so a killed or
    concurrent build never leaves a half-written file under the final name."""
    cc = _compiler()
    sources = []
    for path in _SOURCES + _HEADERS:
        with open(path, 'rb') as f:
            sources.append(f.read())
    try:
        version = subprocess.run([cc, '--version'], capture_output=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError) as e:
        raise _Unavailable(f'the C compiler {cc} does not run: {e}') from None
    key = hashlib.sha256(b'\0'.join(sources + [
        repr((_FLAGS, _ARCH_FLAGS)).encode(), cc.encode(), version,
        platform.machine().encode(), sys.platform.encode(), _cpu_id()])).hexdigest()[:20]
    folder = _cache_dir()
    target = os.path.join(folder, f'kernels-{key}.so')
    if os.path.exists(target):
        return target
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix='.kernels-', suffix='.so', dir=folder)
        os.close(fd)
    except OSError as e:
        raise _Unavailable(f'cannot write to the kernel cache {folder}: {e}') from None
    try:
        errors = ''
        for arch in _ARCH_FLAGS:
            proc = subprocess.run([cc, *_FLAGS, *arch, '-o', tmp, *_SOURCES, '-lm'],
                                  capture_output=True, text=True, timeout=300)
            if proc.returncode == 0:
                break
            errors = proc.stderr.strip()
        else:
            warnings.warn(f'tfjs: building the native kernels with {cc} failed; using the '
                          f'PyTorch-op paths instead.\n{errors[-2000:]}', RuntimeWarning)
            raise _Unavailable(f'{cc} failed: {errors[-500:]}')
        os.replace(tmp, target)
    except (OSError, subprocess.SubprocessError) as e:
        raise _Unavailable(f'building with {cc} failed: {e}') from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target
