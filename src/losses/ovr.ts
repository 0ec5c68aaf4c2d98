/**
 * One-vs-the-rest losses for adversarial training (Kanai, Yamaguchi, Yamada, Takahashi, Ohno,
 * Ida, ICML 2023, "One-vs-the-Rest Loss to Focus on Important Samples in Adversarial Training"):
 *   OVR_i = −log σ(z_y) − Σ_{k≠y} log(1 − σ(z_k)) = softplus(−z_y) + Σ_{k≠y} softplus(z_k)
 *   SOVR: the fraction M of the batch with the smallest logit margins z_y − max_{k≠y} z_k takes
 *         OVR, the rest CE; the batch mean is the mean of the switched per-example losses.
 * Inside adversarial training they are the `base:` of pgd-at, so the margins are those of x_adv.
 * No official code was found: the selection counts ⌊M·B⌋ rows (ties by row order).
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { classificationNeeds, extraSlot, logProbTarget, lossSchema, numClassesOf, oneHot, rowDot, statelessObjective, type LossEntry } from './common.js';

/** OVR per row from logits [B, K] and one-hot targets. */
export function ovrTerm(logits: tf.Tensor, onehot: tf.Tensor): tf.Tensor1D {
  // softplus(−z) for the label, softplus(z) for the others: −log σ(z_y) − Σ log(1 − σ(z_k))
  const signed = tf.mul(logits, tf.sub(1, tf.mul(onehot, 2)));
  return tf.sum(tf.softplus(signed), -1) as tf.Tensor1D;
}

/** z_y − max_{k≠y} z_k per row. */
export function logitMargin(logits: tf.Tensor, onehot: tf.Tensor): tf.Tensor1D {
  const zy = rowDot(logits, onehot);
  const others = tf.max(tf.add(logits, tf.mul(onehot, -1e30)), -1);
  return tf.sub(zy, others) as tf.Tensor1D;
}

const ovrSchema = lossSchema({});

export const ovr: LossEntry<z.infer<typeof ovrSchema>> = {
  name: 'ovr',
  summary: 'One-vs-the-rest loss −log σ(z_y) − Σ_{k≠y} log(1 − σ(z_k)) on K logits (Kanai et al. 2023); the base of pgd-at for OVR adversarial training.',
  schema: ovrSchema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits' },
  info: { paper: 'One-vs-the-Rest Loss to Focus on Important Samples in Adversarial Training (Kanai et al. ICML 2023)', source: 'paper Eq. (OVR); no official code located', group: 'adversarial training (inputs perturbed by an attack)', docs: 'docs/adversarial.md' },
  create(_o, deps) {
    const k = numClassesOf(deps, 'ovr');
    return statelessObjective(classificationNeeds, ({ output, y }) => ovrTerm(output, oneHot(y, k)));
  },
};


const sovrSchema = lossSchema({
  fraction: z.number().min(0).max(1).default(0.4).describe('M: the fraction of the batch with the smallest logit margins that takes OVR (0: CE only, 1: OVR only). No official default was located; 0.4 is unverified.'),
});

export const sovr: LossEntry<z.infer<typeof sovrSchema>> = {
  name: 'sovr',
  summary: 'Switching one-vs-the-rest: OVR on the smallest-margin fraction M of the batch, CE on the rest (Kanai et al. 2023); the base of pgd-at.',
  schema: sovrSchema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits' },
  info: { paper: 'One-vs-the-Rest Loss to Focus on Important Samples in Adversarial Training (Kanai et al. ICML 2023)', source: 'paper §4 (SOVR); no official code located', example: '{"fraction":0.4}', group: 'adversarial training (inputs perturbed by an attack)', docs: 'docs/adversarial.md' },
  create(o, deps) {
    const k = numClassesOf(deps, 'sovr');
    return statelessObjective(classificationNeeds, ({ output, y }) => {
      const onehot = oneHot(y, k);
      const ce = tf.neg(logProbTarget(output, onehot));
      const rows = output.shape[0] ?? 0;
      const m = Math.floor(o.fraction * rows);
      if (m === 0) return ce;
      // the m smallest margins, picked on the values: the selection carries no gradient
      const margins = logitMargin(output, onehot).dataSync();
      const order = Array.from(margins.keys()).sort((a, b) => margins[a]! - margins[b]! || a - b);
      const mask = new Float32Array(rows);
      for (const i of order.slice(0, m)) mask[i] = 1;
      const selected = tf.tensor1d(mask);
      return tf.add(tf.mul(selected, ovrTerm(output, onehot)), tf.mul(tf.sub(1, selected), ce));
    });
  },
};
