"""Shared helpers of the converter / Keras-file tests: the Keras fixtures (made by real Keras 3
and Keras 2 with tools/fixtures/keras_models.py) and prediction helpers."""
import glob
import os
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODELS = os.path.join(ROOT, 'tests', 'fixtures', 'keras', 'models')
TOL = 1e-5


def fixture_files(pattern):
    return sorted(os.path.relpath(p, MODELS) for p in glob.glob(os.path.join(MODELS, pattern))
                  if not os.path.basename(p).startswith('lambda.'))


def fixture_data(rel):
    """(inputs, Keras's predictions) of a fixture model file."""
    base = os.path.basename(rel).split('.')[0]
    if base == 'mlp_keras22':
        base = 'mlp'
    data = np.load(os.path.join(MODELS, os.path.dirname(rel), base + '.npz'))
    xs = [data[f'x{i}'] for i in range(16) if f'x{i}' in data]
    ys = [data[f'y{i}'] for i in range(16) if f'y{i}' in data]
    return xs, ys


def predict(model, xs):
    import tfjs as tf
    out = model.predict([tf.tensor(x) for x in xs] if len(xs) > 1 else tf.tensor(xs[0]))
    return [np.asarray(o) for o in (out if isinstance(out, list) else [out])]


def assert_close(ours, theirs, tol=TOL, what=''):
    assert len(ours) == len(theirs), what
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol, err_msg=what)


def run_cli(*args, check=True, env=None):
    """`tfjs ...` in a fresh interpreter (what a user's shell runs)."""
    proc = subprocess.run([sys.executable, '-m', 'tfjs_converter', *args], cwd=ROOT,
                          capture_output=True, text=True, env=env)
    if check and proc.returncode != 0:
        raise AssertionError(f'tfjs {" ".join(args)} failed:\n{proc.stdout}\n{proc.stderr}')
    return proc

