/**
 * GAM's fused twin (not adaptive): the arithmetic of optimizers/gam.ts in five passes per tensor
 * around its three extra evaluations, besides the norms; perturbations are recomputed where needed
 * instead of stored (rules.ts). The pass order is part of the bit-for-bit agreement: keep it.
 */
import type * as tf from '../../backends/tf.js';
import type { Tree } from '../../backends/tree.js';
import { runProgram } from '../../backends/kernels/kernel.js';
import type { Program } from '../../backends/kernels/program.js';
import { sumSquaresProgram } from '../../backends/kernels/reductions.js';
import type { GradientTransformation } from '../transform.js';
import { wrapBase } from '../wrap-base.js';
import { fusedRebase } from './rebase.js';
import { ascentToProgram, gamCorrectionProgram, gamCosineProgram, gamMixProgram, gamRestoreProgram, normScaleProgram } from './rules.js';

export interface GamOptions {
  readonly grad_rho: number; readonly grad_norm_rho: number; readonly grad_beta_0: number; readonly grad_beta_1: number; readonly grad_gamma: number;
  readonly adaptive: boolean; readonly perturb_eps: number; readonly paper_h_minus: boolean; readonly clip_grad_norm: number | null;
}

export function fusedGam(o: GamOptions, base: GradientTransformation): GradientTransformation {
  const xi = o.perturb_eps;
  const mix = gamMixProgram(o.grad_beta_0, o.grad_beta_1, o.paper_h_minus);
  const correction = gamCorrectionProgram(o.grad_beta_0, o.grad_beta_1, o.paper_h_minus, o.grad_gamma);
  const programs = new Map<string, Program>();
  const memo = (k: string, make: () => Program): Program => programs.get(k) ?? programs.set(k, make()).get(k)!;
  /** radius/(sqrt(Σ sums) + ξ), the scale of the composite's `perturbation` from precomputed squares. */
  const scaleOf = (sums: readonly tf.Tensor[], radius: number): { n: tf.Scalar; scale: tf.Scalar } => {
    const program = memo(`scale ${sums.length} ${radius}`, () => normScaleProgram(sums.length, radius, xi));
    const [n, scale] = runProgram(program, sums) as [tf.Scalar, tf.Scalar];
    return { n, scale };
  };
  return wrapBase('gam', base, {
    update(g0: Tree, w, ctx) {
      const s0 = scaleOf(g0.map((g) => runProgram(sumSquaresProgram, [g])[0]!), o.grad_rho);
      ctx.report('grad_norm', s0.n);
      const w1 = w.map((wi, i) => runProgram(ascentToProgram, [wi, g0[i]!], [s0.scale])[0]!);
      const g1 = ctx.evaluate(w1).grads;
      const r = w1.map((x, i) => runProgram(gamRestoreProgram, [x, g0[i]!, g1[i]!], [s0.scale]));
      const s1 = scaleOf(r.map((x) => x[2]!), o.grad_norm_rho);
      const h0 = r.map((x) => x[1]!);
      const w2 = r.map((x, i) => runProgram(ascentToProgram, [x[0]!, h0[i]!], [s1.scale])[0]!);
      const g2 = ctx.evaluate(w2).grads;
      const s2 = scaleOf(g2.map((g) => runProgram(sumSquaresProgram, [g])[0]!), o.grad_rho);
      const w3 = w2.map((x, i) => runProgram(ascentToProgram, [x, g2[i]!], [s2.scale])[0]!);
      const g3 = ctx.evaluate(w3).grads;
      const sums = g0.map((_, i) => runProgram(mix, [g0[i]!, g1[i]!, g2[i]!, g3[i]!]));
      const [cosine, k, denom] = runProgram(memo(`cosine ${sums.length}`, () => gamCosineProgram(sums.length, xi)), [0, 1, 2].flatMap((j) => sums.map((x) => x[j]!))) as
        [tf.Scalar, tf.Scalar, tf.Scalar];
      ctx.report('cosine', cosine);
      const parts = g0.map((_, i) => runProgram(correction, [g0[i]!, g1[i]!, g2[i]!, g3[i]!, h0[i]!, w3[i]!], [s1.scale, s2.scale, k, denom]));
      return { grads: parts.map((x) => x[0]!), from: parts.map((x) => x[1]!) };
    },
    hyperparams: () => ({ grad_rho: o.grad_rho, grad_norm_rho: o.grad_norm_rho }),
    rebase: fusedRebase,
  });
}
