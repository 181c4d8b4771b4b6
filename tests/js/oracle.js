#!/usr/bin/env node
/**
 * TF.js parity oracle: a long-lived worker speaking newline-delimited JSON.
 *
 * Request:  {"id": n, "op": "ping" | "eval", ...}
 * Response: {"id": n, "ok": true, "result": ...}
 *        or {"id": n, "ok": false, "error": "<message>", "stack": "<js stack>"}
 *
 * Requests run one at a time, in arrival order. Only responses go to stdout;
 * anything TF.js prints (console.log, tensor.print(), model.summary()) goes
 * to stderr unless captured with helpers.captureLog.
 */
'use strict';

const fs = require('fs');
const path = require('path');
const readline = require('readline');
const util = require('util');

// Keep stdout for protocol lines only: everything else is sent to stderr.
const writeStdout = process.stdout.write.bind(process.stdout);
const toStderr = (...a) => process.stderr.write(util.format(...a) + '\n');
process.stdout.write = process.stderr.write.bind(process.stderr);
console.log = console.info = console.debug = toStderr;

const tf = require('@tensorflow/tfjs');

const AsyncFunction = Object.getPrototypeOf(async function() {}).constructor;
const SPECIAL = {'NaN': NaN, 'Infinity': Infinity, '-Infinity': -Infinity, '-0': -0};

/** Encode a number that JSON cannot hold ("NaN", "Infinity", "-Infinity", "-0"). */
function encodeNumber(v) {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (Object.is(v, -0)) return '-0';
  return v;
}

function isPlainObject(x) {
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/**
 * Convert Tensors (nested in arrays/plain objects) to
 * {"__tensor__": true, dtype, shape, values}; typed arrays become arrays and
 * non-finite numbers outside tensors become {"__number__": "NaN"} etc.
 */
function toJSONValue(x) {
  if (x === undefined || x === null) return null;
  if (x instanceof tf.Tensor) {
    const data = x.dataSync();
    let values;
    if (x.dtype === 'string') values = Array.from(data);
    else if (x.dtype === 'bool') values = Array.from(data, v => v !== 0);
    else values = Array.from(data, encodeNumber);
    return {__tensor__: true, dtype: x.dtype, shape: x.shape.slice(), values};
  }
  if (typeof x === 'number') {
    return Number.isFinite(x) ? x : {__number__: encodeNumber(x)};
  }
  if (typeof x === 'bigint') return Number(x);
  if (typeof x !== 'object') return typeof x === 'function' ? null : x;
  if (ArrayBuffer.isView(x)) return Array.from(x, v => toJSONValue(v));
  if (Array.isArray(x)) return x.map(toJSONValue);
  if (x instanceof Map) return toJSONValue(Object.fromEntries(x));
  if (typeof x.toJSON === 'function') return toJSONValue(x.toJSON());  // Date
  if (isPlainObject(x)) {
    const out = {};
    for (const [k, v] of Object.entries(x)) {
      if (v !== undefined && typeof v !== 'function') out[k] = toJSONValue(v);
    }
    return out;
  }
  const name = x.constructor ? x.constructor.name : typeof x;
  throw new TypeError(
      `oracle: cannot encode a ${name} as JSON; return plain data or tensors`);
}

/** Reverse of toJSONValue: tensor encodings become tf.Tensors. */
function fromJSONValue(x) {
  if (Array.isArray(x)) return x.map(fromJSONValue);
  if (x === null || typeof x !== 'object') return x;
  if (x.__tensor__) {
    const dtype = x.dtype || 'float32';
    const values = dtype === 'string' || dtype === 'bool' ?
        x.values :
        x.values.map(v => (typeof v === 'string' ? SPECIAL[v] : v));
    if (dtype === 'complex64') {
      const re = values.filter((_, i) => i % 2 === 0);
      const im = values.filter((_, i) => i % 2 === 1);
      return tf.complex(tf.tensor(re, x.shape), tf.tensor(im, x.shape));
    }
    return tf.tensor(values, x.shape, dtype);
  }
  if ('__number__' in x) return SPECIAL[x.__number__];
  const out = {};
  for (const [k, v] of Object.entries(x)) out[k] = fromJSONValue(v);
  return out;
}

/** Run (async) fn, returning everything it printed via console.log as text. */
async function captureLog(fn) {
  const saved = console.log;
  const chunks = [];
  console.log = (...a) => chunks.push(util.format(...a) + '\n');
  try {
    await fn();
  } finally {
    console.log = saved;
  }
  return chunks.join('');
}

/** Join WeightData (ArrayBuffer or ArrayBuffer[]) into a Node Buffer. */
function weightBuffer(weightData) {
  if (weightData == null) return Buffer.alloc(0);
  return Buffer.from(new tf.io.CompositeArrayBuffer(weightData).slice());
}

/**
 * Save like tfjs-node's `file://` handler: <dir>/model.json + <dir>/weights.bin.
 * Resolves to the SaveResult of model.save().
 */
async function saveModelToDir(model, dir, config) {
  const handler = tf.io.withSaveHandler(async (artifacts) => {
    if (artifacts.modelTopology instanceof ArrayBuffer) {
      throw new Error('saveModelToDir does not support binary topology');
    }
    fs.mkdirSync(dir, {recursive: true});
    const modelJSON = {
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{paths: ['weights.bin'], weights: artifacts.weightSpecs}],
      format: artifacts.format,
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy,
    };
    for (const key of ['trainingConfig', 'signature', 'userDefinedMetadata']) {
      if (artifacts[key] != null) modelJSON[key] = artifacts[key];
    }
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJSON), 'utf8');
    fs.writeFileSync(path.join(dir, 'weights.bin'), weightBuffer(artifacts.weightData));
    return {modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts)};
  });
  return model.save(handler, config);
}

/**
 * Load a LayersModel from a model.json path: weight shards listed in its
 * manifest are read (relative to the json's folder) and concatenated in order.
 */
async function loadModelFromDir(modelJsonPath, options) {
  const modelJSON = JSON.parse(fs.readFileSync(modelJsonPath, 'utf8'));
  const dir = path.dirname(modelJsonPath);
  let weightSpecs;
  let weightData;
  if (modelJSON.weightsManifest != null) {
    weightSpecs = [];
    const buffers = [];
    for (const group of modelJSON.weightsManifest) {
      for (const p of group.paths) buffers.push(fs.readFileSync(path.join(dir, p)));
      weightSpecs.push(...group.weights);
    }
    const all = Buffer.concat(buffers);
    weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  }
  const artifacts = {
    modelTopology: modelJSON.modelTopology,
    weightSpecs,
    weightData,
    format: modelJSON.format,
    generatedBy: modelJSON.generatedBy,
    convertedBy: modelJSON.convertedBy,
    trainingConfig: modelJSON.trainingConfig,
    userDefinedMetadata: modelJSON.userDefinedMetadata,
  };
  return tf.loadLayersModel(tf.io.fromMemory(artifacts), options);
}

/** State shared by all eval requests of this worker (e.g. to keep a model). */
const state = {};

const helpers = {
  toJSONValue, fromJSONValue, captureLog, saveModelToDir, loadModelFromDir,
  state, require,
};

const ops = {
  async ping() {
    return {reply: 'pong', version: tf.version.tfjs, backend: tf.getBackend(),
            node: process.version};
  },
  async eval(req) {
    const fn = new AsyncFunction('tf', 'args', 'helpers', req.code || '');
    return fn(tf, fromJSONValue(req.args || {}), helpers);
  },
};

function respond(msg) {
  writeStdout(JSON.stringify(msg) + '\n');
}

async function handle(line) {
  let id = null;
  try {
    const req = JSON.parse(line);
    id = req.id === undefined ? null : req.id;
    if (!Object.prototype.hasOwnProperty.call(ops, req.op)) {
      throw new Error(`oracle: unknown op ${JSON.stringify(req.op)}`);
    }
    const result = toJSONValue(await ops[req.op](req));
    respond({id, ok: true, result});
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    respond({id, ok: false, error: err.message || String(err),
             stack: err.stack || ''});
  }
}

process.on('unhandledRejection', (e) => {
  process.stderr.write(`oracle: unhandled rejection: ${e && e.stack || e}\n`);
});
process.on('uncaughtException', (e) => {
  process.stderr.write(`oracle: uncaught exception: ${e && e.stack || e}\n`);
});

async function main() {
  await tf.setBackend('cpu');
  await tf.ready();
  tf.backend().firstUse = false;  // silence the "install tfjs-node" banner
  let queue = Promise.resolve();
  const rl = readline.createInterface({input: process.stdin, terminal: false});
  rl.on('line', (line) => {
    if (line.trim()) queue = queue.then(() => handle(line));
  });
  rl.on('close', () => queue.then(() => process.exit(0)));
}

main().catch((e) => {
  process.stderr.write(`oracle: failed to start: ${e && e.stack || e}\n`);
  process.exit(1);
});
