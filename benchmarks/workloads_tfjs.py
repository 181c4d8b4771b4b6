"""The workloads written the way a TF.js user writes them, run on this package (`import tfjs`).

The backend comes from `TFJS_BACKEND` (the runner sets it from `--device`). Data are tensors
made before timing; `fit` runs with `shuffle: false`, `verbose: 0` and otherwise TF.js's
defaults; predict reads the result back with `dataSync()`.
"""
from __future__ import annotations

import os
import time

import tfjs as tf

from common import (big_model_bytes, load_result, make_data, predict_input, predict_result,
                    time_calls, train_result)


def versions() -> dict:
    import torch
    return {'tfjs': tf.__version__, 'torch': torch.__version__, 'backend': tf.getBackend(),
            'threads': torch.get_num_threads()}


def build(spec: dict):
    L = tf.layers
    m = spec['model']
    if m in ('mlp', 'big'):
        layers = []
        for i, units in enumerate(spec['hidden']):
            cfg = {'units': units, 'activation': 'relu'}
            if i == 0:
                cfg['inputShape'] = spec['input']
            layers.append(L.dense(cfg))
        layers.append(L.dense({'units': spec['classes'],
                               'activation': 'linear' if m == 'big' else 'softmax'}))
    elif m == 'cnn':
        f1, f2 = spec['filters']
        layers = [L.conv2d({'filters': f1, 'kernelSize': 3, 'activation': 'relu',
                            'inputShape': spec['input']}),
                  L.maxPooling2d({'poolSize': 2}),
                  L.conv2d({'filters': f2, 'kernelSize': 3, 'activation': 'relu'}),
                  L.maxPooling2d({'poolSize': 2}),
                  L.flatten(),
                  L.dense({'units': spec['dense'], 'activation': 'relu'}),
                  L.dense({'units': spec['classes'], 'activation': 'softmax'})]
    elif m in ('lstm', 'gru'):
        rnn = L.lstm if m == 'lstm' else L.gru
        layers = [rnn({'units': spec['units'], 'inputShape': spec['input']}),
                  L.dense({'units': spec['classes'], 'activation': 'softmax'})]
    elif m == 'text':
        layers = [L.embedding({'inputDim': spec['vocab'], 'outputDim': spec['embed'],
                               'inputLength': spec['input'][0]}),
                  L.bidirectional({'layer': L.lstm({'units': spec['units']})}),
                  L.dense({'units': spec['classes'], 'activation': 'softmax'})]
    else:
        raise ValueError(m)
    return tf.sequential({'layers': layers})


def _sync():
    if tf.getBackend() == 'cuda':
        import torch
        torch.cuda.synchronize()


def train(spec: dict, device: str) -> dict:
    x, y = make_data(spec)
    xs, ys = tf.tensor(x), tf.tensor(y)
    model = build(spec)
    model.compile({'optimizer': tf.train.adam(0.001), 'loss': 'categoricalCrossentropy'})
    b = spec['batch']
    fit_args = {'epochs': 1, 'batchSize': b, 'shuffle': False, 'verbose': 0}
    model.fit(tf.tensor(x[:b]), tf.tensor(y[:b]), fit_args)      # warm-up: one batch
    _sync()
    t0 = time.perf_counter()
    history = model.fit(xs, ys, fit_args)
    final_loss = float(history.history['loss'][-1])
    _sync()
    seconds = time.perf_counter() - t0
    return train_result(spec, seconds, {'final_mean_loss': final_loss})


def predict(spec: dict, device: str) -> dict:
    model = build(spec)
    xt = tf.tensor(predict_input(spec))
    args = {'batchSize': spec['batch']}              # one forward pass, as raw torch
    times = time_calls(lambda: model.predict(xt, args).dataSync(),
                       spec['calls'], spec['warmup'], spec['budget_s'])
    return predict_result(times)


def _path(files_dir: str) -> str:
    return os.path.join(files_dir, 'tfjs')


def prepare_load(spec: dict, files_dir: str) -> None:
    build(spec).save('file://' + _path(files_dir))


def load(spec: dict, device: str, files_dir: str) -> dict:
    url = 'file://' + os.path.join(_path(files_dir), 'model.json')
    times = []
    for _ in range(spec['loads']):
        t0 = time.perf_counter()
        model = tf.loadLayersModel(url)
        _sync()
        times.append((time.perf_counter() - t0) * 1e3)
        model.dispose()
        del model
    return load_result(times, big_model_bytes(spec))
