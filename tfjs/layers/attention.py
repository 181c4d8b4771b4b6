"""Attention layers with Keras 3's semantics: MultiHeadAttention (TF.js has it only in its
unexported `layers/nlp/multihead_attention.ts`; its config keys are accepted too), Attention
(dot-product / concat scores) and AdditiveAttention.

They take a list `[query, value]` or `[query, value, key]` (Keras's convention); call options
go in the kwargs: `attentionMask` (MultiHeadAttention), `useCausalMask`,
`returnAttentionScores` (the output is then `[output, scores]`) and `training`. The Keras masks
of the inputs (from a Masking/Embedding layer upstream) are used as Keras uses them.
MultiHeadAttention also accepts TF.js's form `apply(query, {'value': v, 'key': k})`.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from .._naming import to_camel_case
from ..constraints import get_constraint, serialize_constraint
from ..engine.common import name_scope
from ..errors import NotImplementedError, ValueError
from ..initializers import get_initializer, serialize_initializer
from ..regularizers import get_regularizer, serialize_regularizer
from ..tensor import Tensor, convert_to_tensor
from ..engine.topology import Layer, SymbolicTensor

LARGE_NEGATIVE = -1e9                    # Keras's Softmax-with-mask fill (float32)
DPA_NEGATIVE = -0.7 * 3.38953e38         # Keras's dot_product_attention fill (float32)


def _options(kwargs: dict) -> dict:
    return {to_camel_case(k): v for k, v in kwargs.items()}


def _raw(x):
    if x is None:
        return None
    return (x if isinstance(x, Tensor) else convert_to_tensor(x))._value()


def _input_masks(inputs: list, kwargs: dict) -> list:
    """The Keras masks of the inputs: kwargs['mask'] (a list) or the tensors' own masks."""
    mask = kwargs.get('mask')
    if mask is None:
        masks = [getattr(x, 'kerasMask', None) for x in inputs]
    else:
        masks = list(mask) if isinstance(mask, (list, tuple)) else [mask]
    masks = masks + [None] * (len(inputs) - len(masks))
    return [None if m is None else _raw(m).to(torch.bool) for m in masks]


def _dropout(x: torch.Tensor, rate: float, generator) -> torch.Tensor:
    keep = 1.0 - rate
    noise = torch.rand(x.shape, generator=generator).to(x.device) if generator is not None \
        else torch.rand(x.shape, device=x.device)
    return x / keep * torch.floor(noise + keep)


def _seeded(seed):
    if seed is None:
        return None
    g = torch.Generator(device='cpu')
    g.manual_seed(int(seed) & 0xFFFFFFFFFFFF)
    return g


class _ListInputLayer(Layer):
    """Shared input handling: `[query, value(, key)]`."""

    def _split(self, inputs):
        if not isinstance(inputs, (list, tuple)) or not 2 <= len(inputs) <= 3:
            n = len(inputs) if isinstance(inputs, (list, tuple)) else 1
            raise ValueError(f'{self.className} layer must be called on a list of inputs, namely '
                             f'[query, value] or [query, value, key]. Received {n} input(s).')
        return inputs[0], inputs[1], inputs[2] if len(inputs) > 2 else None

    def apply(self, inputs, kwargs: dict | None = None, **more_kwargs):
        options = _options({**(kwargs or {}), **more_kwargs})
        self._returnScores = bool(options.get('returnAttentionScores'))
        if isinstance(options.get('attentionMask'), SymbolicTensor):
            raise NotImplementedError(
                f'{self.className}: an attentionMask given as a SymbolicTensor (a model input) '
                'is not supported in a model graph; give the inputs Keras masks instead (a '
                'Masking layer or an Embedding with maskZero, or useCausalMask), or call the '
                'layer eagerly with a tensor attentionMask.')
        return super().apply(inputs, kwargs, **more_kwargs)

    __call__ = apply

    def computeMask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0] if mask else None
        if mask is not None:
            return [mask, None] if self._returnScores else mask
        m = None
        if isinstance(inputs, (list, tuple)) and inputs:
            m = getattr(inputs[0], 'kerasMask', None)
        return [m, None] if self._returnScores else m


class MultiHeadAttention(_ListInputLayer):
    """Multi-head attention (Keras 3): query/key/value projections to `numHeads` heads of
    `keyDim` (`valueDim`) units, scaled dot-product attention over `attentionAxes`, and an
    output projection to `outputShape` (default: the query's last dimension).

    Weights (Keras names and shapes): `query/kernel` [dimQ, heads, keyDim], `query/bias`
    [heads, keyDim], `key/...`, `value/...` (valueDim), `attention_output/kernel`
    [heads, valueDim, *out], `attention_output/bias` [*out]; `gate/...` with `useGate`.

    >>> import tfjs as tf
    >>> mha = tf.layers.multiHeadAttention({'numHeads': 2, 'keyDim': 4})
    >>> mha.apply([tf.ones([1, 3, 8]), tf.ones([1, 5, 6])]).shape
    [1, 3, 8]
    """

    className = 'MultiHeadAttention'
    CONFIG_KEYS = ('numHeads', 'keyDim', 'valueDim', 'dropout', 'useBias', 'outputShape',
                   'attentionAxes', 'kernelInitializer', 'biasInitializer', 'kernelRegularizer',
                   'biasRegularizer', 'activityRegularizer', 'kernelConstraint',
                   'biasConstraint', 'useGate', 'slidingWindow', 'flashAttention', 'seed',
                   'queryShape', 'keyShape', 'valueShape')

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        for key in ('numHeads', 'keyDim'):
            v = args.get(key)
            if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
                raise ValueError(f'Received an invalid value for argument `{key}`, expected a '
                                 f'positive integer. Received: {key}={v!r}')
        vd = args.get('valueDim')
        if vd is not None and (not isinstance(vd, int) or isinstance(vd, bool) or vd <= 0):
            raise ValueError(f'Received an invalid value for argument `valueDim`, expected a '
                             f'positive integer or null. Received: valueDim={vd!r}')
        self.numHeads, self.keyDim = args['numHeads'], args['keyDim']
        self.valueDim = vd or self.keyDim
        self.dropout = float(args.get('dropout') or 0.0)
        self.useBias = True if args.get('useBias') is None else bool(args['useBias'])
        self.useGate = bool(args.get('useGate'))
        out = args.get('outputShape')
        self._outputShape = None if not out else ([out] if isinstance(out, int) else list(out))
        axes = args.get('attentionAxes')
        self.attentionAxes = None if axes is None else ([axes] if isinstance(axes, int)
                                                        else list(axes))
        sw = args.get('slidingWindow')
        if sw is not None and (not isinstance(sw, int) or sw <= 0):
            raise ValueError(f'`slidingWindow` must be null or a positive integer. Received: '
                             f'slidingWindow={sw}')
        self.slidingWindow = sw
        self.flashAttention = args.get('flashAttention')
        self.seed = args.get('seed')
        self.kernelInitializer = get_initializer(args.get('kernelInitializer') or 'glorotUniform')
        self.biasInitializer = get_initializer(args.get('biasInitializer') or 'zeros')
        self.kernelRegularizer = get_regularizer(args.get('kernelRegularizer'))
        self.biasRegularizer = get_regularizer(args.get('biasRegularizer'))
        # Keras gives the activity regularizer to the projections (each adds
        # regularizer(projection output) / batch), not to the layer's own output.
        self.projectionActivityRegularizer = get_regularizer(args.get('activityRegularizer'))
        self._activity = []
        self._activityRegistered = False
        self.kernelConstraint = get_constraint(args.get('kernelConstraint'))
        self.biasConstraint = get_constraint(args.get('biasConstraint'))
        self.supportsMasking = True
        self._returnScores = False
        self._generator = _seeded(self.seed)
        self.queryShape = args.get('queryShape')
        self.valueShape = args.get('valueShape')
        self.keyShape = args.get('keyShape')
        self._dense = {}
        if self.queryShape is not None and self.valueShape is not None:
            with name_scope(self.name):            # TF.js builds from the saved shapes
                self.build([self.queryShape, self.valueShape] +
                           ([self.keyShape] if self.keyShape is not None else []))

    # ------------------------------------------------------------------ weights
    def _projection(self, name: str, in_shape: list, out_shape: list) -> None:
        kernel = self.addWeight(f'{name}/kernel', in_shape + out_shape, 'float32',
                                self.kernelInitializer, self.kernelRegularizer, True,
                                self.kernelConstraint)
        bias = None
        if self.useBias:
            bias = self.addWeight(f'{name}/bias', out_shape, 'float32', self.biasInitializer,
                                  self.biasRegularizer, True, self.biasConstraint)
        self._dense[name] = (kernel, bias)

    def build(self, inputShape) -> None:
        if self.built:
            return
        shapes = [list(s) for s in inputShape]
        q_shape, v_shape = shapes[0], shapes[1]
        k_shape = shapes[2] if len(shapes) > 2 else v_shape
        if v_shape[1:-1] != k_shape[1:-1]:
            raise ValueError(f'All dimensions of `value` and `key`, except the last one, must be '
                             f'equal. Received: value_shape={v_shape} and key_shape={k_shape}')
        self.queryShape, self.valueShape = q_shape, v_shape
        self.keyShape = shapes[2] if len(shapes) > 2 else None
        rank = len(q_shape) + 1                  # rank of the projected tensors
        axes = self.attentionAxes if self.attentionAxes is not None else list(range(1, rank - 2))
        self.attentionAxes = [a if a >= 0 else (rank - 1) + a for a in axes]
        heads = self.numHeads
        self._projection('query', [q_shape[-1]], [heads, self.keyDim])
        self._projection('key', [k_shape[-1]], [heads, self.keyDim])
        if self.useGate:
            self._projection('gate', [q_shape[-1]], [heads, self.valueDim])
        self._projection('value', [v_shape[-1]], [heads, self.valueDim])
        out = self._outputShape or [q_shape[-1]]
        self._projection('attention_output', [heads, self.valueDim], list(out))
        self.built = True

    def computeOutputShape(self, inputShape):
        shapes = [list(s) for s in inputShape]
        q_shape = shapes[0]
        out = q_shape[:-1] + list(self._outputShape) if self._outputShape else q_shape
        if not self._returnScores:
            return out
        rank = len(q_shape) + 1
        axes = self.attentionAxes if self.attentionAxes is not None else list(range(1, rank - 2))
        axes = [a if a >= 0 else (rank - 1) + a for a in axes]
        batch = [q_shape[i] for i in range(len(q_shape) - 1) if i not in axes]
        kv = shapes[2] if len(shapes) > 2 else shapes[1]
        return [out, batch + [self.numHeads] + [q_shape[a] for a in axes] + [kv[a] for a in axes]]

    # ------------------------------------------------------------------ the computation
    def _project(self, name: str, x: torch.Tensor, bound: int) -> torch.Tensor:
        kernel, bias = self._dense[name]
        k = kernel.val._t
        lead = x.shape[:x.ndim - bound]
        out_shape = k.shape[bound:]
        y = x.reshape(-1, math.prod(x.shape[x.ndim - bound:])) @ \
            k.reshape(math.prod(k.shape[:bound]), -1)
        if bias is not None:
            y = y + bias.val._t.reshape(-1)
        y = y.reshape(*lead, *out_shape)
        if self.projectionActivityRegularizer is not None:
            reg = self.projectionActivityRegularizer.apply(Tensor._make(y, 'float32'))._value()
            self._activity.append(reg / y.shape[0] if y.ndim and y.shape[0] else reg)
        return y

    def _attention_mask(self, q_len: list, v_len: list, masks: list, attention_mask,
                        causal: bool, device) -> torch.Tensor | None:
        q_mask, v_mask, k_mask = masks
        auto = None
        if q_mask is not None:
            auto = q_mask.unsqueeze(-1)
        for m in (v_mask, k_mask):
            if m is not None:
                m = m.unsqueeze(-2)
                auto = m if auto is None else auto & m
        if causal or self.slidingWindow is not None:
            rows = torch.arange(q_len, device=device)[:, None]
            cols = torch.arange(v_len, device=device)[None, :]
            for band in ([rows >= cols] if causal else []) + \
                    ([(rows - cols).abs() < self.slidingWindow] if self.slidingWindow else []):
                band = band.unsqueeze(0)
                auto = band if auto is None else auto & band
        if attention_mask is not None:
            attention_mask = attention_mask.to(torch.bool)
            return attention_mask if auto is None else attention_mask & auto
        return auto

    def forward(self, query, value, key=None, masks=(None, None, None), attention_mask=None,
                causal: bool = False, training: bool = False, return_scores: bool = False):
        """The layer's math on torch tensors; returns (output, scores or None)."""
        if key is None:
            key = value
            masks = (masks[0], masks[1], None)
        dtype = self._dense['query'][0].val._t.dtype
        query, key, value = query.to(dtype), key.to(dtype), value.to(dtype)
        mask = self._attention_mask(query.shape[1], value.shape[1], list(masks), attention_mask,
                                    causal, query.device)
        gate = torch.sigmoid(self._project('gate', query, 1)) if self.useGate else None
        q = self._project('query', query, 1)
        k = self._project('key', key, 1)
        v = self._project('value', value, 1)
        rank = q.ndim
        axes = self.attentionAxes
        batch_axes = [i for i in range(rank - 2) if i not in axes]
        perm = batch_axes + [rank - 2] + axes + [rank - 1]
        batch_shape = [q.shape[i] for i in batch_axes]
        q_attn, k_attn = [q.shape[a] for a in axes], [k.shape[a] for a in axes]
        qf = q.permute(perm).reshape(-1, self.numHeads, math.prod(q_attn), self.keyDim)
        kf = k.permute(perm).reshape(-1, self.numHeads, math.prod(k_attn), self.keyDim)
        vf = v.permute(perm).reshape(-1, self.numHeads, math.prod(k_attn), self.valueDim)
        # Keras takes its fused dot_product_attention path for rank-3 inputs without dropout
        # or returned scores: masked logits get -0.7 * max_float, and rows with every key
        # masked average all values; otherwise the Softmax layer's -1e9 and zeroed rows.
        fused = self.dropout == 0 and not return_scores and query.ndim == 3
        keras_shape = batch_shape + [self.numHeads] + q_attn + k_attn
        m = None
        if mask is not None:
            m = mask
            while m.ndim < len(keras_shape):             # expand before the heads axis
                m = m.unsqueeze(-len(axes) * 2 - 1)
            m = torch.broadcast_to(m, keras_shape).reshape(qf.shape[0], self.numHeads,
                                                           qf.shape[2], kf.shape[2])
        scale = 1.0 / math.sqrt(self.keyDim)
        probs = None
        if fused:
            bias = None if m is None else torch.where(
                m, torch.zeros((), dtype=qf.dtype, device=qf.device),
                torch.tensor(DPA_NEGATIVE, dtype=qf.dtype, device=qf.device))
            out = F.scaled_dot_product_attention(qf, kf, vf, attn_mask=bias, scale=scale)
        else:
            scores = (qf * scale) @ kf.transpose(-1, -2)
            if m is not None:
                scores = torch.where(m, scores, torch.tensor(LARGE_NEGATIVE, dtype=scores.dtype,
                                                             device=scores.device))
            probs = torch.softmax(scores, dim=-1)
            if m is not None:
                probs = torch.where(m, probs, torch.zeros((), dtype=probs.dtype,
                                                          device=probs.device))
            used = _dropout(probs, self.dropout, self._generator) \
                if training and self.dropout > 0 else probs
            out = used @ vf                              # [batch, heads, Tq, valueDim]
        out = out.reshape(*batch_shape, self.numHeads, *q_attn, self.valueDim)
        inverse = [perm.index(i) for i in range(rank)]
        out = out.permute(inverse)
        if gate is not None:
            out = out * gate
        out = self._project('attention_output', out, 2)
        scores_out = probs.reshape(keras_shape) if return_scores else None
        return out, scores_out

    def call(self, inputs, kwargs: dict):
        options = _options(kwargs)
        if 'value' in options and not isinstance(inputs, (list, tuple)):   # TF.js's form
            inputs = [inputs, options['value']] + ([options['key']] if options.get('key')
                                                  is not None else [])
        query, value, key = self._split(inputs)
        masks = _input_masks([query, value] + ([key] if key is not None else []), options)
        if self.projectionActivityRegularizer is not None and not self._activityRegistered:
            self.addLoss(self._activity_loss)
            self._activityRegistered = True
        self._activity = []
        out, scores = self.forward(
            query._value(), value._value(), None if key is None else key._value(),
            masks, _raw(options.get('attentionMask')), bool(options.get('useCausalMask')),
            bool(options.get('training')), bool(options.get('returnAttentionScores')))
        out = Tensor._make(out, 'float32')
        if scores is not None:
            return [out, Tensor._make(scores, 'float32')]
        return out

    def _activity_loss(self) -> Tensor:
        """The projections' activity regularization of the last call."""
        total = torch.zeros((), device=self._dense['query'][0].val._t.device)
        for loss in self._activity:
            total = total + loss
        return Tensor._make(total, 'float32')

    def apply(self, inputs, kwargs: dict | None = None, **more_kwargs):
        options = _options({**(kwargs or {}), **more_kwargs})
        if 'value' in options and not isinstance(inputs, (list, tuple)):   # TF.js's form
            inputs = [inputs, options.pop('value')] + ([options.pop('key')] if options.get('key')
                                                      is not None else [])
            options.pop('key', None)
            return super().apply(inputs, options)
        return super().apply(inputs, kwargs, **more_kwargs)

    __call__ = apply

    def getConfig(self) -> dict:
        config = {
            'numHeads': self.numHeads, 'keyDim': self.keyDim, 'valueDim': self.valueDim,
            'dropout': self.dropout, 'useBias': self.useBias,
            'outputShape': self._outputShape, 'attentionAxes': self.attentionAxes,
            'kernelInitializer': serialize_initializer(self.kernelInitializer),
            'biasInitializer': serialize_initializer(self.biasInitializer),
            'kernelRegularizer': serialize_regularizer(self.kernelRegularizer),
            'biasRegularizer': serialize_regularizer(self.biasRegularizer),
            'activityRegularizer': serialize_regularizer(self.projectionActivityRegularizer),
            'kernelConstraint': serialize_constraint(self.kernelConstraint),
            'biasConstraint': serialize_constraint(self.biasConstraint),
        }
        if self.useGate:
            config['useGate'] = True
        if self.slidingWindow is not None:
            config['slidingWindow'] = self.slidingWindow
        if self.seed is not None:
            config['seed'] = self.seed
        for key in ('queryShape', 'valueShape', 'keyShape'):
            if getattr(self, key) is not None:
                config[key] = list(getattr(self, key))
        config.update(super().getConfig())
        return config


class Attention(_ListInputLayer):
    """Dot-product attention (Luong style; Keras 3): `scores = query . key^T` (times a
    learnt `scale` with `useScale`), or with `scoreMode` 'concat'
    `sum(tanh(scale * (query + key)))` times a learnt weight; softmax over the value steps.

    >>> import tfjs as tf
    >>> tf.layers.attention().apply([tf.ones([2, 3, 4]), tf.ones([2, 5, 4])]).shape
    [2, 3, 4]
    """

    className = 'Attention'
    CONFIG_KEYS = ('useScale', 'scoreMode', 'dropout', 'seed')
    DEFAULT_USE_SCALE = False

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        self.useScale = self.DEFAULT_USE_SCALE if args.get('useScale') is None \
            else bool(args['useScale'])
        mode = args.get('scoreMode') or 'dot'
        if mode not in ('dot', 'concat'):
            raise ValueError(f"Invalid value for argument score_mode. Expected one of {{'dot', "
                             f"'concat'}}. Received: score_mode={mode}")
        self.scoreMode = mode
        self.dropout = float(args.get('dropout') or 0.0)
        self.seed = args.get('seed')
        self._generator = _seeded(self.seed)
        self.supportsMasking = True
        self._returnScores = False
        self.scale = self.concatScoreWeight = None

    def build(self, inputShape) -> None:
        self._split(inputShape)
        if self.useScale:
            self.scale = self.addWeight('scale', [], 'float32', 'ones', None, True)
        if self.scoreMode == 'concat':
            self.concatScoreWeight = self.addWeight('concat_score_weight', [], 'float32', 'ones',
                                                    None, True)
        self.built = True

    def computeOutputShape(self, inputShape):
        q, v, k = self._split(inputShape)
        out = list(q[:-1]) + [v[-1]]
        if self._returnScores:
            return [out, list(q[:-1]) + [(k or v)[-2]]]
        return out

    def scores(self, q: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
        if self.scoreMode == 'dot':
            s = q @ k.transpose(-1, -2)
            return s * self.scale.val._t if self.scale is not None else s
        summed = q.unsqueeze(-2) + k.unsqueeze(-3)
        if self.scale is not None:
            summed = self.scale.val._t * summed
        return self.concatScoreWeight.val._t * torch.tanh(summed).sum(-1)

    def forward(self, q, v, k=None, masks=(None, None), causal: bool = False,
                training: bool = False):
        k = v if k is None else k
        q_mask, v_mask = masks[0], masks[1]
        scores = self.scores(q.to(torch.float32), k.to(torch.float32))
        mask = None if v_mask is None else v_mask.unsqueeze(-2)
        if causal:
            t, s = scores.shape[-2], scores.shape[-1]
            band = torch.ones(t, s, dtype=torch.bool, device=scores.device).tril().unsqueeze(0)
            mask = band if mask is None else mask & band
        if mask is not None:
            scores = torch.where(mask, scores, scores - 1.0e9)
        weights = torch.softmax(scores, dim=-1)
        used = _dropout(weights, self.dropout, self._generator) \
            if training and self.dropout > 0 else weights
        out = used @ v.to(torch.float32)
        if q_mask is not None:
            out = torch.where(q_mask.unsqueeze(-1), out, torch.zeros((), device=out.device))
        return out, weights

    def call(self, inputs, kwargs: dict):
        options = _options(kwargs)
        q, v, k = self._split(inputs)
        masks = _input_masks([q, v], options)
        out, weights = self.forward(q._value(), v._value(), None if k is None else k._value(),
                                    masks, bool(options.get('useCausalMask')),
                                    bool(options.get('training')))
        out = Tensor._make(out, 'float32')
        if options.get('returnAttentionScores'):
            return [out, Tensor._make(weights, 'float32')]
        return out

    def getConfig(self) -> dict:
        config = {'useScale': self.useScale, 'scoreMode': self.scoreMode,
                  'dropout': self.dropout}
        if self.seed is not None:
            config['seed'] = self.seed
        config.update(super().getConfig())
        return config


class AdditiveAttention(Attention):
    """Additive attention (Bahdanau style; Keras 3): `scores = sum(scale * tanh(query + key))`
    with a learnt `scale` of the feature size (`useScale`, default true).

    >>> import tfjs as tf
    >>> tf.layers.additiveAttention().apply([tf.ones([2, 3, 4]), tf.ones([2, 5, 4])]).shape
    [2, 3, 4]
    """

    className = 'AdditiveAttention'
    CONFIG_KEYS = ('useScale', 'dropout', 'seed')
    DEFAULT_USE_SCALE = True

    def build(self, inputShape) -> None:
        q, _, _ = self._split(inputShape)
        if self.useScale:
            self.scale = self.addWeight('scale', [q[-1]], 'float32', 'glorotUniform', None, True)
        self.built = True

    def scores(self, q: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
        t = torch.tanh(q.unsqueeze(-2) + k.unsqueeze(-3))
        return (t * self.scale.val._t).sum(-1) if self.scale is not None else t.sum(-1)

    def getConfig(self) -> dict:
        config = super().getConfig()
        del config['scoreMode']
        return config


FACTORIES = {
    'multiHeadAttention': (MultiHeadAttention, "{'numHeads': 2, 'keyDim': 4}"),
    'attention': (Attention, ''),
    'additiveAttention': (AdditiveAttention, ''),
}
