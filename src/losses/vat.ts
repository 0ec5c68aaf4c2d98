/**
 * Virtual adversarial training (Miyato et al. 2018), as takerum/vat_tf `vat.py` computes it:
 *   d ~ N(0, I) per example;  repeat num_power_iterations times:
 *     d ← ξ·normalize(d);  d ← ∇_d mean_i KL(p(x_i) ‖ p(x_i + d_i))   (a constant afterwards)
 *   r_adv = ε·normalize(d);  LDS_i = KL(stop_grad p(x_i) ‖ p(x_i + r_adv,i))
 * with vat_tf's get_normalized_vector: d / (1e-12 + max|d|), then / sqrt(1e-6 + Σ d²), per example.
 * The loss is CE on the labelled rows (y ≥ 0; y = −1 marks an unlabeled row, dataset.labeled) plus
 * α·LDS on every row, returned per example so that the trainer's batch mean is exactly
 *   mean_{labelled} CE + α·mean_{all} LDS:
 *   ℓ_i = [y_i ≥ 0]·CE_i·B/n_lab + α·LDS_i   (n_lab = labelled rows in the batch; the CE part is 0 when none).
 * In evaluation (ctx.training false) the factor B/n_lab is left out: each row reports CE_i + α·LDS_i.
 * The model is re-run through LossContext.apply (train/step.ts forwardLoss), at the current weights
 * with the step's training flag and dropout masks; those passes never move BatchNorm statistics.
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { RunnerError } from '../core/errors.js';
import { Rng } from '../core/random.js';
import type { LossContext, LossInput, LossNeeds } from '../core/types.js';
import { extraSlot, lossSchema, numClassesOf, oneHot, rowDot, statelessObjective, stopGradient, type LossEntry } from './common.js';

const schema = lossSchema({
  xi: z.number().positive().default(1e-6).describe('ξ: length of the finite-difference probe ξ·d in the power iteration (vat_tf flag `xi`, 1e-6).'),
  epsilon: z
    .number()
    .min(0)
    .default(8.0)
    .describe("ε: L2 norm of the virtual adversarial perturbation per example, in the model's input units (vat_tf flag `epsilon`, 8.0 for CIFAR-10 ZCA inputs; about 2 for MNIST pixels in [0, 1])."),
  alpha: z
    .number()
    .min(0)
    .default(1)
    .describe('α: weight of the LDS term (the paper\'s α; vat_tf adds it with weight 1). 0 = supervised CE on the labelled rows only, with no extra passes.'),
  num_power_iterations: z.int().min(1).default(1).describe('Power iterations for the adversarial direction (vat_tf flag `num_power_iterations`, 1).'),
});

type Options = z.infer<typeof schema>;

export const vatNeeds: LossNeeds = { input: 'logits', reduction: 'per-example', task: 'classification', inputs: true };

/** The random direction d of one evaluation: N(0, 1) of x's shape, from the loss's per-step seed (every pass of a step draws the same). */
export function vatDirection(seed: number, size: number): Float32Array {
  return Rng.derive(seed, 'vat', 'd').fillNormal(new Float32Array(size));
}

/** vat_tf get_normalized_vector: per example, divide by (1e-12 + max |d|), then by sqrt(1e-6 + Σ d²). */
export function normalizedVector(d: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const axes = Array.from({ length: d.rank - 1 }, (_, i) => i + 1);
    const scaled = tf.div(d, tf.add(tf.max(tf.abs(d), axes, true), 1e-12));
    return tf.div(scaled, tf.sqrt(tf.add(tf.sum(tf.square(scaled), axes, true), 1e-6)));
  });
}

/** KL(softmax(q) ‖ softmax(p)) per row, from logits (vat_tf layers.kl_divergence_with_logit before its batch mean). */
export function klWithLogits(qLogit: tf.Tensor, pLogit: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const logQ = tf.logSoftmax(qLogit);
    return rowDot(tf.exp(logQ), tf.sub(logQ, tf.logSoftmax(pLogit)));
  });
}

/** A tensor with g's values and no link to the gradient tape (the official tf.stop_gradient on the direction). */
function detached(g: tf.Tensor): tf.Tensor {
  // A customGrad stop-gradient would keep the inner backward pass on the outer tape (second-order
  // nodes, some without gradients); a copy of the values has no history at all.
  return tf.tensor(g.dataSync() as Float32Array, g.shape, 'float32');
}

/** r_adv: ε·normalize(d) after the power iteration, a constant of the outer gradient. */
export function virtualAdversarialPerturbation(x: tf.Tensor, logits: tf.Tensor, apply: (x: tf.Tensor) => tf.Tensor, o: Pick<Options, 'xi' | 'epsilon' | 'num_power_iterations'>, seed: number): tf.Tensor {
  const q = stopGradient(logits);
  let d: tf.Tensor = tf.tensor(vatDirection(seed, x.size), x.shape, 'float32');
  for (let it = 0; it < o.num_power_iterations; it++) {
    const probe = tf.mul(normalizedVector(d), o.xi);
    const g = tf.grad((r: tf.Tensor) => tf.mean(klWithLogits(q, apply(tf.add(x, r)))))(probe);
    d = detached(g);
  }
  return tf.mul(normalizedVector(d), o.epsilon);
}

/** Per-example LDS_i = KL(p(x_i) ‖ p(x_i + r_adv,i)), the clean distribution held constant. */
export function localDistributionalSmoothness(input: LossInput, ctx: LossContext, o: Pick<Options, 'xi' | 'epsilon' | 'num_power_iterations'>): tf.Tensor1D {
  const { x } = input;
  const apply = ctx.apply;
  if (!x || !apply) throw new RunnerError('CONFIG_INVALID', 'vat needs the batch inputs and the model (LossInput.x, LossContext.apply)');
  if (x.dtype !== 'float32') throw new RunnerError('CONFIG_INVALID', 'vat perturbs the inputs, so it needs float inputs (not tokens)');
  const logitsOf = (v: tf.Tensor) => apply(v).output;
  const rAdv = virtualAdversarialPerturbation(x, input.output, logitsOf, o, ctx.seed);
  return klWithLogits(stopGradient(input.output), logitsOf(tf.add(x, rAdv)));
}

export const vat: LossEntry<Options> = {
  name: 'vat',
  summary: 'Virtual adversarial training: CE on labelled rows + α·KL(p(x) ‖ p(x + r_adv)) on all rows; semi-supervised with dataset.labeled (Miyato et al. 2018).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits', inputs: true, unlabeled: true },
  info: {
    paper: 'Virtual Adversarial Training: A Regularization Method for Supervised and Semi-Supervised Learning (Miyato, Maeda, Koyama, Ishii 2018)',
    source: 'takerum/vat_tf vat.py (virtual_adversarial_loss, get_normalized_vector), train_semisup.py (loss = nll_loss + vat_loss)',
    differences:
      'one batch holds labelled and unlabeled rows (vat_tf draws a labelled batch of 32 and an unlabeled one of 128); the CE mean is over the labelled rows of the batch; perturbed passes reuse the step\'s dropout masks',
    docs: 'docs/capabilities/input-gradients.md',
  },
  create(o, deps) {
    const k = numClassesOf(deps, 'vat');
    if (deps.data.inputKind === 'tokens') throw new RunnerError('CONFIG_INVALID', 'loss "vat" perturbs the inputs, so it needs float inputs (not tokens)');
    return statelessObjective(vatNeeds, (input, ctx) => {
      const y = input.y;
      const labelled = tf.cast(tf.greaterEqual(y, 0), 'float32');
      const ce = tf.neg(rowDot(tf.logSoftmax(input.output), oneHot(tf.maximum(y, 0), k)));
      // training: the labelled rows' CE is scaled so the batch mean is the mean over labelled rows
      // (vat_tf's separate labelled batch); evaluation reports each row's own CE_i + α·LDS_i
      const rows = y.shape[0] ?? 1;
      const masked = tf.mul(ce, labelled);
      const supervised = ctx.training ? tf.mul(masked, tf.div(rows, tf.maximum(tf.sum(labelled), 1))) : masked;
      // createLoss and the loss contract call compute without the model: the LDS term needs it
      if (o.alpha === 0 || (!input.x && !ctx.apply)) return supervised;
      return tf.add(supervised, tf.mul(localDistributionalSmoothness(input, ctx, o), o.alpha));
    });
  },
};
