/**
 * Robust accuracy under an ℓ∞ PGD attack (train.eval_attack), as MadryLab mnist_challenge
 * `pgd_attack.py` runs it: from x + U(−ε, ε) (random_start), k times
 *   x ← clip(x + a·sign(∇ₓ loss(x, y)), x₀ − ε, x₀ + ε), then clip to the valid input range,
 * in eval mode (no dropout, BN running statistics). The loss ascended is the cross-entropy of the
 * training loss's probability map on the true labels: −log softmax(logits)_y (Madry's `xent`)
 * unless the loss has its own map (sparsemax, arcface's classifier …), then −log max(p_y, 1e-12).
 * The attack lives in raw input units: with dataset.normalize, ε, a and the range are mapped
 * through the per-channel (per-feature) mean and std into the model's normalised inputs.
 * Unlabeled rows (y = −1) are neither attacked nor counted.
 */
import * as tf from '../backends/tf.js';
import { RunnerError } from '../core/errors.js';
import { Rng } from '../core/random.js';
import type { Dataset, LossContext, Model, Objective, SplitName } from '../core/types.js';
import { batchTensors, rangeIndices } from './batches.js';

export interface EvalAttack {
  readonly eps: number;
  readonly steps: number;
  readonly step_size: number;
  readonly random_start: boolean;
  readonly range: readonly [number, number] | null;
  readonly splits: readonly SplitName[];
}

/** ε, a and the range in the model's input units: numbers, or [C] tensors along the last axis. */
export interface PgdBounds {
  readonly eps: tf.Tensor | number;
  readonly stepSize: tf.Tensor | number;
  readonly lo?: tf.Tensor | number;
  readonly hi?: tf.Tensor | number;
}

/**
 * `steps` PGD steps from `start` around `x0`: each x ← Π(x + a·sign(∇ₓ lossOf(x))), Π the clip to
 * the ε-box around x0 and then to [lo, hi]. Returns the final iterate (the caller disposes it).
 */
export function pgd(lossOf: (x: tf.Tensor) => tf.Scalar, x0: tf.Tensor, start: tf.Tensor, steps: number, b: PgdBounds): tf.Tensor {
  const [below, above] = tf.tidy(() => [tf.sub(x0, b.eps), tf.add(x0, b.eps)]);
  const project = (v: tf.Tensor) => {
    let p = tf.minimum(tf.maximum(v, below!), above!);
    if (b.lo !== undefined) p = tf.maximum(p, b.lo);
    if (b.hi !== undefined) p = tf.minimum(p, b.hi);
    return p;
  };
  let x = tf.clone(start);
  try {
    for (let s = 0; s < steps; s++) {
      const next = tf.tidy(() => {
        const g = tf.grad(lossOf)(x);
        return project(tf.add(x, tf.mul(tf.sign(g), b.stepSize)));
      });
      x.dispose();
      x = next;
    }
    return x;
  } finally {
    tf.dispose([below!, above!]);
  }
}

export interface AttackContext {
  readonly dataset: Dataset;
  readonly model: Model;
  readonly objective: Objective;
  readonly batchSize: number;
  readonly step: number;
  readonly epoch: number;
  /** The eval seed: the random starts are drawn from it (per batch). */
  readonly seed: number;
}

/** Per-channel normalisation the dataset applied (meta.transforms.normalize), if any. */
function normalisation(dataset: Dataset): { mean: number[]; std: number[] } | undefined {
  const n = (dataset.meta.transforms as { normalize?: { mean: number[]; std: number[] } } | undefined)?.normalize;
  return n && Array.isArray(n.mean) && Array.isArray(n.std) ? n : undefined;
}

/** Labels' log-probabilities under the loss's own map, [batch, K]. */
function logProbabilities(model: Model, objective: Objective, x: tf.Tensor, y: tf.Tensor, lctx: LossContext): tf.Tensor {
  const out = model.apply(x, { training: false });
  if (!objective.probabilities) return tf.logSoftmax(out.output);
  return tf.log(tf.maximum(objective.probabilities({ output: out.output, embedding: out.embedding, y }, lctx), 1e-12));
}

/** Fraction of the split's labelled rows still classified correctly after the attack. */
export async function robustAccuracy(ctx: AttackContext, split: SplitName, attack: EvalAttack): Promise<number> {
  const { dataset, model, objective } = ctx;
  const spec = dataset.spec;
  if (spec.task !== 'classification' || spec.inputKind !== 'dense') throw new RunnerError('CONFIG_INVALID', 'train.eval_attack needs a classification dataset with float inputs');
  const K = spec.numClasses;
  const lctx: LossContext = { step: ctx.step, epoch: ctx.epoch, training: false, data: spec, seed: ctx.seed };
  const norm = normalisation(dataset);
  const [lo, hi] = attack.range ?? [undefined, undefined];
  // raw units → the model's units: v ↦ (v − mean)/std per channel; lengths scale by 1/std
  const bounds: PgdBounds = norm
    ? {
        eps: tf.tensor1d(norm.std.map((s) => attack.eps / s)),
        stepSize: tf.tensor1d(norm.std.map((s) => attack.step_size / s)),
        ...(lo !== undefined ? { lo: tf.tensor1d(norm.mean.map((m, c) => (lo - m) / norm.std[c]!)) } : {}),
        ...(hi !== undefined ? { hi: tf.tensor1d(norm.mean.map((m, c) => (hi - m) / norm.std[c]!)) } : {}),
      }
    : { eps: attack.eps, stepSize: attack.step_size, ...(lo !== undefined ? { lo } : {}), ...(hi !== undefined ? { hi } : {}) };
  let correct = 0;
  let counted = 0;
  try {
    const n = dataset.sizes[split];
    for (let start = 0; start < n; start += ctx.batchSize) {
      const end = Math.min(n, start + ctx.batchSize);
      const arrays = dataset.gather(split, rangeIndices(start, end));
      const { x, y } = batchTensors(dataset, arrays, end - start);
      const labelled = tf.tidy(() => tf.cast(tf.greaterEqual(y, 0), 'float32'));
      const target = tf.tidy(() => tf.cast(tf.oneHot(tf.cast(tf.maximum(y, 0), 'int32') as tf.Tensor1D, K), 'float32'));
      const lossOf = (v: tf.Tensor): tf.Scalar => tf.neg(tf.sum(tf.mul(tf.sum(tf.mul(logProbabilities(model, objective, v, y, lctx), target), -1), labelled))) as tf.Scalar;
      const from = tf.tidy(() => {
        if (!attack.random_start) return tf.clone(x);
        const u = Rng.derive(ctx.seed, 'attack', split, start).fillUniform(new Float32Array(x.size), -1, 1);
        let s = tf.add(x, tf.mul(tf.tensor(u, x.shape), bounds.eps));
        if (bounds.lo !== undefined) s = tf.maximum(s, bounds.lo);
        if (bounds.hi !== undefined) s = tf.minimum(s, bounds.hi);
        return s;
      });
      let xAdv: tf.Tensor | undefined;
      try {
        xAdv = pgd(lossOf, x, from, attack.steps, bounds);
        const predicted = tf.tidy(() => tf.argMax(logProbabilities(model, objective, xAdv!, y, lctx), -1));
        const pred = (await predicted.data()) as Int32Array;
        predicted.dispose();
        const labels = arrays.y as Int32Array;
        for (let i = 0; i < labels.length; i++) {
          if (labels[i]! < 0) continue;
          counted++;
          if (pred[i] === labels[i]) correct++;
        }
      } finally {
        tf.dispose([x, y, labelled, target, from, ...(xAdv ? [xAdv] : [])]);
      }
    }
  } finally {
    for (const t of [bounds.eps, bounds.stepSize, bounds.lo, bounds.hi]) if (t instanceof tf.Tensor) t.dispose();
  }
  return counted === 0 ? 0 : correct / counted;
}
