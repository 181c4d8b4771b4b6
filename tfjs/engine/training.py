"""`LayersModel`: a functional model that trains (compile / fit / evaluate / predict), saves and
summarizes itself (TF.js's `engine/training.ts`).

The training loop keeps every per-batch value on the device: batch logs hold device scalars,
epoch averages are computed on the device, and values reach the host once per epoch (or per
batch only when a callback reads batch logs).
"""
from __future__ import annotations

import time
from typing import Any, Sequence

import torch

from .. import _native
from .._async import YIELD, promising, resolved
from .._naming import normalize_args
from ..callbacks import (BaseCallback, BaseLogger, CustomCallback, CallbackList, History, VerboseEpochLogger,
                         registered_callbacks, standardize_callbacks)
from ..errors import NotImplementedError, RuntimeError, ValueError
from ..metrics_stateful import Metric
from ..tensor import Tensor, convert_to_tensor
from ..serialization.registry import register_builtin
from .container import Container
from .execution_plan import wrap_outputs
from .jit import CompiledForward, resolve_jit_compile
from .topology import singleton_or_list, to_list
from .training_utils import (check_array_lengths, class_weights_to_sample_weights, make_batches,
                             slice_rows, standardize_input_data)

FIT_KEYS = ('batchSize', 'epochs', 'verbose', 'callbacks', 'validationSplit', 'validationData',
            'shuffle', 'classWeight', 'sampleWeight', 'initialEpoch', 'stepsPerEpoch',
            'validationSteps', 'yieldEvery')
PREDICT_KEYS = frozenset(('batchSize', 'verbose', 'steps'))
COMPILE_KEYS = ('optimizer', 'loss', 'metrics', 'lossWeights', 'jitCompile')
YIELD_AUTO_MS = 125


def _small_gemms(plan, model, x: torch.Tensor, rows: int):
    """MKL's per-thread thread-count setter when this predict's matrix products are all small
    (rows x the largest 2-D weight x 2 under `tfjs._native.SMALL_GEMM_FLOPS`) on the CPU, else
    None: such products run faster on one thread than waking a second one (MLP 784-256-256-10
    at batch 1: 0.056 -> 0.052 ms with OpenMP's default wait policy, 0.87 -> 0.05 ms with
    OMP_WAIT_POLICY=PASSIVE). Convolutions (oneDNN) are not affected."""
    if not isinstance(x, torch.Tensor) or x.device.type != 'cpu':   # (strings: NumPy arrays)
        return None
    largest = plan.largest_matrix
    if largest is None:
        largest = plan.largest_matrix = max(
            [w.shape[0] * w.shape[1] for w in model.weights if len(w.shape) == 2] or [0])
    for size in x.shape[1:-1]:          # a Dense on [B, T, F] multiplies B * T rows
        rows *= size
    if 2.0 * rows * largest >= _native.SMALL_GEMM_FLOPS:
        return None
    return _native.set_local_blas_threads()


class LayersModel(Container):
    """A model built from inputs and outputs (`tf.model`), with training and saving."""

    className = 'Model'

    def __init__(self, args: dict | None = None, /, **kwargs):
        args = normalize_args(args, kwargs, ('inputs', 'outputs', 'name'), 'tf.model')
        if 'inputs' not in args or 'outputs' not in args:
            raise ValueError('tf.model() needs both "inputs" and "outputs": '
                             'tf.model({"inputs": input, "outputs": output}).')
        super().__init__(args)
        self._init_training_state()

    def _init_training_state(self) -> None:
        self.isTraining = False
        self.optimizer_ = None
        self.isOptimizerOwned = False
        self.loss = None
        self.lossFunctions: list = []
        self.metrics = None
        self.metricsNames: list = []
        self.metricsTensors: list = []
        self.stopTraining_ = False
        self.history = None
        self.userDefinedMetadata = None
        self.collectedTrainableWeights = None
        self._jit_compile = False
        self._compiled_forward = None

    # ------------------------------------------------------------------ properties
    @property
    def optimizer(self):
        return self.optimizer_

    @optimizer.setter
    def optimizer(self, value) -> None:
        if self.optimizer_ is not value:
            self.optimizer_ = value
            self.isOptimizerOwned = False

    @property
    def stopTraining(self) -> bool:
        return self.stopTraining_

    @stopTraining.setter
    def stopTraining(self, value: bool) -> None:
        self.stopTraining_ = bool(value)

    def summary(self, lineLength: int | None = None, positions=None, printFn=print) -> None:
        """Print the layer table TF.js prints."""
        from .summary import print_summary
        if not self.built:
            raise ValueError('This model has never been called, thus its weights have not been '
                             'created yet. So no summary can be displayed. Build the model first '
                             '(e.g., by calling it on some test data).')
        print_summary(self, lineLength, positions, printFn)

    # ------------------------------------------------------------------ compile
    def compile(self, args: dict | None = None, /, **kwargs) -> None:
        """Configure training: `{'optimizer': 'sgd', 'loss': 'meanSquaredError', 'metrics': [...]}`."""
        from ..losses import get_loss
        from ..train import get_optimizer
        args = normalize_args(args, kwargs, COMPILE_KEYS, 'model.compile')
        jit = resolve_jit_compile(args.get('jitCompile'))
        if args.get('loss') is None:
            raise ValueError('model.compile() needs a "loss", e.g. {"loss": "meanSquaredError"}.')
        optimizer = args.get('optimizer')
        if optimizer is None:
            raise ValueError('model.compile() needs an "optimizer", e.g. {"optimizer": "sgd"} or '
                             'tf.train.adam(0.001).')
        if isinstance(optimizer, str):
            self.optimizer_ = get_optimizer(optimizer)
            self.isOptimizerOwned = True
        else:
            if not hasattr(optimizer, 'minimize'):
                raise ValueError('User-defined optimizer must be an instance of tf.Optimizer (e.g. '
                                 'tf.train.sgd(0.1)) or an optimizer name such as "adam".')
            self.optimizer_ = optimizer
            self.isOptimizerOwned = False
        loss = args['loss']
        self.loss = loss
        n_out = len(self.outputs)
        if isinstance(loss, dict):
            for name in loss:
                if name not in self.outputNames:
                    raise ValueError(f'Unknown entry in loss dictionary: "{name}". Only expected the '
                                     f'following keys: {self.outputNames}')
            resolved_losses = []
            for name in self.outputNames:
                if name not in loss:
                    print(f'Output "{name}" is missing from loss dictionary. We assume this was '
                          f'done on purpose, and we will not be expecting data to be passed to '
                          f'{name} during training')
                resolved_losses.append(get_loss(loss[name]) if name in loss else (None, None))
        elif isinstance(loss, (list, tuple)):
            if len(loss) != n_out:
                raise ValueError(f'When passing an Array as loss, it should have one entry per model '
                                 f'output. The model has {n_out} output(s), but you passed '
                                 f'loss={loss}.')
            resolved_losses = [get_loss(l) for l in loss]
        else:
            resolved_losses = [get_loss(loss)] * n_out
        self.lossFunctions = [fn for fn, _ in resolved_losses]
        self.lossNames = [name for _, name in resolved_losses]
        self.lossWeights = args.get('lossWeights')
        self._loss_weights = _loss_weights(self.lossWeights, self.outputNames)
        self.feedOutputNames = list(self.outputNames)
        self.feedOutputShapes = [list(x.shape) for x in self.outputs]
        self.feedLossFns = list(self.lossFunctions)
        self.metricsNames = ['loss']
        self.metricsTensors = []
        if n_out > 1:
            for i in range(n_out):
                self.metricsNames.append(self.outputNames[i] + '_loss')
                self.metricsTensors.append((None, i))
        self.metrics = args.get('metrics')
        self._compile_metrics(args.get('metrics'))
        self.collectedTrainableWeights = self.trainableWeights
        self._train_step = None
        self._jit_compile = jit
        self._compiled_forward = None

    def _compile_metrics(self, metrics) -> None:
        nested = _nest_metrics(metrics, self.outputNames)
        n_out = len(self.outputs)
        for i, output_metrics in enumerate(nested):
            for metric in output_metrics:
                from ..metrics import resolve_metric
                fn, name = resolve_metric(metric, self.lossNames[i], list(self.outputs[i].shape))
                if isinstance(fn, Metric):
                    if any(fn is f for f, _ in self.metricsTensors):   # one state per output
                        fn = type(fn).fromConfig(fn.getConfig())
                if n_out > 1:
                    name = self.outputNames[i] + '_' + name
                self.metricsNames.append(name)
                self.metricsTensors.append((fn, i))
        # duplicate names get _1, _2 suffixes
        seen: dict = {}
        for j, name in enumerate(self.metricsNames):
            if name in seen:
                seen[name] += 1
                self.metricsNames[j] = f'{name}_{seen[name]}'
            else:
                seen[name] = 0
        # values[j + 1] of a stateful metric is its running result, not a per-batch value
        self._stateful_indices = {j + 1 for j, (fn, _) in enumerate(self.metricsTensors)
                                  if isinstance(fn, Metric)}
        self._stateful_metric_names = {self.metricsNames[j] for j in self._stateful_indices}

    def _reset_metric_states(self) -> None:
        for fn, _ in self.metricsTensors:
            if isinstance(fn, Metric):
                fn.resetState()

    def _mean_values(self, totals: list, count: int, last: list) -> list:
        """Batch-size-weighted means of per-batch values; stateful metrics keep their final
        result (`last`)."""
        stateful = getattr(self, '_stateful_indices', ())
        return [last[j] if j in stateful else t / float(count) for j, t in enumerate(totals)]

    def _check_compiled(self) -> None:
        if self.optimizer_ is None:
            raise RuntimeError('You must compile a model before training/testing. Use '
                               'LayersModel.compile(modelCompileArgs).')

    # ------------------------------------------------------------------ steps
    def _forward(self, inputs: list, training: bool) -> list:
        outs, _ = self.run_graph(inputs, None, training)
        return outs

    def _train_forward(self, inputs: list) -> list:
        """The forward pass of a training step: compiled chains of layers with `jitCompile`."""
        if not self._jit_compile:
            return self._forward(inputs, True)
        plan = self._execution_plan()
        compiled = self._compiled_forward
        if compiled is None or compiled.plan is not plan:
            compiled = self._compiled_forward = CompiledForward(plan, True)
        raws, dtypes, tensors, _ = compiled.run(inputs, [t._value() for t in inputs],
                                                [t.dtype for t in inputs])
        return wrap_outputs(raws, dtypes, tensors)

    def _losses_and_metrics(self, outputs: list, targets: list, sample_weights: list | None,
                            with_grad: bool):
        """(total loss, [loss, per-output losses..., metrics...]) as torch scalars."""
        loss_values, total = [], None
        for i, fn in enumerate(self.lossFunctions):
            if fn is None:           # an output left out of a loss dict does not train
                loss_values.append(outputs[i]._value().new_zeros(()))
                continue
            loss = fn(targets[i], outputs[i])._value()
            if sample_weights is not None and sample_weights[i] is not None:
                w = sample_weights[i]
                if w.ndim < loss.ndim:          # per-sample weights on a per-timestep loss
                    w = w.reshape(tuple(w.shape) + (1,) * (loss.ndim - w.ndim))
                loss = loss * w
            loss_values.append(loss.mean())
            weight = self._loss_weights[i]
            if weight != 1.0:                 # Keras lossWeights (logged losses stay unweighted)
                loss = loss * weight
            total = loss if total is None else total + loss
        total = total.mean() if total is not None else outputs[0]._value().new_zeros(())
        with torch.no_grad():
            values = [None]
            for i, (fn, out_index) in enumerate(self.metricsTensors):
                if fn is None:
                    values.append(loss_values[out_index].detach())
                elif isinstance(fn, Metric):
                    fn.updateState(targets[out_index]._value(), outputs[out_index]._value())
                    values.append(fn.raw_result())
                else:
                    values.append(fn(targets[out_index], outputs[out_index])._value().float().mean())
        for reg in self.calculateLosses():
            total = total + reg._value()
        values[0] = total.detach() if with_grad else total
        return total, values

    def _train_on_batch(self, inputs: list, targets: list, sample_weights: list | None) -> list:
        """One optimizer step; returns device scalars [loss, metrics...]."""
        holder = {}
        variables = [w.read() for w in self.collectedTrainableWeights]

        def total_loss():
            outputs = self._train_forward(inputs)
            total, values = self._losses_and_metrics(outputs, targets, sample_weights, True)
            holder['values'] = values
            return Tensor._make(total, 'float32')

        if variables:
            self.optimizer_.minimize(total_loss, True, variables)
            self._apply_constraints()
        else:
            with torch.no_grad():
                total_loss()
        return holder['values']

    def _apply_constraints(self) -> None:
        # Keras applies constraints after each optimizer step (TF.js only on write(); not copied)
        for w in self.collectedTrainableWeights:
            if w.constraint is not None:
                with torch.no_grad():
                    w.val._value().copy_(w.constraint.apply(w.val)._value())

    def _test_on_batch(self, inputs: list, targets: list, sample_weights: list | None = None
                       ) -> list:
        with torch.no_grad():
            outputs = self._forward(inputs, False)
            _, values = self._losses_and_metrics(outputs, targets, sample_weights, False)
        return values

    # ------------------------------------------------------------------ fit
    def fit(self, x, y, args: dict | None = None, /, **kwargs):
        """Train for a number of epochs; returns a `History` (awaitable in async code).

        >>> import tfjs as tf
        >>> model = tf.sequential({'layers': [tf.layers.dense({'units': 1, 'inputShape': [1]})]})
        >>> model.compile({'optimizer': 'sgd', 'loss': 'meanSquaredError'})
        >>> h = model.fit(tf.tensor2d([[1], [2]]), tf.tensor2d([[1], [3]]), {'epochs': 2, 'verbose': 0})
        >>> len(h.history['loss'])
        2
        """
        return promising(self._fit_job)(x, y, normalize_args(args, kwargs, FIT_KEYS, 'model.fit'))

    def _prepare_xy(self, x, y):
        xs = standardize_input_data(x, self.feedInputNames, self.feedInputShapes, False, 'input')
        ys = standardize_input_data(y, self.feedOutputNames, _target_shapes(self), False, 'target')
        check_array_lengths(xs, ys)
        return xs, ys

    def _fit_job(self, x, y, args: dict):
        if self.isTraining:
            raise RuntimeError('Cannot start training because another fit() call is ongoing.')
        self.isTraining = True
        try:
            self._check_compiled()
            batch_size = args.get('batchSize', 32) or 32
            _check_positive_int(batch_size, 'batchSize')
            for key in ('stepsPerEpoch', 'validationSteps'):
                if args.get(key) is not None:
                    _check_positive_int(args[key], key)
            if args.get('validationSteps') is not None and args.get('stepsPerEpoch') is None:
                raise ValueError('Can only use `validationSteps` when doing step-wise training, '
                                 'i.e., `stepsPerEpoch` must be set.')
            shuffle = args.get('shuffle')
            if shuffle is not None and not isinstance(shuffle, bool) and shuffle != 'batch':
                raise ValueError(f'shuffle must be true, false or "batch"; got {shuffle!r}.')
            xs, ys = self._prepare_xy(x, y)
            weights = _sample_weights(args.get('sampleWeight'), ys, self.outputNames)
            val = None
            if args.get('validationData') is not None:
                vd = args['validationData']
                if not isinstance(vd, (list, tuple)) or len(vd) not in (2, 3):
                    raise ValueError('When passing validation data, it must contain 2 (valX, valY) '
                                     'or 3 (valX, valY, valSampleWeight) items.')
                val = self._prepare_xy(vd[0], vd[1])
                val_weights = _sample_weights(vd[2] if len(vd) == 3 else None, val[1],
                                              self.outputNames)
                val = (val[0], val[1], val_weights)
            elif args.get('validationSplit') is not None and args['validationSplit'] > 0:
                split = args['validationSplit']
                if not 0 < split < 1:
                    raise ValueError(f'validationSplit must be in (0, 1); got {split}.')
                n = int(xs[0].shape[0])
                at = int(n * (1 - split))
                val = ([_rows(t, at, n) for t in xs], [_rows(t, at, n) for t in ys],
                       None if weights is None else
                       [None if w is None else w[at:n] for w in weights])
                xs = [_rows(t, 0, at) for t in xs]
                ys = [_rows(t, 0, at) for t in ys]
                if weights is not None:
                    weights = [None if w is None else w[:at] for w in weights]
            if args.get('classWeight') is not None:
                class_w = _class_weights(args['classWeight'], ys, self.outputNames)
                weights = class_w if weights is None else \
                    [c if w is None else w if c is None else w * c for w, c in zip(weights, class_w)]
            history = yield from self._fit_loop(xs, ys, weights, val, batch_size, args)
            return history
        finally:
            self.isTraining = False

    def _callbacks_for(self, args: dict, epochs: int, samples: int | None, steps: int | None,
                       batch_size: int | None, do_validation: bool):
        verbose = 1 if args.get('verbose') is None else int(args['verbose'])
        history = History()
        callbacks = [BaseLogger()] + registered_callbacks(verbose)
        if verbose == 2:
            callbacks.append(VerboseEpochLogger())
        callbacks += standardize_callbacks(args.get('callbacks')) + [history]
        cb_list = CallbackList(callbacks)
        metric_names = list(self.metricsNames)
        if do_validation:
            metric_names += ['val_' + n for n in self.metricsNames]
        params = {'epochs': epochs, 'initialEpoch': args.get('initialEpoch') or 0,
                  'samples': samples, 'steps': steps, 'batchSize': batch_size, 'verbose': verbose,
                  'doValidation': do_validation, 'metrics': metric_names}
        cb_list.setParams(params)
        cb_list.setModel(self)
        return cb_list, history

    def _fit_loop(self, xs, ys, sample_weights, val, batch_size, args):
        epochs = args.get('epochs') or 1
        initial_epoch = args.get('initialEpoch') or 0
        n = int(xs[0].shape[0])
        steps = args.get('stepsPerEpoch')
        cb_list, history = self._callbacks_for(args, epochs, None if steps else n, steps,
                                               batch_size, val is not None)
        yielder = _Yielder(args.get('yieldEvery', 'auto'), cb_list)
        shuffle = True if args.get('shuffle') is None else args['shuffle']
        raw_x = [t._value() for t in xs]
        raw_y = [t._value() for t in ys]
        raw_w = sample_weights
        stream = _BatchStream(n, batch_size, shuffle, raw_x[0].device)
        need_logs = cb_list.needs_batch_logs
        self.stopTraining_ = False
        self.history = history
        yield from cb_list.call('onTrainBegin', {})
        for epoch in range(initial_epoch, epochs):
            yield from cb_list.call('onEpochBegin', epoch, {})
            self._reset_metric_states()
            epoch_logs: dict = {}
            batches = stream.epoch(steps)
            for batch_index, (start, end, index) in enumerate(batches):
                batch_logs = {'batch': batch_index, 'size': end - start}
                yield from cb_list.call('onBatchBegin', batch_index, batch_logs)
                ins = [_wrap(slice_rows(t, start, end, index)) for t in raw_x]
                outs = [_wrap(slice_rows(t, start, end, index)) for t in raw_y]
                ws = None if raw_w is None else [None if w is None else slice_rows(w, start, end, index)
                                                 for w in raw_w]
                values = self._train_on_batch(ins, outs, ws)
                for name, value in zip(self.metricsNames, values):
                    batch_logs[name] = value
                yield from cb_list.call('onBatchEnd', batch_index, batch_logs)
                if batch_index == len(batches) - 1 and val is not None:
                    val_values = self._test_loop(val[0], val[1], batch_size, val[2],
                                                 args.get('validationSteps'))
                    for name, value in zip(self.metricsNames, val_values):
                        epoch_logs['val_' + name] = value
                yield from yielder.after_batch(epoch, batch_index, batch_logs if need_logs else None)
                if self.stopTraining_:
                    break
            yield from cb_list.call('onEpochEnd', epoch, epoch_logs)
            yield from yielder.after_epoch(epoch, epoch_logs)
            if self.stopTraining_:
                break
            if stream.exhausted:
                _warn_out_of_data(steps, epochs - initial_epoch)
                break
        yield from cb_list.call('onTrainEnd', {})
        history.syncData()
        return history

    def _test_loop(self, xs: list, ys: list, batch_size: int, sample_weights: list | None = None,
                   steps: int | None = None) -> list:
        """Per-batch results averaged with batch-size weights, as device scalars (over the first
        `steps` batches when given)."""
        n = int(xs[0].shape[0])
        totals, seen, values = None, 0, None
        self._reset_metric_states()
        for start, end in make_batches(n, batch_size)[:steps]:
            ins = [_wrap(t._value()[start:end]) for t in xs]
            outs = [_wrap(t._value()[start:end]) for t in ys]
            ws = None if sample_weights is None else \
                [None if w is None else w[start:end] for w in sample_weights]
            values = self._test_on_batch(ins, outs, ws)
            scaled = [v * float(end - start) for v in values]
            totals = scaled if totals is None else [a + b for a, b in zip(totals, scaled)]
            seen += end - start
        return self._mean_values(totals, seen, values)

    # ------------------------------------------------------------------ evaluate / predict
    def evaluate(self, x, y, args: dict | None = None, /, **kwargs):
        """Loss and metrics on (x, y): a scalar Tensor, or a list when there are metrics."""
        args = normalize_args(args, kwargs, ('batchSize', 'verbose', 'sampleWeight', 'steps'),
                              'model.evaluate')
        self._check_compiled()
        if args.get('steps') is not None:
            raise NotImplementedError('steps mode in evaluate() is not implemented yet.')
        if args.get('sampleWeight') is not None:
            raise NotImplementedError('sampleWeight in evaluate() is not supported yet.')
        xs, ys = self._prepare_xy(x, y)
        values = self._test_loop(xs, ys, args.get('batchSize') or 32)
        return singleton_or_list([Tensor._make(v.reshape(()), 'float32') for v in values])

    def _check_predict_inputs(self, x) -> list:
        xs = x if isinstance(x, (list, tuple)) and x and not _is_nested_numbers(x) else [x]
        if isinstance(x, dict):
            xs = [x[n] for n in self.inputNames]
        xs = [t if isinstance(t, Tensor) else _to_tensor(t) for t in xs]
        xs = [t.expandDims(1) if t.rank == 1 else t for t in xs]
        return standardize_input_data(xs, self.feedInputNames, self.feedInputShapes, False, 'input')

    def predict(self, x, args: dict | None = None, /, **kwargs):
        """Outputs for x, computed in batches of `batchSize` (default 32).

        >>> import tfjs as tf
        >>> model = tf.sequential({'layers': [tf.layers.dense({'units': 1, 'inputShape': [1],
        ...                                                     'kernelInitializer': 'ones'})]})
        >>> model.predict(tf.tensor2d([[5]], [1, 1])).arraySync()
        [[5.0]]
        """
        if kwargs or (args is not None and not _plain_args(args, PREDICT_KEYS)):
            args = normalize_args(args, kwargs, PREDICT_KEYS, 'model.predict')
        elif args is None:
            args = {}
        if args.get('verbose'):
            raise NotImplementedError('verbose mode in predict() is not implemented yet.')
        xs = self._fast_predict_inputs(x)
        if xs is None:
            xs = self._check_predict_inputs(x)
        return singleton_or_list(self._predict_tensors(xs, args.get('batchSize') or 32))

    def _fast_predict_inputs(self, x) -> list | None:
        """[x] when x is one Tensor whose shape the model's single input accepts as it is (the
        common case, checked without `standardize_input_data`); None otherwise (then the general
        checks run and give their errors)."""
        if not isinstance(x, Tensor) or len(self.inputs) != 1:
            return None
        t = x._t
        want = self.feedInputShapes[0]
        if t is None or x.dtype == 'string' or t.ndim != len(want) or t.ndim < 2:
            return None
        shape = t.shape
        for j in range(1, len(want)):
            if want[j] is not None and want[j] != shape[j]:
                return None
        return [x]

    def _predict_tensors(self, xs: list, batch_size: int) -> list:
        """Inference outputs as Tensors, in chunks of `batch_size` rows (no autograd graph)."""
        plan = self._execution_plan()
        if len(xs) != len(self.inputs):
            raise ValueError(f'Model {self.name} expects {len(self.inputs)} input(s), but got '
                             f'{len(xs)}.')
        raws = [t._value() for t in xs]
        dtypes = [t.dtype for t in xs]
        n = int(raws[0].shape[0])
        one_thread = _small_gemms(plan, self, raws[0], min(n, batch_size))
        previous = one_thread(1) if one_thread else None
        enabled = torch.is_grad_enabled()
        _set_grad_enabled(False)
        try:
            if n <= batch_size:
                out_raws, out_dtypes, out_tensors, _ = plan.run(xs, raws, dtypes, None, False)
                outs = wrap_outputs(out_raws, out_dtypes, out_tensors)
            else:
                chunks = [plan.run(None, [r[s:e] for r in raws], dtypes, None, False)
                          for s, e in make_batches(n, batch_size)]
                outs = [Tensor._make(torch.cat([c[0][i] for c in chunks]), chunks[0][1][i])
                        for i in range(len(chunks[0][0]))]
        finally:
            _set_grad_enabled(enabled)
            if one_thread:
                one_thread(previous)
        return [o.clone() if any(o is t for t in xs) else o for o in outs]

    def predictOnBatch(self, x):
        """Outputs for one batch (the whole of x)."""
        xs = self._fast_predict_inputs(x)
        if xs is None:
            xs = self._check_predict_inputs(x)
        return singleton_or_list(self._predict_tensors(xs, int(xs[0].shape[0]) or 1))

    def trainOnBatch(self, x, y):
        """One gradient step on (x, y); returns the loss (and metrics) as numbers."""
        self._check_compiled()
        xs, ys = self._prepare_xy(x, y)
        values = self._train_on_batch(xs, ys, None)
        numbers = [float(v) for v in values]
        return resolved(numbers[0] if len(numbers) == 1 else numbers)

    # ------------------------------------------------------------------ datasets
    def fitDataset(self, dataset, args: dict | None = None, /, **kwargs):
        """Train on a `tf.data.Dataset` of `{xs, ys}` batches; returns a `History`."""
        from .training_dataset import FIT_DATASET_KEYS, fit_dataset_job
        args = normalize_args(args, kwargs, FIT_DATASET_KEYS, 'model.fitDataset')
        return promising(fit_dataset_job)(self, dataset, args)

    def evaluateDataset(self, dataset, args: dict | None = None, /, **kwargs):
        """Loss and metrics over a `tf.data.Dataset` of `{xs, ys}` batches."""
        from .training_dataset import evaluate_dataset_job
        args = normalize_args(args, kwargs, ('batches', 'verbose'), 'model.evaluateDataset')
        return promising(evaluate_dataset_job)(self, dataset, args)

    # ------------------------------------------------------------------ serialization
    def toJSON(self, unused=None, returnString: bool = True):
        """The topology in Keras JSON form (snake_case), as a string or a dict."""
        from ..serialization import convert_ts_to_pythonic
        from ..io._json import stringify
        model_config = convert_ts_to_pythonic(self._update_config())
        return stringify(model_config) if returnString else model_config

    def _update_config(self) -> dict:
        return {'className': self.getClassName(), 'config': self.getConfig(),
                'kerasVersion': 'tfjs-layers 4.22.0', 'backend': 'TensorFlow.js'}

    def getNamedWeights(self, config: dict | None = None) -> list:
        """`[{'name': originalName, 'tensor': value}]` for saving."""
        trainable_only = bool(config and config.get('trainableOnly'))
        weights = self.trainableWeights if trainable_only else self.weights
        return [{'name': w.originalName, 'tensor': w.read()} for w in weights]

    def setUserDefinedMetadata(self, userDefinedMetadata: dict) -> None:
        from .saving import check_user_defined_metadata
        check_user_defined_metadata(userDefinedMetadata, self.name, True)
        self.userDefinedMetadata = userDefinedMetadata

    def getUserDefinedMetadata(self):
        return self.userDefinedMetadata

    def save(self, handlerOrURL, config: dict | None = None, /, **kwargs):
        """Save topology and weights (`'file://dir'`, a path, or an IOHandler)."""
        from .saving import save_model_job
        config = normalize_args(config, kwargs, ('trainableOnly', 'includeOptimizer'), 'model.save')
        return promising(save_model_job)(self, handlerOrURL, config)

    def getTrainingConfig(self) -> dict:
        from .saving import training_config
        return training_config(self)

    def loadTrainingConfig(self, trainingConfig: dict) -> None:
        from .saving import load_training_config
        load_training_config(self, trainingConfig)

    def dispose(self) -> dict:
        result = super().dispose()
        if result['refCountAfterDispose'] == 0 and self.optimizer_ is not None and self.isOptimizerOwned:
            before = _num_tensors()
            self.optimizer_.dispose()
            result['numDisposedVariables'] += before - _num_tensors()
        return result


_set_grad_enabled = torch._C._set_grad_enabled     # no_grad's own switch, without its object


def _plain_args(args, allowed: frozenset) -> bool:
    """True when `args` is a dict of exact camelCase keys that `normalize_args` would return
    unchanged (so the call can skip it)."""
    return type(args) is dict and args.keys() <= allowed


def _num_tensors() -> int:
    from ..backend import ENGINE
    return ENGINE.num_tensors


def _wrap(t) -> Tensor:
    from ..backend.device import from_torch_dtype
    return Tensor._make(t, from_torch_dtype(t.dtype))


def _rows(t: Tensor, start: int, end: int) -> Tensor:
    return Tensor._make(t._value()[start:end], t.dtype)


def _to_tensor(x) -> Tensor:
    from ..tensor import convert_to_tensor
    return convert_to_tensor(x, 'x', 'predict')


def _is_nested_numbers(x) -> bool:
    first = x[0]
    while isinstance(first, (list, tuple)):
        if not first:
            return True
        first = first[0]
    return isinstance(first, (int, float, bool))


def _target_shapes(model) -> list:
    """Expected target shapes; None (unchecked) for sparse targets, whose rank differs."""
    names = getattr(model, 'lossNames', [])
    return [None if i < len(names) and names[i] == 'sparseCategoricalCrossentropy' else list(out.shape)
            for i, out in enumerate(model.outputs)]


def _class_weights(class_weight, ys: list, output_names: list) -> list:
    if isinstance(class_weight, (list, tuple)):
        per_output = list(class_weight)
    elif isinstance(class_weight, dict) and all(k in output_names for k in class_weight) and class_weight:
        per_output = [class_weight.get(n) for n in output_names]
    else:
        per_output = [class_weight] * len(ys)
    return [None if cw is None else class_weights_to_sample_weights(y, cw)
            for cw, y in zip(per_output, ys)]


def _loss_weights(loss_weights, output_names: list) -> list:
    """One float per output from compile's `lossWeights` (a list or `{outputName: w}`; Keras's
    option, which TF.js lacks); 1.0 when not given."""
    if loss_weights is None:
        return [1.0] * len(output_names)
    if isinstance(loss_weights, dict):
        unknown = [k for k in loss_weights if k not in output_names]
        if unknown:
            raise ValueError(f'lossWeights has keys {unknown} that are not output names '
                             f'{output_names}.')
        weights = [loss_weights.get(name, 1.0) for name in output_names]
    elif isinstance(loss_weights, (list, tuple)):
        if len(loss_weights) != len(output_names):
            raise ValueError(f'lossWeights has {len(loss_weights)} entries but the model has '
                             f'{len(output_names)} outputs.')
        weights = list(loss_weights)
    else:
        raise ValueError(f'lossWeights must be a list or a dict {{outputName: weight}}; got '
                         f'{loss_weights!r}.')
    for w in weights:
        if isinstance(w, bool) or not isinstance(w, (int, float)):
            raise ValueError(f'lossWeights entries must be numbers; got {w!r}.')
    return [float(w) for w in weights]


def _check_positive_int(value, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f'{name} must be a positive integer; got {value!r}.')


def _sample_weights(sample_weight, ys: list, output_names: list) -> list | None:
    """Per-output raw weight tensors `[N]` (or `[N, T]`) from fit's `sampleWeight`: a tensor
    (single output), a list (one per output) or `{outputName: tensor}`."""
    if sample_weight is None:
        return None
    if isinstance(sample_weight, dict):
        unknown = [k for k in sample_weight if k not in output_names]
        if unknown:
            raise ValueError(f'sampleWeight has keys {unknown} that are not output names '
                             f'{output_names}.')
        per_output = [sample_weight.get(name) for name in output_names]
    elif isinstance(sample_weight, (list, tuple)) and len(ys) > 1:
        per_output = list(sample_weight)
    else:
        per_output = [sample_weight] + [None] * (len(ys) - 1)
    if len(per_output) != len(ys):
        raise ValueError(f'sampleWeight has {len(per_output)} entries but the model has '
                         f'{len(ys)} outputs.')
    out = []
    for w, y in zip(per_output, ys):
        if w is None:
            out.append(None)
            continue
        t = convert_to_tensor(w, 'sampleWeight', 'fit')._value().float()
        if t.ndim == 2 and t.shape[1] == 1 and y._value().ndim <= 2:
            t = t.reshape(-1)
        if t.ndim == 0 or t.shape[0] != y._value().shape[0]:
            raise ValueError(f'sampleWeight must have one weight per sample: got shape '
                             f'{list(t.shape)} for {y._value().shape[0]} samples.')
        out.append(t.to(y._value().device))
    return out


class _BatchStream:
    """The (start, end, index) batches of each epoch: one pass over the data per epoch, or
    `stepsPerEpoch` batches taken from a stream that continues across epochs (Keras), with
    `shuffle` true (a new permutation per pass), false or 'batch' (batch order shuffled)."""

    def __init__(self, n: int, batch_size: int, shuffle, device):
        self.n, self.batch_size, self.shuffle, self.device = n, batch_size, shuffle, device
        self.exhausted = False
        self._pending: list = []

    def _one_pass(self) -> list:
        batches = make_batches(self.n, self.batch_size)
        if self.shuffle == 'batch':
            full = [b for b in batches if b[1] - b[0] == self.batch_size]
            order = torch.randperm(len(full)).tolist()
            index = torch.cat([torch.arange(*full[i]) for i in order] +
                              [torch.arange(*b) for b in batches[len(full):]]).to(self.device) \
                if batches else None
            return [(s, e, index) for s, e in batches]
        index = torch.randperm(self.n, device=self.device) if self.shuffle else None
        return [(s, e, index) for s, e in batches]

    def epoch(self, steps: int | None) -> list:
        if steps is None:
            return self._one_pass()
        if not self._pending:
            self._pending = self._one_pass()
        out = self._pending[:steps]
        self._pending = self._pending[steps:]
        if len(out) < steps:
            self.exhausted = True
        return out


def _warn_out_of_data(steps: int, epochs: int) -> None:
    print(f'Your input ran out of data; interrupting training. Make sure that your dataset can '
          f'generate at least `stepsPerEpoch * epochs` batches ({steps} * {epochs} = '
          f'{steps * epochs}).')


def _nest_metrics(metrics, output_names: list) -> list:
    if metrics is None or (isinstance(metrics, (list, tuple)) and not metrics):
        return [[] for _ in output_names]
    if isinstance(metrics, dict):
        return [to_list(metrics.get(name, [])) for name in output_names]
    if isinstance(metrics, (list, tuple)):
        return [list(metrics) for _ in output_names]
    return [[metrics] for _ in output_names]


class _Yielder:
    """Decides when fit yields to the event loop (`yieldEvery`) and calls `onYield` then."""

    def __init__(self, yield_every: Any, cb_list: CallbackList):
        if yield_every is None:
            yield_every = 'auto'
        if isinstance(yield_every, str) and yield_every not in ('auto', 'batch', 'epoch', 'never'):
            raise ValueError(f'yieldEvery must be "auto", "batch", "epoch", "never" or a number of '
                             f'milliseconds; got {yield_every!r}.')
        self.mode = yield_every
        self.cb_list = cb_list
        self.interval = YIELD_AUTO_MS / 1000 if yield_every == 'auto' else \
            (yield_every / 1000 if isinstance(yield_every, (int, float)) else None)
        self.last = time.perf_counter()
        self.has_on_yield = any(('onYield' in cb.hooks) if isinstance(cb, CustomCallback)
                                else type(cb).onYield is not BaseCallback.onYield
                                for cb in cb_list.callbacks)
        if self.mode == 'never' and self.has_on_yield:
            raise ValueError('yieldEvery is "never", but you provided an `onYield` callback. Either '
                             'change `yieldEvery` or remove the callback.')

    def _do_yield(self, epoch, batch, logs):
        self.last = time.perf_counter()
        yield YIELD
        yield from self.cb_list.call('onYield', epoch, batch, logs or {})

    def after_batch(self, epoch, batch, logs):
        if self.mode == 'batch' or (self.interval is not None and
                                     time.perf_counter() - self.last >= self.interval):
            yield from self._do_yield(epoch, batch, logs)

    def after_epoch(self, epoch, logs):
        if self.mode == 'epoch':
            yield from self._do_yield(epoch, None, logs)


class Functional(LayersModel):
    """The class name Keras >= 2.4 writes for functional models; loads as a LayersModel."""

    className = 'Functional'


register_builtin(LayersModel)
register_builtin(Functional)
