"""Layer wrappers (TF.js's `layers/wrappers.ts`): `Wrapper` (base), `TimeDistributed` and
`Bidirectional`.

`TimeDistributed` applies its layer to every time step; the layer's weights are created in the
wrapper's name scope (`time_distributed_TimeDistributed1/kernel`). It runs the layer once on
the batch and time axes merged (the same numbers as TF.js's step loop), and step by step when
the layer keeps statistics in training (e.g. BatchNormalization's moving averages, updated
once per step as in TF.js). Unlike TF.js, which pins the batch size of its first call, later
calls may use other batch sizes (as in Keras).

`Bidirectional` runs a copy of an RNN forwards (`forward_<name>`) and one backwards
(`backward_<name>`) and merges their outputs (`mergeMode`: 'concat' (default), 'sum', 'mul',
'ave', or null for both). Weights `<bidi>/forward_<rnn>/kernel`..., forward ones first.

>>> import tfjs as tf
>>> bi = tf.layers.bidirectional({'layer': tf.layers.lstm({'units': 2}), 'mergeMode': 'concat'})
>>> bi.apply(tf.ones([1, 4, 3])).shape
[1, 4]
"""
from __future__ import annotations

import torch

from ..engine.common import name_scope
from ..engine.topology import InputSpec, Layer, SymbolicTensor, to_list
from ..errors import NotImplementedError, ValueError
from ..serialization.registry import deserialize
from ..tensor import Tensor, convert_to_tensor
from .recurrent import RNN, call_kwargs, run_bidirectional, standardize_args
from .recurrent_cells import first_shape

MERGE_MODES = ('sum', 'mul', 'concat', 'ave')


def _layer_arg(layer, customObjects=None, who: str = 'Wrapper') -> Layer:
    if isinstance(layer, dict):
        layer = deserialize(layer, customObjects, kind='layer')
    if not isinstance(layer, Layer):
        raise ValueError(f'{who} needs "layer": a Layer instance, e.g. '
                         f'tf.layers.{who[0].lower() + who[1:]}({{layer: tf.layers.dense({{units: '
                         f'2}})}}), but got {layer!r}.')
    return layer


class Wrapper(Layer):
    """Base of layers that wrap another layer (`layer`): weights, trainability and losses are
    the wrapped layer's."""

    className = 'Wrapper'
    CONFIG_KEYS = ('layer',)

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        self.layer = None
        super().__init__(args)
        self.layer = _layer_arg(args.get('layer'), who=self.getClassName())

    @property
    def trainable(self) -> bool:
        return self.layer.trainable if self.__dict__.get('layer') is not None else False

    @trainable.setter
    def trainable(self, value: bool) -> None:
        if self.__dict__.get('layer') is not None:
            self.layer.trainable = value

    @property
    def trainableWeights(self) -> list:
        return self.layer.trainableWeights

    @property
    def nonTrainableWeights(self) -> list:
        return self.layer.nonTrainableWeights

    def getWeights(self, trainableOnly: bool = False) -> list:
        return self.layer.getWeights(trainableOnly)

    def setWeights(self, weights) -> None:
        self.layer.setWeights(weights)

    @property
    def losses(self) -> list:
        return self.layer.losses

    def calculateLosses(self) -> list:
        return self.layer.calculateLosses()

    def setFastWeightInitDuringBuild(self, value: bool) -> None:
        super().setFastWeightInitDuringBuild(value)
        if self.__dict__.get('layer') is not None:
            self.layer.setFastWeightInitDuringBuild(value)

    def getConfig(self) -> dict:
        config = {'layer': {'className': self.layer.getClassName(),
                            'config': self.layer.getConfig()}}
        config.update(super().getConfig())
        return config

    @classmethod
    def fromConfig(cls, config: dict, customObjects: dict | None = None):
        config = dict(config)
        layer = _layer_arg(config.pop('layer', None), customObjects, cls.className)
        allowed = cls.config_keys()
        return cls({'layer': layer, **{k: v for k, v in config.items() if k in allowed}})


def _keeps_statistics(layer: Layer) -> bool:
    """Whether a layer's training call depends on the batch it sees as a whole (it updates
    non-trainable weights, e.g. moving averages) or carries state between calls."""
    return bool(layer.stateful or layer.nonTrainableWeights)


class TimeDistributed(Wrapper):
    """Apply `layer` to every temporal slice (axis 1) of the input.

    >>> import tfjs as tf
    >>> td = tf.layers.timeDistributed({'layer': tf.layers.dense({'units': 2})})
    >>> td.apply(tf.ones([3, 5, 4])).shape
    [3, 5, 2]
    """

    className = 'TimeDistributed'

    def __init__(self, args: dict | None = None, /, **kwargs):
        super().__init__(args, **kwargs)
        self.supportsMasking = True

    def build(self, inputShape) -> None:
        shape = first_shape(inputShape)
        if len(shape) < 3:
            raise ValueError(f'TimeDistributed layer expects an input shape >= 3D, but received '
                             f'input shape {shape}')
        self.inputSpec = [InputSpec(shape=[None] + shape[1:])]
        if not self.layer.built:
            self.layer.build([shape[0]] + shape[2:])
            self.layer.built = True
        self.built = True

    def computeOutputShape(self, inputShape):
        shape = first_shape(inputShape)
        child = self.layer.computeOutputShape([shape[0]] + shape[2:])
        return [child[0], shape[1]] + list(child[1:])

    def call(self, inputs, kwargs: dict):
        x = convert_to_tensor(to_list(inputs)[0] if isinstance(inputs, (list, tuple)) else inputs,
                              'inputs', 'TimeDistributed')
        kwargs = kwargs or {}
        training = kwargs.get('training')
        inner = {} if training is None else {'training': training}
        mask = kwargs.get('mask')
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        shape = x.shape
        batch, steps = shape[0], shape[1]
        if training and _keeps_statistics(self.layer):
            outs = [self._one(self.layer.call(Tensor._make(x._value()[:, t], x.dtype), inner))
                    for t in range(steps)]
            return Tensor._make(torch.stack(outs, 1), 'float32')
        if mask is not None:
            m = convert_to_tensor(mask, 'mask', 'TimeDistributed')
            if m.rank > 2:       # a per-step mask for the inner layer
                inner['mask'] = Tensor._make(m._value().reshape(batch * steps, *m.shape[2:]),
                                             m.dtype)
        merged = Tensor._make(x._value().reshape(batch * steps, *shape[2:]), x.dtype)
        y = self._one(self.layer.call(merged, inner))
        return Tensor._make(y.reshape(batch, steps, *y.shape[1:]),
                            'float32' if y.is_floating_point() else x.dtype)

    def _one(self, output) -> torch.Tensor:
        outputs = to_list(output)
        if len(outputs) != 1:
            raise ValueError(f'TimeDistributed expects its layer to return one tensor, but '
                             f'{self.layer.name} returned {len(outputs)}.')
        return convert_to_tensor(outputs[0], 'output', 'TimeDistributed')._value()


class Bidirectional(Wrapper):
    """Run an RNN forwards and backwards over the sequence and merge the two outputs.

    >>> import tfjs as tf
    >>> bi = tf.layers.bidirectional({'layer': tf.layers.gru({'units': 3, 'returnSequences': True}),
    ...                               'mergeMode': 'sum'})
    >>> bi.apply(tf.ones([2, 5, 4])).shape
    [2, 5, 3]
    """

    className = 'Bidirectional'
    CONFIG_KEYS = ('layer', 'mergeMode')

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        if args.get('weights'):
            raise NotImplementedError('weights support is not implemented for Bidirectional layer '
                                      'yet (as in TF.js): call setWeights() after building it.')
        self.forwardLayer = self.backwardLayer = None
        super().__init__(args)
        layer = self.layer
        if not isinstance(layer, RNN):
            raise ValueError(f'Bidirectional needs an RNN layer (lstm, gru, simpleRNN, rnn), but '
                             f'got {layer.getClassName()}.')
        config = layer.getConfig()
        self.forwardLayer = deserialize({'className': layer.getClassName(), 'config': config},
                                        kind='layer')
        backward = dict(config, goBackwards=not config.get('goBackwards'))
        self.backwardLayer = deserialize({'className': layer.getClassName(),
                                          'config': backward}, kind='layer')
        self.forwardLayer.name = 'forward_' + self.forwardLayer.name
        self.backwardLayer.name = 'backward_' + self.backwardLayer.name
        self.mergeMode = args['mergeMode'] if 'mergeMode' in args else 'concat'
        if self.mergeMode is not None and self.mergeMode not in MERGE_MODES:
            raise ValueError(f'Invalid BidirectionalMergeMode "{self.mergeMode}": use one of '
                             f'{", ".join(MERGE_MODES)} or null.')
        self._stateful = layer.stateful
        self.returnSequences = layer.returnSequences
        self.returnState = layer.returnState
        self.supportsMasking = True
        self._trainable = True if args.get('trainable') is None else bool(args['trainable'])
        self.inputSpec = layer.inputSpec
        self.numConstants = None

    @property
    def trainable(self) -> bool:
        return self.__dict__.get('_trainable', True)

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        for sub in (self.__dict__.get('forwardLayer'), self.__dict__.get('backwardLayer')):
            if sub is not None:
                sub.trainable = value

    def _sublayers(self) -> tuple:
        return self.forwardLayer, self.backwardLayer

    @property
    def trainableWeights(self) -> list:
        return self.forwardLayer.trainableWeights + self.backwardLayer.trainableWeights

    @property
    def nonTrainableWeights(self) -> list:
        return self.forwardLayer.nonTrainableWeights + self.backwardLayer.nonTrainableWeights

    def getWeights(self, trainableOnly: bool = False) -> list:
        return self.forwardLayer.getWeights(trainableOnly) + \
            self.backwardLayer.getWeights(trainableOnly)

    def setWeights(self, weights) -> None:
        weights = list(weights)
        half = len(weights) // 2
        self.forwardLayer.setWeights(weights[:half])
        self.backwardLayer.setWeights(weights[half:])

    @property
    def losses(self) -> list:
        return self.forwardLayer.losses + self.backwardLayer.losses

    def calculateLosses(self) -> list:
        return self.forwardLayer.calculateLosses() + self.backwardLayer.calculateLosses()

    def setFastWeightInitDuringBuild(self, value: bool) -> None:
        super().setFastWeightInitDuringBuild(value)
        for sub in (self.forwardLayer, self.backwardLayer):
            if sub is not None:
                sub.setFastWeightInitDuringBuild(value)

    def computeOutputShape(self, inputShape):
        shapes = self.forwardLayer.computeOutputShape(inputShape)
        if not (shapes and isinstance(shapes[0], (list, tuple))):
            shapes = [shapes]
        output = list(shapes[0])
        states = [list(s) for s in shapes[1:]] if self.returnState else []
        if self.mergeMode == 'concat':
            output[-1] *= 2
            outputs = [output]
        elif self.mergeMode is None:
            outputs = [output, list(output)]
        else:
            outputs = [output]
        if self.returnState:
            return outputs + states + [list(s) for s in states]
        return outputs[0] if len(outputs) == 1 else outputs

    def apply(self, inputs, kwargs: dict | None = None, **more_kwargs):
        kwargs = call_kwargs(kwargs, more_kwargs)
        initial = kwargs.pop('initialState', None)
        constants = kwargs.pop('constants', None)
        inputs, initial, constants = standardize_args(inputs, initial, constants,
                                                      self.numConstants)
        if constants is not None:
            raise NotImplementedError('Support for constants in Bidirectional layers is not '
                                      'implemented yet (as in TF.js).')
        if not initial:
            return super().apply(inputs, kwargs)
        if len(initial) % 2:
            raise ValueError('When passing `initialState` to a Bidrectional RNN, the state should '
                             'be an Array containing the states of the underlying RNNs.')
        specs = [InputSpec(shape=list(s.shape)) for s in initial]
        half = len(initial) // 2
        self.forwardLayer.stateSpec = specs[:half]
        self.backwardLayer.stateSpec = specs[half:]
        symbolic = [isinstance(s, SymbolicTensor) for s in initial]
        if any(symbolic) and not all(symbolic):
            raise ValueError('The initial state of a Bidirectional layer cannot be specified as '
                             'a mix of symbolic and non-symbolic tensors')
        if all(symbolic):
            original = self.inputSpec
            self.inputSpec = list(original) + specs
            try:
                return super().apply([inputs] + initial, kwargs)
            finally:
                self.inputSpec = original
        kwargs['initialState'] = initial
        return super().apply(inputs, kwargs)

    __call__ = apply

    def build(self, inputShape) -> None:
        for sub in (self.forwardLayer, self.backwardLayer):
            with name_scope(sub.name):
                sub.build(inputShape)
                sub.built = True
        self.built = True

    def call(self, inputs, kwargs: dict):
        kwargs = dict(kwargs or {})
        initial = kwargs.pop('initialState', None)
        if isinstance(inputs, (list, tuple)) and len(inputs) > 1:
            inputs, initial, _ = standardize_args(inputs)
        if isinstance(kwargs.get('mask'), (list, tuple)):
            kwargs['mask'] = kwargs['mask'][0]
        pair = None if initial is not None else \
            run_bidirectional(self.forwardLayer, self.backwardLayer, inputs, kwargs)
        if pair is not None:
            y, y_rev = pair
        elif initial is None:
            y = self.forwardLayer.call(inputs, kwargs)
            y_rev = self.backwardLayer.call(inputs, kwargs)
        else:
            initial = to_list(initial)
            half = len(initial) // 2
            y = self.forwardLayer.call(inputs, {**kwargs, 'initialState': initial[:half]})
            y_rev = self.backwardLayer.call(inputs, {**kwargs, 'initialState': initial[half:]})
        states = []
        if self.returnState:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        a, b = y._value(), y_rev._value()
        if self.returnSequences:
            b = b.flip(1)
        if self.mergeMode == 'concat':
            merged = [torch.cat([a, b], dim=-1)]
        elif self.mergeMode == 'sum':
            merged = [a + b]
        elif self.mergeMode == 'ave':
            merged = [0.5 * (a + b)]
        elif self.mergeMode == 'mul':
            merged = [a * b]
        else:
            merged = [a, b]
        outputs = [Tensor._make(t, 'float32') for t in merged] + states
        return outputs[0] if len(outputs) == 1 else outputs

    def resetStates(self, states=None) -> None:
        self.forwardLayer.resetStates()
        self.backwardLayer.resetStates()

    def computeMask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if mask is not None and not isinstance(mask, Tensor):
            mask = convert_to_tensor(mask, 'mask', 'computeMask')
        if self.returnSequences:
            output_mask = [mask, mask] if self.mergeMode is None else mask
        else:
            output_mask = [None, None] if self.mergeMode is None else None
        if self.returnState:
            n = len(self.forwardLayer.states)
            return to_list(output_mask) + [None] * (2 * n)
        return output_mask

    def getConfig(self) -> dict:
        config = {'mergeMode': self.mergeMode}
        config.update(super().getConfig())
        return config

    @classmethod
    def fromConfig(cls, config: dict, customObjects: dict | None = None):
        if config.get('numConstants') is not None:
            raise NotImplementedError('Deserialization of a Bidirectional layer with numConstants '
                                      'present is not supported yet.')
        return super().fromConfig(config, customObjects)


FACTORIES = {
    'timeDistributed': (TimeDistributed, "{'layer': tf.layers.dense({'units': 2})}"),
    'bidirectional': (Bidirectional, "{'layer': tf.layers.lstm({'units': 2})}"),
}
