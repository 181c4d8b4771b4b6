"""Recurrent layers (TF.js's `layers/recurrent.ts`): the generic `RNN` over any cell, and
`SimpleRNN`, `GRU`, `LSTM`.

Behaviour as TF.js: `returnSequences`, `returnState`, `goBackwards` (the returned sequence is in
processing order, i.e. reversed), `stateful` with `resetStates(states?)`, the `initialState` call
argument (also as extra inputs `[x, *states]`, symbolic ones included), masks (a masked step
keeps the previous output and states), dropout and recurrent dropout in training only, `unroll`
accepted with the same results. The cell runs the whole sequence on torch tensors (see
`recurrent_cells`), with PyTorch's fused kernels where the math is theirs.

Differences from TF.js (its bugs are not copied): the cells' weight regularizers count in the
model loss (TF.js drops them), every call draws new dropout masks (TF.js's generic `rnn` layer
reuses the first ones forever), `inputDim` / `inputLength` give the input shape (as in Keras),
and GRU `resetAfter: true` works.

>>> import tfjs as tf
>>> lstm = tf.layers.lstm({'units': 3, 'returnSequences': True})
>>> lstm.apply(tf.ones([2, 5, 4])).shape
[2, 5, 3]
"""
from __future__ import annotations

import torch

from .._naming import to_camel_case
from ..activations import serialize_activation
from ..backend.memory import dispose, keep
from ..engine.topology import InputSpec, Layer, SymbolicTensor, to_list
from ..errors import AttributeError, NotImplementedError, ValueError
from ..regularizers import get_regularizer, serialize_regularizer
from ..serialization.registry import deserialize
from ..tensor import Tensor, convert_to_tensor
from . import _rnn_autograd as AG
from . import _rnn_kernels as K
from .recurrent_cells import (GRUCell, LSTMCell, RNNCell, SimpleRNNCell, StackedRNNCells,
                              first_shape, state_sizes, warn_implementation)

RNN_KEYS = ('cell', 'returnSequences', 'returnState', 'goBackwards', 'stateful', 'unroll',
            'inputDim', 'inputLength', 'activityRegularizer')

_STATEFUL_BATCH_HELP = (
    'If an RNN is stateful, it needs to know its batch size. Specify the batch size of your '
    'input tensors: \n- If using a Sequential model, specify the batch size by passing a '
    '`batchInputShape` option to your first layer.\n- If using the functional API, specify the '
    'batch size by passing a `batchShape` option to your Input layer.')


def standardize_args(inputs, initialState=None, constants=None, numConstants=None) -> tuple:
    """Split `[x, *initialStates, *constants]` (how a model passes them) into
    `(x, initialState list or None, constants list or None)` (TF.js's `standardizeArgs`)."""
    if isinstance(inputs, (list, tuple)):
        if initialState is not None or constants is not None:
            raise ValueError('When inputs is an array, neither initialState or constants should '
                             'be provided')
        inputs = list(inputs)
        if numConstants is not None:
            constants = inputs[len(inputs) - numConstants:]
            inputs = inputs[:len(inputs) - numConstants]
        if len(inputs) > 1:
            initialState = inputs[1:]
        inputs = inputs[0]

    def as_list(x):
        return None if x is None else to_list(x)
    return inputs, as_list(initialState), as_list(constants)


def call_kwargs(kwargs: dict | None, more: dict) -> dict:
    """The call arguments as one camelCase dict (`initial_state=` works like `initialState`)."""
    out = {to_camel_case(k): v for k, v in (kwargs or {}).items()}
    out.update({to_camel_case(k): v for k, v in more.items()})
    return out


def _raw(x, what: str) -> torch.Tensor:
    return convert_to_tensor(x, what, 'RNN', 'float32')._value()


class RNN(Layer):
    """A recurrent layer running `cell` (an RNNCell, or a list of cells stacked) over the time
    axis of a `[batch, time, ...]` input.

    >>> import tfjs as tf
    >>> layer = tf.layers.rnn({'cell': tf.layers.gruCell({'units': 2}), 'returnState': True})
    >>> [t.shape for t in layer.apply(tf.ones([1, 4, 3]))]
    [[1, 2], [1, 2]]
    """

    className = 'RNN'
    CONFIG_KEYS = RNN_KEYS

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        cell = args.get('cell')
        if cell is None:
            raise ValueError('cell property is missing for the constructor of RNN: pass an RNN '
                             'cell, e.g. tf.layers.rnn({cell: tf.layers.lstmCell({units: 8})}).')
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells({'cells': list(cell)})
        elif isinstance(cell, dict):
            cell = deserialize(cell, kind='layer')
        if getattr(cell, 'stateSize', None) is None:
            raise ValueError('The RNN cell should have an attribute `stateSize` (tuple of '
                             'integers, one integer per RNN state).')
        if args.get('inputShape') is None and args.get('batchInputShape') is None and \
                (args.get('inputDim') is not None or args.get('inputLength') is not None):
            args = {**args, 'inputShape': [args.get('inputLength'), args.get('inputDim')]}
        super().__init__(args)
        self.cell = cell
        self.returnSequences = bool(args.get('returnSequences', False))
        self.returnState = bool(args.get('returnState', False))
        self.goBackwards = bool(args.get('goBackwards', False))
        self._stateful = bool(args.get('stateful', False))
        self.unroll = bool(args.get('unroll', False))
        self.supportsMasking = True
        self.inputSpec = [InputSpec(ndim=3)]
        self.stateSpec = None
        self.states_ = None
        self.numConstants = None
        # Keras applies it to the outputs (TF.js ignores the argument)
        self.activityRegularizer = get_regularizer(args.get('activityRegularizer'))

    # ------------------------------------------------------------------ states
    @property
    def states(self) -> list:
        """The current state tensors (stateful layers), or a None per state."""
        if self.states_ is None:
            return [None] * len(state_sizes(self.cell))
        return self.states_

    @states.setter
    def states(self, value: list) -> None:
        self.states_ = value

    def getStates(self) -> list:
        return self.states

    def setStates(self, states: list) -> None:
        self.states_ = states

    def _state_shapes(self, input_shape: list) -> list:
        """The shape of each state for an input of `input_shape` (`[batch, time, ...]`)."""
        return [[input_shape[0], size] for size in state_sizes(self.cell)]

    def getInitialState(self, inputs) -> list:
        """All-zero initial states for `inputs`."""
        x = inputs if isinstance(inputs, Tensor) else convert_to_tensor(inputs)
        return [Tensor._make(t, 'float32') for t in self._zero_states(x._value())]

    def _zero_states(self, x: torch.Tensor) -> list:
        return [torch.zeros(s, dtype=torch.float32, device=x.device)
                for s in self._state_shapes(list(x.shape))]

    def resetStates(self, states=None, training: bool = False) -> None:
        """Set the states of a stateful layer to zeros, or to `states` (checked against the
        batch size the layer was built with)."""
        if not self.stateful:
            raise AttributeError('Cannot call resetStates() on an RNN Layer that is not stateful.')
        spec_shape = self.inputSpec[0].shape if self.inputSpec and self.inputSpec[0] else None
        if spec_shape is None or spec_shape[0] is None:
            raise ValueError(_STATEFUL_BATCH_HELP)
        shapes = self._state_shapes(list(spec_shape))
        if states is None:
            if self.states_ is not None:
                dispose(self.states_)
            self.states_ = [keep(self._zeros_tensor(s)) for s in shapes]
            return
        states = to_list(states)
        if len(states) != len(shapes):
            raise ValueError(f'Layer {self.name} expects {len(shapes)} state(s), but it received '
                             f'{len(states)} state value(s). Input received: {states}')
        new = []
        for i, (value, shape) in enumerate(zip(states, shapes)):
            value = convert_to_tensor(value, 'states', 'resetStates', 'float32')
            if list(value.shape) != list(shape):
                raise ValueError(f'State {i} is incompatible with layer {self.name}: expected '
                                 f'shape={shape}, received shape={list(value.shape)}')
            new.append(keep(Tensor._make(value._value().detach().clone(), 'float32')))
        if self.states_ is not None:
            dispose([s for s in self.states_ if s is not None])
        self.states_ = new

    def _zeros_tensor(self, shape: list) -> Tensor:
        from ..backend.device import device
        return Tensor._make(torch.zeros(shape, dtype=torch.float32, device=device()), 'float32')

    # ------------------------------------------------------------------ shapes and masks
    def computeOutputShape(self, inputShape):
        shape = first_shape(inputShape)
        sizes = state_sizes(self.cell)
        if self.returnSequences:
            output = [shape[0], shape[1], sizes[0]]
        else:
            output = [shape[0], sizes[0]]
        if self.returnState:
            return [output] + [[shape[0], d] for d in sizes]
        return output

    def computeMask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if mask is not None and not isinstance(mask, Tensor):
            mask = convert_to_tensor(mask, 'mask', 'computeMask')
        output_mask = mask if self.returnSequences else None
        if self.returnState:
            return [output_mask] + [None] * len(state_sizes(self.cell))
        return output_mask

    # ------------------------------------------------------------------ build / apply / call
    def build(self, inputShape) -> None:
        shape = first_shape(inputShape)
        batch = shape[0] if self.stateful else None
        self.inputSpec[0] = InputSpec(shape=[batch, None] + shape[2:])
        step_shape = [shape[0]] + shape[2:]
        self.cell.build(step_shape)
        self.cell.built = True
        self._check_state_spec()
        if self.stateful:
            self.resetStates()
        self.built = True

    def _check_state_spec(self) -> None:
        sizes = state_sizes(self.cell)
        if self.stateSpec is not None:
            got = [spec.shape[-1] for spec in self.stateSpec]
            if got != sizes:
                raise ValueError(f'An initialState was passed that is not compatible with '
                                 f'cell.stateSize. Received stateSpec={got}; however '
                                 f'cell.stateSize is {self.cell.stateSize}')
        else:
            self.stateSpec = [InputSpec(shape=[None, d]) for d in sizes]

    def apply(self, inputs, kwargs: dict | None = None, **more_kwargs):
        kwargs = call_kwargs(kwargs, more_kwargs)
        initial = kwargs.pop('initialState', None)
        constants = kwargs.pop('constants', None)
        inputs, initial, constants = standardize_args(inputs, initial, constants,
                                                      self.numConstants)
        if constants is not None:
            raise NotImplementedError('Constants support is not implemented in RNN yet (as in '
                                      'TF.js); pass the values as inputs of a custom layer.')
        if not initial:
            return super().apply(inputs, kwargs)
        self.stateSpec = [InputSpec(shape=list(s.shape)) for s in initial]
        symbolic = [isinstance(s, SymbolicTensor) for s in initial]
        if all(symbolic) and isinstance(inputs, SymbolicTensor):
            # the states become extra inputs of the graph node: [x, *states]
            original = self.inputSpec
            self.inputSpec = list(original) + self.stateSpec
            try:
                return super().apply([inputs] + initial, kwargs)
            finally:
                original[0] = self.inputSpec[0]
                self.inputSpec = original
        if any(symbolic):
            raise ValueError('The initial state of an RNN layer cannot be specified as a mix of '
                             'symbolic and concrete tensors.')
        kwargs['initialState'] = initial
        return super().apply(inputs, kwargs)

    __call__ = apply

    def call(self, inputs, kwargs: dict):
        kwargs = kwargs or {}
        initial = kwargs.get('initialState')
        if isinstance(inputs, (list, tuple)) and len(inputs) > 1:
            inputs, initial, _ = standardize_args(inputs)
        elif isinstance(inputs, (list, tuple)):
            inputs = inputs[0]
        mask = kwargs.get('mask')
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        training = bool(kwargs.get('training'))
        x = _raw(inputs, 'inputs')
        if x.ndim < 3:
            raise ValueError(f'Input should be at least 3D, but is {x.ndim}D.')
        if x.shape[1] == 0:
            raise ValueError(f'Layer {self.name} received a sequence with 0 time steps.')
        if initial is not None:
            states = [_raw(s, 'initialState') for s in to_list(initial)]
        elif self.stateful and self.states_ is not None:
            states = [s._value() for s in self.states_]
        else:
            states = self._zero_states(x)
        n = len(state_sizes(self.cell))
        if len(states) != n:
            raise ValueError(f'RNN Layer has {n} state(s) but was passed {len(states)} initial '
                             'state(s).')
        last, seq, new_states = self.run(x, states, mask, training, self.returnSequences)
        if self.stateful:
            self.resetStates([Tensor._make(s.detach(), 'float32') for s in new_states], training)
        output = Tensor._make(seq if self.returnSequences else last, 'float32')
        if self.returnState:
            return [output] + [Tensor._make(s, 'float32') for s in new_states]
        return output

    def run(self, x: torch.Tensor, states: list, mask, training: bool, need_seq: bool) -> tuple:
        """The recurrence on torch tensors: `x` `[batch, time, ...]`, the states, an optional
        `[batch, time]` mask. Returns `(last output, outputs [batch, time, ...] or None,
        final states)`."""
        xs = x.transpose(0, 1)
        m = None
        if mask is not None:
            m = _raw(mask, 'mask') != 0
            if m.ndim > 2:
                m = m.reshape(m.shape[0], m.shape[1])
            if list(m.shape) != list(x.shape[:2]):
                raise ValueError(f'The mask of layer {self.name} has shape {list(m.shape)}, but '
                                 f'the input has batch and time dims {list(x.shape[:2])}.')
            m = m.transpose(0, 1)
        if self.goBackwards:
            xs = xs.flip(0)
            m = None if m is None else m.flip(0)
        if hasattr(self.cell, 'reset_dropout_masks'):
            self.cell.reset_dropout_masks()
        run = getattr(self.cell, 'run_sequence', None)
        if run is None:      # a cell not derived from RNNCell: the generic step loop
            run = lambda *a: RNNCell.run_sequence(self.cell, *a)  # noqa: E731
        seq, last, new_states = run(xs, states, m, training, need_seq)
        return last, (seq.transpose(0, 1) if need_seq else None), new_states

    # ------------------------------------------------------------------ weights and losses
    @property
    def trainableWeights(self) -> list:
        return self.cell.trainableWeights if self.trainable else []

    @property
    def nonTrainableWeights(self) -> list:
        return self.cell.nonTrainableWeights if self.trainable else self.cell.weights

    @property
    def losses(self) -> list:
        return self._losses + list(self.cell.losses)

    def calculateLosses(self) -> list:
        return [fn() for fn in self.losses] if self.trainable else []

    def setFastWeightInitDuringBuild(self, value: bool) -> None:
        super().setFastWeightInitDuringBuild(value)
        self.cell.setFastWeightInitDuringBuild(value)

    # ------------------------------------------------------------------ config
    def _flags(self) -> dict:
        config = {'returnSequences': self.returnSequences, 'returnState': self.returnState,
                  'goBackwards': self.goBackwards, 'stateful': self.stateful,
                  'unroll': self.unroll}
        if self.numConstants is not None:
            config['numConstants'] = self.numConstants
        return config

    def getConfig(self) -> dict:
        cell_config = self.cell.getConfig()
        config = dict(cell_config)
        if 'activityRegularizer' in config or self.activityRegularizer is not None:
            config['activityRegularizer'] = serialize_regularizer(self.activityRegularizer)
        config.update(super().getConfig())
        config.update(self._flags())
        if self.getClassName() == RNN.className:
            config['cell'] = {'className': self.cell.getClassName(), 'config': cell_config}
        return config

    @classmethod
    def fromConfig(cls, config: dict, customObjects: dict | None = None):
        config = dict(config)
        if isinstance(config.get('cell'), dict):
            config['cell'] = deserialize(config['cell'], customObjects, kind='layer')
        allowed = cls.config_keys()
        return cls({k: v for k, v in config.items() if k in allowed})


def _pairable(layers: tuple, inputs, kwargs: dict) -> bool:
    """Whether two LSTM layers (a Bidirectional's directions) can step together through the
    hand-written kernels: same cell math, no mask, no initial state, no dropout in training,
    not stateful, one 3D input."""
    f, b = layers
    cells = [f.cell, b.cell]
    if not AG.USE_AUTOGRAD_KERNELS or any(type(c) is not LSTMCell or not c.built
                                          for c in cells):
        return False
    if kwargs.get('mask') is not None or kwargs.get('initialState') is not None or \
            isinstance(inputs, (list, tuple)) or f.stateful or b.stateful:
        return False
    x, y = cells
    if x.units != y.units or x.useBias != y.useBias or \
            serialize_activation(x.activation) != serialize_activation(y.activation) or \
            serialize_activation(x.recurrentActivation) != \
            serialize_activation(y.recurrentActivation):
        return False
    if not AG.supports(x.activation, x.recurrentActivation) or \
            K.fusable(activation=x.activation, recurrent_activation=x.recurrentActivation):
        return False
    if kwargs.get('training') and any(c.dropout > 0 or c.recurrentDropout > 0 for c in cells):
        return False
    return f.returnSequences == b.returnSequences and f.returnState == b.returnState


def run_bidirectional(forward_layer: RNN, backward_layer: RNN, inputs, kwargs: dict):
    """Both directions of a Bidirectional LSTM through the hand-written kernels in one pass
    (every step's ops cover the two directions at once), or None when they cannot be paired
    (see `_pairable`); then each layer runs on its own. Returns what the two layers' `call`
    return, each in its own processing order.

    >>> import tfjs as tf
    >>> bi = tf.layers.bidirectional({'layer': tf.layers.lstm({'units': 2})})
    >>> bi.apply(tf.ones([1, 3, 4])).shape
    [1, 4]
    """
    kwargs = kwargs or {}
    layers = (forward_layer, backward_layer)
    if not _pairable(layers, inputs, kwargs):
        return None
    x = _raw(inputs, 'inputs')
    if x.ndim != 3 or x.shape[1] == 0:
        return None
    xs = x.transpose(0, 1)
    steps, batch = xs.shape[:2]
    seqs = [xs.flip(0) if layer.goBackwards else xs for layer in layers]
    xx = torch.stack(seqs).reshape(2, steps * batch, xs.shape[-1])
    cells = [layer.cell for layer in layers]
    weights = [c._weights_raw() for c in cells]
    kernel, recurrent = (torch.stack([w[i] for w in weights]) for i in (0, 1))
    bias = None if weights[0][2] is None else torch.stack([w[2] for w in weights])
    zeros = x.new_zeros(2, batch, cells[0].units)

    def slow(x3, k, b, r, h0, c0):
        outs = []
        for d, cell in enumerate(cells):
            seq, _, final = cell._loop(x3[d].view(steps, batch, -1), [h0[d], c0[d]], k[d],
                                       r[d], None if b is None else b[d], None, None, True)
            outs.append((seq, final[0], final[1]))
        return tuple(torch.stack([o[i] for o in outs]) for i in range(3))
    seq, h, c = AG.lstm_directions(xx, steps, zeros, zeros, kernel, recurrent, bias,
                                   cells[0].activation, cells[0].recurrentActivation, slow)
    results = []
    for d, layer in enumerate(layers):
        out = seq[d].transpose(0, 1) if layer.returnSequences else h[d]
        output = Tensor._make(out, 'float32')
        if layer.returnState:
            output = [output, Tensor._make(h[d], 'float32'), Tensor._make(c[d], 'float32')]
        results.append(output)
    return results[0], results[1]


class _CellRNN(RNN):
    """An RNN layer whose cell is built from its own (flat) config: SimpleRNN, GRU, LSTM."""

    CELL_CLASS: type = SimpleRNNCell

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        warn_implementation(args)
        cell_keys = self.CELL_CLASS.config_keys()
        cell = self.CELL_CLASS({k: v for k, v in args.items() if k in cell_keys})
        super().__init__({**args, 'cell': cell})

    @property
    def units(self) -> int:
        return self.cell.units

    def __getattr__(self, name: str):
        # the cell's settings read through the layer (`lstm.activation`, `gru.resetAfter`...)
        cell = self.__dict__.get('cell')
        camel = to_camel_case(name)
        if cell is not None and camel in _CELL_ATTRS:
            return getattr(cell, camel)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")


_CELL_ATTRS = {'activation', 'recurrentActivation', 'useBias', 'kernelInitializer',
               'recurrentInitializer', 'biasInitializer', 'kernelRegularizer',
               'recurrentRegularizer', 'biasRegularizer', 'kernelConstraint',
               'recurrentConstraint', 'biasConstraint', 'dropout', 'recurrentDropout',
               'implementation', 'resetAfter', 'unitForgetBias', 'kernel', 'recurrentKernel',
               'bias', 'filters', 'kernelSize', 'strides', 'padding', 'dataFormat',
               'dilationRate'}


class SimpleRNN(_CellRNN):
    """A fully connected RNN whose output is fed back as the next step's state.

    >>> import tfjs as tf
    >>> tf.layers.simpleRNN({'units': 4}).apply(tf.ones([2, 3, 5])).shape
    [2, 4]
    """

    className = 'SimpleRNN'
    CONFIG_KEYS = SimpleRNNCell.CONFIG_KEYS
    CELL_CLASS = SimpleRNNCell


class GRU(_CellRNN):
    """Gated Recurrent Unit (TF.js defaults: `recurrentActivation: 'hardSigmoid'`,
    `resetAfter: false`; Keras's `resetAfter: true` is supported too).

    >>> import tfjs as tf
    >>> tf.layers.gru({'units': 4, 'returnSequences': True}).apply(tf.ones([2, 3, 5])).shape
    [2, 3, 4]
    """

    className = 'GRU'
    CONFIG_KEYS = GRUCell.CONFIG_KEYS
    CELL_CLASS = GRUCell


class LSTM(_CellRNN):
    """Long Short-Term Memory (TF.js defaults: `recurrentActivation: 'hardSigmoid'`,
    `kernelInitializer: 'glorotNormal'`); states `[h, c]`.

    >>> import tfjs as tf
    >>> out, h, c = tf.layers.lstm({'units': 4, 'returnState': True}).apply(tf.ones([2, 3, 5]))
    >>> c.shape
    [2, 4]
    """

    className = 'LSTM'
    CONFIG_KEYS = LSTMCell.CONFIG_KEYS
    CELL_CLASS = LSTMCell


FACTORIES = {
    'rnn': (RNN, "{'cell': tf.layers.simpleRNNCell({'units': 2})}"),
    'simpleRNN': (SimpleRNN, "{'units': 4}"),
    'gru': (GRU, "{'units': 4}"),
    'lstm': (LSTM, "{'units': 4}"),
}
EXPORTS = ['RNN']
