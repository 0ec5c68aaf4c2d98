/** Tiny problems and plumbing shared by the optimizer tests. */
// Gradients are not registered by tfjs-core alone (the union package does it); the lead's backend module should do this too.
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { tf } from '../support/tf.js';
import type { Closure, Optimizer, ParamInput } from '../../src/optim/index.js';

let counter = 0;

export interface ParamDef {
  readonly value: readonly number[];
  readonly shape?: readonly number[];
  readonly role?: 'kernel' | 'bias';
  readonly name?: string;
}

/** Fresh uniquely named variables (tfjs variable names are global). */
export function makeParams(defs: readonly ParamDef[]): ParamInput[] {
  counter += 1;
  return defs.map((d, i) => ({
    name: d.name ?? `p${i}`,
    variable: tf.variable(tf.tensor(d.value as number[], d.shape as number[] | undefined, 'float32'), true, `optim-test-${counter}-${i}`),
    role: d.role ?? 'kernel',
  }));
}

export function disposeParams(params: readonly ParamInput[]): void {
  params.forEach((p) => p.variable.dispose());
}

/** A closure from a scalar function of the parameter tensors (autodiff through tf.variableGrads). */
export function closureOf(params: readonly ParamInput[], f: (xs: readonly tf.Tensor[]) => tf.Scalar): Closure {
  const vars = params.map((p) => p.variable);
  return () => {
    const { value, grads } = tf.variableGrads(() => f(vars), vars);
    return { loss: value, grads: vars.map((v) => grads[v.name]!) };
  };
}

export function values(params: readonly ParamInput[]): number[][] {
  return params.map((p) => Array.from(p.variable.dataSync()));
}

export function flat(params: readonly ParamInput[]): number[] {
  return values(params).flat();
}

/** Runs `n` steps inside tf.tidy as the trainer does; returns losses and diagnostics as numbers. */
export function runSteps(opt: Optimizer, closure: Closure, n: number): { losses: number[]; diagnostics: Record<string, number>[]; gradEvals: number[] } {
  const losses: number[] = [];
  const diagnostics: Record<string, number>[] = [];
  const gradEvals: number[] = [];
  for (let i = 0; i < n; i++) {
    tf.tidy(() => {
      const r = opt.step(closure);
      losses.push(r.loss.dataSync()[0]!);
      gradEvals.push(r.gradEvals);
      const d: Record<string, number> = {};
      for (const [k, v] of Object.entries(r.diagnostics ?? {})) d[k] = v.dataSync()[0]!;
      diagnostics.push(d);
    });
  }
  return { losses, diagnostics, gradEvals };
}

/* ------------------------------------------------------------------ test problems */

/** f = ½ Σ a_i x_i² over all tensors (a = 1, 2, 3, … flat): ∇f = a ⊙ x; minimum 0 at x = 0. */
export function parabola(xs: readonly tf.Tensor[]): tf.Scalar {
  let k = 0;
  const terms = xs.map((x) => {
    const a = tf.range(k + 1, k + 1 + x.size).reshape(x.shape);
    k += x.size;
    return tf.mul(0.5, tf.sum(tf.mul(a, tf.square(x))));
  });
  return terms.reduce((s, t) => tf.add(s, t)) as tf.Scalar;
}

/** Rosenbrock (1 − x)² + 100 (y − x²)² with x the first, y the second parameter (scalars). */
export function rosenbrock(xs: readonly tf.Tensor[]): tf.Scalar {
  const x = tf.sum(xs[0]!);
  const y = tf.sum(xs[1]!);
  return tf.add(tf.square(tf.sub(1, x)), tf.mul(100, tf.square(tf.sub(y, tf.square(x))))) as tf.Scalar;
}

/** A tiny softmax regression (W 3×2 kernel, b 2 bias) on 4 fixed points: a non-quadratic smooth loss. */
export function softmaxRegression(xs: readonly tf.Tensor[]): tf.Scalar {
  const X = tf.tensor2d([[1, 0.5, -1], [-0.5, 1, 0.25], [0.3, -0.7, 1], [1.2, 0.1, 0.4]]);
  const y = tf.oneHot(tf.tensor1d([0, 1, 1, 0], 'int32'), 2);
  const logits = tf.add(tf.matMul(X, xs[0]! as tf.Tensor2D), xs[1]!);
  return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
}
