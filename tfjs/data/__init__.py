"""`tf.data`: lazy datasets for training with `model.fitDataset` (TF.js's tfjs-data).

Sources: `array`, `zip`, `generator`, `func`, `csv` (`webcam` and `microphone` are browser-only
and raise). Methods (each returns a new Dataset): `batch`, `concatenate`, `filter`, `map`,
`mapAsync`, `prefetch`, `repeat`, `shuffle`, `skip`, `take`; consumers: `iterator`, `toArray`,
`forEachAsync` (TF.js Promises: values in synchronous code, awaitable in async code), plus
Python's `for` and `async for`.

>>> import tfjs as tf
>>> xs = tf.data.array([[1.0], [2.0], [3.0], [4.0]])
>>> ys = tf.data.array([[1.0], [3.0], [5.0], [7.0]])
>>> ds = tf.data.zip({'xs': xs, 'ys': ys}).shuffle(4, 'seed').batch(2)
>>> [b['xs'].shape for b in ds]
[[2, 1], [2, 1]]
"""
from .._naming import add_snake_case_aliases
from .csv_dataset import CSVDataset, DataSource, FileDataSource, TextLineDataset, URLDataSource, csv
from .dataset import Dataset, array, datasetFromIteratorFn, zip  # noqa: A004 - TF.js name
from .iterators import LazyIterator
from .sources import func, generator, microphone, webcam

version_data = '4.22.0'

__all__ = ['Dataset', 'CSVDataset', 'TextLineDataset', 'DataSource', 'FileDataSource',
           'URLDataSource', 'LazyIterator', 'array', 'zip', 'generator', 'func', 'csv', 'webcam',
           'microphone', 'datasetFromIteratorFn', 'version_data']

add_snake_case_aliases(globals())
