/**
 * Additive-margin softmax losses on L2-normalised embeddings and loss-owned proxies W [D, K]
 * (N(0, 0.01²) as insightface): cos θ_k = x̂·ŵ_k, clipped to [−1, 1]. The margin enters the target
 * logit only; metrics use softmax(s·cos θ) (no margin). sin θ = √max(1 − cos², 1e-7) keeps the
 * gradient finite at cos = ±1 (acos and sqrt have infinite slopes there).
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { Rng } from '../core/random.js';
import type { LossContext, LossDeps, LossInput, LossNeeds, Objective } from '../core/types.js';
import { classWeights, embeddingOf, extraSlot, l2Normalize, lossSchema, numClassesOf, oneHot, paramName, rowDot, variableState, type LossBuildDeps, type LossEntry } from './common.js';

const FACE = 'ElasticFace: Elastic Margin Loss for Deep Face Recognition (Boutros et al. CVPRW 2022)';
const needs: LossNeeds = { input: 'embeddings', reduction: 'per-example', task: 'classification' };

/** Target-logit rule: cos θ_y [batch] (and the one-hot) → the margined cos of the target. */
export type TargetRule = (cosY: tf.Tensor1D, input: LossInput, ctx: LossContext) => tf.Tensor;

/** CE on s·cos θ with the target logit replaced by rule(cos θ_y); loss-owned proxies [D, K]. */
export function marginObjective(entry: string, deps: LossDeps, s: number, rule: TargetRule): Objective {
  const k = numClassesOf(deps, entry);
  const proxies = classWeights(paramName(deps, entry, 'weight'), deps, k, 0.01);
  const cosines = (input: LossInput) =>
    tf.clipByValue(tf.matMul(l2Normalize(embeddingOf(input, needs, entry)), l2Normalize(proxies.variable, 0)), -1, 1) as tf.Tensor2D;
  return {
    needs,
    variables: [proxies],
    compute: (input, ctx) =>
      tf.tidy(() => {
        const cos = cosines(input);
        const q = oneHot(input.y, k);
        const cosY = rowDot(cos, q);
        const target = rule(cosY, input, ctx);
        const logits = tf.mul(tf.add(cos, tf.mul(q, tf.expandDims(tf.sub(target, cosY), 1))), s);
        return tf.neg(rowDot(tf.logSoftmax(logits), q));
      }),
    probabilities: (input) => tf.tidy(() => tf.softmax(tf.mul(cosines(input), s)) as tf.Tensor2D),
    ...variableState([proxies]),
  };
}

const sinOf = (cos: tf.Tensor) => tf.sqrt(tf.maximum(tf.sub(1, tf.square(cos)), 1e-7));

/**
 * insightface's ArcFace target (also CombinedMarginLoss with m1 = 1, m3 = 0): cos(θ_y + m), with
 * cos θ − m·sin(π − m) beyond θ + m > π, or cos θ kept where cos θ ≤ 0 under easy_margin.
 */
export function arcTarget(cosY: tf.Tensor, m: number, easyMargin = false): tf.Tensor {
  const cm = Math.cos(m), sm = Math.sin(m);
  const th = Math.cos(Math.PI - m), mm = Math.sin(Math.PI - m) * m;
  const phi = tf.sub(tf.mul(cosY, cm), tf.mul(sinOf(cosY), sm));
  // cos > t written as !(t ≥ cos): tfjs registers a (zero) gradient for GreaterEqual, not Greater
  return easyMargin ? tf.where(tf.greaterEqual(0, cosY), cosY, phi) : tf.where(tf.greaterEqual(th, cosY), tf.sub(cosY, mm), phi);
}

/** cos(θ + m) with no fallback (ElasticFace, UNPG: acos, add, cos). m may be a tensor of per-example margins. */
export function plainArc(cosY: tf.Tensor, m: tf.Tensor | number): tf.Tensor {
  return tf.sub(tf.mul(cosY, tf.cos(m)), tf.mul(sinOf(cosY), tf.sin(m)));
}

const arcSchema = lossSchema({
  s: z.number().positive().default(64).describe('Scale s of the logits (64, tuned for thousands of identities; retune for 10 classes).'),
  m: z.number().min(0).max(Math.PI / 2).default(0.5).describe('Additive angular margin m (0.5).'),
  easy_margin: z.boolean().default(false).describe('insightface easy_margin: apply the margin only where cos θ_y > 0.'),
});

/**
 * Target cos(θ_y + m) = cos θ·cos m − sin θ·sin m. insightface's rule beyond θ + m > π
 * (cos θ < cos(π − m)): cos θ − m·sin(π − m), keeping the target monotone in θ; easy_margin
 * instead keeps cos θ where cos θ ≤ 0. Both branches are finite, so tf.where is safe.
 */
export const arcface: LossEntry<z.infer<typeof arcSchema>> = {
  name: 'arcface',
  summary: 'ArcFace: CE on s·cos(θ_y + m) with learnable class proxies ("ArcFace: Additive Angular Margin Loss for Deep Face Recognition", Deng et al. 2019).',
  schema: arcSchema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'embeddings' },
  info: { paper: 'ArcFace: Additive Angular Margin Loss for Deep Face Recognition (Deng et al. CVPR 2019)', repo: 'deepinsight/insightface' },
  create: (o, deps) => marginObjective('arcface', deps, o.s, (cosY) => arcTarget(cosY, o.m, o.easy_margin)),
};

const cosSchema = lossSchema({
  s: z.number().positive().default(64).describe('Scale s of the logits (64).'),
  m: z.number().min(0).default(0.35).describe('Additive cosine margin m (0.35).'),
});

export const cosface: LossEntry<z.infer<typeof cosSchema>> = {
  name: 'cosface',
  summary: 'CosFace: CE on s·(cos θ_k − m·1[k = y]) with learnable class proxies ("CosFace: Large Margin Cosine Loss for Deep Face Recognition", Wang et al. 2018).',
  schema: cosSchema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'embeddings' },
  info: { paper: 'CosFace: Large Margin Cosine Loss for Deep Face Recognition (Wang et al. CVPR 2018)', repo: 'deepinsight/insightface' },
  create: (o, deps) => marginObjective('cosface', deps, o.s, (cosY) => tf.sub(cosY, o.m)),
};

const elasticSchema = lossSchema({
  variant: z.enum(['arc', 'cos']).default('arc').describe('ElasticFace-Arc: s·cos(θ_y + m_i); ElasticFace-Cos: s·(cos θ_y − m_i).'),
  s: z.number().positive().default(64).describe('Scale s (64).'),
  m: z.number().min(0).optional().describe('Mean margin: 0.5 for arc, 0.35 for cos when omitted (the code defaults).'),
  std: z.number().min(0).default(0.0125).describe('σ of m_i ~ N(m, σ²): 0.0125 is the code default; the paper\'s configs also use 0.05.'),
});

/**
 * ElasticFace: every example draws m_i ~ N(m, σ²) each training step from
 * Rng.derive(ctx.seed, 'elasticface', <param name>), so the repeated evaluations of one step (SAM)
 * see the same margins. Evaluation (ctx.training false) uses the mean margin m. The "+" variant
 * (margins sorted against cos θ_y) is elasticface-plus below.
 */
export const elasticface: LossEntry<z.infer<typeof elasticSchema>> = {
  name: 'elasticface',
  summary: 'ElasticFace-Arc/-Cos: ArcFace/CosFace with a per-example margin m_i ~ N(m, σ²) drawn per step (Boutros et al. 2022).',
  schema: elasticSchema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'embeddings' },
  info: { paper: FACE, repo: 'fdbtrs/ElasticFace', rng: true },
  create(o, deps) {
    const m = o.m ?? (o.variant === 'arc' ? 0.5 : 0.35);
    const label = `${(deps as LossBuildDeps).path ?? 'loss'}/elasticface`;
    return marginObjective('elasticface', deps, o.s, (cosY, _input, ctx) => {
      const b = cosY.shape[0] ?? 0;
      const margins = new Float32Array(b).fill(m);
      if (ctx.training && o.std > 0) Rng.derive(ctx.seed, label).fillNormal(margins, m, o.std);
      const mi = tf.tensor1d(margins);
      return o.variant === 'cos' ? tf.sub(cosY, mi) : plainArc(cosY, mi);
    });
  },
};

/* ---------------------------------------------------------------- ElasticFace+ (issue 20) */

const elasticPlusSchema = lossSchema({
  variant: z.enum(['arc', 'cos']).default('arc').describe('ElasticArcFacePlus: s·cos(θ_y + m_i); ElasticCosFacePlus: s·(cos θ_y − m_i).'),
  s: z.number().positive().default(64).describe('Scale s (64).'),
  m: z.number().min(0).optional().describe('Mean margin: 0.5 for arc, 0.35 for cos when omitted (config/config.py).'),
  std: z.number().min(0).optional().describe('σ of m_i ~ N(m, σ²): 0.0175 for arc, 0.02 for cos when omitted (config/config.py for the Plus losses).'),
  order: z
    .enum(['code', 'rank'])
    .default('code')
    .describe("code: row r gets sorted_margins[argsort_desc(cos θ_y)[r]], as utils/losses.py indexes; rank: the example with the k-th largest cos θ_y gets the k-th smallest margin (the paper's wording)."),
});

/**
 * ElasticFace+ (fdbtrs/ElasticFace utils/losses.py, ElasticArcFace/ElasticCosFace with plus=True):
 * the batch's margins m_i ~ N(m, σ²) are sorted ascending and handed out by cos θ_y sorted
 * descending, under no_grad. Upstream writes `margin[idicate_cosie]` into row r, i.e. row r takes
 * the sorted margin at position argsort_desc(cos)[r] — a composition of the two permutations rather
 * than the rank assignment the paper describes; `order: rank` gives the latter. Margins come from
 * Rng.derive(ctx.seed, <path>/elasticface-plus) (every evaluation of one step draws the same);
 * evaluation uses the mean margin. Ties in cos θ_y keep row order.
 */
export const elasticfacePlus: LossEntry<z.infer<typeof elasticPlusSchema>> = {
  name: 'elasticface-plus',
  summary: 'ElasticFace+: ElasticFace margins m_i ~ N(m, σ²) sorted against the target cosines within the batch (Boutros et al. 2022).',
  schema: elasticPlusSchema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'embeddings' },
  info: { paper: FACE, source: 'fdbtrs/ElasticFace utils/losses.py (ElasticArcFace/ElasticCosFace, plus=True); defaults from config/config.py', rng: true, sampler: 'any (a proxy loss)' },
  create(o, deps) {
    const m = o.m ?? (o.variant === 'arc' ? 0.5 : 0.35);
    const std = o.std ?? (o.variant === 'arc' ? 0.0175 : 0.02);
    const label = `${(deps as LossBuildDeps).path ?? 'loss'}/elasticface-plus`;
    return marginObjective('elasticface-plus', deps, o.s, (cosY, _input, ctx) => {
      const b = cosY.shape[0] ?? 0;
      const margins = new Float32Array(b).fill(m);
      if (ctx.training && std > 0) {
        const drawn = Rng.derive(ctx.seed, label).fillNormal(new Float32Array(b), m, std).sort();
        const c = cosY.dataSync();
        const desc = Array.from({ length: b }, (_, i) => i).sort((i, j) => c[j]! - c[i]! || i - j);
        desc.forEach((row, k) => {
          if (o.order === 'code') margins[k] = drawn[row]!;
          else margins[row] = drawn[k]!;
        });
      }
      const mi = tf.tensor1d(margins);
      return o.variant === 'cos' ? tf.sub(cosY, mi) : plainArc(cosY, mi);
    });
  },
};
