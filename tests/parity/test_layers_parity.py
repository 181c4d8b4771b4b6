"""The slice's layers against TF.js: same weights in, same outputs, same gradients out."""
import numpy as np
import pytest

import tfjs as tf

RS = np.random.RandomState(42)
X = RS.randn(6, 4).astype(np.float32)


def close(a, b):
    np.testing.assert_allclose(np.asarray(a, np.float64), np.asarray(b, np.float64), rtol=1e-5,
                               atol=1e-6)


@pytest.mark.parametrize('activation', ['linear', 'relu', 'sigmoid', 'tanh', 'softmax', 'elu',
                                        'selu', 'softplus', 'softsign', 'hardSigmoid', 'relu6'])
def test_dense_forward_and_gradients(oracle, activation):
    layer = tf.layers.dense({'units': 3, 'activation': activation})
    x = tf.tensor(X)
    layer.apply(x)
    kernel, bias = [np.asarray(w) for w in layer.getWeights()]
    out = layer.apply(x)
    gx = tf.grad(lambda t: layer.apply(t).sum())(x)
    theirs = oracle.eval("""
      const layer = tf.layers.dense({units: 3, activation: args.activation});
      layer.apply(args.x);
      layer.setWeights([args.kernel, args.bias]);
      const out = layer.apply(args.x);
      const gx = tf.grad(t => layer.apply(t).sum())(args.x);
      const gw = tf.variableGrads(() => layer.apply(args.x).sum(), layer.trainableWeights.map(w => w.val));
      return {out, gx, gk: gw.grads[layer.trainableWeights[0].val.name]};
    """, {'x': X, 'kernel': kernel, 'bias': bias, 'activation': activation})
    close(out, theirs['out'])
    close(gx, theirs['gx'])
    kvar = layer.trainableWeights[0].read()
    gk = tf.variableGrads(lambda: layer.apply(x).sum(), [kvar])['grads'][kvar.name]
    close(gk, theirs['gk'])


def test_batch_normalization_training_and_inference(oracle):
    layer = tf.layers.batchNormalization({'momentum': 0.8})
    x = tf.tensor(X)
    layer.apply(x)
    gamma = RS.rand(4).astype(np.float32) + 0.5
    beta = RS.randn(4).astype(np.float32)
    mean0 = RS.randn(4).astype(np.float32)
    var0 = RS.rand(4).astype(np.float32) + 0.5
    layer.setWeights([gamma, beta, mean0, var0])
    infer = layer.apply(x)
    train = layer.apply(x, {'training': True})
    stats = [np.asarray(w) for w in layer.getWeights()[2:]]
    theirs = oracle.eval("""
      const layer = tf.layers.batchNormalization({momentum: 0.8});
      layer.apply(args.x);
      layer.setWeights([args.gamma, args.beta, args.mean0, args.var0]);
      const infer = layer.apply(args.x);
      const train = layer.apply(args.x, {training: true});
      const w = layer.getWeights();
      return {infer, train, mean: w[2], variance: w[3]};
    """, {'x': X, 'gamma': gamma, 'beta': beta, 'mean0': mean0, 'var0': var0})
    close(infer, theirs['infer'])
    close(train, theirs['train'])
    close(stats[0], theirs['mean'])
    close(stats[1], theirs['variance'])


def test_flatten_reshape_dropout_inference(oracle):
    x3 = RS.randn(2, 3, 4).astype(np.float32)
    ours = [tf.layers.flatten().apply(tf.tensor(x3)),
            tf.layers.flatten({'dataFormat': 'channelsFirst'}).apply(tf.tensor(x3)),
            tf.layers.reshape({'targetShape': [4, -1]}).apply(tf.tensor(x3)),
            tf.layers.dropout({'rate': 0.5}).apply(tf.tensor(x3))]
    theirs = oracle.eval("""
      return [tf.layers.flatten().apply(args.x),
              tf.layers.flatten({dataFormat: 'channelsFirst'}).apply(args.x),
              tf.layers.reshape({targetShape: [4, -1]}).apply(args.x),
              tf.layers.dropout({rate: 0.5}).apply(args.x)];
    """, {'x': x3})
    for a, b in zip(ours, theirs):
        close(a, b)


def test_dropout_training_keeps_expected_scale():
    x = tf.ones([2000])
    out = np.asarray(tf.layers.dropout({'rate': 0.25}).apply(x, {'training': True}))
    kept = out[out != 0]
    np.testing.assert_allclose(kept, 1 / 0.75, rtol=1e-6)
    assert 0.2 < 1 - len(kept) / 2000 < 0.3
