"""`tf.data.csv`: CSV rows as dicts (TF.js's `CSVDataset`, `TextLineDataset` and data sources).

A source is a local path, a `file://` URL, or an `http(s)://` URL (read with urllib). Values are
parsed as TF.js parses them: anything JS's `Number()` accepts becomes a number (`int32` columns
are floored; `bool` columns give 1 / 0), other text stays a string, and an empty cell gives the
column's `default`, or None (TF.js's `undefined`), or an error for `required` / `isLabel`
columns. When a column is a label, elements are `{'xs': {features}, 'ys': {labels}}`.
"""
from __future__ import annotations

import asyncio
import codecs
import math
import os
import re
import urllib.parse
import urllib.request
from typing import Any

from .._async import in_event_loop, promising
from .._naming import normalize_args
from ..errors import ValueError
from ._jobs import END, await_
from .dataset import Dataset
from .iterators import LazyIterator, MapIterator, SkipIterator

CHUNK_SIZE = 1024 * 1024
CSV_KEYS = ('hasHeader', 'columnNames', 'columnConfigs', 'configuredColumnsOnly', 'delimiter',
            'delimWhitespace')
COLUMN_KEYS = ('required', 'dtype', 'default', 'isLabel')


# ---------------------------------------------------------------------------- data sources

class DataSource:
    """A source of bytes; `iterator()` gives chunks (bytes)."""

    def _chunks_job(self):
        raise NotImplementedError
        yield  # pragma: no cover


class FileDataSource(DataSource):
    """Bytes of a local file (a path or a `file://` URL), or of an in-memory `bytes` object."""

    def __init__(self, input: Any, options: dict | None = None):  # noqa: A002 - TF.js name
        self.input = input
        self.chunk_size = (options or {}).get('chunkSize') or CHUNK_SIZE

    def _chunks_job(self):
        data = self.input
        if isinstance(data, (bytes, bytearray, memoryview)):
            mv = memoryview(data)
            return _ChunkIterator(iter([bytes(mv[i:i + self.chunk_size])
                                        for i in range(0, len(mv), self.chunk_size)]))
        path = _local_path(data)
        try:
            f = open(path, 'rb')
        except OSError as exc:
            raise ValueError(f'Cannot read the CSV/text source "{data}": {exc}') from None
        return _ChunkIterator(_read_file(f, self.chunk_size))
        yield  # pragma: no cover


def _read_file(f, size):
    with f:
        while True:
            chunk = f.read(size)
            if not chunk:
                return
            yield chunk


def _local_path(source) -> str:
    source = os.fspath(source)
    if source.startswith('file://'):
        parsed = urllib.parse.urlparse(source)
        path = urllib.parse.unquote(parsed.path)
        return (parsed.netloc + path) if parsed.netloc not in ('', 'localhost') else path
    return source


class URLDataSource(DataSource):
    """Bytes from a URL: `file://` (or a plain path) is read locally, `http(s)://` with urllib."""

    def __init__(self, url: Any, fileOptions: dict | None = None):
        self.url = url
        self.fileOptions = fileOptions or {}

    def _chunks_job(self):
        url = self.url
        if isinstance(url, str) and re.match(r'^[a-zA-Z][a-zA-Z0-9+.-]*://', url) and \
                not url.startswith('file://'):
            return (yield from _url_chunks(url, self.fileOptions.get('chunkSize') or CHUNK_SIZE))
        return (yield from FileDataSource(url, self.fileOptions)._chunks_job())


def _url_chunks(url: str, size: int):
    def open_url():
        try:
            return urllib.request.urlopen(url)
        except Exception as exc:  # noqa: BLE001 - re-raised with the URL
            raise ValueError(f'Request to {url} failed: {exc}') from None
    if in_event_loop():
        response = yield from await_(asyncio.to_thread(open_url))
    else:
        response = open_url()
    status = getattr(response, 'status', 200)
    if status is not None and not 200 <= status < 300:
        raise ValueError(f'Request to {url} failed with status code {status}. Please verify this '
                         'URL points to the data file.')

    def chunks():
        with response:
            while True:
                chunk = response.read(size)
                if not chunk:
                    return
                yield chunk
    return _ChunkIterator(chunks())


class _ChunkIterator(LazyIterator):
    def __init__(self, chunks):
        self.chunks = chunks

    def _next(self):
        return next(self.chunks, END)
        yield  # pragma: no cover

    def close(self):
        super().close()
        close = getattr(self.chunks, 'close', None)
        if close is not None:
            close()


class _LineIterator(LazyIterator):
    """UTF-8 text split at '\\n', a trailing '\\r' removed (TF.js's `TextLineDataset`)."""

    def __init__(self, upstream: LazyIterator):
        self.upstream = upstream
        self.decoder = codecs.getincrementaldecoder('utf-8')('replace')
        self.carry = ''
        self.lines: list = []
        self.pos = 0
        self.finished = False

    def _next(self):
        while self.pos >= len(self.lines):
            if self.finished:
                return END
            chunk = yield from self.upstream._next()
            if chunk is END:
                text = self.decoder.decode(b'', final=True)
                self.finished = True
                rest = self.carry + text
                self.carry = ''
                self.lines, self.pos = ([rest] if rest != '' else []), 0
            else:
                parts = (self.carry + self.decoder.decode(chunk)).split('\n')
                self.carry = parts.pop()
                self.lines, self.pos = parts, 0
        line = self.lines[self.pos]
        self.pos += 1
        return line[:-1] if line.endswith('\r') else line


class TextLineDataset(Dataset):
    """The lines of a text source (a DataSource, a path, or a URL)."""

    def __init__(self, input: Any):  # noqa: A002 - TF.js name
        super().__init__()
        self.input = input if isinstance(input, DataSource) else URLDataSource(input)

    def _make_iterator(self):
        chunks = yield from self.input._chunks_job()
        return _LineIterator(chunks)


# ---------------------------------------------------------------------------- CSV

class CSVDataset(Dataset):
    """Rows of a CSV source as dicts keyed by column name (see the module docstring)."""

    def __init__(self, input: Any, csvConfig: dict | None = None, /, **kwargs):  # noqa: A002
        super().__init__()
        config = normalize_args(csvConfig, kwargs, CSV_KEYS, 'tf.data.csv')
        self.input = input if isinstance(input, DataSource) else URLDataSource(input)
        self.base = TextLineDataset(self.input)
        self.hasHeader = config.get('hasHeader') is not False
        self.fullColumnNames = list(config['columnNames']) if config.get('columnNames') else None
        column_configs = config.get('columnConfigs')
        if column_configs is not None:
            column_configs = {name: normalize_args(cfg, {}, COLUMN_KEYS,
                                                   f'tf.data.csv columnConfigs["{name}"]')
                              for name, cfg in column_configs.items()}
        self.columnConfigs = column_configs
        self.configuredColumnsOnly = bool(config.get('configuredColumnsOnly'))
        if self.configuredColumnsOnly and not self.columnConfigs:
            raise ValueError('configuredColumnsOnly is true, but no columnConfigs are given: '
                             'there would be no columns left.')
        if config.get('delimWhitespace'):
            if config.get('delimiter') is not None:
                raise ValueError('Delimiter should not be provided when delimWhitespace is true.')
            self.delimWhitespace = True
            self.delimiter = ' '
        else:
            self.delimWhitespace = False
            self.delimiter = config.get('delimiter') or ','
        self.columnNamesValidated = False

    # ------------------------------------------------------------------ column names
    def _column_names_job(self):
        if not self.columnNamesValidated:
            yield from self._set_column_names()
        if self.configuredColumnsOnly:
            return list(self.columnConfigs)
        return list(self.fullColumnNames)

    def columnNames(self):
        """The column names (the configured ones with `configuredColumnsOnly`), read from the
        header line when not given; TF.js: `await csvDataset.columnNames()`."""
        return promising(self._column_names_job)()

    def _set_column_names(self):
        from_file = yield from self._maybe_read_header_line()
        if not self.fullColumnNames and not from_file:
            raise ValueError('Column names must be provided if there is no header line.')
        if self.fullColumnNames and from_file and len(from_file) != len(self.fullColumnNames):
            raise ValueError(f'The length of provided columnNames ({len(self.fullColumnNames)}) '
                             f'does not match the length of the header line read from file '
                             f'({len(from_file)}).')
        if not self.fullColumnNames:
            self.fullColumnNames = from_file
        counts: dict = {}
        for name in self.fullColumnNames:
            counts[name] = counts.get(name, 0) + 1
        duplicates = [name for name, n in counts.items() if n > 1]
        if duplicates:
            raise ValueError('Duplicate column names found: ' + ','.join(duplicates))
        if self.columnConfigs:
            for key in self.columnConfigs:
                if key not in self.fullColumnNames:
                    raise ValueError(f'The key "{key}" provided in columnConfigs does not match any '
                                     f'of the column names ({",".join(self.fullColumnNames)}).')
        self.columnNamesValidated = True

    def _maybe_read_header_line(self):
        if not self.hasHeader:
            return None
        it = yield from self.base._iterator_job()
        try:
            first = yield from it._next()
        finally:
            it.close()
        if first is END:
            raise ValueError('No data was found for CSV parsing.')
        return self.parseRow(first, False)

    # ------------------------------------------------------------------ rows
    def _make_iterator(self):
        if not self.columnNamesValidated:
            yield from self._set_column_names()
        lines = yield from self.base._iterator_job()
        if self.hasHeader:
            lines = SkipIterator(lines, 1)
        return MapIterator(lines, self.makeDataElement)

    def makeDataElement(self, line: str) -> dict:
        """One parsed row: `{col: value}`, or `{'xs': {...}, 'ys': {...}}` with label columns."""
        values = self.parseRow(line)
        features: dict = {}
        labels: dict = {}
        for i, key in enumerate(self.fullColumnNames):
            config = self.columnConfigs.get(key) if self.columnConfigs else None
            if self.configuredColumnsOnly and config is None:
                continue
            value = values[i]
            if value == '':
                if config is not None and 'default' in config:
                    parsed = config['default']
                elif config is not None and (config.get('required') or config.get('isLabel')):
                    raise ValueError(f'Required column {key} is empty in this line: {line}')
                else:
                    parsed = None
            else:
                parsed = _parse_value(value, config)
            if config is not None and config.get('isLabel'):
                labels[key] = parsed
            else:
                features[key] = parsed
        if not labels:
            return features
        return {'xs': features, 'ys': labels}

    def parseRow(self, line: str, validateElementCount: bool = True) -> list:
        """Split one line into fields, honouring double quotes (TF.js's state machine)."""
        result = _split_row(line, self.delimiter, self.delimWhitespace)
        if validateElementCount and len(result) != len(self.fullColumnNames):
            raise ValueError(f'Invalid row in csv file. Should have {len(self.fullColumnNames)} '
                             f'elements in a row, but got {",".join(result)}')
        return result

    def __repr__(self):
        return f'<tf.data.CSVDataset {self.input.__class__.__name__}>'


_OUT, _FIELD, _QUOTE, _QUOTE_AFTER_QUOTE, _WITHIN_QUOTE_IN_QUOTE = range(5)


def _split_row(line: str, delimiter: str, delim_whitespace: bool) -> list:
    result = []
    offset = 0
    state = _OUT
    n = len(line)
    for i in range(n):
        c = line[i]
        if state == _OUT:
            if c == '"':
                offset = i + 1
                state = _QUOTE
            elif c == delimiter:
                offset = i + 1
                if delimiter == ' ' and delim_whitespace:
                    continue
                result.append('')
                state = _OUT
            else:
                state = _FIELD
                offset = i
        elif state == _FIELD:
            if c == delimiter:
                result.append(line[offset:i])
                state = _OUT
                offset = i + 1
        elif state == _QUOTE:
            if c == '"':
                state = _QUOTE_AFTER_QUOTE
        elif state == _QUOTE_AFTER_QUOTE:
            if c == delimiter:
                result.append(line[offset:i - 1])
                state = _OUT
                offset = i + 1
            elif c == '"':
                state = _QUOTE
            else:
                state = _WITHIN_QUOTE_IN_QUOTE
        elif state == _WITHIN_QUOTE_IN_QUOTE:
            if c == '"':
                state = _QUOTE
    if state == _QUOTE_AFTER_QUOTE:
        result.append(line[offset:n - 1])
    else:
        result.append(line[offset:])
    return result


def _parse_value(value: str, config: dict | None):
    number = js_number(value)
    dtype = config.get('dtype') if config else None
    if math.isnan(number):
        return _get_boolean(value) if dtype == 'bool' else value
    if not dtype or dtype == 'float32':
        return number
    if dtype == 'int32':
        return math.floor(number) if math.isfinite(number) else number
    if dtype == 'bool':
        return _get_boolean(value)
    return number


def _get_boolean(value: str) -> int:
    return 1 if value == '1' or value.lower() == 'true' else 0


# JS StrWhiteSpaceChar: WhiteSpace and LineTerminator
_JS_SPACE = '\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008' \
            '\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff'
_DECIMAL = re.compile(r'[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|Infinity)\Z')
_RADIX = re.compile(r'0(?:[xX]([0-9a-fA-F]+)|[oO]([0-7]+)|[bB]([01]+))\Z')


def js_number(text: str) -> float:
    """JS's `Number(text)` for a string: NaN when it is not a number.

    >>> js_number(' 12 '), js_number('0x1F'), js_number('1e3'), js_number('abc')
    (12.0, 31.0, 1000.0, nan)
    """
    s = text.strip(_JS_SPACE)
    if s == '':
        return 0.0
    m = _DECIMAL.match(s)
    if m:
        if s.endswith('Infinity'):
            return -math.inf if s.startswith('-') else math.inf
        return float(s)
    m = _RADIX.match(s)
    if m:
        hex_, oct_, bin_ = m.groups()
        return float(int(hex_, 16) if hex_ else int(oct_, 8) if oct_ else int(bin_, 2))
    return math.nan


def csv(source: Any, csvConfig: dict | None = None, /, **kwargs) -> CSVDataset:
    """A `CSVDataset` reading `source` (a path, a `file://` URL or an `http(s)://` URL).

    Config (camelCase or snake_case): `hasHeader` (True), `columnNames`, `columnConfigs`
    (`{col: {'required', 'dtype', 'default', 'isLabel'}}`), `configuredColumnsOnly`,
    `delimiter` (','), `delimWhitespace`.

    >>> import tfjs as tf, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), 'd.csv')
    >>> _ = open(path, 'w').write('a,b,label\\n1,x,0\\n2,,1\\n')
    >>> ds = tf.data.csv('file://' + path, {'columnConfigs': {'label': {'isLabel': True}}})
    >>> ds.toArray()
    [{'xs': {'a': 1.0, 'b': 'x'}, 'ys': {'label': 0.0}}, {'xs': {'a': 2.0, 'b': None}, 'ys': {'label': 1.0}}]
    """
    return CSVDataset(URLDataSource(source), csvConfig, **kwargs)
