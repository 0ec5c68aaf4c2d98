/**
 * one-hot-mse against hand-derived numbers on logits z = [2, 0, −1] with labels 0 and 2 (K = 3):
 * y = 0: (2 − 1)² + 0² + (−1)² = 2; y = 2: 2² + 0² + (−1 − 1)² = 8.
 * SquaredLoss (scale ½, sum over classes): 1 and 4; reduction mean: ½·2/3 and ½·8/3.
 * Gradient of ½Σ(z − t)²: z − t.
 */
import { describe, it } from 'node:test';
import { tf, assertClose } from '../support/tf.js';
import { createLoss } from '../../src/losses/index.js';
import type { Spec } from '../../src/core/registry.js';

const Z = [[2, 0, -1], [2, 0, -1]];
const Y = [0, 2];

function values(spec: Spec): number[] {
  const f = createLoss(spec);
  const v = tf.tidy(() => Array.from(f(tf.tensor2d(Z), tf.tensor1d(Y, 'int32')).dataSync()));
  f.dispose();
  return v;
}

describe('one-hot-mse', () => {
  it('½Σ_k (z_k − onehot_k)² = [1, 4] (the edge-of-stability code\'s SquaredLoss)', () => {
    assertClose(values({ name: 'one-hot-mse' }), [1, 4], 1e-6);
  });
  it('reduction mean divides by K; scale multiplies', () => {
    assertClose(values({ name: 'one-hot-mse', reduction: 'mean' }), [1 / 3, 4 / 3], 1e-6);
    assertClose(values({ name: 'one-hot-mse', scale: 1 }), [2, 8], 1e-6);
  });
  it('the gradient of the mean loss is (z − onehot)/batch', () => {
    const f = createLoss('one-hot-mse');
    const g = tf.tidy(() => Array.from(tf.grad((z: tf.Tensor) => tf.mean(f(z, tf.tensor1d(Y, 'int32'))))(tf.tensor2d(Z)).dataSync()));
    f.dispose();
    assertClose(g, [1 / 2, 0, -1 / 2, 2 / 2, 0, -2 / 2], 1e-6);
  });
});
