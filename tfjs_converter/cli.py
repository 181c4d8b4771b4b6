"""The `tfjs` command line: `tfjs convert` (the `tensorflowjs_converter` flags for layers
models) and `tfjs inspect PATH`. It imports neither TensorFlow nor PyTorch, only NumPy and
h5py, so it starts in a fraction of a second.

    tfjs convert --input_format keras model.h5 web_model/
    tfjs convert --input_format tfjs_layers_model --output_format keras_keras \\
        web_model/model.json model.keras
    tfjs convert --quantize_uint8 '*/kernel' model.keras web_model/
    tfjs inspect model.keras
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

from . import FORMATS, __version__
from .errors import ConverterError

_GRAPH_FLAGS = ('--signature_name', '--saved_model_tags', '--output_node_names',
                '--experiments', '--control_flow_v2', '--strip_debug_ops', '--skip_op_check',
                '--use_structured_outputs_names')


class Progress:
    """Progress on stderr for conversions that take a while: nothing for the first half
    second, then a percentage (rewritten in place on a terminal, a line per quarter
    otherwise)."""

    def __init__(self, enabled: bool = True, stream=None, delay: float = 0.5):
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.start = time.monotonic()
        self.delay = delay
        self.tty = hasattr(self.stream, 'isatty') and self.stream.isatty()
        self.last_label, self.last_quarter, self.last_time, self.dirty = None, -1, 0.0, False

    def _show(self) -> bool:
        return self.enabled and time.monotonic() - self.start >= self.delay

    def stage(self, label: str) -> None:
        if self._show():
            self._end_line()
            print(f'[tfjs] {label}', file=self.stream, flush=True)

    def update(self, done: int, total: int, label: str) -> None:
        if not self._show() or total <= 0:
            return
        pct = min(100, int(100 * done / total))
        now = time.monotonic()
        if self.tty:
            if now - self.last_time < 0.1 and pct < 100:
                return
            self.last_time = now
            print(f'\r[tfjs] {label}: {pct:3d}%', end='', file=self.stream, flush=True)
            self.dirty = True
        else:
            quarter = pct // 25
            if label != self.last_label:
                self.last_quarter = -1
            if quarter > self.last_quarter:
                print(f'[tfjs] {label}: {pct}%', file=self.stream, flush=True)
            self.last_quarter = quarter
        self.last_label = label

    def _end_line(self) -> None:
        if self.dirty:
            print('', file=self.stream, flush=True)
            self.dirty = False

    def finish(self) -> None:
        self._end_line()


def _patterns(value):
    """A quantization flag's value: True (all weights) or a list of fnmatch patterns."""
    if value is True or value is None:
        return value
    parts = [p.strip() for p in value.split(',') if p.strip()]
    return parts or True


def _metadata(value: str | None) -> dict | None:
    """`--metadata key:path.json[,key2:path2.json]` as `userDefinedMetadata`."""
    if not value:
        return None
    out = {}
    for item in value.split(','):
        if ':' not in item:
            raise ConverterError(f'--metadata expects key:path.json pairs, got "{item}".')
        key, path = item.split(':', 1)
        try:
            with open(path, 'r', encoding='utf-8') as f:
                out[key] = json.load(f)
        except (OSError, ValueError) as exc:
            raise ConverterError(f'--metadata: cannot read {path} as JSON ({exc}).') from None
    return out


def _quantization(args) -> dict | None:
    qmap = {}
    for dtype in ('float16', 'uint8', 'uint16'):
        value = _patterns(getattr(args, f'quantize_{dtype}'))
        if value is not None:
            qmap[dtype] = value
    if args.quantization_bytes is not None:
        if qmap:
            raise ConverterError('--quantization_bytes (deprecated) cannot be combined with '
                                 '--quantize_float16/--quantize_uint8/--quantize_uint16.')
        qmap = {{1: 'uint8', 2: 'uint16'}[args.quantization_bytes]: True}
    fallthrough = [k for k, v in qmap.items() if v is True]
    if len(fallthrough) > 1:
        raise ConverterError(f'Only one quantization flag may be given without patterns (got '
                             f'{", ".join("--quantize_" + k for k in fallthrough)}).')
    return qmap or None


def _convert_parser(sub):
    p = sub.add_parser('convert', help='convert between Keras (.h5, .keras) and TF.js layers '
                       'models', description='Convert a layers model, with the flags of '
                       'tensorflowjs_converter.')
    p.add_argument('input_path', nargs='?', help='Keras .h5 / .keras file, or model.json (or '
                   'its folder)')
    p.add_argument('output_path', nargs='?', help='output folder (tfjs_layers_model) or file '
                   '(keras: .h5, keras_keras: .keras)')
    p.add_argument('--input_format', choices=sorted(FORMATS) + ['tf_saved_model',
                   'keras_saved_model', 'tf_hub', 'tf_frozen_model'],
                   help='default: from the input path')
    p.add_argument('--output_format', choices=sorted(FORMATS) + ['tfjs_graph_model',
                   'keras_saved_model'], help='default: tfjs_layers_model for Keras inputs, '
                   'keras for tfjs_layers_model')
    for dtype in ('float16', 'uint8', 'uint16'):
        p.add_argument(f'--quantize_{dtype}', nargs='?', const=True, default=None,
                       metavar='PATTERNS', help=f'quantize weights to {dtype}: all, or those '
                       'matching comma-separated fnmatch patterns (e.g. "*/kernel")')
    p.add_argument('--quantization_bytes', type=int, choices=[1, 2],
                   help='deprecated: 1 = --quantize_uint8, 2 = --quantize_uint16')
    p.add_argument('--weight_shard_size_bytes', type=int, default=None,
                   help='maximum bytes per weight file (default 4194304)')
    p.add_argument('--split_weights_by_layer', action='store_true',
                   help='one weight group (shard series) per layer')
    p.add_argument('--metadata', help='key:path.json[,key2:path2.json] stored as '
                   'userDefinedMetadata')
    p.add_argument('-q', '--quiet', action='store_true', help='no progress output')
    for flag in _GRAPH_FLAGS:
        p.add_argument(flag, nargs='?', const=True, help=argparse.SUPPRESS)
    p.add_argument('-v', '--version', action='store_true', help='print versions and exit')
    return p


def _fix_positionals(args, argv) -> None:
    """`--quantize_uint8 model.h5 out/`: argparse gives `model.h5` to the flag (its patterns are
    optional), as tensorflowjs_converter's does; here a flag value is taken back as a path when
    the paths are missing."""
    flags = [f'quantize_{d}' for d in ('float16', 'uint8', 'uint16')]
    paths = [p for p in (args.input_path, args.output_path) if p is not None]
    if len(paths) == 2:
        return

    def where(token):
        return argv.index(token) if token in argv else -1
    valued = sorted((where(getattr(args, f)), f) for f in flags
                    if isinstance(getattr(args, f), str))
    released = []
    while len(paths) + len(released) < 2 and valued:
        _, flag = valued.pop()                    # the value nearest the end of the line
        released.append(getattr(args, flag))
        setattr(args, flag, True)
    ordered = sorted(paths + released, key=where)
    args.input_path, args.output_path = (ordered + [None, None])[:2]


def _run_convert(args, argv=()) -> int:
    from .api import convert, default_output_format, detect_format
    if args.version:
        return _print_version()
    _fix_positionals(args, list(argv))
    if not args.input_path or not args.output_path:
        raise ConverterError('tfjs convert needs an input path and an output path.')
    for flag in _GRAPH_FLAGS:
        if getattr(args, flag[2:]) is not None:
            print(f'[tfjs] warning: {flag} applies to graph models only; ignored.',
                  file=sys.stderr)
    in_fmt = args.input_format or detect_format(args.input_path)
    out_fmt = args.output_format or default_output_format(in_fmt)
    progress = Progress(not args.quiet)
    start = time.monotonic()
    options = {'quantization': _quantization(args),
               'weight_shard_size_bytes': args.weight_shard_size_bytes,
               'split_weights_by_layer': args.split_weights_by_layer,
               'metadata': _metadata(args.metadata)}
    if out_fmt != 'tfjs_layers_model':
        options = {k: v for k, v in options.items() if v}
    model = convert(args.input_path, args.output_path, in_fmt, out_fmt, progress, **options)
    progress.finish()
    if not args.quiet:
        for note in model.notes:
            print(f'[tfjs] note: {note}', file=sys.stderr)
        print(f'Converted {in_fmt} {args.input_path} -> {out_fmt} {args.output_path}: '
              f'{model.total_params():,} parameters in {len(model.weights)} weights, '
              f'{time.monotonic() - start:.2f} s.')
    return 0


def _print_version() -> int:
    import h5py
    import numpy
    print(f'tfjs converter {__version__} (numpy {numpy.__version__}, h5py {h5py.__version__}); '
          'writes TF.js 4.22 layers models, Keras 2 .h5 and Keras 3 .keras')
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog='tfjs', description='TF.js layers models and Keras '
                                     'files, without TensorFlow.')
    parser.add_argument('--version', action='store_true', help='print versions and exit')
    sub = parser.add_subparsers(dest='command')
    _convert_parser(sub)
    ins = sub.add_parser('inspect', help='summarize a model file (.keras, .h5, model.json)')
    ins.add_argument('path')
    ins.add_argument('--input_format', choices=sorted(FORMATS))
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    if args.version:
        return _print_version()
    try:
        if args.command == 'convert':
            return _run_convert(args, argv)
        if args.command == 'inspect':
            from .api import summary
            print(summary(args.path, args.input_format))
            return 0
    except (ConverterError, OSError, ValueError) as exc:
        print(f'tfjs {args.command}: error: {exc}', file=sys.stderr)
        return 1
    parser.print_help()
    return 2


if __name__ == '__main__':
    sys.exit(main())
