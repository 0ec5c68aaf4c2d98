/** Tiny problems and plumbing shared by the optimizer tests. */
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

/** A test problem with analytic gradients (tfjs-core alone registers no gradient kernels, and tests
 *  should not depend on autodiff anyway; problem-gradients.test.ts checks them by finite differences). */
export interface Problem {
  readonly loss: (xs: readonly tf.Tensor[]) => tf.Scalar;
  readonly grads: (xs: readonly tf.Tensor[]) => tf.Tensor[];
  /** The problem's logits [batch, classes] (ghost-step's JVP reads them); absent: the parameters as one row. */
  readonly outputs?: (xs: readonly tf.Tensor[]) => tf.Tensor;
}

const OUTPUTS = Symbol('outputs');
type WithOutputs = Closure & { [OUTPUTS]?: () => tf.Tensor };

/** The closure of `problem` at `params`; it carries the problem's outputs for runSteps (outputsOf). */
export function closureOf(params: readonly ParamInput[], problem: Problem): Closure {
  const vars = params.map((p) => p.variable);
  const closure: WithOutputs = () => ({ loss: problem.loss(vars), grads: problem.grads(vars) });
  closure[OUTPUTS] = () => (problem.outputs ? problem.outputs(vars) : tf.reshape(tf.concat(vars.map((v) => tf.reshape(v, [-1]))), [1, -1]));
  return closure;
}

/** The outputs function a closure from closureOf carries (undefined for any other closure). */
export const outputsOf = (closure: Closure): (() => tf.Tensor) | undefined => (closure as WithOutputs)[OUTPUTS];

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
      // extra batches (Fish's per-domain batches) are the same batch here
      const outputs = outputsOf(closure);
      const r = opt.step(closure, () => closure, outputs ? { outputs } : {});
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

/** f = ½ Σ a_j x_j² with a = 1, 2, 3, … over the flattened tensors in order; ∇f = a ⊙ x; min 0 at 0. */
export const parabola: Problem = (() => {
  const coeffs = (xs: readonly tf.Tensor[]): tf.Tensor[] => {
    let k = 0;
    return xs.map((x) => {
      const a = tf.reshape(tf.range(k + 1, k + 1 + x.size), x.shape);
      k += x.size;
      return a;
    });
  };
  return {
    loss: (xs) => tf.tidy(() => coeffs(xs).map((a, i) => tf.mul(0.5, tf.sum(tf.mul(a, tf.square(xs[i]!))))).reduce((s, t) => tf.add(s, t)) as tf.Scalar),
    grads: (xs) => tf.tidy(() => coeffs(xs).map((a, i) => tf.mul(a, xs[i]!))),
  };
})();

/** f = Σ x² over all tensors: ∇f = 2x (MoMo's check case). */
export const sumSquares: Problem = {
  loss: (xs) => tf.tidy(() => xs.map((x) => tf.sum(tf.square(x))).reduce((s, t) => tf.add(s, t)) as tf.Scalar),
  grads: (xs) => tf.tidy(() => xs.map((x) => tf.mul(2, x))),
};

/** f = Σ c_j x_j (constant gradient c, given flat over the tensors): for eps-placement checks. */
export function linear(c: readonly number[]): Problem {
  const split = (xs: readonly tf.Tensor[]): tf.Tensor[] => {
    let k = 0;
    return xs.map((x) => {
      const t = tf.tensor(c.slice(k, k + x.size), x.shape, 'float32');
      k += x.size;
      return t;
    });
  };
  return {
    loss: (xs) => tf.tidy(() => split(xs).map((ci, i) => tf.sum(tf.mul(ci, xs[i]!))).reduce((s, t) => tf.add(s, t)) as tf.Scalar),
    grads: (xs) => tf.tidy(() => split(xs)),
  };
}

/** Rosenbrock (1 − x)² + 100 (y − x²)² of the first two elements of the flattened parameters. */
export const rosenbrock: Problem = (() => {
  const xy = (xs: readonly tf.Tensor[]): [tf.Scalar, tf.Scalar] => {
    const v = tf.concat(xs.map((x) => tf.reshape(x, [-1])));
    return [tf.sum(tf.slice(v, [0], [1])), tf.sum(tf.slice(v, [1], [1]))];
  };
  return {
    loss: (xs) =>
      tf.tidy(() => {
        const [x, y] = xy(xs);
        return tf.add(tf.square(tf.sub(1, x)), tf.mul(100, tf.square(tf.sub(y, tf.square(x))))) as tf.Scalar;
      }),
    // ∂f/∂x = −2(1 − x) − 400 x (y − x²);  ∂f/∂y = 200 (y − x²); zero for every other element
    grads: (xs) =>
      tf.tidy(() => {
        const [x, y] = xy(xs);
        const r = tf.sub(y, tf.square(x));
        const gx = tf.sub(tf.mul(-2, tf.sub(1, x)), tf.mul(400, tf.mul(x, r)));
        const gy = tf.mul(200, r);
        const total = xs.reduce((s, t) => s + t.size, 0);
        const flatG = tf.concat([tf.stack([gx, gy]), tf.zeros([total - 2])]);
        let k = 0;
        return xs.map((t) => {
          const part = tf.reshape(tf.slice(flatG, [k], [t.size]), t.shape);
          k += t.size;
          return part;
        });
      }),
  };
})();

const X = [[1, 0.5, -1], [-0.5, 1, 0.25], [0.3, -0.7, 1], [1.2, 0.1, 0.4]];
const Y = [0, 1, 1, 0];
/** Softmax regression: W [3, 2] (kernel), b [2] (bias), 4 fixed points, mean cross-entropy. */
export const softmaxRegression: Problem = {
  loss: (xs) =>
    tf.tidy(() => {
      const logits = tf.add(tf.matMul(tf.tensor2d(X), xs[0]! as tf.Tensor2D), xs[1]!);
      const onehot = tf.oneHot(tf.tensor1d(Y, 'int32'), 2);
      return tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.logSoftmax(logits)), 1))) as tf.Scalar;
    }),
  outputs: (xs) => tf.add(tf.matMul(tf.tensor2d(X), xs[0]! as tf.Tensor2D), xs[1]!),
  // dL/dlogits = (softmax − onehot)/N;  dW = Xᵀ dlogits;  db = Σ_rows dlogits
  grads: (xs) =>
    tf.tidy(() => {
      const Xt = tf.tensor2d(X);
      const logits = tf.add(tf.matMul(Xt, xs[0]! as tf.Tensor2D), xs[1]!);
      const d = tf.div(tf.sub(tf.softmax(logits), tf.oneHot(tf.tensor1d(Y, 'int32'), 2)), X.length);
      return [tf.matMul(Xt, d as tf.Tensor2D, true, false), tf.sum(d, 0)];
    }),
};
