/**
 * The experiment file, as zod sees it: the single source of truth for top-level keys, their
 * defaults and descriptions. Component blocks (dataset, model, loss, optimizer, schedule,
 * diagnostics) are validated against their registry entries by src/core/resolve-spec.ts.
 */
import { z } from 'zod';
import { backendNames } from '../backends/index.js';
import type { Resolved } from '../core/registry.js';
import { samplerSchema } from '../data/samplers/index.js';
import { retrievalSchema } from '../metrics/retrieval.js';

const positiveInt = z.number().int().positive();

/** train.ema: an exponential moving average of the weights (src/train/ema.ts; docs/capabilities/parameter-sets.md). */
export const emaSchema = z.strictObject({
  decay: z.number().gt(0).lt(1).default(0.9998).describe('EMA decay d in (0, 1): ema ← ema + (1 − d)(θ − ema) (timm train.py --model-ema-decay default 0.9998).'),
  warmup: z
    .union([z.boolean(), z.enum(['tf', 'timm'])])
    .default(true)
    .describe('Decay warmup at step t (optimizer steps done, this one included): true | "tf": min(d, (1 + t)/(10 + t)) (tf.train.ExponentialMovingAverage num_updates); "timm": ModelEmaV3 use_warmup, min(d, 1 − (1 + (t−1)/warmup_gamma)^−warmup_power); false: d (the first update copies θ, as timm and torch AveragedModel do).'),
  warmup_gamma: z.number().positive().default(1).describe('timm ModelEmaV3 warmup_gamma (warmup "timm" only).'),
  warmup_power: z.number().positive().default(2 / 3).describe('timm ModelEmaV3 warmup_power (warmup "timm" only).'),
  exclude_buffers: z.boolean().default(false).describe('timm ModelEmaV3 exclude_buffers: true evaluates the EMA weights with the live BatchNorm buffers instead of their EMA.'),
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
  })
  .superRefine((t, ctx) => {
    if (t.epochs === undefined && t.steps === undefined) {
      ctx.addIssue({ code: 'custom', message: 'give train.epochs or train.steps', path: ['epochs'] });
    }
    if (t.epochs !== undefined && t.steps !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'give train.epochs or train.steps, not both', path: ['steps'] });
    }
  });

/** Top-level keys; component blocks are `unknown` here and resolved against registries. */
export const experimentSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'use letters, digits, "_", "." and "-" (it names the run folder)')
    .describe('Experiment name; part of the run folder name.'),
  seed: z.number().int().min(0).default(0).describe('Run seed: initialisation, data order, dropout, augmentation.'),
  data_seed: z.number().int().min(0).default(0).describe('Problem seed: synthetic data, train/test split, label noise (kept fixed across run seeds).'),
  dataset: z.unknown().describe('Dataset spec: {name: ..., options}. See `minima list datasets`.'),
  model: z.unknown().describe('Model spec. See `minima list models`.'),
  loss: z.unknown().describe('Loss spec. See `minima list losses`.'),
  optimizer: z.unknown().describe('Optimizer spec; wrappers nest a `base:` spec. See `minima list optimizers`.'),
  schedule: z.unknown().optional().describe('Learning-rate schedule spec (default: constant). See `minima list schedules`.'),
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
  readonly diagnostics: readonly Resolved[];
  readonly train: TrainConfig;
  readonly backend: (typeof backendNames)[number];
}
