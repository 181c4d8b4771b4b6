"""Output shapes from a model config alone (no framework), for `tfjs inspect` and for the
tensor placeholders of Keras 3 configs. Best effort: a layer whose shape rule is not known here
(or whose input shape is unknown) gets `None`, and shapes after it are unknown too.

>>> topo = {'class_name': 'Sequential', 'config': {'layers': [
...     {'class_name': 'Conv2D', 'config': {'name': 'c', 'filters': 4, 'kernel_size': [3, 3],
...      'strides': [2, 2], 'padding': 'same', 'batch_input_shape': [None, 9, 9, 1]}},
...     {'class_name': 'Flatten', 'config': {'name': 'f'}}]}}
>>> infer(topo)[('f', 0, 0)]
[None, 100]
"""
from __future__ import annotations

import math

from . import schema

_SAME = {
    'Activation', 'Dropout', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout',
    'BatchNormalization', 'LayerNormalization', 'GroupNormalization', 'UnitNormalization',
    'Masking', 'ReLU', 'LeakyReLU', 'PReLU', 'ELU', 'Softmax', 'ThresholdedReLU',
    'ActivityRegularization', 'Rescaling', 'Normalization', 'SpatialDropout1D',
    'SpatialDropout2D', 'SpatialDropout3D', 'Identity', 'RandomFlip', 'RandomContrast',
    'RandomBrightness', 'RandomRotation', 'RandomTranslation', 'RandomZoom',
}
_MERGE = {'Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum'}


def _tuple(v, n):
    if v is None:
        return None
    if isinstance(v, (list, tuple)):
        return list(v) if len(v) == n else [v[0]] * n
    return [v] * n


def conv_length(length, kernel, padding, stride, dilation=1):
    if length is None:
        return None
    k = kernel + (kernel - 1) * (dilation - 1)
    if padding == 'same':
        out = length
    elif padding == 'causal':
        out = length
    else:
        out = length - k + 1
    return max(0, (out + stride - 1) // stride)


def deconv_length(length, kernel, padding, stride, dilation=1, output_padding=None):
    if length is None:
        return None
    k = kernel + (kernel - 1) * (dilation - 1)
    if output_padding is None:
        if padding == 'valid':
            return length * stride + max(k - stride, 0)
        return length * stride
    pad = k // 2 if padding == 'same' else 0
    return (length - 1) * stride + k - 2 * pad + output_padding


def _channels_first(config) -> bool:
    return config.get('data_format') == 'channels_first'


def _spatial(shape, config, n):
    if _channels_first(config):
        return shape[2:2 + n], shape[1]
    return shape[1:1 + n], shape[-1]


def _assemble(batch, spatial, channels, config):
    if _channels_first(config):
        return [batch, channels] + list(spatial)
    return [batch] + list(spatial) + [channels]


def _conv(cls, config, shape):
    n = int(cls[-2]) if cls[-2].isdigit() else int(cls[-1]) if cls[-1].isdigit() else 2
    if 'Transpose' in cls:
        n = int(cls.replace('Transpose', '')[-2])
    spatial, channels = _spatial(shape, config, n)
    kernel = _tuple(config.get('kernel_size'), n)
    strides = _tuple(config.get('strides', 1), n)
    dil = _tuple(config.get('dilation_rate', 1), n)
    pad = config.get('padding', 'valid')
    if 'Transpose' in cls:
        opad = _tuple(config.get('output_padding'), n) or [None] * n
        out = [deconv_length(s, k, pad, st, d, o)
               for s, k, st, d, o in zip(spatial, kernel, strides, dil, opad)]
    else:
        out = [conv_length(s, k, pad, st, d) for s, k, st, d in zip(spatial, kernel, strides, dil)]
    if cls.startswith('Depthwise'):
        filters = None if channels is None else channels * config.get('depth_multiplier', 1)
    else:
        filters = config.get('filters')
    return _assemble(shape[0], out, filters, config)


def _pool(cls, config, shape):
    n = int(cls[-2])
    spatial, channels = _spatial(shape, config, n)
    pool = _tuple(config.get('pool_size', 2), n)
    strides = _tuple(config.get('strides') or pool, n)
    pad = config.get('padding', 'valid')
    out = [conv_length(s, p, pad, st) for s, p, st in zip(spatial, pool, strides)]
    return _assemble(shape[0], out, channels, config)


def _rnn_units(cls, config):
    if cls in ('SimpleRNN', 'GRU', 'LSTM'):
        return config.get('units'), (2 if cls == 'LSTM' else 1)
    cell = config.get('cell')
    if isinstance(cell, list):
        cell = cell[-1] if cell else None
    if isinstance(cell, dict):
        ccls, ccfg = cell.get('class_name'), cell.get('config') or {}
        if ccls == 'StackedRNNCells':
            return _rnn_units('RNN', {'cell': ccfg.get('cells')})
        return ccfg.get('units'), (2 if ccls == 'LSTMCell' else 1)
    return None, 1


def _rnn(cls, config, shape):
    units, nstates = _rnn_units(cls, config)
    out = [shape[0], shape[1], units] if config.get('return_sequences') else [shape[0], units]
    if config.get('return_state'):
        return [out] + [[shape[0], units] for _ in range(nstates)]
    return out


def layer_output(cls, config, shapes):
    """Output shape(s) of one layer call; `shapes` is the list of input shapes."""
    cls = schema.keras3_class(cls)
    s = shapes[0] if shapes else None
    if cls == 'InputLayer':
        return list(config.get('batch_input_shape') or [None])
    if any(x is None for x in shapes) or not shapes:
        return None
    if cls in _SAME:
        return list(s)
    if cls in _MERGE:
        out = list(s)
        for other in shapes[1:]:
            if len(other) == len(out):
                out = [a if a is not None else b for a, b in zip(out, other)]
        return out
    if cls == 'Dense' or cls == 'EinsumDense':
        return s[:-1] + [config.get('units')]
    if cls == 'Flatten':
        rest = s[1:]
        return [s[0], None if any(d is None for d in rest) else int(math.prod(rest))]
    if cls == 'Reshape':
        target = list(config.get('target_shape') or [])
        if -1 in target and all(d is not None for d in s[1:]):
            known = math.prod(d for d in target if d != -1)
            target[target.index(-1)] = int(math.prod(s[1:]) // known) if known else None
        return [s[0]] + target
    if cls == 'Permute':
        return [s[0]] + [s[d] for d in config.get('dims') or []]
    if cls == 'RepeatVector':
        return [s[0], config.get('n'), s[-1]]
    if cls == 'Embedding':
        return list(s) + [config.get('output_dim')]
    if cls.startswith(('Conv', 'DepthwiseConv', 'SeparableConv')) and 'LSTM' not in cls:
        return _conv(cls, config, s)
    if cls.startswith(('MaxPooling', 'AveragePooling')):
        return _pool(cls, config, s)
    if cls.startswith(('GlobalMaxPooling', 'GlobalAveragePooling')):
        n = int(cls[-2])
        _, channels = _spatial(s, config, n)
        if config.get('keepdims'):
            return _assemble(s[0], [1] * n, channels, config)
        return [s[0], channels]
    if cls.startswith('ZeroPadding'):
        n = int(cls[-2])
        pad = config.get('padding', 1)
        pads = [[p, p] if not isinstance(p, list) else p for p in _tuple(pad, n)] \
            if not (isinstance(pad, list) and pad and isinstance(pad[0], list)) else pad
        spatial, ch = _spatial(s, config, n)
        return _assemble(s[0], [None if d is None else d + sum(p)
                                for d, p in zip(spatial, pads)], ch, config)
    if cls.startswith('Cropping'):
        n = int(cls[-2])
        crop = config.get('cropping', 1)
        crops = [[c, c] if not isinstance(c, list) else c for c in _tuple(crop, n)] \
            if not (isinstance(crop, list) and crop and isinstance(crop[0], list)) else crop
        spatial, ch = _spatial(s, config, n)
        return _assemble(s[0], [None if d is None else d - sum(c)
                                for d, c in zip(spatial, crops)], ch, config)
    if cls.startswith('UpSampling'):
        n = int(cls[-2])
        size = _tuple(config.get('size', 2), n)
        spatial, ch = _spatial(s, config, n)
        return _assemble(s[0], [None if d is None else d * k for d, k in zip(spatial, size)],
                         ch, config)
    if cls in ('SimpleRNN', 'GRU', 'LSTM', 'RNN'):
        return _rnn(cls, config, s)
    if cls in ('ConvLSTM1D', 'ConvLSTM2D', 'ConvLSTM3D'):
        n = int(cls[-2])
        step = [s[0]] + s[2:]
        spatial, _ = _spatial(step, config, n)
        kernel = _tuple(config.get('kernel_size'), n)
        strides = _tuple(config.get('strides', 1), n)
        dil = _tuple(config.get('dilation_rate', 1), n)
        out = [conv_length(d, k, config.get('padding', 'valid'), st, dl)
               for d, k, st, dl in zip(spatial, kernel, strides, dil)]
        frame = _assemble(s[0], out, config.get('filters'), config)
        seq = [frame[0], s[1]] + frame[1:] if config.get('return_sequences') else frame
        if config.get('return_state'):
            return [seq, frame, frame]
        return seq
    if cls == 'Bidirectional':
        inner = config.get('layer') or {}
        out = layer_output(inner.get('class_name'), inner.get('config') or {}, shapes)
        states = []
        if isinstance(out, list) and out and isinstance(out[0], list):
            out, states = out[0], out[1:]
        if out is None:
            return None
        mode = config.get('merge_mode', 'concat')
        if mode is None:
            merged = [out, list(out)]
        elif mode == 'concat':
            merged = out[:-1] + [None if out[-1] is None else out[-1] * 2]
        else:
            merged = out
        if states:
            return ([merged] if mode is not None else merged) + states + states
        return merged
    if cls == 'TimeDistributed':
        inner = config.get('layer') or {}
        out = layer_output(inner.get('class_name'), inner.get('config') or {},
                           [[s[0]] + s[2:]])
        return None if out is None else [out[0], s[1]] + out[1:]
    if cls == 'Concatenate':
        axis = config.get('axis', -1)
        out = list(s)
        dims = [x[axis] for x in shapes]
        out[axis] = None if any(d is None for d in dims) else sum(dims)
        return out
    if cls == 'Dot':
        axes = config.get('axes', -1)
        axes = axes if isinstance(axes, list) else [axes, axes]
        a, b = shapes[0], shapes[1]
        ax = [x % len(y) for x, y in zip(axes, (a, b))]
        out = [d for i, d in enumerate(a) if i != ax[0]] + \
            [d for i, d in enumerate(b) if i != ax[1] and i != 0]
        return out if len(out) > 1 else out + [1]
    if cls in ('Attention', 'AdditiveAttention'):
        v = shapes[1] if len(shapes) > 1 else s
        return s[:-1] + [v[-1]]
    if cls == 'MultiHeadAttention':
        out = config.get('output_shape')
        if out is None:
            return list(s)
        return s[:-1] + (list(out) if isinstance(out, list) else [out])
    if cls == 'CategoryEncoding':
        return [s[0], config.get('num_tokens')]
    if cls in ('Resizing', 'CenterCrop', 'RandomCrop'):
        return _assemble(s[0], [config.get('height'), config.get('width')], _spatial(
            s, config, 2)[1], config)
    if cls in schema.MODEL_CLASSES:
        outs = model_outputs({'class_name': cls, 'config': config})
        if outs is None:
            return None
        return outs[0] if len(outs) == 1 else outs
    return None


def _inner_refs(node) -> list:
    return [(item[0], int(item[1]), int(item[2])) for item in node]


def model_outputs(topology) -> list | None:
    """Shapes of a model's outputs (None when unknown)."""
    shapes = infer(topology)
    cls, config = topology['class_name'], topology.get('config')
    if schema.keras3_class(cls) == 'Sequential':
        layers = schema.model_layers(cls, config)
        if not layers:
            return None
        last = schema.layer_entry_name(layers[-1])
        return [shapes.get((last, 0, 0))]
    return [shapes.get(tuple(r[:3])) for r in (config.get('output_layers') or [])]


def infer(topology: dict) -> dict:
    """`{(layer name, node index, tensor index): shape}` for every layer call of a model."""
    out: dict = {}
    try:
        _infer(topology, out)
    except (TypeError, ValueError, KeyError, IndexError, ZeroDivisionError, AttributeError):
        pass
    return out


def _record(out, name, node_index, result):
    if isinstance(result, list) and result and isinstance(result[0], list):
        for i, r in enumerate(result):
            out[(name, node_index, i)] = r
    else:
        out[(name, node_index, 0)] = result


def _infer(topology, out):
    cls, config = topology['class_name'], topology.get('config')
    layers = schema.model_layers(cls, config)
    if schema.keras3_class(cls) == 'Sequential':
        shape = None
        for i, entry in enumerate(layers):
            lcfg = entry.get('config') or {}
            name = schema.layer_entry_name(entry)
            if i == 0 and entry.get('class_name') != 'InputLayer':
                shape = lcfg.get('batch_input_shape')
                if shape is None and lcfg.get('input_shape') is not None:
                    shape = [None] + list(lcfg['input_shape'])
            result = layer_output(entry['class_name'], lcfg, [shape] if shape else [])
            _record(out, name, 0, result)
            shape = result if not (isinstance(result, list) and result
                                   and isinstance(result[0], list)) else result[0]
        return
    pending = []
    for entry in layers:
        name = schema.layer_entry_name(entry)
        if entry.get('class_name') == 'InputLayer':
            _record(out, name, 0, layer_output('InputLayer', entry.get('config') or {}, []))
            continue
        for ni, node in enumerate(entry.get('inbound_nodes') or []):
            pending.append((entry, name, ni, node))
    progress = True
    while pending and progress:
        progress = False
        rest = []
        for entry, name, ni, node in pending:
            refs = _inner_refs(node)
            if all(r in out for r in refs):
                result = layer_output(entry['class_name'], entry.get('config') or {},
                                      [out[r] for r in refs])
                _record(out, name, ni, result)
                progress = True
            else:
                rest.append((entry, name, ni, node))
        pending = rest
