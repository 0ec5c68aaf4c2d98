/**
 * The Sum and Mean gradients of src/backends/kernels/reduction-gradients.ts give tfjs' own bits
 * (dy broadcast over the reduced axes, divided by their size for Mean, in float32) on cpu and wasm,
 * for every axis form: all axes, one, several, negative, keepDims, and a reduction over nothing.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../support/tf.js';
import { initBackend } from '../../../src/backends/index.js';
import { Rng } from '../../../src/core/random.js';

const shape = [3, 4, 5];
const cases: { axis?: number | number[]; keepDims?: boolean }[] = [
  {}, { axis: 0 }, { axis: 1 }, { axis: [0, 2] }, { axis: -1 }, { axis: [1], keepDims: true }, { axis: [] },
];

/** The gradient of Σ (op(x) ⊙ w) with respect to x, by hand: w at x's index with the reduced axes dropped, / n for Mean. */
function expected(op: 'sum' | 'mean', axis: number | number[] | undefined, w: Float32Array): Float32Array {
  const rank = shape.length;
  const axes = axis === undefined ? [0, 1, 2] : (Array.isArray(axis) ? axis : [axis]).map((a) => (a + rank) % rank);
  const n = axes.reduce((p, a) => p * shape[a]!, 1);
  const kept = [0, 1, 2].filter((a) => !axes.includes(a));
  const out = new Float32Array(shape[0]! * shape[1]! * shape[2]!);
  for (let i = 0; i < shape[0]!; i++) for (let j = 0; j < shape[1]!; j++) for (let k = 0; k < shape[2]!; k++) {
    const idx = [i, j, k];
    let flat = 0;
    for (const a of kept) flat = flat * shape[a]! + idx[a]!;
    out[(i * shape[1]! + j) * shape[2]! + k] = op === 'sum' ? w[flat]! : Math.fround(w[flat]! / n);
  }
  return out;
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`Sum and Mean gradients on ${backend}`, () => {
    for (const op of ['sum', 'mean'] as const) {
      for (const c of cases) {
        it(`${op} axis ${JSON.stringify(c.axis ?? 'all')}${c.keepDims ? ' keepDims' : ''}`, async () => {
          await initBackend(backend);
          const rng = Rng.derive(3, 'reduction-gradients', op);
          const x = tf.tensor(rng.fillNormal(new Float32Array(60)), shape);
          const probe = tf.tidy(() => tf[op](x, c.axis, c.keepDims));
          const w = rng.fillNormal(new Float32Array(probe.size));
          const wt = tf.tensor(w, probe.shape);
          const g = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(tf[op](xi, c.axis, c.keepDims), wt)))(x);
          assert.deepEqual(await g.data(), expected(op, c.axis, w));
          tf.dispose([x, probe, wt, g]);
        });
      }
    }
  });
}
