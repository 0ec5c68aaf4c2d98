/**
 * Langevin-type noisy SGD (catalogue b36; optax's noisy_sgd is the relative):
 *   sgld:       w ← w − lr·(g + wd·w) + sqrt(2·lr·T)·ξ, ξ ~ N(0, I)
 *               (Welling & Teh 2011 with lr = εN/2 for a mean loss over N examples: T = 1/N samples
 *               the Bayesian posterior exp(−N·L); T = 0 is SGD; the catalogue's √(2η/β)·N(0, I), T = 1/β);
 *   noisy-sgd:  w ← w − lr·(g + sqrt(eta/t^γ)·ξ), t the 1-based step (optax alias.py noisy_sgd =
 *               chain(add_noise(eta, gamma, seed), scale_by_learning_rate); defaults eta 0.01, γ 0.55).
 * The noise is minima's own: tensor i at step t draws from Rng.derive(seed, label, t, i), so a run
 * resumed at step k draws what it would have drawn, on every backend. `seed` is the optimizer's
 * (default 0, as optax's); give each chain of an ensemble its own.
 */
import * as tf from '../../backends/tf.js';
import { z } from 'zod';
import { Rng } from '../../core/random.js';
import { clipOption, clipped, defineOptimizer, lrOption } from '../entry.js';
import type { GradientTransformation } from '../transform.js';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';

/** N(0, I) shaped like each parameter, for 1-based step t. */
export function stepNoise(seed: number, label: string, t: number, like: readonly tf.Tensor[]): tf.Tensor[] {
  return like.map((p, i) => tf.tensor(Rng.derive(seed, label, t, i).fillNormal(new Float32Array(p.size)), p.shape, 'float32'));
}

export interface NoiseState {
  readonly [k: string]: tf.Tensor;
  /** Steps taken (float32 scalar): the noise stream's index. */
  readonly count: tf.Tensor;
}

/**
 * Adds std(t, s)·ξ_t to the updates, t the 1-based step and s the tensor's group lr scale
 * (param-groups.ts `lr_mult`). Placed after the learning rate in SGLD (its std reads the current,
 * scheduled lr, times s as a torch group with lr·s would), before it in noisy-sgd (optax add_noise).
 */
function addNoise(label: string, seed: number, std: (t: number, lrScale: number) => number): GradientTransformation<NoiseState> {
  return {
    name: 'noise',
    init: () => ({ count: tf.scalar(0) }),
    update(u, state, _p, ctx) {
      const t = state.count.dataSync()[0]! + 1;
      const stds = u.map((_x, i) => std(t, ctx.params[i]?.lrScale ?? 1));
      const out = stds.every((s) => s === 0) ? u : stepNoise(seed, label, t, u).map((xi, i) => tf.add(u[i]!, tf.mul(xi, stds[i]!)));
      return [out, { count: tf.add(state.count, 1) }];
    },
  };
}

const seedOption = z.number().int().min(0).default(0).describe('seed of the noise stream (give each ensemble member its own)');

export const sgld = defineOptimizer({
  name: 'sgld',
  summary: 'SGLD: w ← w − lr·g + sqrt(2·lr·temperature)·N(0, I) (Welling & Teh 2011); samples for `minima eval --ensemble`',
  schema: z.strictObject({
    lr: lrOption(1e-2),
    temperature: z.number().min(0).default(1e-4).describe('T = 1/β: 1/n_train samples the posterior of a mean loss; 0 is SGD'),
    weight_decay: z.number().min(0).default(0).describe('coupled L2 (a Gaussian prior) added to the gradient'),
    seed: seedOption,
    ...clipOption,
  }),
  gradEvals: 1,
  info: { source: 'no official code; Welling & Teh 2011 eq. (4), lr = ε·N/2', paper: 'Welling & Teh 2011, Bayesian learning via stochastic gradient Langevin dynamics' },
  create(o) {
    const lr = { value: o.lr };
    return clipped(o.clip_grad_norm, addDecayedWeights(o.weight_decay), scaleByLearningRate(lr), addNoise('sgld', o.seed, (_t, scale) => Math.sqrt(2 * lr.value * scale * o.temperature)));
  },
});

export const noisySgd = defineOptimizer({
  name: 'noisy-sgd',
  summary: 'noisy SGD: w ← w − lr·(g + sqrt(eta/t^γ)·N(0, I)) (Neelakantan et al. 2015; optax noisy_sgd)',
  schema: z.strictObject({
    lr: lrOption(1e-2),
    eta: z.number().min(0).default(0.01).describe('initial noise variance'),
    gamma: z.number().min(0).default(0.55).describe('decay exponent of the variance eta/t^γ'),
    seed: seedOption,
    ...clipOption,
  }),
  gradEvals: 1,
  info: { source: 'google-deepmind/optax optax/_src/alias.py noisy_sgd, transform.py add_noise', paper: 'Neelakantan et al. 2015, Adding gradient noise improves learning' },
  create: (o) => clipped(o.clip_grad_norm, addNoise('noisy-sgd', o.seed, (t) => Math.sqrt(o.eta / t ** o.gamma)), scaleByLearningRate({ value: o.lr })),
});
