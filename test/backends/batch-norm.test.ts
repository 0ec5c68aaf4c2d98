/**
 * The fused training BatchNorm(+ReLU) kernels (src/backends/kernels/batch-norm.ts) against the
 * composite ops they replace (setFusedKernels(false)), on cpu and wasm: y, the batch moments and
 * the gradients with respect to x, γ and β at rtol 1e-4; both loop paths (channels a multiple of 4
 * and not); a loss that uses the moments themselves; the same bits on a second run.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../support/tf.js';
import { initBackend } from '../../src/backends/index.js';
import { batchNormTrain } from '../../src/backends/kernels/batch-norm.js';
import { setFusedKernels } from '../../src/backends/kernels/kernel.js';
import { Rng } from '../../src/core/random.js';
import { assertAgree } from './compare.js';

await initBackend('wasm');
const EPS = 1e-5;

function composite(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, relu: boolean): { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor } {
  const { mean, variance } = tf.moments(x, x.shape.slice(0, -1).map((_, i) => i));
  const z = tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, EPS))), gamma), beta);
  return { y: relu ? tf.relu(z) : z, mean, variance };
}

interface Result { readonly values: Float32Array[] }

/** y, μ, σ² and d/dx, d/dγ, d/dβ of Σ y⊙w (+ Σ μ⊙u + Σ σ²⊙v with `moments`). */
async function run(fused: boolean, shape: number[], relu: boolean, moments: boolean): Promise<Result> {
  const rng = Rng.derive(5, 'bn', shape.join('x'));
  const c = shape[shape.length - 1]!;
  const size = shape.reduce((a, b) => a * b, 1);
  const normal = (n: number, scale = 1, shift = 0): Float32Array => rng.fillNormal(new Float32Array(n)).map((v) => v * scale + shift);
  const x = tf.tensor(normal(size, 2, 0.5), shape);
  const gamma = tf.tensor(normal(c, 0.3, 1), [c]);
  const beta = tf.tensor(normal(c, 0.2), [c]);
  const w = tf.tensor(normal(size), shape);
  const u = tf.tensor(normal(c), [c]);
  const v = tf.tensor(normal(c), [c]);
  const f = (xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor): ReturnType<typeof composite> =>
    (fused ? batchNormTrain(xi, gi, bi, EPS, relu) : composite(xi, gi, bi, relu));
  setFusedKernels(fused);
  try {
    const out = tf.tidy(() => {
      const r = f(x, gamma, beta);
      return [r.y, r.mean, r.variance];
    });
    const grads = tf.grads((xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor) => {
      const r = f(xi, gi, bi);
      const loss = tf.sum(tf.mul(r.y, w));
      return moments ? tf.add(loss, tf.add(tf.sum(tf.mul(r.mean, u)), tf.sum(tf.mul(r.variance, v)))) : loss;
    })([x, gamma, beta]);
    const values = await Promise.all([...out, ...grads].map(async (t) => Float32Array.from(await t.data() as Float32Array)));
    tf.dispose([...out, ...grads, x, gamma, beta, w, u, v]);
    return { values };
  } finally {
    setFusedKernels(true);
  }
}

const labels = ['y', 'mean', 'variance', 'dx', 'dgamma', 'dbeta'];
const cases: { shape: number[]; relu: boolean; moments: boolean }[] = [
  { shape: [6, 5, 5, 8], relu: true, moments: false },
  { shape: [6, 5, 5, 8], relu: false, moments: false },
  { shape: [4, 3, 3, 6], relu: true, moments: false },
  { shape: [7, 12], relu: false, moments: true },
  { shape: [32, 4, 4, 64], relu: true, moments: true },
];

describe('fused training BatchNorm(+ReLU) kernels', () => {
  after(() => tf.setBackend('wasm'));
  for (const backend of ['cpu', 'wasm']) {
    for (const k of cases) {
      it(`${backend}: [${k.shape}] ${k.relu ? 'with' : 'without'} ReLU${k.moments ? ', loss using μ and σ²' : ''} agrees with the composite`, async () => {
        await tf.setBackend(backend);
        const before = tf.memory().numTensors;
        const fused = await run(true, k.shape, k.relu, k.moments);
        assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
        const ref = await run(false, k.shape, k.relu, k.moments);
        fused.values.forEach((v, i) => assertAgree(v, ref.values[i]!, `${backend} ${labels[i]}`));
        const again = await run(true, k.shape, k.relu, k.moments);
        again.values.forEach((v, i) => assert.deepEqual(v, fused.values[i], `${labels[i]}: same bits on a second run`));
      });
    }
  }

  it('cpu and wasm give the same bits (the same loops)', async () => {
    await tf.setBackend('cpu');
    const a = await run(true, [8, 4, 4, 12], true, true);
    await tf.setBackend('wasm');
    const b = await run(true, [8, 4, 4, 12], true, true);
    a.values.forEach((v, i) => assert.deepEqual(b.values[i], v, labels[i]));
  });
});
