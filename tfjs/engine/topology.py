"""The layer engine: `Layer`, `SymbolicTensor`, `Node`, `InputSpec` (TF.js's `engine/topology.ts`).

A layer is declared the Keras way: the constructor validates and stores config; `build(inputShape)`
adds weights with `addWeight`; `call(inputs, kwargs)` computes with tfjs ops; `computeOutputShape`
and `getConfig` describe it. `apply` works symbolically (SymbolicTensors in, SymbolicTensors out,
recording a `Node`) and eagerly (Tensors in, Tensors out).

>>> import tfjs as tf
>>> flatten = tf.layers.flatten()
>>> flatten.apply(tf.input({'shape': [2, 4]})).shape
[None, 8]
>>> flatten.apply(tf.ones([2, 3, 4])).shape
[2, 12]
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Any, Iterable, Sequence

import torch

from .._naming import SnakeCaseAliases, normalize_args, to_snake_case
from ..errors import AttributeError, NotImplementedError, RuntimeError, ValueError
from ..tensor import Tensor
from .common import get_scoped_tensor_name, get_uid, get_unique_tensor_name, name_scope, next_unique_id
from .variables import LayerVariable

_LOADING = threading.local()


@contextmanager
def weights_set_after_build():
    """While a model being loaded is built (`fastWeightInitDuringBuild`), its weights are left
    unallocated: loading sets every one next. Outside it, that flag makes zeros (TF.js).

    >>> with weights_set_after_build():
    ...     pass
    """
    before = getattr(_LOADING, 'on', False)
    _LOADING.on = True
    try:
        yield
    finally:
        _LOADING.on = before

BASE_LAYER_KEYS = ('inputShape', 'batchInputShape', 'batchSize', 'dtype', 'name', 'trainable',
                   'weights', 'inputDType')


def to_list(x) -> list:
    return list(x) if isinstance(x, (list, tuple)) else [x]


def normalize_shape_list(x) -> list:
    """A shape or a list of shapes, as a list of shapes (TF.js's `normalizeShapeList`)."""
    if x is None or len(x) == 0:
        return []
    return [list(x)] if not isinstance(x[0], (list, tuple)) else [list(s) for s in x]


def singleton_or_list(xs: list):
    return xs[0] if len(xs) == 1 else xs


class InputSpec(SnakeCaseAliases):
    """Constraints on a layer's input: dtype, shape, ndim, maxNDim, minNDim, axes."""

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = normalize_args(args, kwargs, ('dtype', 'shape', 'ndim', 'maxNDim', 'minNDim', 'axes'),
                              'InputSpec')
        self.dtype = args.get('dtype')
        self.shape = args.get('shape')
        self.ndim = len(self.shape) if self.shape is not None else args.get('ndim')
        self.maxNDim = args.get('maxNDim')
        self.minNDim = args.get('minNDim')
        self.axes = args.get('axes') or {}


class SymbolicTensor(SnakeCaseAliases):
    """A placeholder for a tensor in a model graph: shape (None for unknown dims), dtype, and
    the layer call that produces it."""

    def __init__(self, dtype: str, shape: Sequence, sourceLayer: 'Layer', inputs: list,
                 callArgs: dict, name: str | None = None, outputTensorIndex: int | None = None):
        self.dtype = dtype
        self.shape = list(shape)
        self.sourceLayer = sourceLayer
        self.inputs = inputs
        self.callArgs = callArgs
        self.outputTensorIndex = outputTensorIndex
        self.id = next_unique_id()
        if name is not None:
            self.originalName = get_scoped_tensor_name(name)
            self.name = get_unique_tensor_name(self.originalName)
        self.rank = len(self.shape)
        self.nodeIndex = None
        self.tensorIndex = None

    def __repr__(self):
        return f'SymbolicTensor(name={getattr(self, "name", None)!r}, shape={self.shape}, dtype={self.dtype})'

    __str__ = __repr__


class Node:
    """A call of a layer on some inputs, linking inbound layers to the outbound layer."""

    def __init__(self, outboundLayer: 'Layer', inboundLayers: list, nodeIndices: list,
                 tensorIndices: list, inputTensors: list, outputTensors: list, inputMasks: list,
                 outputMasks: list, inputShapes, outputShapes, callArgs: dict | None = None):
        self.id = next_unique_id()
        self.outboundLayer = outboundLayer
        self.inboundLayers = inboundLayers
        self.nodeIndices = nodeIndices
        self.tensorIndices = tensorIndices
        self.inputTensors = inputTensors
        self.outputTensors = outputTensors
        self.inputMasks = inputMasks
        self.outputMasks = outputMasks
        self.inputShapes = inputShapes
        self.outputShapes = outputShapes
        self.callArgs = callArgs or {}
        for layer in inboundLayers:
            if layer is not None:
                layer.outboundNodes.append(self)
        outboundLayer.inboundNodes.append(self)

    def getConfig(self) -> dict:
        return {'outboundLayer': self.outboundLayer.name if self.outboundLayer else None,
                'inboundLayers': [l.name if l else None for l in self.inboundLayers],
                'nodeIndices': self.nodeIndices, 'tensorIndices': self.tensorIndices}


class Layer(SnakeCaseAliases):
    """Base class of every layer. Subclass it for custom layers (see the module docstring).

    Subclasses of the package declare their own config keys in `CONFIG_KEYS`; an unknown key
    given to their constructor raises, naming the valid keys.
    """

    className: str = 'Layer'
    CONFIG_KEYS: tuple = ()

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        self.id = next_unique_id()
        self.activityRegularizer = None
        self.inputSpec = None
        self.supportsMasking = False
        self._trainableWeights: list = []
        self._nonTrainableWeights: list = []
        self._losses: list = []
        self._updates: list = []
        self._built = False
        self.inboundNodes: list = []
        self.outboundNodes: list = []
        self._stateful = False
        self._refCount = None
        self.fastWeightInitDuringBuild = False
        self._callHook = None
        name = args.get('name')
        if not name:
            prefix = self.getClassName()
            name = to_snake_case(prefix) + '_' + get_uid(prefix)
        self.name = name
        self.trainable_ = True if args.get('trainable') is None else bool(args['trainable'])
        self.batchInputShape = None
        self.dtype = None
        if args.get('inputShape') is not None or args.get('batchInputShape') is not None:
            if args.get('batchInputShape') is not None:
                batch_input_shape = list(args['batchInputShape'])
            else:
                batch_input_shape = [args.get('batchSize')] + list(args['inputShape'])
            self.batchInputShape = batch_input_shape
            self.dtype = args.get('dtype') or args.get('inputDType') or 'float32'
        elif args.get('dtype') is not None:
            self.dtype = args['dtype']
        self.initialWeights = args.get('weights')

    # ------------------------------------------------------------------ config arguments
    @classmethod
    def config_keys(cls) -> set:
        """Every constructor key this class accepts (its own and its bases')."""
        keys = set(BASE_LAYER_KEYS)
        for klass in cls.__mro__:
            keys.update(vars(klass).get('CONFIG_KEYS', ()))
        return keys

    @classmethod
    def _is_strict(cls) -> bool:
        return cls.__module__.startswith('tfjs.') and 'CONFIG_KEYS' in vars(cls)

    @classmethod
    def normalize_args(cls, args, kwargs) -> dict:
        """Merge a config dict and kwargs into camelCase, rejecting unknown keys for built-ins."""
        allowed = cls.config_keys() if cls._is_strict() else None
        return normalize_args(args, kwargs, allowed, f'tf.layers.{cls.className[0].lower()}'
                              f'{cls.className[1:]}' if cls._is_strict() else cls.__name__)

    # ------------------------------------------------------------------ identity
    def getClassName(self) -> str:
        klass = type(self)
        return klass.className if 'className' in vars(klass) else klass.__name__

    @property
    def built(self) -> bool:
        return self._built

    @built.setter
    def built(self, value: bool) -> None:
        self._built = value

    @property
    def trainable(self) -> bool:
        return self.trainable_

    @trainable.setter
    def trainable(self, value: bool) -> None:
        for w in self._trainableWeights:
            w.trainable = value
        self.trainable_ = value

    @property
    def stateful(self) -> bool:
        return self._stateful

    # ------------------------------------------------------------------ weights
    @property
    def trainableWeights(self) -> list:
        if self.trainable_:
            return [w for w in self._trainableWeights if w.trainable]
        return []

    @trainableWeights.setter
    def trainableWeights(self, weights: list) -> None:
        self._trainableWeights = weights

    @property
    def nonTrainableWeights(self) -> list:
        if self.trainable_:
            return [w for w in self._trainableWeights if not w.trainable] + self._nonTrainableWeights
        return self._trainableWeights + self._nonTrainableWeights

    @nonTrainableWeights.setter
    def nonTrainableWeights(self, weights: list) -> None:
        self._nonTrainableWeights = weights

    @property
    def weights(self) -> list:
        """All weights: trainable first, then non-trainable (TF.js order)."""
        return self.trainableWeights + self.nonTrainableWeights

    def addWeight(self, name: str, shape: Sequence[int], dtype: str | None = None,
                  initializer=None, regularizer=None, trainable: bool | None = None,
                  constraint=None, getInitializerFunc=None) -> LayerVariable:
        """Create a weight named `<layer>/<name>` and track it (call from `build`)."""
        from ..initializers import get_initializer
        scoped = get_scoped_tensor_name(name)
        if any(w.originalName == scoped for w in self._trainableWeights + self._nonTrainableWeights):
            raise ValueError(f'Duplicate weight name {name} for layer {self.name}.')
        dtype = dtype or self.dtype or 'float32'
        if self.fastWeightInitDuringBuild and getInitializerFunc is None and dtype != 'string' \
                and getattr(_LOADING, 'on', False):
            # being loaded: every weight is set next (or loading fails), so none is initialized;
            # a weight made later is zeros, as TF.js's (which never clears the flag)
            from .weight_loading import unallocated_weight
            weight = unallocated_weight(name, shape, dtype, True if trainable is None else trainable,
                                        constraint)
        else:
            if self.fastWeightInitDuringBuild:
                initializer = get_initializer('zeros') if getInitializerFunc is None else getInitializerFunc()
            init = get_initializer(initializer) if initializer is not None else get_initializer('glorotUniform')
            value = init.apply([int(d) for d in shape], dtype)
            weight = LayerVariable(value, dtype, name, True if trainable is None else trainable, constraint)
            value.dispose()
        if regularizer is not None:
            self.addLoss(lambda: regularizer.apply(weight.read()))
        if trainable is None:
            trainable = True
        if trainable:
            self._trainableWeights.append(weight)
        else:
            self._nonTrainableWeights.append(weight)
        return weight

    def getWeights(self, trainableOnly: bool = False) -> list:
        """The live weight tensors (trainable first)."""
        ws = self.trainableWeights if trainableOnly else self.weights
        return [w.read() for w in ws]

    def setWeights(self, weights: Sequence) -> None:
        """Set the weights from a list of tensors (or arrays) in `weights` order."""
        from ..tensor import convert_to_tensor
        params = self.weights
        if len(params) != len(weights):
            raise ValueError(f'You called setWeights(weights) on layer "{self.name}" with a weight '
                             f'list of length {len(weights)}, but the layer was expecting '
                             f'{len(params)} weights. Provided weights: {weights}...')
        if not params:
            return
        for p, w in zip(params, weights):
            w = convert_to_tensor(w, 'weights', 'setWeights')
            if list(p.shape) != list(w.shape):
                raise ValueError(f'Layer weight shape {p.shape} not compatible with provided weight '
                                 f'shape {w.shape}.')
            p.write(w if w.dtype == p.dtype else w.cast(p.dtype))

    def countParams(self) -> int:
        """Total number of scalars in the weights."""
        if not self.built:
            raise ValueError(f'You tried to call countParams() on {self.name}, but the layer is not '
                             'built yet. Build it first by calling build(batchInputShape).')
        total = 0
        for w in self.weights:
            n = 1
            for d in w.shape:
                n *= d
            total += n
        return total

    # ------------------------------------------------------------------ losses
    def addLoss(self, losses) -> None:
        """Register a regularization loss (a function returning a scalar)."""
        if losses is None:
            return
        self._losses.extend(losses if isinstance(losses, list) else [losses])

    @property
    def losses(self) -> list:
        return self._losses

    def calculateLosses(self) -> list:
        """Evaluate every registered loss function (for trainable layers only)."""
        if not self.trainable_:
            return []
        return [fn() for fn in self._losses]

    # ------------------------------------------------------------------ the call protocol
    def build(self, inputShape) -> None:
        """Create the weights for `inputShape` (override in subclasses)."""
        self.built = True

    def call(self, inputs, kwargs: dict):
        """The computation (override in subclasses). The default is the identity."""
        return inputs

    def computeOutputShape(self, inputShape):
        """Output shape for an input shape (default: unchanged)."""
        return inputShape

    def computeMask(self, inputs, mask=None):
        """The output mask (default: none, or passed through when the layer supports masking)."""
        if not self.supportsMasking:
            if mask is not None:
                for m in to_list(mask):
                    if m is not None:
                        raise TypeError(f'Layer {self.name} does not support masking, but was passed '
                                        'an inputMask.')
            return None
        return mask

    def apply(self, inputs, kwargs: dict | None = None, **more_kwargs):
        """Run the layer: symbolically on SymbolicTensors, eagerly on Tensors.

        >>> import tfjs as tf
        >>> tf.layers.dense({'units': 2, 'kernelInitializer': 'ones'}).apply(tf.ones([1, 3])).arraySync()
        [[3.0, 3.0]]
        """
        kwargs = dict(kwargs or {})
        kwargs.update(more_kwargs)
        self._assert_not_disposed()
        input_list = to_list(inputs)
        all_symbolic = all(isinstance(x, SymbolicTensor) for x in input_list)
        none_symbolic = not any(isinstance(x, SymbolicTensor) for x in input_list)
        if all_symbolic == none_symbolic:
            raise ValueError('Arguments to apply() must be all SymbolicTensors or all Tensors.')
        if none_symbolic:
            from ..tensor import convert_to_tensor
            input_list = [x if isinstance(x, Tensor) else convert_to_tensor(x, 'inputs', 'apply')
                          for x in input_list]
            inputs = input_list if isinstance(inputs, (list, tuple)) else input_list[0]
        with name_scope(self.name):
            if not self.built:
                self.assertInputCompatibility(inputs)
                shapes = [list(x.shape) for x in input_list]
                self.build(singleton_or_list(shapes))
                self.built = True
                if self.initialWeights:
                    self.setWeights(self.initialWeights)
                if self._refCount is None and none_symbolic:
                    self._refCount = 1
            self.assertInputCompatibility(inputs)
            if none_symbolic:
                return self._apply_eager(inputs, input_list, kwargs)
            return self._apply_symbolic(inputs, input_list, kwargs)

    __call__ = apply

    def _apply_eager(self, inputs, input_list, kwargs):
        output = self.call(inputs, kwargs)
        if self._callHook is not None:
            self._callHook(inputs, kwargs)
        if self.supportsMasking:
            self.setMaskMetadata(inputs, output, kwargs.get('mask'))
        outs = to_list(output)
        ids = {id(x) for x in input_list}
        outs = [x.clone() if id(x) in ids else x for x in outs]
        if self.activityRegularizer is not None:
            self._record_activity_loss(outs)
        return outs if isinstance(output, (list, tuple)) else outs[0]

    def _record_activity_loss(self, outputs: list) -> None:
        """Keras's activity regularization (TF.js throws): `regularizer(output) / batchSize` for
        each float output, added to the training loss by `calculateLosses` (the losses of the
        last call at each of the layer's nodes)."""
        if not hasattr(self, '_activity_pending'):
            self._activity_pending = []
            self.addLoss(self._activity_loss)
        for out in outputs:
            if not isinstance(out, Tensor) or out.dtype != 'float32':
                continue
            loss = self.activityRegularizer.apply(out)._value()
            if out.rank > 0 and out.shape[0] > 0:
                loss = loss / out.shape[0]
            self._activity_pending.append(loss)
        del self._activity_pending[:-max(1, len(self.inboundNodes) * len(outputs))]

    def _activity_loss(self) -> Tensor:
        total = None
        for loss in self._activity_pending:
            total = loss if total is None else total + loss
        if total is None:
            from ..backend import device
            total = torch.zeros((), device=device())
        return Tensor._make(total, 'float32')

    def _apply_symbolic(self, inputs, input_list, kwargs):
        input_shape = [list(x.shape) for x in input_list]
        input_shape = input_shape if isinstance(inputs, (list, tuple)) else input_shape[0]
        output_shape = self.computeOutputShape(input_shape)
        dtype = input_list[0].dtype
        if output_shape and isinstance(output_shape[0], (list, tuple)):
            output = [SymbolicTensor(dtype, s, self, input_list, kwargs, self.name, i)
                      for i, s in enumerate(output_shape)]
        else:
            output = SymbolicTensor(dtype, output_shape, self, input_list, kwargs, self.name)
        self.addInboundNode(inputs, output, None, None, input_shape, output_shape, kwargs)
        self._refCount = (self._refCount or 0) + 1
        return output

    def setMaskMetadata(self, inputs, outputs, previousMask=None) -> None:
        if not hasattr(self, 'computeMask'):
            return
        output_masks = self.computeMask(inputs, previousMask)
        outs = to_list(outputs)
        masks = to_list(output_masks) if output_masks is not None else [None] * len(outs)
        for o, m in zip(outs, masks):
            if isinstance(o, Tensor):
                o.kerasMask = m

    def addInboundNode(self, inputTensors, outputTensors, inputMasks, outputMasks, inputShapes,
                       outputShapes, kwargs=None) -> None:
        inputs = to_list(inputTensors)
        outputs = to_list(outputTensors)
        inbound_layers, node_indices, tensor_indices = [], [], []
        for x in inputs:
            inbound_layers.append(x.sourceLayer)
            node_indices.append(x.nodeIndex)
            tensor_indices.append(x.tensorIndex)
        Node(self, inbound_layers, node_indices, tensor_indices, inputs, outputs,
             inputMasks if inputMasks is not None else [None] * len(inputs),
             outputMasks if outputMasks is not None else [None] * len(outputs),
             normalize_shape_list(inputShapes), normalize_shape_list(outputShapes), kwargs)
        for i, out in enumerate(outputs):
            out.sourceLayer = self
            out.nodeIndex = len(self.inboundNodes) - 1
            out.tensorIndex = i

    def assertInputCompatibility(self, inputs) -> None:
        """Check inputs against `inputSpec` (ndim, minNDim, maxNDim, axes, shape)."""
        if self.inputSpec is None:
            return
        specs = to_list(self.inputSpec)
        xs = to_list(inputs)
        if len(xs) != len(specs):
            raise ValueError(f'Layer {self.name} expects {len(specs)} inputs, but it received '
                             f'{len(xs)} input tensors. Input received: {inputs}')
        for i, (x, spec) in enumerate(zip(xs, specs)):
            if spec is None:
                continue
            ndim = len(x.shape)
            if spec.ndim is not None and ndim != spec.ndim:
                raise ValueError(f'Input {i} is incompatible with layer {self.name}: expected '
                                 f'ndim={spec.ndim}, found ndim={ndim}')
            if spec.maxNDim is not None and ndim > spec.maxNDim:
                raise ValueError(f'Input {i} is incompatible with layer {self.name}: expected '
                                 f'max_ndim={spec.maxNDim}, found ndim={ndim}')
            if spec.minNDim is not None and ndim < spec.minNDim:
                raise ValueError(f'Input {i} is incompatible with layer {self.name}: expected '
                                 f'min_ndim={spec.minNDim}, found ndim={ndim}.')
            for axis, value in (spec.axes or {}).items():
                axis = int(axis)
                dim = x.shape[axis if axis >= 0 else ndim + axis]
                if value is not None and dim is not None and dim != value:
                    raise ValueError(f'Input {i} is incompatible with layer {self.name}: expected '
                                     f'axis {axis} of input shape to have value {value} but got '
                                     f'shape {list(x.shape)}.')
            if spec.shape is not None:
                for j, (want, got) in enumerate(zip(spec.shape, x.shape)):
                    if want is not None and got is not None and want != got:
                        raise ValueError(f'Input {i} is incompatible with layer {self.name}: '
                                         f'expected shape={spec.shape}, found shape={list(x.shape)}.')

    # ------------------------------------------------------------------ graph accessors
    def _node_attribute(self, node_index: int, attr: str, what: str):
        if not self.inboundNodes:
            raise RuntimeError(f'The layer {self.name} has never been called and thus has no defined '
                               f'{what}.')
        if len(self.inboundNodes) <= node_index:
            raise ValueError(f'Asked to get {what} at node {node_index}, but the layer has only '
                             f'{len(self.inboundNodes)} inbound nodes.')
        return singleton_or_list(getattr(self.inboundNodes[node_index], attr))

    def getInputAt(self, nodeIndex: int):
        return self._node_attribute(nodeIndex, 'inputTensors', 'input')

    def getOutputAt(self, nodeIndex: int):
        return self._node_attribute(nodeIndex, 'outputTensors', 'output')

    @property
    def input(self):
        if len(self.inboundNodes) > 1:
            raise AttributeError(f'Layer {self.name} has multiple inbound nodes, hence the notion of '
                                 '"layer input" is ill-defined. Use `getInputAt(nodeIndex)` instead.')
        if not self.inboundNodes:
            raise AttributeError(f'Layer {self.name} is not connected, no input to return.')
        return self._node_attribute(0, 'inputTensors', 'input')

    @property
    def output(self):
        if not self.inboundNodes:
            raise AttributeError(f'Layer {self.name} has no inbound nodes.')
        if len(self.inboundNodes) > 1:
            raise AttributeError(f'Layer {self.name} has multiple inbound nodes, hence the notion of '
                                 '"layer output" is ill-defined. Use `getOutputAt(nodeIndex)` instead.')
        return self._node_attribute(0, 'outputTensors', 'output')

    @property
    def outputShape(self):
        if not self.inboundNodes:
            raise AttributeError(f'The layer {self.name} has never been called and thus has no '
                                 'defined output shape.')
        shapes = {str(n.outputShapes) for n in self.inboundNodes}
        if len(shapes) == 1:
            out = self.inboundNodes[0].outputShapes
            return out[0] if len(out) == 1 and isinstance(out[0], (list, tuple)) else out
        raise AttributeError(f'The layer {self.name} has multiple inbound nodes with different '
                             'output shapes. Hence the notion of "output shape" is ill-defined.')

    # ------------------------------------------------------------------ state, hooks, config
    def resetStates(self) -> None:
        if not self.stateful:
            raise RuntimeError('Cannot call the resetStates() method of a non-stateful Layer object.')

    def setCallHook(self, callHook) -> None:
        self._callHook = callHook

    def clearCallHook(self) -> None:
        self._callHook = None

    def setFastWeightInitDuringBuild(self, value: bool) -> None:
        self.fastWeightInitDuringBuild = value

    def getConfig(self) -> dict:
        """`{name, trainable}` plus `batchInputShape` and `dtype` when set (camelCase)."""
        config = {'name': self.name, 'trainable': self.trainable}
        if self.batchInputShape is not None:
            config['batchInputShape'] = list(self.batchInputShape)
        if self.dtype is not None:
            config['dtype'] = self.dtype
        return config

    @classmethod
    def fromConfig(cls, config: dict, customObjects: dict | None = None):
        """Build a layer from a camelCase config; keys a built-in layer does not know are dropped
        (as TF.js ignores them), so configs written by newer Keras versions still load."""
        config = dict(config)
        if cls._is_strict():
            allowed = cls.config_keys()
            config = {k: v for k, v in config.items() if k in allowed}
        return cls(config)

    # ------------------------------------------------------------------ disposal
    def _assert_not_disposed(self) -> None:
        if self._refCount == 0:
            raise ValueError(f"Layer '{self.name}' is already disposed.")

    def disposeWeights(self) -> int:
        count = 0
        for w in self.weights:
            if not w.isDisposed:
                w.dispose()
                count += 1
        return count

    def dispose(self) -> dict:
        """Release the weights when the last model using the layer is disposed (ref-counted)."""
        if not self.built:
            raise ValueError(f'Cannot dispose Layer {self.name} because it has not been built yet.')
        if self._refCount is None:
            raise ValueError(f'Cannot dispose Layer {self.name} because it has not been used yet.')
        self._assert_not_disposed()
        disposed = 0
        self._refCount -= 1
        if self._refCount == 0:
            disposed = self.disposeWeights()
        return {'refCountAfterDispose': self._refCount, 'numDisposedVariables': disposed}

    def __repr__(self):
        return f'<{self.getClassName()} name={self.name!r}>'


def get_source_inputs(tensor: SymbolicTensor, layer=None, nodeIndex=None) -> list:
    """The input SymbolicTensors that `tensor` ultimately depends on."""
    if layer is None or nodeIndex is None:
        layer = tensor.sourceLayer
        nodeIndex = tensor.nodeIndex
    if not layer.inboundNodes:
        return [tensor]
    node = layer.inboundNodes[nodeIndex]
    if not node.inboundLayers:
        return node.inputTensors
    out = []
    for i, x in enumerate(node.inputTensors):
        for s in get_source_inputs(x, node.inboundLayers[i], node.nodeIndices[i]):
            if s not in out:
                out.append(s)
    return out


def iter_unique(items: Iterable[Any]) -> list:
    seen, out = set(), []
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            out.append(item)
    return out
