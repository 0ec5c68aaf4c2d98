/**
 * Sophia (Liu et al. 2023), SophiaG as Liuhong99/Sophia `sophia.py` and `train_sophiag.py`:
 *   every k steps  h ← β2·h + (1 − β2)·ĥ
 *   every step     p ← p·(1 − lr·wd);  m ← β1·m + (1 − β1)·g
 *                  p ← p − lr·sign(m)·min(|m|/(ρ·bs·h + 1e-15), 1)
 * with the Hessian-diagonal estimate ĥ from
 *   gnb:         ĝ⊙ĝ, ĝ the gradient of the mean cross-entropy against labels drawn from the model's
 *                own softmax (ctx.evaluateSampled; the official loop's Categorical(logits).sample()),
 *                bs the number of labels drawn (the official `bs` = tokens per step);
 *   hutchinson:  v⊙(Hv) with Rademacher v and Hv by central finite differences of gradients
 *                (diagnostics/hessian.ts hvp; two evaluations), bs 1 (the paper's Algorithm 2).
 * Schedule (official): the loop updates h after step t when t mod k = k − 1, at the weights after
 * that step; here that is before step t + 1 at the same weights, i.e. at steps k, 2k, … (0-based),
 * so the first k steps run with h = 0 (sign-momentum steps of size lr). `update_at_start` also
 * estimates at step 0 (the paper's Algorithm 3: t mod k = 1 with t from 1).
 * Paper vs code: the paper clips m/max(ρ·h, ε) (ε = 1e-12; a negative Hutchinson h then gives a
 * full sign step), the code divides by ρ·bs·h + 1e-15 (a negative h flips the step and leaves it
 * unbounded: harmless for GNB, whose h ≥ 0, fatal for Hutchinson): `paper_clip`, by default the
 * code's form with gnb and the paper's with hutchinson (the official repository has no Hutchinson code).
 * The code estimates on the batch after the step's; minima on the step's own batch (same weights,
 * same law). A draw at step t uses Rng.derive(seed, label, t): resumes identically on every backend;
 * `seed` is the optimizer's, as sgld's.
 */
import { z } from 'zod';
import * as tf from '../../backends/tf.js';
import { normOfNorms, sign } from '../../backends/tree.js';
import { hashSeed, Rng } from '../../core/random.js';
import { RunnerError } from '../../core/errors.js';
import { hvp } from '../../diagnostics/hessian.js';
import { CBRT_EPS_F32 } from '../../measure/hvp.js';
import { rademacherVector } from '../../measure/spectrum.js';
import { betasOption, clipOption, clipped, defineOptimizer, lrOption } from '../entry.js';
import type { GradientTransformation, Params, UpdateContext, Updates } from '../transform.js';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';

export interface SophiaOptions {
  readonly betas: readonly [number, number];
  readonly rho: number;
  readonly k: number;
  readonly estimator: 'gnb' | 'hutchinson';
  readonly bs: number | null;
  readonly update_at_start: boolean;
  readonly paper_clip: boolean | null;
  readonly clip_grad_norm: number | null;
  readonly hvp_eps: number | null;
  readonly seed: number;
}

export interface SophiaState {
  readonly [k: string]: tf.Tensor | readonly tf.Tensor[];
  readonly exp_avg: readonly tf.Tensor[];
  readonly hessian: readonly tf.Tensor[];
  /** Steps taken (float32 scalar): the schedule and the draws' index. */
  readonly count: tf.Tensor;
  /** bs of the last estimate (GNB: labels drawn), so a resumed run scales by the same. */
  readonly bs: tf.Tensor;
}

/** ĥ by Hutchinson: v⊙Hv for Rademacher v, Hv = ‖v‖·H(v/‖v‖) by central differences of step eps along the unit vector. */
function hutchinson(ctx: UpdateContext, params: Params, seed: number, t: number, eps: number | null): tf.Tensor[] {
  const n = params.reduce((s, p) => s + p.size, 0);
  const v = rademacherVector(n, Rng.derive(seed, 'sophia-hutchinson', t));
  const norm = Math.sqrt(n);
  const u: tf.NamedTensorMap = {};
  const signs: tf.Tensor[] = [];
  let at = 0;
  ctx.params.forEach((p, i) => {
    const size = params[i]!.size;
    const s = tf.tensor(Float32Array.from(v.subarray(at, at + size)), params[i]!.shape, 'float32');
    at += size;
    signs.push(s);
    u[p.name] = tf.div(s, norm);
  });
  // the diagnostics' default step: cbrt(float32 eps)·(1 + ‖θ‖)
  const h = eps ?? CBRT_EPS_F32 * (1 + Math.sqrt(normOfNorms(params).dataSync()[0]! ** 2));
  const hu = hvp({ params: ctx.params, evaluate: (x) => { const r = ctx.evaluate(x ?? params); return { loss: r.loss, grads: [...r.grads] }; } }, u, h);
  return ctx.params.map((p, i) => tf.mul(signs[i]!, tf.mul(hu[p.name]!, norm)));
}

/** SophiaG's direction sign(m)·min(|m|/(ρ·bs·h + 1e-15), 1), with the Hessian EMA refreshed every k steps. */
export function scaleBySophia(o: SophiaOptions): GradientTransformation<SophiaState> {
  const [b1, b2] = o.betas;
  return {
    name: 'sophia',
    init: (params) => ({
      exp_avg: params.map((p) => tf.zerosLike(p)),
      hessian: params.map((p) => tf.zerosLike(p)),
      count: tf.scalar(0),
      bs: tf.scalar(o.bs ?? 1),
    }),
    update(grads: Updates, state, params, ctx) {
      const t = state.count.dataSync()[0]!;
      let hessian = state.hessian;
      let bs: tf.Tensor = state.bs;
      if (t % o.k === 0 && (t > 0 || o.update_at_start)) {
        let est: tf.Tensor[];
        if (o.estimator === 'gnb') {
          if (!ctx.evaluateSampled) throw new RunnerError('USAGE', 'sophia estimator gnb draws labels from the model, but this caller cannot (use estimator: hutchinson)');
          const r = ctx.evaluateSampled(hashSeed(o.seed, 'sophia-gnb', t));
          let g = r.grads;
          if (o.clip_grad_norm !== null) {
            // train_sophiag.py clips the sampled gradient with the same grad_clip before update_hessian
            const coef = tf.minimum(tf.div(o.clip_grad_norm, tf.add(normOfNorms(g), 1e-6)), 1);
            g = g.map((x) => tf.mul(x, coef));
          }
          est = g.map((x) => tf.mul(x, x));
          bs = tf.scalar(o.bs ?? r.rows);
        } else {
          est = hutchinson(ctx, params, o.seed, t, o.hvp_eps);
        }
        hessian = hessian.map((h, i) => tf.add(tf.mul(h, b2), tf.mul(est[i]!, 1 - b2)));
        ctx.report('hessian_updated', tf.scalar(1));
      }
      const m = state.exp_avg.map((x, i) => tf.add(tf.mul(x, b1), tf.mul(grads[i]!, 1 - b1)));
      const rhoBs = tf.mul(bs, o.rho);
      const paperClip = o.paper_clip ?? o.estimator === 'hutchinson';
      const u = m.map((x, i) => {
        const curv = tf.mul(rhoBs, hessian[i]!);
        const denom = paperClip ? tf.maximum(curv, 1e-12) : tf.add(curv, 1e-15);
        // tree.ts sign, not tf.sign: wasm's Sign kernel zeroes |x| < 1.2e-7
        return tf.mul(sign(x), tf.minimum(tf.div(tf.abs(x), denom), 1));
      });
      return [u, { exp_avg: m, hessian, count: tf.add(state.count, 1), bs }];
    },
  };
}

export const sophia = defineOptimizer({
  name: 'sophia',
  summary: 'Sophia (SophiaG): sign-momentum clipped by a Hessian-diagonal EMA refreshed every k steps (Gauss–Newton–Bartlett or Hutchinson)',
  schema: z.strictObject({
    lr: lrOption(1e-4),
    betas: betasOption(0.965, 0.99),
    rho: z.number().min(0).default(0.04).describe('ρ: clipping scale of m/(ρ·bs·h) (official class default 0.04; GPT-2 configs 0.03–0.05)'),
    weight_decay: z.number().min(0).default(0.1).describe('decoupled decay p·(1 − lr·wd) (official 1e-1)'),
    k: z.number().int().positive().default(10).describe('Hessian update interval (official hess_interval 10)'),
    estimator: z.enum(['gnb', 'hutchinson']).default('gnb').describe('gnb: ĝ⊙ĝ with labels drawn from the model (official SophiaG); hutchinson: v⊙Hv, Rademacher v, finite-difference HVP'),
    bs: z.number().positive().nullable().default(null).describe('the official step(bs): null = labels drawn per estimate (gnb) or 1 (hutchinson)'),
    update_at_start: z.boolean().default(false).describe('also estimate h at step 0 (the paper\'s t mod k = 1); official: first at step k'),
    paper_clip: z.boolean().nullable().default(null).describe('true: the paper\'s clip(m/max(ρ·bs·h, 1e-12), 1); false: the code\'s |m|/(ρ·bs·h + 1e-15); null: the code\'s for gnb, the paper\'s for hutchinson (whose h can be negative)'),
    hvp_eps: z.number().positive().nullable().default(null).describe('hutchinson: finite-difference step along the unit vector; null = cbrt(1.2e-7)·(1 + ‖θ‖)'),
    seed: z.number().int().min(0).default(0).describe('seed of the label draws / Rademacher vectors (Rng.derive(seed, label, step))'),
    ...clipOption,
  }),
  gradEvals: 3,
  info: {
    source: 'Liuhong99/Sophia sophia.py SophiaG, train_sophiag.py (a7e1572)',
    paper: 'Liu et al. 2023, Sophia: A Scalable Stochastic Second-order Optimizer for Language Model Pre-training',
    gradEvalsVary: 'per step: 1; every k-th step +1 (gnb) or +2 (hutchinson)',
  },
  create(o) {
    const lr = { value: o.lr };
    return clipped(o.clip_grad_norm, scaleBySophia(o), addDecayedWeights(o.weight_decay), scaleByLearningRate(lr));
  },
});
