"""`CompositeArrayBuffer` and `concatenateArrayBuffers`: several weight shards seen as one buffer.

>>> CompositeArrayBuffer([b'ab', b'cde']).slice(1, 4)
b'bcd'
>>> concatenateArrayBuffers([b'ab', b'cd'])
b'abcd'
"""
from __future__ import annotations

import bisect
from typing import Sequence, Union

from .._naming import SnakeCaseAliases

Buffer = Union[bytes, bytearray, memoryview]


class CompositeArrayBuffer(SnakeCaseAliases):
    """A list of buffers that slices like one (TF.js's `tf.io.CompositeArrayBuffer`)."""

    def __init__(self, buffers: Buffer | Sequence[Buffer] | None = None):
        if buffers is None:
            buffers = []
        elif not isinstance(buffers, (list, tuple)):
            buffers = [buffers]
        self._shards = [memoryview(b).cast('B') for b in buffers]
        self._starts, start = [], 0
        for shard in self._shards:
            self._starts.append(start)
            start += len(shard)
        self.byteLength = start

    @staticmethod
    def join(buffers: Buffer | Sequence[Buffer] | None = None) -> bytes:
        """All buffers concatenated into one `bytes`."""
        return CompositeArrayBuffer(buffers).slice()

    def slice(self, start: int = 0, end: int | None = None) -> bytes:
        """Bytes `[start, end)` across shard boundaries; bounds are clamped to `[0, byteLength]`
        (as TF.js does: unlike `ArrayBuffer.slice`, negative bounds do not count from the end)."""
        end = self.byteLength if end is None else end
        start, end = max(0, start), min(self.byteLength, end)
        if end <= start:
            return b''
        i = bisect.bisect_right(self._starts, start) - 1
        out = []
        while start < end:
            shard, s0 = self._shards[i], self._starts[i]
            take = min(end, s0 + len(shard))
            out.append(shard[start - s0:take - s0])
            start = take
            i += 1
        return b''.join(out)

    def __len__(self) -> int:
        return self.byteLength


def concatenateArrayBuffers(buffers: Buffer | Sequence[Buffer]) -> bytes:
    """Concatenate buffers into one `bytes` (TF.js's deprecated `tf.io.concatenateArrayBuffers`)."""
    return CompositeArrayBuffer.join(buffers)
