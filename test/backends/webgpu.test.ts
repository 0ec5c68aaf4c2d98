/**
 * WebGPU (Dawn through the `webgpu` package) against cpu on every op case, gradients included.
 * Runs only with MINIMA_TEST_WEBGPU=1 and an adapter present; CI gets one from lavapipe
 * (scripts/ci-webgpu.sh). Synchronous reads of GPU tensors are made to throw, so a kernel or a
 * gradient that needs one fails here instead of stalling a GPU run.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../support/tf.js';
import { initBackend, type BackendInfo } from '../../src/backends/index.js';
import { opCases } from './op-cases.js';
import { assertMatchesCpu } from './compare.js';

let info: BackendInfo | undefined;
let skip: string | false = false;
if (process.env['MINIMA_TEST_WEBGPU'] !== '1') skip = 'set MINIMA_TEST_WEBGPU=1 (after scripts/ci-webgpu.sh) to run';
else {
  try {
    info = await initBackend('webgpu');
  } catch (err) {
    skip = `no WebGPU adapter: ${(err as Error).message}`;
  }
}

describe('webgpu backend agrees with cpu (rtol 1e-4)', { skip }, () => {
  before(async () => {
    await tf.setBackend('webgpu');
    const backend = tf.backend() as unknown as { readSync: (...a: unknown[]) => unknown };
    backend.readSync = () => {
      throw new Error('synchronous read of a GPU tensor');
    };
  });

  it('runs on an adapter and says which', () => {
    assert.equal(info?.name, 'webgpu');
    assert.match(info!.device, /^WebGPU \(Dawn\)/);
  });

  it('refuses synchronous reads (the guard above is in force)', async () => {
    await tf.setBackend('webgpu');
    const t = tf.ones([2000]);
    assert.throws(() => t.dataSync(), /synchronous read/);
    assert.equal((await t.data()).length, 2000);
    t.dispose();
  });

  it('BatchNorm-style moments backpropagate without uploading a tensor of x\'s size (no host-side ones)', async () => {
    await tf.setBackend('webgpu');
    const backend = tf.backend() as unknown as { uploadToGPU: (id: unknown) => void; tensorMap: { get(id: unknown): { values: unknown; shape: number[] } } };
    const x = tf.add(tf.zeros([8, 6, 6, 16]), 0.5);
    const uploads: number[] = [];
    const upload = backend.uploadToGPU;
    backend.uploadToGPU = (id: unknown) => {
      const d = backend.tensorMap.get(id);
      if (d.values != null) uploads.push(d.shape.reduce((a, b) => a * b, 1));
      upload(id);
    };
    try {
      const g = tf.grad((xi: tf.Tensor) => { const { mean, variance } = tf.moments(xi, [0, 1, 2]); return tf.sum(tf.add(mean, variance)); })(x);
      assert.equal((await g.data()).length, x.size);
      assert.ok(!uploads.some((n) => n >= x.size), `uploaded ${JSON.stringify(uploads)}`);
      g.dispose();
    } finally {
      backend.uploadToGPU = upload;
      x.dispose();
    }
  });

  for (const c of opCases) it(c.name, () => assertMatchesCpu('webgpu', c));
});
