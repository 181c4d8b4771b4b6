"""`tf.io.loadWeights` and `tf.io.weightsLoaderFactory`: tensors from a weights manifest.

Only the groups holding requested weights are read; each group's shards are joined and decoded
in order (so strings and weights straddling shard files work).

>>> import os, tempfile, tfjs as tf
>>> d = tempfile.mkdtemp()
>>> data, specs = encode_weights({'a': tf.tensor1d([1, 2], 'int32')})
>>> _ = open(os.path.join(d, 'w.bin'), 'wb').write(data)
>>> loadWeights([{'paths': ['w.bin'], 'weights': specs}], d)['a'].arraySync()
[1, 2]
"""
from __future__ import annotations

import os
from typing import Callable, Sequence

from ..errors import IOError, ValueError
from .artifacts import check_manifest
from .file_system import URL_SCHEME, safe_join, strip_scheme
from .weights import decode_weight, encode_weights, plan_weights  # noqa: F401 - doc example


def _read_files(paths: Sequence[str]) -> list:
    out = []
    for path in paths:
        try:
            with open(path, 'rb') as f:
                out.append(f.read())
        except FileNotFoundError:
            raise IOError(f'Weight file {path} does not exist: loading failed.') from None
    return out


def weightsLoaderFactory(fetchWeightsFunction: Callable[[list], list]) -> Callable:
    """A `loadWeights(manifest, filePathPrefix='', weightNames=None)` that gets the bytes of a
    list of weight-file URLs/paths from `fetchWeightsFunction(urls) -> [bytes]`."""
    def load(manifest: list, filePathPrefix: str = '', weightNames: Sequence[str] | None = None):
        check_manifest(manifest, 'the weights manifest')
        all_names = [spec.get('name') for group in manifest for spec in group['weights']]
        if weightNames is not None:
            missing = [n for n in weightNames if n not in all_names]
            if missing:
                raise ValueError(f'Could not find weights in manifest with names: '
                                 f'{", ".join(missing)}. \nManifest JSON has weights with names: '
                                 f'{", ".join(all_names)}.')
        wanted = None if weightNames is None else set(weightNames)
        groups = [g for g in manifest
                  if wanted is None or any(s.get('name') in wanted for s in g['weights'])]
        urls = [_join(filePathPrefix, p) for g in groups for p in g['paths']]
        buffers = list(fetchWeightsFunction(urls))
        out, i = {}, 0
        for group in groups:
            n = len(group['paths'])
            data = memoryview(b''.join(buffers[i:i + n]))
            plan = plan_weights(data, group['weights'], urls[i:i + n])
            for spec, start, end in plan:
                if wanted is None or spec['name'] in wanted:
                    out[spec['name']] = decode_weight(spec, data[start:end])
            i += n
        return out
    return load


def _join(prefix, path: str) -> str:
    prefix = os.fspath(prefix)          # a pathlib.Path folder too
    if prefix.startswith(('http://', 'https://')):
        return prefix + ('' if prefix.endswith('/') else '/') + path
    return safe_join(os.path.abspath(strip_scheme(prefix) or '.'), path, 'the weights manifest')


def _fetch(urls: list, requestInit: dict | None = None) -> list:
    if any(u.startswith(('http://', 'https://')) for u in urls):
        from .http import _status_and_body, _urllib_fetch
        out = []
        for u in urls:
            if u.startswith(URL_SCHEME) or '://' not in u:
                out.extend(_read_files([strip_scheme(u)]))
                continue
            status, ok, body = _status_and_body(_urllib_fetch(u, requestInit))
            if not ok:
                raise IOError(f'Request for weights file {u} failed with status code {status}.')
            out.append(body)
        return out
    return _read_files(urls)


def loadWeights(manifest: list, filePathPrefix: str = '', weightNames: Sequence[str] | None = None,
                requestInit: dict | None = None) -> dict:
    """`{name: Tensor}` for the weights of a manifest whose files lie under `filePathPrefix` (a
    folder, `file://` folder, or `http(s)://` URL prefix); only `weightNames` when given."""
    return weightsLoaderFactory(lambda urls: _fetch(urls, requestInit))(manifest, filePathPrefix,
                                                                        weightNames)
