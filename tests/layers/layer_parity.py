"""Layer parity against TF.js: one call checks a layer configuration end to end.

`check_layer(oracle, 'conv2d', {'filters': 2, 'kernelSize': 3}, [5, 5, 1])` builds the layer
here and in TF.js 4.22 (Node) from the same config, copies our weights into TF.js's layer, and
compares:

- the output(s) (also for `training: True` when asked),
- the gradient of `sum(output_i * r_i)` (fixed random `r_i`) with respect to every float input
  and every trainable weight,
- the weight names (after the layer name) and shapes, in order,
- `getConfig()` (without `name`; keys TF.js leaves undefined count as null, as TF.js writes
  them to model.json), and the output mask when `check_mask` is set.

Float32 tolerances are the issue's: 1e-5 relative or 1e-6 absolute (configurable per case for
layers whose TF.js kernels accumulate differently, e.g. long recurrences).
"""
from __future__ import annotations

import numpy as np

import tfjs as tf

JS = r"""
// nested layers (RNN cells, wrapped layers) are given as {factory, config}
const isPlain = v => v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof tf.Tensor);
const nested = v => Array.isArray(v) ? v.map(nested)
    : !isPlain(v) ? v
    : (typeof v.factory === 'string' && isPlain(v.config)) ? tf.layers[v.factory](nested(v.config))
    : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, nested(x)]));
const layer = tf.layers[args.factory](nested(args.config));
const xs = args.inputs;
const inp = args.multi ? xs : xs[0];
// a fresh kwargs object per call: TF.js's RNN.apply writes into it
const kw = () => Object.assign({}, args.kwargs);
layer.apply(inp, kw());
if (args.weights.length) layer.setWeights(args.weights);
const asList = o => Array.isArray(o) ? o : [o];
const outs = asList(layer.apply(inp, kw()));
const objective = (ins) => {
  const o = asList(layer.apply(args.multi ? ins : ins[0], kw()));
  return o.map((t, i) => tf.sum(tf.mul(tf.cast(t, 'float32'), args.rs[i]))).reduce((a, b) => tf.add(a, b));
};
const floatIdx = xs.map((x, i) => x.dtype === 'float32' ? i : -1).filter(i => i >= 0);
let gx = [];
if (args.gradients && floatIdx.length) {
  gx = tf.grads((...fl) => objective(xs.map((x, i) => floatIdx.includes(i) ? fl[floatIdx.indexOf(i)] : x)))(floatIdx.map(i => xs[i]));
}
let gw = [];
const tw = layer.trainableWeights;
if (args.gradients && tw.length) {
  const res = tf.variableGrads(() => objective(xs), tw.map(w => w.val));
  gw = tw.map(w => res.grads[w.val.name]);
}
let mask = null;
if (args.checkMask) {
  const m = layer.computeMask(inp, args.inMask);
  mask = m == null ? null : asList(m).map(t => t == null ? null : t);
}
return {
  outs, gx, gw, mask,
  // as model.json has it: keys TF.js sets to undefined are written as null
  config: JSON.parse(JSON.stringify(layer.getConfig(), (k, v) => v === undefined ? null : v)),
  weightNames: layer.weights.map(w => w.originalName.slice(w.originalName.indexOf('/') + 1)),
  weightShapes: layer.weights.map(w => w.shape),
  outputShape: layer.computeOutputShape(args.multi ? xs.map(x => x.shape) : xs[0].shape),
};
"""


def build_nested(value):
    """Config values `{'factory': name, 'config': {...}}` (RNN cells, wrapped layers) become
    layers, on both sides of the comparison."""
    if isinstance(value, dict):
        if set(value) == {'factory', 'config'}:
            return getattr(tf.layers, value['factory'])(build_nested(dict(value['config'])))
        return {k: build_nested(v) for k, v in value.items()}
    if isinstance(value, list):
        return [build_nested(v) for v in value]
    return value


def make_input(shape, spec, rs: np.random.RandomState) -> np.ndarray:
    """A random input: spec 'float' (normal), ('int', low, high) or ('uniform', low, high)."""
    if spec == 'float':
        return rs.randn(*shape).astype(np.float32)
    kind, low, high = spec
    if kind == 'int':
        return rs.randint(low, high, size=shape).astype(np.int32)
    if kind == 'uniform':
        return rs.uniform(low, high, size=shape).astype(np.float32)
    raise ValueError(f'unknown input spec {spec!r}')


def _json_like(x):
    """Normalize a config for comparison (tuples -> lists, numpy -> python, floats to float32)."""
    if isinstance(x, dict):
        return {k: _json_like(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_json_like(v) for v in x]
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float):
        return float(np.float32(x))
    return x


def grad_atol(atol: float, theirs) -> float:
    """A gradient entry is a sum of many products: its float32 rounding error scales with the
    size of the terms, not of the (possibly cancelled) result, so the absolute tolerance grows
    with the gradient's largest entry. (The BLAS's summation order, and so the last bits, may
    also change with the memory alignment of its operands: MKL without CNR.)"""
    return atol * max(1.0, float(np.max(np.abs(np.asarray(theirs, dtype=np.float64)),
                                        initial=0.0)))


def close(ours, theirs, rtol: float, atol: float, what: str) -> None:
    ours = np.asarray(ours)
    theirs = np.asarray(theirs)
    assert ours.shape == theirs.shape, f'{what}: shape {ours.shape} != TF.js {theirs.shape}'
    if ours.dtype.kind in 'biu' or theirs.dtype.kind in 'biu':
        np.testing.assert_array_equal(ours, theirs, err_msg=what)
    else:
        np.testing.assert_allclose(ours.astype(np.float64), theirs.astype(np.float64), rtol=rtol,
                                   atol=atol, err_msg=what)


def check_layer(oracle, factory: str, config: dict, input_shapes, *, batch: int = 3,
                inputs=None, input_spec='float', kwargs: dict | None = None, seed: int = 0,
                weights=None, gradients: bool = True, compare_config: bool = True,
                check_mask: bool = False, in_mask=None, rtol: float = 1e-5,
                atol: float = 1e-6, compare_output_shape: bool = True) -> dict:
    """Compare `tf.layers[factory](config)` here and in TF.js; returns both results.

    `input_shapes` excludes the batch axis; a list of shapes means a multi-input layer. `inputs`
    (numpy arrays, batch included) overrides the random inputs; `weights` overrides our
    initial weights (they are set here, then copied to TF.js). `compare_output_shape=False`
    skips computeOutputShape where TF.js's is wrong (document why at the call).
    """
    rs = np.random.RandomState(seed)
    multi = bool(input_shapes) and isinstance(input_shapes[0], (list, tuple))
    shapes = list(input_shapes) if multi else [input_shapes]
    if inputs is None:
        specs = input_spec if isinstance(input_spec, list) else [input_spec] * len(shapes)
        inputs = [make_input([batch] + list(s), sp, rs) for s, sp in zip(shapes, specs)]
    kwargs = dict(kwargs or {})

    layer = getattr(tf.layers, factory)(build_nested(dict(config)))
    xs = [tf.tensor(a) for a in inputs]
    inp = xs if multi else xs[0]
    layer.apply(inp, dict(kwargs))
    if weights is not None:
        layer.setWeights([tf.tensor(w) for w in weights])
    our_weights = [np.asarray(w) for w in layer.getWeights()]
    outs = layer.apply(inp, dict(kwargs))
    outs = outs if isinstance(outs, list) else [outs]
    rs_out = [rs.randn(*o.shape).astype(np.float32) for o in outs]
    r_tensors = [tf.tensor(r) for r in rs_out]

    def objective(*ins):
        o = layer.apply(list(ins) if multi else ins[0], dict(kwargs))
        o = o if isinstance(o, list) else [o]
        total = None
        for t, r in zip(o, r_tensors):
            term = tf.sum(tf.mul(tf.cast(t, 'float32'), r))
            total = term if total is None else tf.add(total, term)
        return total

    theirs = oracle.eval(JS, {
        'factory': factory, 'config': config, 'inputs': inputs, 'multi': multi,
        'kwargs': kwargs, 'weights': our_weights, 'rs': rs_out, 'gradients': gradients,
        'checkMask': check_mask, 'inMask': in_mask,
    })
    for i, (o, t) in enumerate(zip(outs, theirs['outs'])):
        close(o, t, rtol, atol, f'{factory} output {i}')
    assert len(outs) == len(theirs['outs'])

    if gradients:
        float_idx = [i for i, x in enumerate(xs) if x.dtype == 'float32']
        if float_idx:
            def f(*floats):
                ins = list(xs)
                for j, i in enumerate(float_idx):
                    ins[i] = floats[j]
                return objective(*ins)
            gx = tf.grads(f)([xs[i] for i in float_idx])
            for i, (g, t) in enumerate(zip(gx, theirs['gx'])):
                close(g, t, rtol, grad_atol(atol, t), f'{factory} input gradient {i}')
        tw = layer.trainableWeights
        if tw:
            vals = [w.read() for w in tw]
            grads = tf.variableGrads(lambda: objective(*xs), vals)['grads']
            assert len(theirs['gw']) == len(tw)
            for w, v, t in zip(tw, vals, theirs['gw']):
                close(grads[v.name], t, rtol, grad_atol(atol, t),
                      f'{factory} gradient of {w.originalName}')

    names = [w.originalName[w.originalName.index('/') + 1:] for w in layer.weights]
    assert names == theirs['weightNames'], (names, theirs['weightNames'])
    assert [list(w.shape) for w in layer.weights] == [list(s) for s in theirs['weightShapes']]
    ours_shape = layer.computeOutputShape([list(x.shape) for x in xs] if multi else list(xs[0].shape))
    if compare_output_shape:
        assert _json_like(ours_shape) == _json_like(theirs['outputShape'])

    if compare_config:
        ours_conf = _json_like({k: v for k, v in layer.getConfig().items() if k != 'name'})
        their_conf = _json_like({k: v for k, v in theirs['config'].items() if k != 'name'})
        assert ours_conf == their_conf, f'{factory} config differs:\nours   {ours_conf}\nTF.js  {their_conf}'

    if check_mask:
        mask = layer.computeMask(inp, None if in_mask is None else tf.tensor(in_mask))
        mine = None if mask is None else [None if m is None else np.asarray(m)
                                          for m in (mask if isinstance(mask, list) else [mask])]
        if theirs['mask'] is None:
            assert mine is None or all(m is None for m in mine), 'TF.js computes no mask'
        else:
            assert mine is not None, 'TF.js computes a mask, we do not'
            for m, t in zip(mine, theirs['mask']):
                assert (m is None) == (t is None)
                if m is not None:
                    np.testing.assert_array_equal(m, t)
    return {'outs': outs, 'theirs': theirs, 'layer': layer}
