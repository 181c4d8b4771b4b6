"""The runnable examples in the converter's and tfjs.io.keras_files's docstrings."""
import doctest
import importlib
import sys

import pytest

MODULES = ['tfjs_converter', 'tfjs_converter.naming', 'tfjs_converter.weights',
           'tfjs_converter.schema', 'tfjs_converter.dialects', 'tfjs_converter.model',
           'tfjs_converter.shapes', 'tfjs_converter.tfjs_layers', 'tfjs.io.keras_files']


@pytest.mark.parametrize('name', MODULES)
def test_docstring_examples(name):
    module = sys.modules.get(name) or importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
