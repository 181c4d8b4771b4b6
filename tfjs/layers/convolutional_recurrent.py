"""Convolutional LSTM (TF.js's `layers/convolutional_recurrent.ts`): `ConvLSTM2DCell` and
`ConvLSTM2D`, an LSTM whose input and recurrent transformations are 2D convolutions.

Input `[batch, time, rows, cols, channels]` (or `[batch, time, channels, rows, cols]` with
`dataFormat: 'channelsFirst'`). The input convolution of every time step runs as one batched
convolution before the loop; each step then runs one recurrent convolution for all four gates
('same' padding, stride 1, as TF.js). Masks work (TF.js's own masking fails on 5D inputs).

>>> import tfjs as tf
>>> layer = tf.layers.convLstm2d({'filters': 2, 'kernelSize': 3, 'padding': 'same'})
>>> layer.apply(tf.ones([1, 4, 5, 5, 3])).shape
[1, 5, 5, 2]
"""
from __future__ import annotations

import torch

from ..errors import NotImplementedError, ValueError
from ..ops import _conv_util as cu
from ..engine.topology import InputSpec
from .recurrent import _CellRNN
from .recurrent_cells import LSTMCell, first_shape, warn_implementation
from . import _rnn_kernels as K

CONV_KEYS = ('filters', 'kernelSize', 'strides', 'padding', 'dataFormat', 'dilationRate')


def _pair(value, name: str) -> list:
    """TF.js's normalizeArray(value, 2): a positive int or a list of two positive ints."""
    values = [value, value] if isinstance(value, int) and not isinstance(value, bool) \
        else list(value) if isinstance(value, (list, tuple)) else None
    if values is None or len(values) != 2 or not all(isinstance(v, int) and not isinstance(v, bool)
                                                     and v > 0 for v in values):
        raise ValueError(f'The {name} argument must be a positive integer or an array of 2 '
                         f'positive integers. Received: {value!r}.')
    return values


def conv_output_length(size, kernel: int, padding: str, stride: int, dilation: int = 1):
    """The output length of a convolution along one axis (None stays None)."""
    if size is None:
        return None
    effective = kernel + (kernel - 1) * (dilation - 1)
    length = size if padding == 'same' else size - effective + 1
    return (length + stride - 1) // stride


class ConvLSTM2DCell(LSTMCell):
    """One step of a convolutional LSTM: gates i, f, c, o from 2D convolutions of the input
    (`kernel` `[kh, kw, inChannels, 4 * filters]`) and of the state (`recurrent_kernel`
    `[kh, kw, filters, 4 * filters]`).

    >>> import tfjs as tf
    >>> tf.layers.convLstm2dCell({'filters': 4, 'kernelSize': [3, 3]}).getConfig()['filters']
    4
    """

    className = 'ConvLSTM2DCell'
    CONFIG_KEYS = tuple(k for k in LSTMCell.CONFIG_KEYS if k != 'units') + CONV_KEYS

    def _setup(self, args):
        filters = args.get('filters')
        if not isinstance(filters, int) or isinstance(filters, bool) or filters <= 0:
            raise ValueError(f'Expected filters to be a positive integer, but got {filters!r}. '
                             'Example: tf.layers.convLstm2d({"filters": 8, "kernelSize": 3}).')
        super()._setup({**args, 'units': filters})
        self.filters = filters
        if args.get('kernelSize') is None:
            raise ValueError('ConvLSTM2D needs a "kernelSize", e.g. {"kernelSize": 3}.')
        self.kernelSize = _pair(args['kernelSize'], 'kernelSize')
        self.strides = _pair(args.get('strides') or 1, 'strides')
        self.padding = args.get('padding') or 'valid'
        if self.padding not in ('valid', 'same', 'causal'):
            raise ValueError(f'Invalid padding "{self.padding}": use "valid" or "same".')
        if self.padding == 'causal':
            raise NotImplementedError('ConvLSTM2D does not support "causal" padding (neither '
                                      'does TF.js); use "valid" or "same".')
        self.dataFormat = args.get('dataFormat') or 'channelsLast'
        if self.dataFormat not in ('channelsLast', 'channelsFirst'):
            raise ValueError(f'Invalid dataFormat "{self.dataFormat}": use "channelsLast" or '
                             '"channelsFirst".')
        self.dilationRate = _pair(args.get('dilationRate') or 1, 'dilationRate')

    def build(self, inputShape) -> None:
        shape = first_shape(inputShape)
        channels = shape[1] if self.dataFormat == 'channelsFirst' else shape[-1]
        if channels is None:
            raise ValueError(f'The channel dimension of the input should be defined. Found '
                             f'{channels}')
        f4 = 4 * self.filters
        self.kernel = self.addWeight('kernel', self.kernelSize + [channels, f4], None,
                                     self.kernelInitializer, self.kernelRegularizer, True,
                                     self.kernelConstraint)
        self.recurrentKernel = self.addWeight('recurrent_kernel',
                                              self.kernelSize + [self.filters, f4], None,
                                              self.recurrentInitializer,
                                              self.recurrentRegularizer, True,
                                              self.recurrentConstraint)
        if self.useBias:
            self.bias = self.addWeight('bias', [f4], None, self._bias_initializer(),
                                       self.biasRegularizer, True, self.biasConstraint)
        self.built = True

    def output_spatial(self, rows, cols) -> list:
        """Output rows and cols of the input convolution."""
        return [conv_output_length(size, k, self.padding, s, d) for size, k, s, d in
                zip((rows, cols), self.kernelSize, self.strides, self.dilationRate)]

    def step_output_shape(self, shape: list) -> list:
        """The output (and state) shape for one step input shape `[batch, ...]`."""
        if self.dataFormat == 'channelsFirst':
            return [shape[0], self.filters] + self.output_spatial(shape[2], shape[3])
        return [shape[0]] + self.output_spatial(shape[1], shape[2]) + [self.filters]

    def computeOutputShape(self, inputShape):
        out = self.step_output_shape(first_shape(inputShape))
        return [out, list(out), list(out)]

    def run_sequence(self, xs, states, mask, training, need_seq):
        first = self.dataFormat == 'channelsFirst'
        to_cf = (lambda t: t) if first else cu.to_channels_first
        dp, rdp = self._masks(xs[0], states[0], training, 4)
        steps, batch = xs.shape[0], xs.shape[1]
        x = xs if first else xs.permute(0, 1, 4, 2, 3)
        xp = self._input_conv(x, None if dp is None else [to_cf(m) for m in dp])
        recurrent = self.recurrentKernel.val._t.permute(3, 2, 0, 1)
        sizes = list(xp.shape[3:])
        pads = cu.geometry(sizes, self.kernelSize, (1, 1), 'same')[0]
        xp = xp.unbind(0)           # per-step views (see _rnn_kernels.run_loop)
        rmasks = None if rdp is None else [to_cf(m) for m in rdp]
        act, ract = self.activation.apply_raw, self.recurrentActivation.apply_raw
        f = self.filters

        def step(t, st):
            h, c = st
            if rmasks is None:
                hz = cu.conv_nd(h, recurrent, (1, 1), pads, (1, 1))
            else:       # one grouped convolution = the four per-gate convolutions
                hz = cu.conv_nd(torch.cat([h * m for m in rmasks], 1), recurrent, (1, 1), pads,
                                (1, 1), groups=4)
            z = xp[t] + hz
            i = ract(z[:, :f])
            fg = ract(z[:, f:2 * f])
            c = fg * c + i * act(z[:, 2 * f:3 * f])
            out = ract(z[:, 3 * f:]) * act(c)
            return out, [out, c]
        cf_states = [to_cf(s) for s in states]
        seq, last, final = K.run_loop(step, steps, cf_states, mask, need_seq)
        if first:
            return seq, last, final
        back = cu.to_channels_last
        seq = None if seq is None else seq.permute(0, 1, 3, 4, 2)
        return seq, back(last), [back(s) for s in final]

    def _input_conv(self, x: torch.Tensor, masks) -> torch.Tensor:
        """The input convolution of every gate and step at once: channels-first time-major
        `[T, B, C, H, W]` -> `[T, B, 4 * filters, H', W']`."""
        steps, batch = x.shape[0], x.shape[1]
        kernel = self.kernel.val._t.permute(3, 2, 0, 1)
        eff = cu.effective(self.kernelSize, self.dilationRate)
        pads = cu.geometry(list(x.shape[3:]), eff, self.strides, self.padding)[0]

        def conv(inp, k):
            return cu.conv_nd(inp.reshape(steps * batch, *inp.shape[2:]), k, self.strides, pads,
                              self.dilationRate)
        if masks is None:
            out = conv(x, kernel)
        else:       # a different dropout mask per gate, as TF.js
            out = torch.cat([conv(x * m, k) for m, k in zip(masks, kernel.chunk(4, 0))], 1)
        if self.bias is not None:
            out = out + self.bias.val._t.view(1, -1, 1, 1)
        return out.reshape(steps, batch, *out.shape[1:])

    def getConfig(self) -> dict:
        config = super().getConfig()
        config.pop('units', None)
        config.update({'filters': self.filters, 'kernelSize': list(self.kernelSize),
                       'padding': self.padding, 'dataFormat': self.dataFormat,
                       'dilationRate': list(self.dilationRate), 'strides': list(self.strides)})
        return config


class ConvLSTM2D(_CellRNN):
    """Convolutional LSTM over `[batch, time, rows, cols, channels]` sequences.

    >>> import tfjs as tf
    >>> layer = tf.layers.convLstm2d({'filters': 3, 'kernelSize': 2, 'returnSequences': True})
    >>> layer.apply(tf.ones([2, 4, 6, 6, 1])).shape
    [2, 4, 5, 5, 3]
    """

    className = 'ConvLSTM2D'
    CONFIG_KEYS = ConvLSTM2DCell.CONFIG_KEYS
    CELL_CLASS = ConvLSTM2DCell

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        if args.get('unroll'):
            raise NotImplementedError('Unrolling is not possible with convolutional RNNs.')
        if isinstance(args.get('cell'), (list, tuple)):
            raise NotImplementedError('It is not possible at the moment to stack convolutional '
                                      'cells.')
        warn_implementation(args)
        super().__init__(args)
        self.inputSpec = [InputSpec(ndim=5)]

    def _single_output_shape(self, shape: list) -> list:
        """`[batch, time, ...]` of the per-step outputs for an input shape."""
        step = self.cell.step_output_shape([shape[0]] + list(shape[2:]))
        return [shape[0], shape[1]] + step[1:]

    def computeOutputShape(self, inputShape):
        shape = first_shape(inputShape)
        out = self._single_output_shape(shape)
        if not self.returnSequences:
            out = [out[0]] + out[2:]
        if self.returnState:
            state = [shape[0]] + out[-3:]
            return [out, list(state), list(state)]
        return out

    def _state_shapes(self, input_shape: list) -> list:
        out = self._single_output_shape(input_shape)
        return [[out[0]] + out[2:] for _ in range(2)]

    def _check_state_spec(self) -> None:
        if self.stateSpec is not None:
            axis = 1 if self.cell.dataFormat == 'channelsFirst' else -1
            got = [spec.shape[axis] for spec in self.stateSpec]
            if any(g is not None and g != self.cell.filters for g in got):
                raise ValueError(f'An initialState was passed that is not compatible with the '
                                 f'{self.cell.filters} filters of layer {self.name}: state '
                                 f'channels {got}.')
        else:
                self.stateSpec = [InputSpec(ndim=4), InputSpec(ndim=4)]


FACTORIES = {
    'convLstm2d': (ConvLSTM2D, "{'filters': 4, 'kernelSize': 3}"),
    'convLstm2dCell': (ConvLSTM2DCell, "{'filters': 4, 'kernelSize': 3}"),
}
