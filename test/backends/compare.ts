/**
 * Runs the same computation and its gradients on two tfjs backends and compares them. Inputs are
 * seeded float32 normals (or ints in [0, max)); the scalar whose gradients are taken is
 * Σ y ⊙ w with a fixed random w, so every output element receives a distinct upstream gradient.
 */
import { tf } from '../support/tf.js';
import { Rng } from '../../src/core/random.js';

export interface InputSpec {
  readonly shape: readonly number[];
  /** Integer input in [0, max) (indices, segment ids); not differentiated. */
  readonly intMax?: number;
}

export interface OpCase {
  readonly name: string;
  readonly inputs: Readonly<Record<string, InputSpec>>;
  readonly fn: (x: Readonly<Record<string, tf.Tensor>>) => tf.Tensor;
  /** Compare gradients with respect to the float inputs (default true). */
  readonly grads?: boolean;
}

export interface Outcome {
  readonly y: Float32Array;
  readonly shape: readonly number[];
  /** Gradient per float input, in the order of `inputs`. */
  readonly grads: Readonly<Record<string, Float32Array>>;
}

function inputData(name: string, spec: InputSpec, seed: number): Float32Array | Int32Array {
  const rng = Rng.derive(seed, name);
  const size = spec.shape.reduce((a, b) => a * b, 1);
  if (spec.intMax !== undefined) return Int32Array.from({ length: size }, () => rng.int(spec.intMax!));
  return rng.fillNormal(new Float32Array(size));
}

/** Evaluates `c` and its gradients on `backend` (which must already be registered). */
export async function evaluateOn(backend: string, c: OpCase, seed = 7): Promise<Outcome> {
  await tf.setBackend(backend);
  const names = Object.keys(c.inputs);
  const tensors: Record<string, tf.Tensor> = {};
  for (const name of names) {
    const spec = c.inputs[name]!;
    tensors[name] = tf.tensor(inputData(name, spec, seed), [...spec.shape], spec.intMax !== undefined ? 'int32' : 'float32');
  }
  try {
    const y = tf.tidy(() => c.fn(tensors));
    const yData = (await y.data()) as Float32Array;
    const shape = y.shape;
    const w = tf.tensor(Rng.derive(seed, 'upstream').fillNormal(new Float32Array(y.size)), y.shape);
    y.dispose();
    const grads: Record<string, Float32Array> = {};
    const floats = names.filter((n) => c.inputs[n]!.intMax === undefined);
    if (c.grads !== false && floats.length > 0) {
      const g = tf.grads((...xs: tf.Tensor[]) => {
        const local = { ...tensors };
        floats.forEach((n, i) => { local[n] = xs[i]!; });
        return tf.sum(tf.mul(c.fn(local), w));
      })(floats.map((n) => tensors[n]!));
      for (let i = 0; i < floats.length; i++) {
        grads[floats[i]!] = (await g[i]!.data()) as Float32Array;
        g[i]!.dispose();
      }
    }
    w.dispose();
    return { y: Float32Array.from(yData), shape, grads };
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
}

/**
 * Float32 agreement: |a − e| ≤ rtol·|e| + atol·max|e|. The atol term scales with the largest
 * entry because a sum of k products carries an absolute rounding error ~ eps·√k·scale whatever the
 * summation order, so near-zero entries cannot be held to a purely relative bound.
 */
export function assertAgree(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string, rtol = 1e-4, atol = 1e-5): void {
  if (actual.length !== expected.length) throw new Error(`${label}: length ${actual.length} != ${expected.length}`);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (!(Math.abs(a - e) <= rtol * Math.abs(e) + atol * scale)) {
      throw new Error(`${label}[${i}]: ${a} vs ${e} (|diff| ${Math.abs(a - e).toExponential(2)}, scale ${scale.toExponential(2)})`);
    }
  }
}

/** Evaluates `c` on `backend` and on cpu, and asserts outputs and gradients agree. */
export async function assertMatchesCpu(backend: string, c: OpCase): Promise<void> {
  const got = await evaluateOn(backend, c);
  const want = await evaluateOn('cpu', c);
  try {
    if (got.shape.join() !== want.shape.join()) throw new Error(`${c.name}: shape [${got.shape}] vs cpu [${want.shape}]`);
    assertAgree(got.y, want.y, `${c.name} output`);
    for (const [name, g] of Object.entries(want.grads)) assertAgree(got.grads[name] ?? new Float32Array(), g, `${c.name} d/d${name}`);
  } finally {
    await tf.setBackend(backend);
  }
}
