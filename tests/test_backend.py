"""Backend selection: getBackend / setBackend / ready, TFJS_BACKEND, and cuda when present."""
import os
import subprocess
import sys

import pytest

import tfjs as tf

torch = pytest.importorskip('torch')
HAS_CUDA = torch.cuda.is_available()


def test_backend_is_one_of_the_known_ones():
    assert tf.getBackend() in ('cpu', 'cuda', 'mps')
    assert tf.ready() is None


def test_unknown_backend_is_a_clear_error():
    with pytest.raises(ValueError, match='Unknown backend "webgl"'):
        tf.setBackend('webgl')


def test_env_var_overrides_the_choice():
    env = dict(os.environ, TFJS_BACKEND='cpu')
    out = subprocess.run([sys.executable, '-c', 'import tfjs as tf; print(tf.getBackend())'],
                         capture_output=True, text=True, env=env, check=True).stdout
    assert out.strip() == 'cpu'


@pytest.mark.skipif(HAS_CUDA, reason='this machine has a GPU')
def test_cuda_unavailable_is_reported():
    with pytest.raises(ValueError, match='not available'):
        tf.setBackend('cuda')


@pytest.mark.skipif(not HAS_CUDA, reason='no CUDA GPU on this machine')
def test_cuda_backend_trains_and_matches_cpu():
    import numpy as np
    try:
        tf.setBackend('cpu')
        model = tf.sequential({'layers': [tf.layers.dense({'units': 3, 'inputShape': [4],
                                                           'activation': 'relu'}),
                                          tf.layers.dense({'units': 1})]})
        x = np.random.RandomState(0).randn(8, 4).astype(np.float32)
        cpu_out = np.asarray(model.predict(tf.tensor(x)))
        tf.setBackend('cuda')
        assert model.getWeights()[0].device == 'cuda'
        cuda_out = np.asarray(model.predict(tf.tensor(x)))
        np.testing.assert_allclose(cpu_out, cuda_out, rtol=1e-5, atol=1e-6)
        model.compile({'optimizer': 'adam', 'loss': 'meanSquaredError'})
        h = model.fit(tf.tensor(x), tf.ones([8, 1]), {'epochs': 2, 'verbose': 0})
        assert len(h.history['loss']) == 2
    finally:
        tf.setBackend('cpu')
