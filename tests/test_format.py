"""tfjs._format against TF.js 4.22 output recorded in fixtures/tensor_format_tfjs.json.

Regenerate the fixture with ``cd tests/js && node ../fixtures/make_tensor_format_fixture.js``.
"""

import importlib
import importlib.util
import json
import os
import struct
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURE = os.path.join(ROOT, 'tests', 'fixtures', 'tensor_format_tfjs.json')


def _load_format():
    try:
        if ROOT not in sys.path:
            sys.path.insert(0, ROOT)
        return importlib.import_module('tfjs._format')
    except ImportError:
        # Package not importable (yet): load the module by file path.
        spec = importlib.util.spec_from_file_location(
            'tfjs_format_standalone', os.path.join(ROOT, 'tfjs', '_format.py'))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod


fmt = _load_format()

with open(FIXTURE, encoding='utf-8') as f:
    DATA = json.load(f)

_SPECIAL = {'NaN': float('nan'), 'Infinity': float('inf'),
            '-Infinity': float('-inf'), '-0': -0.0}


def _decode(v, dtype):
    if dtype != 'string' and isinstance(v, str):
        return _SPECIAL[v]
    return v


def _double(bits):
    return struct.unpack('>d', bytes.fromhex(bits))[0]


CASES = DATA['tensors']
IDS = [c['name'] for c in CASES]


def _values(case):
    return [_decode(v, case['dtype']) for v in case['values']]


@pytest.mark.parametrize('case', CASES, ids=IDS)
def test_tensor_to_string_matches_tfjs(case):
    vals = _values(case)
    assert fmt.tensor_to_string(vals, case['shape'], case['dtype']) == case['str']
    assert fmt.tensor_to_string(vals, case['shape'], case['dtype'], verbose=True) == case['verbose']


NP_DTYPES = {'float32': np.float32, 'complex64': np.float32, 'int32': np.int32,
             'bool': np.bool_, 'string': object}


@pytest.mark.parametrize('case', CASES, ids=IDS)
def test_tensor_to_string_accepts_numpy(case):
    arr = np.array(_values(case), dtype=NP_DTYPES[case['dtype']])
    if case['dtype'] != 'complex64':
        arr = arr.reshape(case['shape'])
    assert fmt.tensor_to_string(arr, tuple(case['shape']), case['dtype'], True) == case['verbose']


def test_fixture_is_complete():
    assert DATA['tfjs_version'] == '4.22.0'
    assert len(CASES) >= 100
    assert len(DATA['numbers']) >= 4000


def test_js_number_to_string_matches_node():
    bad = [(r['bits'], r['str'], fmt.js_number_to_string(_double(r['bits'])))
           for r in DATA['numbers']
           if fmt.js_number_to_string(_double(r['bits'])) != r['str']]
    assert not bad, bad[:10]


def test_js_to_fixed_matches_node():
    bad = []
    for r in DATA['numbers']:
        x = _double(r['bits'])
        d, want = r['fixed']
        for digits, expected in ((7, r['fixed7']), (d, want)):
            got = fmt.js_to_fixed(x, digits)
            if got != expected:
                bad.append((r['bits'], digits, expected, got))
    assert not bad, bad[:10]


def test_parse_float_to_fixed_matches_node():
    bad = [r for r in DATA['numbers']
           if fmt.js_number_to_string(float(fmt.js_to_fixed(_double(r['bits']), 7))) != r['pf7']]
    assert not bad, bad[:10]


@pytest.mark.parametrize('x, expected', [
    (0.0, '0'), (-0.0, '0'), (float('nan'), 'NaN'), (float('inf'), 'Infinity'),
    (float('-inf'), '-Infinity'), (1.0, '1'), (-1.5, '-1.5'), (1e-7, '1e-7'),
    (1.5e-7, '1.5e-7'), (1e-6, '0.000001'), (1e21, '1e+21'), (1.5e21, '1.5e+21'),
    (1e20, '100000000000000000000'), (123456789.0, '123456789'),
    (0.1 + 0.2, '0.30000000000000004'), (5e-324, '5e-324'),
    (1.7976931348623157e308, '1.7976931348623157e+308'),
])
def test_js_number_to_string_examples(x, expected):
    assert fmt.js_number_to_string(x) == expected


@pytest.mark.parametrize('x, digits, expected', [
    (0.5, 0, '1'), (2.5, 0, '3'), (-2.5, 0, '-3'), (1.005, 2, '1.00'),
    (1.45, 1, '1.4'), (2 ** -8, 7, '0.0039063'), (-0.0, 7, '0.0000000'),
    (-1e-9, 7, '-0.0000000'), (1e21, 7, '1e+21'), (float('nan'), 7, 'NaN'),
    (float('-inf'), 2, '-Infinity'), (123.456, 0, '123'),
])
def test_js_to_fixed_examples(x, digits, expected):
    assert fmt.js_to_fixed(x, digits) == expected


def test_float32_widening():
    # 1.123456789 stored in a Float32Array prints its widened double.
    assert fmt.tensor_to_string([1.123456789], [], 'float32') == 'Tensor\n    1.1234568357467651'
    assert fmt.tensor_to_string(np.array([[5.8754296]], np.float32), [1, 1], 'float32') == \
        'Tensor\n     [[5.8754296],]'
