/**
 * MoMo and MoMo-Adam, official fabian-sp/MoMo `momo/momo.py`, `momo/momo_adam.py` (0553c78): SGD/Adam
 * with a Polyak-type step size from a model of the loss; they read the loss of the step (ctx.loss).
 *   MoMo:      t1 = max(c·(f̄ − ρ·lb) + <p, d> − c·γ, 0)/‖d‖²;  tau = min(lr/ρ, t1);  p = (p − tau·d)/c,  c = 1 + lr·λ
 *   MoMo-Adam: t1 = max(c·(f̄ − bc1·lb) + <p, m> − c·γ, 0)/‖m‖²_{D⁻¹};  tau = min(lr/bc1, t1);
 *              p = p − tau·m/D, D = sqrt(v/bc2) + eps;  decay: p/(1 + lr·λ) after (divide) or p·(1 − lr·λ) before
 * ‖d‖² ≤ 2.2e-16 gives t1 = 0 (optax's guard; the official code divides by zero). Everything stays
 * on the device: the lb reset of use_fstar is a select, not a Python branch.
 */
import * as tf from '../../backends/tf.js';
import { z } from 'zod';
import { betasOption, clipOption, clipped, defineOptimizer, lrOption } from '../entry.js';
import type { GradientTransformation, Hyper, StateTree, UpdateContext } from '../transform.js';
import { oneMinusPow, sumScalars, zip } from '../tree.js';
import { fusedActive, runProgram } from '../fused/kernel.js';
import { recordApplied } from '../fused/applied.js';
import type { Program } from '../fused/program.js';
import { momoAdamGammaProgram, momoAdamMomentsProgram, momoAdamStepProgram, momoAveragesProgram, momoGammaProgram, momoStepProgram, momoTailProgram } from '../fused/rules.js';

const tailPrograms = new Map<string, Program>();

/**
 * The fused scalar tail (no use_fstar): f̄, t1 and tau in one kernel with adaptiveStep's arithmetic;
 * reports t1, tau and lb as adaptiveStep does. Returns the new f̄ and tau.
 */
function fusedTail(
  kind: 'momo' | 'momo-adam', beta: number,
  a: { fbar: tf.Scalar; loss: tf.Scalar; first: tf.Tensor; lb: tf.Scalar; gamma: readonly tf.Tensor[]; dots: readonly tf.Tensor[]; norms: readonly tf.Tensor[];
    rho: tf.Scalar | number; lr: number; c: number; ctx: UpdateContext },
): { fbar: tf.Scalar; tau: tf.Scalar } {
  const k = `${kind} ${beta} ${a.gamma.length}`;
  const program = tailPrograms.get(k) ?? tailPrograms.set(k, momoTailProgram(kind, beta, a.gamma.length, NORM_GUARD)).get(k)!;
  const [fbar, t1, tau] = runProgram(program, [a.fbar, a.loss, a.first, a.lb, ...a.gamma, ...a.dots, ...a.norms], [a.rho, a.lr, a.c]) as [tf.Scalar, tf.Scalar, tf.Scalar];
  a.ctx.report('t1', t1);
  a.ctx.report('tau', tau);
  a.ctx.report('lb', a.lb);
  return { fbar, tau };
}

/** Runs a fused step program per parameter (outputs u, p + u) and records p + u for the facade. */
function fusedSteps(p: readonly tf.Tensor[], run: (i: number) => tf.Tensor[]): tf.Tensor[] {
  return p.map((pi, i) => {
    const [u, next] = run(i) as [tf.Tensor, tf.Tensor];
    recordApplied(u, pi, next);
    return u;
  });
}

/** optax: `lax.cond(norm <= jnp.finfo(float).eps, 0, t1)`. */
const NORM_GUARD = 2.220446049250313e-16;

interface MomoState {
  readonly [k: string]: StateTree;
  readonly d: tf.Tensor[];
  readonly gamma: tf.Scalar[];
  readonly fbar: tf.Scalar;
  readonly lb: tf.Scalar;
  readonly count: tf.Scalar;
}

interface AdaptiveStep {
  readonly c: number;
  readonly rho: tf.Scalar | number;
  readonly fbar: tf.Scalar;
  readonly dot: tf.Scalar;
  readonly gamma: tf.Scalar;
  readonly norm: tf.Scalar;
  readonly lb: tf.Scalar;
  readonly lr: number;
  readonly lb0: number;
  readonly useFstar: boolean;
  readonly ctx: UpdateContext;
}

/** The shared step-size rule: lb reset (use_fstar), t1, tau, next lb. */
function adaptiveStep(a: AdaptiveStep): { tau: tf.Scalar; nextLb: tf.Scalar } {
  const { c, rho, fbar, dot, gamma, norm, lr, lb0 } = a;
  let lb = a.lb;
  if (a.useFstar) {
    const cap = tf.sub(tf.add(tf.mul(fbar, c), dot), tf.mul(gamma, c));
    const reset = tf.maximum(tf.div(cap, tf.mul(rho, 2 * c)), lb0);
    lb = tf.where(tf.less(cap, tf.mul(tf.mul(rho, c), lb)), reset, lb) as tf.Scalar;
  }
  const nom = tf.add(tf.mul(tf.sub(fbar, tf.mul(rho, lb)), c), tf.sub(dot, tf.mul(gamma, c)));
  const raw = tf.div(tf.maximum(nom, 0), norm);
  const t1 = tf.where(tf.lessEqual(norm, NORM_GUARD), tf.zerosLike(raw), raw) as tf.Scalar;
  const tau = tf.minimum(tf.div(lr, rho), t1) as tf.Scalar;
  a.ctx.report('t1', t1);
  a.ctx.report('tau', tau);
  a.ctx.report('lb', lb);
  const nextLb = a.useFstar
    ? (tf.maximum(tf.div(tf.sub(tf.sub(tf.add(fbar, dot), gamma), tf.mul(tf.mul(tau, norm), 0.5)), rho), lb0) as tf.Scalar)
    : lb;
  return { tau, nextLb };
}

export interface MomoOptions {
  readonly beta: number; readonly lb: number; readonly weight_decay: number; readonly bias_correction: boolean; readonly use_fstar: boolean;
}

export function scaleByMomo(lr: Hyper, o: MomoOptions): GradientTransformation<MomoState> {
  const { beta, weight_decay: wd } = o;
  const averages = momoAveragesProgram(beta);
  const gammaAverage = momoGammaProgram(beta);
  const step = momoStepProgram(wd > 0);
  return {
    name: 'momo',
    init: (params) => ({
      d: params.map((p) => tf.zerosLike(p)),
      gamma: params.map(() => tf.scalar(0)),
      fbar: tf.scalar(0),
      lb: tf.scalar(o.lb),
      count: tf.scalar(0),
    }),
    update(grads, state, p, ctx) {
      const count = tf.add(state.count, 1) as tf.Scalar;
      // Without bias correction the averages start at the first values (the official k == 1 copy);
      // the state starts at zero, so adding first·value reproduces the copy exactly.
      const first = o.bias_correction ? tf.scalar(0) : tf.cast(tf.equal(state.count, 0), 'float32');
      const loss = ctx.loss;
      const rho = o.bias_correction ? oneMinusPow(beta, count) : 1;
      const fused = fusedActive();
      // fused: d and the three sums in one pass (each backend's tf.sum order, same bits)
      const parts = fused ? p.map((pi, i) => runProgram(averages, [pi, grads[i]!, state.d[i]!], [first])) : null;
      const pg = parts ? parts.map((x) => x[1]!) : zip(p, grads, (pi, gi) => tf.sum(tf.mul(pi, gi)));
      const d = parts ? parts.map((x) => x[0]!) : zip(state.d, grads, (di, gi) => tf.add(tf.mul(tf.add(di, tf.mul(gi, first)), beta), tf.mul(gi, 1 - beta)));
      const gamma = state.gamma.map((gi, i) => (parts
        ? runProgram(gammaAverage, [gi, pg[i]!], [first])[0]!
        : tf.add(tf.mul(tf.add(gi, tf.mul(pg[i]!, first)), beta), tf.mul(pg[i]!, 1 - beta))) as tf.Scalar);
      const c = 1 + lr.value * wd;
      if (parts && !o.use_fstar) {
        const tail = fusedTail('momo', beta, {
          fbar: state.fbar, loss, first, lb: state.lb, gamma, dots: parts.map((x) => x[2]!), norms: parts.map((x) => x[3]!), rho, lr: lr.value, c, ctx,
        });
        const updates = fusedSteps(p, (i) => runProgram(step, [p[i]!, d[i]!], [tail.tau, c]));
        return [updates, { d, gamma, fbar: tail.fbar, lb: state.lb, count }];
      }
      const fbar = tf.add(tf.mul(tf.add(state.fbar, tf.mul(loss, first)), beta), tf.mul(loss, 1 - beta)) as tf.Scalar;
      const dot = sumScalars((parts ? parts.map((x) => x[2]!) : zip(p, d, (pi, di) => tf.sum(tf.mul(pi, di)))) as tf.Scalar[]);
      const norm = sumScalars((parts ? parts.map((x) => x[3]!) : d.map((di) => tf.sum(tf.mul(di, di)))) as tf.Scalar[]);
      const { tau, nextLb } = adaptiveStep({
        c, rho, fbar, dot, gamma: sumScalars(gamma), norm, lb: state.lb, lr: lr.value, lb0: o.lb, useFstar: o.use_fstar, ctx,
      });
      // p_new = (p − tau·d)/c, as an update relative to p
      const updates = fused ? fusedSteps(p, (i) => runProgram(step, [p[i]!, d[i]!], [tau, c])) : zip(p, d, (pi, di) => {
        const stepped = tf.sub(pi, tf.mul(di, tau));
        return wd > 0 ? tf.sub(tf.div(stepped, c), pi) : tf.sub(stepped, pi);
      });
      return [updates, { d, gamma, fbar, lb: nextLb, count }];
    },
    learningRate: lr,
    hyperparams: () => ({ lr: lr.value }),
  };
}

interface MomoAdamState {
  readonly [k: string]: StateTree;
  readonly m: tf.Tensor[];
  readonly v: tf.Tensor[];
  readonly gamma: tf.Scalar[];
  readonly fbar: tf.Scalar;
  readonly lb: tf.Scalar;
  readonly count: tf.Scalar;
}

export interface MomoAdamOptions {
  readonly betas: readonly [number, number]; readonly eps: number; readonly lb: number; readonly weight_decay: number;
  readonly divide: boolean; readonly use_fstar: boolean;
}

export function scaleByMomoAdam(lr: Hyper, o: MomoAdamOptions): GradientTransformation<MomoAdamState> {
  const [b1, b2] = o.betas;
  const wd = o.weight_decay;
  const moments = momoAdamMomentsProgram(b1, b2, o.eps);
  const gammaAverage = momoAdamGammaProgram(b1);
  const step = momoAdamStepProgram(wd > 0 ? (o.divide ? 'divide' : 'before') : 'none');
  return {
    name: 'momo_adam',
    init: (params) => ({
      m: params.map((p) => tf.zerosLike(p)),
      v: params.map((p) => tf.zerosLike(p)),
      gamma: params.map(() => tf.scalar(0)),
      fbar: tf.scalar(0),
      lb: tf.scalar(o.lb),
      count: tf.scalar(0),
    }),
    update(grads, state, p, ctx) {
      const count = tf.add(state.count, 1) as tf.Scalar;
      const bc1 = oneMinusPow(b1, count);
      const bc2 = oneMinusPow(b2, count);
      const fused = fusedActive();
      // fused: moments, D and the three sums in one pass
      const parts = fused ? p.map((pi, i) => runProgram(moments, [pi, grads[i]!, state.m[i]!, state.v[i]!], [bc2])) : null;
      const m = parts ? parts.map((x) => x[0]!) : zip(state.m, grads, (mi, gi) => tf.add(tf.mul(mi, b1), tf.mul(gi, 1 - b1)));
      const v = parts ? parts.map((x) => x[1]!) : zip(state.v, grads, (vi, gi) => tf.add(tf.mul(vi, b2), tf.mul(tf.mul(gi, gi), 1 - b2)));
      const pg = parts ? parts.map((x) => x[3]!) : p.map((pi, i) => tf.sum(tf.mul(pi, grads[i]!)));
      const gamma = state.gamma.map((gi, i) => (parts
        ? runProgram(gammaAverage, [gi, pg[i]!])[0]!
        : tf.add(tf.mul(gi, b1), tf.mul(pg[i]!, 1 - b1))) as tf.Scalar);
      const D = parts ? parts.map((x) => x[2]!) : v.map((vi) => tf.add(tf.sqrt(tf.div(vi, bc2)), o.eps));
      const c = 1 + lr.value * wd;
      if (parts && !o.use_fstar) {
        const tail = fusedTail('momo-adam', b1, {
          fbar: state.fbar, loss: ctx.loss, first: ctx.loss, lb: state.lb, gamma, dots: parts.map((x) => x[4]!), norms: parts.map((x) => x[5]!),
          rho: bc1, lr: lr.value, c, ctx,
        });
        const updates = fusedSteps(p, (i) => runProgram(step, [p[i]!, m[i]!, D[i]!], [tail.tau, 1 - wd * lr.value, c]));
        return [updates, { m, v, gamma, fbar: tail.fbar, lb: state.lb, count }];
      }
      const dot = sumScalars((parts ? parts.map((x) => x[4]!) : zip(p, m, (pi, mi) => tf.sum(tf.mul(pi, mi)))) as tf.Scalar[]);
      const norm = sumScalars((parts ? parts.map((x) => x[5]!) : zip(m, D, (mi, di) => tf.sum(tf.mul(mi, tf.div(mi, di))))) as tf.Scalar[]);
      const fbar = tf.add(tf.mul(ctx.loss, 1 - b1), tf.mul(state.fbar, b1)) as tf.Scalar;
      const { tau, nextLb } = adaptiveStep({
        c, rho: bc1, fbar, dot, gamma: sumScalars(gamma), norm, lb: state.lb, lr: lr.value, lb0: o.lb, useFstar: o.use_fstar, ctx,
      });
      const updates = fused ? fusedSteps(p, (i) => runProgram(step, [p[i]!, m[i]!, D[i]!], [tau, 1 - wd * lr.value, c])) : p.map((pi, i) => {
        let x = wd > 0 && !o.divide ? tf.mul(pi, 1 - wd * lr.value) : pi;
        x = tf.sub(x, tf.mul(tf.div(m[i]!, D[i]!), tau));
        if (wd > 0 && o.divide) x = tf.div(x, c);
        return tf.sub(x, pi);
      });
      return [updates, { m, v, gamma, fbar, lb: nextLb, count }];
    },
    learningRate: lr,
    hyperparams: () => ({ lr: lr.value }),
  };
}

const lbOption = z.number().default(0).describe('lower bound of the loss (0 for non-negative losses)');
const fstarOption = z.boolean().default(false).describe('estimate the lower bound online (resets and updates lb)');

export const momo = defineOptimizer({
  name: 'momo',
  summary: 'MoMo: SGD with momentum and a Polyak-type adaptive step size (needs the loss value)',
  schema: z.strictObject({
    lr: lrOption(1),
    beta: z.number().min(0).lt(1).default(0.9).describe('momentum (EMA) coefficient'),
    lb: lbOption,
    weight_decay: z.number().min(0).default(0).describe('λ: proximal decay p ← (p − tau·d)/(1 + lr·λ)'),
    bias_correction: z.boolean().default(false).describe('start the averages at 0 and correct by 1 − β^k'),
    use_fstar: fstarOption,
    ...clipOption,
  }),
  info: { gradEvals: 1, needsLoss: true, source: 'fabian-sp/MoMo momo/momo.py' },
  create: (o) => clipped(o.clip_grad_norm, scaleByMomo({ value: o.lr }, o)),
});

export const momoAdam = defineOptimizer({
  name: 'momo-adam',
  summary: 'MoMo-Adam: Adam with a Polyak-type adaptive step size (needs the loss value)',
  schema: z.strictObject({
    lr: lrOption(1e-2),
    betas: betasOption(0.9, 0.999),
    eps: z.number().min(0).default(1e-8).describe('added to sqrt(v̂)'),
    lb: lbOption,
    weight_decay: z.number().min(0).default(0).describe('λ'),
    divide: z.boolean().default(true).describe('true: proximal p/(1 + lr·λ) after the step; false: AdamW-style p·(1 − lr·λ) before'),
    use_fstar: fstarOption,
    ...clipOption,
  }),
  info: { gradEvals: 1, needsLoss: true, source: 'fabian-sp/MoMo momo/momo_adam.py' },
  create: (o) => clipped(o.clip_grad_norm, scaleByMomoAdam({ value: o.lr }, o)),
});
