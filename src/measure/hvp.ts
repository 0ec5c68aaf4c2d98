/**
 * Hessian-vector products by central finite differences of gradients, on flat vectors:
 * Hv ≈ (∇L(θ + εv̂) − ∇L(θ − εv̂))·‖v‖/(2ε) with v̂ = v/‖v‖, so no second-order autodiff is needed
 * (every model and loss of minima has a gradient; not all have a gradient of a gradient in tfjs).
 * The loss is anything with DiagnosticContext.evaluate's shape: absolute parameter values aligned
 * with `params` in, the mean loss and its gradients out. Shared by `minima analyze hessian` and any
 * diagnostic that wants flat-vector linear algebra (measure/spectrum.ts).
 */
import * as tf from '../backends/tf.js';
import type { ParamSpec } from '../core/types.js';
import type { LinearOperator } from './spectrum.js';

/** Loss and gradients at absolute values `at` (aligned with the parameter list); the caller disposes both. */
export type GradientAt = (at: readonly tf.Tensor[]) => { readonly loss: tf.Scalar; readonly grads: readonly tf.Tensor[] };

/** cbrt of float32's unit roundoff: the central-difference step that balances truncation and rounding (references/losses.md §5). */
export const CBRT_EPS_F32 = Math.cbrt(1.2e-7);

/** The parameters' current values, concatenated in list order. */
export function flatten(params: readonly ParamSpec[]): Float64Array {
  const out = new Float64Array(params.reduce((s, p) => s + p.variable.size, 0));
  let at = 0;
  for (const p of params) {
    out.set(p.variable.dataSync(), at);
    at += p.variable.size;
  }
  return out;
}

/** θ + c·v as tensors aligned with `params` (the caller disposes them). */
export function offsetTensors(params: readonly ParamSpec[], v: Float64Array, c: number): tf.Tensor[] {
  let at = 0;
  return params.map((p) => {
    const base = p.variable.dataSync();
    const out = new Float32Array(p.variable.size);
    for (let i = 0; i < out.length; i++) out[i] = base[i]! + c * v[at + i]!;
    at += out.length;
    return tf.tensor(out, p.variable.shape, 'float32');
  });
}

/** Gradients (a list aligned with params) as one flat vector; disposes the list. */
function flatGrads(grads: readonly tf.Tensor[], n: number): Float64Array {
  const out = new Float64Array(n);
  let at = 0;
  for (const g of grads) {
    out.set(g.dataSync(), at);
    at += g.size;
  }
  tf.dispose([...grads]);
  return out;
}

/**
 * The Hessian of `gradientAt`'s loss at the parameters' current values as a LinearOperator on flat
 * vectors. `eps` is the step along the unit direction; default CBRT_EPS_F32·(1 + ‖θ‖), the
 * diagnostics' `hessian` default. Also the dimension and the ε used.
 */
export function finiteDifferenceHvp(params: readonly ParamSpec[], gradientAt: GradientAt, eps?: number): { op: LinearOperator; n: number; eps: number } {
  const theta = flatten(params);
  const n = theta.length;
  let sq = 0;
  for (const x of theta) sq += x * x;
  const h = eps ?? CBRT_EPS_F32 * (1 + Math.sqrt(sq));
  const op: LinearOperator = async (v) => {
    let norm = 0;
    for (const x of v) norm += x * x;
    norm = Math.sqrt(norm);
    if (norm === 0) return new Float64Array(n);
    const side = (sign: number) => {
      const at = offsetTensors(params, v, (sign * h) / norm);
      try {
        const { loss, grads } = gradientAt(at);
        loss.dispose();
        return flatGrads(grads, n);
      } finally {
        tf.dispose(at);
      }
    };
    const plus = side(1);
    const minus = side(-1);
    const out = new Float64Array(n);
    const c = norm / (2 * h);
    for (let i = 0; i < n; i++) out[i] = (plus[i]! - minus[i]!) * c;
    await Promise.resolve(); // let a progress bar draw between products
    return out;
  };
  return { op, n, eps: h };
}
