import { z } from 'zod';
import * as tf from '../backends/tf.js';
import type { LossNeeds } from '../core/types.js';
import { embeddingOf, extraSlot, l2Normalize, lossSchema, statelessObjective, type LossEntry } from './common.js';
import { markEmbeddingReader } from './compose.js';
import { eye, sameClass } from './pairs.js';

const schema = lossSchema({
  lambda_plus: z.number().min(0).default(1).describe('λ⁺, weight of the positive-pair term (1.0).'),
  lambda_minus: z.number().min(0).default(1).describe('λ⁻, weight of the negative-pair term (1.0).'),
  margin_plus: z.number().default(0.9).describe('m⁺: positive pairs with cosine ≤ m⁺ are penalised by m⁺ − s (0.9).'),
  margin_minus: z.number().default(0.5).describe('m⁻: negative pairs with cosine ≥ m⁻ are penalised by s − m⁻ (0.5).'),
});

/**
 * Threshold-consistent margin regulariser: on the batch's cosine matrix (every ordered pair i ≠ j,
 * as pytorch-metric-learning's convert_to_pairs with no miner),
 *   λ⁺·mean_{positive, s ≤ m⁺}(m⁺ − s) + λ⁻·mean_{negative, s ≥ m⁻}(s − m⁻),
 * a term being 0 when no pair qualifies. Meant as an `extra` term on a base metric loss
 * (`loss: {name: multi-similarity, extra: [{name: tcm}]}`); it reads LossInput.embedding, so it
 * also sits on a logits loss such as cross-entropy.
 */
export const tcm: LossEntry<z.infer<typeof schema>> = {
  name: 'tcm',
  summary: 'TCM: threshold-consistent margin regulariser on hard positive and negative pair cosines, added to a base metric loss (Zhang et al., ICLR 2024).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'embeddings', reduction: 'batch' },
  info: {
    group: 'metric learning: pair-based (train.sampler pk)',
    paper: 'Threshold-Consistent Margin Loss for Open-World Deep Metric Learning (Zhang et al., ICLR 2024)',
    source: 'KevinMusgrave/pytorch-metric-learning losses/threshold_consistent_margin_loss.py (ThresholdConsistentMarginLoss; defaults from it)',
    sampler: 'pk (needs positive pairs in the batch); with shuffle the positive term sees few pairs',
    use: 'as an extra term: {name: multi-similarity, extra: [{name: tcm}]}',
  },
  create(o) {
    const needs: LossNeeds = { input: 'embeddings', reduction: 'batch', task: 'classification' };
    const maskedMean = (sel: tf.Tensor, v: tf.Tensor) => tf.div(tf.sum(tf.mul(v, sel)), tf.maximum(tf.sum(sel), 1));
    return markEmbeddingReader(
      statelessObjective(needs, (input) => {
        const x = l2Normalize(embeddingOf(input, needs, 'tcm'));
        const b = x.shape[0]!;
        const sim = tf.matMul(x, x, false, true);
        const same = sameClass(input.y);
        const pos = tf.sub(same, eye(b));
        const neg = tf.sub(1, same);
        // s ≤ m⁺ as 1 − step(s − m⁺); s ≥ m⁻ as 1 − step(m⁻ − s) (comparisons carry no gradient)
        const posSel = tf.mul(pos, tf.sub(1, tf.step(tf.sub(sim, o.margin_plus))));
        const negSel = tf.mul(neg, tf.sub(1, tf.step(tf.sub(o.margin_minus, sim))));
        const posTerm = maskedMean(posSel, tf.sub(o.margin_plus, sim));
        const negTerm = maskedMean(negSel, tf.sub(sim, o.margin_minus));
        return tf.add(tf.mul(posTerm, o.lambda_plus), tf.mul(negTerm, o.lambda_minus));
      }),
    );
  },
};
