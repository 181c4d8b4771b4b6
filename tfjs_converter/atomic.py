"""Atomic saves: a file or a folder of files is written under a temporary name in the same
directory, flushed to disk (fsync), then renamed into place, so a crash at any point leaves
the previous version or the new one, never a mix.

(The `tfjs` runtime's `file://` handler has its own, richer directory swap in
`tfjs/io/_atomic.py`; this module serves the converter and the Keras file handlers, which
must not import `tfjs`.)
"""
from __future__ import annotations

import os
import shutil
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


def _fsync_file(path: str) -> None:
    with open(path, 'rb+') as f:
        f.flush()
        os.fsync(f.fileno())


def write_file_atomic(path: str, produce: Callable[[str], None]) -> None:
    """`produce(tmp_path)` writes the new file; it then replaces `path` atomically.

    The temporary file (`.<name>.tmp-<random>`) is removed if `produce` fails.
    """
    path = os.path.abspath(path)
    parent = os.path.dirname(path)
    os.makedirs(parent, exist_ok=True)
    if os.path.isdir(path):
        raise IsADirectoryError(f'Cannot save to {path}: it is a directory; give a file name '
                                '(e.g. model.keras or model.h5).')
    fd, tmp = tempfile.mkstemp(prefix=f'.{os.path.basename(path)}.tmp-', dir=parent)
    os.close(fd)
    try:
        produce(tmp)
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


def replace_directory(target: str, files: Mapping[str, object]) -> None:
    """Make `target` a folder holding `files` (name -> bytes), atomically: the files are
    written into a temporary sibling folder which then takes `target`'s place. Files already in
    `target` that are not replaced are kept (copied over first)."""
    target = os.path.abspath(target)
    parent = os.path.dirname(target)
    if os.path.exists(target) and not os.path.isdir(target):
        raise FileExistsError(f'Path {target} exists as a file. The output path must be '
                              'nonexistent or a directory.')
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f'.{os.path.basename(target)}.tmp-', dir=parent)
    old = None
    try:
        for name, content in files.items():
            view = memoryview(content).cast('B')
            with open(os.path.join(tmp, name), 'xb') as f:
                for start in range(0, len(view), CHUNK_BYTES):
                    f.write(view[start:start + CHUNK_BYTES])
                f.flush()
                os.fsync(f.fileno())
        if os.path.isdir(target):
            for name in os.listdir(target):
                src = os.path.join(target, name)
                if name in files or os.path.isdir(src):
                    continue
                shutil.copy2(src, os.path.join(tmp, name))
        fsync_dir(tmp)
        if not os.path.exists(target):
            os.rename(tmp, target)
            tmp = None
        else:
            old = tempfile.mkdtemp(prefix=f'.{os.path.basename(target)}.old-', dir=parent)
            os.rmdir(old)
            os.rename(target, old)
            try:
                os.rename(tmp, target)
                tmp = None
            except BaseException:
                os.rename(old, target)
                old = None
                raise
            for name in os.listdir(old):     # subfolders move with the model
                src = os.path.join(old, name)
                if os.path.isdir(src) and not os.path.exists(os.path.join(target, name)):
                    os.rename(src, os.path.join(target, name))
        fsync_dir(parent)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
