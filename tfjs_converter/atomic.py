"""Atomic saves: a file or a folder of files is written under a temporary name in the same
directory, flushed to disk (fsync), then renamed into place, so a crash at any point leaves
the previous version or the new one, never a mix.

(The `tfjs` runtime's `file://` handler has its own, richer directory swap in
`tfjs/io/_atomic.py`, built on this module's helpers; this module serves the converter and the
Keras file handlers, which must not import `tfjs`.)
"""
from __future__ import annotations

import ctypes
import ctypes.util
import errno
import hashlib
import os
import shutil
import socket
import tempfile
from typing import Callable, Mapping

CHUNK_BYTES = 1 << 20


def fsync_dir(path: str) -> None:
    if os.name != 'posix':
        return
    try:
        fd = os.open(path or '.', os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def default_mode(existing: str, directory: bool) -> int:
    """The mode a new file / folder would get (or that of the one it replaces): temporary files
    are created private (0600 / 0700), which would hide a saved model from a web server."""
    try:
        return os.stat(existing).st_mode & 0o7777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return (0o777 if directory else 0o666) & ~mask


def _fsync_file(path: str) -> None:
    with open(path, 'rb+') as f:
        f.flush()
        os.fsync(f.fileno())


def _pid_alive(pid: int) -> bool:
    if os.name != 'posix':
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def remove_stale_temporaries(path: str) -> None:
    """Remove `.<name>.tmp-<pid>-*` files that crashed saves of `path` left behind (only those
    of processes that no longer run)."""
    parent, prefix = os.path.dirname(path), f'.{os.path.basename(path)}.tmp-'
    try:
        names = os.listdir(parent)
    except OSError:
        return
    for name in names:
        if not name.startswith(prefix):
            continue
        pid = name[len(prefix):].split('-', 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _pid_alive(int(pid)):
            try:
                os.remove(os.path.join(parent, name))
            except OSError:
                pass


def write_file_atomic(path: str, produce: Callable[[str], None]) -> None:
    """`produce(tmp_path)` writes the new file; it then replaces `path` atomically.

    The temporary file (`.<name>.tmp-<pid>-<random>`) is removed if `produce` fails; ones left
    by killed processes are removed by the next save.
    """
    path = os.path.abspath(path)
    parent = os.path.dirname(path)
    os.makedirs(parent, exist_ok=True)
    if os.path.isdir(path):
        raise IsADirectoryError(f'Cannot save to {path}: it is a directory; give a file name '
                                '(e.g. model.keras or model.h5).')
    remove_stale_temporaries(path)
    fd, tmp = tempfile.mkstemp(prefix=f'.{os.path.basename(path)}.tmp-{os.getpid()}-',
                               dir=parent)
    os.close(fd)
    try:
        produce(tmp)
        os.chmod(tmp, default_mode(path, directory=False))
        _fsync_file(tmp)
        os.replace(tmp, path)
        tmp = None
        fsync_dir(parent)
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.remove(tmp)


def write_bytes_atomic(path: str, content) -> None:
    """Replace `path` with `content` (bytes-like) atomically."""
    view = memoryview(content).cast('B')

    def produce(tmp):
        with open(tmp, 'wb') as f:
            for start in range(0, len(view), CHUNK_BYTES):
                f.write(view[start:start + CHUNK_BYTES])
    write_file_atomic(path, produce)


_RENAME_EXCHANGE = 2
_LIBC: list = []


def renameat2_libc():
    """The C library with `renameat2` (Linux), or None where there is none."""
    if not _LIBC:
        lib = None
        if os.name == 'posix':
            try:
                lib = ctypes.CDLL(ctypes.util.find_library('c') or None, use_errno=True)
                lib.renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int,
                                          ctypes.c_char_p, ctypes.c_uint]
            except (OSError, AttributeError):
                lib = None
        _LIBC.append(lib)
    return _LIBC[0]


def exchange_paths(a: str, b: str) -> bool:
    """Swap two paths in one atomic step (Linux `renameat2(RENAME_EXCHANGE)`); False where
    the system cannot."""
    lib = renameat2_libc()
    if lib is None:
        return False
    if lib.renameat2(-100, os.fsencode(a), -100, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True                                                  # -100: AT_FDCWD
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EPERM):
        return False
    raise OSError(err, os.strerror(err), b)


_exchange = exchange_paths        # the name replace_directory calls (tests replace it)


# Temporary folders are named as tfjs's own `file://` handler names them
# (`.<name>.tfjs-new.<pid>.<host>.<random>`, `.<name>.tfjs-old....`), so either can repair or
# clean up after the other.
HOST_TAG = hashlib.sha1(socket.gethostname().encode('utf-8', 'replace')).hexdigest()[:8]


def _prefix(target: str, kind: str) -> str:
    return f'.{os.path.basename(target)}.tfjs-{kind}.'


def _dead_owner(name: str, target: str, kind: str) -> bool:
    prefix = _prefix(target, kind)
    if not name.startswith(prefix):
        return False
    parts = name[len(prefix):].split('.')
    if len(parts) != 3 or not parts[0].isdigit() or parts[1] != HOST_TAG:
        return False
    pid = int(parts[0])
    return pid != os.getpid() and not _pid_alive(pid)


def recover_directory(target: str) -> None:
    """Put a folder back if a save that had moved it aside (`.<name>.tfjs-old.*`) was killed
    before the new one took its place."""
    target = os.path.abspath(target)
    if os.path.lexists(target):
        return
    parent = os.path.dirname(target)
    try:
        names = sorted(os.listdir(parent), reverse=True)
    except OSError:
        return
    for name in names:
        if _dead_owner(name, target, 'old'):
            try:
                os.rename(os.path.join(parent, name), target)
                fsync_dir(parent)
                return
            except OSError:
                continue


def replace_directory(target: str, files: Mapping[str, object]) -> None:
    """Make `target` a folder holding `files` (name -> bytes), atomically: the files are
    written into a temporary sibling folder which then takes `target`'s place in one atomic
    exchange (Linux), or by two renames whose gap `recover_directory` (run by readers and by
    the next save) repairs. Files already in `target` that are not replaced are kept."""
    target = os.path.abspath(target)
    parent = os.path.dirname(target)
    os.makedirs(parent, exist_ok=True)
    recover_directory(target)
    if os.path.exists(target) and not os.path.isdir(target):
        raise FileExistsError(f'Path {target} exists as a file. The output path must be '
                              'nonexistent or a directory.')
    tag = f'{os.getpid()}.{HOST_TAG}.'
    for name in os.listdir(parent):                  # what killed saves left behind
        for kind in ('new', 'old'):
            if _dead_owner(name, target, kind) and os.path.isdir(target):
                shutil.rmtree(os.path.join(parent, name), ignore_errors=True)
    tmp = tempfile.mkdtemp(prefix=_prefix(target, 'new') + tag, dir=parent)
    os.chmod(tmp, default_mode(target, directory=True))
    old = None
    try:
        for name, content in files.items():
            view = memoryview(content).cast('B')
            with open(os.path.join(tmp, name), 'xb') as f:
                for start in range(0, len(view), CHUNK_BYTES):
                    f.write(view[start:start + CHUNK_BYTES])
                f.flush()
                os.fsync(f.fileno())
        subdirs = []
        if os.path.isdir(target):
            for name in os.listdir(target):
                src = os.path.join(target, name)
                if name in files:
                    continue
                if os.path.isdir(src):
                    subdirs.append(name)
                    continue
                shutil.copy2(src, os.path.join(tmp, name))
        fsync_dir(tmp)
        if not os.path.exists(target):
            os.rename(tmp, target)
            tmp = None
        elif _exchange(tmp, target):
            old, tmp = tmp, None
        else:
            old = tempfile.mkdtemp(prefix=_prefix(target, 'old') + tag, dir=parent)
            os.rmdir(old)
            os.rename(target, old)
            try:
                os.rename(tmp, target)
                tmp = None
            except BaseException:
                os.rename(old, target)
                old = None
                raise
        fsync_dir(parent)
        if old is not None:
            for name in subdirs:                     # subfolders move with the model
                os.rename(os.path.join(old, name), os.path.join(target, name))
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
