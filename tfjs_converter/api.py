"""Load, save and convert models between Keras files and TF.js layers models."""
from __future__ import annotations

import os

from .errors import FileFormatError, UnsupportedError
from .model import ConvertedModel

H5_SUFFIXES = ('.h5', '.hdf5', '.keras.h5')
GRAPH_FORMATS = ('tf_saved_model', 'keras_saved_model', 'tf_hub', 'tf_frozen_model',
                 'tfjs_graph_model')


def detect_format(path: str) -> str:
    """`keras`, `keras_keras` or `tfjs_layers_model` from a path (its suffix, else its first
    bytes)."""
    p = path[7:] if path.startswith('file://') else path
    low = p.lower()
    if os.path.isdir(p) or low.endswith('.json'):
        return 'tfjs_layers_model'
    if low.endswith('.keras'):
        return 'keras_keras'
    if low.endswith(H5_SUFFIXES):
        return 'keras'
    try:
        with open(p, 'rb') as f:
            head = f.read(8)
    except OSError:
        raise FileFormatError(f'Cannot tell the format of {path}: give a .h5, .keras or model.json '
                              'path (or --input_format).') from None
    if head.startswith(b'PK'):
        return 'keras_keras'
    if head.startswith(b'\x89HDF'):
        return 'keras'
    if head.lstrip()[:1] == b'{':
        return 'tfjs_layers_model'
    raise FileFormatError(f'{path} is neither a Keras (.h5, .keras) nor a TF.js (model.json) '
                          'model file.')


def _check_format(fmt: str, what: str) -> None:
    from . import FORMATS
    if fmt in GRAPH_FORMATS:
        raise UnsupportedError(
            f'{what} format "{fmt}" is a TensorFlow graph format, which needs TensorFlow; this '
            'converter handles Keras layers models (keras, keras_keras, tfjs_layers_model). Use '
            'tensorflowjs_converter for graph models.')
    if fmt not in FORMATS:
        raise UnsupportedError(f'Unknown {what.lower()} format "{fmt}"; use one of '
                               f'{", ".join(sorted(FORMATS))}.')


def load(path: str, input_format: str | None = None, progress=None) -> ConvertedModel:
    """A `ConvertedModel` from a Keras `.h5` / `.keras` file or a TF.js `model.json`."""
    fmt = input_format or detect_format(path)
    _check_format(fmt, 'Input')
    p = path[7:] if path.startswith('file://') else path
    if progress:
        progress.stage(f'reading {fmt} from {p}')
    if fmt == 'keras':
        from . import keras_h5
        return keras_h5.read(p)
    if fmt == 'keras_keras':
        from . import keras_v3
        return keras_v3.read(p)
    from . import tfjs_layers
    return tfjs_layers.read(p, progress)


def save(model: ConvertedModel, path: str, output_format: str | None = None, quantization=None,
         weight_shard_size_bytes: int | None = None, split_weights_by_layer: bool = False,
         metadata: dict | None = None, progress=None) -> None:
    """Write `model` as `output_format` (default: from the path's suffix)."""
    fmt = output_format or _output_format_from_path(path)
    _check_format(fmt, 'Output')
    p = path[7:] if path.startswith('file://') else path
    if fmt != 'tfjs_layers_model' and (quantization or weight_shard_size_bytes
                                       or split_weights_by_layer or metadata):
        raise UnsupportedError('Quantization, --weight_shard_size_bytes, --split_weights_by_layer '
                               'and --metadata apply to tfjs_layers_model output only.')
    if progress:
        progress.stage(f'writing {fmt} to {p}')
    if fmt == 'keras':
        from . import keras_h5
        keras_h5.write(model, p, weights_only=model.topology is None)
    elif fmt == 'keras_keras':
        from . import keras_v3, shapes
        keras_v3.write(model, p, shapes.infer(model.topology) if model.topology else None)
    else:
        from . import tfjs_layers, weights
        tfjs_layers.write(model, p, quantization,
                          weight_shard_size_bytes or weights.DEFAULT_SHARD_SIZE_BYTES,
                          split_weights_by_layer, metadata, progress)


def _output_format_from_path(path: str) -> str:
    low = path.lower()
    if low.endswith('.keras'):
        return 'keras_keras'
    if low.endswith(H5_SUFFIXES):
        return 'keras'
    return 'tfjs_layers_model'


def default_output_format(input_format: str) -> str:
    """tensorflowjs_converter's defaults: Keras inputs become TF.js, TF.js becomes Keras."""
    return 'keras' if input_format == 'tfjs_layers_model' else 'tfjs_layers_model'


def convert(input_path: str, output_path: str, input_format: str | None = None,
            output_format: str | None = None, progress=None, **options) -> ConvertedModel:
    """Convert a model file; returns the model that was written."""
    in_fmt = input_format or detect_format(input_path)
    out_fmt = output_format or default_output_format(in_fmt)
    model = load(input_path, in_fmt, progress)
    save(model, output_path, out_fmt, progress=progress, **options)
    return model


def summary(path: str, input_format: str | None = None) -> str:
    """The text `tfjs inspect` prints for a model file."""
    from .inspect import summarize
    return summarize(path, input_format)
