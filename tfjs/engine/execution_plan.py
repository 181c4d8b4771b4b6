"""A Container's graph compiled once into a flat list of steps over numbered slots.

`Container.run_graph` used to look every value up by SymbolicTensor id, copy each node's call
arguments and wrap every intermediate result in a registered `Tensor`. The plan does that
analysis once per model: each node becomes a step reading and writing slot numbers. Built-in
layers whose math is a plain `forward(x: torch.Tensor, training)` (`TorchLayer`s that keep the
default `call` and `computeMask`) run on raw torch tensors, so their intermediates never become
`Tensor`s; every other layer (and any layer given a mask, a call hook or an activity
regularizer) runs exactly as `run_graph` always ran it, through `layer.call` and
`layer.computeMask`.

Weights are read by the layers at each call, so weight writes (`setWeights`, training) need no
invalidation; the plan is rebuilt when the model's node list, inputs or outputs are different
objects (a new inner model after `Sequential.add`, `execute`'s sub-graph).

>>> import tfjs as tf
>>> model = tf.sequential({'layers': [tf.layers.dense({'units': 1, 'inputShape': [2],
...                                                     'kernelInitializer': 'ones'})]})
>>> model.predict(tf.ones([1, 2])).arraySync()
[[2.0]]
"""
from __future__ import annotations

from ..tensor import Tensor
from .topology import to_list

_make = Tensor._make


class _Step:
    """One node: its layer, input and output slots, call arguments, and whether it may run on
    raw torch tensors."""

    __slots__ = ('layer', 'ins', 'outs', 'call_args', 'arg_training', 'raw')

    def __init__(self, node, slot_of: dict, next_slot: int, raw_ok: bool):
        self.layer = node.outboundLayer
        self.ins = tuple(slot_of[x.id] for x in node.inputTensors)
        outs = []
        for x in node.outputTensors:
            slot_of[x.id] = next_slot + len(outs)
            outs.append(next_slot + len(outs))
        self.outs = tuple(outs)
        self.call_args = dict(node.callArgs)
        self.arg_training = bool(self.call_args.get('training'))
        self.raw = raw_ok and len(self.ins) == 1 and len(self.outs) == 1


def _runs_raw(layer) -> bool:
    """A layer whose `call` is TorchLayer's (`forward` on the raw tensor) and whose mask is the
    default (none when given none), not overridden on the instance."""
    from ..layers.core import TorchLayer
    from .topology import Layer
    cls = type(layer)
    own = vars(layer)
    return (isinstance(layer, TorchLayer) and cls.call is TorchLayer.call
            and cls.computeMask is Layer.computeMask and 'call' not in own
            and 'computeMask' not in own)


def _replaced(layer) -> bool:
    """Whether `call` / `computeMask` was set on the instance after the plan was built (then
    the layer runs through them, as `run_graph` always ran it)."""
    own = layer.__dict__
    return 'call' in own or 'computeMask' in own


class ExecutionPlan:
    """The steps of one (inputs, outputs, node list) triple; `run` evaluates them."""

    __slots__ = ('source', 'inputs', 'outputs', 'steps', 'n_slots', 'out_slots', 'chain',
                 'largest_matrix')

    def __init__(self, inputs: list, outputs: list, nodes: list, raw_steps: bool = True):
        """`raw_steps=False` runs every node through `layer.call` (the reference the tests
        compare the raw steps with)."""
        self.source, self.inputs, self.outputs = nodes, inputs, outputs
        slot_of = {x.id: i for i, x in enumerate(inputs)}
        steps = []
        n = len(inputs)
        for node in nodes:
            step = _Step(node, slot_of, n, raw_steps and _runs_raw(node.outboundLayer))
            n += len(step.outs)
            steps.append(step)
        self.steps = steps
        self.n_slots = n
        self.out_slots = [slot_of[x.id] for x in outputs]
        self.chain = self._as_chain()
        self.largest_matrix = None      # set by predict (training._small_gemms)

    def _as_chain(self):
        """[(layer, training from callArgs)] when the graph is one input through raw steps, each
        feeding the next, to one output (a Sequential stack of plain layers); else None."""
        if len(self.inputs) != 1 or len(self.out_slots) != 1 or not self.steps:
            return None
        slot = 0
        for step in self.steps:
            if not step.raw or step.ins[0] != slot:
                return None
            slot = step.outs[0]
        if slot != self.out_slots[0]:
            return None
        return [(step.layer, step.arg_training) for step in self.steps]

    def matches(self, inputs: list, outputs: list, nodes: list) -> bool:
        return self.source is nodes and self.inputs is inputs and self.outputs is outputs

    def run(self, tensors: list | None, raws: list, dtypes: list, masks: list | None,
            training) -> tuple:
        """Evaluate the graph. Inputs are given as raw torch values with their dtypes, and as the
        caller's `Tensor`s when it has them (`tensors`, handed unchanged to layers that take
        Tensors). Returns (output raws, output dtypes, output Tensors or None, output masks)."""
        chain = self.chain
        if chain is not None and masks is None and raws[0] is not None:
            for layer, _ in chain:
                if layer._callHook is not None or layer.activityRegularizer is not None \
                        or _replaced(layer):
                    break
            else:
                x, dtype = raws[0], dtypes[0]
                for layer, arg_training in chain:
                    x = layer.forward(x, arg_training if training is None else bool(training))
                    if x.is_floating_point():
                        dtype = 'float32'
                return [x], [dtype], [None], [None]
        size = self.n_slots
        raw = raws + [None] * (size - len(raws))
        dts = dtypes + [None] * (size - len(dtypes))
        tens = (list(tensors) if tensors is not None else [None] * len(raws)) + \
            [None] * (size - len(raws))
        msk = (list(masks) if masks is not None else [None] * len(raws)) + \
            [None] * (size - len(raws))
        self.run_steps(self.steps, raw, dts, tens, msk, training)
        outs = self.out_slots
        return ([raw[o] for o in outs], [dts[o] for o in outs], [tens[o] for o in outs],
                [msk[o] for o in outs])

    @classmethod
    def run_steps(cls, steps: list, raw: list, dts: list, tens: list, msk: list, training) -> None:
        """Run `steps` over the slot lists in place."""
        for step in steps:
            layer = step.layer
            i = step.ins[0] if step.raw else None
            if i is not None and msk[i] is None and raw[i] is not None \
                    and layer._callHook is None and layer.activityRegularizer is None \
                    and not _replaced(layer):
                out = layer.forward(raw[i], step.arg_training if training is None else
                                    bool(training))
                o = step.outs[0]
                raw[o] = out
                dts[o] = 'float32' if out.is_floating_point() else dts[i]
                continue
            cls._run_generic(step, raw, dts, tens, msk, training)

    @staticmethod
    def _run_generic(step, raw, dts, tens, msk, training) -> None:
        """One node through `layer.call` / `layer.computeMask`, as run_graph always ran it."""
        layer = step.layer
        ins = []
        for i in step.ins:
            t = tens[i]
            if t is None:
                t = tens[i] = _make(raw[i], dts[i])
            ins.append((t, msk[i]))
        kwargs = dict(step.call_args)
        if training is not None:
            kwargs['training'] = training
        if len(ins) == 1:
            x, m = ins[0]
            if m is not None and 'mask' not in step.call_args:
                kwargs['mask'] = m
            outs = to_list(layer.call(x, kwargs))
            out_masks = to_list(layer.computeMask(x, m)) if layer.supportsMasking or m is not None \
                else [None] * len(outs)
        else:
            xs = [t for t, _ in ins]
            ms = [m for _, m in ins]
            if any(m is not None for m in ms) and 'mask' not in step.call_args:
                kwargs['mask'] = ms
            outs = to_list(layer.call(xs, kwargs))
            out_masks = to_list(layer.computeMask(xs, ms)) if any(m is not None for m in ms) \
                or layer.supportsMasking else [None] * len(outs)
        if layer._callHook is not None:
            layer._callHook(ins, kwargs)
        if layer.activityRegularizer is not None:
            layer._record_activity_loss(outs)
        for o, y, m in zip(step.outs, outs, out_masks or [None] * len(outs)):
            tens[o] = y
            raw[o] = getattr(y, '_t', None)      # None: the next layer gets the object itself
            dts[o] = getattr(y, 'dtype', None)
            msk[o] = m


def wrap_outputs(raws: list, dtypes: list, tensors: list) -> list:
    """The output Tensors: the layers' own where they made one, else new wrappers."""
    return [t if t is not None else _make(r, d) for r, d, t in zip(raws, dtypes, tensors)]
