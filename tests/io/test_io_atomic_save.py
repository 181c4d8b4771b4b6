"""Atomic save: a process killed at any point of `save` leaves the old model or the new one,
complete, never a mix; later saves clean up what the dead process left."""
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from tfjs.io import _atomic
from tfjs.io.file_system import fileSystem

from conftest import ROOT

OLD = {'modelTopology': {'class_name': 'Sequential', 'config': {'name': 'old'}},
       'format': 'layers-model', 'generatedBy': 'old', 'convertedBy': None,
       'weightSpecs': [{'name': 'w', 'shape': [4], 'dtype': 'float32'}],
       'weightData': bytes(range(16))}

# The child saves a "new" model whose weights are `NEW_MB` MiB of the byte 0xAB.
CHILD = textwrap.dedent('''
    import os, shutil, sys
    sys.path.insert(0, {root!r})
    from tfjs.io import _atomic
    from tfjs.io.file_system import fileSystem
    target, size, point = sys.argv[1], int(sys.argv[2]), sys.argv[3]

    def die():
        os._exit(9)

    orig_write, orig_exchange, orig_rename = _atomic.write_file, _atomic._exchange, os.rename
    def write_file(path, content, chunk_bytes=_atomic.CHUNK_BYTES):
        if point == 'mid_weights' and path.endswith('weights.bin'):
            with open(path, 'xb') as f:
                f.write(bytes(memoryview(content)[:1000]))
            die()
        orig_write(path, content, chunk_bytes)
        if point == 'after_files' and path.endswith('model.json'):
            die()
    def exchange(a, b):
        if point == 'before_swap':
            die()
        if point.startswith('fallback'):
            return False
        done = orig_exchange(a, b)
        if point == 'after_exchange':
            die()
        return done
    renames = []
    def rename(a, b):
        renames.append(a)
        if point == 'fallback_between_renames' and len(renames) == 2:
            die()
        orig_rename(a, b)
    orig_rmtree = shutil.rmtree
    def rmtree(path, ignore_errors=False):
        if point == 'fallback_before_cleanup':
            die()
        orig_rmtree(path, ignore_errors=ignore_errors)
    _atomic.write_file, _atomic._exchange = write_file, exchange
    os.rename, shutil.rmtree = rename, rmtree
    fileSystem(target).save({{
        'modelTopology': {{'class_name': 'Sequential', 'config': {{'name': 'new'}}}},
        'format': 'layers-model', 'generatedBy': 'new', 'convertedBy': None,
        'weightSpecs': [{{'name': 'w', 'shape': [size // 4], 'dtype': 'float32'}}],
        'weightData': b'\\xab' * size}})
''').format(root=ROOT)


def _child(tmp_path, target, size, point='none'):
    script = tmp_path / 'child.py'
    script.write_text(CHILD)
    return subprocess.Popen([sys.executable, str(script), str(target), str(size), point])


def _state(target):
    """'old' or 'new' when `target` holds one complete model; raises otherwise."""
    art = fileSystem(str(target)).load()
    name = art['modelTopology']['config']['name']
    if name == 'old':
        assert art['weightData'] == OLD['weightData']
    else:
        assert name == 'new'
        n = art['weightSpecs'][0]['shape'][0] * 4
        assert len(art['weightData']) == n and art['weightData'] == b'\xab' * n
    return name


def _leftovers(parent, target):
    return sorted(n for n in os.listdir(parent) if n.startswith(f'.{target.name}.tfjs-'))


needs_exchange = pytest.mark.skipif(_atomic._libc() is None, reason='no renameat2 here')


@pytest.mark.parametrize('point,expected', [
    ('mid_weights', 'old'), ('after_files', 'old'), ('before_swap', 'old'),
    pytest.param('after_exchange', 'new', marks=needs_exchange),
    ('fallback_between_renames', 'old'), ('fallback_before_cleanup', 'new'),
])
def test_crash_at_each_point_leaves_a_complete_model(tmp_path, point, expected):
    target = tmp_path / 'model'
    fileSystem(str(target)).save(OLD)
    (target / 'notes.txt').write_text('user file')
    proc = _child(tmp_path, target, 4096, point)
    assert proc.wait(60) == 9, 'the child should have died at the crash point'
    assert _leftovers(tmp_path, target)           # the crash left its temporary directory
    assert _state(target) == expected             # load() repairs a cut-off two-rename swap
    assert (target / 'notes.txt').read_text() == 'user file'
    fileSystem(str(target)).save(OLD)             # the next save cleans up after the dead one
    assert _state(target) == 'old' and _leftovers(tmp_path, target) == []
    assert sorted(os.listdir(target)) == ['model.json', 'notes.txt', 'weights.bin']


def test_crash_into_new_directory_leaves_nothing_half_written(tmp_path):
    target = tmp_path / 'fresh'
    proc = _child(tmp_path, target, 4096, 'mid_weights')
    assert proc.wait(60) == 9
    assert not target.exists()
    with pytest.raises(OSError, match='no model.json'):
        fileSystem(str(target)).load()


def test_kill_during_a_large_write_keeps_old_model(tmp_path):
    """SIGKILL a real save of a 256 MiB model while it writes; the old model must load intact."""
    size = 256 << 20
    target = tmp_path / 'model'
    fileSystem(str(target)).save(OLD)
    killed_mid_write = False
    for _ in range(3):
        proc = _child(tmp_path, target, size)
        deadline = time.time() + 120
        while time.time() < deadline and proc.poll() is None:
            temps = _leftovers(tmp_path, target)
            w = tmp_path / temps[0] / 'weights.bin' if temps else None
            if w is not None and w.exists() and 0 < w.stat().st_size < size:
                proc.send_signal(signal.SIGKILL)
                killed_mid_write = True
                break
            time.sleep(0.0005)
        proc.wait(60)
        if killed_mid_write:
            break
    assert killed_mid_write, 'could not catch the save mid-write'
    assert _state(target) == 'old'
    partial = tmp_path / _leftovers(tmp_path, target)[0] / 'weights.bin'
    assert partial.stat().st_size < size          # it really was cut off half way
    assert json.loads((target / 'model.json').read_text())['generatedBy'] == 'old'


def test_concurrent_live_temp_dirs_are_not_removed(tmp_path):
    target = tmp_path / 'model'
    live = tmp_path / f'.model.tfjs-new.{os.getppid()}.{_atomic._HOST}.abcdefgh'
    live.mkdir()
    fileSystem(str(target)).save(OLD)
    assert live.exists()                          # its owner (our parent process) is alive


def test_fallback_two_rename_swap_works(tmp_path, monkeypatch):
    monkeypatch.setattr(_atomic, '_exchange', lambda a, b: False)
    target = tmp_path / 'model'
    fileSystem(str(target)).save(OLD)
    new = dict(OLD, weightData=bytes(16), modelTopology={'class_name': 'S', 'config': {'name': 'x'}})
    fileSystem(str(target)).save(new)
    assert fileSystem(str(target)).load()['weightData'] == bytes(16)
    assert _leftovers(tmp_path, target) == []


def test_failed_second_rename_restores_old(tmp_path, monkeypatch):
    monkeypatch.setattr(_atomic, '_exchange', lambda a, b: False)
    target = tmp_path / 'model'
    fileSystem(str(target)).save(OLD)
    real_rename, calls = os.rename, []

    def flaky(a, b):
        calls.append(a)
        if len(calls) == 2:
            raise OSError(28, 'No space left on device')
        real_rename(a, b)
    monkeypatch.setattr(os, 'rename', flaky)
    with pytest.raises(OSError, match='No space'):
        fileSystem(str(target)).save(dict(OLD, weightData=bytes(16)))
    monkeypatch.setattr(os, 'rename', real_rename)
    assert _state(target) == 'old' and _leftovers(tmp_path, target) == []


def test_write_is_chunked(tmp_path, monkeypatch):
    sizes = []

    class Spy:
        def __init__(self, f):
            self.f = f

        def __enter__(self):
            return self

        def __exit__(self, *a):
            return self.f.__exit__(*a)

        def write(self, b):
            sizes.append(len(b))
            return self.f.write(b)

        def __getattr__(self, k):
            return getattr(self.f, k)
    real_open = open
    monkeypatch.setattr(_atomic, 'open', lambda p, m: Spy(real_open(p, m)), raising=False)
    _atomic.write_file(str(tmp_path / 'x'), bytes(2_500_000), chunk_bytes=1 << 20)
    assert sizes == [1 << 20, 1 << 20, 2_500_000 - (2 << 20)]
    assert (tmp_path / 'x').stat().st_size == 2_500_000


def test_save_into_the_working_directory(tmp_path, monkeypatch):
    target = tmp_path / 'model'
    fileSystem(str(target)).save(OLD)
    monkeypatch.chdir(target)
    fileSystem('.').save(dict(OLD, weightData=bytes(16)))
    assert os.getcwd() == str(target) and os.path.isfile('model.json')   # cwd still valid
    assert fileSystem('model.json').load()['weightData'] == bytes(16)
    assert sorted(os.listdir('.')) == ['model.json', 'weights.bin']
    assert _leftovers(tmp_path, target) == []


def test_unswappable_directory_falls_back_to_per_file_replace(tmp_path, monkeypatch):
    import errno
    target = tmp_path / 'model'
    fileSystem(str(target)).save(OLD)

    def no_parent_access(*a, **k):
        raise PermissionError(errno.EACCES, 'Permission denied')
    monkeypatch.setattr(_atomic.tempfile, 'mkdtemp', no_parent_access)
    fileSystem(str(target)).save(dict(OLD, weightData=bytes(16)))
    assert fileSystem(str(target)).load()['weightData'] == bytes(16)
    assert sorted(os.listdir(target)) == ['model.json', 'weights.bin']
    with pytest.raises(PermissionError):            # a new directory cannot be made either way
        fileSystem(str(tmp_path / 'other')).save(OLD)
