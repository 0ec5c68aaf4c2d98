import { z } from 'zod';
import * as tf from '../backends/tf.js';
import type { LossInput, LossNeeds, Objective } from '../core/types.js';
import { embeddingOf, extraSlot, l2Normalize, lossSchema, type LossEntry } from './common.js';

const schema = lossSchema({
  scale_pos: z.number().positive().default(2).describe('α, the positive scale (LOSSES.MULTI_SIMILARITY_LOSS.SCALE_POS, 2.0).'),
  scale_neg: z.number().positive().default(40).describe('β, the negative scale (LOSSES.MULTI_SIMILARITY_LOSS.SCALE_NEG, 40.0).'),
  thresh: z.number().default(0.5).describe('λ, the similarity threshold (self.thresh, 0.5).'),
  margin: z.number().min(0).default(0.1).describe('ε, the mining margin (self.margin, 0.1).'),
  normalize: z
    .boolean()
    .default(true)
    .describe('L2-normalise the embeddings first (the official model ends in linear_norm, so its features arrive normalised); false: raw dot products.'),
});

/** The official `epsilon`: a same-class similarity ≥ 1 − 1e-5 (the anchor itself) is not a positive pair. */
const SELF = 1 - 1e-5;
/** Stands in for ±∞ in masked minima, maxima and log-sum-exps (finite, so 0·BIG stays 0). */
const BIG = 1e30;

/**
 * Multi-similarity loss with its pair mining, as msight-tech/research-ms-loss
 * ret_benchmark/losses/multi_similarity_loss.py computes it on a batch of embeddings x and labels y,
 * with S = x̂x̂ᵀ (cosine similarities). For each anchor i:
 *   P_i = {j: y_j = y_i, S_ij < 1 − 1e-5} (the anchor itself drops out by similarity, as upstream),
 *   N_i = {k: y_k ≠ y_i};
 *   kept negatives: S_ik + ε > min_{j∈P_i} S_ij; kept positives: S_ij − ε < max_{k∈N_i} S_ik;
 *   ℓ_i = (1/α)·log(1 + Σ_{kept P} e^{−α(S_ij − λ)}) + (1/β)·log(1 + Σ_{kept N} e^{β(S_ik − λ)}).
 * An anchor with no kept positive or no kept negative contributes 0 (upstream skips it; it would
 * raise on an empty P_i or N_i, which the `pk` sampler rules out), and the loss is Σ_i ℓ_i divided by
 * the WHOLE batch size, as upstream does (not by the number of anchors that contribute). The
 * mining masks carry no gradient (comparisons). log(1 + Σ e^z) is taken as a log-sum-exp with a 0
 * term, equal in value and finite for unnormalised embeddings.
 */
export const multiSimilarity: LossEntry<z.infer<typeof schema>> = {
  name: 'multi-similarity',
  summary: 'Multi-similarity loss with pair mining on L2-normalised embeddings ("Multi-Similarity Loss with General Pair Weighting for Deep Metric Learning", Wang et al. CVPR 2019).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'embeddings', reduction: 'batch' },
  info: {
    group: 'metric learning: pair-based (train.sampler pk)',
    paper: 'Multi-Similarity Loss with General Pair Weighting for Deep Metric Learning (Wang et al. CVPR 2019)',
    source: 'msight-tech/research-ms-loss ret_benchmark/losses/multi_similarity_loss.py (defaults from ret_benchmark/config/defaults.py)',
    sampler: 'train with train.sampler {name: pk}: every anchor then has positives',
    metrics: 'no classifier: evaluation reports the loss and recall@k / map@r on the embedding',
  },
  create(o) {
    const needs: LossNeeds = { input: 'embeddings', reduction: 'batch', task: 'classification' };
    const compute = (input: LossInput): tf.Tensor =>
      tf.tidy(() => {
        const raw = embeddingOf(input, needs, 'multi-similarity');
        const x = o.normalize ? l2Normalize(raw) : raw;
        const sim = tf.matMul(x, x, false, true);
        const b = sim.shape[0]!;
        const y = tf.reshape(input.y, [b]);
        // masks as floats in {0, 1}: step() has a zero gradient, comparisons and logical ops have none
        const same = tf.cast(tf.equal(tf.expandDims(y, 1), tf.expandDims(y, 0)), 'float32');
        const posCand = tf.mul(same, tf.step(tf.sub(SELF, sim)));
        const negCand = tf.sub(1, same);
        const masked = (keep: tf.Tensor, v: tf.Tensor, fill: number) => tf.add(tf.mul(v, keep), tf.mul(tf.sub(1, keep), fill));
        const minPos = tf.min(masked(posCand, sim, BIG), 1, true);
        const maxNeg = tf.max(masked(negCand, sim, -BIG), 1, true);
        const negKeep = tf.mul(negCand, tf.step(tf.sub(tf.add(sim, o.margin), minPos)));
        const posKeep = tf.mul(posCand, tf.step(tf.sub(maxNeg, tf.sub(sim, o.margin))));
        const valid = tf.mul(tf.step(tf.sum(posKeep, 1)), tf.step(tf.sum(negKeep, 1)));
        const zeroCol = tf.zeros([b, 1]);
        // log(1 + Σ_kept e^z) = logsumexp([0, z_kept]), the others at −1e30
        const softplusSum = (keep: tf.Tensor, z: tf.Tensor) => tf.logSumExp(tf.concat([zeroCol, masked(keep, z, -BIG)], 1), 1);
        const pos = tf.div(softplusSum(posKeep, tf.mul(tf.sub(sim, o.thresh), -o.scale_pos)), o.scale_pos);
        const neg = tf.div(softplusSum(negKeep, tf.mul(tf.sub(sim, o.thresh), o.scale_neg)), o.scale_neg);
        const perAnchor = tf.mul(valid, tf.add(pos, neg));
        return tf.div(tf.sum(perAnchor), b);
      });
    const objective: Objective = { needs, variables: [], compute, dispose() {} };
    return objective;
  },
};
