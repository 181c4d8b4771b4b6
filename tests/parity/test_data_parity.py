"""tf.data and fitDataset against TF.js 4.22 (the Node oracle)."""

import numpy as np
import pytest

import tfjs as tf


def to_py(x):
    """Elements as plain Python / NumPy, tensors as NumPy arrays (as the oracle decodes them)."""
    if isinstance(x, tf.Tensor):
        return np.asarray(x)
    if isinstance(x, dict):
        return {k: to_py(v) for k, v in x.items() if v is not None}   # JS drops undefined
    if isinstance(x, (list, tuple)):
        return [to_py(v) for v in x]
    return x


def assert_same(ours, theirs, path='element'):
    if isinstance(theirs, np.ndarray):
        assert isinstance(ours, np.ndarray), f'{path}: expected a tensor, got {ours!r}'
        assert ours.dtype == theirs.dtype, f'{path}: dtype {ours.dtype} != {theirs.dtype}'
        assert ours.shape == theirs.shape, f'{path}: shape {ours.shape} != {theirs.shape}'
        if ours.dtype == object:
            assert ours.tolist() == theirs.tolist(), path
        else:
            np.testing.assert_allclose(ours, theirs, rtol=1e-6, err_msg=path)
    elif isinstance(theirs, dict):
        assert isinstance(ours, dict) and set(ours) == set(theirs), f'{path}: {ours!r} != {theirs!r}'
        for k in theirs:
            assert_same(ours[k], theirs[k], f'{path}.{k}')
    elif isinstance(theirs, list):
        assert isinstance(ours, list) and len(ours) == len(theirs), f'{path}: {ours!r} != {theirs!r}'
        for i, (a, b) in enumerate(zip(ours, theirs)):
            assert_same(a, b, f'{path}[{i}]')
    else:
        assert ours == theirs, f'{path}: {ours!r} != {theirs!r}'


def js_elements(oracle, expr, **args):
    return oracle.eval(f'const ds = {expr}; return {{size: ds.size, elements: await ds.toArray()}};',
                       args)


def check(oracle, ours_ds, js_expr, check_size=True, **args):
    theirs = js_elements(oracle, js_expr, **args)
    if check_size:
        assert ours_ds.size == theirs['size']
    assert_same(to_py(ours_ds.toArray()), theirs['elements'])


ITEMS = [{'a': i, 'b': [i, i + 0.5], 'c': {'d': 'x%d' % i, 'e': [[i, 1], [2, i]]}, 'f': i % 2 == 0}
         for i in range(7)]


def test_batch_nested_objects(oracle):
    check(oracle, tf.data.array(ITEMS).batch(3), 'tf.data.array(args.items).batch(3)', items=ITEMS)
    check(oracle, tf.data.array(ITEMS).batch(3, False),
          'tf.data.array(args.items).batch(3, false)', items=ITEMS)


def test_batch_tensors_keep_dtype(oracle):
    ours = tf.data.array([tf.tensor1d([i, i + 1], 'int32') for i in range(5)]).batch(2)
    js = ('tf.data.array([0, 1, 2, 3, 4].map(i => tf.tensor1d([i, i + 1], "int32"))).batch(2)')
    check(oracle, ours, js)
    ours = tf.data.array([True, False, True]).batch(2)
    check(oracle, ours, 'tf.data.array([true, false, true]).batch(2)')
    ours = tf.data.array(['p', 'q', 'r']).batch(2)
    check(oracle, ours, 'tf.data.array(["p", "q", "r"]).batch(2)')


def test_zip(oracle):
    ours = tf.data.zip({'x': tf.data.array([1, 2, 3]),
                        'y': [tf.data.array(['a', 'b']), tf.data.array([[1, 2], [3, 4]])]})
    js = ('tf.data.zip({x: tf.data.array([1, 2, 3]), '
          'y: [tf.data.array(["a", "b"]), tf.data.array([[1, 2], [3, 4]])]})')
    # TF.js's size is NaN here (it takes Math.min over the top-level values, one of which is
    # an array); ours is the size of the shortest leaf
    check(oracle, ours, js, check_size=False)
    assert ours.size == 2
    flat = tf.data.zip({'x': tf.data.array([1, 2, 3]), 'y': tf.data.array([[1, 2], [3, 4]])})
    check(oracle, flat.batch(2),
          'tf.data.zip({x: tf.data.array([1, 2, 3]), y: tf.data.array([[1, 2], [3, 4]])}).batch(2)')
    check(oracle, tf.data.zip([tf.data.array([1, 2, 3]), tf.data.array([4, 5])]),
          'tf.data.zip([tf.data.array([1, 2, 3]), tf.data.array([4, 5])])')


@pytest.mark.parametrize('ours_fn, js', [
    (lambda d: d.take(3), 'd.take(3)'),
    (lambda d: d.take(20), 'd.take(20)'),
    (lambda d: d.skip(4), 'd.skip(4)'),
    (lambda d: d.skip(20), 'd.skip(20)'),
    (lambda d: d.repeat(3), 'd.repeat(3)'),
    (lambda d: d.repeat(0), 'd.repeat(0)'),
    (lambda d: d.repeat().take(17), 'd.repeat().take(17)'),
    (lambda d: d.concatenate(d.take(2)), 'd.concatenate(d.take(2))'),
    (lambda d: d.filter(lambda x: x % 3 == 0), 'd.filter(x => x % 3 === 0)'),
    (lambda d: d.map(lambda x: {'v': x, 'w': [x, 2 * x]}).batch(4),
     'd.map(x => ({v: x, w: [x, 2 * x]})).batch(4)'),
    (lambda d: d.skip(2).take(5).repeat(2).batch(3), 'd.skip(2).take(5).repeat(2).batch(3)'),
])
def test_methods(oracle, ours_fn, js):
    d = tf.data.array(list(range(10)))
    check(oracle, ours_fn(d), f'(() => {{ const d = tf.data.array([...Array(10).keys()]); '
                              f'return {js}; }})()')


@pytest.mark.parametrize('buffer, seed', [(10, 'abc'), (3, 'seed'), (7, 12345), (1, 'x'),
                                          (50, 'big buffer')])
def test_seeded_shuffle_order(oracle, buffer, seed):
    items = list(range(40))
    seed_js = repr(seed) if isinstance(seed, str) else str(seed)
    theirs = oracle.eval(f'''
        const ds = tf.data.array(args.items).shuffle({buffer}, {seed_js});
        return [await ds.toArray(), await ds.toArray()];''', items=items)
    ours = tf.data.array(items).shuffle(buffer, seed)
    assert [ours.toArray(), ours.toArray()] == theirs
    ours = tf.data.array(items).shuffle(buffer, seed).batch(6)
    theirs = oracle.eval(f'''
        const ds = tf.data.array(args.items).shuffle({buffer}, {seed_js}).batch(6);
        return (await ds.toArray()).map(t => t.arraySync());''', items=items)
    assert [b.arraySync() for b in ours.toArray()] == theirs


def test_shuffle_without_reshuffle_first_iteration(oracle):
    theirs = oracle.eval('''
        return await tf.data.array([...Array(20).keys()]).shuffle(5, 'k', false).toArray();''')
    assert tf.data.array(list(range(20))).shuffle(5, 'k', False).toArray() == theirs


CSV = ('id,name,score,flag,label\n'
       '1,alice,3.5,true,0\n'
       '2,"bob, jr",,false,1\n'
       '3,carol,-2,1,1\n'
       '4,,0x10,0,0\n')


def test_csv(oracle, tmp_path):
    path = tmp_path / 'data.csv'
    path.write_text(CSV)
    url = 'file://' + str(path)
    for config in ({},
                   {'columnConfigs': {'label': {'isLabel': True}, 'score': {'default': -1},
                                      'flag': {'dtype': 'bool'}, 'id': {'dtype': 'int32'}}},
                   {'columnConfigs': {'score': {'dtype': 'int32'}, 'label': {'isLabel': True}},
                    'configuredColumnsOnly': True},
                   {'hasHeader': False, 'columnNames': ['a', 'b', 'c', 'd', 'e']}):
        theirs = oracle.eval('''
            const ds = tf.data.csv(args.url, args.config);
            return {names: await ds.columnNames(), rows: await ds.toArray()};''',
                             url=url, config=config)
        ours = tf.data.csv(url, config)
        assert ours.columnNames() == theirs['names']
        assert_same(to_py(ours.toArray()), theirs['rows'])


def test_csv_whitespace_delimiter(oracle, tmp_path):
    path = tmp_path / 'ws.csv'
    path.write_text('a  b c\n1 2   3\n4 5 6\n')
    url = 'file://' + str(path)
    theirs = oracle.eval('return await tf.data.csv(args.url, {delimWhitespace: true}).toArray();',
                         url=url)
    assert tf.data.csv(url, {'delimWhitespace': True}).toArray() == theirs


def test_csv_errors_match(oracle, tmp_path):
    path = tmp_path / 'bad.csv'
    path.write_text('a,b\n1,\n')
    url = 'file://' + str(path)
    theirs = oracle.eval('''
        try { await tf.data.csv(args.url, {columnConfigs: {b: {required: true}}}).toArray(); }
        catch (e) { return e.message; }''', url=url)
    with pytest.raises(ValueError) as info:
        tf.data.csv(url, {'columnConfigs': {'b': {'required': True}}}).toArray()
    assert str(info.value) == theirs


FIT_JS = '''
const model = tf.sequential();
model.add(tf.layers.dense({units: 1, inputShape: [2], kernelInitializer: 'ones',
                           biasInitializer: 'zeros'}));
model.compile({optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError', metrics: ['mae']});
const make = () => tf.data.zip({xs: tf.data.array(args.xs), ys: tf.data.array(args.ys)});
const train = make().shuffle(5, 'fit').batch(3);
const args2 = {epochs: 4, verbose: 0, validationData: make().batch(4)};
if (args.bpe) { args2.batchesPerEpoch = args.bpe; }
const h = await model.fitDataset(args.bpe ? train.repeat() : train, args2);
const ev = await model.evaluateDataset(make().batch(5));
return {history: h.history, epoch: h.epoch, weights: model.getWeights().map(w => w.arraySync()),
        evaluation: ev.map(t => t.arraySync())};
'''


@pytest.mark.parametrize('bpe', [None, 2])
def test_fit_dataset_matches_tfjs(oracle, bpe):
    rng = np.random.RandomState(0)
    xs = rng.uniform(-1, 1, (11, 2)).round(3).tolist()
    ys = [[x[0] * 2 - x[1] + 0.5] for x in xs]
    theirs = oracle.eval(FIT_JS, xs=xs, ys=ys, bpe=bpe)

    model = tf.sequential()
    model.add(tf.layers.dense({'units': 1, 'inputShape': [2], 'kernelInitializer': 'ones',
                               'biasInitializer': 'zeros'}))
    model.compile({'optimizer': tf.train.sgd(0.01), 'loss': 'meanSquaredError', 'metrics': ['mae']})

    def make():
        return tf.data.zip({'xs': tf.data.array(xs), 'ys': tf.data.array(ys)})
    train = make().shuffle(5, 'fit').batch(3)
    args = {'epochs': 4, 'verbose': 0, 'validationData': make().batch(4)}
    if bpe:
        args['batchesPerEpoch'] = bpe
    h = model.fitDataset(train.repeat() if bpe else train, args)
    evaluation = [t.arraySync() for t in model.evaluateDataset(make().batch(5))]

    assert h.epoch == theirs['epoch']
    assert set(h.history) == set(theirs['history'])
    for key, values in theirs['history'].items():
        np.testing.assert_allclose(h.history[key], values, rtol=2e-5, atol=1e-6, err_msg=key)
    for w, expected in zip(model.getWeights(), theirs['weights']):
        np.testing.assert_allclose(w.arraySync(), expected, rtol=2e-5, atol=1e-6)
    np.testing.assert_allclose(evaluation, theirs['evaluation'], rtol=2e-5, atol=1e-6)
