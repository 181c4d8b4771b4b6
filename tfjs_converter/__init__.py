"""`tfjs_converter`: Keras `.h5` / `.keras` and TF.js layers models, converted both ways with
NumPy and h5py only (no TensorFlow, no PyTorch, so it installs small and starts fast).

>>> import tfjs_converter as tc
>>> sorted(tc.FORMATS)
['keras', 'keras_keras', 'tfjs_layers_model']

Python API: `load(path, input_format=None) -> ConvertedModel`, `save(model, path,
output_format=None, **options)`, `convert(input_path, output_path, ...)`, `summary(path)`;
command line: `tfjs convert ...` and `tfjs inspect PATH` (see `tfjs_converter.cli`).
The `tfjs` package uses this package to read and write Keras files.
"""
from __future__ import annotations

__version__ = '0.1.0'

FORMATS = {
    'keras': 'Keras HDF5 (.h5): full model or weights',
    'keras_keras': 'Keras 3 archive (.keras)',
    'tfjs_layers_model': 'TF.js layers model (model.json + weight shards)',
}

from .api import convert, detect_format, load, save, summary  # noqa: E402
from .errors import (ConfigError, ConverterError, FileFormatError,  # noqa: E402
                     UnsupportedError)
from .model import ConvertedModel, Weight  # noqa: E402

__all__ = ['FORMATS', 'ConvertedModel', 'Weight', 'convert', 'detect_format', 'load', 'save',
           'summary', 'ConverterError', 'FileFormatError', 'ConfigError', 'UnsupportedError',
           '__version__']
