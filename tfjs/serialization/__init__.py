"""`tf.serialization`: the class registry and the camelCase <-> snake_case config converters."""
from .convert import convert_pythonic_to_ts, convert_ts_to_pythonic
from .registry import (Serializable, SerializationMap, clear_custom_classes, deserialize,
                       get_registered_class, getRegisteredName, registerClass, serialize)

__all__ = ['Serializable', 'SerializationMap', 'registerClass', 'getRegisteredName', 'deserialize',
           'serialize', 'get_registered_class', 'clear_custom_classes', 'convert_pythonic_to_ts',
           'convert_ts_to_pythonic']
