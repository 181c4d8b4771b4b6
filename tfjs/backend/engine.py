"""Tensor-memory accounting with TF.js semantics: `tidy`, `keep`, `dispose`, `memory`.

Every `Tensor` registers itself here when created and unregisters when disposed (or when Python
collects it, which is the safety net TF.js lacks). `tidy` scopes record the tensors created
inside them and dispose those not returned and not kept.
"""
from __future__ import annotations

import threading
import weakref


class Engine:
    """Process-wide bookkeeping of live tensors and variables."""

    def __init__(self):
        self.num_tensors = 0
        self.num_bytes = 0
        self._local = threading.local()  # per thread: the stack of open tidy scopes
        self._lock = threading.RLock()   # counters; re-entrant as __del__ may run inside register
        self.variables = weakref.WeakValueDictionary()   # name -> Variable
        self.next_id = 0

    # called by Tensor -------------------------------------------------------------------
    @property
    def scopes(self) -> list:
        """This thread's stack of lists of tensors created in each open tidy scope."""
        local = self._local
        try:
            return local.scopes
        except AttributeError:
            local.scopes = []
            return local.scopes

    def register(self, tensor, nbytes: int) -> None:
        # hot path (every op result): the lock's own acquire/release rather than `with`, and
        # this thread's scope stack read without creating it
        lock = self._lock
        lock.acquire()
        try:
            self.num_tensors += 1
            self.num_bytes += nbytes
        finally:
            lock.release()
        scopes = self._local.__dict__.get('scopes')
        if scopes and not tensor._is_variable:
            scopes[-1].append(tensor)

    def unregister(self, nbytes: int) -> None:
        lock = self._lock
        lock.acquire()
        try:
            self.num_tensors -= 1
            self.num_bytes -= nbytes
        finally:
            lock.release()

    # scopes -----------------------------------------------------------------------------
    def start_scope(self) -> None:
        self.scopes.append([])

    def end_scope(self, result=None) -> None:
        created = self.scopes.pop()
        survivors = {id(t) for t in iter_tensors(result)}
        parent = self.scopes[-1] if self.scopes else None
        for t in created:
            if id(t) in survivors:
                if parent is not None:
                    parent.append(t)
            elif not t._kept:
                t.dispose()

    def move_variables(self, device) -> None:
        for var in list(self.variables.values()):
            if var._t is not None:
                var._t = var._t.to(device)


def iter_tensors(container):
    """Yield every Tensor inside a TensorContainer (tensor, list, tuple, dict, nested)."""
    from ..tensor import Tensor
    if container is None:
        return
    if isinstance(container, Tensor):
        yield container
    elif isinstance(container, (list, tuple)):
        for item in container:
            yield from iter_tensors(item)
    elif isinstance(container, dict):
        for item in container.values():
            yield from iter_tensors(item)


ENGINE = Engine()
