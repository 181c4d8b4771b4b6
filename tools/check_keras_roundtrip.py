"""Check that Keras files written by `tfjs` load in real Keras with the same predictions.

The tests tests/convert/test_roundtrip.py, test_keras_sweep.py, test_keras_stores.py and
test_keras_training_roundtrip.py write, for each case, `<case>.keras`,
`<case>.h5`, `<case>.weights.h5` and `<case>.npz` (the inputs `x0, x1, ...` and the predictions
`y0, y1, ...` that tfjs computed) into the folder named by $TFJS_KERAS_ROUNDTRIP_DIR. This
script (which needs TensorFlow, so it runs outside CI) loads every file:

* `.keras` with Keras 3 (`keras.saving.load_model`);
* `.h5` with Keras 2 (`tf_keras.models.load_model`) and with Keras 3's legacy loader;
* `.weights.h5` (Keras 3 layout) into the model loaded from `<case>.keras` (`load_weights`);

predicts, and prints the largest absolute difference per file (OK below 1e-5).

Cases written by tests/convert/test_keras_training_roundtrip.py (`tfjs_train_<optimizer>`,
saved with `includeOptimizer: true`) are also loaded *compiled* (Keras 3 for `.keras`, tf-keras
for `.h5`): the script checks the optimizer class and iteration count Keras restored, trains 2
full-batch steps on the saved batch and compares every layer's weights with those tfjs reached
from the same state ("train" rows; OK below 1e-5, or 1e-4 for Adam and Adamax: Keras adds
epsilon to sqrt(v) before the bias correction, TF.js after, which moves a weight whose gradients
are tiny by up to ~1e-5 of the learning rate per step).

    TFJS_KERAS_ROUNDTRIP_DIR=/tmp/rt .venv/bin/python -m pytest -q \\
        tests/convert/test_roundtrip.py tests/convert/test_keras_sweep.py \\
        tests/convert/test_keras_stores.py tests/convert/test_keras_training_roundtrip.py
    /work/kerasenv/bin/python tools/check_keras_roundtrip.py /tmp/rt
"""
import glob
import os
import sys
import traceback
import warnings

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
warnings.simplefilter('ignore')

import numpy as np  # noqa: E402

TOL = 1e-5
TOL_ADAM = 1e-4


def _predict(model, xs):
    if any(x.dtype.kind in 'US' for x in xs):       # string inputs: call the model on tensors
        import tensorflow as tf
        out = model([tf.constant(x) for x in xs] if len(xs) > 1 else tf.constant(xs[0]))
        out = [np.asarray(o) for o in (out if isinstance(out, (list, tuple)) else [out])]
        return out
    out = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
    return [np.asarray(o) for o in (out if isinstance(out, (list, tuple)) else [out])]


def _diff(ours, theirs):
    if len(ours) != len(theirs):
        return float('inf')
    return max(float(np.max(np.abs(a - b))) if a.size else 0.0 for a, b in zip(ours, theirs))


_KERAS_CLASS = {'Momentum': 'SGD', 'RMSProp': 'RMSprop'}


def _training_checks(folder, case, data, keras, tf_keras):
    """Rows that load the file compiled, check the optimizer and train 2 steps."""
    want_class = str(data['optimizer'])
    want_class = _KERAS_CLASS.get(want_class, want_class)

    def run(load, path):
        model = load(path)
        opt = model.optimizer
        if opt is None or type(opt).__name__ != want_class:
            raise AssertionError(f'optimizer {type(opt).__name__}, expected {want_class}')
        if int(np.asarray(opt.iterations)) != int(data['iterations']):
            raise AssertionError(f'iterations {int(np.asarray(opt.iterations))}, expected '
                                 f'{int(data["iterations"])}')
        x, y = data['train_x'], data['train_y']
        model.fit(x, y, batch_size=len(x), epochs=2, shuffle=False, verbose=0)
        diff = 0.0
        for layer in model.layers:
            for i, w in enumerate(layer.get_weights()):
                key = f'after/{layer.name}/{i}'
                if key in data:
                    diff = max(diff, float(np.max(np.abs(np.asarray(w) - data[key]))))
        return diff
    out = []
    path = os.path.join(folder, case + '.keras')
    if os.path.exists(path):
        out.append(('train .keras', 'keras ' + keras.__version__,
                    lambda p=path: run(keras.saving.load_model, p)))
    path = os.path.join(folder, case + '.h5')
    if os.path.exists(path):
        out.append(('train .h5', 'tf_keras ' + tf_keras.__version__,
                    lambda p=path: run(tf_keras.models.load_model, p)))
    return out


def main(folder):
    import keras
    import tf_keras
    rows = []
    cases = sorted({os.path.basename(p)[:-4] for p in glob.glob(os.path.join(folder, '*.npz'))})
    for case in cases:
        data = np.load(os.path.join(folder, case + '.npz'))
        xs = [data[f'x{i}'] for i in range(16) if f'x{i}' in data]
        ys = [data[f'y{i}'] for i in range(16) if f'y{i}' in data]
        checks = []
        path = os.path.join(folder, case + '.keras')
        if os.path.exists(path):
            checks.append(('.keras', 'keras ' + keras.__version__,
                           lambda p=path: keras.saving.load_model(p, compile=False)))
            wpath = os.path.join(folder, case + '.weights.h5')
            if os.path.exists(wpath):
                def with_weights(p=path, w=wpath):
                    m = keras.saving.load_model(p, compile=False)
                    for v in m.weights:                    # make sure the file sets them
                        v.assign(np.zeros(v.shape, v.dtype))
                    m.load_weights(w)
                    return m
                checks.append(('.weights.h5', 'keras ' + keras.__version__, with_weights))
        path = os.path.join(folder, case + '.h5')
        if os.path.exists(path):
            checks.append(('.h5', 'tf_keras ' + tf_keras.__version__,
                           lambda p=path: tf_keras.models.load_model(p, compile=False)))
            checks.append(('.h5', 'keras ' + keras.__version__,
                           lambda p=path: keras.saving.load_model(p, compile=False)))
        if 'train_x' in data:
            checks += _training_checks(folder, case, data, keras, tf_keras)
        for fmt, loader_name, load in checks:
            try:
                diff = load() if fmt.startswith('train') else _diff(_predict(load(), xs), ys)
                tol = TOL
                if fmt.startswith('train') and str(data['optimizer']) in ('Adam', 'Adamax'):
                    tol = TOL_ADAM
                status = 'OK' if diff <= tol else 'DIFF'
                detail = f'{diff:.2e}'
            except Exception as exc:      # report and go on
                status, detail = 'FAIL', f'{type(exc).__name__}: {str(exc).splitlines()[0][:90]}'
                if os.environ.get('VERBOSE'):
                    traceback.print_exc()
            rows.append((case, fmt, loader_name, status, detail))
            if os.environ.get("VERBOSE"):
                print(rows[-1], flush=True)
    width = max(len(r[0]) for r in rows) if rows else 10
    for r in rows:
        print(f'{r[0]:<{width}}  {r[1]:<12} {r[2]:<16} {r[3]:<5} {r[4]}')
    bad = [r for r in rows if r[3] != 'OK']
    print(f'{len(rows) - len(bad)}/{len(rows)} loads agree within {TOL}')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else
                  os.environ.get('TFJS_KERAS_ROUNDTRIP_DIR', '/tmp/tfjs_keras_roundtrip')))
