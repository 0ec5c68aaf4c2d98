/**
 * Adversarial inputs inside a training loss (pgd-at, trades, smooth-adv-comp-sum): the loss runs
 * an attack from src/attacks on the model through LossContext.apply and trains on the result.
 * The attack runs once per step and batch rows: every later evaluation of the same step (AWP's
 * perturbed pass, SAM's second pass) reuses the step's x_adv, as upstream computes x_adv once and
 * then perturbs the weights (csdongxian/AWP train_cifar10.py: attack, then calc_awp on it).
 * The cache holds values, not tensors, so it leaves no tensor between steps.
 */
import * as tf from '../backends/tf.js';
import { z } from 'zod';
import { buildAttack, type Attack, type AttackSpec } from '../attacks/index.js';
import { RunnerError } from '../core/errors.js';
import { hashSeed, Rng } from '../core/random.js';
import type { LossContext, LossDeps, LossInput, ModelOutput } from '../core/types.js';

export interface AdversarialPass {
  readonly x: tf.Tensor;
  readonly apply: (x: tf.Tensor) => ModelOutput;
}

/** The batch inputs and the model on other inputs, or a CONFIG_INVALID naming the loss. */
export function adversarialPass(name: string, input: LossInput, ctx: LossContext): AdversarialPass {
  const { x } = input;
  if (!x || !ctx.apply) throw new RunnerError('CONFIG_INVALID', `${name} needs the batch inputs and the model (LossInput.x, LossContext.apply)`);
  if (x.dtype !== 'float32') throw new RunnerError('CONFIG_INVALID', `${name} perturbs the inputs, so it needs float inputs (not tokens)`);
  return { x, apply: ctx.apply };
}

/** The build's check of the config rule inputGradientsNeedFloatInputs: an attack perturbs float inputs. */
export function requireFloatInputs(name: string, deps: LossDeps): void {
  if (deps.data.inputKind === 'tokens') throw new RunnerError('CONFIG_INVALID', `loss "${name}" perturbs the inputs, so it needs float inputs (not tokens)`);
}

/** x_adv per (step, rows): computed by `make` on the step's first evaluation, reused by the later ones. */
export function stepCache(): (input: LossInput, ctx: LossContext, make: (seed: number) => tf.Tensor) => tf.Tensor {
  let key = '';
  let values: { readonly data: Float32Array; readonly shape: number[] } | undefined;
  return (input, ctx, make) => {
    // the rows' ids name the batch (micro-batches of one step differ); evaluation never caches
    const rows = input.index ? Array.from(input.index.dataSync()).join(',') : '';
    const k = `${ctx.step}|${ctx.seed}|${rows}`;
    const seed = hashSeed(ctx.seed, 'adversarial', rows);
    if (!ctx.training || !input.index) return make(seed);
    if (k === key && values) return tf.tensor(values.data, values.shape, 'float32');
    const x = make(seed);
    key = k;
    values = { data: x.dataSync() as Float32Array, shape: x.shape };
    return x;
  };
}

/** TRADES' start x + 0.001·N(0, 1) (yaodongyu/TRADES trades.py), from the seed; not projected. */
export function tradesStart(x: tf.Tensor, seed: number): tf.Tensor {
  return tf.add(x, tf.mul(tf.tensor(Rng.derive(seed, 'trades-start').fillNormal(new Float32Array(x.size)), x.shape, 'float32'), 0.001));
}

/** Σ over the batch of −log softmax(h(x'))_y: Madry's `xent`, the loss PGD-AT ascends. */
export function summedCrossEntropy(apply: (x: tf.Tensor) => ModelOutput, target: tf.Tensor): (x: tf.Tensor) => tf.Scalar {
  return (v) => tf.neg(tf.sum(tf.mul(tf.logSoftmax(apply(v).output), target))) as tf.Scalar;
}

/** The attack's x_adv for ascending `lossOf`, with an optional start. */
export function attackOn(attack: Attack, lossOf: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor, seed: number, start?: tf.Tensor): tf.Tensor {
  return attack.perturb(lossOf, x, seed, start ? { start } : undefined);
}

/** The `eps_warmup` option of the adversarial-training losses. */
export const epsWarmupOption = z
  .int()
  .min(0)
  .default(0)
  .describe('Grow ε and the step size linearly from 0 to their values over the first N steps (a curriculum some MNIST recipes use; not in the official code). 0 = the official constant ε.');

/** The attack of step `step`: the spec's ε and step size scaled by min(1, (step + 1)/warmup). */
export function attackSchedule(spec: AttackSpec, warmup: number): (step: number) => Attack {
  const full = buildAttack(spec);
  if (warmup === 0) return () => full;
  const o = spec as { eps?: number; step_size?: number | null };
  return (step) => {
    const f = Math.min(1, (step + 1) / warmup);
    if (f === 1) return full;
    return buildAttack({ ...spec, eps: (o.eps ?? 0) * f, ...(typeof o.step_size === 'number' ? { step_size: o.step_size * f } : {}) });
  };
}
