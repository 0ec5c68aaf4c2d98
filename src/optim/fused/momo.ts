/**
 * MoMo's and MoMo-Adam's fused twins: the averages and the three reduced products in one pass per
 * parameter, the scalar tail in one kernel (or the composite adaptiveStep with use_fstar), the step
 * in one pass writing p + u. The same state as scaleByMomo / scaleByMomoAdam, op for op.
 */
import * as tf from '../../backends/tf.js';
import { oneMinusPow, sumScalars } from '../../backends/tree.js';
import { runProgram } from '../../backends/kernels/kernel.js';
import type { Program } from '../../backends/kernels/program.js';
import { withPrecomputedSum } from '../apply.js';
import type { GradientTransformation, UpdateContext } from '../transform.js';
import {
  adaptiveStep, momoFirst, NORM_GUARD, type MomoAdamOptions, type MomoAdamState, type MomoOptions, type MomoState,
} from '../transforms/scale-by-momo.js';
import { fusedRecipe } from './recipe.js';
import { momoAdamGammaProgram, momoAdamMomentsProgram, momoAdamStepProgram, momoAveragesProgram, momoGammaProgram, momoStepProgram, momoTailProgram } from './rules.js';

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

/** Runs a fused step program per parameter (outputs u, p + u) and hands p + u to applyUpdates. */
function fusedSteps(p: readonly tf.Tensor[], run: (i: number) => tf.Tensor[]): tf.Tensor[] {
  return p.map((pi, i) => {
    const [u, next] = run(i) as [tf.Tensor, tf.Tensor];
    return withPrecomputedSum(u, pi, next);
  });
}

export function fusedMomo(o: MomoOptions & { readonly clip_grad_norm: number | null }, composite: GradientTransformation): GradientTransformation {
  const lr = composite.learningRate!;
  const { beta, weight_decay: wd } = o;
  const averages = momoAveragesProgram(beta);
  const gammaAverage = momoGammaProgram(beta);
  const step = momoStepProgram(wd > 0);
  return fusedRecipe(o.clip_grad_norm, composite, (grads, s, p, ctx) => {
    const state = s['momo'] as MomoState;
    const count = tf.add(state.count, 1) as tf.Scalar;
    const first = momoFirst(o, state.count);
    const loss = ctx.loss;
    const rho = o.bias_correction ? oneMinusPow(beta, count) : 1;
    // d and the three sums in one pass (each backend's tf.sum order, same bits)
    const parts = p.map((pi, i) => runProgram(averages, [pi, grads[i]!, state.d[i]!], [first]));
    const pg = parts.map((x) => x[1]!);
    const d = parts.map((x) => x[0]!);
    const gamma = state.gamma.map((gi, i) => runProgram(gammaAverage, [gi, pg[i]!], [first])[0]! as tf.Scalar);
    const c = 1 + lr.value * wd;
    if (!o.use_fstar) {
      const tail = fusedTail('momo', beta, {
        fbar: state.fbar, loss, first, lb: state.lb, gamma, dots: parts.map((x) => x[2]!), norms: parts.map((x) => x[3]!), rho, lr: lr.value, c, ctx,
      });
      const updates = fusedSteps(p, (i) => runProgram(step, [p[i]!, d[i]!], [tail.tau, c]));
      return [updates, { momo: { d, gamma, fbar: tail.fbar, lb: state.lb, count } }];
    }
    const fbar = tf.add(tf.mul(tf.add(state.fbar, tf.mul(loss, first)), beta), tf.mul(loss, 1 - beta)) as tf.Scalar;
    const dot = sumScalars(parts.map((x) => x[2]!) as tf.Scalar[]);
    const norm = sumScalars(parts.map((x) => x[3]!) as tf.Scalar[]);
    const { tau, nextLb } = adaptiveStep({
      c, rho, fbar, dot, gamma: sumScalars(gamma), norm, lb: state.lb, lr: lr.value, lb0: o.lb, useFstar: o.use_fstar, ctx,
    });
    const updates = fusedSteps(p, (i) => runProgram(step, [p[i]!, d[i]!], [tau, c]));
    return [updates, { momo: { d, gamma, fbar, lb: nextLb, count } }];
  });
}

export function fusedMomoAdam(o: MomoAdamOptions & { readonly clip_grad_norm: number | null }, composite: GradientTransformation): GradientTransformation {
  const lr = composite.learningRate!;
  const [b1, b2] = o.betas;
  const wd = o.weight_decay;
  const moments = momoAdamMomentsProgram(b1, b2, o.eps);
  const gammaAverage = momoAdamGammaProgram(b1);
  const step = momoAdamStepProgram(wd > 0 ? (o.divide ? 'divide' : 'before') : 'none');
  return fusedRecipe(o.clip_grad_norm, composite, (grads, s, p, ctx) => {
    const state = s['momo_adam'] as MomoAdamState;
    const count = tf.add(state.count, 1) as tf.Scalar;
    const bc1 = oneMinusPow(b1, count);
    const bc2 = oneMinusPow(b2, count);
    // moments, D and the three sums in one pass
    const parts = p.map((pi, i) => runProgram(moments, [pi, grads[i]!, state.m[i]!, state.v[i]!], [bc2]));
    const m = parts.map((x) => x[0]!);
    const v = parts.map((x) => x[1]!);
    const pg = parts.map((x) => x[3]!);
    const gamma = state.gamma.map((gi, i) => runProgram(gammaAverage, [gi, pg[i]!])[0]! as tf.Scalar);
    const D = parts.map((x) => x[2]!);
    const c = 1 + lr.value * wd;
    if (!o.use_fstar) {
      const tail = fusedTail('momo-adam', b1, {
        fbar: state.fbar, loss: ctx.loss, first: ctx.loss, lb: state.lb, gamma, dots: parts.map((x) => x[4]!), norms: parts.map((x) => x[5]!),
        rho: bc1, lr: lr.value, c, ctx,
      });
      const updates = fusedSteps(p, (i) => runProgram(step, [p[i]!, m[i]!, D[i]!], [tail.tau, 1 - wd * lr.value, c]));
      return [updates, { momo_adam: { m, v, gamma, fbar: tail.fbar, lb: state.lb, count } }];
    }
    const dot = sumScalars(parts.map((x) => x[4]!) as tf.Scalar[]);
    const norm = sumScalars(parts.map((x) => x[5]!) as tf.Scalar[]);
    const fbar = tf.add(tf.mul(ctx.loss, 1 - b1), tf.mul(state.fbar, b1)) as tf.Scalar;
    const { tau, nextLb } = adaptiveStep({
      c, rho: bc1, fbar, dot, gamma: sumScalars(gamma), norm, lb: state.lb, lr: lr.value, lb0: o.lb, useFstar: o.use_fstar, ctx,
    });
    const updates = fusedSteps(p, (i) => runProgram(step, [p[i]!, m[i]!, D[i]!], [tau, 1 - wd * lr.value, c]));
    return [updates, { momo_adam: { m, v, gamma, fbar, lb: nextLb, count } }];
  });
}
