/**
 * conv2dFilterGradient (src/backends/webgpu-conv-gradient.ts), the batched im2col form of the
 * Conv2D filter gradient that minima runs on WebGPU, against tfjs' Conv2DBackpropFilter on the cpu
 * backend (rtol 1e-5): kernel sizes 1 and 3, strides 1 and 2, 'same', 'valid' and explicit
 * padding, one batch group and several (a small partial-product limit forces the grouping).
 */
import { describe, it } from 'node:test';
import { tf } from '../support/tf.js';
import { conv2dFilterGradient } from '../../src/backends/webgpu-conv-gradient.js';
import { Rng } from '../../src/core/random.js';
import { assertAgree } from './compare.js';

const cases: { k: number; stride: number; pad: 'same' | 'valid' | number; n: number; limit?: number }[] = [
  { k: 3, stride: 1, pad: 1, n: 4 },
  { k: 3, stride: 2, pad: 1, n: 4 },
  { k: 3, stride: 1, pad: 'valid', n: 3 },
  { k: 3, stride: 2, pad: 'same', n: 2 },
  { k: 1, stride: 2, pad: 'valid', n: 4 },
  { k: 3, stride: 1, pad: 1, n: 6, limit: 3 * 3 * 3 * 5 * 2 }, // two groups of three rows
  { k: 3, stride: 1, pad: 1, n: 5, limit: 1 }, // one group (5 is prime, and no group fits the limit)
];

describe('conv2dFilterGradient agrees with tfjs Conv2DBackpropFilter (cpu, rtol 1e-5)', () => {
  for (const c of cases) {
    it(`k ${c.k} stride ${c.stride} pad ${c.pad} batch ${c.n}${c.limit ? ` limit ${c.limit}` : ''}`, async () => {
      const rng = Rng.derive(9, 'conv-filter-gradient', JSON.stringify(c));
      const normal = (n: number): Float32Array => rng.fillNormal(new Float32Array(n));
      const x = tf.tensor4d(normal(c.n * 7 * 6 * 3), [c.n, 7, 6, 3]);
      const w = tf.tensor4d(normal(c.k * c.k * 3 * 5), [c.k, c.k, 3, 5]);
      const y = tf.conv2d(x, w, c.stride, c.pad);
      const dy = tf.tensor4d(normal(y.size), y.shape);
      const want = tf.grad((wi: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, wi as tf.Tensor4D, c.stride, c.pad), dy)))(w);
      const got = conv2dFilterGradient(x, dy, [c.k, c.k, 3, 5], { strides: c.stride, pad: c.pad }, c.limit);
      assertAgree(await got.data(), await want.data(), 'dW', 1e-5, 1e-6);
      tf.dispose([x, w, y, dy, want, got]);
    });
  }
});
