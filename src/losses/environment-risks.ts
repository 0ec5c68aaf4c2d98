/**
 * Per-environment risks of one batch, for the domain generalisation losses (irm, vrex): the batch's
 * group ids name each row's environment (colored-mnist's, or any dataset with groups; the `domains`
 * sampler gives every environment the same number of rows). Environments absent from the batch are
 * masked out, so they count in no mean.
 */
import * as tf from '../backends/tf.js';
import { RunnerError } from '../core/errors.js';
import type { LossContext, LossInput } from '../core/types.js';
import { oneHot, rowDot } from './common.js';

export interface EnvironmentRisks {
  /** [G] mean cross-entropy over each environment's rows (0 where absent). */
  readonly risks: tf.Tensor1D;
  /** [G] 1 for an environment present in the batch, 0 otherwise. */
  readonly present: tf.Tensor1D;
  /** Environments present, P = Σ present (a scalar ≥ 1 for a non-empty batch). */
  readonly count: tf.Scalar;
  /** Mean over the environments present of `perEnv` ([G]). */
  mean(perEnv: tf.Tensor1D): tf.Scalar;
}

/** Per-environment mean cross-entropy, and `meanOf` for per-environment means of other per-row values. */
export function environmentRisks(input: LossInput, numClasses: number, numGroups: number, loss: string): EnvironmentRisks & { meanOf(values: tf.Tensor1D): tf.Tensor1D } {
  if (!input.group) throw new RunnerError('CONFIG_INVALID', `loss "${loss}" needs the batch's group ids, its environments (LossInput.group): a dataset with groups, e.g. colored-mnist`);
  const map = oneHot(input.group, numGroups); // [B, G]
  const rows = tf.sum(map, 0) as tf.Tensor1D;
  const present = tf.cast(tf.greater(rows, 0), 'float32') as tf.Tensor1D;
  const denom = tf.add(rows, tf.sub(1, present)); // absent environments divide by 1
  const meanOf = (values: tf.Tensor1D): tf.Tensor1D => tf.div(tf.sum(tf.mul(map, tf.expandDims(values, 1)), 0), denom) as tf.Tensor1D;
  const ce = tf.neg(rowDot(tf.logSoftmax(input.output), oneHot(input.y, numClasses))) as tf.Tensor1D;
  const count = tf.sum(present) as tf.Scalar;
  return {
    risks: meanOf(ce),
    present,
    count,
    meanOf,
    mean: (perEnv) => tf.div(tf.sum(tf.mul(perEnv, present)), count) as tf.Scalar,
  };
}

/**
 * The penalty weight of the official CMNIST loops (IRM and REx main.py): `penalty_weight` from
 * step `penalty_anneal_iters` on, 1 before; the whole loss is divided by it when it exceeds 1
 * ("rescale the entire loss to keep gradients in a reasonable range") unless `rescale` is false.
 */
export function annealedPenalty(risk: tf.Scalar, penalty: tf.Scalar, o: { penalty_weight: number; penalty_anneal_iters: number; rescale: boolean }, ctx: LossContext): tf.Scalar {
  const w = ctx.step >= o.penalty_anneal_iters ? o.penalty_weight : 1;
  const total = tf.add(risk, tf.mul(penalty, w)) as tf.Scalar;
  return o.rescale && w > 1 ? (tf.div(total, w) as tf.Scalar) : total;
}

/** The number of environments (DataSpec.numGroups) a loss over environments needs. */
export function numEnvironments(numGroups: number | undefined, loss: string): number {
  if (numGroups === undefined || !(numGroups >= 1)) {
    throw new RunnerError('CONFIG_INVALID', `loss "${loss}" needs a dataset whose examples carry group ids, its environments (DataSpec.numGroups), e.g. colored-mnist`);
  }
  return numGroups;
}
