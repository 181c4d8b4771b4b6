"""Differential cases: tf.sparse, tf.string and raggedRange."""
import numpy as np

from harness import Case, Raw, assert_all_agree, run_cases

RS = np.random.RandomState(3)
i32 = lambda *v: np.array(v, np.int32)  # noqa: E731
S = lambda *v: np.array(v, object)  # noqa: E731

CASES = []
IND = np.array([[0, 0], [1, 0], [1, 3], [1, 4], [3, 2], [3, 3]], np.int32)
VAL = np.array([0, 10, 13, 14, 32, 33], np.float32)
CASES += [Case('sparse.sparseFillEmptyRows', [IND, VAL, i32(5, 6), -1]),
          Case('sparse.sparseFillEmptyRows', [IND, VAL.astype(np.int32), i32(4, 6), 7]),
          Case('sparse.sparseFillEmptyRows', [IND[:4].copy(), VAL[:4].copy(), i32(2, 6), 0], name='all rows full'),
          Case('sparse.sparseFillEmptyRows', [IND[::-1].copy(), VAL, i32(4, 6), 0.5], name='unordered'),
          Case('sparse.sparseFillEmptyRows', [IND, S('a', 'b', 'c', 'd', 'e', 'f'), i32(5, 6), 'z'], raises=True, name='strings rejected'),
          Case('sparse.sparseFillEmptyRows', [np.zeros([0, 2], np.int32), np.zeros([0], np.float32), i32(3, 2), 9]),
          Case('sparse.sparseFillEmptyRows', [IND, VAL, i32(3, 6), -1], raises=True, name='row out of range'),
          Case('sparse.sparseFillEmptyRows', [IND * -1, VAL, i32(5, 6), -1], raises=True, name='negative row'),
          Case('sparse.sparseFillEmptyRows', [VAL, VAL, i32(5, 6), -1], raises=True, name='indices rank')]
RI = np.array([[0, 0, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0], [1, 2, 3]], np.int32)
CASES += [Case('sparse.sparseReshape', [RI, i32(2, 3, 6), i32(9, -1)]),
          Case('sparse.sparseReshape', [RI, i32(2, 3, 6), i32(3, 2, 6)]),
          Case('sparse.sparseReshape', [RI, i32(2, 3, 6), i32(36)]),
          Case('sparse.sparseReshape', [RI, i32(2, 3, 6), i32(-1, -1)], raises=True, name='two -1'),
          Case('sparse.sparseReshape', [RI, i32(2, 3, 6), i32(7, -1)], raises=True, name='not multiple'),
          Case('sparse.sparseReshape', [RI, i32(2, 3, 6), i32(5, 6)], raises=True, name='size mismatch'),
          Case('sparse.sparseReshape', [RI, i32(2, 3, 6), i32(-2, 6)], raises=True, name='negative dim')]
DATA = RS.randn(4, 3).astype(np.float32)
for op in ['sparse.sparseSegmentSum', 'sparse.sparseSegmentMean']:
    CASES += [Case(op, [DATA, i32(0, 1, 2, 3), i32(0, 0, 1, 1)]),
              Case(op, [DATA, i32(3, 1, 1), i32(0, 2, 2)], name=f'{op} gap'),
              Case(op, [DATA[:, 0].copy(), i32(0, 2), i32(1, 1)], name=f'{op} 1-d leading gap'),
              Case(op, [np.arange(12, dtype=np.int32).reshape(4, 3), i32(0, 1, 3), i32(0, 0, 0)]),
              Case(op, [DATA, i32(), i32()], name=f'{op} empty'),
              Case(op, [DATA, i32(0, 1), i32(1, 0)], raises=True, name=f'{op} not increasing'),
              Case(op, [DATA, i32(0, 9), i32(0, 0)], raises=True, name=f'{op} index range'),
              Case(op, [DATA, i32(0, 1), i32(-1, -1)], raises=True, name=f'{op} negative ids')]
WORDS = S('a', 'b', 'c', 'd', 'e', 'f', 'g')
for args in [('|', [1, 2], 'LP', 'RP', -1, False), ('', [3], '<', '>', 1, False), (' ', [2, 4], '', '', 0, False),
             ('-', [5], 'L', 'R', 0, True), ('-', [5], 'L', 'R', 1, True), ('_', [1], '', '', 0, False)]:
    CASES += [Case('string.stringNGrams', [WORDS, i32(0, 4, 4, 7), *[Raw(a) if isinstance(a, list) else a for a in args]])]
CASES += [Case('string.stringNGrams', [WORDS, i32(1, 7), '|', Raw([2]), '', '', 0, False], raises=True, name='bad first split'),
          Case('string.stringNGrams', [WORDS, i32(0, 5), '|', Raw([2]), '', '', 0, False], raises=True, name='bad last split'),
          Case('string.stringNGrams', [WORDS, np.array([0, 7], np.float32), '|', Raw([2]), '', '', 0, False], raises=True,
               name='float splits')]
SENT = S('hello world', 'a  b c', '', '  x,y ,z ', 'ünï cödé')
CASES += [Case('string.stringSplit', [SENT, ' ']), Case('string.stringSplit', [SENT, ' ', False]),
          Case('string.stringSplit', [SENT, ', ']), Case('string.stringSplit', [S('abc', 'de'), '']),
          Case('string.stringSplit', [S('abc'), S('b', 'c')], raises=True, name='delimiter vector'),
          Case('string.stringSplit', [S('abc').reshape(1, 1), ' '], raises=True, name='input rank 2')]
HASH_IN = S('', 'a', 'ab', 'abc', 'abcd', 'hello wo', 'hello world!', 'x' * 17, 'y' * 33, 'z' * 64, 'w' * 65,
            'The quick brown fox jumps over the lazy dog. ' * 4, 'ünïcödé ☃')
CASES += [Case('string.stringToHashBucketFast', [HASH_IN, 1000003]),
          Case('string.stringToHashBucketFast', [HASH_IN.reshape(13, 1), 7]),
          Case('string.stringToHashBucketFast', [HASH_IN, 1]),
          Case('string.stringToHashBucketFast', [HASH_IN, 0], raises=True, name='zero buckets')]
RX = S('a.b.c', 'aaa', 'foo bar 12', '', 'x-y_z')
CASES += [Case('string.staticRegexReplace', [RX, r'\.', '-']),
          Case('string.staticRegexReplace', [RX, 'a', 'b', False]),
          Case('string.staticRegexReplace', [RX, r'(\w+) (\w+)', '$2 $1']),
          Case('string.staticRegexReplace', [RX, r'\d+', '<$&>']),
          Case('string.staticRegexReplace', [RX, '[-_]', '$$']),
          Case('string.staticRegexReplace', [RX, '^', '>']),
          Case('string.staticRegexReplace', [RX.reshape(5, 1), r'(?<first>\w)', '[$<first>]'])]
CASES += [Case('raggedRange', [i32(0, 5, 8), i32(3, 7, 8), i32(1, 1, 1)]),
          Case('raggedRange', [i32(0, 5), i32(10, -3), i32(3, -2)]),
          Case('raggedRange', [np.array([0, 1.5], np.float32), np.array(4, np.float32), np.array([0.5, 0.25], np.float32)]),
          Case('raggedRange', [i32(2), i32(9), i32(2)]),
          Case('raggedRange', [i32(0, 1), i32(3, 4), i32(0, 1)], raises=True, name='zero delta'),
          Case('raggedRange', [i32(0, 1), i32(3, 4, 5), i32(1)], raises=True, name='shape mismatch')]


def test_sparse_string(oracle):
    assert_all_agree(run_cases(oracle, CASES))

