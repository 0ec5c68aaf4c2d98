/**
 * An input attack: a seeded map from clean inputs and a loss to adversarial inputs inside the
 * attack's ε-ball and input range. Attacks know nothing of models or losses: the caller hands in
 * `lossOf` (the model and the objective to ascend), in training (train on x_adv) and evaluation
 * (robust accuracy) alike.
 */
import type * as tf from '../backends/tf.js';
import type { Entry } from '../core/registry.js';

export type AttackNorm = 'linf' | 'l2';

export interface PerturbOptions {
  /** The first iterate instead of the attack's own start (TRADES' x + 0.001·N(0, 1)); it is not projected. */
  readonly start?: tf.Tensor;
}

export interface Attack {
  readonly name: string;
  readonly norm: AttackNorm;
  /** Radius of the ball, in the units of the inputs it is handed. */
  readonly eps: number;
  /** Valid input range every iterate is clipped to; null = unbounded. */
  readonly range: readonly [number, number] | null;
  /**
   * x_adv for inputs `x0` [batch, …], ascending the scalar `lossOf` (a sum over the batch, so each
   * row's gradient is its own). Deterministic in `seed` (the random start); the result has no
   * gradient history and the caller disposes it.
   */
  perturb(lossOf: (x: tf.Tensor) => tf.Scalar, x0: tf.Tensor, seed: number, options?: PerturbOptions): tf.Tensor;
}

export type AttackEntry<O = any> = Entry<O, Attack, void>;
