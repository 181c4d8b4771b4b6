"""`tf.util` (continued): shuffling, the clock, string encoding and fetch."""
from __future__ import annotations

import random as _random
import time
import urllib.error
import urllib.request

import numpy as np

from .._async import resolved
from ..errors import ValueError
from .util import swap

NAMESPACE = 'util'
__all__ = ['shuffle', 'shuffleCombo', 'createShuffledIndices', 'now', 'encodeString',
           'decodeString', 'fetch']


def shuffle(array) -> None:
    """Shuffle a list or array in place (Fisher-Yates, as TF.js).

    >>> import tfjs as tf; a = [1, 2, 3]; tf.util.shuffle(a); sorted(a)
    [1, 2, 3]
    """
    counter = len(array)
    while counter > 0:
        index = int(_random.random() * counter)
        counter -= 1
        swap(array, counter, index)


def shuffleCombo(array, array2) -> None:
    """Shuffle two equally long arrays in place with the same permutation.

    >>> import tfjs as tf; a, b = [1, 2, 3], [1, 2, 3]; tf.util.shuffleCombo(a, b); a == b
    True
    """
    if len(array) != len(array2):
        raise ValueError(f'Array sizes must match to be shuffled together First array length was '
                         f'{len(array)}Second array length was {len(array2)}')
    counter = len(array)
    while counter > 0:
        index = int(_random.random() * counter)
        counter -= 1
        swap(array, counter, index)
        swap(array2, counter, index)


def createShuffledIndices(n: int) -> np.ndarray:
    """The numbers 0..n-1 shuffled, as a uint32 array.

    >>> import tfjs as tf; sorted(tf.util.createShuffledIndices(3).tolist())
    [0, 1, 2]
    """
    out = np.arange(n, dtype=np.uint32)
    shuffle(out)
    return out


def now() -> float:
    """Milliseconds from a high-resolution monotonic clock (performance.now()).

    >>> import tfjs as tf; tf.util.now() > 0
    True
    """
    return time.perf_counter() * 1000.0


def encodeString(s: str, encoding: str = 'utf-8') -> np.ndarray:
    """The UTF-8 bytes of `s` as a uint8 array (any other encoding raises, as TF.js's
    TextEncoder-based encoder does).

    >>> import tfjs as tf; tf.util.encodeString('hé').tolist()
    [104, 195, 169]
    """
    encoding = encoding or 'utf-8'
    if encoding not in ('utf-8', 'utf8'):     # TextEncoder encodes UTF-8 only
        raise ValueError(f'Node built-in encoder only supports utf-8, but got {encoding}')
    return np.frombuffer(s.encode('utf-8'), dtype=np.uint8).copy()


def decodeString(data, encoding: str = 'utf-8') -> str:
    """Decode bytes (a uint8 array, bytes or a list of ints) to a string.

    >>> import tfjs as tf; tf.util.decodeString(tf.util.encodeString('hé'))
    'hé'
    """
    raw = data if isinstance(data, (bytes, bytearray)) else bytes(np.asarray(data, np.uint8))
    return raw.decode(encoding or 'utf-8')


class Response:
    """The part of a fetch `Response` that model loading uses: ok, status, url, text(), json(),
    arrayBuffer() (each a Promise in TF.js, a value in synchronous code here)."""

    def __init__(self, url: str, status: int, body: bytes, headers: dict):
        self.url, self.status, self._body, self.headers = url, status, body, headers
        self.ok = 200 <= status < 300

    def text(self):
        return resolved(self._body.decode('utf-8'))

    def json(self):
        import json
        return resolved(json.loads(self._body.decode('utf-8')))

    def arrayBuffer(self):
        return resolved(self._body)

    array_buffer = arrayBuffer


def fetch(path: str, requestInits: dict | None = None):
    """Fetch a URL with urllib (a Promise of a `Response` in TF.js).

    >>> import tfjs as tf; callable(tf.util.fetch)
    True
    """
    init = requestInits or {}
    body = init.get('body')
    if isinstance(body, str):
        body = body.encode('utf-8')
    req = urllib.request.Request(path, data=body, headers=dict(init.get('headers') or {}),
                                 method=init.get('method'))
    try:
        with urllib.request.urlopen(req) as r:
            status = getattr(r, 'status', None) or 200   # file: URLs have no HTTP status
            return resolved(Response(r.geturl(), status, r.read(), dict(r.headers)))
    except urllib.error.HTTPError as e:
        return resolved(Response(path, e.code, e.read() or b'', dict(e.headers or {})))
