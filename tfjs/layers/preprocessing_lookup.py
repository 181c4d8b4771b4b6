"""Keras's lookup layers: IntegerLookup and StringLookup (a vocabulary given in the config or
learnt with `adapt`, out-of-vocabulary (OOV) indices, an optional mask token, `invert`, and the
output modes int / oneHot / multiHot / count / tfIdf), with Keras 3's index layout:

    [mask token (int mode only)] [numOovIndices OOV slots] [vocabulary...]

Integer outputs are int32 (Keras gives int64). Hashing and TextVectorization are registered
so that a model carrying them fails to load with a clear NotImplementedError.
"""
from __future__ import annotations

from collections import Counter

import numpy as np
import torch

from ..backend import device
from ..errors import NotImplementedError, ValueError
from ..serialization.registry import register_builtin
from ..tensor import Tensor
from .core import TorchLayer, one_input, one_shape
from .preprocessing import _as_batches, camel_choice, encode_categorical

LOOKUP_MODES = ('int', 'oneHot', 'multiHot', 'count', 'tfIdf')


class IndexLookup(TorchLayer):
    """Base of IntegerLookup / StringLookup (Keras's IndexLookup)."""

    CONFIG_KEYS = ('maxTokens', 'numOovIndices', 'maskToken', 'oovToken', 'vocabulary',
                   'idfWeights', 'invert', 'outputMode', 'sparse', 'padToMaxTokens',
                   'vocabularyDtype', 'vocabularySize', 'oovMethod', 'salt', 'encoding')
    DEFAULT_OOV = None
    STRINGS = False

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        name = self.className
        self.maxTokens = args.get('maxTokens')
        if self.maxTokens is not None and self.maxTokens <= 1:
            raise ValueError(f'If set, `maxTokens` must be greater than 1. Received: '
                             f'maxTokens={self.maxTokens}')
        self.padToMaxTokens = bool(args.get('padToMaxTokens'))
        if self.padToMaxTokens and self.maxTokens is None:
            raise ValueError('If padToMaxTokens is true, must set `maxTokens`.')
        self.numOovIndices = 1 if args.get('numOovIndices') is None else args['numOovIndices']
        if self.numOovIndices < 0:
            raise ValueError(f'`numOovIndices` must be greater than or equal to 0. Received: '
                             f'numOovIndices={self.numOovIndices}')
        self.maskToken = args.get('maskToken')
        self.oovToken = args['oovToken'] if 'oovToken' in args else self.DEFAULT_OOV
        mode = args.get('outputMode')
        mode = {'binary': 'multiHot', 'tf-idf': 'tfIdf'}.get(mode, mode)
        self.outputMode = camel_choice(mode, LOOKUP_MODES, 'outputMode', name, 'int')
        self.invert = bool(args.get('invert'))
        if self.invert and self.outputMode != 'int':
            raise ValueError(f"`outputMode` must be 'int' when `invert` is true. Received: "
                             f'outputMode={self.outputMode}')
        if args.get('sparse'):
            raise NotImplementedError(f'{name} with sparse=True (sparse outputs) is not '
                                      'supported; use sparse=False (dense outputs).')
        self.oovMethod = args.get('oovMethod') or 'floormod'
        if self.numOovIndices > 1 and (self.STRINGS or self.oovMethod == 'farmhash'):
            raise NotImplementedError(f'{name} with numOovIndices > 1 hashes OOV tokens with '
                                      'FarmHash, which is not implemented; use numOovIndices 0 '
                                      'or 1' + ('.' if self.STRINGS else " or oovMethod "
                                                "'floormod'."))
        self.salt = args.get('salt')
        self.vocabularyDtype = args.get('vocabularyDtype') or ('string' if self.STRINGS
                                                               else 'int64')
        self.encoding = args.get('encoding')
        vocab = args.get('vocabulary')
        if isinstance(vocab, str):
            raise NotImplementedError(f'{name}: a vocabulary file path ({vocab!r}) is not '
                                      'supported (loading never reads files named in a config); '
                                      'give the vocabulary as a list.')
        idf = args.get('idfWeights')
        if idf is not None and self.outputMode != 'tfIdf':
            raise ValueError(f"`idfWeights` should only be set if `outputMode` is 'tfIdf'. "
                             f'Received: idfWeights={idf} and outputMode={self.outputMode}')
        if self.outputMode == 'tfIdf' and vocab is not None and idf is None:
            raise ValueError("When specifying the `vocabulary` argument, in TF-IDF output mode, "
                             'the `idfWeights` argument must also be provided.')
        self.inputVocabulary = None if vocab is None else list(vocab)
        self.inputIdfWeights = None if idf is None else list(idf)
        self._tokens = None
        self._idf = None
        if vocab is not None:
            self.setVocabulary(vocab, idf)

    # ------------------------------------------------------------------ vocabulary
    def _oov_start(self) -> int:
        return 1 if self.maskToken is not None and self.outputMode == 'int' else 0

    def _token_start(self) -> int:
        return self._oov_start() + self.numOovIndices

    def setVocabulary(self, vocabulary, idfWeights=None) -> None:
        """Set the vocabulary (and, for tfIdf, the IDF weights), Keras's `set_vocabulary`."""
        vocab = list(np.asarray(vocabulary).tolist())
        if not vocab:
            raise ValueError(f'Cannot set an empty vocabulary. Received: vocabulary={vocab}')
        start = self._token_start()
        special = [self.maskToken] * self._oov_start() + [self.oovToken] * self.numOovIndices
        found = vocab[:start] == special
        tokens = vocab[start:] if found else vocab
        repeated = [t for t, c in Counter(tokens).items() if c > 1]
        if repeated:
            raise ValueError(f'The passed vocabulary has at least one repeated term. Please '
                             f'uniquify your dataset. The repeated terms are: {repeated}')
        if self.maskToken is not None and self.maskToken in tokens:
            raise ValueError(f'Found reserved mask token at unexpected location in `vocabulary`. '
                             f'Either remove all mask and OOV tokens, or include them only at '
                             f'the start of the vocabulary in precisely this order: {special}.')
        if self.oovToken is not None and self.invert and self.oovToken in tokens:
            raise ValueError(f'Found reserved OOV token at unexpected location in `vocabulary`. '
                             f'Either remove all mask and OOV tokens, or include them only at '
                             f'the start of the vocabulary in precisely this order: {special}.')
        if self.maxTokens is not None and start + len(tokens) > self.maxTokens:
            raise ValueError(f'Attempted to set a vocabulary larger than the maximum vocab size. '
                             f'Received vocabulary size is {start + len(tokens)}; `maxTokens` is '
                             f'{self.maxTokens}.')
        if self.outputMode == 'tfIdf':
            if idfWeights is None:
                raise ValueError("`idfWeights` must be set if outputMode is 'tfIdf'.")
            idf = np.asarray(idfWeights, dtype=np.float32)
            if len(idf) != len(vocab):
                raise ValueError(f'`idfWeights` must be the same length as vocabulary. '
                                 f'len(idfWeights) is {len(idf)}; len(vocabulary) is {len(vocab)}')
            self._set_idf(idf, 0 if found else start)
        self._set_tokens(tokens)

    def _set_idf(self, idf: np.ndarray, front: int) -> None:
        idf = np.pad(idf, (front, 0), constant_values=float(np.mean(idf)) if front else 0.0)
        if self.padToMaxTokens:
            idf = np.pad(idf, (0, self.maxTokens - len(idf)))
        self._idf = torch.as_tensor(idf.astype(np.float32), device=device())

    def _set_tokens(self, tokens: list) -> None:
        self._tokens = list(tokens)
        if not self.STRINGS:
            values = torch.as_tensor(np.asarray(tokens, dtype=np.int64), device=device())
            self._sorted, self._order = torch.sort(values)
        else:
            self._index = {t: i for i, t in enumerate(tokens)}

    def vocabularySize(self) -> int:
        """The size of the vocabulary, with the mask and OOV slots."""
        return self._token_start() + (len(self._tokens) if self._tokens is not None else 0)

    def getVocabulary(self, includeSpecialTokens: bool = True) -> list:
        """The vocabulary; with the special tokens, a term's position is its index."""
        tokens = list(self._tokens or [])
        if not includeSpecialTokens:
            return tokens
        return [self.maskToken] * self._oov_start() + [self.oovToken] * self.numOovIndices + \
            tokens

    def adapt(self, data, batchSize: int | None = None, steps: int | None = None) -> None:
        """Learn the vocabulary from `data`: tokens by decreasing frequency (ties: the larger
        token first, as Keras sorts), at most `maxTokens` with the special slots."""
        if self.inputVocabulary is not None:
            raise ValueError(f"Cannot adapt layer '{self.name}' after setting a static "
                             'vocabulary via `vocabulary` argument or `setVocabulary()` method.')
        counts, docs, n_docs = Counter(), Counter(), 0
        for i, batch in enumerate(_as_batches(data)):
            if steps is not None and i >= steps:
                break
            batch = np.asarray(batch, dtype=object if self.STRINGS else np.int64)
            batch = batch.reshape(1, -1) if batch.ndim <= 1 else batch
            counts.update(batch.reshape(-1).tolist())
            for row in batch.reshape(batch.shape[0], -1):
                docs.update(set(row.tolist()))
            n_docs += batch.shape[0]
        for special in (self.maskToken, self.oovToken):
            counts.pop(special, None)
        ordered = sorted(counts, key=lambda t: (counts[t], t), reverse=True)
        if self.maxTokens:
            ordered = ordered[:self.maxTokens - self._token_start()]
        if self.outputMode == 'tfIdf':
            idf = np.log(1 + n_docs / (1 + np.asarray([docs[t] for t in ordered], np.float64)))
            self._set_idf(idf.astype(np.float32), self._token_start())
        self._set_tokens(ordered)

    # ------------------------------------------------------------------ the lookup
    def _depth(self) -> int:
        return self.maxTokens if self.padToMaxTokens else self.vocabularySize()

    def computeOutputShape(self, inputShape):
        shape = one_shape(inputShape, self)
        if self.outputMode == 'int':
            return shape
        depth = self._depth()
        if self.outputMode == 'oneHot':
            return (shape[:-1] if len(shape) > 1 and shape[-1] == 1 else shape) + [depth]
        return ([shape[0]] + [depth]) if len(shape) >= 2 else [depth]

    def _positions(self, x) -> torch.Tensor:
        """Vocabulary position of each input (-1 when out of vocabulary)."""
        if self.STRINGS:
            flat = np.asarray(x, dtype=object).reshape(-1)
            pos = np.fromiter((self._index.get(_text(t), -1) for t in flat), np.int64, len(flat))
            return torch.as_tensor(pos.reshape(np.shape(x)), device=device())
        v = x.to(torch.int64)
        i = torch.searchsorted(self._sorted, v).clamp(max=len(self._tokens) - 1)
        return torch.where(self._sorted[i] == v, self._order[i], torch.full_like(v, -1))

    def _lookup(self, x) -> torch.Tensor:
        pos = self._positions(x)
        start = self._token_start()
        idx = torch.where(pos >= 0, pos + start, torch.full_like(pos, -1))
        if self.numOovIndices == 1:
            idx = torch.where(pos >= 0, idx, torch.full_like(idx, self._oov_start()))
        elif self.numOovIndices > 1:
            oov = torch.remainder(x.to(torch.int64), self.numOovIndices) + self._oov_start()
            idx = torch.where(pos >= 0, idx, oov)
        elif bool((pos < 0).any()):
            raise ValueError('When `numOovIndices=0` all inputs should be in vocabulary, found '
                             'OOV values, consider setting `numOovIndices=1`.')
        if self.maskToken is not None:
            is_mask = torch.as_tensor(np.asarray(x, dtype=object) == self.maskToken,
                                      device=idx.device) if self.STRINGS else \
                x.to(torch.int64) == int(self.maskToken)
            # int mode: index 0; other modes: out of range, so the token counts nowhere
            idx = torch.where(is_mask, torch.full_like(idx, 0 if self.outputMode == 'int' else -1),
                              idx)
        return idx

    def _invert(self, x: torch.Tensor):
        idx = x.to(torch.int64)
        table = self.getVocabulary()
        if self.STRINGS:
            lookup = np.asarray(table + [self.oovToken], dtype=object)
            i = idx.cpu().numpy()
            i = np.where((i >= 0) & (i < len(table)), i, len(table))
            return lookup[i]
        fill = -1 if self.oovToken is None else int(self.oovToken)
        t = torch.as_tensor([fill if v is None else int(v) for v in table] + [fill],
                            dtype=torch.int64, device=idx.device)
        safe = torch.where((idx >= 0) & (idx < len(table)), idx, torch.full_like(idx, len(table)))
        return t[safe].to(torch.int32)

    def forward(self, x, training: bool = False):
        if self._tokens is None:
            raise ValueError(f'{self.className}: the vocabulary is not set; give `vocabulary` '
                             'in the config or call adapt(data) first.')
        if self.invert:
            return self._invert(x)
        idx = self._lookup(x)
        if self.outputMode == 'int':
            return idx.to(torch.int32)
        mode = 'count' if self.outputMode == 'tfIdf' else self.outputMode
        out = encode_categorical(idx, mode, self._depth())
        if self.outputMode == 'tfIdf':
            return out * self._idf
        return out.to(torch.int32)

    def call(self, inputs, kwargs: dict):
        x = one_input(inputs, self)
        raw = x._value()
        if self.STRINGS and x.dtype != 'string' and not self.invert:
            raise ValueError(f'StringLookup expects string inputs, got a {x.dtype} tensor.')
        out = self.forward(raw)
        if isinstance(out, np.ndarray):
            return Tensor._make(out, 'string')
        return Tensor._make(out, 'float32' if out.is_floating_point() else 'int32')

    def getConfig(self) -> dict:
        config = {'invert': self.invert, 'maxTokens': self.maxTokens,
                  'numOovIndices': self.numOovIndices, 'oovToken': self.oovToken,
                  'maskToken': self.maskToken, 'outputMode': self.outputMode,
                  'sparse': False, 'padToMaxTokens': self.padToMaxTokens,
                  'vocabularyDtype': self.vocabularyDtype, 'idfWeights': self.inputIdfWeights,
                  'vocabulary': self.inputVocabulary, 'oovMethod': self.oovMethod}
        if self._tokens is not None and self.inputVocabulary is None:
            config['vocabulary'] = self.getVocabulary()       # learnt by adapt
            if self._idf is not None:
                config['idfWeights'] = self._idf.cpu().tolist()
        if self.salt is not None:
            config['salt'] = self.salt
        if self.encoding is not None:
            config['encoding'] = self.encoding
        config.update(super().getConfig())
        return config


def _text(t) -> str:
    return t.decode('utf-8') if isinstance(t, bytes) else t


class IntegerLookup(IndexLookup):
    """Map integer tokens to indices of a vocabulary (Keras's IntegerLookup): vocabulary tokens
    get `numOovIndices` + position (+1 with a `maskToken` in int mode), unknown tokens an OOV
    index; or one-hot / multi-hot / count / TF-IDF vectors over those indices.

    >>> import tfjs as tf
    >>> layer = tf.layers.integerLookup({'vocabulary': [12, 36, 1138, 42]})
    >>> layer.apply(tf.tensor([[12, 1138, 42], [42, 1000, 36]], None, 'int32')).arraySync()
    [[1, 3, 4], [4, 0, 2]]
    """

    className = 'IntegerLookup'
    DEFAULT_OOV = -1


class StringLookup(IndexLookup):
    """Map string tokens to indices of a vocabulary (Keras's StringLookup; OOV token
    '[UNK]'), or one-hot / multi-hot / count / TF-IDF vectors over them.

    >>> import tfjs as tf
    >>> layer = tf.layers.stringLookup({'vocabulary': ['a', 'b', 'c', 'd']})
    >>> layer.apply(tf.tensor([['a', 'c', 'd'], ['d', 'z', 'b']])).arraySync()
    [[1, 3, 4], [4, 0, 2]]
    """

    className = 'StringLookup'
    DEFAULT_OOV = '[UNK]'
    STRINGS = True


class _Unsupported(TorchLayer):
    """A Keras layer that is registered so that loading a model carrying it fails clearly."""

    def __init__(self, args: dict | None = None, /, **kwargs):
        raise NotImplementedError(f'The Keras layer {self.className} is not implemented in tfjs '
                                  f'({self.WHY}); a model using it cannot be loaded or built.')


class Hashing(_Unsupported):
    className = 'Hashing'
    WHY = "it hashes with TensorFlow's FarmHash / SipHash fingerprints"


class TextVectorization(_Unsupported):
    className = 'TextVectorization'
    WHY = 'its string splitting and normalization run on TensorFlow string ops'


register_builtin(Hashing)
register_builtin(TextVectorization)

FACTORIES = {
    'integerLookup': (IntegerLookup, "{'vocabulary': [3, 5, 7]}"),
    'stringLookup': (StringLookup, "{'vocabulary': ['a', 'b']}"),
}
