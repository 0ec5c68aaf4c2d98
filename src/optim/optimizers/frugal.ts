/**
 * FRUGAL (Zmushko et al. 2024, "FRUGAL: Memory-efficient optimization by reducing state overhead
 * for scalable training"; catalogue b30), its blockwise form: the gradient is split by tensor. A
 * random set of tensors holding a fraction `density` (ρ) of the parameters is state-full and steps
 * with AdamW; every other tensor is state-free and steps with signSGD. Every `update_freq` (T) steps
 * the set is drawn again; a tensor that leaves it drops its Adam moments (and bias-correction count),
 * so one that re-enters starts them afresh, as the paper's default resets the state on a subspace
 * change. Tensors whose role is in `state_full_roles` (biases by default: the paper keeps the
 * non-projectable parameters, norms and embeddings, in AdamW) are always state-full.
 *   state-full: d = m̂/(sqrt(v̂) + eps) (torch AdamW, transforms/scale-by-adam.ts arithmetic, per-tensor count)
 *   state-free: d = free_lr_scale·sign(g)
 *   w ← w − lr·(d + wd·w)   (decoupled decay on every tensor, AdamW's)
 * No official code could be read here (the paper's repository was not available to this build);
 * the rule follows the paper's Algorithm 1 with blockwise selection. Its column/random-projection
 * (GaLore-style) subspaces are not built. The draw of tensor set k is a pure function of (seed, k),
 * so a resumed run draws the same sets.
 */
import * as tf from '../../backends/tf.js';
import { z } from 'zod';
import { oneMinusPow, sign } from '../../backends/tree.js';
import { Rng } from '../../core/random.js';
import { betasOption, clipOption, clipped, defineOptimizer, lrOption } from '../entry.js';
import type { GradientTransformation, StateTree } from '../transform.js';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';

/**
 * Which tensors are state-full in period k: those of `always`, then tensors in a seeded random order
 * until their parameters reach ρ of the total (at least one tensor when ρ > 0).
 */
export function frugalBlocks(seed: number, k: number, sizes: readonly number[], density: number, always: readonly boolean[]): boolean[] {
  const full = always.slice();
  const total = sizes.reduce((s, n) => s + n, 0);
  let covered = sizes.reduce((s, n, i) => s + (full[i] ? n : 0), 0);
  if (density === 0) return full;
  const order = sizes.map((_n, i) => i).filter((i) => !full[i]);
  const rng = Rng.derive(seed, 'frugal', k);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  let took = 0;
  for (const i of order) {
    if (covered >= density * total && took > 0) break;
    full[i] = true;
    covered += sizes[i]!;
    took += 1;
  }
  return full;
}

interface FrugalState {
  readonly [k: string]: StateTree;
  readonly mu: tf.Tensor[];
  readonly nu: tf.Tensor[];
  /** Steps each tensor has been state-full since it (re-)entered the set: its bias correction. */
  readonly steps: tf.Tensor[];
  readonly count: tf.Tensor;
}

interface FrugalOptions {
  readonly betas: readonly [number, number];
  readonly eps: number;
  readonly density: number;
  readonly update_freq: number;
  readonly free_lr_scale: number;
  readonly state_full_roles: readonly ('kernel' | 'bias')[];
  readonly seed: number;
}

function scaleByFrugal(o: FrugalOptions): GradientTransformation<FrugalState> {
  const [b1, b2] = o.betas;
  return {
    name: 'frugal',
    init: (params) => ({
      mu: params.map((p) => tf.zerosLike(p)),
      nu: params.map((p) => tf.zerosLike(p)),
      steps: params.map(() => tf.scalar(0)),
      count: tf.scalar(0),
    }),
    update(grads, state, _params, ctx) {
      const t = state.count.dataSync()[0]!; // 0-based step
      const always = grads.map((_g, i) => o.state_full_roles.includes(ctx.params[i]?.role ?? 'kernel'));
      const full = frugalBlocks(o.seed, Math.floor(t / o.update_freq), grads.map((g) => g.size), o.density, always);
      ctx.report('state_full_fraction', tf.scalar(grads.reduce((s, g, i) => s + (full[i] ? g.size : 0), 0) / grads.reduce((s, g) => s + g.size, 0)));
      const mu: tf.Tensor[] = [];
      const nu: tf.Tensor[] = [];
      const steps: tf.Tensor[] = [];
      const out = grads.map((g, i) => {
        if (!full[i]) {
          mu.push(tf.zerosLike(g));
          nu.push(tf.zerosLike(g));
          steps.push(tf.scalar(0));
          return o.free_lr_scale === 1 ? sign(g) : tf.mul(sign(g), o.free_lr_scale);
        }
        const s = tf.add(state.steps[i]!, 1) as tf.Scalar;
        const m = tf.add(state.mu[i]!, tf.mul(tf.sub(g, state.mu[i]!), 1 - b1));
        const v = tf.add(tf.mul(state.nu[i]!, b2), tf.mul(tf.mul(g, g), 1 - b2));
        mu.push(m);
        nu.push(v);
        steps.push(s);
        const inv1 = tf.div(1, oneMinusPow(b1, s));
        return tf.div(tf.mul(m, inv1), tf.add(tf.div(tf.sqrt(v), tf.sqrt(oneMinusPow(b2, s))), o.eps));
      });
      return [out, { mu, nu, steps, count: tf.add(state.count, 1) }];
    },
  };
}

export const frugal = defineOptimizer({
  name: 'frugal',
  summary: 'FRUGAL (blockwise): AdamW on a random ρ of the tensors, redrawn every T steps, signSGD on the rest (Zmushko et al. 2024)',
  schema: z.strictObject({
    lr: lrOption(1e-3),
    betas: betasOption(0.9, 0.999),
    eps: z.number().min(0).default(1e-8).describe('added to sqrt(v̂) (AdamW)'),
    weight_decay: z.number().min(0).default(0).describe('decoupled: p ← p·(1 − lr·wd), on every tensor'),
    density: z.number().min(0).max(1).default(0.25).describe('ρ: fraction of the parameters in the state-full (AdamW) set'),
    update_freq: z.number().int().positive().default(200).describe('T: steps between redraws of the state-full set'),
    free_lr_scale: z.number().min(0).default(1).describe('the state-free signSGD step is lr·free_lr_scale'),
    state_full_roles: z.array(z.enum(['kernel', 'bias'])).default(['bias']).describe('roles always kept state-full (the paper: non-projectable parameters)'),
    seed: z.number().int().min(0).default(0).describe('seed of the tensor-set draws'),
    ...clipOption,
  }),
  gradEvals: 1,
  info: { source: 'no official code read here; Zmushko et al. 2024 Algorithm 1, blockwise selection', paper: 'Zmushko et al. 2024, FRUGAL' },
  create: (o) => clipped(o.clip_grad_norm, scaleByFrugal(o), addDecayedWeights(o.weight_decay), scaleByLearningRate({ value: o.lr })),
});
