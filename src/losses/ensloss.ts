/**
 * EnsLoss (Dai 2024, "EnsLoss: Stochastic Calibrated Loss Ensembles for Preventing Overfitting in
 * Classification"), ported from statmlben/ensLoss `losses.py` class `ensLoss` (forward), with its
 * two baselines from the same file: `BCELoss` (→ `logistic`) and `Hinge` (→ `binary-hinge`).
 * All three read the binary head: one logit f(x), margins m = y·f with y = 2t − 1.
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { Rng } from '../core/random.js';
import { extraSlot, lossSchema, statelessObjective, type LossBuildDeps, type LossEntry } from './common.js';
import { binaryMargin, binaryNeeds, binaryProbabilityMap, requireTwoClasses } from './binary-head.js';

const REPO = 'statmlben/ensLoss';

const schema = lossSchema({
  lam: z
    .number()
    .finite()
    .default(0)
    .describe('λ of the inverse Box-Cox map of the N(0,1) draws: λ = 0 → exp(z) (official default, derivatives −exp(N(0,1))); else max(1 + λz, 0)^(1/λ).'),
});

/** ensLoss.BC_inv: the inverse Box-Cox transform. */
export function boxCoxInverse(z: number, lam: number): number {
  if (lam === 0) return Math.exp(z);
  const d = 1 + lam * z;
  return Math.max(d, 0) ** (1 / lam);
}

/**
 * The step's sorted, clipped random derivatives (ascending): rd = −BC_inv(N(0,1)), sorted, then
 * max(rd, −1) — `rd_grad` of the official forward, drawn from Rng.derive(seed, 'ensloss', path)
 * so every evaluation of one step (SAM) sees the same draw.
 */
export function ensLossDerivatives(n: number, lam: number, seed: number, label = 'loss'): Float32Array {
  const z = Rng.derive(seed, 'ensloss', label).fillNormal(new Float32Array(n), 0, 1);
  const rd = Array.from(z, (v) => -boxCoxInverse(v, lam)).sort((a, b) => a - b);
  return Float32Array.from(rd, (v) => Math.max(v, -1));
}

/**
 * g_i·m_i with g detached (an op with a custom gradient dy·g: sorting and scattering stay off the
 * tape). The i-th smallest margin gets the i-th smallest (most negative) derivative; margins > 1
 * divide theirs by m ("superlinear tail"); then g − 1e-6. The batch mean is the official `loss.mean()`.
 */
const ensLossOp = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [margin, derivatives, save] = args as [tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
  const n = margin.shape[0]!;
  // ascending order of the margins (official torch.sort(s_batch)); ties keep the lower row first
  const order = tf.topk(tf.neg(margin), n, true).indices;
  const g0 = tf.scatterND(tf.expandDims(order, 1), derivatives, [n]);
  const g = tf.sub(tf.div(g0, tf.maximum(margin, 1)), 1e-6);
  save([g, derivatives]);
  return {
    value: tf.mul(g, margin),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.mul(dy, saved[0]!), tf.zerosLike(saved[1]!)],
  };
});

/** Per-example ensLoss values g_i·m_i for the step's sorted, clipped derivatives. */
export function ensLossValues(margin: tf.Tensor1D, derivatives: Float32Array): tf.Tensor1D {
  return tf.tidy(() => ensLossOp(margin, tf.tensor1d(derivatives)) as tf.Tensor1D);
}

export const ensloss: LossEntry<z.infer<typeof schema>> = {
  name: 'ensloss',
  summary: 'EnsLoss: binary margins m = y·f, random calibrated loss derivatives (−exp(N(0,1)), sorted, clipped at −1) assigned by margin rank; loss mean(stopgrad(g)·m) (Dai 2024).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits', head: 'binary' },
  info: {
    paper: 'EnsLoss: Stochastic Calibrated Loss Ensembles for Preventing Overfitting in Classification (Dai 2024)',
    source: `${REPO} losses.py (class ensLoss, forward)`,
    gradient: 'surrogate by design: the derivative g is detached and re-drawn each step, so the value is not a function whose finite differences match',
    note: 'official `period` (10) is declared but unused by forward (a fresh draw every call); here a fresh draw every step from LossContext.seed. The official `dist` argument (Exponential(1)) is unused by forward (commented out) and not ported.',
  },
  create(o, deps) {
    requireTwoClasses(deps, 'ensloss');
    const label = (deps as LossBuildDeps).path ?? 'loss';
    return statelessObjective(
      binaryNeeds,
      (input, ctx) => {
        const m = binaryMargin(input, 'ensloss');
        return ensLossValues(m, ensLossDerivatives(m.shape[0]!, o.lam, ctx.seed, label));
      },
      binaryProbabilityMap('ensloss'),
    );
  },
};

const plain = lossSchema({});

export const logistic: LossEntry<z.infer<typeof plain>> = {
  name: 'logistic',
  summary: 'Binary logistic loss log(1 + exp(−y·f)) on a one-logit head (BCEWithLogits; the ensLoss baseline `BCELoss`).',
  schema: plain,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits', head: 'binary' },
  info: { source: `${REPO} losses.py (class BCELoss: nn.BCEWithLogitsLoss)`, note: 'softplus(−m) = BCEWithLogits(f, t) for t ∈ {0, 1}' },
  create(_o, deps) {
    requireTwoClasses(deps, 'logistic');
    return statelessObjective(binaryNeeds, (input) => tf.softplus(tf.neg(binaryMargin(input, 'logistic'))), binaryProbabilityMap('logistic'));
  },
};

export const binaryHinge: LossEntry<z.infer<typeof plain>> = {
  name: 'binary-hinge',
  summary: 'Binary hinge max(0, 1 − y·f) on a one-logit head (the ensLoss baseline `Hinge`).',
  schema: plain,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits', head: 'binary' },
  info: { source: `${REPO} losses.py (class Hinge)` },
  create(_o, deps) {
    requireTwoClasses(deps, 'binary-hinge');
    return statelessObjective(binaryNeeds, (input) => tf.relu(tf.sub(1, binaryMargin(input, 'binary-hinge'))), binaryProbabilityMap('binary-hinge'));
  },
};
