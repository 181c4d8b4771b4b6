"""Layer-engine state shared by every layer: unique ids, name scopes, tensor names (TF.js's
`backend/state.ts` and `common.ts`), so that auto-names and weight names match TF.js."""
from __future__ import annotations

import contextlib
import re

from ..errors import ValueError

_uid_prefixes: dict = {}
_name_scope_stack: list = []
_name_map: dict = {}
_next_id = [0]
_VALID_NAME = re.compile(r'^[A-Za-z0-9][-A-Za-z0-9._/]*$')


def get_uid(prefix: str = '') -> str:
    """`prefix` + a per-prefix counter: `getUid('Dense')` -> `'Dense1'`, then `'Dense2'`."""
    _uid_prefixes[prefix] = _uid_prefixes.get(prefix, 0) + 1
    return f'{prefix}{_uid_prefixes[prefix]}'


def next_unique_id() -> int:
    _next_id[0] += 1
    return _next_id[0]


def reset_uids() -> None:
    """Restart the layer/model auto-name counters (as a fresh TF.js process would have them).

    Weight names already taken in this process stay taken (new ones get `_1` suffixes), so
    live models are unaffected."""
    _uid_prefixes.clear()


@contextlib.contextmanager
def name_scope(name: str):
    """Scope weight and tensor names under `name/` (TF.js's `nameScope`)."""
    if not _VALID_NAME.match(name):
        raise ValueError(f'Name "{name}" is not a valid tensor name: use letters, digits and '
                         '-._/ only, starting with a letter or digit.')
    _name_scope_stack.append(name)
    try:
        yield
    finally:
        _name_scope_stack.pop()


def get_scoped_tensor_name(name: str) -> str:
    """`name` prefixed with the current name scopes: `dense_Dense1/kernel`."""
    if not _VALID_NAME.match(name):
        raise ValueError(f'Name "{name}" is not a valid tensor name.')
    return '/'.join(_name_scope_stack + [name])


def get_unique_tensor_name(scoped_name: str) -> str:
    """`scoped_name`, with `_1`, `_2`... appended when the name was used before in this process."""
    count = _name_map.get(scoped_name, 0)
    _name_map[scoped_name] = count + 1
    return scoped_name if count == 0 else f'{scoped_name}_{count}'
