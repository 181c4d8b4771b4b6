"""Numeric and categorical preprocessing layers: Rescaling and CategoryEncoding (TF.js's
`layers/preprocessing/*.ts`), and the Keras layers Normalization and Discretization that real
tabular models carry. Image layers are in preprocessing_image.py, random augmentation layers in
preprocessing_random.py, lookup layers in preprocessing_lookup.py.

String values in configs are stored camelCase ('multiHot'), as TF.js does, so that the generic
JSON writer produces Keras's snake_case ('multi_hot'); snake_case is accepted on input too.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from .._naming import to_camel_case
from ..engine.common import name_scope
from ..errors import NotImplementedError, ValueError
from ..tensor import Tensor, convert_to_tensor
from .core import TorchLayer, one_input, one_shape

EPSILON = 1e-7          # Keras's backend.epsilon(), the floor of sqrt(variance) in Normalization


def camel_choice(value: Any, allowed: tuple, what: str, layer: str, default=None):
    """`value` as one of the camelCase strings `allowed` (snake_case accepted), or `default`."""
    if value is None:
        return default
    camel = to_camel_case(value) if isinstance(value, str) else value
    if camel not in allowed:
        raise ValueError(f'{layer}: invalid {what} {value!r}; expected one of '
                         f'{", ".join(repr(a) for a in allowed)}.')
    return camel


def encode_categorical(idx: torch.Tensor, mode: str, depth: int,
                       weights: torch.Tensor | None = None,
                       rank_limit: bool = True) -> torch.Tensor:
    """Encode integer indices as TF.js's `encodeCategoricalInputs` (and Keras) do.

    `mode` 'int' returns the indices; 'oneHot' appends a one-hot axis of size `depth` (replacing
    a last axis of size 1); 'multiHot' / 'count' reduce the last axis of a rank-2 input (a rank-1
    input is one sample) into a presence flag / a (weighted) count per token.
    """
    if mode == 'int':
        return idx.to(torch.int32)
    idx = idx.long()
    if idx.ndim == 0:
        idx = idx.reshape(1)
    if mode == 'oneHot':
        if idx.ndim > 1 and idx.shape[-1] == 1:
            idx = idx.squeeze(-1)
        return torch.nn.functional.one_hot(idx.clamp(0, depth - 1), depth).to(torch.float32) \
            * ((idx >= 0) & (idx < depth)).unsqueeze(-1)
    if idx.ndim > 2 and rank_limit:
        raise ValueError(f'When outputMode is not int, maximum output rank is 2 Received '
                         f'outputMode {mode} and input shape {list(idx.shape)} which would '
                         f'result in output rank {idx.ndim}.')
    rows = idx.reshape(1, -1) if idx.ndim == 1 else idx.reshape(-1, idx.shape[-1])
    valid = (rows >= 0) & (rows < depth)
    safe = torch.where(valid, rows, torch.zeros_like(rows))
    if mode == 'count' and weights is not None:
        w = weights.to(torch.float32).reshape(rows.shape) * valid
    else:
        w = valid.to(torch.float32)
    out = torch.zeros(rows.shape[0], depth, dtype=torch.float32, device=idx.device)
    out.scatter_add_(1, safe, w)
    if mode == 'multiHot':
        out = (out > 0).to(torch.float32)
    return out[0] if idx.ndim == 1 else out.reshape(*idx.shape[:-1], depth)


class Rescaling(TorchLayer):
    """`output = input * scale + offset` (always float32; integer images welcome).

    >>> import tfjs as tf
    >>> x = tf.tensor([[0, 255]], None, 'int32')
    >>> tf.layers.rescaling({'scale': 1 / 255}).apply(x).arraySync()
    [[0.0, 1.0]]
    """

    className = 'Rescaling'
    CONFIG_KEYS = ('scale', 'offset')

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        if args.get('scale') is None:
            raise ValueError('tf.layers.rescaling() needs a "scale", e.g. {"scale": 1 / 255}.')
        self.scale = args['scale']
        self.offset = args.get('offset') or 0        # TF.js: a falsy offset means 0
        self.supportsMasking = True

    def forward(self, x: torch.Tensor, training: bool) -> torch.Tensor:
        x = x.to(torch.float32)
        scale, offset = self.scale, self.offset
        if isinstance(scale, (list, tuple)):         # Keras 3: per-channel scale
            scale = torch.tensor(scale, dtype=torch.float32, device=x.device)
        if isinstance(offset, (list, tuple)):
            offset = torch.tensor(offset, dtype=torch.float32, device=x.device)
        return x * scale + offset

    def getConfig(self) -> dict:
        config = {'scale': self.scale, 'offset': self.offset}
        config.update(super().getConfig())
        return config


CATEGORY_MODES = ('multiHot', 'oneHot', 'count')


class CategoryEncoding(TorchLayer):
    """Encode integer category ids in [0, numTokens) as multi-hot (default), one-hot or count
    vectors; `apply(x, {'countWeights': w})` weights the counts.

    >>> import tfjs as tf
    >>> layer = tf.layers.categoryEncoding({'numTokens': 4, 'outputMode': 'oneHot'})
    >>> layer.apply(tf.tensor([3, 0], None, 'int32')).arraySync()
    [[0.0, 0.0, 0.0, 1.0], [1.0, 0.0, 0.0, 0.0]]
    """

    className = 'CategoryEncoding'
    CONFIG_KEYS = ('numTokens', 'outputMode', 'sparse')

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        num = args.get('numTokens')
        if not isinstance(num, int) or isinstance(num, bool) or num < 1:
            raise ValueError(f'tf.layers.categoryEncoding() needs "numTokens", a positive integer '
                             f'(the number of categories); got {num!r}.')
        self.numTokens = num
        mode = args.get('outputMode')
        mode = 'multiHot' if mode in ('binary',) else mode
        self.outputMode = camel_choice(mode, CATEGORY_MODES, 'outputMode', 'CategoryEncoding',
                                       'multiHot')
        if args.get('sparse'):
            raise NotImplementedError('CategoryEncoding with sparse=True (sparse outputs) is not '
                                      'supported; use sparse=False (dense outputs).')

    def computeOutputShape(self, inputShape):
        shape = one_shape(inputShape, self)
        if not shape:
            return [self.numTokens]
        if self.outputMode == 'oneHot' and (shape[-1] != 1 or len(shape) == 1):
            return shape + [self.numTokens]
        return shape[:-1] + [self.numTokens]

    def _check_range(self, idx: torch.Tensor) -> None:
        # TF.js validates the range (a host read, as TF.js's bufferSync does).
        if idx.numel() and bool(((idx < 0) | (idx >= self.numTokens)).any()):
            raise ValueError(f'Input values must be between 0 < values <= numTokens with '
                             f'numTokens={self.numTokens}')

    def forward(self, x: torch.Tensor, training: bool, weights=None) -> torch.Tensor:
        idx = x if not x.is_floating_point() else x.to(torch.int32)
        self._check_range(idx)
        return encode_categorical(idx, self.outputMode, self.numTokens, weights,
                                  rank_limit=self.outputMode != 'oneHot')

    def call(self, inputs, kwargs: dict):
        x = one_input(inputs, self)
        weights = kwargs.get('countWeights')
        if weights is not None:
            if self.outputMode != 'count':
                raise ValueError(f'countWeights is not used when outputMode !== count. Received '
                                 f'countWeights={weights}')
            weights = convert_to_tensor(weights, 'countWeights', 'CategoryEncoding')._value()
        return Tensor._make(self.forward(x._value(), False, weights), 'float32')

    def getConfig(self) -> dict:
        config = {'numTokens': self.numTokens, 'outputMode': self.outputMode}
        config.update(super().getConfig())
        return config


def _as_batches(data) -> list:
    """`adapt` data as a list of NumPy batches: an array/tensor/list is one batch, a tf.data
    Dataset or any other iterable yields batches."""
    if isinstance(data, Tensor):
        return [np.asarray(data.arraySync() if data.dtype == 'string' else data)]
    if isinstance(data, np.ndarray):
        return [data]
    if isinstance(data, (list, tuple)):
        if data and isinstance(data[0], (Tensor, np.ndarray)):
            return [np.asarray(b) for b in data]
        return [np.asarray(data)]
    if hasattr(data, 'iterator') or hasattr(data, '__iter__'):
        batches = []
        items = data.iterator() if hasattr(data, 'iterator') and not hasattr(data, '__iter__') \
            else data
        for b in items:
            b = b[0] if isinstance(b, (list, tuple)) else b
            batches.append(np.asarray(b))
        if not batches:
            raise ValueError('adapt() received an empty dataset; give at least one batch.')
        return batches
    raise ValueError(f'adapt() expects a tensor, a NumPy array, a list of batches or a dataset; '
                     f'got {type(data).__name__}.')


class Normalization(TorchLayer):
    """Keras's Normalization: `(x - mean) / max(sqrt(variance), 1e-7)` per position of `axis`
    (or the inverse with `invert`), from `mean`/`variance` given in the config or learnt
    with `adapt(data)`.

    >>> import tfjs as tf
    >>> layer = tf.layers.normalization({'mean': 2.0, 'variance': 4.0, 'axis': None})
    >>> layer.apply(tf.tensor([[0.0, 4.0]])).arraySync()
    [[-1.0, 1.0]]
    """

    className = 'Normalization'
    CONFIG_KEYS = ('axis', 'mean', 'variance', 'invert')

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        given = dict(args)
        axis = given['axis'] if 'axis' in given else -1
        super().__init__(args)
        if axis is None:
            axis = ()
        elif isinstance(axis, int):
            axis = (axis,)
        self.axis = tuple(int(a) for a in axis)
        self.inputMean = args.get('mean')
        self.inputVariance = args.get('variance')
        self.invert = bool(args.get('invert', False))
        self.supportsMasking = True
        if (self.inputMean is None) != (self.inputVariance is None):
            raise ValueError(f'When setting values directly, both `mean` and `variance` must be '
                             f'set. Received: mean={self.inputMean} and '
                             f'variance={self.inputVariance}')
        if self.inputMean is not None:
            ms, vs = np.shape(self.inputMean), np.shape(self.inputVariance)
            if ms != vs:
                raise ValueError(f'When setting values directly, `mean` and `variance` must have '
                                 f'the same shape. Received: mean shape {ms} and variance shape '
                                 f'{vs}')
            if len(ms) > len(self.axis):
                raise ValueError(f'The rank of `mean` must be less than or equal to the number of '
                                 f'axes ({len(self.axis)}). Received: mean shape {ms} for axis '
                                 f'{list(self.axis)}')
        self.adaptMean = self.adaptVariance = self.count = None
        self._mean = self._variance = None
        self._build_shape = None

    def build(self, inputShape) -> None:
        shape = one_shape(inputShape, self)
        ndim = len(shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(f'All `axis` values must be in the range [-ndim, ndim). Received '
                             f'inputs with ndim={ndim}, while axis={list(self.axis)}')
        keep = sorted(a % ndim for a in self.axis)
        for d in keep:
            if shape[d] is None:
                raise ValueError(f'All `axis` values to be kept must have a known shape. Received '
                                 f'axis={list(self.axis)}, inputs.shape={shape}, with unknown axis '
                                 f'at index {d}')
        self._build_shape = shape
        self._keep = keep
        self._reduce = tuple(d for d in range(ndim) if d not in keep)
        self._broadcast = [shape[d] if d in keep else 1 for d in range(ndim)]
        stat_shape = [shape[d] for d in keep]
        if self.inputMean is None:
            if self.adaptMean is None:
                self.adaptMean = self.addWeight('mean', stat_shape, 'float32', 'zeros', None, False)
                self.adaptVariance = self.addWeight('variance', stat_shape, 'float32', 'ones',
                                                    None, False)
                self.count = self.addWeight('count', [], 'int32', 'zeros', None, False)
        else:
            self._mean = self._given(self.inputMean, ndim)
            self._variance = self._given(self.inputVariance, ndim)
        self.built = True

    def _given(self, value, ndim: int) -> torch.Tensor:
        from ..backend import device
        t = torch.as_tensor(np.asarray(value, dtype=np.float32), device=device())
        if t.ndim:
            expanded = [1] * ndim
            for i in range(1, t.ndim + 1):
                expanded[self._keep[-i]] = t.shape[-i]
            t = t.reshape(expanded)
        return t.expand(self._broadcast).contiguous()

    def adapt(self, data, batchSize: int | None = None, steps: int | None = None) -> None:
        """Learn the mean and variance of `data` (a tensor, a NumPy array, a list of batches or
        a tf.data Dataset of batches), per position of `axis`."""
        if self.inputMean is not None:
            raise ValueError('This Normalization layer was given `mean` and `variance`; adapt() '
                             'only learns them when they are not given.')
        batches = _as_batches(data)
        if steps is not None:
            batches = batches[:steps]
        if not self.built:
            with name_scope(self.name):               # weight names as apply() gives them
                self.build(list(batches[0].shape))
        total_mean = total_var = None
        total = 0
        for b in batches:
            b = b.astype(np.float64)
            for d in self._keep:
                if b.shape[d] != self._build_shape[d]:
                    raise ValueError(f'The layer was built with input_shape={self._build_shape}, '
                                     f'but adapt() is being called with data with an '
                                     f'incompatible shape, data.shape={list(b.shape)}')
            mean = b.mean(axis=self._reduce)
            var = b.var(axis=self._reduce)
            n = math.prod(b.shape[d] for d in self._reduce) if self._reduce else 1
            if total_mean is None:
                total_mean, total_var, total = mean, var, n
                continue
            total += n
            w = n / total
            new_mean = total_mean * (1 - w) + mean * w
            total_var = (total_var + (total_mean - new_mean) ** 2) * (1 - w) \
                + (var + (mean - new_mean) ** 2) * w
            total_mean = new_mean
        self.adaptMean.write(convert_to_tensor(np.asarray(total_mean, np.float32)))
        self.adaptVariance.write(convert_to_tensor(np.asarray(total_var, np.float32)))

    def forward(self, x: torch.Tensor, training: bool) -> torch.Tensor:
        x = x.to(torch.float32)
        if self._mean is not None:
            mean, var = self._mean, self._variance
        else:
            mean = self.adaptMean.val._t.reshape(self._broadcast)
            var = self.adaptVariance.val._t.reshape(self._broadcast)
        std = torch.clamp(torch.sqrt(var), min=EPSILON)
        return mean + x * std if self.invert else (x - mean) / std

    def getConfig(self) -> dict:
        config = {'axis': list(self.axis), 'invert': self.invert}
        if self.inputMean is not None:
            config['mean'] = np.asarray(self.inputMean).tolist()
            config['variance'] = np.asarray(self.inputVariance).tolist()
        config.update(super().getConfig())
        return config


DISCRETIZATION_MODES = ('int', 'oneHot', 'multiHot', 'count')


def _summarize(values: np.ndarray, epsilon: float) -> np.ndarray:
    values = np.sort(values.reshape(-1))
    step = max(values.size / (1.0 / epsilon), 1)
    boundaries = values[int(step - 1)::int(step)]
    return np.stack([boundaries, np.ones_like(boundaries) * step])


def _compress(summary: np.ndarray, epsilon: float) -> np.ndarray:
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + np.arange(0.0, 1.0, epsilon)
    cum = summary[1].cumsum()
    cum_pct = cum / cum[-1]
    bins = np.interp(percents, cum_pct, summary[0])
    cum = np.interp(percents, cum_pct, cum)
    weights = cum - np.concatenate((np.array([0]), cum[:-1]))
    return np.stack((bins, weights)).astype('float32')


class Discretization(TorchLayer):
    """Keras's Discretization: bucket ids of `binBoundaries` (`b[i-1] <= x < b[i]` gives i),
    as int32 ids or one-hot / multi-hot / count vectors; `adapt(data)` learns `numBins`
    quantile boundaries.

    >>> import tfjs as tf
    >>> layer = tf.layers.discretization({'binBoundaries': [0.0, 1.0]})
    >>> layer.apply(tf.tensor([[-0.5, 0.0, 0.5, 2.0]])).arraySync()
    [[0, 1, 1, 2]]
    """

    className = 'Discretization'
    CONFIG_KEYS = ('binBoundaries', 'numBins', 'epsilon', 'outputMode', 'sparse')

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        self.outputMode = camel_choice(args.get('outputMode'), DISCRETIZATION_MODES,
                                       'outputMode', 'Discretization', 'int')
        if args.get('sparse'):
            raise NotImplementedError('Discretization with sparse=True (sparse outputs) is not '
                                      'supported; use sparse=False (dense outputs).')
        bins, num = args.get('binBoundaries'), args.get('numBins')
        if num is not None and num < 0:
            raise ValueError(f'`num_bins` must be greater than or equal to 0. Received: '
                             f'`num_bins={num}`')
        if num is not None and bins is not None:
            raise ValueError(f'Both `num_bins` and `bin_boundaries` should not be set. Received: '
                             f'`num_bins={num}` and `bin_boundaries={bins}`')
        if num is None and bins is None:
            raise ValueError('You need to set either `num_bins` or `bin_boundaries`.')
        self.binBoundaries = None if bins is None else [float(b) for b in bins]
        self.numBins = num
        self.epsilon = 0.01 if args.get('epsilon') is None else args['epsilon']
        self._summary = np.array([[], []], dtype='float32')

    def _depth(self) -> int:
        return len(self.binBoundaries) + 1 if self.binBoundaries is not None else self.numBins

    def adapt(self, data, batchSize: int | None = None, steps: int | None = None) -> None:
        """Learn `numBins` bin boundaries from the quantiles of `data` (Keras's approximate
        quantile summaries, with precision `epsilon`)."""
        if self.numBins is None:
            raise ValueError('Cannot adapt a Discretization layer that has been initialized with '
                             '`bin_boundaries`, use `num_bins` instead.')
        summary = np.array([[], []], dtype='float32')
        for i, b in enumerate(_as_batches(data)):
            if steps is not None and i >= steps:
                break
            part = _summarize(b.astype('float32'), self.epsilon)
            merged = np.concatenate((part, summary), axis=1)
            summary = _compress(np.take(merged, np.argsort(merged[0]), axis=1), self.epsilon)
        self._summary = summary
        self.binBoundaries = _compress(summary, 1.0 / self.numBins)[0, :-1].tolist()

    def computeOutputShape(self, inputShape):
        shape = one_shape(inputShape, self)
        if self.outputMode == 'int':
            return shape
        depth = self._depth()
        if self.outputMode == 'oneHot':
            return (shape[:-1] if shape and shape[-1] == 1 and len(shape) > 1 else shape) + [depth]
        return [shape[0]] + shape[2:] + [depth] if len(shape) >= 2 else [depth]

    def forward(self, x: torch.Tensor, training: bool) -> torch.Tensor:
        if self.binBoundaries is None:
            raise ValueError('You need to either pass the `bin_boundaries` argument at '
                             'construction time or call `adapt(dataset)` before you can start '
                             'using the `Discretization` layer.')
        # TensorFlow's Bucketize compares in float32 (its boundaries are float32 too)
        key = (tuple(self.binBoundaries), x.device)
        if getattr(self, '_bounds_key', None) != key:
            self._bounds = torch.tensor(self.binBoundaries, dtype=torch.float32, device=x.device)
            self._bounds_key = key
        bounds = self._bounds
        idx = torch.bucketize(x.to(torch.float32), bounds, right=True)
        return encode_categorical(idx, self.outputMode, self._depth())

    def call(self, inputs, kwargs: dict):
        x = one_input(inputs, self)
        out = self.forward(x._value(), False)
        return Tensor._make(out, 'int32' if self.outputMode == 'int' else 'float32')

    @classmethod
    def fromConfig(cls, config: dict, customObjects: dict | None = None):
        """As Keras: an adapted layer's config has both `numBins` and the learnt
        `binBoundaries`; the boundaries are set after construction."""
        config = dict(config)
        bins = config.pop('binBoundaries', None) if config.get('numBins') is not None else None
        layer = super().fromConfig(config, customObjects)
        if bins is not None:
            layer.binBoundaries = [float(b) for b in bins]
        return layer

    def getConfig(self) -> dict:
        config = {'binBoundaries': self.binBoundaries, 'numBins': self.numBins,
                  'epsilon': self.epsilon, 'outputMode': self.outputMode, 'sparse': False}
        config = {k: v for k, v in config.items() if v is not None}
        config.update(super().getConfig())
        return config


FACTORIES = {
    'rescaling': (Rescaling, "{'scale': 1 / 255}"),
    'categoryEncoding': (CategoryEncoding, "{'numTokens': 4}"),
    'normalization': (Normalization, "{'mean': 0.5, 'variance': 0.25}"),
    'discretization': (Discretization, "{'binBoundaries': [0, 1]}"),
}
