/**
 * MoMo and MoMo-Adam's step, official fabian-sp/MoMo `momo/momo.py`, `momo/momo_adam.py` (0553c78):
 * SGD/Adam with a Polyak-type step size from a model of the loss; they read the loss of the step (ctx.loss).
 *   MoMo:      t1 = max(c·(f̄ − ρ·lb) + <p, d> − c·γ, 0)/‖d‖²;  tau = min(lr/ρ, t1);  p = (p − tau·d)/c,  c = 1 + lr·λ
 *   MoMo-Adam: t1 = max(c·(f̄ − bc1·lb) + <p, m> − c·γ, 0)/‖m‖²_{D⁻¹};  tau = min(lr/bc1, t1);
 *              p = p − tau·m/D, D = sqrt(v/bc2) + eps;  decay: p/(1 + lr·λ) after (divide) or p·(1 − lr·λ) before
 * ‖d‖² ≤ 2.2e-16 gives t1 = 0 (optax's guard; the official code divides by zero). Everything stays
 * on the device: the lb reset of use_fstar is a select, not a Python branch.
 */
import * as tf from '../../backends/tf.js';
import { oneMinusPow, sumScalars, zip } from '../../backends/tree.js';
import type { GradientTransformation, Hyper, StateTree, UpdateContext } from '../transform.js';

/** optax: `lax.cond(norm <= jnp.finfo(float).eps, 0, t1)`. */
export const NORM_GUARD = 2.220446049250313e-16;

export interface MomoState {
  readonly [k: string]: StateTree;
  readonly d: tf.Tensor[];
  readonly gamma: tf.Scalar[];
  readonly fbar: tf.Scalar;
  readonly lb: tf.Scalar;
  readonly count: tf.Scalar;
}

export interface AdaptiveStep {
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
export function adaptiveStep(a: AdaptiveStep): { tau: tf.Scalar; nextLb: tf.Scalar } {
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

/**
 * Without bias correction the averages start at the first values (the official k == 1 copy); the
 * state starts at zero, so adding first·value reproduces the copy exactly. 0 with bias correction.
 */
export function momoFirst(o: MomoOptions, count: tf.Scalar): tf.Tensor {
  return o.bias_correction ? tf.scalar(0) : tf.cast(tf.equal(count, 0), 'float32');
}

export function scaleByMomo(lr: Hyper, o: MomoOptions): GradientTransformation<MomoState> {
  const { beta, weight_decay: wd } = o;
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
      const first = momoFirst(o, state.count);
      const loss = ctx.loss;
      const rho = o.bias_correction ? oneMinusPow(beta, count) : 1;
      const pg = zip(p, grads, (pi, gi) => tf.sum(tf.mul(pi, gi)));
      const d = zip(state.d, grads, (di, gi) => tf.add(tf.mul(tf.add(di, tf.mul(gi, first)), beta), tf.mul(gi, 1 - beta)));
      const gamma = state.gamma.map((gi, i) => tf.add(tf.mul(tf.add(gi, tf.mul(pg[i]!, first)), beta), tf.mul(pg[i]!, 1 - beta)) as tf.Scalar);
      const c = 1 + lr.value * wd;
      const fbar = tf.add(tf.mul(tf.add(state.fbar, tf.mul(loss, first)), beta), tf.mul(loss, 1 - beta)) as tf.Scalar;
      const dot = sumScalars(zip(p, d, (pi, di) => tf.sum(tf.mul(pi, di))) as tf.Scalar[]);
      const norm = sumScalars(d.map((di) => tf.sum(tf.mul(di, di))));
      const { tau, nextLb } = adaptiveStep({
        c, rho, fbar, dot, gamma: sumScalars(gamma), norm, lb: state.lb, lr: lr.value, lb0: o.lb, useFstar: o.use_fstar, ctx,
      });
      // p_new = (p − tau·d)/c, as an update relative to p
      const updates = zip(p, d, (pi, di) => {
        const stepped = tf.sub(pi, tf.mul(di, tau));
        return wd > 0 ? tf.sub(tf.div(stepped, c), pi) : tf.sub(stepped, pi);
      });
      return [updates, { d, gamma, fbar, lb: nextLb, count }];
    },
    learningRate: lr,
    hyperparams: () => ({ lr: lr.value }),
  };
}

export interface MomoAdamState {
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
      const m = zip(state.m, grads, (mi, gi) => tf.add(tf.mul(mi, b1), tf.mul(gi, 1 - b1)));
      const v = zip(state.v, grads, (vi, gi) => tf.add(tf.mul(vi, b2), tf.mul(tf.mul(gi, gi), 1 - b2)));
      const pg = p.map((pi, i) => tf.sum(tf.mul(pi, grads[i]!)));
      const gamma = state.gamma.map((gi, i) => tf.add(tf.mul(gi, b1), tf.mul(pg[i]!, 1 - b1)) as tf.Scalar);
      const D = v.map((vi) => tf.add(tf.sqrt(tf.div(vi, bc2)), o.eps));
      const c = 1 + lr.value * wd;
      const dot = sumScalars(zip(p, m, (pi, mi) => tf.sum(tf.mul(pi, mi))) as tf.Scalar[]);
      const norm = sumScalars(zip(m, D, (mi, di) => tf.sum(tf.mul(mi, tf.div(mi, di)))) as tf.Scalar[]);
      const fbar = tf.add(tf.mul(ctx.loss, 1 - b1), tf.mul(state.fbar, b1)) as tf.Scalar;
      const { tau, nextLb } = adaptiveStep({
        c, rho: bc1, fbar, dot, gamma: sumScalars(gamma), norm, lb: state.lb, lr: lr.value, lb0: o.lb, useFstar: o.use_fstar, ctx,
      });
      const updates = p.map((pi, i) => {
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
