"""Shared helpers for the tfjs.io tests. TF.js oracle data: tests/fixtures/io_tfjs.json, made by
tests/fixtures/make_io_fixtures.js (`cd tests/js && node ../fixtures/make_io_fixtures.js`)."""
import base64
import json
import os

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, 'tests', 'fixtures')


def load_fixture():
    with open(os.path.join(FIXTURES, 'io_tfjs.json'), encoding='utf-8') as f:
        return json.load(f)


def b64(s: str) -> bytes:
    return base64.b64decode(s)


def f32_bits(values) -> list:
    """Hex IEEE bit patterns of float32 values (as the fixture stores them)."""
    a = np.ascontiguousarray(np.asarray(values, dtype=np.float32).reshape(-1))
    return [format(int(u), '08x') for u in a.view(np.uint32)]


@pytest.fixture(scope='session')
def oracle_io():
    return load_fixture()


@pytest.fixture()
def artifacts():
    """Small ModelArtifacts with two float32 weights."""
    import tfjs.io  # noqa: F401
    from tfjs.io.weights import encode_weights
    import tfjs as tf
    data, specs = encode_weights([('dense/kernel', tf.tensor2d([[1, 2], [3, 4], [5, 6]])),
                                  ('dense/bias', tf.tensor1d([0.5, -0.5]))])
    return {'modelTopology': {'class_name': 'Sequential', 'config': {'name': 's', 'layers': []},
                              'keras_version': 'tfjs-layers 4.22.0', 'backend': 'tensor_flow.js'},
            'format': 'layers-model', 'generatedBy': 'TensorFlow.js tfjs-layers v4.22.0',
            'convertedBy': None, 'weightSpecs': specs, 'weightData': data}
