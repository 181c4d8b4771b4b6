"""`tf.layers`: layer factories (`tf.layers.dense({...})`) and the `Layer` base class.

Every factory takes a TF.js config dict and/or keyword arguments (camelCase or snake_case).

>>> import tfjs as tf
>>> tf.layers.dense({'units': 1, 'inputShape': [1]}).units
1
>>> tf.layers.dense(units=1, input_shape=[1]).batchInputShape
[None, 1]
"""
from __future__ import annotations

from .._naming import add_snake_case_aliases
from ..engine.input_layer import InputLayer, input
from ..engine.topology import InputSpec, Layer
from ..serialization.registry import register_builtin
from .core import Activation, Dense, Dropout, Flatten, Reshape
from .merge import Add, Average, Concatenate, Maximum, Minimum, Multiply
from .normalization import BatchNormalization

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


dense = _factory(Dense, 'dense', "{'units': 4}")
flatten = _factory(Flatten, 'flatten', '')
activation = _factory(Activation, 'activation', "{'activation': 'relu'}")
dropout = _factory(Dropout, 'dropout', "{'rate': 0.5}")
reshape = _factory(Reshape, 'reshape', "{'targetShape': [2, 2]}")
batchNormalization = _factory(BatchNormalization, 'batchNormalization', "{'axis': -1}")
inputLayer = _factory(InputLayer, 'inputLayer', "{'inputShape': [3]}")
add = _factory(Add, 'add', '')
multiply = _factory(Multiply, 'multiply', '')
average = _factory(Average, 'average', '')
maximum = _factory(Maximum, 'maximum', '')
minimum = _factory(Minimum, 'minimum', '')
concatenate = _factory(Concatenate, 'concatenate', "{'axis': -1}")

add_snake_case_aliases(globals())
