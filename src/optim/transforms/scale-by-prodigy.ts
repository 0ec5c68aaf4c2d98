import * as tf from '../../backends/tf.js';
import type { GradientTransformation, Hyper, StateTree } from '../transform.js';
import { asStored, packDoubles, readDoubles } from './double-scalars.js';

export interface ProdigyOptions {
  readonly betas: readonly [number, number];
  readonly beta3: number | null;
  readonly eps: number;
  readonly weight_decay: number;
  readonly decouple: boolean;
  readonly use_bias_correction: boolean;
  readonly safeguard_warmup: boolean;
  readonly d0: number;
  readonly d_coef: number;
  readonly growth_rate: number | null;
}
export interface ProdigyState {
  readonly [k: string]: StateTree;
  readonly m: tf.Tensor[];
  readonly v: tf.Tensor[];
  readonly s: tf.Tensor[];
  readonly p0: tf.Tensor[];
  /** d, d_max, d_numerator and the step k as double pairs (double-scalars.ts), read back once per step. */
  readonly scalars: tf.Tensor1D;
}

/**
 * Prodigy's whole step (konstmish/prodigy `prodigyopt/prodigy.py`, 3efb213), lr included:
 *   dlr = d·lr·bc (bc = sqrt(1 − β2^(k+1))/(1 − β1^(k+1)) with use_bias_correction, else 1)
 *   per tensor (g + wd·p when coupled): num += (d/d0)·dlr·<g, p0 − p>;  m = β1·m + d(1 − β1)·g;
 *     v = β2·v + d²(1 − β2)·g²;  s = β3·s + (d/d0)·dlr·g  (safeguard_warmup: (d/d0)·d·g);  den += ‖s‖₁
 *   den = 0: no step (m, v, s kept, d and k unchanged, as the official early return)
 *   N = β3·N + num;  d̂ = d_coef·N/den;  d ← max(d, d̂) while d = d0;  d_max = max(d_max, d̂);  d = min(d_max, d·growth)
 *   p ← p − wd·dlr·p (decoupled) − dlr·m/(sqrt(v) + d·eps)   (β1 = 0: − dlr·d·g/(sqrt(v) + d·eps))
 * The official code reduces the dot products and ℓ1 norms with `.item()` into Python floats; here
 * they are read back in one transfer per step and combined in double, and the scalars are kept
 * as double pairs (read back the same way after a resume, so a resumed run repeats every bit).
 */
export function scaleByProdigy(lr: Hyper, o: ProdigyOptions): GradientTransformation<ProdigyState> {
  const [b1, b2] = o.betas;
  const b3 = o.beta3 ?? Math.sqrt(b2);
  const growth = o.growth_rate ?? Infinity;
  const d0 = asStored(o.d0); // d starts at d0 as the state stores it, so `d == d0` compares like with like
  return {
    name: 'prodigy',
    init: (params) => ({
      m: params.map((p) => tf.zerosLike(p)),
      v: params.map((p) => tf.zerosLike(p)),
      s: params.map((p) => tf.zerosLike(p)),
      p0: params.map((p) => tf.clone(p)),
      scalars: packDoubles([o.d0, o.d0, 0, 0]),
    }),
    update(raw, state, params, ctx) {
      const [d, dMax0, numerator0, k] = readDoubles(state.scalars);
      const bc = o.use_bias_correction ? Math.sqrt(1 - b2 ** (k! + 1)) / (1 - b1 ** (k! + 1)) : 1;
      const dlr = d! * lr.value * bc;
      const grads = o.decouple || o.weight_decay === 0 ? raw : raw.map((g, i) => tf.add(g, tf.mul(params[i]!, o.weight_decay)));
      const m = b1 > 0 ? state.m.map((mi, i) => tf.add(tf.mul(mi, b1), tf.mul(grads[i]!, d! * (1 - b1)))) : state.m;
      const v = state.v.map((vi, i) => tf.add(tf.mul(vi, b2), tf.mul(tf.square(grads[i]!), d! * d! * (1 - b2))));
      const sCoef = o.safeguard_warmup ? (d! / d0) * d! : (d! / d0) * dlr;
      const s = state.s.map((si, i) => tf.add(tf.mul(si, b3), tf.mul(grads[i]!, sCoef)));
      const sums = tf.stack([...grads.map((g, i) => tf.sum(tf.mul(g, tf.sub(state.p0[i]!, params[i]!)))), ...s.map((si) => tf.sum(tf.abs(si)))]).dataSync();
      const n = grads.length;
      let delta = 0;
      let den = 0;
      for (let i = 0; i < n; i++) delta += (d! / d0) * dlr * sums[i]!;
      for (let i = 0; i < n; i++) den += sums[n + i]!;
      const kept = { p0: state.p0, m, v, s };
      if (den === 0) {
        ctx.report('d', tf.scalar(d!));
        return [grads.map((g) => tf.zerosLike(g)), { ...kept, scalars: tf.clone(state.scalars) }];
      }
      const numerator = numerator0! * b3 + delta;
      const dHat = (o.d_coef * numerator) / den;
      let dNext = d!;
      if (d === d0) dNext = Math.max(dNext, dHat);
      const dMax = Math.max(dMax0!, dHat);
      dNext = Math.min(dMax, dNext * growth);
      const updates = params.map((p, i) => {
        const denom = tf.add(tf.sqrt(v[i]!), dNext * o.eps);
        const step = b1 > 0 ? tf.mul(tf.div(m[i]!, denom), dlr) : tf.mul(tf.div(grads[i]!, denom), dlr * dNext);
        return o.decouple && o.weight_decay !== 0 ? tf.sub(tf.neg(tf.mul(p, o.weight_decay * dlr)), step) : tf.neg(step);
      });
      ctx.report('d', tf.scalar(dNext));
      return [updates, { ...kept, scalars: packDoubles([dNext, dMax, numerator, k! + 1]) }];
    },
    learningRate: lr,
    hyperparams: () => ({ lr: lr.value }),
  };
}
