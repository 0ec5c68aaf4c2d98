import { z } from 'zod';
import * as tf from '../backends/tf.js';
import type { LossNeeds } from '../core/types.js';
import { embeddingOf, extraSlot, l2Normalize, lossSchema, statelessObjective, type LossEntry } from './common.js';
import { labelsOf, pairwiseDistance } from './pairs.js';

const schema = lossSchema({
  margin: z.number().min(0).default(1).describe('Margin α of max(d_ap − d_an + α, 0) (tfa TripletSemiHardLoss / TripletHardLoss margin 1.0).'),
  mining: z.enum(['semi-hard', 'hard']).default('semi-hard').describe('semi-hard: every anchor-positive pair with its semi-hard negative (FaceNet; tfa triplet_semihard_loss); hard: per anchor its hardest positive and hardest negative (batch-hard; tfa triplet_hard_loss).'),
  distance: z.enum(['L2', 'squared-L2']).default('L2').describe('Distance metric (tfa distance_metric, default "L2").'),
  soft: z.boolean().default(false).describe('hard mining only: log1p(exp(d_ap − d_an)) instead of the hinge (tfa soft=False).'),
  normalize: z.boolean().default(true).describe('L2-normalise the embeddings first (tfa expects l2-normalised embeddings; FaceNet normalises in the model).'),
});

/**
 * The mined partner of each term, from the distances in JS (mining decides on values; the loss
 * then gathers the chosen distances so that gradients flow as upstream's masked min/max would).
 * Semi-hard (tfa triplet_semihard_loss): for every pair (a, p), a ≠ p, same label, the negative n
 * with the smallest d_an > d_ap, else the largest d_an; the loss is Σ max(α + d_ap − d_an, 0) over
 * those pairs divided by their number. Hard (triplet_hard_loss): per anchor the largest d_ap
 * (0 when the anchor has no positive, as masked_maximum gives) and the smallest d_an; the mean over
 * all anchors.
 */
export function mineTriplets(d: ArrayLike<number>, labels: ArrayLike<number>, mining: 'semi-hard' | 'hard'): { ap: number[]; an: number[]; count: number } {
  const b = labels.length;
  const ap: number[] = [];
  const an: number[] = [];
  for (let a = 0; a < b; a++) {
    let far = -1; // the largest d_an (masked_maximum over negatives)
    let near = -1; // the smallest d_an
    for (let n = 0; n < b; n++) {
      if (labels[n] === labels[a]) continue;
      if (far < 0 || d[a * b + n]! > d[a * b + far]!) far = n;
      if (near < 0 || d[a * b + n]! < d[a * b + near]!) near = n;
    }
    if (mining === 'hard') {
      let hp = -1;
      for (let p = 0; p < b; p++) if (p !== a && labels[p] === labels[a] && (hp < 0 || d[a * b + p]! > d[a * b + hp]!)) hp = p;
      // no positive: masked_maximum returns the row minimum, the 0 on the diagonal (index a·b + a)
      ap.push(a * b + (hp < 0 ? a : hp));
      // no negative: masked_minimum returns the row maximum
      let rowMax = 0;
      for (let j = 1; j < b; j++) if (d[a * b + j]! > d[a * b + rowMax]!) rowMax = j;
      an.push(a * b + (near < 0 ? rowMax : near));
      continue;
    }
    // no negative: masked_maximum over an empty mask gives the row minimum, the diagonal's 0
    if (far < 0) far = a;
    for (let p = 0; p < b; p++) {
      if (p === a || labels[p] !== labels[a]) continue;
      const dap = d[a * b + p]!;
      let semi = -1;
      for (let n = 0; n < b; n++) if (labels[n] !== labels[a] && d[a * b + n]! > dap && (semi < 0 || d[a * b + n]! < d[a * b + semi]!)) semi = n;
      ap.push(a * b + p);
      an.push(a * b + (semi < 0 ? far : semi));
    }
  }
  return { ap, an, count: mining === 'hard' ? b : ap.length };
}

/**
 * Triplet loss with in-batch mining, as tensorflow/addons tensorflow_addons/losses/triplet.py
 * computes it (distances from metric_learning.pairwise_distance). Semi-hard divides by the number
 * of positive pairs (0 when there is none, where tfa would divide by zero).
 */
export const triplet: LossEntry<z.infer<typeof schema>> = {
  name: 'triplet',
  summary: 'Triplet margin loss with in-batch semi-hard (FaceNet) or batch-hard mining (Schroff et al. 2015; Hermans et al. 2017).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'embeddings', reduction: 'batch' },
  info: {
    group: 'metric learning: pair-based (train.sampler pk)',
    paper: 'FaceNet: A Unified Embedding for Face Recognition and Clustering (Schroff et al., CVPR 2015); In Defense of the Triplet Loss for Person Re-Identification (Hermans et al. 2017)',
    source: 'tensorflow/addons tensorflow_addons/losses/triplet.py (triplet_semihard_loss, triplet_hard_loss); metric_learning.py (pairwise_distance)',
    sampler: 'pk (every anchor needs a positive; batch-hard was designed for P×K batches)',
  },
  create(o) {
    const needs: LossNeeds = { input: 'embeddings', reduction: 'batch', task: 'classification' };
    return statelessObjective(needs, (input) => {
      const raw = embeddingOf(input, needs, 'triplet');
      const x = (o.normalize ? l2Normalize(raw) : raw) as tf.Tensor2D;
      const d = tf.reshape(pairwiseDistance(x, o.distance === 'squared-L2'), [-1]);
      const { ap, an, count } = mineTriplets(d.dataSync(), labelsOf(input.y), o.mining);
      if (ap.length === 0) return tf.mul(tf.sum(d), 0);
      const diff = tf.sub(tf.gather(d, tf.tensor1d(ap, 'int32')), tf.gather(d, tf.tensor1d(an, 'int32')));
      const terms = o.mining === 'hard' && o.soft ? tf.softplus(diff) : tf.relu(tf.add(diff, o.margin));
      return tf.div(tf.sum(terms), count);
    });
  },
};
