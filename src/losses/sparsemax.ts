import type { z } from 'zod';
import * as tf from '../backends/tf.js';
import { classificationNeeds, extraSlot, lossSchema, numClassesOf, oneHot, rowDot, statelessObjective, type LossEntry } from './common.js';

/**
 * sparsemax(z) = relu(z − τ(z)) and τ, row-wise. After sorting z descending, the support size is
 * k(z) = #{k : 1 + k·z_(k) > Σ_{j≤k} z_(j)} (a prefix of the sorted order) and
 * τ = (Σ_{j≤k(z)} z_(j) − 1)/k(z). Inputs are shifted by their row max first (sparsemax is
 * shift-invariant), which keeps the sums small for logits of ±1e4.
 */
export function sparsemaxWithTau(logits: tf.Tensor): { p: tf.Tensor2D; tau: tf.Tensor2D; z: tf.Tensor2D } {
  return tf.tidy(() => {
    const k = logits.shape[logits.rank - 1]!;
    const z = tf.sub(logits, tf.max(logits, -1, true)) as tf.Tensor2D;
    const sorted = tf.topk(z, k).values;
    const cums = tf.cumsum(sorted, 1);
    const ks = tf.range(1, k + 1, 1, 'float32');
    const inSupport = tf.cast(tf.greater(tf.add(1, tf.mul(ks, sorted)), cums), 'float32');
    const size = tf.sum(inSupport, -1, true);
    const tau = tf.div(tf.sub(tf.sum(tf.mul(inSupport, sorted), -1, true), 1), size) as tf.Tensor2D;
    const p = tf.relu(tf.sub(z, tau)) as tf.Tensor2D;
    return { p, tau, z };
  });
}

/**
 * ℓ = −z_y + ½·Σ_{j∈S}(z_j² − τ²) + ½, written as ½·Σ_j p_j(z_j + τ) − z_y + ½ (p_j = z_j − τ on
 * the support, 0 off it) to avoid cancelling squares; gradient sparsemax(z) − onehot via customGrad.
 */
const sparsemaxLossOp = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [logits, onehot, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  const { p, tau, z } = sparsemaxWithTau(logits);
  const value = tf.maximum(tf.add(tf.sub(tf.mul(tf.sum(tf.mul(p, tf.add(z, tau)), -1), 0.5), rowDot(z, onehot)), 0.5), 0);
  save([p, onehot]);
  return {
    value,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sp, q] = saved as [tf.Tensor, tf.Tensor];
      return [tf.mul(tf.expandDims(dy, 1), tf.sub(sp, q)), tf.zerosLike(q)];
    },
  };
});

const schema = lossSchema({});

export const sparsemax: LossEntry<z.infer<typeof schema>> = {
  name: 'sparsemax',
  summary: 'Sparsemax loss −z_y + ½Σ_{j∈S}(z_j² − τ²) + ½, probabilities = sparsemax ("From Softmax to Sparsemax", Martins & Astudillo 2016).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits' },
  info: { paper: 'From Softmax to Sparsemax: A Sparse Model of Attention and Multi-Label Classification (Martins & Astudillo ICML 2016)', probabilities: 'sparsemax' },
  create(_o, deps) {
    const k = numClassesOf(deps, 'sparsemax');
    return statelessObjective(
      classificationNeeds,
      ({ output, y }) => sparsemaxLossOp(output, oneHot(y, k)) as tf.Tensor1D,
      ({ output }) => sparsemaxWithTau(output).p,
    );
  },
};
