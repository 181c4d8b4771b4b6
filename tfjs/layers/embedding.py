"""Embedding (TF.js's `layers/embeddings.ts`): integer indices -> dense vectors.

Inputs are cast to int32 as TF.js does (floats truncate toward zero). With `maskZero`, index 0
is padding: `computeMask` gives `input != 0`, and the mask flows through a functional model to
the layers that use it (recurrent layers, `Softmax`, ...).

Out-of-range indices raise on the CPU (as TF.js's cpu backend does); on an accelerator they give
a zero row (as TF.js's webgl backend does), because checking them would need a host sync.
"""
from __future__ import annotations

import torch

from ..constraints import get_constraint, serialize_constraint
from ..engine.topology import Layer
from ..errors import NotImplementedError, ValueError
from ..initializers import get_initializer, serialize_initializer
from ..regularizers import get_regularizer, serialize_regularizer
from ..tensor import Tensor
from .core import one_input, one_shape


def _positive_int(value, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(f'Expected {name} to be a positive integer, but got {value!r}. Example: '
                         'tf.layers.embedding({"inputDim": 1000, "outputDim": 64}).')
    return value


def gather_rows_or_zeros(table: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """`table[index]` for a 1D index, with a zero row for indices outside the table (no host
    sync, no device-side assert)."""
    valid = (index >= 0) & (index < table.shape[0])
    rows = table.index_select(0, torch.where(valid, index, torch.zeros_like(index)))
    return rows * valid.unsqueeze(1).to(rows.dtype)


class Embedding(Layer):
    """Turn indices into dense vectors of size `outputDim`; weight `embeddings`
    `[inputDim, outputDim]` (initializer `randomUniform(-0.05, 0.05)`).

    >>> import tfjs as tf
    >>> layer = tf.layers.embedding({'inputDim': 10, 'outputDim': 3, 'maskZero': True})
    >>> layer.apply(tf.tensor2d([[1, 0]], [1, 2], 'int32')).shape
    [1, 2, 3]
    >>> layer.computeMask(tf.tensor2d([[1, 0]], [1, 2], 'int32')).arraySync()
    [[1, 0]]
    """

    className = 'Embedding'
    CONFIG_KEYS = ('inputDim', 'outputDim', 'embeddingsInitializer', 'embeddingsRegularizer',
                   'activityRegularizer', 'embeddingsConstraint', 'maskZero', 'inputLength',
                   # Keras 3 keys: accepted when they hold their defaults
                   'loraRank', 'loraAlpha', 'quantizationConfig')

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        for key in ('loraRank', 'quantizationConfig'):
            if args.get(key) is not None:
                raise NotImplementedError(f'Embedding with Keras "{key}" ({args[key]!r}) is not '
                                          'supported; merge the LoRA or quantized weights into '
                                          'plain embeddings in Keras before converting.')
        super().__init__({k: v for k, v in args.items()
                          if k not in ('loraRank', 'loraAlpha', 'quantizationConfig')})
        if args.get('batchInputShape') is None and args.get('inputShape') is None:
            length = args.get('inputLength')
            tail = [None] if length is None else (list(length) if isinstance(length, (list, tuple))
                                                  else [length])
            self.batchInputShape = [args.get('batchSize')] + tail
        self.inputDim = _positive_int(args.get('inputDim'), 'inputDim')
        self.outputDim = _positive_int(args.get('outputDim'), 'outputDim')
        self.embeddingsInitializer = get_initializer(args.get('embeddingsInitializer')
                                                     or 'randomUniform')
        self.embeddingsRegularizer = get_regularizer(args.get('embeddingsRegularizer'))
        self.activityRegularizer = get_regularizer(args.get('activityRegularizer'))
        self.embeddingsConstraint = get_constraint(args.get('embeddingsConstraint'))
        self.maskZero = args.get('maskZero')
        self.supportsMasking = bool(self.maskZero)
        self.inputLength = args.get('inputLength')
        self.embeddings = None

    @classmethod
    def fromConfig(cls, config: dict, customObjects: dict | None = None):
        # TF.js's own configs carry `batchInputShape` without `dtype` (the constructor derives
        # it from `inputLength`); keep it that way so that a config round trip is exact.
        layer = super().fromConfig(config)
        if config.get('dtype') is None and config.get('inputDType') is None:
            layer.dtype = None
        return layer

    def build(self, inputShape) -> None:
        if self.embeddings is None:
            self.embeddings = self.addWeight('embeddings', [self.inputDim, self.outputDim],
                                             self.dtype, self.embeddingsInitializer,
                                             self.embeddingsRegularizer, True,
                                             self.embeddingsConstraint)
        self.built = True

    def computeMask(self, inputs, mask=None):
        if not self.maskZero:
            return None
        x = one_input(inputs, self)._value()
        return Tensor._make(x != 0, 'bool')

    def computeOutputShape(self, inputShape):
        shape = one_shape(inputShape, self)
        if self.inputLength is None:
            return shape + [self.outputDim]
        lengths = list(self.inputLength) if isinstance(self.inputLength, (list, tuple)) \
            else [self.inputLength]
        if len(lengths) != len(shape) - 1:
            raise ValueError(f'"inputLength" is {self.inputLength}, but received input has shape '
                             f'{shape}.')
        for k, (want, got) in enumerate(zip(lengths, shape[1:])):
            if want is not None and got is not None and want != got:
                raise ValueError(f'"inputLength" is {self.inputLength}, but received input has '
                                 f'shape {shape}.')
            if want is None:
                lengths[k] = got
        return [shape[0]] + lengths + [self.outputDim]

    def forward(self, x: torch.Tensor, training: bool = False) -> torch.Tensor:
        table = self.embeddings.val._t
        if x.dtype != torch.int32:
            x = x.to(torch.int32)
        flat = x.reshape(-1)
        if table.device.type == 'cpu':
            try:
                out = table.index_select(0, flat)
            except (IndexError, RuntimeError) as e:
                raise ValueError(f'Embedding {self.name}: an input index is outside [0, '
                                 f'{self.inputDim - 1}] (inputDim is {self.inputDim}). Make '
                                 'inputDim the vocabulary size (+1 with maskZero).') from e
        else:
            out = gather_rows_or_zeros(table, flat)
        return out.reshape(tuple(x.shape) + (self.outputDim,))

    def call(self, inputs, kwargs: dict):
        x = one_input(inputs, self)
        if self.inputLength is not None and x.shape:
            self.computeOutputShape(list(x.shape))       # the inputLength check of TF.js
        out = self.forward(x._value(), bool(kwargs.get('training')))
        return Tensor._make(out, self.embeddings.dtype)

    def getConfig(self) -> dict:
        config = {
            'inputDim': self.inputDim,
            'outputDim': self.outputDim,
            'embeddingsInitializer': serialize_initializer(self.embeddingsInitializer),
            'embeddingsRegularizer': serialize_regularizer(self.embeddingsRegularizer),
            'activityRegularizer': serialize_regularizer(self.activityRegularizer),
            'embeddingsConstraint': serialize_constraint(self.embeddingsConstraint),
            'maskZero': self.maskZero,
            'inputLength': self.inputLength,
        }
        config.update(super().getConfig())
        return config


FACTORIES = {'embedding': (Embedding, "{'inputDim': 10, 'outputDim': 4}")}
