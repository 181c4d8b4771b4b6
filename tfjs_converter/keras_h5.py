"""Keras HDF5 files (`.h5`): full models written by Keras 2 (tf.keras, tf-keras, Keras 2.2) and
by Keras 3 (`model.save('m.h5')`), and weights-only files (`save_weights`), read and written
with h5py alone.

Layout of a full model file: root attributes `model_config` (JSON), `keras_version`,
`backend`, `training_config`; a group `model_weights` with attributes `layer_names`, and per
layer a group with attribute `weight_names` whose datasets hold the weights (names such as
`dense/kernel:0`, `lstm/lstm_cell/kernel:0`, or Keras 3's `sequential/dense/kernel`). Keras
loads them by position: each layer's weights in `layer.weights` order (trainable first).
A weights-only file has the same layer groups at its root.

The weights are named here as TF.js names them (`dense/kernel`, `lstm/kernel`,
`bidirectional/forward_lstm/kernel`), from the layer configs (`schema.py`); where a file's own
name already loads in TF.js (the name itself, or it with the RNN-cell component dropped, as
TF.js retries) that name is kept, as the tensorflowjs converter keeps it.
"""
from __future__ import annotations

import json
import warnings

import numpy as np

from . import dialects, schema
from .errors import FileFormatError
from .h5util import (Budget, as_text, child, file_size_of, h5py_module, open_h5,
                     read_attr_list, read_dataset, read_json_attr, write_attr_list)
from .model import ConvertedModel, Weight
from .weights import as_tfjs_array

KERAS2_VERSION_FOR_H5 = '2.15.0'


def _strip0(name: str) -> str:
    return name[:-2] if name.endswith(':0') else name


def _drop_cell(name: str) -> str | None:
    t = name.split('/')
    return '/'.join(t[:-2] + [t[-1]]) if len(t) >= 3 else None


def is_weights_only(f) -> bool:
    return 'model_config' not in f.attrs and ('layer_names' in f.attrs
                                              or 'layer_names0' in f.attrs)


def is_keras3_weights_file(f) -> bool:
    return 'model_config' not in f.attrs and 'layer_names' not in f.attrs and \
        ('layers' in f or '_layer_checkpoint_dependencies' in f or 'vars' in f)


def read_layer_groups(group, budget: Budget, where: str, file_order: bool = False) -> list:
    """`[(layer name, [(weight name, array)])]` of a `model_weights`-style group, in
    `layer_names` order (model order), or with `file_order` in the HDF5 group order (by name),
    which is the order tensorflowjs_converter writes the weights in."""
    out = []
    for layer_name in read_attr_list(group, 'layer_names'):
        g = child(group, layer_name, where)
        if g is None:
            raise FileFormatError(f'{where}: layer "{layer_name}" is listed in layer_names but has '
                                  'no group; the file is incomplete.')
        items = []
        for wname in read_attr_list(g, 'weight_names'):
            items.append((wname, _listed_dataset(g, wname, where, budget, f'{layer_name}/{wname}',
                                                 f'weight "{wname}" of layer "{layer_name}"')))
        out.append((layer_name, items))
    if file_order:
        order = {name: i for i, name in enumerate(group.keys())}
        out.sort(key=lambda item: order.get(item[0], len(order)))
    return out


def name_weights(topology, groups: list, where: str, notes: list) -> list:
    """TF.js-named `Weight`s for the `(layer name, [(h5 name, array)])` groups of a full model
    file, whose layer names are those of `topology`."""
    by_layer: dict = {}
    unknown: set = set()
    if topology is not None:
        for entry in schema.model_layers(topology['class_name'], topology.get('config')):
            name = schema.layer_entry_name(entry)
            try:
                slots = schema.layer_slots(entry['class_name'], entry.get('config') or {})
            except schema.UnknownLayerWeights:
                unknown.add(name)
                continue
            by_layer[name] = schema.legacy_order(
                [s if s.absolute else _with_name(s, f'{name}/{s.name}') for s in slots])
    out = []
    for layer_name, items in groups:
        if not items:
            continue
        slots = by_layer.get(layer_name)
        if slots is None:
            if topology is not None and layer_name not in unknown:
                raise FileFormatError(f'{where}: the weights of layer "{layer_name}" belong to no '
                                      'layer of the model config.')
            if layer_name in unknown:
                notes.append(f'layer "{layer_name}": unknown class; its weights keep the file\'s '
                             'names')
            out += [Weight(_strip0(n), as_tfjs_array(a), None, layer_name) for n, a in items]
            continue
        if len(slots) != len(items):
            raise FileFormatError(
                f'{where}: layer "{layer_name}" has {len(items)} weights in the file '
                f'({", ".join(n for n, _ in items)}) but its config implies {len(slots)} '
                f'({", ".join(s.name for s in slots)}). The file does not match its model '
                'config.')
        for slot, (h5name, array) in zip(slots, items):
            short = _strip0(h5name)
            ours, theirs = slot.name.split('/')[-1], short.split('/')[-1]
            if ours != theirs and {ours, theirs} != {'kernel', 'depthwise_kernel'}:
                notes.append(f'weight "{h5name}" taken as "{slot.name}" (by position)')
            name = short if short == slot.name or _drop_cell(short) == slot.name else slot.name
            out.append(Weight(name, as_tfjs_array(array), None, layer_name))
    return out


def _with_name(slot, name):
    from dataclasses import replace
    return replace(slot, name=name)


def translate_config(config: dict, keras_version: str | None, notes: list) -> tuple:
    """`(TF.js-dialect topology, Keras 3 semantics?)` for a model config from a file."""
    return (dialects.keras3_to_tfjs(config, notes),
            dialects.keras3_semantics(keras_version, config))


def read(path_or_file, where: str | None = None) -> ConvertedModel:
    """A full Keras model (or, with `model_config` absent, a weights-only file: topology None)
    from an `.h5` file."""
    where = where or str(path_or_file)
    f = open_h5(path_or_file, where)
    try:
        budget = Budget(file_size_of(path_or_file), where)
        keras_version = as_text(f.attrs['keras_version']) if 'keras_version' in f.attrs else None
        backend = as_text(f.attrs['backend']) if 'backend' in f.attrs else None
        notes: list = []
        if is_keras3_weights_file(f):
            raise FileFormatError(f'{where} is a Keras 3 weights file (model.save_weights); it '
                                  'has no model config. Load it into a model with '
                                  'model.loadWeights(path).')
        if is_weights_only(f):
            groups = read_layer_groups(f, budget, where, file_order=True)
            weights = name_weights(None, groups, where, notes)
            return ConvertedModel(None, weights, keras_version, backend, source=where,
                                  notes=notes)
        config = read_json_attr(f, 'model_config', where)
        if config is None:
            raise FileFormatError(f'{where} has neither a model_config nor layer_names: it is '
                                  'not a Keras model or weights file.')
        topology, k3 = translate_config(config, keras_version, notes)
        training = read_json_attr(f, 'training_config', where)
        if k3 and isinstance(training, dict):
            training = dialects._strip_modules(training)
        mw = child(f, 'model_weights', where)
        groups = read_layer_groups(mw, budget, where, file_order=True) if mw is not None else []
        weights = name_weights(topology, groups, where, notes)
        if k3:
            named = dialects.rescale_hard_sigmoid(
                topology, {w.name: w.array for w in weights},
                dialects.KERAS3_HARD_SIGMOID_TO_TFJS)
            for w in weights:
                w.array = named[w.name]
        generated = f'keras v{keras_version}' if keras_version else None
        model = ConvertedModel(topology, weights, keras_version, backend, training, generated,
                               source=where, notes=notes)
        items = read_optimizer_weights(f, budget, where)
        if training is not None:
            from .keras_v3 import attach_training_state
            attach_training_state(model, [], where, items or None)
        return model
    finally:
        f.close()


def _listed_dataset(group, name: str, where: str, budget: Budget, path: str, what: str):
    """The array of the dataset `name` that `group` lists in an attribute; a clear error when
    the file lists it but does not hold it."""
    ds = child(group, name, where)
    if ds is None:
        raise FileFormatError(f'{where}: {what} is listed but missing; the file is incomplete.')
    return read_dataset(ds, path, budget)


def read_optimizer_weights(f, budget: Budget, where: str) -> list:
    """`[(name, array)]` of the `optimizer_weights` group (its `weight_names` order)."""
    group = child(f, 'optimizer_weights', where)
    if group is None:
        return []
    out = []
    for name in read_attr_list(group, 'weight_names'):
        out.append((name, _listed_dataset(group, name, where, budget, f'optimizer_weights/{name}',
                                          f'optimizer weight "{name}"')))
    return out



# ------------------------------------------------------------------------------------ writing

def _legacy_layer_weights(model: ConvertedModel) -> list:
    """`[(layer name, [(file weight name, array)])]` for every layer of the model, each layer's
    weights in Keras's legacy order."""
    topology = model.topology
    weights, unmatched, _ = schema.canonical_weights(topology, model.weight_dict())
    weights.update({n: model.weight_dict()[n] for n in unmatched})
    out, used = [], set()
    for entry in schema.model_layers(topology['class_name'], topology.get('config')):
        name = schema.layer_entry_name(entry)
        try:
            slots = schema.layer_slots(entry['class_name'], entry.get('config') or {})
        except schema.UnknownLayerWeights:
            items = [(n, a) for n, a in weights.items() if n.startswith(name + '/')]
            used.update(n for n, _ in items)
            out.append((name, [(f'{n}:0', a) for n, a in items]))
            continue
        items = []
        for s in schema.legacy_order(slots):
            full = s.name if s.absolute else f'{name}/{s.name}'
            if full not in weights:
                raise FileFormatError(f'The model has no weight "{full}" (layer "{name}"); it '
                                      'cannot be written as a Keras file.')
            used.add(full)
            items.append((f'{full}:0', weights[full]))
        out.append((name, items))
    extra = [n for n in weights if n not in used]
    if extra:
        raise FileFormatError(f'Weights {extra[:5]} belong to no layer of the model config; '
                              'they cannot be written as a Keras file.')
    return out


def write_layer_groups(group, layers: list) -> None:
    write_attr_list(group, 'layer_names', [n for n, _ in layers])
    for name, items in layers:
        g = group.create_group(name)
        write_attr_list(g, 'weight_names', [n for n, _ in items])
        for wname, array in items:
            a = np.asarray(array)
            if a.dtype.kind == 'O':
                h5py = h5py_module()
                g.create_dataset(wname, data=a.astype(object), dtype=h5py.string_dtype())
            else:
                g.create_dataset(wname, data=a)


def write(model: ConvertedModel, path: str, weights_only: bool = False) -> None:
    """A Keras 2 dialect full-model `.h5` (or a weights-only file), atomically."""
    from .atomic import write_file_atomic
    if model.topology is None and not weights_only:
        raise FileFormatError('A model without topology can only be written as a weights file.')
    if not weights_only:
        uses = dialects.hard_sigmoid_uses(model.topology)
        if uses:
            warnings.warn('This model uses the activation "hard_sigmoid", which tf.keras (Keras '
                          '2) reads as clip(0.2x + 0.5, 0, 1), as TF.js does, but Keras 3 reads '
                          'in an .h5 file as relu6(x + 3) / 6. For Keras 3, save as .keras.')
    layers = _legacy_layer_weights(model)
    keras_version = model.keras_version if model.keras_version and \
        model.keras_version[:1] == '2' else KERAS2_VERSION_FOR_H5
    config = dialects.tfjs_to_keras2(model.topology) if model.topology else None
    training, optimizer_items = model.training_config, []
    if model.train_config_tfjs is not None and not weights_only:
        from . import keras_training as kt
        training, optimizer_items = kt.keras2_training_state(
            model.train_config_tfjs, [w for w in model.weights if w.group == 'optimizer'],
            kt.trainable_weights(model.topology, model.weights), model.source or 'the model')

    def produce(tmp):
        h5py = h5py_module()
        with h5py.File(tmp, 'w') as f:
            if weights_only:
                target = f
            else:
                f.attrs['keras_version'] = keras_version
                f.attrs['backend'] = 'tensorflow'
                f.attrs['model_config'] = json.dumps(config)
                if training is not None:
                    f.attrs['training_config'] = json.dumps(training)
                if optimizer_items:
                    g = f.create_group('optimizer_weights')
                    write_attr_list(g, 'weight_names', [n for n, _ in optimizer_items])
                    for name, array in optimizer_items:
                        g.create_dataset(name, data=np.asarray(array))
                target = f.create_group('model_weights')
            target.attrs['backend'] = 'tensorflow'
            target.attrs['keras_version'] = keras_version
            write_layer_groups(target, layers)
            if not weights_only:
                g = target.create_group('top_level_model_weights')
                write_attr_list(g, 'weight_names', [])
    write_file_atomic(path, produce)
