"""One small Keras 3 model per layer class (and notable options), saved by real Keras 3.15
(tools/fixtures/keras_layer_sweep.py, tests/fixtures/keras/sweep/; also a tf-keras `.h5` with
MultiHeadAttention value/key given as call kwargs): each loads here with
Keras's predictions, or, for Keras layers this package does not implement, fails with an error
that names the layer class. Each is also saved back as `.keras` and `.h5` and reloaded here;
with $TFJS_KERAS_ROUNDTRIP_DIR set the files are left there (`tfjs_sweep_<case>.*`) for
tools/check_keras_roundtrip.py, which loads them in real Keras.
"""
import glob
import os

import numpy as np
import pytest

import tfjs as tf

HERE = os.path.dirname(os.path.abspath(__file__))
SWEEP = os.path.join(HERE, '..', 'fixtures', 'keras', 'sweep')
FILES = {os.path.basename(p).rsplit('.', 1)[0]: p for p in
         glob.glob(os.path.join(SWEEP, '*.keras')) + glob.glob(os.path.join(SWEEP, '*.h5'))}
CASES = sorted(FILES)
EXPORT = os.environ.get('TFJS_KERAS_ROUNDTRIP_DIR')
UNSUPPORTED = {'conv_lstm1d': 'ConvLSTM1D', 'einsum_dense': 'EinsumDense'}


def test_sweep_is_there():
    assert len(CASES) >= 45


@pytest.mark.parametrize('case', CASES)
def test_keras3_model_loads_with_keras_predictions(case):
    path = FILES[case]
    if case in UNSUPPORTED:
        with pytest.raises(Exception, match=UNSUPPORTED[case]):
            tf.loadLayersModel(path)
        return
    data = np.load(os.path.join(SWEEP, case + '.npz'))
    xs = [tf.tensor(data[f'x{i}']) for i in range(8) if f'x{i}' in data]
    ys = [data[f'y{i}'] for i in range(8) if f'y{i}' in data]
    model = tf.loadLayersModel(path)
    out = model.predict(xs if len(xs) > 1 else xs[0])
    out = out if isinstance(out, list) else [out]
    assert len(out) == len(ys)
    for got, want in zip(out, ys):
        np.testing.assert_allclose(np.asarray(got.arraySync()), want, rtol=1e-5, atol=1e-5,
                                   err_msg=case)


@pytest.mark.filterwarnings('ignore:This model uses the activation')
@pytest.mark.parametrize('case', [c for c in CASES if c not in UNSUPPORTED])
def test_saved_back_and_reloaded(tmp_path, case):
    data = np.load(os.path.join(SWEEP, case + '.npz'))
    xs = [data[f'x{i}'] for i in range(8) if f'x{i}' in data]
    model = tf.loadLayersModel(FILES[case])

    def predict(m):
        out = m.predict([tf.tensor(x) for x in xs] if len(xs) > 1 else tf.tensor(xs[0]))
        return [np.asarray(o.arraySync()) for o in (out if isinstance(out, list) else [out])]
    ys = predict(model)
    folder = EXPORT or str(tmp_path)
    os.makedirs(folder, exist_ok=True)
    for ext in ('keras', 'h5'):
        path = os.path.join(folder, f'tfjs_sweep_{case}.{ext}')
        model.save(path)
        for got, want in zip(predict(tf.loadLayersModel(path)), ys):
            np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6, err_msg=f'{case} {ext}')
    if EXPORT:
        np.savez(os.path.join(folder, f'tfjs_sweep_{case}.npz'),
                 **{f'x{i}': x for i, x in enumerate(xs)}, **{f'y{i}': y for i, y in enumerate(ys)})
