"""Client for the TF.js parity oracle (``tests/js/oracle.js``).

Pure standard library + numpy; deliberately does not import ``tfjs``.
The worker speaks newline-delimited JSON: requests ``{"id", "op", ...}``,
responses ``{"id", "ok": true, "result"}`` or ``{"id", "ok": false, "error",
"stack"}``. Tensors travel as ``{"__tensor__": true, "dtype", "shape",
"values"}`` and non-finite numbers outside tensors as ``{"__number__": "NaN"}``.
"""

import collections
import itertools
import json
import math
import os
import shutil
import subprocess
import threading
import time

import numpy as np

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
JS_DIR = os.path.join(REPO_ROOT, "tests", "js")
WORKER = os.path.join(JS_DIR, "oracle.js")
DEFAULT_TIMEOUT = 120.0

_SPECIAL = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf, "-0": -0.0}
_NP_DTYPES = {"float32": np.float32, "int32": np.int32, "bool": np.bool_}


class OracleError(RuntimeError):
    """A request failed in the JS worker (or the worker itself failed)."""

    def __init__(self, message, stack=""):
        super().__init__(f"{message}\n--- JS stack ---\n{stack}" if stack else message)
        self.js_message = message
        self.stack = stack


class OracleTimeout(OracleError):
    """A request took longer than its timeout; the worker was killed."""


def missing_requirement():
    """Why the oracle cannot run here (str), or None when it can."""
    if shutil.which("node") is None:
        return "`node` is not on PATH"
    if not os.path.isdir(os.path.join(JS_DIR, "node_modules", "@tensorflow", "tfjs")):
        return "tests/js/node_modules/@tensorflow/tfjs is missing"
    return None


def node_available():
    """True when node and the TF.js node_modules are present."""
    return missing_requirement() is None


# ----------------------------------------------------------------- encoding --

def _encode_number(v):
    if isinstance(v, float) and not math.isfinite(v):
        return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
    return v


def encode_array(a):
    """numpy array -> tensor JSON form (float64 -> float32, ints -> int32)."""
    a = np.asarray(a)
    shape = list(a.shape)
    kind = a.dtype.kind
    if kind == "b":
        return {"__tensor__": True, "dtype": "bool", "shape": shape,
                "values": [bool(v) for v in a.ravel()]}
    if kind in "iu":
        return {"__tensor__": True, "dtype": "int32", "shape": shape,
                "values": a.astype(np.int64).ravel().tolist()}
    if kind == "f":
        values = [_encode_number(v) for v in a.astype(np.float32).ravel().tolist()]
        return {"__tensor__": True, "dtype": "float32", "shape": shape, "values": values}
    if kind == "c":
        flat = a.astype(np.complex64).ravel()
        values = np.stack([flat.real, flat.imag], axis=-1).ravel().tolist()
        return {"__tensor__": True, "dtype": "complex64", "shape": shape,
                "values": [_encode_number(v) for v in values]}
    if kind in "OUS":
        values = [v.decode() if isinstance(v, bytes) else str(v) for v in a.ravel()]
        return {"__tensor__": True, "dtype": "string", "shape": shape, "values": values}
    raise TypeError(f"cannot encode numpy dtype {a.dtype} for the oracle")


def decode_array(obj):
    """Tensor JSON form -> numpy array with the matching dtype."""
    dtype, shape, values = obj["dtype"], obj["shape"], obj["values"]
    if dtype == "string":
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return out.reshape(shape)
    values = [_SPECIAL[v] if isinstance(v, str) else v for v in values]
    if dtype == "complex64":
        pairs = np.asarray(values, dtype=np.float32).reshape(-1, 2)
        return (pairs[:, 0] + 1j * pairs[:, 1]).astype(np.complex64).reshape(shape)
    return np.asarray(values, dtype=_NP_DTYPES[dtype]).reshape(shape)


def encode(x):
    """Recursively turn numpy arrays (and non-finite floats) into JSON form."""
    if isinstance(x, np.ndarray):
        return encode_array(x)
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return {"__number__": _encode_number(x)}
    if isinstance(x, dict):
        return {str(k): encode(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [encode(v) for v in x]
    return x


def decode(x):
    """Recursively turn tensor / special-number JSON forms back into Python."""
    if isinstance(x, list):
        return [decode(v) for v in x]
    if isinstance(x, dict):
        if x.get("__tensor__"):
            return decode_array(x)
        if "__number__" in x and len(x) == 1:
            return _SPECIAL[x["__number__"]]
        return {k: decode(v) for k, v in x.items()}
    return x


# ------------------------------------------------------------------- client --

class Oracle:
    """One long-lived ``node tests/js/oracle.js`` worker.

    ``eval(code, args=None, **kwargs)`` runs ``code`` as the body of
    ``async (tf, args, helpers) => {...}`` and returns the decoded result.
    The worker is (re)started lazily; a timed-out request kills it.
    """

    def __init__(self, timeout=DEFAULT_TIMEOUT, node="node"):
        self.timeout = timeout
        self.node = node
        self._proc = None
        self._ids = itertools.count(1)
        self._cond = threading.Condition()
        self._responses = {}
        self._stderr = collections.deque(maxlen=200)

    # -- process management
    def start(self):
        """Start the worker if it is not running."""
        if self._proc is not None and self._proc.poll() is None:
            return
        self._responses = {}
        self._stderr.clear()
        self._proc = subprocess.Popen(
            [self.node, WORKER], cwd=JS_DIR, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            encoding="utf-8", bufsize=1)
        proc = self._proc
        threading.Thread(target=self._read_stdout, args=(proc,), daemon=True).start()
        proc.stderr_thread = threading.Thread(
            target=self._read_stderr, args=(proc,), daemon=True)
        proc.stderr_thread.start()

    def _read_stdout(self, proc):
        for line in proc.stdout:
            try:
                msg = json.loads(line)
            except ValueError:
                self._stderr.append(f"[non-JSON on stdout] {line.rstrip()}")
                continue
            with self._cond:
                self._responses[msg.get("id")] = msg
                self._cond.notify_all()
        with self._cond:
            proc.oracle_eof = True
            self._cond.notify_all()

    def _read_stderr(self, proc):
        for line in proc.stderr:
            self._stderr.append(line.rstrip("\n"))

    def _reap(self, proc):
        """Exit code of a dead worker (after its stderr is drained)."""
        if proc is None:
            return None
        try:
            proc.wait(timeout=5)
            proc.stderr_thread.join(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        if self._proc is proc:
            self._proc = None
        return proc.returncode

    def stderr_tail(self, n=40):
        """Last lines the worker wrote to stderr."""
        return "\n".join(list(self._stderr)[-n:])

    def close(self):
        """Stop the worker (closing stdin lets it finish pending requests)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            proc.stdin.close()
            proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()

    def restart(self):
        """Fresh worker: resets TF.js global state (layer name counters etc.)."""
        self.close()
        self.start()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.close()

    # -- requests
    def send(self, op, **fields):
        """Send a request without waiting; returns its id (see ``wait``)."""
        self.start()
        req_id = next(self._ids)
        line = json.dumps({"id": req_id, "op": op, **encode(fields)}, allow_nan=False)
        try:
            self._proc.stdin.write(line + "\n")
            self._proc.stdin.flush()
        except OSError as e:
            raise OracleError(f"oracle worker is gone ({e})\n{self.stderr_tail()}")
        return req_id

    def wait(self, req_id, timeout=None):
        """Wait for the response to ``req_id``; return its decoded result."""
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        proc = self._proc
        dead = False
        with self._cond:
            while req_id not in self._responses:
                dead = proc is None or getattr(proc, "oracle_eof", False)
                left = deadline - time.monotonic()
                if dead or left <= 0:
                    break
                self._cond.wait(min(left, 0.5))
            msg = self._responses.pop(req_id, None)
        if msg is None and dead:
            raise OracleError(f"oracle worker exited (code {self._reap(proc)}) before "
                              f"answering request {req_id}\n{self.stderr_tail()}")
        if msg is None:
            proc.kill()
            proc.wait()
            if self._proc is proc:
                self._proc = None
            raise OracleTimeout(f"oracle request {req_id} timed out after {timeout}s; "
                                f"worker killed\n{self.stderr_tail()}")
        if not msg.get("ok"):
            raise OracleError(msg.get("error", "unknown error"), msg.get("stack", ""))
        return decode(msg.get("result"))

    def request(self, op, timeout=None, **fields):
        """Send ``op`` and wait for its decoded result."""
        return self.wait(self.send(op, **fields), timeout)

    def ping(self):
        """``{"reply": "pong", "version": "4.22.0", ...}``."""
        return self.request("ping")

    def eval(self, code, args=None, *, timeout=None, **kwargs):
        """Run ``code`` as the body of ``async (tf, args, helpers) => {...}``.

        ``args`` (a dict) and keyword arguments are merged into the JS
        ``args``; numpy arrays arrive there as tf.Tensors.
        """
        merged = {**(args or {}), **kwargs}
        return self.request("eval", timeout=timeout, code=code, args=merged)
