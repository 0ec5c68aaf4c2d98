/**
 * SAM's, ASAM's and GSAM's fused twins (SAM and GSAM not adaptive): the ascent point in one pass
 * per tensor, GSAM's corrected gradient and restored weights in one more, the rebase fused with
 * applyUpdates' add. The same float32 ops as optimizers/sam.ts, asam.ts and gsam.ts; GSAM's ‖g0‖
 * is n0 (the same ops on the same tensors).
 */
import * as tf from '../../backends/tf.js';
import { add, normOfNorms, sub, vdot } from '../../backends/tree.js';
import { runProgram } from '../../backends/kernels/kernel.js';
import type { GradientTransformation, Hyper } from '../transform.js';
import { proportionRho, type ProportionOptions } from '../transforms/proportion-rho.js';
import { wrapBase } from '../wrap-base.js';
import { fusedRebase } from './rebase.js';
import { ascentProgram, axpyProgram, correctionProgram } from './rules.js';

/** `rho` is the composite's Hyper: a scheduled ρ is read each step here too. */
export function fusedSam(o: { readonly rho: Hyper; readonly eps: number }, base: GradientTransformation): GradientTransformation {
  return wrapBase('sam', base, {
    update(grads, w, ctx) {
      const n = normOfNorms(grads);
      ctx.report('grad_norm', n);
      const scale = tf.div(o.rho.value, tf.add(n, o.eps));
      const at = w.map((wi, i) => runProgram(axpyProgram, [wi, grads[i]!], [scale])[0]!);
      return { grads: ctx.evaluate(at).grads };
    },
    hyperparams: () => ({ rho: o.rho.value }),
  });
}

/** ASAM's arithmetic as optimizers/asam.ts; only the rebase is fused. */
export function fusedAsam(o: { readonly rho: Hyper; readonly eta: number }, base: GradientTransformation): GradientTransformation {
  return wrapBase('asam', base, {
    update(grads, w, ctx) {
      const isWeight = (i: number): boolean => ctx.params[i]?.role === 'kernel';
      const T = w.map((wi, i) => (isWeight(i) ? tf.add(tf.abs(wi), o.eta) : null));
      const h = grads.map((g, i) => (T[i] ? tf.mul(g, T[i]!) : g));
      const n = tf.add(normOfNorms(h), 1e-16);
      ctx.report('grad_norm', n as tf.Scalar);
      const scale = tf.div(o.rho.value, n);
      const e = h.map((hi, i) => tf.mul(T[i] ? tf.mul(hi, T[i]!) : hi, scale));
      const at = add(w, e);
      const second = ctx.evaluate(at);
      return { grads: second.grads, from: sub(at, e) };
    },
    hyperparams: () => ({ rho: o.rho.value }),
    rebase: fusedRebase,
  });
}

export function fusedGsam(o: ProportionOptions & { readonly alpha: number; readonly perturb_eps: number }, base: GradientTransformation): GradientTransformation {
  const rhoNow = proportionRho(o, base);
  const eps = o.perturb_eps;
  const corr = correctionProgram(o.alpha);
  return wrapBase('gsam', base, {
    update(g0, w, ctx) {
      const rho = rhoNow();
      const n0 = normOfNorms(g0);
      const scale = tf.div(rho, tf.add(n0, eps));
      // e and w + e in one pass
      const ascent = w.map((wi, i) => runProgram(ascentProgram, [wi, g0[i]!], [scale]));
      const e = ascent.map((x) => x[0]!);
      const at = ascent.map((x) => x[1]!);
      const g1 = ctx.evaluate(at).grads;
      const inner = vdot(g0, g1);
      const newNorm = normOfNorms(g1);
      const oldNorm = n0;
      const cosine = tf.div(inner, tf.add(tf.mul(newNorm, oldNorm), eps));
      ctx.report('grad_norm', n0);
      ctx.report('cosine', cosine as tf.Scalar);
      const denom = tf.add(newNorm, eps);
      const k = tf.mul(cosine, oldNorm) as tf.Scalar;
      const parts = g0.map((a, i) => runProgram(corr, [a, g1[i]!, at[i]!, e[i]!], [k, denom]));
      return { grads: parts.map((x) => x[0]!), from: parts.map((x) => x[1]!) };
    },
    hyperparams: () => ({ rho: rhoNow() }),
    rebase: fusedRebase,
  });
}
