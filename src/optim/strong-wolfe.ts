/**
 * The strong-Wolfe line search of torch.optim.LBFGS (torch/optim/lbfgs.py `_strong_wolfe` and
 * `_cubic_interpolate`, themselves ports of torch/optim's lswolfe.lua and polyinterp.lua): bracket
 * a step satisfying sufficient decrease (c1) and the curvature condition (c2), then zoom by cubic
 * interpolation. Step sizes, losses and directional derivatives are JS doubles (torch mixes Python
 * floats and float32 0-d tensors); gradients are flat float32 tensors owned by the caller's tidy.
 */
import * as tf from '../backends/tf.js';

/** Loss and flat gradient at x + t·d (the caller restores the weights). */
export type DirectionalEvaluate = (t: number) => { readonly loss: number; readonly grad: tf.Tensor1D };

export interface StrongWolfeResult {
  readonly loss: number;
  readonly grad: tf.Tensor1D;
  readonly t: number;
  /** Evaluations the search made. */
  readonly evals: number;
}

/** Minimiser of the cubic through (x1, f1, g1), (x2, f2, g2), clamped to `bounds` (default [min, max] of x1, x2). */
export function cubicInterpolate(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, bounds?: readonly [number, number]): number {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2Square = d1 * d1 - g1 * g2;
  if (d2Square >= 0) {
    const d2 = Math.sqrt(d2Square);
    const minPos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2)) : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return Math.min(Math.max(minPos, lo), hi);
  }
  return (lo + hi) / 2;
}

const dot = (a: tf.Tensor1D, b: tf.Tensor1D): number => tf.dot(a, b).dataSync()[0]!;

/**
 * torch's `_strong_wolfe(obj_func, x, t, d, f, g, gtd, c1, c2, tolerance_change, max_ls)`:
 * `f`, `g`, `gtd` at t = 0; `dNorm` = max|d|.
 */
export function strongWolfe(
  evaluate: DirectionalEvaluate,
  d: tf.Tensor1D,
  start: { readonly t: number; readonly f: number; readonly g: tf.Tensor1D; readonly gtd: number },
  o: { readonly c1?: number; readonly c2?: number; readonly toleranceChange: number; readonly maxLs: number },
): StrongWolfeResult {
  const c1 = o.c1 ?? 1e-4;
  const c2 = o.c2 ?? 0.9;
  const { f, g, gtd } = start;
  let t = start.t;
  const dNorm = tf.max(tf.abs(d)).dataSync()[0]!;
  let { loss: fNew, grad: gNew } = evaluate(t);
  let evals = 1;
  let gtdNew = dot(gNew, d);

  let tPrev = 0;
  let fPrev = f;
  let gPrev = g;
  let gtdPrev = gtd;
  let done = false;
  let lsIter = 0;
  let bracket: number[] = [];
  let bracketF: number[] = [];
  let bracketG: tf.Tensor1D[] = [];
  let bracketGtd: number[] = [];
  while (lsIter < o.maxLs) {
    if (fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev)) {
      [bracket, bracketF, bracketG, bracketGtd] = [[tPrev, t], [fPrev, fNew], [gPrev, gNew], [gtdPrev, gtdNew]];
      break;
    }
    if (Math.abs(gtdNew) <= -c2 * gtd) {
      [bracket, bracketF, bracketG] = [[t], [fNew], [gNew]];
      done = true;
      break;
    }
    if (gtdNew >= 0) {
      [bracket, bracketF, bracketG, bracketGtd] = [[tPrev, t], [fPrev, fNew], [gPrev, gNew], [gtdPrev, gtdNew]];
      break;
    }
    // extrapolate between 1.01·t and 10·t
    const minStep = t + 0.01 * (t - tPrev);
    const maxStep = t * 10;
    const tmp = t;
    t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
    tPrev = tmp;
    fPrev = fNew;
    gPrev = gNew;
    gtdPrev = gtdNew;
    ({ loss: fNew, grad: gNew } = evaluate(t));
    evals++;
    gtdNew = dot(gNew, d);
    lsIter++;
  }
  if (lsIter >= o.maxLs) {
    [bracket, bracketF, bracketG] = [[0, t], [f, fNew], [g, gNew]];
  }

  // zoom: refine the bracket until a point satisfies the conditions
  let insufProgress = false;
  let [lowPos, highPos] = bracketF[0]! <= bracketF[bracketF.length - 1]! ? [0, 1] : [1, 0];
  while (!done && lsIter < o.maxLs) {
    if (Math.abs(bracket[1]! - bracket[0]!) * dNorm < o.toleranceChange) break;
    t = cubicInterpolate(bracket[0]!, bracketF[0]!, bracketGtd[0]!, bracket[1]!, bracketF[1]!, bracketGtd[1]!);
    // a trial too close to an end of the bracket moves 10% of its length inside (torch's rule)
    const hi = Math.max(...bracket);
    const lo = Math.min(...bracket);
    const eps = 0.1 * (hi - lo);
    if (Math.min(hi - t, t - lo) < eps) {
      if (insufProgress || t >= hi || t <= lo) {
        t = Math.abs(t - hi) < Math.abs(t - lo) ? hi - eps : lo + eps;
        insufProgress = false;
      } else {
        insufProgress = true;
      }
    } else {
      insufProgress = false;
    }
    ({ loss: fNew, grad: gNew } = evaluate(t));
    evals++;
    gtdNew = dot(gNew, d);
    lsIter++;
    if (fNew > f + c1 * t * gtd || fNew >= bracketF[lowPos]!) {
      bracket[highPos] = t;
      bracketF[highPos] = fNew;
      bracketG[highPos] = gNew;
      bracketGtd[highPos] = gtdNew;
      [lowPos, highPos] = bracketF[0]! <= bracketF[1]! ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) {
        done = true;
      } else if (gtdNew * (bracket[highPos]! - bracket[lowPos]!) >= 0) {
        // the old high end becomes the new low end
        bracket[highPos] = bracket[lowPos]!;
        bracketF[highPos] = bracketF[lowPos]!;
        bracketG[highPos] = bracketG[lowPos]!;
        bracketGtd[highPos] = bracketGtd[lowPos]!;
      }
      bracket[lowPos] = t;
      bracketF[lowPos] = fNew;
      bracketG[lowPos] = gNew;
      bracketGtd[lowPos] = gtdNew;
    }
  }
  return { loss: bracketF[lowPos]!, grad: bracketG[lowPos]!, t: bracket[lowPos]!, evals };
}
