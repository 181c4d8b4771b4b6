"""`InputLayer` and `tf.input` (TF.js's `engine/input_layer.ts`)."""
from __future__ import annotations

from .._naming import normalize_args
from ..errors import ValueError
from .common import get_uid
from .topology import Layer, Node, SymbolicTensor


class InputLayer(Layer):
    """The entry point of a model: owns one SymbolicTensor with the model input's shape."""

    className = 'InputLayer'
    CONFIG_KEYS = ('inputShape', 'batchSize', 'batchInputShape', 'dtype', 'sparse', 'name')

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = self.normalize_args(args, kwargs)
        super().__init__({'dtype': args.get('dtype'),
                          'name': args.get('name') or get_uid('input')})
        if args.get('batchSize') is None:
            args['batchSize'] = None
        if args.get('sparse') is None:
            args['sparse'] = False
        self.trainable = False
        self.built = True
        self.sparse = args['sparse']
        if args.get('inputShape') is not None and args.get('batchInputShape') is not None:
            raise ValueError('Only provide the inputShape OR batchInputShape argument to inputLayer, '
                             'not both at the same time.')
        batch_input_shape = args.get('batchInputShape')
        if batch_input_shape is None:
            if args.get('inputShape') is None:
                raise ValueError('An InputLayer should be passed either a `batchInputShape` or an '
                                 '`inputShape`.')
            batch_input_shape = [args['batchSize']] + list(args['inputShape'])
        elif args.get('batchSize') is not None:
            raise ValueError('Cannot specify batchSize if batchInputShape is specified when creating '
                             'an InputLayer.')
        for d in batch_input_shape:
            if d is not None and (not isinstance(d, int) or d < 0):
                raise ValueError(f'Input shape dimensions must be non-negative integers or null, got '
                                 f'{list(batch_input_shape)}.')
        dtype = args.get('dtype') or 'float32'
        self.batchInputShape = list(batch_input_shape)
        self.dtype = dtype
        self.inputSpec = None
        output = SymbolicTensor(dtype, self.batchInputShape, self, [], {}, self.name)
        output.nodeIndex = 0
        output.tensorIndex = 0
        Node(self, [], [], [], [output], [output], [None], [None], [list(self.batchInputShape)],
             [list(self.batchInputShape)])

    def apply(self, inputs, kwargs=None, **more):
        raise ValueError('Cannot pass any input to an InputLayer\'s apply() method. InputLayer name: '
                         f'{self.name}')

    def dispose(self) -> dict:
        return {'refCountAfterDispose': self._refCount, 'numDisposedVariables': 0}

    def getConfig(self) -> dict:
        return {'batchInputShape': list(self.batchInputShape), 'dtype': self.dtype,
                'sparse': self.sparse, 'name': self.name}


def input(config: dict | None = None, /, **kwargs) -> SymbolicTensor:  # noqa: A001 - TF.js name
    """A symbolic model input: `tf.input({'shape': [2, 4]})` (shape excludes the batch dim).

    >>> import tfjs as tf
    >>> tf.input({'shape': [3]}).shape
    [None, 3]
    """
    args = normalize_args(config, kwargs, ('shape', 'batchShape', 'name', 'dtype', 'sparse'),
                          'tf.input')
    if args.get('batchShape') is None and args.get('shape') is None:
        raise ValueError('Please provide to Input either a `shape` or a `batchShape` argument. Note '
                         'that `shape` does not include the batch dimension.')
    if args.get('batchShape') is not None and args.get('shape') is not None:
        raise ValueError('Please provide either a `shape` or `batchShape` argument to Input, but '
                         'not both.')
    batch_shape = args.get('batchShape')
    if batch_shape is None:
        batch_shape = [None] + list(args['shape'])
    layer = InputLayer({'batchInputShape': batch_shape, 'name': args.get('name'),
                        'dtype': args.get('dtype'), 'sparse': args.get('sparse')})
    return layer.inboundNodes[0].outputTensors[0]
