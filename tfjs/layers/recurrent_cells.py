"""Recurrent cells (TF.js's `layers/recurrent.ts`): `RNNCell` (the base for custom cells),
`SimpleRNNCell`, `GRUCell`, `LSTMCell` and `StackedRNNCells`.

A cell computes one time step: `call([input, *states], kwargs) -> [output, *newStates]`, with
`stateSize` an int or a list of ints. The built-in cells also implement
`run_sequence(xs, states, mask, training, need_seq)` on torch tensors, which runs a whole
(time-major) sequence at once: the input projection of every step is one matmul before the
loop, and PyTorch's fused kernels run the sequence when the math is theirs (tanh + sigmoid, see
`_rnn_kernels`). Custom cells only need `call`; the RNN layer loops over it.

Beyond TF.js: `GRUCell({resetAfter: true})` (Keras 2/3's default convention, bias `[2, 3u]`)
is implemented instead of throwing.

>>> import tfjs as tf
>>> cell = tf.layers.lstmCell({'units': 2})
>>> cell.stateSize
[2, 2]
"""
from __future__ import annotations

import warnings

import torch

from ..activations import get_activation, serialize_activation
from ..constraints import get_constraint, serialize_constraint
from ..engine.common import name_scope
from ..engine.topology import Layer, to_list
from ..errors import ValueError
from ..initializers import Initializer, get_initializer, serialize_initializer
from ..regularizers import get_regularizer, serialize_regularizer
from ..serialization.registry import deserialize
from ..tensor import Tensor, convert_to_tensor
from . import _rnn_autograd as AG
from . import _rnn_kernels as K


def state_sizes(cell) -> list:
    """A cell's `stateSize` as a list."""
    size = cell.stateSize
    return list(size) if isinstance(size, (list, tuple)) else [size]


def first_shape(shape) -> list:
    """The first shape of a shape or of a list of shapes (a cell gets `[input, *states]`)."""
    if shape and isinstance(shape[0], (list, tuple)):
        return list(shape[0])
    return list(shape)


def _clip_rate(value) -> float:
    value = 0 if value is None else value
    return min(1, max(0, value))


class RNNCell(Layer):
    """Base class of recurrent cells: set `stateSize` (int, or list of ints whose first entry is
    the output size), create weights in `build`, and compute one step in
    `call([input, *states], kwargs) -> [output, *newStates]` with tfjs ops.

    >>> import tfjs as tf
    >>> class Accumulate(tf.layers.RNNCell):
    ...     def __init__(self, config=None):
    ...         super().__init__(config)
    ...         self.stateSize = 2
    ...     def call(self, inputs, kwargs):
    ...         total = tf.add(inputs[0], inputs[1])
    ...         return [total, total]
    >>> tf.layers.rnn({'cell': Accumulate()}).apply(tf.ones([1, 3, 2])).arraySync()
    [[3.0, 3.0]]
    """

    className = 'RNNCell'
    stateSize = None

    def __init__(self, args: dict | None = None, /, **kwargs):
        super().__init__(args, **kwargs)
        self.dropoutMask = None
        self.recurrentDropoutMask = None

    def reset_dropout_masks(self) -> None:
        """Forget the cached dropout masks (each RNN call draws new ones)."""
        self.dropoutMask = None
        self.recurrentDropoutMask = None

    def computeOutputShape(self, inputShape):
        batch = first_shape(inputShape)[0]
        return [[batch, size] for size in [state_sizes(self)[0]] + state_sizes(self)]

    def run_sequence(self, xs: torch.Tensor, states: list, mask, training: bool,
                     need_seq: bool) -> tuple:
        """Run the cell over time-major `xs` ([time, batch, ...]) with torch states; returns
        `(outputs or None, last output, final states)`. This generic version calls `call`
        once per step."""
        kwargs = {'training': training}
        steps = xs.unbind(0)

        def step(t, st):
            result = to_list(self.call([Tensor._make(steps[t], 'float32')]
                                       + [Tensor._make(s, 'float32') for s in st], kwargs))
            raw = [convert_to_tensor(r, 'output', 'RNNCell.call')._value() for r in result]
            return raw[0], raw[1:]
        return K.run_loop(step, xs.shape[0], states, mask, need_seq)


class TorchRNNCell(RNNCell):
    """A built-in cell: `call` runs one step through `run_sequence` on torch tensors."""

    def call(self, inputs, kwargs: dict):
        inputs = to_list(inputs)
        n = len(state_sizes(self))
        if len(inputs) != n + 1:
            raise ValueError(f'{self.getClassName()} expects {n + 1} input Tensors (the input and '
                             f'{n} state(s)), got {len(inputs)}.')
        raw = [convert_to_tensor(x, 'inputs', self.getClassName(), 'float32')._value()
               for x in inputs]
        _, out, states = self.run_sequence(raw[0].unsqueeze(0), raw[1:], None,
                                           bool((kwargs or {}).get('training')), False)
        return [Tensor._make(t, 'float32') for t in [out] + states]

    def _masks(self, x0: torch.Tensor, h0: torch.Tensor, training: bool, count: int = 1):
        """(input dropout mask(s), recurrent dropout mask(s)) for this call, or None each; drawn
        once and kept until `reset_dropout_masks` (TF.js caches them on the cell)."""
        if not training:
            return None, None
        if 0 < self.dropout < 1 and self.dropoutMask is None:
            self.dropoutMask = [K.dropout_mask(x0, self.dropout, self.dropoutFunc)
                                for _ in range(count)]
        if 0 < self.recurrentDropout < 1 and self.recurrentDropoutMask is None:
            self.recurrentDropoutMask = [K.dropout_mask(h0, self.recurrentDropout,
                                                        self.dropoutFunc) for _ in range(count)]
        dp = self.dropoutMask if 0 < self.dropout < 1 else None
        rdp = self.recurrentDropoutMask if 0 < self.recurrentDropout < 1 else None
        return dp, rdp


CELL_KEYS = ('units', 'activation', 'useBias', 'kernelInitializer', 'recurrentInitializer',
             'biasInitializer', 'kernelRegularizer', 'recurrentRegularizer', 'biasRegularizer',
             'kernelConstraint', 'recurrentConstraint', 'biasConstraint', 'dropout',
             'recurrentDropout', 'dropoutFunc')


class DenseCell(TorchRNNCell):
    """Shared config of SimpleRNNCell, GRUCell and LSTMCell (units, initializers, ...)."""

    GATES = 1
    HAS_RECURRENT_ACTIVATION = False

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        self._setup(args)

    def _setup(self, args: dict) -> None:
        units = args.get('units')
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise ValueError(f'Expected units to be a positive integer, but got {units!r}. '
                             f'Example: tf.layers.{self._factory_name()}({{"units": 8}}).')
        self.units = units
        if self.HAS_RECURRENT_ACTIVATION:
            # GRU/LSTM (as TF.js): an explicit null means linear; absent means the default
            self.activation = get_activation(args['activation'] if 'activation' in args
                                             else 'tanh')
            self.recurrentActivation = get_activation(
                args['recurrentActivation'] if 'recurrentActivation' in args else 'hardSigmoid')
        else:
            self.activation = get_activation(args.get('activation') or 'tanh')
        self.useBias = True if args.get('useBias') is None else bool(args['useBias'])
        self.kernelInitializer = get_initializer(args.get('kernelInitializer') or 'glorotNormal')
        self.recurrentInitializer = get_initializer(args.get('recurrentInitializer')
                                                    or 'orthogonal')
        self.biasInitializer = get_initializer(args.get('biasInitializer') or 'zeros')
        self.kernelRegularizer = get_regularizer(args.get('kernelRegularizer'))
        self.recurrentRegularizer = get_regularizer(args.get('recurrentRegularizer'))
        self.biasRegularizer = get_regularizer(args.get('biasRegularizer'))
        self.kernelConstraint = get_constraint(args.get('kernelConstraint'))
        self.recurrentConstraint = get_constraint(args.get('recurrentConstraint'))
        self.biasConstraint = get_constraint(args.get('biasConstraint'))
        self.dropout = _clip_rate(args.get('dropout'))
        self.recurrentDropout = _clip_rate(args.get('recurrentDropout'))
        self.dropoutFunc = args.get('dropoutFunc')
        self.implementation = args.get('implementation')
        self.stateSize = self.units
        self.kernel = self.recurrentKernel = self.bias = None

    def _factory_name(self) -> str:
        name = self.getClassName()
        return name[0].lower() + name[1:]

    def _bias_initializer(self):
        return self.biasInitializer

    def _bias_shape(self) -> list:
        return [self.units * self.GATES]

    def build(self, inputShape) -> None:
        shape = first_shape(inputShape)
        gates = self.units * self.GATES
        self.kernel = self.addWeight('kernel', [shape[-1], gates], None, self.kernelInitializer,
                                     self.kernelRegularizer, True, self.kernelConstraint)
        self.recurrentKernel = self.addWeight('recurrent_kernel', [self.units, gates], None,
                                              self.recurrentInitializer,
                                              self.recurrentRegularizer, True,
                                              self.recurrentConstraint)
        if self.useBias:
            self.bias = self.addWeight('bias', self._bias_shape(), None, self._bias_initializer(),
                                       self.biasRegularizer, True, self.biasConstraint)
        self.built = True

    def _weights_raw(self) -> tuple:
        return (self.kernel.val._t, self.recurrentKernel.val._t,
                None if self.bias is None else self.bias.val._t)

    def _config_head(self) -> dict:
        config = {'units': self.units, 'activation': serialize_activation(self.activation)}
        if self.HAS_RECURRENT_ACTIVATION:
            config['recurrentActivation'] = serialize_activation(self.recurrentActivation)
        config.update({
            'useBias': self.useBias,
            'kernelInitializer': serialize_initializer(self.kernelInitializer),
            'recurrentInitializer': serialize_initializer(self.recurrentInitializer),
            'biasInitializer': serialize_initializer(self.biasInitializer),
        })
        return config

    def _config_tail(self) -> dict:
        return {
            'kernelRegularizer': serialize_regularizer(self.kernelRegularizer),
            'recurrentRegularizer': serialize_regularizer(self.recurrentRegularizer),
            'biasRegularizer': serialize_regularizer(self.biasRegularizer),
            'activityRegularizer': serialize_regularizer(self.activityRegularizer),
            'kernelConstraint': serialize_constraint(self.kernelConstraint),
            'recurrentConstraint': serialize_constraint(self.recurrentConstraint),
            'biasConstraint': serialize_constraint(self.biasConstraint),
            'dropout': self.dropout,
            'recurrentDropout': self.recurrentDropout,
        }

    def getConfig(self) -> dict:
        config = super().getConfig()
        config.update(self._config_head())
        config.update(self._config_tail())
        return config


class SimpleRNNCell(DenseCell):
    """One step of a fully connected RNN: `h = activation(x . kernel + bias + h' . recurrentKernel)`.

    >>> import tfjs as tf
    >>> tf.layers.simpleRNNCell({'units': 3}).stateSize
    3
    """

    className = 'SimpleRNNCell'
    CONFIG_KEYS = CELL_KEYS

    def run_sequence(self, xs, states, mask, training, need_seq):
        kernel, recurrent, bias = self._weights_raw()
        dp, rdp = self._masks(xs[0], states[0], training)
        if dp is not None:
            xs = xs * dp[0]
        if K.fusable(activation=self.activation, mask=mask, recurrent_dropout=rdp):
            out, final = K.fused_simple_rnn(xs, states[0], kernel, recurrent, bias)
            return (out if need_seq else None), out[-1], final
        if mask is None and rdp is None and AG.supports(self.activation):
            steps, batch = xs.shape[:2]

            def slow(x2d, w, b, r, h0):
                seq, _, final = self._loop(x2d.view(steps, batch, -1), [h0], w, r, b, None,
                                           None, True)
                return seq, final[0]
            out, final = AG.simple_rnn(xs, states[0], kernel, recurrent, bias, self.activation,
                                       slow)
            return (out if need_seq else None), final[0], final
        return self._loop(xs, states, kernel, recurrent, bias, rdp, mask, need_seq)

    def _loop(self, xs, states, kernel, recurrent, bias, rdp, mask, need_seq):
        """The differentiable step loop (masks and recurrent dropout included)."""
        # one view per time step, taken once (see _rnn_kernels.run_loop)
        xp = K.project(xs, kernel, bias).unbind(0)
        act = self.activation.apply_raw

        def step(t, st):
            h = st[0] if rdp is None else st[0] * rdp[0]
            out = act(torch.addmm(xp[t], h, recurrent))
            return out, [out]
        return K.run_loop(step, xs.shape[0], states, mask, need_seq)


class GRUCell(DenseCell):
    """One step of a Gated Recurrent Unit (gate blocks z, r, h in the kernels).

    `resetAfter: false` (TF.js, Keras 1) applies the reset gate before the recurrent matmul;
    `resetAfter: true` (Keras 2/3's default, which TF.js rejects) after it, with a `[2, 3u]`
    bias (input and recurrent rows).

    >>> import tfjs as tf
    >>> cell = tf.layers.gruCell({'units': 2, 'resetAfter': True})
    >>> cell.build([None, 3]); cell.bias.shape
    [2, 6]
    """

    className = 'GRUCell'
    CONFIG_KEYS = CELL_KEYS + ('recurrentActivation', 'implementation', 'resetAfter')
    GATES = 3
    HAS_RECURRENT_ACTIVATION = True

    def _setup(self, args):
        super()._setup(args)
        self.resetAfter = bool(args.get('resetAfter'))

    def _bias_shape(self):
        return [2, 3 * self.units] if self.resetAfter else [3 * self.units]

    def run_sequence(self, xs, states, mask, training, need_seq):
        kernel, recurrent, bias = self._weights_raw()
        dp, rdp = self._masks(xs[0], states[0], training, 3)
        if dp is not None:
            xs = xs * dp[0]
        if self.resetAfter and K.fusable(activation=self.activation,
                                         recurrent_activation=self.recurrentActivation,
                                         mask=mask, recurrent_dropout=rdp):
            out, final = K.fused_gru(xs, states[0], kernel, recurrent, bias)
            return (out if need_seq else None), out[-1], final
        if mask is None and rdp is None and AG.supports(self.activation,
                                                        self.recurrentActivation):
            steps, batch = xs.shape[:2]

            def slow(x2d, w, b, r, h0):
                seq, _, final = self._loop(x2d.view(steps, batch, -1), [h0], w, r, b, None,
                                           None, True)
                return seq, final[0]
            out, final = AG.gru(xs, states[0], kernel, recurrent, bias, self.activation,
                                self.recurrentActivation, self.resetAfter, slow)
            return (out if need_seq else None), final[0], final
        return self._loop(xs, states, kernel, recurrent, bias, rdp, mask, need_seq)

    def _loop(self, xs, states, kernel, recurrent, bias, rdp, mask, need_seq):
        """The differentiable step loop (masks and recurrent dropout included)."""
        if self.resetAfter:
            step = self._reset_after_step(xs, kernel, recurrent, bias, rdp)
        else:
            step = self._reset_before_step(xs, kernel, recurrent, bias, rdp)
        return K.run_loop(step, xs.shape[0], states, mask, need_seq)

    def _reset_before_step(self, xs, kernel, recurrent, bias, rdp):
        u = self.units
        xp = K.project(xs, kernel, bias).unbind(0)
        act, ract = self.activation.apply_raw, self.recurrentActivation.apply_raw
        rk_zr, rk_h = recurrent[:, :2 * u], recurrent[:, 2 * u:]

        def step(t, st):
            # as TF.js: a recurrent-dropped h feeds every use of h, the final mix included
            h = st[0] if rdp is None else st[0] * rdp[0]
            x = xp[t]
            inner = h @ rk_zr
            z = ract(x[:, :u] + inner[:, :u])
            r = ract(x[:, u:2 * u] + inner[:, u:])
            hh = act(x[:, 2 * u:] + (r * h) @ rk_h)
            out = z * h + (1 - z) * hh
            return out, [out]
        return step

    def _reset_after_step(self, xs, kernel, recurrent, bias, rdp):
        u = self.units
        xp = K.project(xs, kernel, None if bias is None else bias[0]).unbind(0)
        recurrent_bias = None if bias is None else bias[1]
        act, ract = self.activation.apply_raw, self.recurrentActivation.apply_raw

        def step(t, st):
            # as Keras: recurrent dropout on the matmul input only
            h = st[0]
            hd = h if rdp is None else h * rdp[0]
            inner = torch.addmm(recurrent_bias, hd, recurrent) if recurrent_bias is not None \
                else hd @ recurrent
            x = xp[t]
            z = ract(x[:, :u] + inner[:, :u])
            r = ract(x[:, u:2 * u] + inner[:, u:2 * u])
            hh = act(x[:, 2 * u:] + r * inner[:, 2 * u:])
            out = z * h + (1 - z) * hh
            return out, [out]
        return step

    def getConfig(self):
        config = super().getConfig()
        config['implementation'] = self.implementation      # null when unset, as TF.js writes it
        config['resetAfter'] = self.resetAfter
        return config


class UnitForgetBias(Initializer):
    """LSTM bias initializer for `unitForgetBias`: the base initializer for the i, c, o blocks
    and ones for the forget gate block."""

    className = 'UnitForgetBias'

    def __init__(self, base: Initializer, units: int):
        self.base = base
        self.units = units

    def apply(self, shape, dtype='float32'):
        u = self.units
        parts = [self.base.apply([u], dtype)._value(), torch.ones(u),
                 self.base.apply([2 * u], dtype)._value()]
        device = parts[0].device
        return Tensor._make(torch.cat([p.to(device) for p in parts]).reshape(list(shape)), dtype)


class LSTMCell(DenseCell):
    """One step of a Long Short-Term Memory unit (gate blocks i, f, c, o; states `[h, c]`).

    >>> import tfjs as tf
    >>> tf.layers.lstmCell({'units': 4}).getConfig()['recurrentActivation']
    'hardSigmoid'
    """

    className = 'LSTMCell'
    CONFIG_KEYS = CELL_KEYS + ('recurrentActivation', 'unitForgetBias', 'implementation')
    GATES = 4
    HAS_RECURRENT_ACTIVATION = True

    def _setup(self, args):
        super()._setup(args)
        self.unitForgetBias = args.get('unitForgetBias')
        self.stateSize = [self.units, self.units]

    def _bias_initializer(self):
        if self.unitForgetBias:
            return UnitForgetBias(self.biasInitializer, self.units)
        return self.biasInitializer

    def run_sequence(self, xs, states, mask, training, need_seq):
        kernel, recurrent, bias = self._weights_raw()
        dp, rdp = self._masks(xs[0], states[0], training, 4)
        if dp is not None:
            xs = xs * dp[0]
        if K.fusable(activation=self.activation, recurrent_activation=self.recurrentActivation,
                     mask=mask, recurrent_dropout=rdp):
            out, final = K.fused_lstm(xs, states[0], states[1], kernel, recurrent, bias)
            return (out if need_seq else None), out[-1], final
        if mask is None and rdp is None and AG.supports(self.activation,
                                                        self.recurrentActivation):
            steps, batch = xs.shape[:2]

            def slow(x2d, w, b, r, h0, c0):
                seq, _, final = self._loop(x2d.view(steps, batch, -1), [h0, c0], w, r, b,
                                           None, None, True)
                return seq, final[0], final[1]
            out, final = AG.lstm(xs, states[0], states[1], kernel, recurrent, bias,
                                 self.activation, self.recurrentActivation, slow)
            return (out if need_seq else None), final[0], final
        return self._loop(xs, states, kernel, recurrent, bias, rdp, mask, need_seq)

    def _loop(self, xs, states, kernel, recurrent, bias, rdp, mask, need_seq):
        """The differentiable step loop (masks and recurrent dropout included)."""
        u = self.units
        xp = K.project(xs, kernel, bias).unbind(0)
        act, ract = self.activation.apply_raw, self.recurrentActivation.apply_raw

        def step(t, st):
            h, c = st
            if rdp is not None:
                h = h * rdp[0]
            z = torch.addmm(xp[t], h, recurrent)
            i = ract(z[:, :u])
            f = ract(z[:, u:2 * u])
            c = f * c + i * act(z[:, 2 * u:3 * u])
            out = ract(z[:, 3 * u:]) * act(c)
            return out, [out, c]
        return K.run_loop(step, xs.shape[0], states, mask, need_seq)

    def _config_head(self):
        config = super()._config_head()
        config['unitForgetBias'] = self.unitForgetBias      # null when unset, as TF.js writes it
        return config

    def getConfig(self):
        config = super().getConfig()
        config['implementation'] = self.implementation
        return config


class StackedRNNCells(RNNCell):
    """Cells run one after the other at each step, as one cell; states are a flat list in
    reverse cell order (`[h2, c2, h1, c1]` for two LSTM cells). `tf.layers.rnn({cell: [...]})`
    builds one from a list.

    >>> import tfjs as tf
    >>> cells = [tf.layers.lstmCell({'units': 3}), tf.layers.simpleRNNCell({'units': 2})]
    >>> tf.layers.stackedRNNCells({'cells': cells}).stateSize
    [2, 3, 3]
    """

    className = 'StackedRNNCells'
    CONFIG_KEYS = ('cells',)

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        cells = args.get('cells')
        if not isinstance(cells, (list, tuple)) or not cells:
            raise ValueError('tf.layers.stackedRNNCells() needs "cells": a non-empty list of RNN '
                             'cells, e.g. {"cells": [tf.layers.lstmCell({"units": 4}), ...]}.')
        self.cells = [deserialize(c, kind='layer') if isinstance(c, dict) else c for c in cells]

    @property
    def stateSize(self) -> list:
        sizes = []
        for cell in reversed(self.cells):
            sizes.extend(state_sizes(cell))
        return sizes

    def _nested(self, flat: list) -> list:
        nested = K.split_states(flat, [len(state_sizes(c)) for c in reversed(self.cells)])
        return list(reversed(nested))

    def reset_dropout_masks(self) -> None:
        super().reset_dropout_masks()
        for cell in self.cells:
            if hasattr(cell, 'reset_dropout_masks'):
                cell.reset_dropout_masks()

    def run_sequence(self, xs, states, mask, training, need_seq):
        # Cell after cell over the whole sequence equals TF.js's cell-after-cell per step: a
        # masked step keeps every state whatever the lower cells output there.
        nested = self._nested(list(states))
        new_nested, seq, last = [], xs, None
        for i, cell in enumerate(self.cells):
            needed = need_seq or i < len(self.cells) - 1
            seq, last, cell_states = cell.run_sequence(seq, nested[i], mask, training, needed)
            new_nested.append(cell_states)
        flat = [s for cell_states in reversed(new_nested) for s in cell_states]
        return seq, last, flat

    def call(self, inputs, kwargs: dict):
        inputs = to_list(inputs)
        raw = [convert_to_tensor(x, 'inputs', 'StackedRNNCells', 'float32')._value()
               for x in inputs]
        _, out, states = self.run_sequence(raw[0].unsqueeze(0), raw[1:], None,
                                           bool((kwargs or {}).get('training')), False)
        return [Tensor._make(t, 'float32') for t in [out] + states]

    def build(self, inputShape) -> None:
        shape = first_shape(inputShape)
        for i, cell in enumerate(self.cells):
            with name_scope(f'RNNCell_{i}'):
                cell.build(shape)
                cell.built = True
            shape = [shape[0], state_sizes(cell)[0]]
        self.built = True

    @property
    def trainableWeights(self) -> list:
        if not self.trainable:
            return []
        return [w for cell in self.cells for w in cell.trainableWeights]

    @property
    def nonTrainableWeights(self) -> list:
        weights = [w for cell in self.cells for w in cell.nonTrainableWeights]
        if not self.trainable:
            return [w for cell in self.cells for w in cell.trainableWeights] + weights
        return weights

    def getWeights(self, trainableOnly: bool = False) -> list:
        if trainableOnly:
            return [w.read() for w in self.trainableWeights]
        return [w.read() for cell in self.cells for w in cell.weights]

    def setWeights(self, weights) -> None:
        weights = list(weights)
        expected = sum(len(cell.weights) for cell in self.cells)
        if len(weights) != expected:
            raise ValueError(f'You called setWeights(weights) on StackedRNNCells "{self.name}" '
                             f'with {len(weights)} weights, but it has {expected}.')
        for cell in self.cells:
            n = len(cell.weights)
            cell.setWeights(weights[:n])
            weights = weights[n:]

    @property
    def losses(self) -> list:
        return self._losses + [loss for cell in self.cells for loss in cell.losses]

    def calculateLosses(self) -> list:
        return [fn() for fn in self.losses] if self.trainable else []

    def setFastWeightInitDuringBuild(self, value: bool) -> None:
        super().setFastWeightInitDuringBuild(value)
        for cell in self.cells:
            cell.setFastWeightInitDuringBuild(value)

    def getConfig(self) -> dict:
        config = super().getConfig()
        config['cells'] = [{'className': c.getClassName(), 'config': c.getConfig()}
                           for c in self.cells]
        return config

    @classmethod
    def fromConfig(cls, config: dict, customObjects: dict | None = None):
        # TF.js rebuilds from the cells alone (a new name); the name is kept here, as Keras does
        cells = [deserialize(c, customObjects, kind='layer') for c in config['cells']]
        keep = {k: config[k] for k in ('name', 'trainable', 'dtype') if k in config}
        return cls({**keep, 'cells': cells})


FACTORIES = {
    'simpleRNNCell': (SimpleRNNCell, "{'units': 4}"),
    'gruCell': (GRUCell, "{'units': 4}"),
    'lstmCell': (LSTMCell, "{'units': 4}"),
    'stackedRNNCells': (StackedRNNCells, "{'cells': [tf.layers.lstmCell({'units': 2})]}"),
}
EXPORTS = ['RNNCell']


def warn_implementation(args: dict) -> None:
    """TF.js's warning for the deprecated `implementation: 0`."""
    if args.get('implementation') == 0:
        warnings.warn('`implementation=0` has been deprecated, and now defaults to '
                      '`implementation=1`. Please update your layer call.', stacklevel=3)
