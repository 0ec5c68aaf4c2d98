/** Small NamedTensorMap helpers for the diagnostics (global norms, scaling, dot products). */
import * as tf from '../backends/tf.js';
import type { ParamSpec } from '../core/types.js';

/** Σ over tensors of Σ x² as a scalar. */
export function sumOfSquares(map: tf.NamedTensorMap): tf.Scalar {
  return tf.tidy(() => tf.addN(Object.values(map).map((t) => tf.sum(tf.square(t)))) as tf.Scalar);
}

export function dot(a: tf.NamedTensorMap, b: tf.NamedTensorMap): tf.Scalar {
  return tf.tidy(() => tf.addN(Object.keys(a).map((k) => tf.sum(tf.mul(a[k]!, b[k]!)))) as tf.Scalar);
}

export function scale(map: tf.NamedTensorMap, s: tf.Scalar | number): tf.NamedTensorMap {
  const out: tf.NamedTensorMap = {};
  for (const [k, v] of Object.entries(map)) out[k] = tf.mul(v, s);
  return out;
}

export function paramValues(params: readonly ParamSpec[]): tf.NamedTensorMap {
  const out: tf.NamedTensorMap = {};
  for (const p of params) out[p.name] = p.variable;
  return out;
}

export async function read(t: tf.Tensor): Promise<number> {
  return (await t.data())[0]!;
}
