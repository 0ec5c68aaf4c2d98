// scratch: timing + MNIST accuracy (deleted after use)
import '../support/tf.js';
import * as tf from '../../src/backends/tf.js';
import { initBackend } from '../../src/backends/index.js';
import { buildModel } from '../../src/models/index.js';
import { loadMnistDigits } from '../../src/data/index.js';
import { Rng } from '../../src/core/random.js';
const [backend, specsJson, epochsArg] = process.argv.slice(2);
const info = await initBackend(backend as 'cpu');
console.log('backend', info.name, info.device);
const mnist = { task: 'classification', inputShape: [28, 28, 1], inputKind: 'dense', numClasses: 10, outputDim: 10 } as const;
const epochs = Number(epochsArg ?? 0);
const d = loadMnistDigits();
const n = d.y.length;
const perm = new Rng(0).permutation(n);
const trainIdx = perm.subarray(0, 8000), testIdx = perm.subarray(8000);
const gather = (idx: Int32Array) => { const x = new Float32Array(idx.length * 784); const y = new Int32Array(idx.length); idx.forEach((j, i) => { x.set(d.x.subarray(j * 784, j * 784 + 784), i * 784); y[i] = d.y[j]!; }); return { x: tf.tensor4d(x, [idx.length, 28, 28, 1]), y: tf.oneHot(tf.tensor1d(y, 'int32'), 10).toFloat() }; };
for (const spec of JSON.parse(specsJson!)) {
  const model = buildModel(spec, { data: mnist, seed: 1, head: 'logits' });
  const vars = model.params.map((p) => p.variable);
  const opt = tf.train.adam(1e-3);
  const step = (xb: tf.Tensor, yb: tf.Tensor, s: number) => tf.tidy(() => { const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(yb, model.apply(xb, { training: true, dropoutSeed: s }).output) as tf.Scalar, vars); opt.applyGradients(grads); return value; });
  const b = gather(trainIdx.subarray(0, 64));
  const ts: number[] = [];
  for (let i = 0; i < 6; i++) { const t0 = performance.now(); const l = step(b.x, b.y, i); await l.data(); l.dispose(); ts.push(performance.now() - t0); }
  const sorted = ts.slice(1).sort((a, c) => a - c);
  console.log(JSON.stringify(spec), 'params', model.paramCount, 'fwd+bwd+adam ms/batch64 median', sorted[2]!.toFixed(0), 'all', ts.map((t) => t.toFixed(0)).join(' '));
  const t0 = performance.now();
  for (let e = 0; e < epochs; e++) {
    const order = new Rng(100 + e).permutation(8000);
    for (let i = 0; i + 64 <= 8000; i += 64) {
      const bb = gather(Int32Array.from(order.subarray(i, i + 64), (k) => trainIdx[k]!));
      const l = step(bb.x, bb.y, e * 1000 + i); l.dispose(); tf.dispose([bb.x, bb.y]);
    }
    const te = gather(testIdx);
    const acc = tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(model.apply(te.x, { training: false }).output, 1), tf.argMax(te.y, 1)), 'float32')).dataSync()[0]!);
    tf.dispose([te.x, te.y]);
    console.log(`  epoch ${e + 1}: test acc ${(acc * 100).toFixed(2)}% (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  model.dispose();
}
