"""Exceptions raised by tfjs. Each subclasses the matching Python built-in, so
`except ValueError` keeps working, and each message names the problem and the fix."""
import builtins


class TfjsError(Exception):
    """Base class of every error raised by tfjs."""


class ValueError(TfjsError, builtins.ValueError):  # noqa: A001 - mirrors TF.js's ValueError
    """A bad argument value: wrong shape, unknown name, invalid config."""


class NotImplementedError(TfjsError, builtins.NotImplementedError):  # noqa: A001
    """A TF.js feature that this package does not implement (yet); the message says which."""


class RuntimeError(TfjsError, builtins.RuntimeError):  # noqa: A001
    """An operation that is invalid in the current state (e.g. fit while fit is running)."""


class AttributeError(TfjsError, builtins.AttributeError):  # noqa: A001
    """An attribute that is not available in the current state (e.g. `layer.output` before use)."""


class DisposedError(TfjsError, builtins.RuntimeError):
    """A tensor, variable, layer or model was used after `dispose()`."""


class AssertionError(TfjsError, builtins.AssertionError):  # noqa: A001
    """A `tf.util.assert` check failed."""


class IOError(TfjsError, builtins.OSError):  # noqa: A001
    """A model or weights file is missing, truncated or malformed."""
