"""camelCase <-> snake_case rules, config-argument normalisation and the snake_case alias mechanism.

TF.js names everything in lowerCamelCase; Python users expect snake_case. Every public camelCase
function and method gets a snake_case twin from one mechanism here (`add_snake_case_aliases` for
module namespaces, `SnakeCaseAliases` for classes), never from hand-written aliases.

>>> to_snake_case('batchInputShape')
'batch_input_shape'
>>> to_camel_case('beta_1')
'beta1'
"""
from __future__ import annotations

import difflib
from typing import Any, Iterable, Mapping

# the TF.js name rules live in the torch-free converter package, which both sides share
from tfjs_converter.naming import to_camel_case, to_snake_case  # noqa: F401


def _is_camel(name: str) -> bool:
    return (not name.startswith('_')) and any(c.isupper() for c in name) and name[0].islower()


def snake_twin(name: str) -> str | None:
    """The snake_case twin of a public lowerCamelCase name, or None when the name has no twin."""
    if not _is_camel(name):
        return None
    twin = to_snake_case(name)
    return twin if twin != name else None


def add_snake_case_aliases(namespace: dict) -> None:
    """Give every public camelCase callable or class-valued name in `namespace` a snake_case twin.

    >>> ns = {'zerosLike': len}; add_snake_case_aliases(ns); ns['zeros_like'] is len
    True
    """
    for name, value in list(namespace.items()):
        twin = snake_twin(name)
        if twin and twin not in namespace and callable(value) and not isinstance(value, type):
            namespace[twin] = value


def add_class_snake_aliases(cls: type, names: Iterable[str] | None = None) -> None:
    """Give camelCase attributes of `cls` (all, or just `names`) their snake_case twins."""
    for name in list(names if names is not None else vars(cls)):
        twin = snake_twin(name)
        if twin and twin not in vars(cls):
            setattr(cls, twin, vars(cls)[name])


class SnakeCaseAliases:
    """Mixin: each camelCase method or property defined on a subclass gets a snake_case twin.

    A subclass may also override a method by its snake_case name (`def compute_output_shape`):
    the camelCase name is then pointed at the override, so the engine (which calls camelCase)
    sees it.
    """

    __slots__ = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        own = dict(cls.__dict__)
        for name, value in own.items():
            twin = snake_twin(name)
            if twin is None or twin in own:
                continue
            if callable(value) or isinstance(value, (property, staticmethod, classmethod)):
                setattr(cls, twin, value)
        # snake_case overrides of inherited camelCase methods
        for name, value in own.items():
            if name.startswith('_') or not callable(value) or '_' not in name:
                continue
            camel = to_camel_case(name)
            if camel != name and camel not in own and hasattr(cls, camel):
                setattr(cls, camel, value)


# --------------------------------------------------------------------------------------------
# Config objects and keyword arguments

def normalize_args(config: Mapping[str, Any] | None, kwargs: Mapping[str, Any],
                   allowed: Iterable[str] | None = None, where: str = 'this function',
                   aliases: Mapping[str, str] | None = None) -> dict:
    """Merge a TF.js-style config dict and Python keyword arguments into one camelCase dict.

    Keys may be camelCase or snake_case. When `allowed` is given, an unknown key raises a
    `ValueError` naming the key, the valid keys and the closest match.

    >>> normalize_args({'units': 1}, {'input_shape': [1]}, ['units', 'inputShape'])
    {'units': 1, 'inputShape': [1]}
    """
    from .errors import ValueError as TfjsValueError
    if config is not None and not isinstance(config, Mapping):
        raise TfjsValueError(
            f'{where} expects a config object (a dict such as {{"units": 1}}) or keyword '
            f'arguments, but got {type(config).__name__}: {config!r}.')
    out: dict = {}
    for source in (config or {}), kwargs:
        for key, value in source.items():
            camel = to_camel_case(key)
            if aliases and camel in aliases:
                camel = aliases[camel]
            if camel in out and source is kwargs and config and camel in _camel_keys(config):
                raise TfjsValueError(f'{where}: "{key}" is given both in the config object and as a '
                                     f'keyword argument; give it once.')
            out[camel] = value
    if allowed is not None:
        allowed = set(allowed)
        for key in out:
            if key not in allowed:
                raise TfjsValueError(unknown_key_message(key, allowed, where))
    return out


def _camel_keys(config: Mapping[str, Any]) -> set:
    return {to_camel_case(k) for k in config}


def unknown_key_message(key: str, allowed: Iterable[str], where: str) -> str:
    """The error text for an unknown config key, with a did-you-mean suggestion."""
    allowed = sorted(set(allowed))
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if not close:
        lowered = {a.lower(): a for a in allowed}
        close = [lowered[key.lower()]] if key.lower() in lowered else []
    hint = f' Did you mean "{close[0]}"?' if close else ''
    return (f'Unknown config key "{key}" for {where}.{hint} '
            f'Valid keys are: {", ".join(allowed)}.')


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """' Did you mean "x"?' for the candidate closest to `name`, or ''."""
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f' Did you mean "{close[0]}"?' if close else ''
