"""`model.summary()`: the same table TF.js prints (`utils/layer_utils.ts`)."""
from __future__ import annotations

import json
from typing import Callable


def _js(value) -> str:
    return json.dumps(value, separators=(',', ':'))


def is_sequential_like(model) -> bool:
    nodes = []
    for depth in sorted(model.nodesByDepth):
        depth_nodes = model.nodesByDepth[depth]
        if len(depth_nodes) > 1 or (len(depth_nodes) == 1 and len(depth_nodes[0].inboundLayers) > 1):
            return False
        nodes.extend(depth_nodes)
    ids = {id(n) for n in nodes}
    for layer in model.layers:
        if sum(1 for n in layer.inboundNodes if id(n) in ids) > 1:
            return False
    return True


def _row(fields, positions, print_fn) -> None:
    line = ''
    for i, field in enumerate(fields):
        if i > 0:
            line = line[:-1] + ' '
        line += field
        line = line[:positions[i]]
        line += ' ' * (positions[i] - len(line))
    print_fn(line)


def _shapes(layer):
    try:
        input_shape = ','.join(_js(n.inputShapes) for n in layer.inboundNodes)
    except Exception:  # noqa: BLE001 - TF.js prints 'multiple' on any failure
        input_shape = 'multiple'
    try:
        output_shape = _js(layer.outputShape)
    except Exception:  # noqa: BLE001
        output_shape = 'multiple'
    return input_shape, output_shape


def print_summary(model, lineLength: int | None = None, positions=None,
                  printFn: Callable = print) -> None:
    """Print the layer table, then total / trainable / non-trainable parameter counts."""
    sequential_like = is_sequential_like(model)
    header = ['Layer (type)', 'Input Shape', 'Output shape', 'Param #']
    if sequential_like:
        lineLength = lineLength or 90
        positions = positions or [0.32, 0.61, 0.89, 1]
    else:
        lineLength = lineLength or 115
        positions = positions or [0.24, 0.48, 0.70, 0.80, 1]
    if positions[-1] <= 1:
        positions = [int(lineLength * p) for p in positions]
    relevant = None
    if not sequential_like:
        header.append('Receives inputs')
        relevant = {id(n) for depth in model.nodesByDepth for n in model.nodesByDepth[depth]}
    printFn('_' * lineLength)
    _row(header, positions, printFn)
    printFn('=' * lineLength)
    layers = model.layers
    for i, layer in enumerate(layers):
        input_shape, output_shape = _shapes(layer)
        fields = [f'{layer.name} ({layer.getClassName()})', input_shape, output_shape,
                  str(layer.countParams())]
        if sequential_like:
            _row(fields, positions, printFn)
        else:
            connections = []
            for node in layer.inboundNodes:
                if relevant and id(node) not in relevant:
                    continue
                for j, inbound in enumerate(node.inboundLayers):
                    connections.append(f'{inbound.name}[{node.nodeIndices[j]}][{node.tensorIndices[j]}]')
            _row(fields + [connections[0] if connections else ''], positions, printFn)
            for extra in connections[1:]:
                _row(['', '', '', '', extra], positions, printFn)
        printFn(('=' if i == len(layers) - 1 else '_') * lineLength)
    trainable = _count(getattr(model, 'collectedTrainableWeights', None) or model.trainableWeights)
    non_trainable = _count(model.nonTrainableWeights)
    printFn(f'Total params: {trainable + non_trainable}')
    printFn(f'Trainable params: {trainable}')
    printFn(f'Non-trainable params: {non_trainable}')
    printFn('_' * lineLength)


def _count(weights) -> int:
    total = 0
    for w in weights:
        n = 1
        for d in w.shape:
            n *= d
        total += n
    return total
