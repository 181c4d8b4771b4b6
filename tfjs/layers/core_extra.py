"""More core layers: Masking, RepeatVector, Permute, SpatialDropout1D (TF.js's
`layers/core.ts`), and Keras's SpatialDropout2D/3D, Identity, ActivityRegularization and Lambda.

Lambda (Python only: `tf.layers.lambdaLayer(fn)` or `tf.layers.Lambda(fn)`) wraps a callable; it
works eagerly and in models, but is never loaded from a file, since loading never runs code.
"""
from __future__ import annotations

import inspect
from typing import Callable

import torch

from ..backend import device
from ..engine.topology import InputSpec, Layer
from ..errors import NotImplementedError, ValueError
from ..serialization.registry import LAMBDA_NOT_LOADABLE, register_builtin_for_kind
from ..tensor import Tensor, convert_to_tensor
from .core import Dropout, TorchLayer, one_input, one_shape


class Masking(TorchLayer):
    """Mask timesteps whose features all equal `maskValue` (default 0): they are zeroed, and
    the mask `any(x != maskValue, -1)` goes to the layers downstream.

    >>> import tfjs as tf
    >>> layer = tf.layers.masking({'maskValue': 0})
    >>> x = tf.tensor3d([[[1, 2], [0, 0]]], [1, 2, 2])
    >>> layer.computeMask(x).arraySync()
    [[1, 0]]
    """

    className = 'Masking'
    CONFIG_KEYS = ('maskValue',)

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        self.supportsMasking = True
        value = args.get('maskValue')
        if isinstance(value, bool) or not isinstance(value, (int, float, type(None))):
            raise ValueError(f'Masking: "maskValue" must be a number, but got {value!r}.')
        self.maskValue = 0 if value is None else value

    def computeOutputShape(self, inputShape):
        return inputShape

    def computeMask(self, inputs, mask=None):
        x = one_input(inputs, self)._value()
        return Tensor._make(torch.any(x != self.maskValue, dim=-1), 'bool')

    def forward(self, x: torch.Tensor, training: bool = False) -> torch.Tensor:
        keep = torch.any(x != self.maskValue, dim=-1, keepdim=True)
        return x * keep.to(x.dtype)

    def call(self, inputs, kwargs: dict):
        x = one_input(inputs, self)
        return Tensor._make(self.forward(x._value()), x.dtype)

    def getConfig(self) -> dict:
        config = {'maskValue': self.maskValue}
        config.update(super().getConfig())
        return config


class RepeatVector(TorchLayer):
    """Repeat a `[batch, features]` input `n` times: `[batch, n, features]`.

    >>> import tfjs as tf
    >>> tf.layers.repeatVector({'n': 3}).apply(tf.ones([2, 4])).shape
    [2, 3, 4]
    """

    className = 'RepeatVector'
    CONFIG_KEYS = ('n',)

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        n = args.get('n')
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise ValueError(f'tf.layers.repeatVector() needs a non-negative integer "n", but got '
                             f'{n!r}. Example: tf.layers.repeatVector({{"n": 3}}).')
        self.n = n
        self.inputSpec = [InputSpec(ndim=2)]

    def computeOutputShape(self, inputShape):
        shape = one_shape(inputShape, self)
        return [shape[0], self.n, shape[1]]

    def forward(self, x: torch.Tensor, training: bool = False) -> torch.Tensor:
        return x.unsqueeze(1).expand(-1, self.n, -1)

    def call(self, inputs, kwargs: dict):
        x = one_input(inputs, self)
        return Tensor._make(self.forward(x._value()), x.dtype)

    def getConfig(self) -> dict:
        config = {'n': self.n}
        config.update(super().getConfig())
        return config


class Permute(TorchLayer):
    """Permute the non-batch axes: `dims` is a permutation of `1..rank-1`.

    >>> import tfjs as tf
    >>> tf.layers.permute({'dims': [2, 1]}).apply(tf.ones([1, 3, 4])).shape
    [1, 4, 3]
    """

    className = 'Permute'
    CONFIG_KEYS = ('dims',)

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        dims = args.get('dims')
        if dims is None:
            raise ValueError('Required configuration field `dims` is missing during Permute '
                             'constructor call. Example: tf.layers.permute({"dims": [2, 1]}).')
        if not isinstance(dims, (list, tuple)):
            raise ValueError(f'Permute constructor requires `dims` to be an Array, but received '
                             f'{dims!r} instead.')
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError(f'Invalid permutation `dims`: {list(dims)}. `dims` must contain '
                             'consecutive integers starting from 1.')
        self.dims = list(dims)
        self.inputSpec = [InputSpec(ndim=len(self.dims) + 1)]

    def computeOutputShape(self, inputShape):
        shape = one_shape(inputShape, self)
        return [shape[0]] + [shape[d] for d in self.dims]

    def forward(self, x: torch.Tensor, training: bool = False) -> torch.Tensor:
        return x.permute([0] + self.dims)

    def call(self, inputs, kwargs: dict):
        x = one_input(inputs, self)
        return Tensor._make(self.forward(x._value()), x.dtype)

    def getConfig(self) -> dict:
        config = {'dims': list(self.dims)}
        config.update(super().getConfig())
        return config


class SpatialDropout1D(Dropout):
    """Dropout of whole feature maps of a `[batch, steps, channels]` input: the noise shape is
    `[batch, 1, channels]` (training only).

    >>> import tfjs as tf
    >>> tf.layers.spatialDropout1d({'rate': 0.5}).apply(tf.ones([2, 3, 4])).shape
    [2, 3, 4]
    """

    className = 'SpatialDropout1D'

    def __init__(self, args: dict | None = None, /, **kwargs):
        super().__init__(args, **kwargs)
        self.inputSpec = [InputSpec(ndim=3)]

    def _noise_shape(self, x: torch.Tensor) -> list:
        return [x.shape[0], 1, x.shape[2]]


class _SpatialDropoutND(Dropout):
    """Keras's SpatialDropout2D/3D: drop whole channels (noise `[batch, 1.., channels]`, or
    `[batch, channels, 1..]` for channelsFirst)."""

    CONFIG_KEYS = ('dataFormat',)
    RANK = 4

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__({k: v for k, v in args.items() if k != 'dataFormat'})
        fmt = args.get('dataFormat') or 'channelsLast'
        if fmt not in ('channelsFirst', 'channelsLast'):
            raise ValueError(f'Invalid dataFormat "{fmt}": use "channelsLast" or "channelsFirst".')
        self.dataFormat = fmt
        self.inputSpec = [InputSpec(ndim=self.RANK)]

    def _noise_shape(self, x: torch.Tensor) -> list:
        ones = [1] * (self.RANK - 2)
        if self.dataFormat == 'channelsFirst':
            return [x.shape[0], x.shape[1]] + ones
        return [x.shape[0]] + ones + [x.shape[-1]]

    def getConfig(self) -> dict:
        config = {'rate': self.rate, 'seed': self.seed, 'dataFormat': self.dataFormat}
        config.update(TorchLayer.getConfig(self))
        return config


class SpatialDropout2D(_SpatialDropoutND):
    """Keras's SpatialDropout2D: drop whole channels of a 4D input (training only).

    >>> import tfjs as tf
    >>> tf.layers.spatialDropout2d({'rate': 0.5}).apply(tf.ones([1, 2, 2, 3])).shape
    [1, 2, 2, 3]
    """

    className = 'SpatialDropout2D'
    RANK = 4


class SpatialDropout3D(_SpatialDropoutND):
    """Keras's SpatialDropout3D: drop whole channels of a 5D input (training only).

    >>> import tfjs as tf
    >>> tf.layers.spatialDropout3d({'rate': 0.5}).apply(tf.ones([1, 2, 2, 2, 3])).shape
    [1, 2, 2, 2, 3]
    """

    className = 'SpatialDropout3D'
    RANK = 5


class Identity(Layer):
    """Keras's Identity: returns its input (a placeholder layer; masks pass through).

    >>> import tfjs as tf
    >>> tf.layers.identity().apply(tf.ones([1, 2])).arraySync()
    [[1.0, 1.0]]
    """

    className = 'Identity'
    CONFIG_KEYS = ()

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        self.supportsMasking = True

    def call(self, inputs, kwargs: dict):
        return inputs


# `Identity` is also TF.js's initializer class name: the layer is registered for layers only
register_builtin_for_kind(Identity, 'layer')


def identity(config: dict | None = None, /, **kwargs) -> Identity:
    """An `Identity` layer (Keras's): returns its input.

    >>> import tfjs as tf
    >>> tf.layers.identity().getClassName()
    'Identity'
    """
    return Identity(config, **kwargs)


class ActivityRegularization(Layer):
    """Keras's ActivityRegularization: the identity, adding `(l1 * sum|x| + l2 * sum x^2) /
    batchSize` to the training loss (Keras 3 divides by the batch size).

    When the layer is used at several places of a model, the losses of its calls in the last
    forward pass are summed.

    >>> import tfjs as tf
    >>> layer = tf.layers.activityRegularization({'l1': 0.1})
    >>> _ = layer.apply(tf.tensor2d([[1, -2]], [1, 2]))
    >>> round(layer.calculateLosses()[0].arraySync(), 4)
    0.3
    """

    className = 'ActivityRegularization'
    CONFIG_KEYS = ('l1', 'l2')

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__(args)
        self.supportsMasking = True
        self.l1 = 0.0 if args.get('l1') is None else args['l1']
        self.l2 = 0.0 if args.get('l2') is None else args['l2']
        for key, value in (('l1', self.l1), ('l2', self.l2)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f'ActivityRegularization: "{key}" must be a number >= 0, but got '
                                 f'{value!r}.')
        self._pending: list = []
        self.addLoss(self._activity_loss)

    def call(self, inputs, kwargs: dict):
        x = one_input(inputs, self)
        t = x._value()
        if t.is_floating_point() and (self.l1 or self.l2):
            loss = t.new_zeros(())
            if self.l1:
                loss = loss + self.l1 * t.abs().sum()
            if self.l2:
                loss = loss + self.l2 * t.square().sum()
            if t.ndim > 0 and t.shape[0] > 0:
                loss = loss / t.shape[0]
            self._pending.append(loss)
            del self._pending[:-max(1, len(self.inboundNodes))]
        return x

    def _activity_loss(self) -> Tensor:
        if not self._pending:
            return Tensor._make(torch.zeros((), device=device()), 'float32')
        total = self._pending[0]
        for loss in self._pending[1:]:
            total = total + loss
        return Tensor._make(total, 'float32')

    def getConfig(self) -> dict:
        config = {'l1': self.l1, 'l2': self.l2}
        config.update(super().getConfig())
        return config


def _function_description(fn) -> dict:
    """What a config can say about a Python callable (never its code)."""
    name = getattr(fn, '__qualname__', None) or type(fn).__name__
    kind = '__lambda__' if getattr(fn, '__name__', None) == '<lambda>' else 'function'
    return {'className': kind, 'config': {'name': name, 'module': getattr(fn, '__module__', None),
                                          'restorable': False}}


class Lambda(Layer):
    """Wrap a Python callable `fn(x)` on tfjs Tensors as a layer (Keras's Lambda).

    `outputShape` (without the batch axis, or a function of the full input shape) is inferred
    when left out, by running `fn` on small dummy batches. `arguments` are passed to `fn` as
    keyword arguments, and `fn` also gets `mask` / `training` when it declares them. `mask` (a
    function `(inputs, mask) -> mask`, or a fixed mask) makes the layer produce a mask.

    `getConfig()` describes the function (name and module, never code) and says it cannot be
    restored: a saved model with a Lambda loads only after a replacement class is registered
    under the name "Lambda" (the error raised on loading shows how).

    >>> import tfjs as tf
    >>> double = tf.layers.lambdaLayer(lambda x: tf.mul(x, 2))
    >>> double.apply(tf.ones([1, 2])).arraySync()
    [[2.0, 2.0]]
    >>> double.apply(tf.input({'shape': [3]})).shape
    [None, 3]
    """

    className = 'Lambda'
    CONFIG_KEYS = ('function', 'outputShape', 'mask', 'arguments')

    def __init__(self, function: Callable | dict | None = None, /, **kwargs):
        if isinstance(function, dict):
            args = self.normalize_args(function, kwargs)
        else:
            args = self.normalize_args(None, kwargs)
            if function is not None:
                args['function'] = function
        fn = args.get('function')
        if not callable(fn):
            if fn is not None:
                raise ValueError(f'Cannot build a Lambda layer from a saved config. '
                                 f'{LAMBDA_NOT_LOADABLE}')
            raise ValueError('tf.layers.lambdaLayer() needs a callable, e.g. '
                             'tf.layers.lambdaLayer(lambda x: tf.mul(x, 2)).')
        super().__init__({k: v for k, v in args.items() if k not in self.CONFIG_KEYS})
        self.function = fn
        self.outputShape_ = args.get('outputShape')
        self.mask = args.get('mask')
        self.arguments = dict(args.get('arguments') or {})
        self.supportsMasking = self.mask is not None
        try:
            params = inspect.signature(fn).parameters
        except (TypeError, ValueError):
            params = {}
        self._wants_mask = 'mask' in params
        self._wants_training = 'training' in params

    @classmethod
    def fromConfig(cls, config: dict, customObjects: dict | None = None):
        if callable(config.get('function')):
            return cls(dict(config))
        raise ValueError(f'Cannot restore a Lambda layer from its config. {LAMBDA_NOT_LOADABLE}')

    def call(self, inputs, kwargs: dict):
        extra = dict(self.arguments)
        if self._wants_mask:
            extra['mask'] = kwargs.get('mask')
        if self._wants_training:
            extra['training'] = kwargs.get('training')
        out = self.function(inputs, **extra)
        if isinstance(out, (list, tuple)):
            return [o if isinstance(o, Tensor) else convert_to_tensor(o, 'output', 'Lambda')
                    for o in out]
        return out if isinstance(out, Tensor) else convert_to_tensor(out, 'output', 'Lambda')

    def computeMask(self, inputs, mask=None):
        if self.mask is None:
            return super().computeMask(inputs, mask)
        return self.mask(inputs, mask) if callable(self.mask) else self.mask

    def computeOutputShape(self, inputShape):
        given = self.outputShape_
        if callable(given):
            return given(inputShape)
        multi = bool(inputShape) and isinstance(inputShape[0], (list, tuple))
        if given is not None:
            batch = (inputShape[0] if multi else inputShape)[0] if inputShape else None
            if given and isinstance(given[0], (list, tuple)):
                return [[batch] + list(s) for s in given]
            return [batch] + list(given)
        return self._infer_shape([list(s) for s in inputShape] if multi else [list(inputShape)],
                                 multi)

    def _infer_shape(self, shapes: list, multi: bool):
        """Run the function on dummy batches (unknown sizes 2, then 3): output axes whose size
        changes between the two runs are unknown (None)."""
        from ..backend.memory import tidy
        from ..ops.creation import ones
        runs = []
        for size in (2, 3):
            dummies = [[size if d is None else d for d in s] for s in shapes]

            def run(dummies=dummies):
                xs = [ones(d) for d in dummies]
                with torch.no_grad():
                    out = self.call(xs if multi else xs[0], {})
                outs = out if isinstance(out, list) else [out]
                return [list(o.shape) for o in outs], isinstance(out, list)
            try:
                runs.append(tidy(run))
            except Exception as e:      # noqa: BLE001 - any failure means: give outputShape
                raise NotImplementedError(
                    f'Could not infer the output shape of Lambda layer {self.name} by running its '
                    f'function on a dummy input ({type(e).__name__}: {e}). Pass "outputShape", '
                    'e.g. tf.layers.lambdaLayer(fn, outputShape=[4]).') from e
        (first, listed), (second, _) = runs
        shapes_out = [[a if a == b else None for a, b in zip(s1, s2)] if len(s1) == len(s2)
                      else None for s1, s2 in zip(first, second)]
        if any(s is None for s in shapes_out):
            raise NotImplementedError(f'The output rank of Lambda layer {self.name} depends on the '
                                      'input size; pass "outputShape".')
        return shapes_out if listed else shapes_out[0]

    def getConfig(self) -> dict:
        config = {'function': _function_description(self.function)}
        if self.outputShape_ is not None:
            config['outputShape'] = _function_description(self.outputShape_) \
                if callable(self.outputShape_) else self.outputShape_
        if self.mask is not None:
            config['mask'] = _function_description(self.mask) if callable(self.mask) else None
        config['arguments'] = {k: v for k, v in self.arguments.items()
                               if isinstance(v, (int, float, str, bool, list, type(None)))}
        config.update(super().getConfig())
        return config


def lambdaLayer(function: Callable, /, **kwargs) -> Lambda:
    """A Lambda layer from a Python callable (`lambda` is a Python keyword, hence the name).

    >>> import tfjs as tf
    >>> tf.layers.lambdaLayer(lambda x: tf.sum(x, -1), outputShape=[]).apply(tf.ones([2, 3])).shape
    [2]
    """
    return Lambda(function, **kwargs)


FACTORIES = {
    'masking': (Masking, "{'maskValue': 0}"),
    'repeatVector': (RepeatVector, "{'n': 3}"),
    'permute': (Permute, "{'dims': [2, 1]}"),
    'spatialDropout1d': (SpatialDropout1D, "{'rate': 0.5}"),
    'spatialDropout2d': (SpatialDropout2D, "{'rate': 0.5}"),
    'spatialDropout3d': (SpatialDropout3D, "{'rate': 0.5}"),
    'activityRegularization': (ActivityRegularization, "{'l1': 0.01}"),
}

EXPORTS = ['Lambda', 'lambdaLayer', 'identity']
