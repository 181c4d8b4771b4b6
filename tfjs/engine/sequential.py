"""`Sequential`: a linear stack of layers (TF.js's `models.ts`). The first layer must know its
input shape (`inputShape` / `batchInputShape`, or an InputLayer); each `add` applies the layer
at once so shapes are known immediately."""
from __future__ import annotations

from .._naming import normalize_args
from ..errors import ValueError
from .common import get_uid
from .input_layer import InputLayer, input as make_input
from .topology import Layer, Node, get_source_inputs
from ..serialization.registry import register_builtin
from .training import LayersModel


class Sequential(LayersModel):
    """`tf.sequential({layers: [...], name})`; `add(layer)`, `pop()`."""

    className = 'Sequential'

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = normalize_args(args, kwargs, ('layers', 'name'), 'tf.sequential')
        Layer.__init__(self, {})
        self._init_training_state()
        self.name = args.get('name') or get_uid('sequential_')
        self.supportsMasking = False
        self.trainable_ = True
        self.inputs, self.outputs, self.layers = [], [], []
        self.inputLayers, self.outputLayers = [], []
        self.inputNames, self.outputNames = [], []
        self.nodesByDepth, self.layersByDepth = {}, {}
        self.internalContainerRefs = []
        self.model = None
        self._refCount = 1
        self.built = False
        for layer in args.get('layers') or []:
            self.add(layer)

    def _check_shape(self, layer: Layer) -> None:
        shapes = layer.inboundNodes[-1].outputTensors[0].shape if layer.inboundNodes else []
        if any(d is not None and d < 0 for d in shapes):
            raise ValueError(f'Negative dimension size caused by adding layer {layer.name} with '
                             f'input shape [{layer.inboundNodes[0].inputTensors[0].shape}]')

    def add(self, layer: Layer) -> None:
        """Append a layer and connect it to the current output."""
        is_model = isinstance(layer, LayersModel)
        if not isinstance(layer, Layer):
            raise ValueError(f'Sequential.add() expects a layer (e.g. tf.layers.dense(...)), got '
                             f'{type(layer).__name__}.')
        if not self.outputs:
            if not layer.inboundNodes:
                if layer.batchInputShape is None:
                    raise ValueError('The first layer in a Sequential model must get an `inputShape` '
                                     'or `batchInputShape` argument, e.g. '
                                     'tf.layers.dense({"units": 1, "inputShape": [1]}).')
                x = make_input({'batchShape': layer.batchInputShape, 'dtype': layer.dtype,
                                'name': layer.name + '_input'})
                layer.apply(x)
            if is_model:
                self.outputs = list(layer.outputs)
                self.inputs = list(layer.inputs)
            else:
                if len(layer.inboundNodes) != 1:
                    raise ValueError(f'A layer added to a Sequential model must not already be '
                                     f'connected somewhere else. LayersModel received layer '
                                     f'{layer.name} which has {len(layer.inboundNodes)} pre-existing '
                                     'inbound connections.')
                if len(layer.inboundNodes[0].outputTensors) != 1:
                    raise ValueError('All layers in a Sequential model should have a single output '
                                     'tensor. For multi-output layers, use the functional API.')
                self._check_shape(layer)
                self.outputs = [layer.inboundNodes[0].outputTensors[0]]
                self.inputs = get_source_inputs(self.outputs[0])
            self.inboundNodes = []
            Node(self, [], [], [], self.inputs, self.outputs, [None] * len(self.inputs),
                 [None], [x.shape for x in self.inputs], [self.outputs[0].shape])
        else:
            output = layer.apply(self.outputs[0])
            if isinstance(output, list):
                raise TypeError('All layers in a Sequential model should have a single output '
                                'tensor. For multi-output layers, use the functional API.')
            self._check_shape(layer)
            self.outputs = [output]
            self.inboundNodes[0].outputTensors = self.outputs
            self.inboundNodes[0].outputShapes = [self.outputs[0].shape]
        if not isinstance(layer, InputLayer):
            self.layers.append(layer)
        self.built = False

    def pop(self) -> None:
        """Remove the last layer."""
        if not self.layers:
            raise TypeError('There are no layers in the model.')
        self.layers.pop()
        if not self.layers:
            self.outputs, self.inboundNodes, self.outboundNodes = [], [], []
        else:
            last = len(self.layers) - 1
            self.layers[last].outboundNodes = []
            self.outputs = [self.layers[last].output]
            self.inboundNodes[0].outputTensors = self.outputs
            self.inboundNodes[0].outputShapes = [self.outputs[0].shape]
        self.built = False

    def build(self, inputShape=None) -> None:
        """Create the inner functional model (done lazily before use)."""
        if not self.inputs or not self.outputs:
            raise TypeError('Sequential model cannot be built: model is empty. Add some layers '
                            'first.')
        self.model = LayersModel({'inputs': self.inputs, 'outputs': self.outputs[0],
                                  'name': self.name + '_model'})
        self.model.trainable = self.trainable_
        for attr in ('inputLayers', 'inputLayersNodeIndices', 'inputLayersTensorIndices',
                     'outputLayers', 'outputLayersNodeIndices', 'outputLayersTensorIndices',
                     'nodesByDepth', 'containerNodes', 'outputNames', 'inputNames',
                     'feedInputNames', 'feedInputShapes', 'layersByDepth', '_plan'):
            setattr(self, attr, getattr(self.model, attr))
        self.built = True

    def _ensure_built(self) -> LayersModel:
        if not self.built or self.model is None:
            self.build()
        return self.model

    # delegated behaviour -------------------------------------------------------------------
    def countParams(self) -> int:
        self._ensure_built()
        return super().countParams()

    def summary(self, lineLength=None, positions=None, printFn=print) -> None:
        self._ensure_built()
        super().summary(lineLength, positions, printFn)

    def setWeights(self, weights) -> None:
        self._ensure_built()
        self.model.setWeights(weights)

    def compile(self, args=None, /, **kwargs) -> None:
        model = self._ensure_built()
        model.compile(args, **kwargs)
        for attr in ('optimizer_', 'isOptimizerOwned', 'loss', 'lossFunctions', 'lossNames',
                     'metrics', 'metricsTensors', 'metricsNames', 'feedOutputNames',
                     'feedOutputShapes', 'feedLossFns', 'collectedTrainableWeights'):
            setattr(self, attr, getattr(model, attr))

    def _delegate(self):
        model = self._ensure_built()
        if self.optimizer_ is not None and model.optimizer_ is None:
            model.compile({'optimizer': self.optimizer_, 'loss': self.loss, 'metrics': self.metrics})
        return model

    def fit(self, x, y, args=None, /, **kwargs):
        model = self._ensure_built()
        if self.optimizer_ is None:
            self._check_compiled()
        return model.fit(x, y, args, **kwargs)

    def fitDataset(self, dataset, args=None, /, **kwargs):
        model = self._ensure_built()
        if self.optimizer_ is None:
            self._check_compiled()
        return model.fitDataset(dataset, args, **kwargs)

    def evaluate(self, x, y, args=None, /, **kwargs):
        model = self._ensure_built()
        if self.optimizer_ is None:
            self._check_compiled()
        return model.evaluate(x, y, args, **kwargs)

    def evaluateDataset(self, dataset, args=None, /, **kwargs):
        return self._ensure_built().evaluateDataset(dataset, args, **kwargs)

    def predict(self, x, args=None, /, **kwargs):
        return self._ensure_built().predict(x, args, **kwargs)

    def predictOnBatch(self, x):
        return self._ensure_built().predictOnBatch(x)

    def trainOnBatch(self, x, y):
        return self._ensure_built().trainOnBatch(x, y)

    def call(self, inputs, kwargs):
        return self._ensure_built().call(inputs, kwargs)

    def computeMask(self, inputs, mask=None):
        return self._ensure_built().computeMask(inputs, mask)

    def run_graph(self, inputs, masks=None, training=None):
        return self._ensure_built().run_graph(inputs, masks, training)

    def execute(self, inputs, outputs):
        return self._ensure_built().execute(inputs, outputs)

    @property
    def history(self):
        """The History of the last fit / fitDataset (kept by the inner model)."""
        model = getattr(self, 'model', None)
        return model.history if model is not None else None

    @history.setter
    def history(self, value) -> None:
        model = getattr(self, 'model', None)
        if model is not None:
            model.history = value

    @property
    def stopTraining(self) -> bool:
        return self.model.stopTraining if self.model is not None else False

    @stopTraining.setter
    def stopTraining(self, value: bool) -> None:
        if self.model is None:
            raise ValueError('The model needs to be compiled before being used.')
        self.model.stopTraining = value

    @property
    def optimizer(self):
        return self.optimizer_

    @optimizer.setter
    def optimizer(self, value) -> None:
        self._ensure_built().optimizer = value
        self.optimizer_ = value

    def getConfig(self) -> dict:
        """`{name, layers: [{className, config}, ...]}` (no InputLayer entry, as TF.js writes)."""
        return {'name': self.name,
                'layers': [{'className': l.getClassName(), 'config': l.getConfig()} for l in self.layers]}

    @classmethod
    def fromConfig(cls, config, customObjects=None, fastWeightInit: bool = False):
        from ..serialization.registry import deserialize
        if isinstance(config, list):
            layer_configs, name = config, None
        else:
            layer_configs, name = config.get('layers') or [], config.get('name')
        model = cls({'name': name} if name else {})
        for conf in layer_configs:
            layer = deserialize(conf, customObjects, 'layer')
            if fastWeightInit:
                layer.setFastWeightInitDuringBuild(True)
            model.add(layer)
        return model


register_builtin(Sequential)
