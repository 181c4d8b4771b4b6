"""The workloads in Keras 3, on whichever backend `KERAS_BACKEND` names (tensorflow or torch).

Runs in the interpreter given by the runner's `--keras-python`, which needs keras plus the
backend's package (tensorflow, or torch), and NumPy. Data are NumPy arrays (Keras's usual
input); `fit` runs with `shuffle=False`, `verbose=0` and otherwise Keras's defaults (so on the
TensorFlow backend a traced `tf.function`, without XLA on a CPU-only machine); the warm-up is a
`fit` call on the first batch, which traces the same train function the timed `fit` then uses
(`train_on_batch` would trace a different one: its input is a tensor, not an iterator).
Predict is timed through `model.predict(x, verbose=0)`; `model(x)` is reported beside it as
`call_ms`, since Keras users who care about latency call the model directly.
"""
from __future__ import annotations

import gc
import os
import time

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')

import keras  # noqa: E402

from common import (big_model_bytes, load_result, make_data, predict_input,  # noqa: E402
                    predict_result, time_calls, train_result)

BACKEND = keras.backend.backend()


def versions() -> dict:
    out = {'keras': keras.__version__, 'backend': BACKEND}
    if BACKEND == 'tensorflow':
        import tensorflow as tf
        out['tensorflow'] = tf.__version__
    elif BACKEND == 'torch':
        import torch
        out['torch'] = torch.__version__
        out['threads'] = torch.get_num_threads()
    return out


def device_skip_reason(device: str) -> str | None:
    if device != 'cuda':
        return None
    if BACKEND == 'tensorflow':
        import tensorflow as tf
        if not tf.config.list_physical_devices('GPU'):
            return 'TensorFlow sees no GPU in this interpreter'
    elif BACKEND == 'torch':
        import torch
        if not torch.cuda.is_available():
            return 'torch in the Keras interpreter has no CUDA'
    return None


def build(spec: dict):
    L = keras.layers
    m = spec['model']
    layers = [keras.Input(shape=tuple(spec['input']),
                          dtype='int32' if m == 'text' else 'float32')]
    if m in ('mlp', 'big'):
        layers += [L.Dense(u, activation='relu') for u in spec['hidden']]
        layers.append(L.Dense(spec['classes'], activation=None if m == 'big' else 'softmax'))
    elif m == 'cnn':
        f1, f2 = spec['filters']
        layers += [L.Conv2D(f1, 3, activation='relu'), L.MaxPooling2D(2),
                   L.Conv2D(f2, 3, activation='relu'), L.MaxPooling2D(2), L.Flatten(),
                   L.Dense(spec['dense'], activation='relu'),
                   L.Dense(spec['classes'], activation='softmax')]
    elif m in ('lstm', 'gru'):
        rnn = L.LSTM if m == 'lstm' else L.GRU
        layers += [rnn(spec['units']), L.Dense(spec['classes'], activation='softmax')]
    elif m == 'text':
        layers += [L.Embedding(spec['vocab'], spec['embed']),
                   L.Bidirectional(L.LSTM(spec['units'])),
                   L.Dense(spec['classes'], activation='softmax')]
    else:
        raise ValueError(m)
    return keras.Sequential(layers)


def train(spec: dict, device: str) -> dict:
    x, y = make_data(spec)
    model = build(spec)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss='categorical_crossentropy')
    b = spec['batch']
    model.fit(x[:b], y[:b], batch_size=b, epochs=1, shuffle=False, verbose=0)   # warm-up
    t0 = time.perf_counter()
    history = model.fit(x, y, batch_size=b, epochs=1, shuffle=False, verbose=0)
    seconds = time.perf_counter() - t0
    return train_result(spec, seconds, {'final_mean_loss': float(history.history['loss'][-1])})


def predict(spec: dict, device: str) -> dict:
    model = build(spec)
    x = predict_input(spec)
    times = time_calls(lambda: model.predict(x, batch_size=spec['batch'], verbose=0),
                       spec['calls'], spec['warmup'], spec['budget_s'])
    call_times = time_calls(lambda: keras.ops.convert_to_numpy(model(x, training=False)),
                            spec['calls'], spec['warmup'], spec['budget_s'])
    return predict_result(times, {'call_ms': sorted(call_times)[len(call_times) // 2]})


def _path(files_dir: str) -> str:
    return os.path.join(files_dir, 'keras-' + BACKEND, 'model.keras')


def prepare_load(spec: dict, files_dir: str) -> None:
    path = _path(files_dir)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    build(spec).save(path)


def load(spec: dict, device: str, files_dir: str) -> dict:
    path = _path(files_dir)
    times = []
    for _ in range(spec['loads']):
        t0 = time.perf_counter()
        model = keras.saving.load_model(path)
        times.append((time.perf_counter() - t0) * 1e3)
        del model
        keras.backend.clear_session()
        gc.collect()
    return load_result(times, big_model_bytes(spec), {'file': 'model.keras'})
