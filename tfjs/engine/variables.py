"""`LayerVariable`: a layer weight (TF.js's `LayerVariable`), wrapping a core `tf.Variable`.

`originalName` is the scoped name used as the key in weight files (`dense_Dense1/kernel`);
`name` is unique in the process (`dense_Dense1/kernel_1` when the scoped name is taken).
"""
from __future__ import annotations

from .._naming import SnakeCaseAliases
from ..errors import ValueError
from ..tensor import Tensor, variable
from .common import get_scoped_tensor_name, get_unique_tensor_name


class LayerVariable(SnakeCaseAliases):
    """A weight of a layer: value, trainability, constraint and its file name."""

    def __init__(self, val: Tensor, dtype: str = 'float32', name: str = 'Variable',
                 trainable: bool = True, constraint=None):
        self.dtype = dtype or 'float32'
        self.shape = list(val.shape)
        self.originalName = get_scoped_tensor_name(name)
        self.name = get_unique_tensor_name(self.originalName)
        self._trainable = trainable
        self.constraint = constraint
        self.val = variable(val, trainable, self.name, self.dtype)

    def read(self) -> Tensor:
        """The live value (a `tf.Variable`)."""
        self._assert_not_disposed()
        return self.val

    def write(self, newVal: Tensor) -> 'LayerVariable':
        """Assign a new value (shape must match) and apply the constraint, if any."""
        self._assert_not_disposed()
        if list(newVal.shape) != self.shape:
            raise ValueError(f'Shape mismatch in LayerVariable {self.originalName}: expected '
                             f'{self.shape}, got {list(newVal.shape)}.')
        self.val.assign(newVal)
        if self.constraint is not None:
            self.val.assign(self.constraint.apply(self.val))
        return self

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        self.val.trainable = bool(value)

    @property
    def isDisposed(self) -> bool:
        return self.val.isDisposed

    def dispose(self) -> None:
        self._assert_not_disposed()
        self.val.dispose()

    def _assert_not_disposed(self) -> None:
        if self.val.isDisposed:
            raise ValueError(f'LayerVariable {self.name} is already disposed.')

    def __repr__(self):
        return f'<LayerVariable {self.originalName} shape={self.shape} dtype={self.dtype}>'
