"""Generic-harness cases for the recurrent layers, cells and wrappers (see
tests/layers/test_layer_harness.py), and the TF.js parity configurations shared by
tests/layers/test_recurrent_parity.py and test_wrappers_parity.py.

Nested layers (RNN cells, wrapped layers) are written `{'factory': name, 'config': {...}}`;
tests/layers/layer_parity.py builds them on both sides.
"""


def nested(factory: str, **config) -> dict:
    """A nested layer spec `{'factory', 'config'}`."""
    return {'factory': factory, 'config': config}


_LSTM = ['kernel', 'recurrent_kernel', 'bias']
_CELL_LSTM = [f'RNNCell_0/{n}' for n in _LSTM] + [f'RNNCell_1/{n}' for n in _LSTM]
_BIDI = [f'forward_fw/{n}' for n in _LSTM] + [f'backward_fw/{n}' for n in _LSTM]

HARNESS_CASES = [
    ('simpleRNN', {'units': 3}, [4, 2], _LSTM),
    ('simpleRNN', {'units': 2, 'returnSequences': True, 'returnState': True, 'useBias': False},
     [3, 2], _LSTM[:2]),
    ('gru', {'units': 3}, [4, 2], _LSTM),
    ('gru', {'units': 2, 'resetAfter': True, 'recurrentActivation': 'sigmoid',
             'returnSequences': True}, [3, 2], _LSTM),
    ('lstm', {'units': 3}, [4, 2], _LSTM),
    ('lstm', {'units': 2, 'returnState': True, 'goBackwards': True,
              'recurrentActivation': 'sigmoid'}, [3, 2], _LSTM),
    ('lstm', {'units': 2, 'unitForgetBias': True, 'dropout': 0.2, 'recurrentDropout': 0.2},
     [3, 2], _LSTM),
    ('rnn', {'cell': nested('lstmCell', units=2, name='c0')}, [3, 2], _LSTM),
    ('rnn', {'cell': [nested('lstmCell', units=3, name='c0'),
                      nested('lstmCell', units=2, name='c1')], 'returnSequences': True},
     [3, 2], _CELL_LSTM),
    ('simpleRNNCell', {'units': 3}, [[2], [3]], _LSTM),
    ('gruCell', {'units': 2}, [[3], [2]], _LSTM),
    ('lstmCell', {'units': 2}, [[3], [2], [2]], _LSTM),
    ('stackedRNNCells', {'cells': [nested('lstmCell', units=3, name='c0'),
                                   nested('simpleRNNCell', units=2, name='c1')]},
     [[3], [2], [3], [3]], [f'RNNCell_0/{n}' for n in _LSTM] + [f'RNNCell_1/{n}' for n in _LSTM]),
    ('convLstm2d', {'filters': 2, 'kernelSize': 2}, [3, 4, 4, 1], _LSTM),
    ('convLstm2d', {'filters': 2, 'kernelSize': 3, 'padding': 'same', 'returnSequences': True,
                    'dataFormat': 'channelsFirst'}, [2, 1, 4, 4], _LSTM),
    ('convLstm2dCell', {'filters': 2, 'kernelSize': 3, 'padding': 'same'},
     [[4, 4, 1], [4, 4, 2], [4, 4, 2]], _LSTM),
    ('bidirectional', {'layer': nested('lstm', units=2, name='fw')}, [3, 2], _BIDI),
    ('bidirectional', {'layer': nested('lstm', units=2, name='fw', returnSequences=True),
                       'mergeMode': None}, [3, 2], _BIDI),
    ('bidirectional', {'layer': nested('lstm', units=2, name='fw', returnState=True),
                       'mergeMode': 'sum'}, [3, 2], _BIDI),
    ('timeDistributed', {'layer': nested('dense', units=2)}, [3, 4], ['kernel', 'bias']),
    ('timeDistributed', {'layer': nested('lstm', units=2)}, [3, 4, 2], _LSTM),
]
