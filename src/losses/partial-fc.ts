import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { Rng } from '../core/random.js';
import type { LossContext, LossInput, LossNeeds, Objective } from '../core/types.js';
import { classWeights, embeddingOf, extraSlot, l2Normalize, lossSchema, numClassesOf, oneHot, paramName, rowDot, variableState, type LossBuildDeps, type LossEntry } from './common.js';
import { arcTarget } from './margin-losses.js';
import { labelsOf } from './pairs.js';

const schema = lossSchema({
  sample_rate: z.number().gt(0).max(1).default(1).describe('Fraction ρ of the class centres in each step\'s softmax: the batch\'s positive classes plus random negatives up to int(ρ·K) (configs/base.py sample_rate 1.0).'),
  s: z.number().positive().default(64).describe('Scale s (CombinedMarginLoss s = 64).'),
  m2: z.number().min(0).max(Math.PI / 2).default(0.5).describe('Additive angular margin (margin_list (1.0, 0.5, 0.0): ArcFace).'),
  m3: z.number().min(0).default(0).describe('Additive cosine margin; when > 0 the target is cos θ_y − m3 (CosFace) and m2 is unused, as in CombinedMarginLoss.'),
});

/**
 * The class subset of one training step, as PartialFC_V2.sample does: the sorted unique positive
 * labels are always kept; when int(ρ·K) ≥ their count, every other class gets a uniform key in
 * [0, 1) (positives 2.0) and the int(ρ·K) largest keys are kept, sorted ascending. Deterministic
 * in (seed, step): the keys come from Rng.derive(ctx.seed, label).
 */
export function partialFcClasses(labels: ArrayLike<number>, k: number, sampleRate: number, rng: Rng): Int32Array {
  const positive = [...new Set(Array.from(labels))].sort((a, b) => a - b);
  const numSample = Math.floor(sampleRate * k);
  if (numSample - positive.length < 0) return Int32Array.from(positive);
  const keys = rng.fillUniform(new Float32Array(k));
  for (const c of positive) keys[c] = 2;
  const order = Array.from({ length: k }, (_, c) => c).sort((a, b) => keys[b]! - keys[a]! || a - b);
  return Int32Array.from(order.slice(0, numSample)).sort();
}

/**
 * Partial FC (deepinsight/insightface recognition/arcface_torch/partial_fc_v2.py PartialFC_V2 with
 * losses.py CombinedMarginLoss): centres W [D, K] ~ N(0, 0.01²); each training step keeps the
 * classes of partialFcClasses, relabels y to its position in that sorted list (searchsorted) and
 * takes CE on s·(margined cos) over the kept centres only. A class left out gets no gradient that
 * step (its optimizer state still moves, as upstream's full-weight optimizer). Evaluation and the
 * class probabilities use every centre.
 */
export const partialFc: LossEntry<z.infer<typeof schema>> = {
  name: 'partial-fc',
  summary: 'Partial FC: margin softmax over the positive class centres plus a random fraction of the negative ones each step (An et al., CVPR 2022).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'embeddings' },
  info: {
    group: 'face recognition: margin softmax with class proxies',
    paper: 'Killing Two Birds with One Stone: Efficient and Robust Training of Face Recognition CNNs by Partial FC (An et al., CVPR 2022)',
    source: 'deepinsight/insightface recognition/arcface_torch/partial_fc_v2.py (sample), losses.py (CombinedMarginLoss); defaults from configs/base.py',
    rng: true,
    sampler: 'any (a proxy loss)',
  },
  create(o, deps) {
    const k = numClassesOf(deps, 'partial-fc');
    const weight = classWeights(paramName(deps, 'partial-fc', 'weight'), deps, k, 0.01);
    const label = `${(deps as LossBuildDeps).path ?? 'loss'}/partial-fc`;
    const needs: LossNeeds = { input: 'embeddings', reduction: 'per-example', task: 'classification' };
    const cosines = (input: LossInput, cols?: Int32Array) => {
      const w = cols ? tf.gather(weight.variable, tf.tensor1d(cols, 'int32'), 1) : weight.variable;
      return tf.clipByValue(tf.matMul(l2Normalize(embeddingOf(input, needs, 'partial-fc')), l2Normalize(w, 0)), -1, 1) as tf.Tensor2D;
    };
    const compute = (input: LossInput, ctx: LossContext) =>
      tf.tidy(() => {
        let cols: Int32Array | undefined;
        let y = input.y;
        if (ctx.training && o.sample_rate < 1) {
          const labels = labelsOf(input.y);
          cols = partialFcClasses(labels, k, o.sample_rate, Rng.derive(ctx.seed, label));
          const at = new Map(Array.from(cols, (c, i) => [c, i] as const));
          y = tf.tensor1d(Array.from(labels, (c) => at.get(c)!), 'int32');
        }
        const cos = cosines(input, cols);
        const q = oneHot(y, cos.shape[1]);
        const cosY = rowDot(cos, q);
        const target = o.m3 > 0 ? tf.sub(cosY, o.m3) : arcTarget(cosY, o.m2);
        const logits = tf.mul(tf.add(cos, tf.mul(q, tf.expandDims(tf.sub(target, cosY), 1))), o.s);
        return tf.neg(rowDot(tf.logSoftmax(logits), q));
      });
    const objective: Objective = {
      needs,
      variables: [weight],
      compute,
      probabilities: (input) => tf.tidy(() => tf.softmax(tf.mul(cosines(input), o.s)) as tf.Tensor2D),
      ...variableState([weight]),
    };
    return objective;
  },
};
