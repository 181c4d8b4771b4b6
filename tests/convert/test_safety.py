"""Files are data, never code or a way out of their folder: manifest paths cannot escape the
model's folder, declared shapes are checked against the bytes before anything is allocated,
`.keras` archives are checked (member names, sizes, compression ratio) and never extracted to
disk, Lambda layers are refused with a clear message, and a process killed in the middle of a
save leaves the previous file intact."""
import json
import os
import signal
import subprocess
import sys
import textwrap
import zipfile

import h5py
import numpy as np
import pytest

import tfjs as tf
import tfjs_converter as tc
from tfjs_converter.errors import FileFormatError, UnsupportedError

from convert_helpers import MODELS, ROOT, fixture_data, predict, run_cli

import models_tfjs


def _web(tmp_path, manifest_paths, weights=None, data=b'\x00' * 16):
    folder = tmp_path / 'web'
    folder.mkdir(parents=True, exist_ok=True)
    weights = weights or [{'name': 'w', 'shape': [4], 'dtype': 'float32'}]
    mj = {'format': 'layers-model', 'modelTopology': None,
          'weightsManifest': [{'paths': manifest_paths, 'weights': weights}]}
    (folder / 'model.json').write_text(json.dumps(mj))
    for p in manifest_paths:
        target = folder / p
        if '..' not in p and not p.startswith('/') and '://' not in p:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    return folder / 'model.json'


@pytest.mark.parametrize('path', ['../secret.bin', '/etc/passwd', 'a/../../secret.bin',
                                  'http://example.com/w.bin', 'C:\\\\w.bin', '..\\\\w.bin'])
def test_manifest_paths_cannot_leave_the_folder(tmp_path, path):
    (tmp_path / 'secret.bin').write_bytes(b'\x00' * 16)
    model_json = _web(tmp_path, [path])
    with pytest.raises(FileFormatError, match='Refusing weights path'):
        tc.load(str(model_json))
    proc = run_cli('convert', str(model_json), str(tmp_path / 'out.h5'), check=False)
    assert proc.returncode == 1 and 'Refusing weights path' in proc.stderr


def test_symlink_out_of_the_folder_is_refused(tmp_path):
    (tmp_path / 'secret.bin').write_bytes(b'\x00' * 16)
    model_json = _web(tmp_path, ['w.bin'])
    os.remove(tmp_path / 'web' / 'w.bin')
    os.symlink(tmp_path / 'secret.bin', tmp_path / 'web' / 'w.bin')
    with pytest.raises(FileFormatError, match='link'):
        tc.load(str(model_json))


def test_truncated_weights(tmp_path):
    model_json = _web(tmp_path, ['w.bin'], data=b'\x00' * 10)
    with pytest.raises(FileFormatError, match='10 bytes but the manifest needs at least 16'):
        tc.load(str(model_json))


def test_huge_declared_shape_is_refused_before_allocating(tmp_path):
    model_json = _web(tmp_path, ['w.bin'], [{'name': 'w', 'shape': [10 ** 6, 10 ** 6],
                                             'dtype': 'float32'}])
    with pytest.raises(FileFormatError, match='4000000000000'):
        tc.load(str(model_json))


def test_truncated_h5(tmp_path):
    data = open(os.path.join(MODELS, 'k2', 'cnn.h5'), 'rb').read()
    (tmp_path / 'cut.h5').write_bytes(data[:len(data) // 2])
    with pytest.raises(FileFormatError):
        tc.load(str(tmp_path / 'cut.h5'))
    with pytest.raises(OSError):                       # tfjs.errors.IOError
        tf.loadLayersModel(str(tmp_path / 'cut.h5'))


def test_h5_dataset_larger_than_its_file(tmp_path):
    """A compressed dataset can declare terabytes in a few KB; the reader refuses it."""
    src = os.path.join(MODELS, 'k2', 'mlp.h5')
    dst = tmp_path / 'bomb.h5'
    dst.write_bytes(open(src, 'rb').read())
    with h5py.File(dst, 'a') as f:
        g = f['model_weights']['dense_1']
        name = [n.decode() if isinstance(n, bytes) else n for n in g.attrs['weight_names']][0]
        shape = g[name].shape
        del g[name]
        g.create_dataset(name, shape=(10 ** 7,) + shape[1:], dtype='f4', chunks=True,
                         compression='gzip')
    with pytest.raises(FileFormatError, match='declares'):
        tc.load(str(dst))


def test_h5_external_links_are_not_followed(tmp_path):
    other = tmp_path / 'other.h5'
    with h5py.File(other, 'w') as f:
        f['kernel'] = np.ones((8, 16), np.float32)
    dst = tmp_path / 'linked.h5'
    dst.write_bytes(open(os.path.join(MODELS, 'k2', 'mlp.h5'), 'rb').read())
    with h5py.File(dst, 'a') as f:
        g = f['model_weights']['dense_1']
        name = [n.decode() if isinstance(n, bytes) else n for n in g.attrs['weight_names']][0]
        del g[name]
        g[name] = h5py.ExternalLink(str(other), '/kernel')
    with pytest.raises(FileFormatError, match='ExternalLink'):
        tc.load(str(dst))


def _keras_with(tmp_path, extra=(), drop=(), name='odd.keras', compression=zipfile.ZIP_STORED):
    src = zipfile.ZipFile(os.path.join(MODELS, 'k3', 'mlp.keras'))
    path = tmp_path / name
    with zipfile.ZipFile(path, 'w', compression) as zf:
        for n in src.namelist():
            if n not in drop:
                zf.writestr(n, src.read(n))
        for n, data in extra:
            zf.writestr(n, data)
    return str(path)


@pytest.mark.parametrize('member', ['../evil.txt', '/abs.txt', 'assets/../../x', 'a\\b.txt',
                                    'C:/x.txt', 'ok/./x'])
def test_keras_archive_member_names(tmp_path, member):
    path = _keras_with(tmp_path, [(member, b'x')])
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(FileFormatError, match='refusing archive member'):
        tc.load(path)
    assert sorted(os.listdir(tmp_path)) == before       # nothing extracted


def test_keras_archive_duplicates_and_bombs(tmp_path):
    with pytest.warns(UserWarning):                     # zipfile warns about the duplicate
        path = _keras_with(tmp_path, [('config.json', b'{}')])
    with pytest.raises(FileFormatError, match='twice'):
        tc.load(path)
    path = _keras_with(tmp_path, [('assets/zeros.bin', bytes(30 * 1024 * 1024))],
                       name='bomb.keras', compression=zipfile.ZIP_DEFLATED)
    assert os.path.getsize(path) < 200 * 1024
    with pytest.raises(FileFormatError, match='zip bomb'):
        tc.load(path)


def test_keras_archive_oddities(tmp_path):
    path = _keras_with(tmp_path, drop=('config.json',), name='noconfig.keras')
    with pytest.raises(FileFormatError, match='no config.json'):
        tc.load(path)
    bad = tmp_path / 'notzip.keras'
    bad.write_bytes(b'not a zip at all')
    with pytest.raises(FileFormatError, match='not a zip archive'):
        tc.load(str(bad))
    path = _keras_with(tmp_path, drop=('config.json',), extra=[('config.json', b'{nope')],
                       name='badjson.keras')
    with pytest.raises(FileFormatError, match='not valid JSON'):
        tc.load(path)
    path = _keras_with(tmp_path, [('assets/secret.bin', b'xx')], name='enc.keras')
    raw = bytearray(open(path, 'rb').read())          # set the "encrypted" flag bit
    for sig, offset in ((b'PK\x03\x04', 6), (b'PK\x01\x02', 8)):
        at = raw.index(sig + b'', raw.index(b'assets/secret.bin') - 60
                       if sig == b'PK\x03\x04' else raw.rindex(b'assets/secret.bin') - 60)
        raw[at + offset] |= 0x1
    open(path, 'wb').write(bytes(raw))
    assert zipfile.ZipFile(path).getinfo('assets/secret.bin').flag_bits & 0x1
    with pytest.raises(FileFormatError, match='encrypted'):
        tc.load(path)


def test_weights_not_matching_the_config(tmp_path):
    """A .keras whose weights file belongs to another model: a clear error, no partial load."""
    other = zipfile.ZipFile(os.path.join(MODELS, 'k3', 'cnn.keras')).read('model.weights.h5')
    path = _keras_with(tmp_path, drop=('model.weights.h5',),
                       extra=[('model.weights.h5', other)], name='mixed.keras')
    with pytest.raises(FileFormatError, match='does not match'):
        tc.load(path)


@pytest.mark.parametrize('rel', ['k3/lambda.keras', 'k2/lambda.h5'])
def test_lambda_code_is_never_run(tmp_path, rel):
    """A Lambda's Python code is dropped unread; loading asks for a registered class, and works
    once one is registered (the fixture's Lambda computes t * 2)."""
    from tfjs.serialization.registry import clear_custom_classes
    path = os.path.join(MODELS, rel)
    m = tc.load(path)
    lam = m.topology['config']['layers'][-1]
    assert lam['class_name'] == 'Lambda' and 'function' not in lam['config']
    assert any('Python code was dropped' in n for n in m.notes)
    with pytest.raises(ValueError, match='registerClass'):
        tf.loadLayersModel(path)

    class Twice(tf.layers.Layer):
        className = 'Lambda'

        def call(self, inputs, kwargs):
            return tf.mul(inputs[0] if isinstance(inputs, list) else inputs, 2)

        @classmethod
        def fromConfig(cls, config):
            return cls({k: config[k] for k in ('name', 'batchInputShape') if k in config})
    tf.serialization.registerClass(Twice)
    try:
        model = tf.loadLayersModel(path)
        assert model.predict(tf.tensor([[1.5, -2]])).arraySync() == [[3, -4]]
    finally:
        clear_custom_classes()
    proc = run_cli('convert', path, str(tmp_path / 'web'))
    assert 'Python code was dropped' in proc.stderr
    with pytest.raises(UnsupportedError, match='holds Python code'):   # nothing to write back
        tc.save(tc.load(str(tmp_path / 'web')), str(tmp_path / 'x.keras'))


_KILL = textwrap.dedent('''
    import os, signal, sys, zipfile
    sys.path.insert(0, {root!r})
    sys.path.insert(0, {tests!r})
    import h5py
    import models_tfjs
    path, point = sys.argv[1], sys.argv[2]

    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    if point == 'keras_mid_archive':
        real = zipfile.ZipFile.writestr
        def writestr(self, name, data, *a, **k):
            if name == 'model.weights.h5':
                self.fp.write(bytes(data)[:len(data) // 2])
                self.fp.flush()
                die()
            return real(self, name, data, *a, **k)
        zipfile.ZipFile.writestr = writestr
    elif point == 'h5_mid_weights':
        real = h5py.Group.create_dataset
        count = [0]
        def create_dataset(self, *a, **k):
            count[0] += 1
            if count[0] == 3:
                self.file.flush()
                die()
            return real(self, *a, **k)
        h5py.Group.create_dataset = create_dataset
    elif point == 'before_rename':
        real = os.replace
        os.replace = lambda a, b: die()
    model, _ = models_tfjs.build('cnn', seed=7)
    model.save(path)
''')


@pytest.mark.parametrize('fmt,point', [('keras', 'keras_mid_archive'), ('keras', 'before_rename'),
                                       ('h5', 'h5_mid_weights'), ('h5', 'before_rename')])
def test_killed_save_leaves_the_previous_file(tmp_path, fmt, point):
    path = tmp_path / f'model.{fmt}'
    model, xs = models_tfjs.build('cnn', seed=1)
    model.save(str(path))
    before = path.read_bytes()
    expected = predict(model, xs)
    script = tmp_path / 'child.py'
    script.write_text(_KILL.format(root=ROOT, tests=os.path.dirname(__file__)))
    proc = subprocess.run([sys.executable, str(script), str(path), point], cwd=ROOT)
    assert proc.returncode == -signal.SIGKILL
    assert path.read_bytes() == before
    back = tf.loadLayersModel(str(path))
    for a, b in zip(predict(back, xs), expected):
        np.testing.assert_array_equal(a, b)
    leftovers = [n for n in os.listdir(tmp_path) if n.startswith(f'.model.{fmt}.tmp-')]
    assert len(leftovers) <= 1                       # the dead process's temporary file ...
    model.save(str(path))                            # ... which the next save removes
    assert not [n for n in os.listdir(tmp_path) if n.startswith(f'.model.{fmt}.tmp-')]


@pytest.mark.parametrize('point', ['before_swap', 'between_renames'])
def test_killed_conversion_leaves_the_previous_folder(tmp_path, point):
    """`tfjs convert` into an existing model folder, killed before the atomic exchange, or (on
    systems without one) between moving the old folder aside and the new one in: the old model
    is there (put back by the next reader, in the second case), whole."""
    run_cli('convert', os.path.join(MODELS, 'k3', 'mlp.keras'), str(tmp_path / 'web'))
    before = {p: (tmp_path / 'web' / p).read_bytes() for p in os.listdir(tmp_path / 'web')}
    script = tmp_path / 'child.py'
    script.write_text(textwrap.dedent(f'''
        import os, signal, sys
        sys.path.insert(0, {ROOT!r})
        import tfjs_converter.atomic as atomic
        def die(*a):
            os.kill(os.getpid(), signal.SIGKILL)
        if {point!r} == 'before_swap':
            atomic._exchange = die
        else:
            atomic._exchange = lambda a, b: False
            real, calls = os.rename, []
            def rename(a, b):
                calls.append(a)
                if len(calls) == 2:
                    die()
                return real(a, b)
            os.rename = rename
        from tfjs_converter.cli import main
        main(['convert', '-q', {os.path.join(MODELS, 'k3', 'cnn.keras')!r},
              {str(tmp_path / 'web')!r}])
    '''))
    proc = subprocess.run([sys.executable, str(script)], cwd=ROOT)
    assert proc.returncode == -signal.SIGKILL
    assert os.path.exists(tmp_path / 'web') == (point == 'before_swap')
    xs, ys = fixture_data('k3/mlp.keras')
    back = tf.loadLayersModel(str(tmp_path / 'web' / 'model.json'))    # recovers the folder
    np.testing.assert_allclose(predict(back, xs)[0], ys[0], rtol=1e-5, atol=1e-5)
    after = {p: (tmp_path / 'web' / p).read_bytes() for p in os.listdir(tmp_path / 'web')}
    assert after == before
    run_cli('convert', os.path.join(MODELS, 'k3', 'cnn.keras'), str(tmp_path / 'web'))
    assert sorted(n for n in os.listdir(tmp_path) if n.startswith('.web.')) == []


def test_saved_files_are_not_private(tmp_path):
    """Atomic saves write temporary files, which are private; the saved model gets the usual
    permissions (the umask's, or those of the file it replaces) so a web server can serve it."""
    mask = os.umask(0o022)
    try:
        model, _ = models_tfjs.build('mlp')
        model.save(str(tmp_path / 'm.keras'))
        model.save(str(tmp_path / 'm.h5'))
        model.save(f'file://{tmp_path}/web')
        run_cli('convert', str(tmp_path / 'm.keras'), str(tmp_path / 'web2'))
        assert os.stat(tmp_path / 'm.keras').st_mode & 0o777 == 0o644
        assert os.stat(tmp_path / 'm.h5').st_mode & 0o777 == 0o644
        assert os.stat(tmp_path / 'web').st_mode & 0o777 == 0o755
        assert os.stat(tmp_path / 'web2').st_mode & 0o777 == 0o755
        os.chmod(tmp_path / 'm.keras', 0o640)
        model.save(str(tmp_path / 'm.keras'))
        assert os.stat(tmp_path / 'm.keras').st_mode & 0o777 == 0o640
    finally:
        os.umask(mask)
