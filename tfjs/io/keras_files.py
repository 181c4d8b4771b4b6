"""Keras files as IOHandlers: `tf.loadLayersModel('model.keras')`, `tf.loadLayersModel('m.h5')`,
`model.save('model.keras')`, `model.save('model.h5')` (plain paths or `file://`), and the
Keras-style weights API `model.loadWeights('weights.h5')` / `model.saveWeights(...)`.

The formats are read and written by `tfjs_converter` (NumPy and h5py, no TensorFlow):

* `.keras`: a Keras 3 archive (config.json, metadata.json, model.weights.h5), loadable by
  `keras.models.load_model` (Keras 3).
* `.h5` / `.hdf5`: a Keras HDF5 full model in the Keras 2 dialect, loadable by tf.keras /
  tf-keras (and by Keras 3's legacy loader). Files written by Keras 2 and Keras 3 both load.
* weights only: `model.saveWeights('x.weights.h5')` writes Keras 3's weights file (what
  `model.save_weights` writes in Keras 3); `model.saveWeights('x.h5')` writes Keras 2's
  layout. `model.loadWeights(path)` reads either (and `.keras` / full-model `.h5` files), matching
  layers by position as Keras does.

As Keras's `model.save` (`include_optimizer=True`), saving to a Keras file includes the compile
settings and the optimizer state unless `{'includeOptimizer': False}` is given (TF.js's own
default, false, stays for every other URL). Loading compiles the model with them: Keras 2.0-2.2
`.h5` files too, whose optimizer variables are matched by position.

>>> import tempfile, os, numpy as np, tfjs as tf
>>> m = tf.sequential({'layers': [tf.layers.dense({'units': 2, 'inputShape': [3]})]})
>>> path = os.path.join(tempfile.mkdtemp(), 'm.keras')
>>> _ = m.save(path)
>>> back = tf.loadLayersModel(path)
>>> x = tf.ones([1, 3])
>>> bool(np.allclose(np.asarray(back.predict(x)), np.asarray(m.predict(x))))
True
"""
from __future__ import annotations

import contextlib
import os
import warnings

from .._naming import SnakeCaseAliases
from ..errors import IOError, ValueError
from .artifacts import get_model_artifacts_info

URL_SCHEME = 'file://'
KERAS_SUFFIXES = ('.keras', '.h5', '.hdf5')


def is_keras_path(url) -> bool:
    """Whether a path or `file://` URL names a Keras file (by its suffix)."""
    if isinstance(url, os.PathLike):
        url = os.fspath(url)
    if not isinstance(url, str):
        return False
    if '://' in url and not url.startswith(URL_SCHEME):
        return False
    return url.lower().endswith(KERAS_SUFFIXES)


def _path(url) -> str:
    url = os.fspath(url)
    if url.startswith(URL_SCHEME):
        url = url[len(URL_SCHEME):]
    return os.path.abspath(os.path.expanduser(url))


@contextlib.contextmanager
def converted_errors():
    """Re-raise `tfjs_converter` errors as `tfjs.errors` ones, with the same message."""
    from tfjs_converter.errors import ConverterError, FileFormatError
    try:
        yield
    except FileFormatError as exc:
        raise IOError(str(exc)) from None
    except ConverterError as exc:
        raise ValueError(str(exc)) from None
    except ImportError as exc:
        if 'h5py' in str(exc):
            raise IOError(str(exc)) from None
        raise


class KerasFile(SnakeCaseAliases):
    """IOHandler for one Keras file (`.keras` or `.h5`)."""

    def __init__(self, path):
        self.path = _path(path)
        self.format = 'keras_keras' if self.path.lower().endswith('.keras') else 'keras'

    def __repr__(self):
        return f'<KerasFile {self.path!r}>'

    def save(self, modelArtifacts) -> dict:
        """Write the model as a Keras file, atomically; with TF.js's `includeOptimizer: true`
        also its compile settings and optimizer state (Keras 3 `compile_config` and
        `optimizer/vars`; tf-keras `training_config` and `optimizer_weights`), so that Keras
        loads it compiled and training continues from the same state."""
        import tfjs_converter as tc
        if isinstance(modelArtifacts.get('modelTopology'), (bytes, bytearray, memoryview)):
            raise ValueError('Binary (graph model) topologies cannot be saved as Keras files.')
        from tfjs_converter.keras_training import TrainingStateError
        with converted_errors():
            model = tc.ConvertedModel.from_artifacts(modelArtifacts, self.path)
            try:
                tc.save(model, self.path, self.format)
            except TrainingStateError as exc:
                warnings.warn(f'{os.path.basename(self.path)}: the training state is not saved '
                              f'({exc}); Keras will load the model uncompiled.')
                model.train_config_tfjs = None
                model.weights = [w for w in model.weights if w.group != 'optimizer']
                tc.save(model, self.path, self.format)
        return {'modelArtifactsInfo': get_model_artifacts_info(modelArtifacts)}

    def load(self) -> dict:
        """The model artifacts (TF.js dialect topology, TF.js weight names) of the file."""
        import tfjs_converter as tc
        with converted_errors():
            model = tc.load(self.path, self.format)
        if model.topology is None:
            raise IOError(f'{self.path} holds only weights (no model config). Build the model in '
                          'code and call model.loadWeights(path).')
        _check_training_state(model, self.path)
        return model.to_artifacts(include_optimizer=model.train_config_tfjs is not None)


def _check_training_state(model, path: str) -> None:
    """Keep the file's compile settings only if TF.js can compile with them (else warn and load
    the model uncompiled); saved optimizer variables that do not fit the model leave it compiled
    with a fresh optimizer, with a warning, as Keras does."""
    problem = next((n for n in model.notes if n.startswith(('training state not loaded',
                                                            'optimizer state not restored'))),
                   None)
    if model.train_config_tfjs is not None:
        try:
            _try_compile_config(model.train_config_tfjs)
        except Exception as exc:          # noqa: BLE001 - reported, the model still loads
            problem = f'training state not loaded ({exc}); the model loads uncompiled'
            model.train_config_tfjs = None
            model.weights = [w for w in model.weights if w.group != 'optimizer']
    if problem and model.train_config_tfjs is None:
        warnings.warn(f'{os.path.basename(path)}: {problem}. Call model.compile() before '
                      'training.')
    elif problem:
        warnings.warn(f'{os.path.basename(path)}: {problem}.')


def _try_compile_config(config: dict) -> None:
    """Raise what `loadTrainingConfig` would raise for `config`, without a model."""
    from ..serialization import convert_pythonic_to_ts
    from ..train import deserialize_optimizer
    from .._naming import to_camel_case
    from ..losses import get_loss
    from ..metrics import resolve_metric
    deserialize_optimizer(convert_pythonic_to_ts(config['optimizer_config'])).dispose()
    loss = config.get('loss')
    for name in (loss if isinstance(loss, list) else list(loss.values())
                 if isinstance(loss, dict) else [loss]):
        if not isinstance(name, str):
            raise ValueError(f'the loss {name!r} is not a TF.js loss name')
        get_loss(to_camel_case(name))
    ms = config.get('metrics') or []
    for m in (ms if isinstance(ms, list) else [x for v in ms.values() for x in v]):
        if isinstance(m, str):
            resolve_metric(to_camel_case(m), to_camel_case(loss) if isinstance(loss, str)
                           else None)


def kerasFile(path) -> KerasFile:
    """IOHandler for a Keras `.keras` / `.h5` file."""
    return KerasFile(path)


def kerasFileRouter(url, loadOptions=None):
    """Router: a handler for paths and `file://` URLs ending in .keras, .h5 or .hdf5."""
    if isinstance(url, (list, tuple)) or not is_keras_path(url):
        return None
    return KerasFile(url)


# ---------------------------------------------------------------------- weights-only files

def _topology(model) -> dict:
    import json
    topo = json.loads(model.toJSON(None, True))
    return {'class_name': topo['class_name'], 'config': topo['config']}


def load_weights_file(model, path, strict: bool = True) -> None:
    """`model.loadWeights(path)`: weights from a Keras file (`.weights.h5`, weights-only or
    full-model `.h5`, `.keras`) or a TF.js `model.json`, set into `model`.

    Keras files are matched as Keras matches them: Keras 3 weights files by the position of
    each layer in the model, Keras 2 `.h5` layouts by the order of the layers that have weights
    (layer names may differ). A `model.json` is matched by weight name.
    """
    from ..backend.memory import dispose
    from ..ops.creation import tensor
    path = _path(path)
    low = path.lower()
    with converted_errors():
        if low.endswith('.json') or os.path.isdir(path):
            import tfjs_converter as tc
            named = tc.load(path, 'tfjs_layers_model').weight_dict()
        else:
            named = _keras_weights(model, path)
    tensors = {name: tensor(array) for name, array in named.items()}
    try:
        model.loadWeights(tensors, strict)
    finally:
        dispose(list(tensors.values()))


def _keras_weights(model, path: str) -> dict:
    from tfjs_converter import dialects, keras_h5, keras_v3, schema
    from tfjs_converter.errors import FileFormatError
    from tfjs_converter.h5util import Budget, child, file_size_of, open_h5, as_text
    topology = _topology(model)
    if path.lower().endswith('.keras'):
        zf, members = keras_v3.open_archive(path)
        with zf:
            if keras_v3.WEIGHTS_H5 not in members:
                raise FileFormatError(f'{path} has no model.weights.h5.')
            import io
            data = keras_v3._read_member(zf, members[keras_v3.WEIGHTS_H5], path,
                                         keras_v3.HARD_CAP_BYTES)
            meta = keras_v3._json_member(zf, members, keras_v3.METADATA, path) or {}
        version = meta.get('keras_version') if isinstance(meta, dict) else None
        return {w.name: w.array for w in keras_v3.read_weights_h5(
            io.BytesIO(data), topology, path, dialects.keras3_semantics(version or '3'))}
    f = open_h5(path, path)
    try:
        if keras_h5.is_keras3_weights_file(f):
            f.close()
            return {w.name: w.array for w in keras_v3.read_weights_h5(path, topology, path)}
        version = as_text(f.attrs['keras_version']) if 'keras_version' in f.attrs else None
        group = f if keras_h5.is_weights_only(f) else child(f, 'model_weights', path)
        if group is None:
            raise FileFormatError(f'{path} is neither a Keras weights file nor a Keras model file.')
        file_layers = [(n, items) for n, items in
                       keras_h5.read_layer_groups(group, Budget(file_size_of(path), path), path)
                       if items]
    finally:
        if f.id.valid:
            f.close()
    model_layers = []
    for entry in schema.model_layers(topology['class_name'], topology['config']):
        name = schema.layer_entry_name(entry)
        slots = schema.layer_slots(entry['class_name'], entry.get('config') or {})
        if slots:
            model_layers.append((name, schema.legacy_order(slots)))
    if len(file_layers) != len(model_layers):
        raise FileFormatError(
            f'{path} holds weights for {len(file_layers)} layers '
            f'({", ".join(n for n, _ in file_layers[:8])}), but the model has '
            f'{len(model_layers)} layers with weights. Keras weight files are matched by layer '
            'order; the model must have the architecture the file was saved from.')
    named = {}
    for (fname, items), (lname, slots) in zip(file_layers, model_layers):
        if len(items) != len(slots):
            raise FileFormatError(f'Layer "{lname}" has {len(slots)} weights, but the file\'s '
                                  f'layer "{fname}" has {len(items)}.')
        for s, (_, array) in zip(slots, items):
            named[s.name if s.absolute else f'{lname}/{s.name}'] = array
    if dialects.keras3_semantics(version):
        named = dialects.rescale_hard_sigmoid(topology, named,
                                              dialects.KERAS3_HARD_SIGMOID_TO_TFJS)
    return named


def save_weights_file(model, path) -> None:
    """`model.saveWeights(path)`: `*.weights.h5` -> Keras 3 weights file; other `.h5` -> Keras
    2 weights-only layout. Atomic."""
    import tfjs_converter as tc
    from tfjs_converter import keras_h5, keras_v3
    path = _path(path)
    low = path.lower()
    if not low.endswith(('.h5', '.hdf5')):
        raise ValueError(f'saveWeights writes HDF5 files: give a path ending in .weights.h5 '
                         f'(Keras 3) or .h5 (Keras 2), not {os.path.basename(path)}. To save the '
                         'whole model use model.save(path).')
    named = [(w.originalName, w.read()._numpy()) for w in model.weights]
    weights = [tc.Weight(n, a) for n, a in named]
    cm = tc.ConvertedModel(_topology(model), weights, 'tfjs-layers 4.22.0')
    with converted_errors():
        if low.endswith('.weights.h5'):
            keras_v3.write_weights_file(cm, path)
        else:
            keras_h5.write(cm, path, weights_only=True)


__all__ = ['KerasFile', 'kerasFile', 'kerasFileRouter', 'is_keras_path', 'load_weights_file',
           'save_weights_file']
