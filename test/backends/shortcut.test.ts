/**
 * The option-A shortcut kernel (src/backends/kernels/shortcut.ts) against the composite it
 * replaces (subsample, then a channel pad) on cpu and wasm: a copy, so values and gradients agree
 * bit for bit, odd sizes and stride 1 included.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../support/tf.js';
import { initBackend } from '../../src/backends/index.js';
import { subsamplePad } from '../../src/backends/kernels/shortcut.js';
import { setFusedKernels } from '../../src/backends/kernels/kernel.js';
import { subsample } from '../../src/models/layers.js';
import { Rng } from '../../src/core/random.js';

await initBackend('wasm');

const composite = (x: tf.Tensor4D, stride: number, before: number, channels: number): tf.Tensor =>
  tf.pad(stride === 1 ? x : subsample(x, stride), [[0, 0], [0, 0], [0, 0], [before, channels - x.shape[3] - before]]);

async function evaluate(fused: boolean, shape: [number, number, number, number], stride: number, before: number, channels: number): Promise<Float32Array[]> {
  const rng = Rng.derive(2, 'shortcut', shape.join('x'));
  const x = tf.tensor4d(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1))), shape);
  const f = (v: tf.Tensor): tf.Tensor => (fused ? subsamplePad(v as tf.Tensor4D, stride, before, channels)! : composite(v as tf.Tensor4D, stride, before, channels));
  setFusedKernels(fused);
  try {
    const y = f(x);
    const w = tf.tensor(rng.fillNormal(new Float32Array(y.size)), y.shape);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(f(v), w)))(x);
    const out = [Float32Array.from(await y.data() as Float32Array), Float32Array.from(await g.data() as Float32Array), Float32Array.from(y.shape)];
    tf.dispose([x, y, w, g]);
    return out;
  } finally {
    setFusedKernels(true);
  }
}

describe('option-A shortcut kernel (subsample + channel zero-pad)', () => {
  after(() => tf.setBackend('wasm'));
  const cases: [[number, number, number, number], number, number, number][] = [
    [[3, 8, 8, 4], 2, 2, 8],
    [[2, 5, 7, 3], 2, 1, 6],
    [[2, 4, 4, 2], 1, 0, 5],
    [[1, 7, 7, 2], 3, 3, 8],
  ];
  for (const backend of ['cpu', 'wasm']) {
    for (const [shape, stride, before, channels] of cases) {
      it(`${backend}: [${shape}] stride ${stride} into ${channels} channels from ${before}: the composite's values and gradient, bit for bit`, async () => {
        await tf.setBackend(backend);
        const n = tf.memory().numTensors;
        const got = await evaluate(true, shape, stride, before, channels);
        assert.equal(tf.memory().numTensors, n, 'no tensor leaks');
        const want = await evaluate(false, shape, stride, before, channels);
        assert.deepEqual(got, want);
      });
    }
  }
});
