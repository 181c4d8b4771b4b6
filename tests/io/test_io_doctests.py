"""The runnable examples in tfjs.io's docstrings."""
import doctest
import importlib

import pytest

MODULES = ['tfjs.io', 'tfjs.io._json', 'tfjs.io.weights', 'tfjs.io.matching', 'tfjs.io.composite',
           'tfjs.io.artifacts', 'tfjs.io.file_system', 'tfjs.io.router', 'tfjs.io.passthrough',
           'tfjs.io.loader', 'tfjs.io.http', 'tfjs.io.browser_store']


@pytest.mark.parametrize('name', MODULES)
def test_docstring_examples(name):
    import tfjs.io  # noqa: F401 - `tfjs.io.http` / `file_system` are functions; use sys.modules
    import sys
    module = sys.modules.get(name) or importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
