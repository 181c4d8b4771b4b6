"""Differential cases: tf.linalg (bandPart, gramSchmidt, qr), tf.spectral / top-level fft, ifft,
rfft, irfft, and tf.signal (windows, frame, stft)."""
import numpy as np

from harness import Case, Raw, assert_all_agree, run_cases

RS = np.random.RandomState(5)
M = RS.randn(4, 5).astype(np.float32)
SQ = RS.randn(3, 3).astype(np.float32)
TALL = RS.randn(5, 3).astype(np.float32)
WIDE = RS.randn(2, 4).astype(np.float32)
B3 = RS.randn(2, 4, 5).astype(np.float32)
I = np.arange(12, dtype=np.int32).reshape(3, 4)
INT_SCALAR = lambda v: np.array(v, np.int32)  # noqa: E731

CASES = []
for lo, up in [(0, 0), (1, 0), (0, 2), (-1, 0), (0, -1), (-1, -1), (2, 1)]:
    CASES += [Case('linalg.bandPart', [M, lo, up], grad=[0])]
CASES += [Case('linalg.bandPart', [B3, 1, 1], grad=[0]), Case('linalg.bandPart', [I, 1, 0]),
          Case('linalg.bandPart', [np.ones([3, 3], bool), 0, 1]),
          Case('linalg.bandPart', [M, INT_SCALAR(1), INT_SCALAR(-1)], name='bandPart tensor limits'),
          Case('linalg.bandPart', [M, INT_SCALAR(9), INT_SCALAR(2)], name='bandPart tensor limit clipped'),
          Case('linalg.bandPart', [M, 1.5, 0], raises=True, name='bandPart fractional'),
          Case('linalg.bandPart', [M, 5, 0], raises=True, name='bandPart too many rows'),
          Case('linalg.bandPart', [M, 0, 6], raises=True, name='bandPart too many cols'),
          Case('linalg.bandPart', [M[0].copy(), 0, 0], raises=True, name='bandPart rank 1')]
CASES += [Case('linalg.gramSchmidt', [SQ], grad=True), Case('linalg.gramSchmidt', [WIDE], grad=True),
          Case('linalg.gramSchmidt', [], py=lambda tf, a, b: tf.linalg.gramSchmidt([a, b]),
               js='tf.linalg.gramSchmidt([a[0], a[1]])', name='gramSchmidt list'),
          Case('linalg.gramSchmidt', [TALL], raises=True, name='gramSchmidt too many'),
          Case('linalg.gramSchmidt', [], py=lambda tf: tf.linalg.gramSchmidt([]),
               js='tf.linalg.gramSchmidt([])', raises=True, name='gramSchmidt empty')]
CASES[-3].args = [SQ[0].copy(), SQ[1].copy()]
CASES[-3].grad = True
for x in [SQ, TALL, WIDE, M.T.copy()]:
    CASES += [Case('linalg.qr', [x], grad=True, rtol=1e-4, atol=1e-5, grad_rtol=1e-3, grad_atol=1e-4),
              Case('linalg.qr', [x, True], grad=[0], rtol=1e-4, atol=1e-5, grad_rtol=1e-3, grad_atol=1e-4)]
CASES += [Case('linalg.qr', [RS.randn(2, 3, 3).astype(np.float32)], rtol=1e-4, atol=1e-5, name='qr batched square'),
          Case('linalg.qr', [np.array([[1, -2], [-3, 4]], np.float32)], name='qr signs'),
          Case('linalg.qr', [M[0].copy()], raises=True, name='qr rank 1')]


def cplx(*shape):
    return (RS.randn(*shape) + 1j * RS.randn(*shape)).astype(np.complex64)


SP = dict(rtol=1e-4, atol=1e-5)
for op in ['fft', 'ifft']:
    for shape in [(4,), (5,), (8,), (3, 6), (2, 2, 16), (1,)]:
        CASES += [Case(op, [cplx(*shape)], **SP), Case(f'spectral.{op}', [cplx(*shape)], **SP)]
    CASES += [Case(op, [M], raises=True, name=f'{op} real input'),
              Case(op, [], py=lambda tf, x, _op=op: getattr(x, _op)(), js=f'a[0].{op}()', name=f'{op} chained')]
    CASES[-1].args = [cplx(2, 4)]
    CASES[-1].rtol, CASES[-1].atol = 1e-4, 1e-5
for shape in [(4,), (5,), (8,), (3, 6), (2, 3, 16), (1,)]:
    CASES += [Case('rfft', [RS.randn(*shape).astype(np.float32)], **SP),
              Case('spectral.rfft', [RS.randn(*shape).astype(np.float32)], **SP)]
CASES += [Case('rfft', [M, 3], **SP), Case('rfft', [M, 8], **SP), Case('rfft', [M, 5], **SP),
          Case('rfft', [I], raises=True, name='rfft int32'),
          Case('rfft', [cplx(4)], raises=True, name='rfft complex')]
for shape in [(3,), (5,), (2, 5), (2, 3, 4), (2,), (1,), (3, 2), (2, 2, 3, 5)]:
    CASES += [Case('irfft', [cplx(*shape)], **SP), Case('spectral.irfft', [cplx(*shape)], **SP)]
CASES += [Case('irfft', [], py=lambda tf, x: x.irfft(), js='a[0].irfft()', name='irfft chained')]
CASES[-1].args = [cplx(2, 5)]
CASES[-1].rtol, CASES[-1].atol = 1e-4, 1e-5

SIG = RS.randn(11).astype(np.float32)
for n in [1, 2, 3, 4, 7, 10, 0]:
    CASES += [Case('signal.hannWindow', [n]), Case('signal.hammingWindow', [n])]
CASES += [Case('signal.frame', [SIG, 3, 2], grad=[0]), Case('signal.frame', [SIG, 4, 4], grad=[0]),
          Case('signal.frame', [SIG, 4, 3, True], grad=[0]), Case('signal.frame', [SIG, 4, 3, True, 7.5]),
          Case('signal.frame', [SIG, 12, 1]), Case('signal.frame', [SIG, 12, 1, True, 1]),
          Case('signal.frame', [SIG, 2, 5, True]),
          Case('signal.frame', [np.arange(6, dtype=np.int32), 2, 1])]
CASES += [Case('signal.stft', [SIG, 4, 2], **SP), Case('signal.stft', [SIG, 5, 3], **SP),
          Case('signal.stft', [SIG, 4, 2, 6], **SP), Case('signal.stft', [SIG, 3, 1, 4], **SP),
          Case('signal.stft', [], py=lambda tf, s: tf.signal.stft(s, 4, 2, None, tf.signal.hammingWindow),
               js='tf.signal.stft(a[0], 4, 2, undefined, tf.signal.hammingWindow)', name='stft hamming', **SP)]
CASES[-1].args = [SIG]


def test_linalg_spectral(oracle):
    assert_all_agree(run_cases(oracle, CASES))
