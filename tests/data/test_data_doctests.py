"""The runnable examples in tf.data's and fitDataset's docstrings."""
import doctest
import importlib

import pytest

MODULES = ['tfjs.data', 'tfjs.data.dataset', 'tfjs.data.batching', 'tfjs.data.iterators',
           'tfjs.data.sources', 'tfjs.data.csv_dataset', 'tfjs.data._alea',
           'tfjs.engine.training_dataset']


@pytest.mark.parametrize('name', MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
