"""Weight codec: round trips, byte equality with TF.js's encodeWeights, quantized decoding checked
against values TF.js decoded, truncation errors, and the converter's quantization."""
import hashlib
import struct

import numpy as np
import pytest

import tfjs as tf
import tfjs.io  # noqa: F401
from tfjs.errors import IOError as TfjsIOError
from tfjs.errors import ValueError as TfjsValueError
from tfjs.io.weights import (decode_weights, encode_weights, plan_weights, quantize_weights,
                             weights_byte_length)

from conftest import b64, f32_bits


def _values(t):
    if t.dtype == 'string':
        return t.arraySync()
    return np.asarray(t).tolist()


def _complex(re, im, shape=None):
    """A complex64 tensor (tf.complex may not exist yet; this needs only tf.tensor)."""
    z = (np.asarray(re, np.float32) + 1j * np.asarray(im, np.float32)).astype(np.complex64)
    return tf.tensor(z, list(z.shape) if shape is None else shape, 'complex64')


def _tensors():
    return [
        ('f', tf.tensor2d([[1.5, -2.25], [1e-40, 3.4e38]])),
        ('f/scalar', tf.scalar(-0.0)),
        ('i', tf.tensor1d([0, -1, 2147483647, -2147483648], 'int32')),
        ('b', tf.tensor2d([[True, False], [False, True]], [2, 2], 'bool')),
        ('c', _complex([1, -2], [0.5, 4])),
        ('s', tf.tensor(['', 'a', 'héllo wörld', '日本語', '😀'], [5], 'string')),
        ('s/2d', tf.tensor([['x', ''], ['yz', 'w']], [2, 2], 'string')),
        ('s/scalar', tf.scalar('only', 'string')),
        ('empty/f', tf.zeros([0, 4])),
        ('empty/i', tf.zeros([3, 0], 'int32')),
        ('empty/b', tf.tensor([], [0], 'bool')),
        ('empty/c', _complex([], [])),
        ('empty/s', tf.tensor([], [2, 0], 'string')),
    ]


def test_round_trip_every_dtype():
    named = _tensors()
    data, specs = encode_weights(named)
    assert [s['name'] for s in specs] == [n for n, _ in named]
    out = decode_weights(data, specs)
    assert list(out) == [n for n, _ in named]
    for name, t in named:
        got = out[name]
        assert got.dtype == t.dtype and got.shape == t.shape, name
        if t.dtype == 'float32':
            assert f32_bits(got) == f32_bits(t), name
        else:
            assert _values(got) == _values(t), name


def test_round_trip_forms_and_group():
    t = tf.tensor1d([1, 2, 3], 'int32')
    d1, s1 = encode_weights({'a': t}, 'optimizer')
    d2, s2 = encode_weights([{'name': 'a', 'tensor': t}], 'optimizer')
    d3, s3 = encode_weights([('a', t)], 'optimizer')
    assert d1 == d2 == d3 == struct.pack('<3i', 1, 2, 3)
    assert s1 == s2 == s3 == [{'name': 'a', 'shape': [3], 'dtype': 'int32', 'group': 'optimizer'}]
    assert list(s1[0]) == ['name', 'shape', 'dtype', 'group']


def test_encode_matches_tfjs_bytes(oracle_io):
    for case in oracle_io['encode']:
        named = []
        for rec in case['tensors']:
            named.append((rec['name'], _from_record(rec)))
        data, specs = encode_weights(named, case['group'])
        assert data == b64(case['data']), case['name']
        assert specs == case['specs'], case['name']


def _from_record(rec):
    shape, dtype = rec['shape'], rec['dtype']
    if dtype == 'float32':
        vals = np.array([int(b, 16) for b in rec['bits']], np.uint32).view(np.float32)
        return tf.tensor(vals, shape, 'float32')
    if dtype == 'complex64':
        re = np.array([int(b, 16) for b in rec['realBits']], np.uint32).view(np.float32)
        im = np.array([int(b, 16) for b in rec['imagBits']], np.uint32).view(np.float32)
        return _complex(re, im, shape)
    if dtype == 'string':
        return tf.tensor([b64(x).decode('utf-8') for x in rec['bytes']], shape, 'string')
    return tf.tensor(np.array(rec['values']), shape, dtype)


def test_decode_matches_tfjs(oracle_io):
    assert oracle_io['tfjsVersion'] == '4.22.0'
    for case in oracle_io['decode']:
        spec, want = case['spec'], case['result']
        t = decode_weights(b64(case['data']), [spec])[spec['name']]
        assert t.dtype == want['dtype'] and t.shape == want['shape'], case['name']
        if want['dtype'] == 'float32':
            assert f32_bits(t) == want['bits'], case['name']
        elif want['dtype'] == 'complex64':
            a = np.asarray(t).reshape(-1)
            assert f32_bits(a.real) == want['realBits'] and f32_bits(a.imag) == want['imagBits']
        elif want['dtype'] == 'string':
            got = [s.encode('utf-8') for s in np.asarray(t, dtype=object).reshape(-1)]
            assert got == [b64(x) for x in want['bytes']], case['name']
        else:
            assert np.asarray(t).astype(np.int64).reshape(-1).tolist() == want['values'], \
                case['name']


def test_float16_all_bit_patterns_match_tfjs(oracle_io):
    sweep = oracle_io['float16Sweep']
    codes = np.arange(65536, dtype='<u2').tobytes()
    spec = {'name': 'x', 'shape': [65536], 'dtype': 'float32', 'quantization': {'dtype': 'float16'}}
    bits = np.ascontiguousarray(np.asarray(decode_weights(codes, [spec])['x'])).view(np.uint32)
    for i, want in sweep['samples'].items():
        assert format(int(bits[int(i)]), '08x') == want, i
    assert hashlib.sha256(bits.astype('<u4').tobytes()).hexdigest() == sweep['sha256']


def test_weight_spanning_shards():
    data, specs = encode_weights([('a', tf.tensor1d([1, 2, 3])), ('s', tf.tensor1d(['xy', 'z'], 'string')),
                                  ('b', tf.tensor1d([4, 5], 'int32'))])
    for cut in range(1, len(data)):
        out = decode_weights([data[:cut], data[cut:]], specs)
        assert out['a'].arraySync() == [1, 2, 3] and out['s'].arraySync() == ['xy', 'z']
        assert out['b'].arraySync() == [4, 5]
    out = decode_weights([data[:5], data[5:9], data[9:]], specs)
    assert out['b'].arraySync() == [4, 5]


def test_extra_trailing_bytes_are_ignored():
    data, specs = encode_weights({'a': tf.tensor1d([1.0])})
    assert decode_weights(data + b'junk', specs)['a'].arraySync() == [1.0]


@pytest.mark.parametrize('cut', [0, 3, 7])
def test_truncated_fixed_size_names_weight_and_sizes(cut):
    data, specs = encode_weights([('x', tf.tensor1d([1.0])), ('dense/kernel', tf.zeros([2, 2]))])
    with pytest.raises(TfjsIOError) as e:
        decode_weights(data[:cut], specs)
    msg = str(e.value)
    assert f'is {cut} bytes but the manifest needs 20 bytes' in msg
    assert ("'x'" if cut < 4 else "'dense/kernel'") in msg


def test_truncated_reports_file_names():
    data, specs = encode_weights({'w': tf.zeros([4])})
    with pytest.raises(TfjsIOError, match=r"weights file 'w.bin' is 10 bytes but the manifest "
                                          r"needs 16 bytes: weight 'w'"):
        decode_weights(data[:10], specs, source='w.bin')
    with pytest.raises(TfjsIOError, match=r"'a.bin', 'b.bin' are 10 bytes in total"):
        decode_weights(data[:10], specs, source=['a.bin', 'b.bin'])


def test_truncated_strings():
    data, specs = encode_weights({'s': tf.tensor1d(['hello', 'world'], 'string')})
    for cut in (2, 6, 12, len(data) - 1):
        with pytest.raises(TfjsIOError, match=r"weight 's'"):
            decode_weights(data[:cut], specs)
    assert weights_byte_length(specs, data) == len(data) == 18


def test_bad_specs():
    with pytest.raises(TfjsIOError, match=r"Unsupported dtype in weight 'a': float64"):
        decode_weights(b'', [{'name': 'a', 'shape': [0], 'dtype': 'float64'}])
    with pytest.raises(TfjsIOError, match=r"doesn't have corresponding metadata min and scale"):
        decode_weights(b'\x00', [{'name': 'q', 'shape': [1], 'dtype': 'float32',
                                  'quantization': {'dtype': 'uint8', 'scale': 1}}])
    with pytest.raises(TfjsIOError, match=r'only supports weights of type float32 not int32'):
        decode_weights(b'\x00\x00', [{'name': 'h', 'shape': [1], 'dtype': 'int32',
                                      'quantization': {'dtype': 'float16'}}])
    with pytest.raises(TfjsIOError, match=r"unknown quantization dtype int4"):
        decode_weights(b'\x00', [{'name': 'q', 'shape': [1], 'dtype': 'float32',
                                  'quantization': {'dtype': 'int4'}}])
    with pytest.raises(TfjsIOError, match=r'shape'):
        decode_weights(b'', [{'name': 'a', 'shape': [-1], 'dtype': 'float32'}])
    with pytest.raises(TfjsValueError):
        decode_weights(b'', {'name': 'a'})
    odd = tf.tensor1d([1.0])
    odd.dtype = 'float64'
    with pytest.raises(TfjsValueError, match="Unsupported dtype in weight 'a': float64"):
        encode_weights({'a': odd})


def test_nothing_created_when_truncated():
    data, specs = encode_weights([('a', tf.zeros([8])), ('b', tf.zeros([8]))])
    before = tf.memory()['numTensors']
    with pytest.raises(TfjsIOError):
        decode_weights(data[:40], specs)
    assert tf.memory()['numTensors'] == before
    out = decode_weights(data, specs)
    assert tf.memory()['numTensors'] == before + 2 and len(out) == 2


def test_plan_offsets():
    data, specs = encode_weights([('a', tf.zeros([2])), ('s', tf.tensor1d(['ab'], 'string')),
                                  ('b', tf.zeros([1], 'int32'))])
    plan = plan_weights(memoryview(data), specs)
    assert [(s['name'], a, b) for s, a, b in plan] == [('a', 0, 8), ('s', 8, 14), ('b', 14, 18)]


# ------------------------------------------------------------------------------- quantization

def _dequantize(codes, meta):
    spec = {'name': 'q', 'shape': list(codes.shape), 'dtype': meta['original_dtype'],
            'quantization': meta}
    return np.asarray(decode_weights(codes.astype('<' + codes.dtype.str[1:]).tobytes(), [spec])['q'])


@pytest.mark.parametrize('qdtype,qmax', [('uint8', 255), ('uint16', 65535)])
def test_affine_quantization_nudges_zero(qdtype, qmax):
    rng = np.random.default_rng(0)
    data = rng.normal(size=(7, 11)).astype(np.float32)
    data[0, 0] = 0.0
    codes, meta = quantize_weights(data, qdtype)
    assert codes.dtype == np.dtype(qdtype) and codes.shape == data.shape
    assert meta['dtype'] == qdtype and meta['original_dtype'] == 'float32'
    mn, mx = float(data.min()), float(data.max())
    assert meta['scale'] == pytest.approx((mx - mn) / qmax, rel=0, abs=0)
    zero_point = round(-mn / meta['scale'])
    assert meta['min'] == -zero_point * meta['scale']
    back = _dequantize(codes, meta)
    assert back[0, 0] == 0.0                        # zero is exactly representable
    assert np.max(np.abs(back - data)) <= meta['scale'] * 0.5 + 1e-6


def test_affine_quantization_matches_converter_formula():
    data = np.array([0, -0.1, 1.2], np.float32)    # the converter's docstring example
    codes, meta = quantize_weights(data, 'uint8')
    mn, mx = np.float64(data.min()), np.float64(data.max())
    scale = (mx - mn) / 255
    zp = np.round((0 - mn) / scale)
    nmin = -zp * scale
    nmax = 255 * scale + nmin
    want = np.round((np.clip(data.astype(np.float64), nmin, nmax) - nmin) / scale).astype(np.uint8)
    assert codes.tolist() == want.tolist() == [20, 0, 255]
    assert (meta['min'], meta['scale']) == (nmin, scale)
    assert meta['min'] == pytest.approx(-0.10196078817, abs=1e-10)
    assert meta['scale'] == pytest.approx(0.00509803940852, abs=1e-12)


def test_affine_quantization_positive_range_not_nudged():
    data = np.array([1.0, 2.0, 3.0], np.float32)
    codes, meta = quantize_weights(data, 'uint8')
    assert meta['min'] == 1.0 and meta['scale'] == 2.0 / 255
    assert codes.tolist() == [0, 128, 255]


def test_constant_and_empty_and_int32_quantization():
    codes, meta = quantize_weights(np.full((3,), 2.5, np.float32), 'uint16')
    assert codes.tolist() == [0, 0, 0] and meta['scale'] == 1.0 and meta['min'] == 2.5
    assert _dequantize(codes, meta).tolist() == [2.5, 2.5, 2.5]
    codes, meta = quantize_weights(np.zeros((0, 2), np.float32), 'uint8')
    assert codes.shape == (0, 2)
    ints = np.array([-5, 0, 7, 100], np.int32)
    codes, meta = quantize_weights(ints, 'uint8')
    assert meta['original_dtype'] == 'int32'
    back = _dequantize(codes, meta)
    assert back.dtype == np.int32 and np.max(np.abs(back - ints)) <= 1


def test_float16_quantization():
    data = np.array([0.1, -2.5, 65504, 1e-8], np.float32)
    codes, meta = quantize_weights(data, 'float16')
    assert codes.dtype == np.float16 and meta == {'dtype': 'float16', 'original_dtype': 'float32'}
    assert _dequantize(codes, meta).tolist() == data.astype(np.float16).astype(np.float32).tolist()
    with pytest.raises(TfjsValueError, match='float16'):
        quantize_weights(np.array([1], np.int32), 'float16')
    with pytest.raises(TfjsValueError, match='Invalid quantization dtype'):
        quantize_weights(data, 'int8')
