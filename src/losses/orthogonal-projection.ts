import { z } from 'zod';
import * as tf from '../backends/tf.js';
import type { LossNeeds } from '../core/types.js';
import { embeddingOf, extraSlot, l2Normalize, lossSchema, statelessObjective, type LossEntry } from './common.js';
import { markEmbeddingReader } from './compose.js';

const schema = lossSchema({
  gamma: z.number().min(0).default(0.5).describe('γ, weight of the negative-pair mean (0.5).'),
});

/**
 * OPL (batch-level) on the penultimate features f̂ = f/‖f‖:
 * s = mean_{i≠j, y_i=y_j} f̂_i·f̂_j, d = mean_{y_i≠y_j} f̂_i·f̂_j, ℓ = (1 − s) + γ·d, with the
 * official +1e-6 in both denominators (an empty pair set gives 0, not 0/0) and no |·| on d
 * (kahnchana/opl, loss.py). As an `extra` term its scalar is added to every example's loss.
 */
export const orthogonalProjection: LossEntry<z.infer<typeof schema>> = {
  name: 'orthogonal-projection',
  summary: 'Orthogonal Projection Loss (1 − s) + γ·d on normalised penultimate features, batch-level ("Orthogonal Projection Loss", Ranasinghe et al. ICCV 2021).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits+embedding', reduction: 'batch' },
  info: { paper: 'Orthogonal Projection Loss (Ranasinghe et al. ICCV 2021)', repo: 'kahnchana/opl' },
  create(o) {
    const needs: LossNeeds = { input: 'logits', reduction: 'batch', task: 'classification' };
    return markEmbeddingReader(
      statelessObjective(needs, (input) => {
        const f = l2Normalize(embeddingOf(input, needs, 'orthogonal-projection'));
        const y = tf.cast(input.y, 'int32');
        const same = tf.cast(tf.equal(tf.expandDims(y, 1), tf.expandDims(y, 0)), 'float32');
        const b = f.shape[0] ?? 0;
        const pos = tf.sub(same, tf.eye(b));
        const neg = tf.sub(1, same);
        const dot = tf.matMul(f, f, false, true);
        const posMean = tf.div(tf.sum(tf.mul(pos, dot)), tf.add(tf.sum(pos), 1e-6));
        const negMean = tf.div(tf.sum(tf.mul(neg, dot)), tf.add(tf.sum(neg), 1e-6));
        return tf.add(tf.sub(1, posMean), tf.mul(negMean, o.gamma));
      }),
    );
  },
};
