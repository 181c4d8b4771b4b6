"""`tf.layers`: layer factories (`tf.layers.dense({...})`) and the `Layer` base class.

Every factory takes a TF.js config dict and/or keyword arguments (camelCase or snake_case).
Factories are discovered from this package's modules: each module lists its
`FACTORIES = {'factoryName': (LayerClass, "example config"), ...}` (every class there is also
registered for deserialization) and may list extra public names (base classes) in `EXPORTS`.

>>> import tfjs as tf
>>> tf.layers.dense({'units': 1, 'inputShape': [1]}).units
1
>>> tf.layers.dense(units=1, input_shape=[1]).batchInputShape
[None, 1]
"""
from __future__ import annotations

import importlib
import pkgutil
import types

from .._naming import add_snake_case_aliases
from ..engine.input_layer import InputLayer, input
from ..engine.topology import InputSpec, Layer
from ..serialization.registry import register_builtin

register_builtin(InputLayer)


def _factory(cls, name: str, example: str):
    def make(config: dict | None = None, /, **kwargs):
        return cls(config, **kwargs)
    make.__name__ = name
    make.__qualname__ = name
    make.__doc__ = f"""A `{cls.className}` layer. {(cls.__doc__ or '').strip().splitlines()[0]}

    >>> import tfjs as tf
    >>> tf.layers.{name}({example}).getClassName()
    '{cls.className}'
    """
    return make


inputLayer = _factory(InputLayer, 'inputLayer', "{'inputShape': [3]}")


def _is_own_module(obj) -> bool:
    # a factory may share its name with a module of this package (`normalization`): it wins
    return isinstance(obj, types.ModuleType) and obj.__name__.startswith(__name__ + '.')


def _discover() -> None:
    namespace = globals()
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith('_'):
            continue
        module = importlib.import_module(f'{__name__}.{info.name}')
        for name, (cls, example) in getattr(module, 'FACTORIES', {}).items():
            if name in namespace and not _is_own_module(namespace[name]):
                raise RuntimeError(f'tf.layers.{name} is defined twice (again in {module.__name__})')
            register_builtin(cls)
            namespace[name] = _factory(cls, name, example)
        for name in getattr(module, 'EXPORTS', ()):
            namespace[name] = getattr(module, name)


_discover()
add_snake_case_aliases(globals())
