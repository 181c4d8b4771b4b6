"""TF.js's IO router registry: which IOHandler serves a URL-like string.

A router is a function `(url, loadOptions=None) -> handler or None`. `getSaveHandlers(url)` and
`getLoadHandlers(url, options)` return every matching handler (a list, as in TF.js); the model
code raises when there is none or more than one (`get_save_handler` / `get_load_handler` do it).
Built in: `file://` and plain paths (Keras `.keras` / `.h5` files by their suffix, TF.js
model folders otherwise), `http://` / `https://` (loading and saving),
`localstorage://` and `indexeddb://` (a local SQLite store, see `browser_store.py`).
`downloads://` raises `NotImplementedError` naming the scheme unless a router for it has been
registered.

>>> [type(h).__name__ for h in getLoadHandlers('file:///tmp/m/model.json')]
['NodeFileSystem']
>>> getLoadHandlers('foo://model')
[]
"""
from __future__ import annotations

import builtins
import inspect
import os
import re
from typing import Callable

from ..errors import NotImplementedError, ValueError

IORouter = Callable[..., object]
_save_routers: list = []
_load_routers: list = []
_SCHEME = re.compile(r'^([A-Za-z][A-Za-z0-9+.-]*)://')
_LATER = {
    'downloads': 'browser downloads',
}


def registerSaveRouter(saveRouter: IORouter) -> None:
    """Register a function mapping a URL to a handler with `save` (or None)."""
    _save_routers.append(saveRouter)


def registerLoadRouter(loadRouter: IORouter) -> None:
    """Register a function mapping a URL (and load options) to a handler with `load` (or None)."""
    _load_routers.append(loadRouter)


def _call(router: IORouter, url, options):
    try:
        params = inspect.signature(router).parameters.values()
    except (TypeError, builtins.ValueError):
        return router(url, options)
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    takes_two = len(positional) >= 2 or any(p.kind == p.VAR_POSITIONAL for p in params)
    return router(url, options) if takes_two else router(url)


def url_scheme(url) -> str | None:
    """`'http'` for `'http://x'`; None for plain paths (and for lists)."""
    m = _SCHEME.match(url) if isinstance(url, str) else None
    return m.group(1).lower() if m else None


def as_url(url):
    """`url` with `os.PathLike`s (`pathlib.Path`) turned into strings, so that every router
    (built-in or registered) sees the `str` TF.js would pass; lists are converted element-wise.

    >>> import pathlib
    >>> as_url(pathlib.PurePosixPath('/m/model.json')), as_url('http://x')
    ('/m/model.json', 'http://x')
    """
    if isinstance(url, os.PathLike):
        return os.fspath(url)
    if isinstance(url, (list, tuple)) and any(isinstance(u, os.PathLike) for u in url):
        return [os.fspath(u) if isinstance(u, os.PathLike) else u for u in url]
    return url


def _get_handlers(url, routers: list, options, kind: str) -> list:
    url = as_url(url)
    handlers = [h for h in (_call(r, url, options) for r in list(routers)) if h is not None]
    scheme = url_scheme(url)
    if not handlers and scheme in _LATER:
        raise NotImplementedError(
            f'{scheme}:// ({_LATER[scheme]}) {kind} is not supported yet. Save to a folder with '
            f'"file://path" (or a plain path), or register a {kind} router with '
            f'tf.io.register{kind.capitalize()}Router.')
    return handlers


def getSaveHandlers(url) -> list:
    """The handlers (usually one) that can save to `url`."""
    return _get_handlers(url, _save_routers, None, 'save')


def getLoadHandlers(url, loadOptions: dict | None = None) -> list:
    """The handlers (usually one) that can load from `url`; `loadOptions` reach the routers."""
    return _get_handlers(url, _load_routers, loadOptions, 'load')


def _single(handlers: list, url, kind: str):
    if not handlers:
        raise ValueError(f'Cannot find any {kind} handlers for URL "{url}". Use "file://path" or a '
                         'plain path, "http(s)://...", or an IOHandler object.')
    if len(handlers) > 1:
        raise ValueError(f'Found more than one ({len(handlers)}) {kind} handlers for URL "{url}"')
    return handlers[0]


def get_save_handler(url):
    """The one save handler for `url`; ValueError when none or several match (as TF.js's save)."""
    return _single(getSaveHandlers(url), url, 'save')


def get_load_handler(url, loadOptions: dict | None = None):
    """The one load handler for `url`; ValueError when none or several match."""
    return _single(getLoadHandlers(url, loadOptions), url, 'load')


def _register_builtin() -> None:
    from .file_system import nodeFileSystemRouter
    from .http import httpRouter
    from .keras_files import kerasFileRouter
    registerSaveRouter(nodeFileSystemRouter)
    registerLoadRouter(nodeFileSystemRouter)
    registerSaveRouter(kerasFileRouter)
    registerLoadRouter(kerasFileRouter)
    registerSaveRouter(httpRouter)
    registerLoadRouter(httpRouter)


_register_builtin()
