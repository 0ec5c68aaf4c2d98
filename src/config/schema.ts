/**
 * The experiment file, as zod sees it: the single source of truth for top-level keys, their
 * defaults and descriptions. Component blocks (dataset, model, loss, optimizer, schedule,
 * diagnostics) are validated against their registry entries by src/core/resolve-spec.ts.
 */
import { z } from 'zod';
import { attackSpecSchema, robustKey } from '../attacks/index.js';
import { backendNames } from '../backends/index.js';
import type { Resolved } from '../core/registry.js';
import { mixSchema } from '../data/mix.js';
import { samplerSchema } from '../data/samplers/index.js';
import { retrievalSchema } from '../metrics/retrieval.js';

const positiveInt = z.number().int().positive();

/**
 * The longest experiment name: a run folder is `<yyyymmdd-hhmmss>-<name>[-<n>]` (16 + name + up to
 * 5 characters) and a file name may hold 255 bytes; names are ASCII, so characters are bytes.
 */
export const MAX_NAME_LENGTH = 255 - 16 - 5;

/** train.ema: an exponential moving average of the weights (src/train/ema.ts; docs/capabilities/parameter-sets.md). */
export const emaSchema = z.strictObject({
  decay: z.number().gt(0).lt(1).default(0.9998).describe('EMA decay d in (0, 1): ema ← ema + (1 − d)(θ − ema) (timm train.py --model-ema-decay default 0.9998).'),
  warmup: z
    .union([z.boolean(), z.enum(['tf', 'timm', 'none'])])
    .default(true)
    .describe('Decay warmup at step t (optimizer steps done, this one included): true | "tf": min(d, (1 + t)/(10 + t)) (tf.train.ExponentialMovingAverage num_updates); "timm": ModelEmaV3 use_warmup, min(d, 1 − (1 + (t−1)/warmup_gamma)^−warmup_power); false: d (the first update copies θ, as timm ModelEmaV3 and torch AveragedModel do); "none": d from the first update on, no copy (timm ModelEmaV2, the teacher of MESA_train.py).'),
  warmup_gamma: z.number().positive().default(1).describe('timm ModelEmaV3 warmup_gamma (warmup "timm" only).'),
  warmup_power: z.number().positive().default(2 / 3).describe('timm ModelEmaV3 warmup_power (warmup "timm" only).'),
  exclude_buffers: z.boolean().default(false).describe('timm ModelEmaV3 exclude_buffers: true evaluates the EMA weights with the live BatchNorm buffers instead of their EMA.'),
});

/** train.swa: stochastic weight averaging (src/train/swa.ts; docs/capabilities/parameter-sets.md). */
export const swaSchema = z.strictObject({
  start: positiveInt.describe('swa_start: the first epoch (1-based count of epochs done) whose end weights join the average (timgaripov/swa --swa_start).'),
  every: positiveInt.default(1).describe('swa_c_epochs: average every c epochs from start (timgaripov/swa --swa_c_epochs, default 1).'),
  bn_refresh: z.boolean().default(true).describe('Recompute BatchNorm running statistics for the averaged weights over the train split before each evaluation (timgaripov/swa utils.bn_update); false: the live buffers.'),
});

/** train.eval_attack: ℓ∞ PGD on the inputs (MadryLab mnist_challenge pgd_attack.py), ascending CE of the loss's probabilities. */
export const evalAttackSchema = z.strictObject({
  eps: z.number().min(0).describe('ε: the ℓ∞ radius, in raw input units (pixels in [0, 1]; mapped through dataset.normalize when it is on).'),
  steps: positiveInt.describe('PGD steps k (mnist_challenge: 40 at ε 0.3).'),
  step_size: z.number().positive().describe('a: the step x ← x + a·sign(∇ₓ loss) (mnist_challenge: 0.01).'),
  random_start: z.boolean().default(true).describe('Start from x + U(−ε, ε), drawn from the eval seed (mnist_challenge random_start).'),
  range: z
    .tuple([z.number(), z.number()])
    .nullable()
    .default([0, 1])
    .describe('Valid range [lo, hi] of raw inputs that every iterate is clipped to (pixels: [0, 1]); null = unbounded (synthetic features).'),
  splits: z.array(z.enum(['train', 'test'])).min(1).default(['test']).describe('Evaluated splits that also report robust_accuracy.'),
});

/** One entry of train.eval_attacks: an attack from the attack registry, reported as robust_accuracy@ε (src/train/attack.ts). */
export const evalAttacksEntrySchema = z.strictObject({
  attack: attackSpecSchema.describe('The attack spec: {name: pgd | fgsm, …options} (`minima list attacks`); ε and the range in raw input units (mapped through dataset.normalize).'),
  splits: z.array(z.enum(['train', 'test'])).min(1).default(['test']).describe('Evaluated splits that also report this robust accuracy.'),
  subset: positiveInt.nullable().default(null).describe('Attack only the first N rows of each split (keeps a 40-step PGD cheap); null = every row.'),
  key: z.string().regex(/^[A-Za-z_][\w.\-@]*$/).optional().describe('Metric name; default robust_accuracy@<ε> (ℓ2: robust_accuracy@l2-<ε>).'),
});

export const trainSchema = z
  .strictObject({
    epochs: positiveInt.optional().describe('Passes over the train split (give epochs or steps, not both).'),
    steps: positiveInt.optional().describe('Optimizer steps in total (give epochs or steps, not both).'),
    batch_size: positiveInt.default(64).describe('Examples per optimizer step.'),
    eval_batch_size: positiveInt.default(1000).describe('Examples per forward pass during evaluation.'),
    eval_every: positiveInt.nullable().default(null).describe('Evaluate every N steps (null: once per epoch) and always at the end.'),
    eval_splits: z.array(z.enum(['train', 'test'])).min(1).default(['train', 'test']).describe('Splits evaluated (loss and metrics on the whole split).'),
    log_every: positiveInt.default(50).describe('Write a train row (mean loss over the window, lr, grad_evals) every N steps.'),
    checkpoint_every: positiveInt.nullable().default(null).describe('Checkpoint every N steps (null: once per epoch); always at the end and on interrupt.'),
    keep_checkpoints: positiveInt.default(2).describe('Newest checkpoints kept on disk.'),
    sampler: samplerSchema
      .default({ name: 'shuffle' })
      .describe('Which train rows each step takes: {name: shuffle} (a permutation per epoch, default), {name: pk, classes: P, per_class: K} (P classes × K examples, batch_size = P·K), {name: class-balanced} (p ∝ 1/n_class, with replacement). See docs/capabilities/samplers-and-retrieval.md.'),
    retrieval: retrievalSchema
      .nullable()
      .optional()
      .describe('Recall@k and MAP@R on the model\'s embedding (cosine) in evaluation. Absent: on (with defaults) when the loss has no classifier (multi-similarity) or dataset.class_split is set; null: off.'),
    ema: emaSchema.nullable().default(null).describe('EMA of the weights (timm ModelEmaV3): updated after every step, checkpointed, evaluated as test_ema.* / train_ema.*; null = off.'),
    mix: mixSchema
      .nullable()
      .default(null)
      .describe('Mix pairs of train rows into soft targets every step: {mixup_alpha: 1} (mixup), {mixup_alpha: 0, cutmix_alpha: 1, prob: 0.5} (CutMix), both with switch_prob (timm). The loss must read soft targets (soft-target-ce, kl-div, bi-tempered). null = off. See docs/losses.md "Soft targets: mixup and CutMix".'),
    accumulate: positiveInt
      .default(1)
      .describe('Gradient accumulation: each step splits its batch_size rows into N equal micro-batches, one forward/backward each, and averages their gradients (torch loss/N); every evaluation of the step accumulates alike (SAM: first and perturbed gradients separately). batch_size must be a multiple of N.'),
    on_nonfinite: z
      .enum(['stop', 'skip'])
      .default('stop')
      .describe('A step with a NaN/Inf loss or update: stop (the run fails, NON_FINITE_LOSS) or skip (parameters and optimizer state stay as they were; counted as skipped_steps in the train rows).'),
    swa: swaSchema.nullable().default(null).describe('Stochastic weight averaging (timgaripov/swa): an equal-weight average of the weights at epoch ends from `start`, with BatchNorm statistics recomputed for it, evaluated as test_swa.* / train_swa.*; null = off.'),
    eval_attack: evalAttackSchema.nullable().default(null).describe('Robust accuracy under an ℓ∞ PGD attack at every evaluation (metric robust_accuracy); null = off.'),
    eval_attacks: z
      .array(evalAttacksEntrySchema)
      .default([])
      .describe('Robust accuracy under each listed attack at every evaluation, as robust_accuracy@<ε>: [{attack: {name: pgd, eps: 0.3}, subset: 1000}]. See docs/adversarial.md.'),
  })
  .superRefine((t, ctx) => {
    if (t.epochs === undefined && t.steps === undefined) {
      ctx.addIssue({ code: 'custom', message: 'give train.epochs or train.steps', path: ['epochs'] });
    }
    if (t.epochs !== undefined && t.steps !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'give train.epochs or train.steps, not both', path: ['steps'] });
    }
    for (const split of t.eval_attack?.splits ?? []) {
      if (!t.eval_splits.includes(split)) ctx.addIssue({ code: 'custom', message: `the ${split} split is attacked but not evaluated (add it to train.eval_splits)`, path: ['eval_attack', 'splits'] });
    }
    const keys = new Set<string>(t.eval_attack ? ['robust_accuracy'] : []);
    t.eval_attacks.forEach((e, i) => {
      for (const split of e.splits) if (!t.eval_splits.includes(split)) ctx.addIssue({ code: 'custom', message: `the ${split} split is attacked but not evaluated (add it to train.eval_splits)`, path: ['eval_attacks', i, 'splits'] });
      const key = robustKey(e.attack, e.key);
      if (keys.has(key)) ctx.addIssue({ code: 'custom', message: `two attacks report ${key}: give one a \`key\``, path: ['eval_attacks', i, 'key'] });
      keys.add(key);
    });
    if (t.batch_size % t.accumulate !== 0) ctx.addIssue({ code: 'custom', message: `batch_size ${t.batch_size} is not a multiple of accumulate ${t.accumulate} (micro-batches are equal)`, path: ['accumulate'] });
    const range = t.eval_attack?.range;
    if (range && !(range[0] < range[1])) ctx.addIssue({ code: 'custom', message: `range [${range.join(', ')}]: lo must be below hi`, path: ['eval_attack', 'range'] });
  });

/** Top-level keys; component blocks are `unknown` here and resolved against registries. */
export const experimentSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'use letters, digits, "_", "." and "-" (it names the run folder)')
    .max(MAX_NAME_LENGTH, `at most ${MAX_NAME_LENGTH} characters (it names the run folder, whose name may hold 255 bytes)`)
    .describe('Experiment name; part of the run folder name.'),
  seed: z.number().int().min(0).default(0).describe('Run seed: initialisation, data order, dropout, augmentation.'),
  data_seed: z.number().int().min(0).default(0).describe('Problem seed: synthetic data, train/test split, label noise (kept fixed across run seeds).'),
  dataset: z.unknown().describe('Dataset spec: {name: ..., options}. See `minima list datasets`.'),
  model: z.unknown().describe('Model spec. See `minima list models`.'),
  loss: z.unknown().describe('Loss spec. See `minima list losses`.'),
  optimizer: z.unknown().describe('Optimizer spec; wrappers nest a `base:` spec. See `minima list optimizers`.'),
  schedule: z.unknown().optional().describe('Learning-rate schedule spec (default: constant). See `minima list schedules`.'),
  schedules: z.record(z.string(), z.unknown()).default({}).describe('Schedules of other optimizer hyperparameters, keyed by their path in the optimizer spec (momentum, beta1, weight_decay, rho, base.momentum …); each a schedule spec that scales the configured value as `schedule:` scales lr.'),
  diagnostics: z.array(z.unknown()).default([]).describe('Diagnostics computed during training, each with an `every` cadence.'),
  train: trainSchema,
  backend: z.enum(backendNames).default('auto').describe('auto | tensorflow | webgpu | wasm | cpu.'),
});

export const topLevelKeys = Object.keys(experimentSchema.shape);

export type TrainConfig = z.output<typeof trainSchema>;

/** A fully resolved experiment: every default filled, every component spec validated (and branded: built without validating again). */
export interface ExperimentConfig {
  readonly name: string;
  readonly seed: number;
  readonly data_seed: number;
  readonly dataset: Resolved;
  readonly model: Resolved;
  readonly loss: Resolved;
  readonly optimizer: Resolved;
  readonly schedule: Resolved;
  /** `schedules:`: path in the optimizer spec → resolved schedule spec. */
  readonly schedules: Readonly<Record<string, Resolved>>;
  readonly diagnostics: readonly Resolved[];
  readonly train: TrainConfig;
  readonly backend: (typeof backendNames)[number];
}
