"""TF.js layers models on disk: a folder with `model.json` and weight shard files.

Reading accepts both layouts (TF.js `model.save()`: bare topology, one `weights.bin`; the
converter: `modelTopology.model_config`, `group1-shard1of2.bin` shards). Paths in the manifest
must stay inside the model's folder, and every declared weight is checked against the bytes
present before anything is decoded. Writing produces what `tensorflowjs_converter` writes:
4 MiB shards (`--weight_shard_size_bytes`), one group (or one per layer), optional
uint8 / uint16 / float16 quantization, atomically (a crash leaves the old folder).
"""
from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping

import numpy as np

from . import __version__
from . import weights as wfmt
from .errors import FileFormatError
from .model import FORMAT, ConvertedModel, Weight

MODEL_JSON = 'model.json'
MAX_MODEL_JSON_BYTES = 512 * 1024 * 1024
CONVERTED_BY = f'tfjs (Python) converter v{__version__}'
_DRIVE = re.compile(r'^[A-Za-z]:')


def safe_join(folder: str, relative, where: str) -> str:
    """`folder/relative`, refusing paths that are absolute, URLs, or climb out with `..`.

    >>> safe_join('/m', 'group1-shard1of2.bin', 'model.json')
    '/m/group1-shard1of2.bin'
    """
    if not isinstance(relative, str) or not relative or '\x00' in relative:
        raise FileFormatError(f'Malformed {where}: a weights path must be a non-empty string, '
                              f'not {relative!r}.')
    if '://' in relative or relative.startswith(('/', '\\')) or _DRIVE.match(relative) \
            or os.path.isabs(relative):
        raise FileFormatError(f"Refusing weights path '{relative}' in {where}: weights paths must "
                              "be relative to the model's folder.")
    parts = re.split(r'[\\/]+', relative)
    if '..' in parts:
        raise FileFormatError(f"Refusing weights path '{relative}' in {where}: it leaves the "
                              "model's folder ('..').")
    full = os.path.normpath(os.path.join(folder, *[p for p in parts if p not in ('', '.')]))
    base = os.path.normpath(folder)
    if os.path.commonpath([full, base]) != base:
        raise FileFormatError(f"Refusing weights path '{relative}' in {where}: it leaves the "
                              "model's folder.")
    real_base = os.path.realpath(base)
    if os.path.commonpath([os.path.realpath(full), real_base]) != real_base:
        raise FileFormatError(f"Refusing weights path '{relative}' in {where}: it is a link "
                              "leading out of the model's folder.")
    return full


def model_json_path(path) -> str:
    """The `model.json` a path names: the file itself, or `model.json` inside a folder (a
    `file://` prefix and `~` are accepted; a save cut off mid-swap is repaired first)."""
    from .atomic import recover_directory
    path = os.fspath(path)
    path = os.path.abspath(os.path.expanduser(path[7:] if path.startswith('file://') else path))
    recover_directory(os.path.dirname(path) if path.endswith('.json') else path)
    if os.path.isdir(path):
        candidate = os.path.join(path, MODEL_JSON)
        if not os.path.isfile(candidate):
            others = sorted(n for n in os.listdir(path) if n.endswith('.json'))
            hint = f' It holds: {", ".join(others)}; pass the path of one of those.' \
                if others else ''
            raise FileFormatError(f'There is no model.json at {path} (a directory).{hint}')
        return candidate
    if not os.path.exists(path):
        raise FileFormatError(f'There is no model.json at {path}: the path does not exist.')
    return path


def read_json(path: str, what: str = 'model.json'):
    """A parsed JSON file; FileFormatError naming the position when it is not JSON.

    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as f:
    ...     _ = f.write('{"a": }')
    >>> read_json(f.name)
    Traceback (most recent call last):
    tfjs_converter.errors.FileFormatError: model.json at ... is not valid JSON: Expecting value at line 1 column 7 (char 6).
    """
    try:
        size = os.path.getsize(path)
        if size > MAX_MODEL_JSON_BYTES:
            raise FileFormatError(f'{what} at {path} is {size} bytes: too large for a {what}.')
        with open(path, 'rb') as f:
            raw = f.read()
    except FileNotFoundError:
        raise FileFormatError(f'There is no {what} at {path}.') from None
    except IsADirectoryError:
        raise FileFormatError(f'{what} path {path} is a directory, not a file.') from None
    try:
        return json.loads(raw.decode('utf-8-sig'))
    except UnicodeDecodeError as exc:
        raise FileFormatError(f'{what} at {path} is not UTF-8 text (byte {exc.start}); is it a '
                              'JSON file?') from None
    except json.JSONDecodeError as exc:
        raise FileFormatError(f'{what} at {path} is not valid JSON: {exc.msg} at line '
                              f'{exc.lineno} column {exc.colno} (char {exc.pos}).') from None


def read_model_json(path: str) -> dict:
    """A parsed `model.json`, checked to be an object with a topology or a manifest."""
    obj = read_json(path)
    if not isinstance(obj, dict):
        raise FileFormatError(f'Malformed model.json at {path}: expected a JSON object, got '
                              f'{type(obj).__name__}.')
    if obj.get('modelTopology') is None and obj.get('weightsManifest') is None:
        raise FileFormatError(f'The JSON at {path} contains neither model topology nor manifest '
                              'for weights; is it a TF.js model.json?')
    return obj


def check_manifest(manifest, where: str = 'model.json') -> None:
    """FileFormatError unless `manifest` is a list of `{paths: [str], weights: [...]}`."""
    if not isinstance(manifest, list):
        raise FileFormatError(f'Malformed {where}: "weightsManifest" must be a list of groups '
                              f'{{"paths": [...], "weights": [...]}}, not {type(manifest).__name__}.')
    for i, group in enumerate(manifest):
        if not isinstance(group, Mapping) or not isinstance(group.get('paths'), list) \
                or not isinstance(group.get('weights'), list) \
                or not all(isinstance(p, str) for p in group['paths']):
            raise FileFormatError(f'Malformed {where}: weightsManifest[{i}] must be an object '
                                  'with "paths" (a list of file names) and "weights" (a list of '
                                  'entries).')


def read_weight_files(manifest, folder: str, where: str = 'model.json', check=None,
                      progress=None) -> tuple:
    """`(specs, data, files)`: the entries of every group and the bytes of every shard, in
    manifest order, read into one preallocated buffer (`data`, a writable `memoryview` that
    nothing else references: a loader may keep its memory as the weights').

    Paths must stay inside `folder` (see `safe_join`). `check(specs, total_bytes, files)` runs
    once the sizes are known, before anything is read.
    """
    check_manifest(manifest, where)
    files = [safe_join(folder, p, where) for g in manifest for p in g['paths']]
    specs = [spec for g in manifest for spec in g['weights']]
    sizes = []
    for p in files:
        try:
            sizes.append(os.stat(p).st_size)
        except FileNotFoundError:
            raise FileFormatError(f'Weight file {p} does not exist: loading failed. It is listed '
                                  f'in the weightsManifest of {where}; copy every weights file '
                                  'next to model.json.') from None
        if os.path.isdir(p):
            raise FileFormatError(f'Weight file {p} listed in {where} is a directory.')
    total = sum(sizes)
    if check is not None:
        check(specs, total, files)
    buffer = memoryview(np.empty(total, np.uint8)).cast('B')    # np.empty: no zero-filling
    offset = 0
    for p, size in zip(files, sizes):
        with open(p, 'rb') as f:
            offset = _read_shard(f, p, size, buffer, offset)
        if progress:
            progress.update(offset, total, 'reading weights')
    return specs, buffer, files


def _read_shard(f, path: str, size: int, buffer: memoryview, offset: int) -> int:
    """Read the `size` bytes of one shard into `buffer[offset:offset + size]`; the end offset.
    FileFormatError when the file is no longer `size` bytes long (written to while loading)."""
    end = offset + size
    while offset < end:
        n = f.readinto(buffer[offset:end])
        if not n:
            break
        offset += n
    if offset != end or f.read(1):
        raise FileFormatError(f'Weight file {path} changed size while it was read (it was {size} '
                              'bytes): it is being written; load it again once it is complete.')
    return end


def read(path: str, progress=None) -> ConvertedModel:
    """A model from a TF.js `model.json` (path of the file or of its folder)."""
    json_path = model_json_path(path)
    model_json = read_model_json(json_path)
    folder = os.path.dirname(json_path)
    specs, data = [], b''
    manifest = model_json.get('weightsManifest')
    if manifest is not None:
        specs, data, files = read_weight_files(manifest, folder, json_path, _check_declared,
                                               progress)
        wfmt.plan_weights(data, specs, files)
    art = {k: model_json.get(k) for k in ('modelTopology', 'format', 'generatedBy', 'convertedBy',
                                          'userDefinedMetadata', 'trainingConfig')}
    art['weightSpecs'], art['weightData'] = specs, data
    return ConvertedModel.from_artifacts(art, json_path)


def _check_declared(specs, total: int, files) -> None:
    """Fixed-size weights must fit in the files before they are read."""
    need = 0
    for spec in specs:
        per = wfmt.fixed_bytes_per_value(spec)
        need += wfmt.spec_size(spec) * (per if per is not None else 4)
    if need > total:
        raise FileFormatError(f'{wfmt.describe_source(files, total)} but the manifest needs at '
                              f'least {need} bytes: the weights are truncated or do not belong '
                              'to this model.json.')


# ------------------------------------------------------------------------------------ writing

def weight_groups(model: ConvertedModel, split_by_layer: bool = False) -> list:
    """Lists of `Weight`s, one per manifest group (optimizer weights are not written)."""
    ws = [w for w in model.weights if w.group != 'optimizer']
    if not split_by_layer:
        return [ws] if ws else []
    groups: dict = {}
    for w in ws:
        key = w.layer or w.name.split('/')[0]
        groups.setdefault(key, []).append(w)
    return list(groups.values())


def write(model: ConvertedModel, out_dir: str, quantization=None,
          shard_size_bytes: int = wfmt.DEFAULT_SHARD_SIZE_BYTES, split_by_layer: bool = False,
          metadata: dict | None = None, progress=None) -> dict:
    """Write `model.json` and shards into `out_dir` (atomically); returns the model.json dict.

    `quantization`: `{'uint8'|'uint16'|'float16': [fnmatch patterns] or True}`.
    """
    from .atomic import replace_directory
    if os.path.isfile(out_dir):
        raise FileFormatError(f'Path "{out_dir}" already exists as a file (not a directory).')
    if not isinstance(shard_size_bytes, int) or shard_size_bytes <= 0:
        raise ValueError(f'The weight shard size must be a positive integer, not '
                         f'{shard_size_bytes!r}.')
    files: dict = {}
    manifest = []
    groups = weight_groups(model, split_by_layer)
    names = [w.name for g in groups for w in g]
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise FileFormatError(f'Duplicate weight names {dup[:5]}; cannot write a manifest.')
    qmap = wfmt.map_names_to_quantization_dtype(names, quantization)
    total = sum(int(w.array.size) for g in groups for w in g) or 1
    done = 0
    for gi, group in enumerate(groups):
        chunks, specs = [], []
        for w in group:
            data, spec = wfmt.quantize_entry(w.name, w.array, qmap.get(w.name))
            chunks.append(data)
            specs.append(spec)
            done += int(w.array.size)
            if progress:
                progress.update(done, total, 'encoding weights')
        shards = wfmt.shard_bytes(b''.join(chunks), shard_size_bytes)
        paths = wfmt.shard_file_names(gi, len(shards))
        files.update(zip(paths, shards))
        manifest.append({'paths': paths, 'weights': specs})
    generated = model.generated_by
    if generated is None and model.keras_version:
        generated = f'keras v{model.keras_version}'
    model_json = {'format': FORMAT, 'generatedBy': generated, 'convertedBy': CONVERTED_BY}
    user_meta = metadata if metadata is not None else model.user_defined_metadata
    if user_meta:
        model_json['userDefinedMetadata'] = user_meta
    model_json['modelTopology'] = model.model_topology()
    model_json['weightsManifest'] = manifest
    files[MODEL_JSON] = json.dumps(model_json).encode('utf-8')
    replace_directory(out_dir, files)
    return model_json


def as_weights(named: dict, layer_of=None) -> list:
    return [Weight(n, a, None, layer_of(n) if layer_of else None) for n, a in named.items()]
