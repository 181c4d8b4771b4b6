"""model.json <-> ModelArtifacts, ModelArtifactsInfo, both topology layouts, JS JSON text."""
import datetime

import pytest

from tfjs.errors import IOError as TfjsIOError
from tfjs.errors import ValueError as TfjsValueError
from tfjs.io._json import stringify
from tfjs.io.artifacts import (artifacts_to_model_json, get_model_artifacts_info,
                               getModelArtifactsForJSON, getModelArtifactsForJSONSync,
                               getModelJSONForModelArtifacts, model_json_to_artifacts,
                               unwrap_topology)


def test_stringify_numbers_match_js(oracle_io):
    for value, text in oracle_io['json']['numbers']:
        value = -0.0 if value == '-0' else value
        assert stringify(value) == text, value
        assert stringify(float(value)) == text, value


def test_stringify_object_key_order_and_escapes_match_js(oracle_io):
    entries = oracle_io['json']['object']['entries']
    assert stringify(dict(entries)) == oracle_io['json']['object']['text']


def test_stringify_non_finite_and_types():
    assert stringify([float('nan'), float('inf'), -float('inf')]) == '[null,null,null]'
    assert stringify({'t': (1, 2), 'b': False}) == '{"t":[1,2],"b":false}'
    with pytest.raises(TypeError):
        stringify({'x': object()})


def test_artifacts_to_model_json_key_order(artifacts):
    art = dict(artifacts, userDefinedMetadata={'a': 1}, trainingConfig={'loss': 'x'},
               signature=None, modelInitializer={'m': 1})
    mj = artifacts_to_model_json(art)
    assert list(mj) == ['modelTopology', 'weightsManifest', 'format', 'generatedBy', 'convertedBy',
                        'trainingConfig', 'userDefinedMetadata', 'modelInitializer']
    assert mj['weightsManifest'] == [{'paths': ['weights.bin'], 'weights': artifacts['weightSpecs']}]
    assert mj['convertedBy'] is None
    assert '"convertedBy":null' in stringify(mj)


def test_absent_keys_are_left_out():
    mj = artifacts_to_model_json({'modelTopology': {}, 'weightSpecs': []}, 'w.bin')
    assert list(mj) == ['modelTopology', 'weightsManifest']
    assert mj['weightsManifest'][0]['paths'] == ['w.bin']


def test_http_key_order(artifacts):
    art = dict(artifacts, trainingConfig={'loss': 'x'}, userDefinedMetadata={'a': 1})
    mj = getModelJSONForModelArtifacts(art, [{'paths': ['./model.weights.bin'], 'weights': []}])
    assert list(mj) == ['modelTopology', 'format', 'generatedBy', 'convertedBy', 'weightsManifest',
                        'userDefinedMetadata', 'trainingConfig']


def test_model_json_round_trip(artifacts):
    mj = artifacts_to_model_json(dict(artifacts, userDefinedMetadata={'k': 'v'}))
    back = model_json_to_artifacts(mj, artifacts['weightData'])
    assert back['weightSpecs'] == artifacts['weightSpecs']
    assert back['weightData'] == artifacts['weightData']
    assert back['userDefinedMetadata'] == {'k': 'v'}
    for key in ('modelTopology', 'format', 'generatedBy', 'convertedBy'):
        assert back[key] == artifacts[key]


def test_model_json_groups_are_flattened():
    mj = {'modelTopology': None, 'weightsManifest': [
        {'paths': ['a'], 'weights': [{'name': 'x', 'shape': [], 'dtype': 'float32'}]},
        {'paths': ['b'], 'weights': [{'name': 'y', 'shape': [], 'dtype': 'float32'}]}]}
    art = model_json_to_artifacts(mj, b'\x00' * 8)
    assert [s['name'] for s in art['weightSpecs']] == ['x', 'y']


def test_malformed_manifest():
    with pytest.raises(TfjsIOError, match='weightsManifest'):
        model_json_to_artifacts({'weightsManifest': {'paths': []}}, b'')
    with pytest.raises(TfjsIOError, match=r'weightsManifest\[0\]'):
        model_json_to_artifacts({'weightsManifest': [{'paths': 'weights.bin', 'weights': []}]}, b'')
    with pytest.raises(TfjsIOError, match='JSON object'):
        model_json_to_artifacts([1, 2], b'')


def test_get_model_artifacts_for_json():
    mj = {'modelTopology': {'a': 1}, 'weightsManifest': [{'paths': ['w'], 'weights': []}],
          'format': 'layers-model'}
    with pytest.raises(TfjsValueError, match='weightSpecs is null'):
        getModelArtifactsForJSONSync(mj)
    art = getModelArtifactsForJSON(mj, lambda manifest: ([], b''))
    assert art['weightSpecs'] == [] and art['format'] == 'layers-model'


def test_artifacts_info_matches_tfjs(oracle_io):
    ref = oracle_io['info']
    info = get_model_artifacts_info({'modelTopology': ref['topology'], 'weightSpecs': ref['specs'],
                                     'weightData': bytes(12)})
    for key in ('modelTopologyType', 'modelTopologyBytes', 'weightSpecsBytes', 'weightDataBytes'):
        assert info[key] == ref[key], key
    assert isinstance(info['dateSaved'], datetime.datetime)
    assert get_model_artifacts_info({'weightData': [b'ab', b'cde']})['weightDataBytes'] == 5
    assert get_model_artifacts_info({})['modelTopologyBytes'] == 0
    with pytest.raises(TfjsValueError, match='Expected JSON model topology'):
        get_model_artifacts_info({'modelTopology': b'\x00'})


def test_unwrap_topology_both_layouts():
    bare = {'class_name': 'Sequential', 'config': {}, 'keras_version': 'tfjs-layers 4.22.0',
            'backend': 'tensor_flow.js'}
    assert unwrap_topology(bare) == (bare, None)
    converted = {'keras_version': '2.15.0', 'backend': 'tensorflow', 'model_config': bare,
                 'training_config': {'loss': 'mse'}}
    assert unwrap_topology(converted) == (bare, {'loss': 'mse'})
    assert unwrap_topology({'keras_version': '2', 'model_config': bare}) == (bare, None)
    assert unwrap_topology(None) == (None, None)
