"""Replace a directory's files atomically: a crash at any point leaves the old set or the new one.

The new files are written (in chunks, then fsync'ed) into a hidden temporary sibling directory,
which is then swapped into place: with one atomic `renameat2(RENAME_EXCHANGE)` on Linux, or
elsewhere with two renames (old aside, new in) whose only gap is repaired by `recover()`, which
puts the old directory back if a crash happened between them. Files of the old directory that
are not being replaced (another model's shards, user files) are carried over as hard links.
Temporary directories left by a crashed process are removed by later saves.
"""
from __future__ import annotations

import errno
import os
import shutil
import tempfile
from typing import Mapping, Union

from tfjs_converter.atomic import HOST_TAG, default_mode, exchange_paths, renameat2_libc
from tfjs_converter.atomic import fsync_dir as _fsync_dir

from ..errors import IOError

CHUNK_BYTES = 1 << 20
_NEW, _OLD = 'tfjs-new', 'tfjs-old'
_HOST = HOST_TAG
_libc = renameat2_libc

Content = Union[bytes, bytearray, memoryview]


def _prefix(target: str, kind: str) -> str:
    return f'.{os.path.basename(target)}.{kind}.'


def _temp_name_parts(name: str, target: str, kind: str):
    """(pid, host) encoded in a temporary directory's name, or None if it is not ours."""
    prefix = _prefix(target, kind)
    if not name.startswith(prefix):
        return None
    parts = name[len(prefix):].split('.')
    if len(parts) != 3 or not parts[0].isdigit():
        return None
    return int(parts[0]), parts[1]


def _siblings(target: str, kind: str) -> list:
    parent = os.path.dirname(target)
    try:
        names = os.listdir(parent)
    except OSError:
        return []
    return sorted(os.path.join(parent, n) for n in names if _temp_name_parts(n, target, kind))


def _process_is_gone(pid: int, host: str) -> bool:
    if os.name != 'posix' or host != _HOST or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def recover(target: str) -> None:
    """Put the old directory back if a two-rename swap into `target` was cut off in between."""
    if os.path.lexists(target):
        return
    for old in reversed(_siblings(target, _OLD)):
        pid, host = _temp_name_parts(os.path.basename(old), target, _OLD)
        if pid != os.getpid() and not _process_is_gone(pid, host):
            continue                       # another process is in the middle of its swap
        try:
            os.rename(old, target)
            _fsync_dir(os.path.dirname(target))
            return
        except OSError:
            continue


def cleanup_stale(target: str) -> None:
    """Remove temporary directories that crashed saves into `target` left behind (those holding
    subdirectories, which may be a user's data in transit, are left alone)."""
    for kind in (_NEW, _OLD):
        for path in _siblings(target, kind):
            pid, host = _temp_name_parts(os.path.basename(path), target, kind)
            if not _process_is_gone(pid, host) or (kind == _OLD and not os.path.isdir(target)):
                continue
            try:
                entries = list(os.scandir(path))
            except OSError:
                continue
            if not any(e.is_dir(follow_symlinks=False) for e in entries):
                shutil.rmtree(path, ignore_errors=True)


def write_file(path: str, content: Content, chunk_bytes: int = CHUNK_BYTES) -> None:
    """Write `content` to a new file in chunks, then flush it to disk."""
    view = memoryview(content).cast('B')
    with open(path, 'xb') as f:
        for start in range(0, len(view), chunk_bytes):
            f.write(view[start:start + chunk_bytes])
        f.flush()
        os.fsync(f.fileno())


def _exchange(a: str, b: str) -> bool:
    """Atomically swap two paths (Linux `renameat2`); False when this system cannot."""
    return exchange_paths(a, b)


def _carry_over(old_dir: str, new_dir: str, replaced) -> list:
    """Hard-link (or copy) files of `old_dir` that are not replaced into `new_dir`; return the
    subdirectories, which are moved after the swap."""
    subdirs = []
    for name in os.listdir(old_dir):
        if name in replaced:
            continue
        src, dst = os.path.join(old_dir, name), os.path.join(new_dir, name)
        if os.path.isdir(src) and not os.path.islink(src):
            subdirs.append(name)
            continue
        try:
            os.link(src, dst, follow_symlinks=False)
        except OSError:
            shutil.copy2(src, dst, follow_symlinks=False)
    return subdirs


_CANNOT_SWAP = (errno.EBUSY, errno.EXDEV, errno.EACCES, errno.EPERM, errno.EROFS)


def _replace_in_place(target: str, files: Mapping[str, Content]) -> None:
    """Fallback for directories that cannot be swapped (mount points, the working directory, an
    unwritable parent): each file is replaced atomically on its own, model.json last."""
    tag = f'{os.getpid()}.{_HOST}.'
    for name, content in files.items():
        for stale in _siblings(os.path.join(target, name), _NEW):   # left by crashed saves
            if _process_is_gone(*_temp_name_parts(os.path.basename(stale),
                                                  os.path.join(target, name), _NEW)):
                os.remove(stale)
        fd, tmp = tempfile.mkstemp(prefix=f'.{name}.{_NEW}.{tag}', dir=target)
        os.close(fd)
        os.remove(tmp)
        try:
            write_file(tmp, content)
            os.replace(tmp, os.path.join(target, name))
        except BaseException:
            if os.path.exists(tmp):
                os.remove(tmp)
            raise
    _fsync_dir(target)


def _dir_mode(target: str) -> int:
    """The replaced folder's mode, or what a new folder gets (0777 less the umask)."""
    return default_mode(target, directory=True)


def _swappable(target: str) -> bool:
    return not os.path.ismount(target) and os.path.abspath(os.getcwd()) != target


def replace_directory(target: str, files: Mapping[str, Content]) -> None:
    """Make `target` a directory holding `files` (name -> bytes), atomically.

    Other files already in `target` are kept. Raises `tfjs.errors.IOError` if `target` is an
    existing regular file. A directory that cannot be swapped (a mount point, the current working
    directory, one whose parent is read-only) gets its files replaced one by one instead.
    """
    if os.path.islink(target) and os.path.isdir(target):
        target = os.path.realpath(target)
    target = os.path.abspath(target)
    if os.path.exists(target) and not os.path.isdir(target):
        raise IOError(f'Path {target} exists as a file. The path must be nonexistent or point to '
                      'a directory.')
    parent = os.path.dirname(target)
    os.makedirs(parent, exist_ok=True)
    recover(target)
    if os.path.isdir(target) and not _swappable(target):
        return _replace_in_place(target, files)
    cleanup_stale(target)
    tag = f'{os.getpid()}.{_HOST}.'
    try:
        tmp = tempfile.mkdtemp(prefix=_prefix(target, _NEW) + tag, dir=parent)
    except OSError as exc:
        if exc.errno in _CANNOT_SWAP and os.path.isdir(target):
            return _replace_in_place(target, files)
        raise
    os.chmod(tmp, _dir_mode(target))           # mkdtemp makes it private (0700)
    try:
        for name, content in files.items():
            write_file(os.path.join(tmp, name), content)
        subdirs = _carry_over(target, tmp, files) if os.path.isdir(target) else []
        _fsync_dir(tmp)
        if not os.path.lexists(target):
            os.rename(tmp, target)
            tmp = None
            _fsync_dir(parent)
            return None
        try:
            old = _swap(tmp, target, parent, tag)
        except OSError as exc:
            if exc.errno not in _CANNOT_SWAP:
                raise
            shutil.rmtree(tmp, ignore_errors=True)
            tmp = None
            return _replace_in_place(target, files)
        tmp = None
        _fsync_dir(parent)
        for name in subdirs:
            os.rename(os.path.join(old, name), os.path.join(target, name))
        shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return None


def _swap(new: str, target: str, parent: str, tag: str) -> str:
    """Put `new` at `target`; return where the old directory now is."""
    if _exchange(new, target):
        return new
    old = tempfile.mkdtemp(prefix=_prefix(target, _OLD) + tag, dir=parent)
    os.rmdir(old)
    os.rename(target, old)
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(old, target)
        raise
    return old
