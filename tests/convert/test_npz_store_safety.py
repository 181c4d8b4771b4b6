"""The `.npz` weights store reader against malicious or malformed pickles: no code runs, no
array is sized by the file's say-so, and every failure is a `FileFormatError`."""
import doctest
import io
import os
import pickle
import struct
import tracemalloc
import zipfile

import numpy as np
import pytest

import tfjs_converter as tc
from tfjs_converter import npz_store
from tfjs_converter.errors import FileFormatError

HERE = os.path.dirname(os.path.abspath(__file__))
KERAS_NPZ = os.path.join(HERE, '..', 'fixtures', 'keras', 'training', 'k3_adam_npz.keras')
try:
    from numpy._core import multiarray as _ma
except ImportError:
    from numpy.core import multiarray as _ma


class _Reduce:
    def __init__(self, *reduced):
        self.reduced = reduced

    def __reduce__(self):
        return self.reduced


def _npy_object(payload: bytes) -> bytes:
    from numpy.lib import format as npformat
    f = io.BytesIO()
    npformat.write_array_header_1_0(f, {'descr': '|O', 'fortran_order': False, 'shape': ()})
    return f.getvalue() + payload


def _npz(members: dict, compress=zipfile.ZIP_DEFLATED) -> bytes:
    bio = io.BytesIO()
    with zipfile.ZipFile(bio, 'w', compress) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return bio.getvalue()


def _store(value_dict) -> bytes:
    return _npz({'layers/dense.npy': _npy_object(pickle.dumps(value_dict, protocol=3))})


def _read(data):
    tracemalloc.start()
    try:
        with pytest.raises(FileFormatError) as info:
            npz_store.read_npz(data, 'model.weights.npz')
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * 1024 ** 2, peak
    return str(info.value)


def test_reads_a_real_store():
    out = npz_store.read_npz(_store({'0': np.arange(6, dtype=np.float32).reshape(2, 3),
                                     '1': np.float32(2)}), 'w')
    np.testing.assert_array_equal(out['layers/dense'][0], np.arange(6).reshape(2, 3))
    assert out['layers/dense'][1] == 2
    assert doctest.testmod(npz_store).failed == 0


@pytest.mark.parametrize('reduced, match', [
    ((np.ndarray, ((10 ** 10,), 'f4')), 'numpy.ndarray'),
    ((np.ndarray, ((16,), 'u1')), 'numpy.ndarray'),
    ((_ma._reconstruct, (np.ndarray, (10 ** 10,), b'b')), 'reconstructs'),
    ((_ma._reconstruct, (np.ndarray, (64,), b'b')), 'reconstructs'),
    ((_ma._reconstruct, (np.ndarray, (0,), b'b')), 'no state'),
    ((_ma._reconstruct, (np.ndarray, (0,), b'b'), (1, (10 ** 9,), np.dtype('f4'), False, b'x' * 8)),
     'needs 4000000000 bytes'),
    ((_ma._reconstruct, (np.ndarray, (0,), b'b'), (1, (2,), np.dtype(('f4', (10 ** 6,))), False,
                                                    b'')), 'subarray'),
    ((_ma._reconstruct, (np.ndarray, (0,), b'b'), (1, (1,), np.dtype([('a', 'O')]), False, [1])),
     'structured'),
])
def test_arrays_are_sized_by_their_bytes_only(reduced, match):
    """A 400-byte file once gave an 8 GB uninitialized array; small shapes leaked heap bytes."""
    msg = _read(_store({'0': _Reduce(*reduced)}))
    assert match in msg


def test_running_total_is_bounded():
    a = np.zeros(100000, np.float32)          # one 400 kB array, referenced 3000 times
    data = _store({str(i): a for i in range(3000)})
    assert len(data) < 20000
    assert 'more than this reader allows' in _read(data)


def test_declared_member_sizes_are_bounded():
    big = _npz({f'{i}.npy': b'\0' * 4_000_000 for i in range(5)}, zipfile.ZIP_BZIP2)
    assert 'expand' in _read(big)


def test_short_array_data():
    from numpy.lib import format as npformat
    f = io.BytesIO()
    npformat.write_array_header_1_0(f, {'descr': '<f4', 'fortran_order': False, 'shape': (100,)})
    assert 'holds 8 bytes' in _read(_npz({'a.npy': f.getvalue() + b'\0' * 8}))


def test_non_ascii_digit_keys():
    assert 'not "0"' in _read(_store({'0': np.zeros(1), '²': np.zeros(1)}))


def _op_str(s: str) -> bytes:
    b = s.encode()
    return b'X' + struct.pack('<I', len(b)) + b


def test_self_referencing_variable():
    # v = keras Variable(); v.__setstate__({'value': v})
    payload = (b'\x80\x02ckeras.src.backend\nVariable\n)Rq\x00}' + _op_str('value') +
               b'h\x00sb')
    payload = b'\x80\x02}' + _op_str('0') + payload[2:] + b's.'
    assert 'refers to itself' in _read(_npz({'a.npy': _npy_object(payload)}))


def test_globals_cannot_be_mutated():
    payload = (b'\x80\x02}' + _op_str('0') + b'ctensorflow.python.framework.dtypes\nas_dtype\n}' +
               _op_str('x') + b'K\x01sbs.')
    assert 'malformed' in _read(_npz({'a.npy': _npy_object(payload)}))
    assert not hasattr(npz_store._ALLOWED[('tensorflow.python.framework.dtypes', 'as_dtype')],
                       'x')


def test_malicious_store_inside_a_keras_file(tmp_path):
    with zipfile.ZipFile(KERAS_NPZ) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    members['model.weights.npz'] = _store(
        {'0': _Reduce(_ma._reconstruct, (np.ndarray, (10 ** 10,), b'b'))})
    path = tmp_path / 'evil.keras'
    path.write_bytes(_npz(members))
    with pytest.raises(FileFormatError, match='reconstructs'):
        tc.load(str(path))
