#!/usr/bin/env node
/**
 * The workloads in TF.js 4.22 itself, in Node, from the packages installed in tests/js
 * (`npm ci` there): `node bench_tfjs_node.js BACKEND WORKLOAD SPEC_JSON FILES_DIR`.
 *
 * BACKEND is `wasm` (@tensorflow/tfjs-backend-wasm; SIMD, single-threaded in Node) or `cpu`
 * (TF.js's pure-JavaScript kernels). Same layers, sizes, optimizer, loss and timing rules as
 * the Python workers (benchmarks/common.py): fit with shuffle false after a one-batch warm-up
 * fit; predict timed per call including dataSync(); loadLayersModel of the files tfjs wrote,
 * through a small file-system IOHandler (TF.js without tfjs-node has no file:// handler).
 * Prints one `BENCH_RESULT {json}` line (or `BENCH_SKIP {json}`).
 */
'use strict';

const fs = require('fs');
const path = require('path');
const {createRequire} = require('module');

const RESULT_PREFIX = 'BENCH_RESULT ';
const SKIP_PREFIX = 'BENCH_SKIP ';
const jsRequire = createRequire(path.join(__dirname, '..', 'tests', 'js', 'package.json'));

function skip(reason) {
  process.stdout.write(SKIP_PREFIX + JSON.stringify({reason}) + '\n');
}

function rssMb() {
  return process.memoryUsage().rss / (1024 * 1024);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function now() {
  return Number(process.hrtime.bigint()) / 1e6;  // ms
}

function build(tf, spec) {
  const L = tf.layers;
  const m = spec.model;
  let layers;
  if (m === 'mlp' || m === 'big') {
    layers = spec.hidden.map((units, i) =>
      L.dense(i === 0 ? {units, activation: 'relu', inputShape: spec.input}
                      : {units, activation: 'relu'}));
    layers.push(L.dense({units: spec.classes, activation: m === 'big' ? 'linear' : 'softmax'}));
  } else if (m === 'cnn') {
    const [f1, f2] = spec.filters;
    layers = [
      L.conv2d({filters: f1, kernelSize: 3, activation: 'relu', inputShape: spec.input}),
      L.maxPooling2d({poolSize: 2}),
      L.conv2d({filters: f2, kernelSize: 3, activation: 'relu'}),
      L.maxPooling2d({poolSize: 2}),
      L.flatten(),
      L.dense({units: spec.dense, activation: 'relu'}),
      L.dense({units: spec.classes, activation: 'softmax'}),
    ];
  } else if (m === 'lstm' || m === 'gru') {
    const rnn = m === 'lstm' ? L.lstm : L.gru;
    layers = [rnn({units: spec.units, inputShape: spec.input}),
              L.dense({units: spec.classes, activation: 'softmax'})];
  } else if (m === 'text') {
    layers = [
      L.embedding({inputDim: spec.vocab, outputDim: spec.embed, inputLength: spec.input[0]}),
      L.bidirectional({layer: L.lstm({units: spec.units})}),
      L.dense({units: spec.classes, activation: 'softmax'}),
    ];
  } else {
    throw new Error('unknown model ' + m);
  }
  return tf.sequential({layers});
}

function makeData(tf, spec) {
  const n = spec.samples;
  const x = spec.model === 'text'
      ? tf.randomUniform([n, ...spec.input], 0, spec.vocab, 'int32', 0)
      : tf.randomNormal([n, ...spec.input], 0, 1, 'float32', 0);
  const labels = tf.randomUniform([n], 0, spec.classes, 'int32', 1);
  const y = tf.oneHot(labels, spec.classes).toFloat();
  labels.dispose();
  return [x, y];
}

async function train(tf, spec) {
  const [x, y] = makeData(tf, spec);
  const model = build(tf, spec);
  model.compile({optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy'});
  const b = spec.batch;
  const fitArgs = {epochs: 1, batchSize: b, shuffle: false, verbose: 0};
  const xb = x.slice(0, b), yb = y.slice(0, b);
  await model.fit(xb, yb, fitArgs);                       // warm-up: one batch
  // TF.js's pure-JS kernels can take many minutes for one epoch (the CNN's convolution
  // gradients): past `max_train_s` the epoch stops after the current batch, and the throughput
  // of the batches that ran is reported (flagged partial_epoch).
  const maxMs = (spec.max_train_s || Infinity) * 1e3;
  let batches = 0;
  let t0 = 0;
  const budget = new tf.CustomCallback({
    onBatchEnd: async () => {
      batches += 1;
      if (now() - t0 > maxMs) model.stopTraining = true;
    },
  });
  t0 = now();
  const history = await model.fit(x, y, {...fitArgs, callbacks: [budget]});
  const seconds = (now() - t0) / 1e3;
  const samples = Math.min(spec.samples, batches * b);
  const result = {metric: 'samples_per_s', value: samples / seconds, seconds, samples, batch: b,
                  warmup: 'untimed: one fit call on the first batch (raw torch: one step)',
                  final_mean_loss: history.history.loss[history.history.loss.length - 1]};
  if (samples < spec.samples) {
    result.partial_epoch = true;
    result.epoch_samples = spec.samples;
  }
  return result;
}

function timeCalls(fn, spec) {
  for (let i = 0; i < spec.warmup; i++) fn();
  const times = [];
  const start = now();
  for (let i = 0; i < spec.calls; i++) {
    const t0 = now();
    fn();
    times.push(now() - t0);
    if (i >= 4 && now() - start > spec.budget_s * 1e3) break;
  }
  return times;
}

async function predict(tf, spec) {
  const model = build(tf, spec);
  const x = tf.randomNormal([spec.batch, ...spec.input], 0, 1, 'float32', 0);
  const times = timeCalls(() => {
    const out = model.predict(x, {batchSize: spec.batch});  // one forward pass
    out.dataSync();
    out.dispose();
  }, spec);
  return {metric: 'ms_per_call', value: median(times), calls: times.length,
          min_ms: Math.min(...times)};
}

/** An IOHandler that reads a TF.js model.json and its weight shards from disk. */
function fileHandler(dir) {
  return {
    load: async () => {
      const mj = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
      const weightSpecs = [];
      const buffers = [];
      for (const group of mj.weightsManifest) {
        weightSpecs.push(...group.weights);
        for (const p of group.paths) buffers.push(fs.readFileSync(path.join(dir, p)));
      }
      const buf = Buffer.concat(buffers);
      const weightData = (buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength)
          ? buf.buffer : buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
      return {modelTopology: mj.modelTopology, weightSpecs, weightData, format: mj.format,
              generatedBy: mj.generatedBy, convertedBy: mj.convertedBy};
    },
  };
}

async function load(tf, spec, filesDir) {
  const dir = path.join(filesDir, 'tfjs');
  if (!fs.existsSync(path.join(dir, 'model.json'))) {
    return null;
  }
  const times = [];
  for (let i = 0; i < spec.loads; i++) {
    const t0 = now();
    const model = await tf.loadLayersModel(fileHandler(dir));
    times.push(now() - t0);
    model.dispose();
  }
  const warm = times.length > 1 ? times.slice(1) : times;
  return {metric: 'ms_per_load', value: median(warm), first_ms: times[0], loads: times.length};
}

async function main() {
  const [backend, workload, specJson, filesDir] = process.argv.slice(2);
  const spec = JSON.parse(specJson);
  let tf;
  try {
    tf = jsRequire('@tensorflow/tfjs');
    if (backend === 'wasm') jsRequire('@tensorflow/tfjs-backend-wasm');
  } catch (e) {
    return skip(`TF.js not installed in tests/js (run npm ci there): ${e.message.split('\n')[0]}`);
  }
  // TF.js prints a hint about tfjs-node on first use; keep stdout for the result line.
  const log = console.log;
  console.log = console.warn = () => {};
  if (!(await tf.setBackend(backend))) return skip(`TF.js backend ${backend} failed to start`);
  await tf.ready();
  console.log = log;
  const baseline = rssMb();
  let result;
  try {
    if (spec.kind === 'train') result = await train(tf, spec);
    else if (spec.kind === 'predict') result = await predict(tf, spec);
    else if (spec.kind === 'load') {
      result = await load(tf, spec, filesDir);
      if (!result) return skip('no tfjs-saved model to load (the tfjs implementation prepares it)');
    } else throw new Error('unknown workload kind ' + spec.kind);
  } catch (e) {
    // A gap in the backend (e.g. wasm has no Conv2DBackpropFilter or UnsortedSegmentSum, so it
    // cannot train a CNN or an Embedding) is a finding, reported as a skip with TF.js's words.
    const msg = String(e && e.message || e);
    if (/not registered for backend/.test(msg)) return skip(`TF.js ${backend}: ${msg}`);
    throw e;
  }
  result.versions = {tfjs_npm: tf.version.tfjs, node: process.version,
                     backend: tf.getBackend()};
  if (backend === 'wasm') {
    result.versions.simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
    result.versions.threads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
  }
  result.self_peak_rss_mb = process.resourceUsage().maxRSS / 1024;
  result.baseline_rss_mb = baseline;
  process.stdout.write(RESULT_PREFIX + JSON.stringify(result) + '\n');
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack || e) + '\n');
  process.exit(1);
});
