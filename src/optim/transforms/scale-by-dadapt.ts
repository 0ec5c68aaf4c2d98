import * as tf from '../../backends/tf.js';
import { withPrecomputedSum } from '../apply.js';
import type { GradientTransformation, Hyper, StateTree } from '../transform.js';
import { packDoubles, readDoubles } from './double-scalars.js';

export interface DadaptAdamOptions {
  readonly betas: readonly [number, number];
  readonly eps: number;
  readonly weight_decay: number;
  readonly decouple: boolean;
  readonly use_bias_correction: boolean;
  readonly d0: number;
  readonly growth_rate: number | null;
}
export interface DadaptAdamState {
  readonly [k: string]: StateTree;
  readonly m: tf.Tensor[];
  readonly v: tf.Tensor[];
  readonly s: tf.Tensor[];
  /** d, numerator_weighted and the step k as double pairs (double-scalars.ts), read back once per step. */
  readonly scalars: tf.Tensor1D;
}

/**
 * D-Adapt Adam's whole step (facebookresearch/dadaptation `dadaptation/dadapt_adam.py`, c984980), lr included:
 *   dlr = d·lr·bc (bc = sqrt(1 − β2^(k+1))/(1 − β1^(k+1)) with use_bias_correction, else 1)
 *   per tensor (g + wd·p when coupled): num += dlr·<g, s/(sqrt(v) + eps)> (s and v before this step);
 *     m = β1·m + dlr(1 − β1)·g;  v = β2·v + (1 − β2)·g²;  s = √β2·s + dlr(1 − √β2)·g;  ‖s‖₁ summed
 *   ‖s‖₁ = 0: no step (the official early return);  N = √β2·N + (1 − √β2)·num
 *   d̂ = N/((1 − √β2)·‖s‖₁);  d ← max(d, min(d̂, d·growth))
 *   p ← p − wd·dlr·p (decouple) − m/(sqrt(v) + eps)      (m already carries dlr)
 * Reductions are read back once per step and combined in double, as the code's `.item()` sums;
 * the scalars are kept as double pairs (double-scalars.ts).
 */
export function scaleByDadaptAdam(lr: Hyper, o: DadaptAdamOptions): GradientTransformation<DadaptAdamState> {
  const [b1, b2] = o.betas;
  const sb2 = Math.sqrt(b2);
  const growth = o.growth_rate ?? Infinity;
  return {
    name: 'dadapt_adam',
    init: (params) => ({
      m: params.map((p) => tf.zerosLike(p)),
      v: params.map((p) => tf.zerosLike(p)),
      s: params.map((p) => tf.zerosLike(p)),
      scalars: packDoubles([o.d0, 0, 0]),
    }),
    update(raw, state, params, ctx) {
      const [d, numerator0, k] = readDoubles(state.scalars);
      const bc = o.use_bias_correction ? Math.sqrt(1 - b2 ** (k! + 1)) / (1 - b1 ** (k! + 1)) : 1;
      const dlr = d! * lr.value * bc;
      const grads = o.decouple || o.weight_decay === 0 ? raw : raw.map((g, i) => tf.add(g, tf.mul(params[i]!, o.weight_decay)));
      const dots = grads.map((g, i) => tf.sum(tf.mul(g, tf.div(state.s[i]!, tf.add(tf.sqrt(state.v[i]!), o.eps)))));
      const m = state.m.map((mi, i) => tf.add(tf.mul(mi, b1), tf.mul(grads[i]!, dlr * (1 - b1))));
      const v = state.v.map((vi, i) => tf.add(tf.mul(vi, b2), tf.mul(tf.square(grads[i]!), 1 - b2)));
      const s = state.s.map((si, i) => tf.add(tf.mul(si, sb2), tf.mul(grads[i]!, dlr * (1 - sb2))));
      const sums = tf.stack([...dots, ...s.map((si) => tf.sum(tf.abs(si)))]).dataSync();
      const n = grads.length;
      let num = 0;
      let l1 = 0;
      for (let i = 0; i < n; i++) num += dlr * sums[i]!;
      for (let i = 0; i < n; i++) l1 += sums[n + i]!;
      if (l1 === 0) {
        ctx.report('d', tf.scalar(d!));
        return [grads.map((g) => tf.zerosLike(g)), { m, v, s, scalars: tf.clone(state.scalars) }];
      }
      const numerator = sb2 * numerator0! + (1 - sb2) * num;
      const dHat = numerator / ((1 - sb2) * l1);
      const dNext = Math.max(d!, Math.min(dHat, d! * growth));
      const updates = params.map((p, i) => {
        const step = tf.div(m[i]!, tf.add(tf.sqrt(v[i]!), o.eps));
        return o.decouple && o.weight_decay !== 0 ? tf.sub(tf.neg(tf.mul(p, o.weight_decay * dlr)), step) : tf.neg(step);
      });
      ctx.report('d', tf.scalar(dNext));
      return [updates, { m, v, s, scalars: packDoubles([dNext, numerator, k! + 1]) }];
    },
    learningRate: lr,
    hyperparams: () => ({ lr: lr.value }),
  };
}

export interface DadaptSgdOptions {
  readonly momentum: number;
  readonly weight_decay: number;
  readonly d0: number;
  readonly growth_rate: number | null;
}
export interface DadaptSgdState {
  readonly [k: string]: StateTree;
  readonly s: tf.Tensor[];
  readonly x0: tf.Tensor[];
  /** d, numerator_weighted, ‖g₀‖ and the step k as double pairs (double-scalars.ts), read back once per step. */
  readonly scalars: tf.Tensor1D;
}

/**
 * D-Adapt SGD's whole step (facebookresearch/dadaptation `dadaptation/dadapt_sgd.py`, c984980), lr included:
 *   k = 0: ‖g₀‖ = the norm of the raw gradient (the code's `grad.add(p, alpha=decay)` there is not in place)
 *   dlr = d·lr/‖g₀‖;  g ← g + wd·p;  num += dlr·<g, s>;  s ← s + dlr·g;  N ← N + num
 *   d̂ = 2N/‖s‖₂;  d ← max(d, min(d̂, d·growth));  ‖s‖ = 0: no step
 *   z = x0 − s;  p ← momentum·p + (1 − momentum)·z   (the code's p·(1 − ck) + ck·z, ck = 1 − momentum)
 * The new p is handed over as the update's exact sum (apply.ts), so p lands on it bit for bit.
 */
export function scaleByDadaptSgd(lr: Hyper, o: DadaptSgdOptions): GradientTransformation<DadaptSgdState> {
  const growth = o.growth_rate ?? Infinity;
  const ck = 1 - o.momentum;
  return {
    name: 'dadapt_sgd',
    init: (params) => ({
      s: params.map((p) => tf.zerosLike(p)),
      x0: params.map((p) => tf.clone(p)),
      scalars: packDoubles([o.d0, 0, 0, 0]),
    }),
    update(raw, state, params, ctx) {
      const [d, numerator0, g0Stored, k] = readDoubles(state.scalars);
      let g0 = g0Stored!;
      if (k === 0) {
        const sq = tf.stack(raw.map((g) => tf.sum(tf.square(g)))).dataSync();
        let total = 0;
        for (const x of sq) total += x;
        g0 = Math.sqrt(total);
      }
      const dlr = g0 === 0 ? 0 : (d! * lr.value) / g0;
      const grads = o.weight_decay === 0 ? raw : raw.map((g, i) => tf.add(g, tf.mul(params[i]!, o.weight_decay)));
      const dots = grads.map((g, i) => tf.sum(tf.mul(g, state.s[i]!)));
      const s = state.s.map((si, i) => tf.add(si, tf.mul(grads[i]!, dlr)));
      const sums = tf.stack([...dots, ...s.map((si) => tf.sum(tf.square(si)))]).dataSync();
      const n = grads.length;
      let delta = 0;
      let sq = 0;
      for (let i = 0; i < n; i++) delta += dlr * sums[i]!;
      for (let i = 0; i < n; i++) sq += sums[n + i]!;
      if (sq === 0) {
        ctx.report('d', tf.scalar(d!));
        return [grads.map((g) => tf.zerosLike(g)), { s, x0: state.x0, scalars: tf.clone(state.scalars) }];
      }
      const numerator = numerator0! + delta;
      const dHat = (2 * numerator) / Math.sqrt(sq);
      const dNext = Math.max(d!, Math.min(dHat, d! * growth));
      const updates = params.map((p, i) => {
        const z = tf.sub(state.x0[i]!, s[i]!);
        const next = tf.add(tf.mul(p, 1 - ck), tf.mul(z, ck));
        return withPrecomputedSum(tf.sub(next, p), p, next);
      });
      ctx.report('d', tf.scalar(dNext));
      return [updates, { s, x0: state.x0, scalars: packDoubles([dNext, numerator, g0, k! + 1]) }];
    },
    learningRate: lr,
    hyperparams: () => ({ lr: lr.value }),
  };
}
