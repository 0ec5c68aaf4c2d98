/**
 * Arithmetic on parameter trees, in two views of the same parameters:
 * - the list view (`Tree`), what optimizers use: ordered tensors aligned with the optimizer's
 *   ParamSpec list (the closure's gradient order), so every helper works index by index;
 * - the map view (`TreeMap`), what diagnostics use: tensors keyed by parameter name.
 * Reductions that the official codes compute differently are kept apart on purpose:
 * `sumSquaresNorm` sums squares then takes the root (GAM, torch clip_grad_norm_ ≈), `normOfNorms`
 * stacks per-tensor norms (davda54 SAM, GSAM, ASAM); both are the same number up to rounding.
 */
import * as tf from './tf.js';
import type { ParamSpec } from '../core/types.js';
import { dot, sumSquares as sumSq } from './kernels/reductions.js';

/** The list view: tensors in parameter order. */
export type Tree = readonly tf.Tensor[];
/** The map view: tensors by parameter name. */
export type TreeMap = tf.NamedTensorMap;

/* ------------------------------------------------------------------ list view */

export function map(a: Tree, f: (x: tf.Tensor, i: number) => tf.Tensor): tf.Tensor[] {
  return a.map((x, i) => f(x, i));
}

export function zip(a: Tree, b: Tree, f: (x: tf.Tensor, y: tf.Tensor, i: number) => tf.Tensor): tf.Tensor[] {
  return a.map((x, i) => f(x, b[i]!, i));
}

export function zip3(
  a: Tree, b: Tree, c: Tree, f: (x: tf.Tensor, y: tf.Tensor, z: tf.Tensor, i: number) => tf.Tensor,
): tf.Tensor[] {
  return a.map((x, i) => f(x, b[i]!, c[i]!, i));
}

export const add = (a: Tree, b: Tree): tf.Tensor[] => zip(a, b, (x, y) => tf.add(x, y));
export const sub = (a: Tree, b: Tree): tf.Tensor[] => zip(a, b, (x, y) => tf.sub(x, y));
export const scale = (a: Tree, s: number | tf.Scalar): tf.Tensor[] => map(a, (x) => tf.mul(x, s));
export const zerosLike = (a: Tree): tf.Tensor[] => map(a, (x) => tf.zerosLike(x));

/** Left-to-right sum of scalars (the order of a Python `+=` loop). */
export function sumScalars(xs: readonly tf.Scalar[]): tf.Scalar {
  if (xs.length === 0) return tf.scalar(0);
  let acc = xs[0]!;
  for (let i = 1; i < xs.length; i++) acc = tf.add(acc, xs[i]!);
  return acc;
}

/** Σ_i <a_i, b_i> over all tensors. */
export function vdot(a: Tree, b: Tree): tf.Scalar {
  return sumScalars(a.map((x, i) => dot(x, b[i]!)));
}

/** Σ_i ||a_i||² over all tensors. */
export function sumSquares(a: Tree): tf.Scalar {
  return sumScalars(a.map((x) => sumSq(x)));
}

/** Global L2 norm as sqrt(Σ squares). */
export function sumSquaresNorm(a: Tree): tf.Scalar {
  return tf.sqrt(sumSquares(a));
}

/**
 * L2 norm of one tensor as sqrt(sum(square(x))): the value of tf.norm(x) (its sqrt(sum(pow(abs(x), 2)))
 * squares exactly as well) without the abs, int32 exponent cast and pow passes.
 */
export function l2(x: tf.Tensor): tf.Scalar {
  return tf.sqrt(sumSq(x)) as tf.Scalar;
}

/** Global L2 norm as the norm of the stacked per-tensor norms (davda54 SAM, GSAM, ASAM). */
export function normOfNorms(a: Tree): tf.Scalar {
  if (a.length === 0) return tf.scalar(0);
  return l2(tf.stack(a.map(l2)));
}

/** 1 − β^t for a float32 counter t, accurate in float32 for β close to 1 (via expm1 of t·ln β in float64). */
export function oneMinusPow(beta: number, t: tf.Scalar): tf.Scalar {
  if (beta === 0) return tf.onesLike(t) as tf.Scalar;
  return tf.neg(tf.expm1(tf.mul(t, Math.log(beta)))) as tf.Scalar;
}

/**
 * sign(x): −1, 1, or 0 for ±0 and NaN, as torch.sign and the cpu backend. Not tf.sign: the wasm
 * backend's Sign kernel returns 0 for every |x| < FLT_EPSILON (1.2e-7), which would freeze Lion's
 * and Grams' small entries (found comparing with the official code, scripts/official).
 */
export function sign(x: tf.Tensor): tf.Tensor {
  return tf.sub(tf.cast(tf.greater(x, 0), 'float32'), tf.cast(tf.less(x, 0), 'float32'));
}

/** A scalar choice on the device (no data download): cond ? a : b. */
export function select(cond: tf.Scalar, a: number | tf.Scalar, b: number | tf.Scalar): tf.Scalar {
  const ta = typeof a === 'number' ? tf.scalar(a) : a;
  const tb = typeof b === 'number' ? tf.scalar(b) : b;
  return tf.where(cond, ta, tb) as tf.Scalar;
}

/* ------------------------------------------------------------------ map view */

/** Σ over tensors of Σ x² as a scalar (tf.addN of the per-tensor sums). */
export function mapSumOfSquares(map: TreeMap): tf.Scalar {
  return tf.tidy(() => tf.addN(Object.values(map).map((t) => tf.sum(tf.square(t)))) as tf.Scalar);
}

/** Σ over a's keys of <a_k, b_k>. */
export function mapDot(a: TreeMap, b: TreeMap): tf.Scalar {
  return tf.tidy(() => tf.addN(Object.keys(a).map((k) => tf.sum(tf.mul(a[k]!, b[k]!)))) as tf.Scalar);
}

export function mapScale(map: TreeMap, s: tf.Scalar | number): TreeMap {
  const out: TreeMap = {};
  for (const [k, v] of Object.entries(map)) out[k] = tf.mul(v, s);
  return out;
}

/** The parameters' current values in the map view. */
export function paramValues(params: readonly ParamSpec[]): TreeMap {
  const out: TreeMap = {};
  for (const p of params) out[p.name] = p.variable;
  return out;
}

/** The first value of a tensor (a scalar's value), downloaded. */
export async function readScalar(t: tf.Tensor): Promise<number> {
  return (await t.data())[0]!;
}
