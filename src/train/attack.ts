/**
 * Robust accuracy: the fraction of a split's labelled rows still classified correctly after an
 * attack from the attack registry (src/attacks), in eval mode (no dropout, BN running statistics).
 * Each configured attack reports one metric: `robust_accuracy@<ε>` for train.eval_attacks (ℓ2:
 * `robust_accuracy@l2-<ε>`, or the entry's own `key`), `robust_accuracy` for the older single
 * train.eval_attack (an ℓ∞ PGD, MadryLab mnist_challenge pgd_attack.py).
 * The loss ascended is the cross-entropy of the training loss's probability map on the true
 * labels, summed over the batch: −log softmax(logits)_y (Madry's `xent`) unless the loss has its
 * own map (sparsemax, arcface's classifier …), then −log max(p_y, 1e-12).
 * Attacks work in raw input units: with dataset.normalize the attacked inputs are mapped back
 * through the recorded per-channel mean and std, so ε and the range are pixel units.
 * Unlabeled rows (y = −1) are neither attacked nor counted.
 */
import * as tf from '../backends/tf.js';
import { buildAttack, robustKey, type Attack, type AttackSpec } from '../attacks/index.js';
import { RunnerError } from '../core/errors.js';
import { hashSeed } from '../core/random.js';
import type { Dataset, LossContext, Model, Objective, SplitName } from '../core/types.js';
import { batchTensors, rangeIndices } from './batches.js';

/** train.eval_attack: the single ℓ∞ PGD of the capabilities issue (metric robust_accuracy). */
export interface EvalAttack {
  readonly eps: number;
  readonly steps: number;
  readonly step_size: number;
  readonly random_start: boolean;
  readonly range: readonly [number, number] | null;
  readonly splits: readonly SplitName[];
}

/** One entry of train.eval_attacks: an attack spec, the splits, the rows attacked, the metric key. */
export interface EvalAttackEntry {
  readonly attack: AttackSpec;
  readonly splits: readonly SplitName[];
  /** Attack only the first `subset` rows of the split (null: all). */
  readonly subset: number | null;
  readonly key?: string | undefined;
}

/** A configured attack, ready to run: its metric key, the attack, where and on how many rows. */
export interface RobustMetric {
  readonly key: string;
  readonly attack: Attack;
  readonly splits: readonly SplitName[];
  readonly subset: number | null;
}

/** The robust-accuracy metrics of a run's train config: eval_attack (legacy key) and every eval_attacks entry. */
export function robustMetrics(train: { readonly eval_attack?: EvalAttack | null; readonly eval_attacks?: readonly EvalAttackEntry[] }): RobustMetric[] {
  const out: RobustMetric[] = [];
  const legacy = train.eval_attack;
  if (legacy) {
    const attack = buildAttack({ name: 'pgd', norm: 'linf', eps: legacy.eps, steps: legacy.steps, step_size: legacy.step_size, random_start: legacy.random_start, range: legacy.range });
    out.push({ key: 'robust_accuracy', attack, splits: legacy.splits, subset: null });
  }
  for (const e of train.eval_attacks ?? []) out.push({ key: robustKey(e.attack, e.key), attack: buildAttack(e.attack), splits: e.splits, subset: e.subset });
  return out;
}

export interface AttackContext {
  readonly dataset: Dataset;
  readonly model: Model;
  readonly objective: Objective;
  readonly batchSize: number;
  readonly step: number;
  readonly epoch: number;
  /** The eval seed: the random starts are drawn from it (per attack and batch). */
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
  if (out.updates) tf.dispose(out.updates.map(([, t]) => t));
  if (!objective.probabilities) return tf.logSoftmax(out.output);
  return tf.log(tf.maximum(objective.probabilities({ output: out.output, embedding: out.embedding, y }, lctx), 1e-12));
}

/** Fraction of the split's (first `subset`) labelled rows still classified correctly after the attack. */
export async function robustAccuracy(ctx: AttackContext, split: SplitName, metric: RobustMetric): Promise<number> {
  const { dataset, model, objective } = ctx;
  const attack = metric.attack;
  const spec = dataset.spec;
  if (spec.task !== 'classification' || spec.inputKind !== 'dense') throw new RunnerError('CONFIG_INVALID', 'an input attack needs a classification dataset with float inputs');
  const K = spec.numClasses;
  const lctx: LossContext = { step: ctx.step, epoch: ctx.epoch, training: false, data: spec, seed: ctx.seed };
  const norm = normalisation(dataset);
  // raw units ↔ the model's: v ↦ (v − mean)/std along the last axis
  const [mean, std] = norm ? [tf.tensor1d(norm.mean), tf.tensor1d(norm.std)] : [undefined, undefined];
  const toModel = (v: tf.Tensor) => (mean && std ? tf.div(tf.sub(v, mean), std) : v);
  const toRaw = (v: tf.Tensor) => (mean && std ? tf.add(tf.mul(v, std), mean) : tf.clone(v));
  let correct = 0;
  let counted = 0;
  try {
    const n = Math.min(dataset.sizes[split], metric.subset ?? Number.POSITIVE_INFINITY);
    for (let start = 0; start < n; start += ctx.batchSize) {
      const end = Math.min(n, start + ctx.batchSize);
      const arrays = dataset.gather(split, rangeIndices(start, end));
      const { x, y } = batchTensors(dataset, arrays, end - start);
      const labelled = tf.tidy(() => tf.cast(tf.greaterEqual(y, 0), 'float32'));
      const target = tf.tidy(() => tf.cast(tf.oneHot(tf.cast(tf.maximum(y, 0), 'int32') as tf.Tensor1D, K), 'float32'));
      const x0 = tf.tidy(() => toRaw(x));
      const lossOf = (v: tf.Tensor): tf.Scalar => tf.neg(tf.sum(tf.mul(tf.sum(tf.mul(logProbabilities(model, objective, toModel(v), y, lctx), target), -1), labelled))) as tf.Scalar;
      let xAdv: tf.Tensor | undefined;
      try {
        xAdv = attack.perturb(lossOf, x0, hashSeed(ctx.seed, 'attack', metric.key, split, start));
        const predicted = tf.tidy(() => tf.argMax(logProbabilities(model, objective, toModel(xAdv!), y, lctx), -1));
        const pred = (await predicted.data()) as Int32Array;
        predicted.dispose();
        const labels = arrays.y as Int32Array;
        for (let i = 0; i < labels.length; i++) {
          if (labels[i]! < 0) continue;
          counted++;
          if (pred[i] === labels[i]) correct++;
        }
      } finally {
        tf.dispose([x, y, labelled, target, x0, ...(xAdv ? [xAdv] : [])]);
      }
    }
  } finally {
    tf.dispose([mean, std].filter((t): t is tf.Tensor1D => t !== undefined));
  }
  return counted === 0 ? 0 : correct / counted;
}
