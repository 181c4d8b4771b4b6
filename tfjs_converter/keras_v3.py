"""Keras 3 files: the `.keras` zip (`config.json`, `metadata.json`, `model.weights.h5` or
`.npz`, `assets/`) and the
`*.weights.h5` weights file, read and written with zipfile and h5py alone.

The weights file addresses variables by position, not by name: `layers/<group>/vars/<i>`, where
`<group>` is the snake_case Python class of the layer, numbered per class in `model.layers`
order (`dense`, `dense_1`), and nested objects add their attribute names
(`layers/lstm/cell/vars/0`, `layers/bidirectional/forward_layer/cell/vars/2`,
`layers/sequential/layers/dense/vars/0`). `schema.py` knows these paths for every layer class;
recent Keras versions also store each layer's name on its `vars` group, which is used to check
(and, for files from other Keras versions, to find) the groups.

Also read: the compile settings (`compile_config`) and the optimizer's variables
(`optimizer/vars/<i>` of the weights file), see `keras_training.py`; lookup-layer vocabularies
saved as `assets/<store path>/vocabulary.txt` (written back the same way); and the `.npz`
weights store (`model.weights.npz`, see `npz_store.py`).

Archives are checked before anything is read: members with absolute or `..` paths, odd
characters, duplicates or encryption are refused, declared sizes and compression ratios are
bounded, and nothing is extracted to disk (the weights file is read from memory).
"""
from __future__ import annotations

import datetime
import io
import json
import os
import re
import warnings
import zipfile

import numpy as np

from . import dialects, npz_store, schema
from .errors import FileFormatError
from .h5util import (HARD_CAP_BYTES, MAX_COMPRESSION_RATIO, Budget, as_text, child,
                     file_size_of, h5py_module, open_h5, read_dataset)
from .model import ConvertedModel, Weight
from .weights import as_tfjs_array

CONFIG = 'config.json'
METADATA = 'metadata.json'
WEIGHTS_H5 = 'model.weights.h5'
WEIGHTS_NPZ = 'model.weights.npz'
MAX_JSON_BYTES = 256 * 1024 * 1024
KERAS3_VERSION_WRITTEN = '3.15.1'     # the Keras 3 whose format this writer follows (tested)
_SAFE_MEMBER = re.compile(r'^[A-Za-z0-9_.\-][A-Za-z0-9_.\- /]*$')


# ------------------------------------------------------------------------------- the archive

def check_archive(zf: zipfile.ZipFile, where: str, archive_size: int) -> dict:
    """`{name: ZipInfo}` of a `.keras` archive after the safety checks."""
    members: dict = {}
    total = 0
    for info in zf.infolist():
        name = info.filename
        if info.is_dir():
            continue
        parts = name.split('/')
        if (not _SAFE_MEMBER.match(name) or name.startswith('/') or '\\' in name
                or any(p in ('', '.', '..') for p in parts) or ':' in name):
            raise FileFormatError(f'{where}: refusing archive member "{name}" (absolute, "..", '
                                  'or unusual characters in its path). A .keras file holds '
                                  'config.json, metadata.json and model.weights.h5.')
        if name in members:
            raise FileFormatError(f'{where}: the archive lists "{name}" twice; refused.')
        if info.flag_bits & 0x1:
            raise FileFormatError(f'{where}: archive member "{name}" is encrypted; refused.')
        if info.compress_type != zipfile.ZIP_STORED and \
                info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            raise FileFormatError(f'{where}: archive member "{name}" expands {info.file_size} '
                                  f'bytes from {info.compress_size} (a zip bomb?); refused.')
        total += info.file_size
        members[name] = info
    limit = min(HARD_CAP_BYTES, max(archive_size, 1) * MAX_COMPRESSION_RATIO)
    if total > limit:
        raise FileFormatError(f'{where}: the archive declares {total} bytes of content, more than '
                              f'this reader allows ({limit}; TFJS_CONVERTER_MAX_BYTES raises the '
                              'cap).')
    return members


def _read_member(zf, info, where: str, limit: int) -> bytes:
    if info.file_size > limit:
        raise FileFormatError(f'{where}: "{info.filename}" is {info.file_size} bytes, more than '
                              f'the {limit} allowed.')
    try:
        with zf.open(info) as f:
            data = f.read(info.file_size + 1)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
        raise FileFormatError(f'{where}: "{info.filename}" cannot be read ({exc}); the archive is '
                              'truncated or corrupt.') from None
    if len(data) != info.file_size:
        raise FileFormatError(f'{where}: "{info.filename}" does not have the size its header '
                              'declares; the archive is corrupt.')
    return data


def _json_member(zf, members, name, where):
    if name not in members:
        return None
    raw = _read_member(zf, members[name], where, MAX_JSON_BYTES)
    try:
        return json.loads(raw.decode('utf-8'))
    except (ValueError, UnicodeDecodeError) as exc:
        raise FileFormatError(f'{where}: {name} is not valid JSON ({exc}).') from None


def open_archive(path: str):
    """`(ZipFile, members)` of a `.keras` file, checked."""
    where = str(path)
    if not os.path.exists(path):
        raise FileFormatError(f'There is no file at {where}.')
    size = os.path.getsize(path)
    if size > HARD_CAP_BYTES:
        raise FileFormatError(f'{where} is {size} bytes, more than this reader allows.')
    try:
        zf = zipfile.ZipFile(path, 'r')
    except zipfile.BadZipFile:
        raise FileFormatError(f'{where} is not a zip archive, so not a Keras 3 .keras file (a '
                              'Keras 2 HDF5 model should be named .h5).') from None
    try:
        members = check_archive(zf, where, size)
    except BaseException:
        zf.close()
        raise
    return zf, members


def read(path: str) -> ConvertedModel:
    """A model from a Keras 3 `.keras` archive, in the TF.js dialect with TF.js weight names."""
    where = str(path)
    zf, members = open_archive(path)
    with zf:
        config = _json_member(zf, members, CONFIG, where)
        if config is None:
            raise FileFormatError(f'{where} has no config.json: it is not a Keras 3 model file.')
        metadata = _json_member(zf, members, METADATA, where) or {}
        notes: list = []
        apply_assets(config, read_assets(zf, members, where), where, notes)
        topology = dialects.keras3_to_tfjs(config, notes)
        keras_version = metadata.get('keras_version') if isinstance(metadata, dict) else None
        weights, opt_arrays = [], []
        semantics = dialects.keras3_semantics(keras_version or '3')
        if WEIGHTS_H5 in members:
            data = _read_member(zf, members[WEIGHTS_H5], where, HARD_CAP_BYTES)
            weights = read_weights_h5(io.BytesIO(data), topology, f'{where}/{WEIGHTS_H5}',
                                      semantics)
            opt_arrays = read_optimizer_vars_h5(io.BytesIO(data), f'{where}/{WEIGHTS_H5}')
        elif WEIGHTS_NPZ in members:
            data = _read_member(zf, members[WEIGHTS_NPZ], where, HARD_CAP_BYTES)
            data = npz_store.as_h5_bytes(npz_store.read_npz(data, f'{where}/{WEIGHTS_NPZ}'))
            weights = read_weights_h5(io.BytesIO(data), topology, f'{where}/{WEIGHTS_NPZ}',
                                      semantics)
            opt_arrays = read_optimizer_vars_h5(io.BytesIO(data), f'{where}/{WEIGHTS_NPZ}')
    training = dialects.training_config_from_compile_config(config.get('compile_config'))
    model = ConvertedModel(topology, weights, keras_version or '3', 'tensorflow', training,
                           f'keras v{keras_version}' if keras_version else None, source=where,
                           notes=notes)
    attach_training_state(model, opt_arrays, where)
    return model


# ------------------------------------------------------------------------------- assets

ASSET_FILES = {'StringLookup': 'vocabulary.txt', 'IntegerLookup': 'vocabulary.txt'}
MAX_ASSET_BYTES = 1024 ** 3


def read_assets(zf, members: dict, where: str) -> dict:
    """`{asset dir: {file name: bytes}}` of the archive's `assets/` members (the dir is the
    object's store path, `layers/string_lookup`)."""
    out: dict = {}
    for name, info in members.items():
        if name.startswith('assets/'):
            folder, _, fname = name[len('assets/'):].rpartition('/')
            out.setdefault(folder, {})[fname] = _read_member(zf, info, where, MAX_ASSET_BYTES)
    return out


def apply_assets(config: dict, assets: dict, where: str, notes: list, prefix: str = '') -> None:
    """Put the vocabularies Keras 3 saved as assets (`vocabulary.txt`, one token per line,
    special tokens first) into the lookup layers' configs, as `vocabulary` lists; assets no
    layer reads are refused."""
    used: set = set()
    _apply_assets(config, assets, where, prefix, used)
    unused = sorted(set(assets) - used)
    if unused:
        raise FileFormatError(f'{where} has assets for {", ".join(unused[:5])}, which no layer '
                              'this reader knows reads (only StringLookup / IntegerLookup '
                              'vocabularies are assets here).')
    if used:
        notes.append(f'vocabularies read from the assets of {", ".join(sorted(used))}')


def _apply_assets(entry, assets, where, prefix, used) -> None:
    cls = entry.get('class_name')
    cfg = entry.get('config')
    for layer, group in schema.keras3_layer_groups(cls, cfg):
        path = f'{prefix}layers/{group}'
        lcls = layer.get('class_name')
        if lcls in schema.MODEL_CLASSES:
            _apply_assets(layer, assets, where, path + '/', used)
            continue
        files = assets.get(path)
        if not files:
            continue
        fname = ASSET_FILES.get(lcls)
        if fname is None or fname not in files:
            raise FileFormatError(f'{where}: layer "{schema.layer_entry_name(layer)}" ({lcls}) '
                                  f'has assets {sorted(files)}, which this reader does not '
                                  'read.')
        lcfg = layer.setdefault('config', {})
        if lcfg.get('output_mode') in ('tf_idf', 'tfIdf'):
            raise FileFormatError(f'{where}: the tf_idf {lcls} "{lcfg.get("name")}" keeps its '
                                  'IDF weights beside its vocabulary asset; not supported.')
        try:
            lines = files[fname].decode('utf-8').split('\n')
        except UnicodeDecodeError:
            raise FileFormatError(f'{where}: {path}/{fname} is not UTF-8 text.') from None
        if lcls == 'IntegerLookup':
            try:
                lines = [int(t) for t in lines]
            except ValueError:
                raise FileFormatError(f'{where}: {path}/{fname} holds a non-integer token for '
                                      'an IntegerLookup.') from None
        lcfg['vocabulary'] = lines
        used.add(path)


def extract_assets(config: dict, prefix: str = '') -> dict:
    """Move lookup-layer vocabularies out of a Keras 3 config into assets, as Keras saves an
    adapted layer: `{'assets/<store path>/vocabulary.txt': bytes}` (config `vocabulary:
    None`). Vocabularies with a newline in a token, or with IDF weights, stay in the config."""
    out: dict = {}
    for layer, group in schema.keras3_layer_groups(config.get('class_name'),
                                                   config.get('config')):
        path = f'{prefix}layers/{group}'
        cls = layer.get('class_name')
        if cls in schema.MODEL_CLASSES:
            out.update(extract_assets(layer, path + '/'))
            continue
        lcfg = layer.get('config') or {}
        vocab = lcfg.get('vocabulary')
        if cls not in ASSET_FILES or not isinstance(vocab, list) or not vocab or \
                lcfg.get('idf_weights') is not None or \
                any('\n' in str(t) for t in vocab):
            continue
        out[f'assets/{path}/{ASSET_FILES[cls]}'] = '\n'.join(str(t) for t in vocab).encode()
        lcfg['vocabulary'] = None
    return out


def attach_training_state(model: ConvertedModel, opt_arrays: list, where: str,
                          h5_items: list | None = None) -> None:
    """Set `model.train_config_tfjs` and append the optimizer's weights (TF.js order) from a
    Keras training config and optimizer variables (Keras 3 arrays, or an `.h5` file's named
    `optimizer_weights`); what TF.js cannot compile becomes a note, and the model loads
    uncompiled; optimizer variables that do not fit become a note, and the model loads compiled
    with a fresh optimizer."""
    from . import keras_training as kt
    try:
        tfjs_config = kt.tfjs_training_config(model.training_config)
        if tfjs_config is None:
            return
        trainable = kt.trainable_weights(model.topology, model.weights)
        try:
            if h5_items:
                opt = kt.optimizer_weights_from_h5(h5_items, tfjs_config, trainable, where)
            else:
                opt = kt.optimizer_weights_from_keras3(opt_arrays, tfjs_config, trainable, where)
        except kt.OptimizerStateError as exc:     # as Keras: compiled, fresh optimizer
            model.notes.append(f'optimizer state not restored ({exc}); the model is compiled '
                               'with a freshly initialized optimizer')
            opt = []
    except kt.TrainingStateError as exc:
        model.notes.append(f'training state not loaded ({exc}); the model loads uncompiled')
        return
    model.train_config_tfjs = tfjs_config
    model.weights = [w for w in model.weights if w.group != 'optimizer'] + opt


def read_optimizer_vars_h5(path_or_file, where: str) -> list:
    """The arrays of `optimizer/vars/<i>` of a Keras 3 weights file, by index."""
    f = open_h5(path_or_file, where)
    try:
        group = child(f, 'optimizer/vars', where)
        if group is None:
            return []
        budget = Budget(file_size_of(path_or_file), where)
        keys = sorted((k for k in group.keys() if k.isdigit()), key=int)
        if keys != [str(i) for i in range(len(keys))]:
            raise FileFormatError(f'{where}: optimizer/vars holds {keys[:8]}, not 0..n-1.')
        return [read_dataset(child(group, k, where), f'optimizer/vars/{k}', budget)
                for k in keys]
    finally:
        f.close()


# --------------------------------------------------------------------------- weights (h5)

def _vars_name(group) -> str | None:
    v = group.get('vars') if group is not None else None
    if v is not None and 'name' in v.attrs:
        return as_text(v.attrs['name'])
    return None


def _resolve(group, rel: str, where: str):
    """`group/rel`, trying the spellings other Keras 3 versions used (`_query_dense`)."""
    found = child(group, rel, where)
    if found is not None:
        return found
    parts = rel.split('/')
    for i, p in enumerate(parts):
        if p != 'vars' and not p.isdigit() and not p.startswith('_'):
            alt = '/'.join(parts[:i] + ['_' + p] + parts[i + 1:])
            found = child(group, alt, where)
            if found is not None:
                return found
    return None


def _layers_root(f, prefix: str, where: str):
    root = child(f, prefix + 'layers', where)
    if root is None:
        root = child(f, prefix + '_layer_checkpoint_dependencies', where)
    return root


def read_weights_h5(path_or_file, topology: dict, where: str,
                    keras3_semantics: bool = True) -> list:
    """TF.js-named weights of `topology` from a Keras 3 weights file (`hard_sigmoid` rescaled
    when the file means Keras 3's)."""
    f = open_h5(path_or_file, where)
    try:
        budget = Budget(file_size_of(path_or_file), where)
        weights = _read_model_vars(f, topology['class_name'], topology.get('config'), '',
                                   budget, where, set())
        _check_all_read(f, budget, where, {w[1] for w in weights})
    finally:
        f.close()
    named = {w[0].name: w[0].array for w in weights}
    if keras3_semantics:
        named = dialects.rescale_hard_sigmoid(topology, named,
                                              dialects.KERAS3_HARD_SIGMOID_TO_TFJS)
    out = []
    for w, _ in weights:
        w.array = named[w.name]
        out.append(w)
    return out


def _read_model_vars(f, cls, config, prefix, budget, where, seen) -> list:
    """`[(Weight, h5 path)]` of a model config whose layers live under `prefix + 'layers'`."""
    root = _layers_root(f, prefix, where)
    groups = schema.keras3_layer_groups(cls, config)
    by_attr = {}
    if root is not None:
        for key in root.keys():
            name = _vars_name(child(root, key, where))
            if name is not None:
                by_attr.setdefault(name, key)
    out = []
    for entry, group_name in groups:
        lname = schema.layer_entry_name(entry)
        lcls, lcfg = entry['class_name'], entry.get('config') or {}
        key = group_name
        g = child(root, key, where) if root is not None else None
        attr = _vars_name(g)
        if (g is None or (attr is not None and attr != lname)) and lname in by_attr:
            key = by_attr[lname]
            g = child(root, key, where)
        base = f'{root.name.lstrip("/")}/{key}/' if root is not None else f'{prefix}layers/{key}/'
        if lcls in schema.MODEL_CLASSES:
            out += _read_model_vars(f, lcls, lcfg, base, budget, where, seen)
            continue
        try:
            slots = schema.layer_slots(lcls, lcfg)
        except schema.UnknownLayerWeights:
            if g is not None and _has_datasets(g):
                raise FileFormatError(f'{where}: layer "{lname}" ({lcls}) has weights, and the '
                                      f'converter does not know how {lcls} names them: it is '
                                      'not a layer this package implements (docs/layers.md '
                                      'lists those), so the model cannot be loaded.') from None
            continue
        for s in slots:
            ds = _resolve(g, s.k3, where) if g is not None else None
            if ds is None:
                raise FileFormatError(f'{where}: weight {s.k3} of layer "{lname}" ({lcls}) is '
                                      f'missing (looked for {base}{s.k3}). The weights file '
                                      'does not match its model config.')
            path = ds.name.lstrip('/')
            name = s.name if s.absolute else f'{lname}/{s.name}'
            array = read_dataset(ds, path, budget)
            out.append((Weight(name, as_tfjs_array(array), None, lname), path))
    return out


def _has_datasets(group) -> bool:
    h5py = h5py_module()
    found = []
    group.visititems(lambda n, o: found.append(n) if isinstance(o, h5py.Dataset) else None)
    return bool(found)


def _check_all_read(f, budget, where, read_paths: set) -> None:
    h5py = h5py_module()
    extra = []
    for top in ('layers', '_layer_checkpoint_dependencies'):
        g = child(f, top, where)
        if g is None:
            continue

        def visit(name, obj, top=top):
            if isinstance(obj, h5py.Dataset) and f'{top}/{name}' not in read_paths:
                extra.append(f'{top}/{name}')
        g.visititems(visit)
    if extra:
        raise FileFormatError(f'{where}: weights {extra[:6]} belong to no weight of the model '
                              'config; the weights file does not match the model.')


def weights_h5_bytes(model: ConvertedModel, optimizer: tuple | None = None) -> bytes:
    """A Keras 3 weights file (the `model.weights.h5` of a `.keras`) for `model`, with
    `optimizer = (name, [arrays])` as `optimizer/vars/<i>`."""
    h5py = h5py_module()
    topology = model.topology
    named, unmatched, _ = schema.canonical_weights(topology, model.weight_dict())
    named.update({n: model.weight_dict()[n] for n in unmatched})
    named = dialects.rescale_hard_sigmoid(topology, named, dialects.TFJS_HARD_SIGMOID_TO_KERAS3)
    bio = io.BytesIO()
    used = set()
    with h5py.File(bio, 'w') as f:
        _write_model_vars(f, topology['class_name'], topology.get('config'), 'layers/',
                          named, used)
        cfg = topology.get('config')
        f.create_group('vars').attrs['name'] = (cfg.get('name') if isinstance(cfg, dict)
                                                else None) or 'model'
        if optimizer is not None:
            group = f.create_group('optimizer').create_group('vars')
            group.attrs['name'] = optimizer[0]
            for i, array in enumerate(optimizer[1]):
                group.create_dataset(str(i), data=np.asarray(array))
    extra = [n for n in named if n not in used]
    if extra:
        raise FileFormatError(f'Weights {extra[:5]} belong to no layer of the model config; they '
                              'cannot be written to a Keras file.')
    return bio.getvalue()


def _write_model_vars(f, cls, config, prefix, named, used) -> None:
    for entry, group_name in schema.keras3_layer_groups(cls, config):
        lname = schema.layer_entry_name(entry)
        lcls, lcfg = entry['class_name'], entry.get('config') or {}
        base = f'{prefix}{group_name}/'
        if lcls in schema.MODEL_CLASSES:
            _write_model_vars(f, lcls, lcfg, base + 'layers/', named, used)
            continue
        try:
            slots = schema.layer_slots(lcls, lcfg)
        except schema.UnknownLayerWeights:
            if any(n.startswith(lname + '/') for n in named):
                raise FileFormatError(f'Layer "{lname}" ({lcls}) has weights, and the converter '
                                      'does not know how Keras 3 stores them.') from None
            continue
        for s in slots:
            name = s.name if s.absolute else f'{lname}/{s.name}'
            if name not in named:
                raise FileFormatError(f'The model has no weight "{name}" (layer "{lname}"); it '
                                      'cannot be written as a Keras file.')
            used.add(name)
            f.create_dataset(base + s.k3, data=np.asarray(named[name]))
        if slots:
            f.require_group(base + 'vars').attrs['name'] = lname


def _date() -> str:
    return datetime.datetime.now().strftime('%Y-%m-%d@%H:%M:%S')


def archive_members(model: ConvertedModel, shapes: dict | None = None) -> dict:
    """`{member: bytes}` of the `.keras` archive for `model`."""
    config = dialects.tfjs_to_keras3(model.topology, shapes)
    metadata = {'keras_version': KERAS3_VERSION_WRITTEN, 'date_saved': _date(),
                'generated_by': 'tfjs (Python) converter'}
    optimizer = None
    if model.train_config_tfjs is not None:
        from . import keras_training as kt
        compile_config, arrays = kt.keras3_compile_state(
            model.train_config_tfjs, [w for w in model.weights if w.group == 'optimizer'],
            kt.trainable_weights(model.topology, model.weights), model.source or 'the model')
        config['compile_config'] = compile_config
        if arrays:
            optimizer = (compile_config['optimizer']['config']['name'], arrays)
    assets = extract_assets(config)
    return {METADATA: json.dumps(metadata).encode('utf-8'),
            CONFIG: json.dumps(config).encode('utf-8'),
            WEIGHTS_H5: weights_h5_bytes(model, optimizer), **assets}


def write(model: ConvertedModel, path: str, shapes: dict | None = None) -> None:
    """A Keras 3 `.keras` archive, written atomically."""
    from .atomic import write_file_atomic
    if model.topology is None:
        raise FileFormatError('A weights-only model cannot be saved as .keras (it needs a model '
                              'config).')
    members = archive_members(model, shapes)

    def produce(tmp):
        with zipfile.ZipFile(tmp, 'w', zipfile.ZIP_STORED) as zf:
            for name, data in members.items():
                zf.writestr(name, data)
    write_file_atomic(path, produce)


def write_weights_file(model: ConvertedModel, path: str) -> None:
    """A Keras 3 `*.weights.h5` file (what `model.save_weights` writes), atomically."""
    from .atomic import write_bytes_atomic
    write_bytes_atomic(path, weights_h5_bytes(model))
