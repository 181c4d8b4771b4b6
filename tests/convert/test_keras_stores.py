"""Keras 3 archive contents beyond config + `.h5` weights: vocabularies saved as `assets/`
(StringLookup / IntegerLookup after `adapt`) and the `.npz` weights store.

Fixtures: tests/fixtures/keras/training/ (tools/fixtures/keras_training_state.py, real Keras
3.15): `lookup.keras` (two lookup layers whose vocabularies are assets) with Keras's outputs,
and `k3_adam_npz.keras` (weights and Adam state in `model.weights.npz`, pickled Keras
variables). With $TFJS_KERAS_ROUNDTRIP_DIR set, the re-saved lookup model is left there for
tools/check_keras_roundtrip.py.
"""
import io
import os
import shutil
import zipfile

import numpy as np
import pytest

import tfjs as tf
import tfjs_converter as tc
from tfjs.errors import IOError as TfjsIOError

HERE = os.path.dirname(os.path.abspath(__file__))
TRAINING = os.path.join(HERE, '..', 'fixtures', 'keras', 'training')
LOOKUP = os.path.join(TRAINING, 'lookup.keras')
EXPORT = os.environ.get('TFJS_KERAS_ROUNDTRIP_DIR')


def _lookup_data():
    d = np.load(os.path.join(TRAINING, 'lookup.npz'))
    return [d['x0'], d['x1'].astype(np.int32)], [d['y0'], d['y1']]


def _outputs(model, xs):
    return [np.asarray(o.arraySync()) for o in model.predict([tf.tensor(x) for x in xs])]


def test_lookup_vocabularies_from_assets():
    xs, ys = _lookup_data()
    model = tf.loadLayersModel(LOOKUP)
    vocab = model.getLayer('words_lookup').getVocabulary()
    assert vocab[0] == '[UNK]' and sorted(vocab[1:]) == ['a', 'b', 'c']
    for got, want in zip(_outputs(model, xs), ys):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize('ext', ['keras', 'h5'])
def test_lookup_round_trip(tmp_path, ext):
    xs, ys = _lookup_data()
    path = str(tmp_path / f'tfjs_lookup_{ext}.{ext}')
    tf.loadLayersModel(LOOKUP).save(path)
    if ext == 'keras':      # written as Keras writes an adapted layer: vocabulary as an asset
        names = zipfile.ZipFile(path).namelist()
        assert 'assets/layers/string_lookup/vocabulary.txt' in names
        assert 'assets/layers/integer_lookup/vocabulary.txt' in names
    for got, want in zip(_outputs(tf.loadLayersModel(path), xs), ys):
        np.testing.assert_array_equal(got, want)
    if EXPORT:
        os.makedirs(EXPORT, exist_ok=True)
        shutil.copy(path, os.path.join(EXPORT, os.path.basename(path)))
        np.savez(os.path.join(EXPORT, f'tfjs_lookup_{ext}.npz'), x0=xs[0], x1=xs[1],
                 y0=ys[0], y1=ys[1])


def _rewrite(src, dst, change):
    with zipfile.ZipFile(src) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    change(members)
    with zipfile.ZipFile(dst, 'w') as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def test_unknown_assets_are_refused(tmp_path):
    path = str(tmp_path / 'extra.keras')
    _rewrite(LOOKUP, path, lambda m: m.update({'assets/layers/mystery/table.bin': b'x'}))
    with pytest.raises(TfjsIOError, match='layers/mystery'):
        tf.loadLayersModel(path)


def test_npz_store_matches_h5_store():
    """The same Keras model state in the two stores reads the same."""
    npz = tc.load(os.path.join(TRAINING, 'k3_adam_npz.keras'))
    data = np.load(os.path.join(TRAINING, 'k3_adam_npz.npz'))
    model = tf.loadLayersModel(os.path.join(TRAINING, 'k3_adam_npz.keras'))
    assert model.optimizer_.iterations == int(data['iterations'])
    assert {w.name for w in npz.weights if w.group is None} == \
        {'hidden/kernel', 'hidden/bias', 'bn/gamma', 'bn/beta', 'bn/moving_mean',
         'bn/moving_variance', 'out/kernel', 'out/bias'}
    assert len([w for w in npz.weights if w.group == 'optimizer']) == 1 + 2 * 6


class _Evil:
    def __reduce__(self):
        return (os.system, ('echo pwned',))


def test_npz_store_never_runs_pickled_code(tmp_path):
    def inject(members):
        bio = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(members['model.weights.npz'])) as zf:
            entries = {i.filename: zf.read(i) for i in zf.infolist()}
        arr = np.empty((), dtype=object)
        arr[()] = {'0': _Evil()}
        npy = io.BytesIO()
        np.save(npy, arr, allow_pickle=True)
        entries['layers/dense.npy'] = npy.getvalue()
        with zipfile.ZipFile(bio, 'w') as zf:
            for name, data in entries.items():
                zf.writestr(name, data)
        members['model.weights.npz'] = bio.getvalue()
    path = str(tmp_path / 'evil.keras')
    _rewrite(os.path.join(TRAINING, 'k3_adam_npz.keras'), path, inject)
    with pytest.raises(TfjsIOError, match='system'):
        tf.loadLayersModel(path)
