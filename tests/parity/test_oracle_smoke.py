"""Smoke tests for the TF.js oracle worker and its Python client."""

import json
import math
import os

import numpy as np
import pytest

from oracle import OracleError, decode, encode


def test_ping(oracle):
    r = oracle.ping()
    assert r["reply"] == "pong"
    assert r["version"] == "4.22.0"
    assert r["backend"] == "cpu"


def test_matmul_values(oracle):
    out = oracle.eval("return tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), "
                      "tf.tensor2d([[5, 6], [7, 8]]));")
    assert out.dtype == np.float32 and out.shape == (2, 2)
    np.testing.assert_array_equal(out, [[19, 22], [43, 50]])


def test_special_floats(oracle):
    out = oracle.eval("return tf.tensor1d([NaN, Infinity, -Infinity, -0, 1.5]);")
    assert out.dtype == np.float32
    assert np.isnan(out[0]) and out[1] == np.inf and out[2] == -np.inf
    assert out[3] == 0 and np.signbit(out[3]) and out[4] == 1.5
    plain = oracle.eval("return {a: NaN, b: [Infinity, -Infinity], c: 2};")
    assert math.isnan(plain["a"]) and plain["b"] == [math.inf, -math.inf]
    assert plain["c"] == 2


def test_dtypes(oracle):
    out = oracle.eval("""
      return {i: tf.tensor2d([[1, -2], [3, 4]], [2, 2], 'int32'),
              b: tf.tensor1d([true, false, true], 'bool'),
              s: tf.tensor2d([['a', 'bé'], ['', 'z']]),
              scalar: tf.scalar(7, 'int32'),
              empty: tf.zeros([0, 3])};""")
    assert out["i"].dtype == np.int32
    np.testing.assert_array_equal(out["i"], [[1, -2], [3, 4]])
    assert out["b"].dtype == np.bool_ and out["b"].tolist() == [True, False, True]
    assert out["s"].dtype == object and out["s"].tolist() == [["a", "bé"], ["", "z"]]
    assert out["scalar"].shape == () and out["scalar"] == 7
    assert out["empty"].shape == (0, 3)


def test_args_round_trip(oracle):
    args = {"f": np.array([[1.5, np.nan], [np.inf, -np.inf]], np.float32),
            "i": np.arange(6, dtype=np.int64).reshape(2, 3),
            "b": np.array([True, False]),
            "s": np.array(["x", "yz"], dtype=object),
            "n": float("nan"), "plain": [1, 2]}
    out = oracle.eval("""
      return {f: args.f, i: args.i, b: args.b, s: args.s, n: args.n,
              plain: args.plain, isTensor: args.f instanceof tf.Tensor,
              idtype: args.i.dtype};""", args)
    np.testing.assert_array_equal(out["f"], args["f"])
    assert out["i"].dtype == np.int32 and out["idtype"] == "int32"
    np.testing.assert_array_equal(out["i"], args["i"])
    assert out["b"].tolist() == [True, False] and out["s"].tolist() == ["x", "yz"]
    assert math.isnan(out["n"]) and out["plain"] == [1, 2] and out["isTensor"]


def test_encode_decode_local():
    a = np.array([[1, np.nan], [-np.inf, 2]], np.float32)
    back = decode(json.loads(json.dumps(encode(a), allow_nan=False)))
    assert back.dtype == np.float32
    np.testing.assert_array_equal(back, a)


def test_error_then_recovery(oracle):
    with pytest.raises(OracleError) as info:
        oracle.eval("throw new Error('boom from js');")
    assert info.value.js_message == "boom from js"
    assert "boom from js" in str(info.value) and info.value.stack
    with pytest.raises(OracleError, match="is not defined"):
        oracle.eval("return notDefinedAnywhere + 1;")
    with pytest.raises(OracleError, match="unknown op"):
        oracle.request("no_such_op")
    # An unhandled rejection must not kill the worker either.
    oracle.eval("Promise.reject(new Error('ignored')); return 1;")
    assert oracle.eval("return 1 + 1;") == 2


def test_capture_log_print(oracle):
    text = oracle.eval(
        "return helpers.captureLog(() => tf.tensor2d([[1], [2]]).print());")
    assert text == "Tensor\n    [[1],\n     [2]]\n"


def test_capture_log_summary(oracle):
    text = oracle.eval("""
      const m = tf.sequential({layers: [tf.layers.dense({units: 2, inputShape: [3]})]});
      return helpers.captureLog(() => m.summary());""")
    assert "Total params: 8" in text and text.endswith("\n")


def test_save_load_round_trip(oracle, tmp_path):
    x = np.random.RandomState(0).randn(4, 3).astype(np.float32)
    out = oracle.eval("""
      const m = tf.sequential();
      m.add(tf.layers.dense({units: 4, inputShape: [3], activation: 'relu'}));
      m.add(tf.layers.dense({units: 2}));
      m.compile({optimizer: 'adam', loss: 'meanSquaredError'});
      const saved = await helpers.saveModelToDir(m, args.dir + '/plain');
      await helpers.saveModelToDir(m, args.dir + '/opt', {includeOptimizer: true});
      const plain = await helpers.loadModelFromDir(args.dir + '/plain/model.json');
      const opt = await helpers.loadModelFromDir(args.dir + '/opt/model.json');
      return {a: m.predict(args.x), b: plain.predict(args.x), c: opt.predict(args.x),
              saved};""", dir=str(tmp_path), x=x)
    np.testing.assert_array_equal(out["a"], out["b"])
    np.testing.assert_array_equal(out["a"], out["c"])
    assert out["saved"]["modelArtifactsInfo"]["weightDataBytes"] == 26 * 4
    model_json = json.loads((tmp_path / "plain" / "model.json").read_text())
    assert list(model_json) == ["modelTopology", "weightsManifest", "format",
                                "generatedBy", "convertedBy"]
    assert model_json["format"] == "layers-model"
    assert model_json["weightsManifest"][0]["paths"] == ["weights.bin"]
    assert os.path.getsize(tmp_path / "plain" / "weights.bin") == 26 * 4
    opt_json = json.loads((tmp_path / "opt" / "model.json").read_text())
    assert opt_json["trainingConfig"]["loss"] == "mean_squared_error"
    assert os.path.getsize(tmp_path / "opt" / "weights.bin") > 26 * 4


def test_ids_stay_matched(oracle):
    first = oracle.send("eval", code="await new Promise(r => setTimeout(r, 50)); return 'first';")
    second = oracle.send("eval", code="return 'second';")
    assert oracle.wait(second) == "second"
    assert oracle.wait(first) == "first"


def test_state_persists_between_requests(oracle):
    oracle.eval("helpers.state.smoke = tf.tensor1d([1, 2, 3]);")
    np.testing.assert_array_equal(oracle.eval("return helpers.state.smoke.sum();"), 6)
