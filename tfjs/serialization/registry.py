"""The class registry (`tf.serialization.registerClass`) and (de)serialization of objects
written as `{'className': ..., 'config': {...}}` (layers, initializers, regularizers,
constraints, optimizers share one map, as in TF.js).

Loading never executes code from a file: a class name must already be registered.
"""
from __future__ import annotations

from typing import Any

from .._naming import did_you_mean
from ..errors import ValueError


LAMBDA_NOT_LOADABLE = (
    'A Lambda layer holds Python code, and loading a model never runs code from a file. Write the '
    'computation as a layer class and register it under the name "Lambda" before loading:\n'
    '    class MyLambda(tf.layers.Layer):\n'
    '        className = "Lambda"\n'
    '        def call(self, inputs, kwargs):\n'
    '            return tf.mul(inputs, 2)      # what the saved Lambda computed\n'
    '        @classmethod\n'
    '        def fromConfig(cls, config):\n'
    '            return cls({"name": config["name"]})\n'
    '    tf.serialization.registerClass(MyLambda)\n'
    '(or pass customObjects={"Lambda": MyLambda} to the loader).')


class Serializable:
    """Base of serializable objects: `className`, `getClassName()`, `getConfig()`, `fromConfig()`."""

    className: str = ''

    def getClassName(self) -> str:
        return type(self).className or type(self).__name__

    def getConfig(self) -> dict:
        raise NotImplementedError(f'{type(self).__name__}.getConfig() is not implemented.')

    @classmethod
    def fromConfig(cls, config: dict):
        return cls(config)


class SerializationMap:
    """The process-wide map from registered class names to classes."""

    class_name_map: dict = {}
    builtin_names: set = set()
    # built-ins whose name another kind already uses (the Keras layer `Identity` and the
    # initializer `Identity`): {kind: {name: class}}, looked up for that kind only
    kind_maps: dict = {}

    @classmethod
    def register(cls, name: str, klass: type, builtin: bool = False) -> None:
        cls.class_name_map[name] = klass
        if builtin:
            cls.builtin_names.add(name)


def registerClass(cls: type, pkg: str = 'Custom', name: str | None = None) -> type:
    """Register a class for deserialization by name (also as `'<pkg>>Name'`, Keras style).

    Usable as a decorator.

    >>> import tfjs as tf
    >>> @tf.serialization.registerClass
    ... class MyLayer(tf.layers.Layer):
    ...     className = 'MyLayer'
    """
    class_name = name or getattr(cls, 'className', None) or cls.__name__
    if not getattr(cls, 'className', None) or 'className' not in vars(cls):
        cls.className = class_name
    if not isinstance(class_name, str) or not class_name:
        raise ValueError('Class being registered must have a non-empty className.')
    SerializationMap.register(class_name, cls)
    SerializationMap.register(f'{pkg}>{class_name}', cls)
    return cls


def register_builtin(cls: type, *names: str) -> type:
    """Register one of the package's own classes (under its className and any extra names)."""
    for name in (cls.className or cls.__name__,) + names:
        SerializationMap.register(name, cls, builtin=True)
    return cls


def register_builtin_for_kind(cls: type, kind: str) -> type:
    """Register one of the package's classes under its className for one kind of object only
    (`deserialize(..., kind=kind)`), leaving the shared map's entry of that name alone."""
    SerializationMap.kind_maps.setdefault(kind, {})[cls.className] = cls
    return cls


def getRegisteredName(cls: type) -> str:
    return getattr(cls, 'className', None) or cls.__name__


def clear_custom_classes() -> None:
    """Forget every user-registered class (the built-in ones stay)."""
    for name in list(SerializationMap.class_name_map):
        if name not in SerializationMap.builtin_names:
            del SerializationMap.class_name_map[name]


def get_registered_class(class_name: str, custom_objects: dict | None = None,
                         kind: str = 'object') -> type:
    """Look a class up in custom_objects, then in the registry; clear error when missing."""
    if custom_objects and class_name in custom_objects:
        return custom_objects[class_name]
    found = SerializationMap.class_name_map.get(class_name)
    if found is None and '>' in class_name:
        found = SerializationMap.class_name_map.get(class_name.split('>', 1)[1])
    for_kind = SerializationMap.kind_maps.get(kind, {}).get(class_name)
    if for_kind is not None and (found is None or getattr(found, '__module__', '').startswith('tfjs.')):
        found = for_kind              # (a user's own registration of the name still wins)
    if found is None:
        hint = did_you_mean(class_name, SerializationMap.class_name_map)
        if class_name == 'Lambda':
            raise ValueError(f'Unknown layer: Lambda. {LAMBDA_NOT_LOADABLE}')
        raise ValueError(f'Unknown {kind}: {class_name}.{hint} This may be due to one of the '
                         f'following reasons:\n1. The {kind} is defined in Python, in which case '
                         f'it needs to be ported to tfjs (a subclass of tf.layers.Layer for layers).'
                         f'\n2. The custom {kind} is defined but not registered: call '
                         f'tf.serialization.registerClass({class_name}) before loading.')
    return found


def deserialize(config: dict, custom_objects: dict | None = None, kind: str = 'object',
                fast_weight_init: bool = False) -> Any:
    """Build an object from `{'className': ..., 'config': {...}}` (camelCase, as after loading)."""
    if not isinstance(config, dict) or 'className' not in config or 'config' not in config:
        raise ValueError(f'Improper config format for a {kind}: {config!r}. Expected an object '
                         'with "className" and "config".')
    cls = get_registered_class(config['className'], custom_objects, kind)
    inner = config['config']
    if not hasattr(cls, 'fromConfig'):
        return cls(inner)
    if _takes_custom(cls):
        return cls.fromConfig(inner, custom_objects)
    return cls.fromConfig(inner)


def _takes_custom(cls) -> bool:
    import inspect
    try:
        return len(inspect.signature(cls.fromConfig).parameters) >= 2
    except (TypeError, ValueError):
        return False


def serialize(obj) -> dict | None:
    """`{'className': ..., 'config': ...}` for a serializable object (None stays None)."""
    if obj is None:
        return None
    return {'className': obj.getClassName(), 'config': obj.getConfig()}
