"""Exceptions of the converter. Each subclasses the matching Python built-in, so `except
ValueError` / `except OSError` keep working; each message names the problem and the fix.

The `tfjs` runtime re-raises them as `tfjs.errors.IOError` / `tfjs.errors.ValueError` with the
same message.
"""
from __future__ import annotations


class ConverterError(Exception):
    """Base class of every error raised by `tfjs_converter`."""


class FileFormatError(ConverterError, OSError):
    """A model file is missing, truncated, malformed or unsafe (a path leaving the model's
    folder, an archive member with an odd name, declared shapes that the bytes do not hold)."""


class ConfigError(ConverterError, ValueError):
    """A model config that cannot be translated (a malformed topology, an unknown dialect)."""


class UnsupportedError(ConverterError, ValueError):
    """Something the file asks for that cannot be done safely or exactly (a Lambda layer, an
    activation with no equivalent in the target format)."""
