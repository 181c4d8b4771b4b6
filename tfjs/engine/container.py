"""`Container`: a graph of layers built from input and output SymbolicTensors (TF.js's
`engine/container.ts`). `LayersModel` adds training on top of it."""
from __future__ import annotations

from typing import Sequence

from .._naming import did_you_mean
from ..errors import RuntimeError, ValueError
from ..tensor import Tensor, convert_to_tensor
from .common import get_uid
from .execution_plan import ExecutionPlan, wrap_outputs
from .input_layer import InputLayer
from .topology import Layer, Node, SymbolicTensor, singleton_or_list, to_list


def node_key(layer: Layer, node_index: int) -> str:
    return f'{layer.name}_ib-{node_index}'


class Container(Layer):
    """A directed acyclic graph of layers, usable itself as a layer."""

    className = 'Container'

    def __init__(self, args: dict):
        super().__init__({})
        self.name = args.get('name') or get_uid(self.getClassName().lower())
        self.supportsMasking = False
        self.trainable_ = True
        self.inputs = list(to_list(args['inputs']))
        self.outputs = list(to_list(args['outputs']))
        if len({id(x) for x in self.inputs}) != len(self.inputs):
            raise ValueError('The list of inputs passed to the model is redundant. All inputs should '
                             f'only appear once. Found: {[x.name for x in self.inputs]}')
        for x in self.inputs + self.outputs:
            if not isinstance(x, SymbolicTensor):
                raise ValueError('A model\'s inputs and outputs must be SymbolicTensors (from '
                                 f'tf.input() and layer.apply()), got {type(x).__name__}.')
        self.inputLayers, self.inputLayersNodeIndices, self.inputLayersTensorIndices = [], [], []
        self.outputLayers, self.outputLayersNodeIndices, self.outputLayersTensorIndices = [], [], []
        self.layers: list = []
        self.internalContainerRefs: list = []
        for x in self.outputs:
            self.outputLayers.append(x.sourceLayer)
            self.outputLayersNodeIndices.append(x.nodeIndex)
            self.outputLayersTensorIndices.append(x.tensorIndex)
        for x in self.inputs:
            self.inputLayers.append(x.sourceLayer)
            self.inputLayersNodeIndices.append(x.nodeIndex)
            self.inputLayersTensorIndices.append(x.tensorIndex)
        self.inputNames, self.outputNames = [], []
        self.feedInputShapes, self.feedInputNames, self.feedOutputNames = [], [], []
        for i, layer in enumerate(self.inputLayers):
            if not isinstance(layer, InputLayer):
                raise TypeError('Input layers to a LayersModel must be InputLayer objects. Input '
                                f'{i} (0-based) originates from layer type {layer.getClassName()}.')
            self.inputNames.append(layer.name)
            self.feedInputShapes.append(layer.batchInputShape)
            self.feedInputNames.append(layer.name)
        self.outputNames = [layer.name for layer in self.outputLayers]
        self.internalInputShapes = [x.shape for x in self.inputs]
        self.internalOutputShapes = [x.shape for x in self.outputs]
        self._build_graph()
        self.outboundNodes, self.inboundNodes = [], []
        Node(self, [], [], [], self.inputs, self.outputs, [None] * len(self.inputs),
             [None] * len(self.outputs), [x.shape for x in self.inputs],
             [x.shape for x in self.outputs])
        self.built = True
        self._refCount = 1

    # ------------------------------------------------------------------ graph analysis
    def _build_graph(self) -> None:
        self.containerNodes: set = set()
        nodes_depths: dict = {}
        node_by_id: dict = {}
        layers_depths: dict = {}
        layer_by_id: dict = {}
        layer_indices: dict = {}
        nodes_in_decreasing_depth: list = []
        finished: set = set()

        def visit(tensor, in_progress: list, layer=None, node_index=None, tensor_index=None):
            if layer is None or node_index is None or tensor_index is None:
                layer, node_index = tensor.sourceLayer, tensor.nodeIndex
            node = layer.inboundNodes[node_index]
            if node in in_progress:
                raise RuntimeError(f'The tensor {tensor.name} at layer "{layer.name}" is part of a '
                                   'cycle.')
            if id(node) in finished:
                return
            self.containerNodes.add(node_key(layer, node_index))
            layer_indices.setdefault(layer.id, len(layer_indices))
            in_progress.append(node)
            for i, inbound in enumerate(node.inboundLayers):
                visit(node.inputTensors[i], in_progress, inbound, node.nodeIndices[i],
                      node.tensorIndices[i])
            finished.add(id(node))
            in_progress.remove(node)
            nodes_in_decreasing_depth.append(node)

        for x in self.outputs:
            visit(x, [])
        for node in reversed(nodes_in_decreasing_depth):
            node_by_id[node.id] = node
            depth = max(nodes_depths.setdefault(node.id, 0),
                        layers_depths.get(node.outboundLayer.id, 0))
            layers_depths[node.outboundLayer.id] = depth
            layer_by_id[node.outboundLayer.id] = node.outboundLayer
            nodes_depths[node.id] = depth
            for i, inbound in enumerate(node.inboundLayers):
                inbound_node = inbound.inboundNodes[node.nodeIndices[i]]
                nodes_depths[inbound_node.id] = max(depth + 1, nodes_depths.get(inbound_node.id, 0))
                node_by_id[inbound_node.id] = inbound_node
        nodes_by_depth: dict = {}
        for nid in sorted(nodes_depths):          # JS iterates integer keys in ascending order
            nodes_by_depth.setdefault(nodes_depths[nid], []).append(node_by_id[nid])
        layers_by_depth: dict = {}
        for lid in sorted(layers_depths):
            layers_by_depth.setdefault(layers_depths[lid], []).append(layer_by_id[lid])
        self.layers = []
        for depth in sorted(layers_by_depth, reverse=True):
            for layer in sorted(layers_by_depth[depth], key=lambda l: layer_indices[l.id]):
                if isinstance(layer, Container):
                    self.internalContainerRefs.append(layer)
                self.layers.append(layer)
        self.layersByDepth = layers_by_depth
        self.nodesByDepth = nodes_by_depth
        computable = {id(x) for x in self.inputs}
        done_layers = []
        for depth in sorted(nodes_by_depth, reverse=True):
            for node in nodes_by_depth[depth]:
                for x in node.inputTensors:
                    if id(x) not in computable:
                        raise RuntimeError(f'Graph disconnected: cannot obtain value for tensor {x} '
                                           f'at layer "{node.outboundLayer.name}". The following '
                                           f'previous layers were accessed without issue: '
                                           f'{done_layers}')
                computable.update(id(x) for x in node.outputTensors)
                done_layers.append(node.outboundLayer.name)
        names = [l.name for l in self.layers]
        for name in names:
            if names.count(name) != 1:
                raise RuntimeError(f'The name "{name}" is used {names.count(name)} times in the '
                                   f'model. All layer names should be unique. Layer names: {names}')
        # the execution plan: every node of the graph, deepest first
        self._plan = [node for depth in sorted(nodes_by_depth, reverse=True)
                      for node in nodes_by_depth[depth] if not isinstance(node.outboundLayer, InputLayer)]

    # ------------------------------------------------------------------ weights
    @property
    def trainableWeights(self) -> list:
        if not self.trainable_:
            return []
        out = []
        for layer in self.layers:
            out.extend(layer.trainableWeights)
        return out

    @property
    def nonTrainableWeights(self) -> list:
        out = []
        for layer in self.layers:
            out.extend(layer.nonTrainableWeights)
        if not self.trainable_:
            trainable = []
            for layer in self.layers:
                trainable.extend(layer.trainableWeights)
            return trainable + out
        return out

    @property
    def weights(self) -> list:
        return self.trainableWeights + self.nonTrainableWeights

    @property
    def trainable(self) -> bool:
        return self.trainable_

    @trainable.setter
    def trainable(self, value: bool) -> None:
        for layer in self.layers:
            layer.trainable = value
        self.trainable_ = value

    @property
    def losses(self) -> list:
        out = []
        for layer in self.layers:
            out.extend(layer.losses)
        return out

    def calculateLosses(self) -> list:
        out = []
        for layer in self.layers:
            out.extend(layer.calculateLosses())
        return out

    def loadWeights(self, weights, strict: bool = True) -> None:
        """Set weights from `{originalName: tensor}` (TF.js's name matching and fallbacks), or,
        as Keras's `load_weights`, from a file path: `.weights.h5`, `.h5`, `.keras` or a TF.js
        `model.json` (see `tfjs.io.keras_files`)."""
        import os
        if isinstance(weights, (str, os.PathLike)):
            from ..io.keras_files import load_weights_file
            return load_weights_file(self, weights, strict)
        from ..io.weights import match_weights
        for target, value in match_weights(self.weights, weights, strict, self.name):
            target.write(value)

    def saveWeights(self, path) -> None:
        """Keras's `save_weights`: `*.weights.h5` writes a Keras 3 weights file, any other
        `.h5` Keras 2's layout (see `tfjs.io.keras_files`). TF.js has no such method; use
        `model.save` for the model.json format."""
        from ..io.keras_files import save_weights_file
        save_weights_file(self, path)

    def countParams(self) -> int:
        return sum(layer.countParams() for layer in self.layers if layer.built)

    # ------------------------------------------------------------------ layers
    def getLayer(self, name: str | int | None = None, index: int | None = None) -> Layer:
        """A layer by name or by index (TF.js's `getLayer(name)`, `getLayer(index)`)."""
        if isinstance(name, int) and index is None:
            name, index = None, name
        if index is not None:
            if len(self.layers) <= index or index < -len(self.layers):
                raise ValueError(f'Was asked to retrieve layer at index {index}, but model only has '
                                 f'{len(self.layers)} layer(s).')
            return self.layers[index]
        if name is None:
            raise ValueError('Provide either a layer name or layer index.')
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f'No such layer: {name}.{did_you_mean(name, [l.name for l in self.layers])}')

    @property
    def stateful(self) -> bool:
        return any(layer.stateful for layer in self.layers)

    def resetStates(self) -> None:
        for layer in self.layers:
            if layer.stateful:
                layer.resetStates()

    # ------------------------------------------------------------------ execution
    def build(self, inputShape) -> None:
        self.built = True

    def computeOutputShape(self, inputShape):
        shapes = to_list(inputShape) if inputShape and isinstance(inputShape[0], (list, tuple)) \
            else [inputShape]
        if len(shapes) != len(self.inputLayers):
            raise ValueError(f'Invalid inputShape argument {inputShape}: model has '
                             f'{len(self.inputLayers)} tensor inputs.')
        out = [list(x.shape) for x in self.outputs]
        return singleton_or_list(out)

    def call(self, inputs, kwargs: dict):
        """Run the graph eagerly on concrete tensors."""
        outputs, _ = self.run_graph(to_list(inputs), kwargs.get('mask'), kwargs.get('training'))
        return singleton_or_list(outputs)

    def computeMask(self, inputs, mask=None):
        """The output masks, always as a list (one entry per output), as TF.js returns them."""
        _, masks = self.run_graph(to_list(inputs), mask, None)
        return masks

    def run_graph(self, inputs: list, masks=None, training=None):
        """Evaluate every node in depth order; returns (outputs, output masks)."""
        raws, dtypes, tensors, out_masks = self.run_graph_raw(inputs, masks, training)
        return wrap_outputs(raws, dtypes, tensors), out_masks

    def run_graph_raw(self, inputs: list, masks=None, training=None):
        """`run_graph` on the cached execution plan, without wrapping the outputs: returns
        (output torch values, their dtypes, the output Tensors layers made (or None), masks)."""
        if len(inputs) != len(self.inputs):
            raise ValueError(f'Model {self.name} expects {len(self.inputs)} input(s), but got '
                             f'{len(inputs)}.')
        if masks is not None:
            masks = to_list(masks)[:len(inputs)]
            masks += [None] * (len(inputs) - len(masks))
        return self._execution_plan().run(inputs, [getattr(x, '_t', None) for x in inputs],
                                          [getattr(x, 'dtype', None) for x in inputs], masks,
                                          training)

    def _execution_plan(self) -> ExecutionPlan:
        plan = self.__dict__.get('_exec_plan')
        if plan is None or not plan.matches(self.inputs, self.outputs, self._plan):
            plan = self._exec_plan = ExecutionPlan(self.inputs, self.outputs, self._plan)
        return plan

    def execute(self, inputs, outputs):
        """Evaluate internal SymbolicTensors by name (`'dense_Dense1/dense_Dense1'`), or all
        model outputs, on concrete inputs (a Tensor, a list, or `{inputName: Tensor}`)."""
        if isinstance(inputs, dict):
            feed = [inputs[x.name] if x.name in inputs else inputs[x.sourceLayer.name]
                    for x in self.inputs]
        else:
            feed = to_list(inputs)
        names = to_list(outputs)
        tensors = {}
        for node in self._plan:
            for x in node.outputTensors:
                tensors[x.name] = x
        for x in self.inputs:
            tensors[x.name] = x
        missing = [n for n in names if n not in tensors]
        if missing:
            raise ValueError(f'Cannot find SymbolicTensors for output name(s): {missing}.')
        sub = Container.__new__(Container)
        sub.__dict__.update(self.__dict__)
        sub.outputs = [tensors[n] for n in names]
        sub._plan = self._plan
        values, _ = sub.run_graph([convert_to_tensor(v) for v in feed])
        return singleton_or_list(values)

    # ------------------------------------------------------------------ config
    def _node_conversion_map(self) -> dict:
        mapping = {}
        for layer in self.layers:
            kept = 1 if isinstance(layer, Container) else 0   # TF.js/Keras: a nested model's
            for original, _ in enumerate(layer.inboundNodes):  # node 0 is its own
                key = node_key(layer, original)
                if key in self.containerNodes:
                    mapping[key] = kept
                    kept += 1
        return mapping

    def getConfig(self) -> dict:
        """`{name, layers: [{name, className, config, inboundNodes}], inputLayers, outputLayers}`."""
        conversion = self._node_conversion_map()
        layer_configs = []
        for layer in self.layers:
            inbound = []
            for original, node in enumerate(layer.inboundNodes):
                if node_key(layer, original) not in self.containerNodes:
                    continue
                kwargs = _json_kwargs(node.callArgs, layer.name)
                if node.inboundLayers:
                    inbound.append([[l.name, conversion.get(node_key(l, node.nodeIndices[i]), 0),
                                     node.tensorIndices[i], kwargs]
                                    for i, l in enumerate(node.inboundLayers)])
            layer_configs.append({'name': layer.name, 'className': layer.getClassName(),
                                  'config': layer.getConfig(), 'inboundNodes': inbound})
        config = {'name': self.name, 'layers': layer_configs}
        for key, layers, nodes, tensors in (
                ('inputLayers', self.inputLayers, self.inputLayersNodeIndices,
                 self.inputLayersTensorIndices),
                ('outputLayers', self.outputLayers, self.outputLayersNodeIndices,
                 self.outputLayersTensorIndices)):
            entries = []
            for layer, ni, ti in zip(layers, nodes, tensors):
                nk = node_key(layer, ni)
                if nk in self.containerNodes:
                    entries.append([layer.name, conversion.get(nk, 0), ti])
            config[key] = entries
        return config

    @classmethod
    def fromConfig(cls, config: dict, customObjects: dict | None = None,
                   fastWeightInit: bool = False):
        """Rebuild a functional model from `{name, layers, inputLayers, outputLayers}` (camelCase),
        processing each layer call once its inbound layers exist (shared layers included)."""
        from ..serialization.registry import deserialize
        if not isinstance(config, dict) or 'layers' not in config:
            raise ValueError('Improper functional model config: expected "layers", "inputLayers" '
                             'and "outputLayers".')
        created: dict = {}
        pending: dict = {}

        def process_node(layer, node_data) -> bool:
            inputs, kwargs = [], {}
            for item in node_data:
                name, node_index, tensor_index = item[0], item[1], item[2]
                kwargs = item[3] if len(item) > 3 and item[3] is not None else {}
                inbound = created.get(name)
                if inbound is None or len(inbound.inboundNodes) <= node_index:
                    return False
                inputs.append(inbound.inboundNodes[node_index].outputTensors[tensor_index])
            if inputs:
                layer.apply(inputs[0] if len(inputs) == 1 else inputs, kwargs)
            return True

        for layer_data in config['layers']:
            layer = deserialize(layer_data, customObjects, 'layer')
            layer.setFastWeightInitDuringBuild(fastWeightInit)
            if layer_data.get('name') and layer.name != layer_data['name']:
                layer.name = layer_data['name']
            created[layer_data.get('name', layer.name)] = layer
            nodes = layer_data.get('inboundNodes') or []
            for node_data in nodes:
                if not isinstance(node_data, list):
                    raise ValueError(f'Corrupted configuration, expected array for nodeData: '
                                     f'{node_data}')
            pending[layer.name] = list(nodes)
        progress = True
        while any(pending.values()) and progress:
            progress = False
            for layer_data in config['layers']:
                layer = created[layer_data.get('name', '')] if layer_data.get('name') in created \
                    else None
                if layer is None or not pending.get(layer.name):
                    continue
                remaining = []
                for node_data in pending[layer.name]:
                    if remaining or not process_node(layer, node_data):
                        remaining.append(node_data)
                    else:
                        progress = True
                pending[layer.name] = remaining
        if any(pending.values()):
            stuck = [name for name, nodes in pending.items() if nodes]
            raise ValueError(f'Cannot connect the layers {stuck}: their inbound layers are missing '
                             'from the model config.')

        def lookup(entries, what):
            out = []
            for name, node_index, tensor_index in (e[:3] for e in entries):
                if name not in created:
                    raise ValueError(f'Unknown {what} layer "{name}" in the model config.')
                out.append(created[name].inboundNodes[node_index].outputTensors[tensor_index])
            return out

        inputs = lookup(config.get('inputLayers') or [], 'input')
        outputs = lookup(config.get('outputLayers') or [], 'output')
        return cls({'inputs': inputs, 'outputs': outputs, 'name': config.get('name')})

    def dispose(self) -> dict:
        """Dispose the weights of every layer no other model still uses."""
        self._assert_not_disposed()
        result = {'refCountAfterDispose': None, 'numDisposedVariables': 0}
        self._refCount -= 1
        if self._refCount == 0:
            for layer in self.layers:
                if layer._refCount is not None and layer._refCount > 0 and not isinstance(layer, InputLayer):
                    result['numDisposedVariables'] += layer.dispose()['numDisposedVariables']
            for container in self.internalContainerRefs:
                result['numDisposedVariables'] += container.dispose()['numDisposedVariables']
        result['refCountAfterDispose'] = self._refCount
        return result

    def _assert_not_disposed(self) -> None:
        if self._refCount == 0:
            raise ValueError(f"Container '{self.name}' is already disposed.")


def _json_kwargs(call_args: dict, layer_name: str) -> dict:
    import json
    import warnings
    if not call_args:
        return {}
    try:
        json.dumps(call_args)
        return dict(call_args)
    except TypeError:
        warnings.warn(f'Layer {layer_name} was passed non-serializable keyword arguments: '
                      f'{call_args}. They will not be included in the serialized model (and thus '
                      'will be missing at deserialization time).')
        return {}


def is_tensor_list(xs) -> bool:
    return all(isinstance(x, Tensor) for x in to_list(xs))
