"""tf.data.csv: parsing, column configs, labels, errors, and file / URL sources."""
import functools
import http.server
import math
import threading

import pytest

import tfjs as tf
from tfjs.data.csv_dataset import js_number

CSV = 'a,b,label\n1,x,0\n2.5,,1\n-3,"q,uoted",1\n'


@pytest.fixture
def write(tmp_path):
    def write(text, name='data.csv'):
        path = tmp_path / name
        path.write_bytes(text.encode('utf-8'))
        return str(path)
    return write


def test_header_and_parsing(write):
    ds = tf.data.csv(write(CSV))
    assert ds.size is None
    assert ds.columnNames() == ['a', 'b', 'label']
    assert ds.toArray() == [{'a': 1, 'b': 'x', 'label': 0},
                            {'a': 2.5, 'b': None, 'label': 1},
                            {'a': -3, 'b': 'q,uoted', 'label': 1}]


def test_file_url_and_crlf(write):
    path = write(CSV.replace('\n', '\r\n'))
    ds = tf.data.csv('file://' + path)
    assert ds.toArray()[0] == {'a': 1, 'b': 'x', 'label': 0}
    assert tf.data.csv(__import__('pathlib').Path(path)).columnNames() == ['a', 'b', 'label']


def test_labels_give_xs_ys(write):
    ds = tf.data.csv(write(CSV), {'columnConfigs': {'label': {'isLabel': True}}})
    first = ds.toArray()[0]
    assert first == {'xs': {'a': 1, 'b': 'x'}, 'ys': {'label': 0}}


def test_defaults_and_required(write):
    path = write(CSV)
    ds = tf.data.csv(path, {'columnConfigs': {'b': {'default': 'none'}}})
    assert ds.toArray()[1]['b'] == 'none'
    with pytest.raises(ValueError, match='Required column b is empty in this line: 2.5,,1'):
        tf.data.csv(path, {'columnConfigs': {'b': {'required': True}}}).toArray()
    with pytest.raises(ValueError, match='Required column b is empty'):
        tf.data.csv(path, column_configs={'b': {'is_label': True}}).toArray()


def test_dtypes(write):
    path = write('i,f,b\n2.7,1,true\n-2.5,2,0\n3,3,yes\n')
    cfg = {'i': {'dtype': 'int32'}, 'f': {'dtype': 'float32'}, 'b': {'dtype': 'bool'}}
    rows = tf.data.csv(path, {'columnConfigs': cfg}).toArray()
    assert rows == [{'i': 2, 'f': 1.0, 'b': 1}, {'i': -3, 'f': 2.0, 'b': 0},
                    {'i': 3, 'f': 3.0, 'b': 0}]


def test_configured_columns_only(write):
    ds = tf.data.csv(write(CSV), {'columnConfigs': {'a': {}, 'label': {'isLabel': True}},
                                  'configuredColumnsOnly': True})
    assert ds.columnNames() == ['a', 'label']
    assert ds.toArray()[0] == {'xs': {'a': 1}, 'ys': {'label': 0}}


def test_no_header_needs_column_names(write):
    path = write('1,2\n3,4\n')
    with pytest.raises(ValueError, match='Column names must be provided'):
        tf.data.csv(path, {'hasHeader': False}).toArray()
    ds = tf.data.csv(path, {'hasHeader': False, 'columnNames': ['p', 'q']})
    assert ds.toArray() == [{'p': 1, 'q': 2}, {'p': 3, 'q': 4}]


def test_column_names_override_header(write):
    ds = tf.data.csv(write(CSV), {'columnNames': ['x', 'y', 'z']})
    assert ds.columnNames() == ['x', 'y', 'z']
    assert ds.toArray()[0] == {'x': 1, 'y': 'x', 'z': 0}
    with pytest.raises(ValueError, match='does not match the length of the header'):
        tf.data.csv(write(CSV), {'columnNames': ['x', 'y']}).toArray()


def test_config_errors(write):
    path = write(CSV)
    with pytest.raises(ValueError, match='"nope" provided in columnConfigs does not match'):
        tf.data.csv(path, {'columnConfigs': {'nope': {}}}).toArray()
    with pytest.raises(ValueError, match='Duplicate column names found: a'):
        tf.data.csv(write('a,a\n1,2\n', 'dup.csv')).toArray()
    with pytest.raises(ValueError, match='Invalid row in csv file. Should have 3 elements'):
        tf.data.csv(write('a,b,c\n1,2\n', 'short.csv')).toArray()
    with pytest.raises(ValueError, match='No data was found'):
        tf.data.csv(write('', 'empty.csv')).toArray()
    with pytest.raises(ValueError, match='Delimiter should not be provided'):
        tf.data.csv(path, {'delimWhitespace': True, 'delimiter': ';'})
    with pytest.raises(ValueError, match='Unknown config key'):
        tf.data.csv(path, {'hasHeaders': True})
    with pytest.raises(ValueError, match='Cannot read'):
        tf.data.csv(path + '.missing').toArray()


def test_delimiters(write):
    ds = tf.data.csv(write('a;b\n1;2\n'), {'delimiter': ';'})
    assert ds.toArray() == [{'a': 1, 'b': 2}]
    ds = tf.data.csv(write('a  b   c\n1 2  3\n', 'ws.csv'), {'delimWhitespace': True})
    assert ds.toArray() == [{'a': 1, 'b': 2, 'c': 3}]


def test_quotes():
    ds = tf.data.CSVDataset(tf.data.FileDataSource(b'a,b\n"x ""y"" z",2\n"p,q",3\n'))
    rows = ds.toArray()
    # TF.js keeps doubled quotes as they are inside a quoted field
    assert rows == [{'a': 'x ""y"" z', 'b': 2}, {'a': 'p,q', 'b': 3}]


def test_js_number():
    assert js_number('12') == 12 and js_number(' 7\t') == 7 and js_number('.5') == 0.5
    assert js_number('1e3') == 1000 and js_number('-0x10') != js_number('-0x10')  # NaN
    assert js_number('0x1F') == 31 and js_number('0b11') == 3 and js_number('0o17') == 15
    assert js_number('Infinity') == math.inf and js_number('-Infinity') == -math.inf
    for text in ('abc', 'inf', 'nan', '1_000', '1e', 'NaN', '12px'):
        assert math.isnan(js_number(text)), text


def test_numeric_strings_stay_strings_when_not_numbers(write):
    rows = tf.data.csv(write('v\nNaN\ninf\n0x10\n')).toArray()
    assert rows == [{'v': 'NaN'}, {'v': 'inf'}, {'v': 16}]


def test_large_file_in_chunks(write, monkeypatch):
    import tfjs.data.csv_dataset as mod
    monkeypatch.setattr(mod, 'CHUNK_SIZE', 7)      # lines and UTF-8 characters split across chunks
    lines = ['n,s'] + [f'{i},é{i}€' for i in range(50)]
    rows = tf.data.csv(write('\n'.join(lines))).toArray()
    assert len(rows) == 50 and rows[49] == {'n': 49, 's': 'é49€'}


def test_batched_csv_for_training(write):
    path = write('x1,x2,y\n1,2,0\n3,4,1\n5,6,1\n')
    ds = tf.data.csv(path, {'columnConfigs': {'y': {'isLabel': True}}}) \
        .map(lambda e: {'xs': list(e['xs'].values()), 'ys': list(e['ys'].values())}).batch(2)
    first = ds.toArray()[0]
    assert first['xs'].arraySync() == [[1, 2], [3, 4]] and first['ys'].shape == [2, 1]


def test_text_line_dataset(write):
    ds = tf.data.TextLineDataset(write('one\ntwo\r\n\nthree'))
    assert ds.toArray() == ['one', 'two', '', 'three']


def test_http_source(tmp_path):
    (tmp_path / 'd.csv').write_text(CSV)
    handler = functools.partial(_QuietHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f'http://127.0.0.1:{server.server_address[1]}/d.csv'
        ds = tf.data.csv(url, {'columnConfigs': {'label': {'isLabel': True}}})
        assert ds.columnNames() == ['a', 'b', 'label']
        assert len(ds.toArray()) == 3

        import asyncio

        async def main():
            return await ds.toArray()
        assert len(asyncio.run(main())) == 3
        with pytest.raises(ValueError, match='failed'):
            tf.data.csv(url + '.missing').toArray()
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_column_names_is_async_in_event_loop(write):
    import asyncio
    ds = tf.data.csv(write(CSV))

    async def main():
        return await ds.columnNames()
    assert asyncio.run(main()) == ['a', 'b', 'label']
