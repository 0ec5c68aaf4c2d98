/**
 * LDAM (Cao et al. NeurIPS 2019, "Learning Imbalanced Datasets with Label-Distribution-Aware
 * Margin Loss"), kaidic/LDAM-DRW losses.py LDAMLoss: m_k ∝ n_k^{−1/4} scaled so that max_k m_k =
 * max_m, the target logit x_y − m_y, cross-entropy on s·output. cifar_train.py pairs LDAM with
 * NormedLinear (x̂·ŵ, `use_norm` when the loss is LDAM), so the loss owns the normalised classifier
 * here (input: embeddings), as cosface does with a per-class margin. DRW (deferred re-weighting,
 * cifar_train.py train_rule DRW): from epoch drw_epoch on, class weights (1 − β)/(1 − β^{n_k})
 * normalised to sum K, reduced as torch's weighted mean.
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { extraSlot, lossSchema, numClassesOf, oneHot, rowDot, type LossEntry } from './common.js';
import { classCountsOf, classWeightedValues, effectiveNumberWeights } from './class-prior.js';
import { marginObjective } from './margin-losses.js';

const schema = lossSchema({
  max_m: z.number().min(0).default(0.5).describe('Largest margin max_m, given to the rarest class (LDAMLoss default 0.5).'),
  s: z.number().positive().default(30).describe('Scale s of the cosine logits (LDAMLoss default 30).'),
  drw_epoch: z
    .int()
    .min(0)
    .nullable()
    .default(null)
    .describe('Deferred re-weighting: class weights apply from this 0-based epoch on (cifar_train.py uses 160 of 200); null = no re-weighting (train_rule None).'),
  beta: z.number().min(0).lt(1).default(0.9999).describe('β of the DRW effective-number weights (1 − β)/(1 − β^{n_k}) (cifar_train.py 0.9999).'),
});

/** m_k = max_m·n_k^{−1/4}/max_j n_j^{−1/4}. */
export function ldamMargins(counts: readonly number[], maxM: number): number[] {
  const raw = counts.map((n) => 1 / Math.sqrt(Math.sqrt(n)));
  const top = Math.max(...raw);
  return raw.map((m) => (m * maxM) / top);
}

export const ldam: LossEntry<z.infer<typeof schema>> = {
  name: 'ldam',
  summary: 'LDAM: cross-entropy on s·(cos θ_k − m_y·1[k = y]) with m_k ∝ n_k^(−1/4) and a normalised classifier, optional deferred re-weighting (Cao et al. 2019, kaidic/LDAM-DRW).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'embeddings' },
  info: {
    paper: 'Learning Imbalanced Datasets with Label-Distribution-Aware Margin Loss (Cao, Wei, Gaidon, Arechiga, Ma NeurIPS 2019)',
    source: 'kaidic/LDAM-DRW losses.py LDAMLoss (max_m 0.5, s 30), models NormedLinear, cifar_train.py DRW (betas [0, 0.9999], switch at epoch 160)',
    data: 'class counts of the train split (DataSpec.classCounts)',
    probabilities: 'softmax(s·cos θ), without the margin',
    evaluation: 'the margined loss without DRW weights',
  },
  create(o, deps) {
    const counts = classCountsOf(deps, 'ldam');
    const k = numClassesOf(deps, 'ldam');
    const margins = ldamMargins(counts, o.max_m);
    const base = marginObjective('ldam', deps, o.s, (cosY, input) => tf.sub(cosY, rowDot(oneHot(input.y, k), tf.tensor1d(margins))));
    if (o.drw_epoch === null) return base;
    const drwEpoch = o.drw_epoch;
    const weights = effectiveNumberWeights(counts, o.beta);
    return {
      ...base,
      compute: (input, ctx) =>
        tf.tidy(() => {
          const values = base.compute(input, ctx) as tf.Tensor1D;
          return ctx.training && ctx.epoch >= drwEpoch ? classWeightedValues(values, input.y, weights) : values;
        }),
    };
  },
};
