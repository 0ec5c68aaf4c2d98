/**
 * Full reductions that pick their own implementation: one fused pass on the backends with fused
 * kernels (cpu, wasm), the composite tf ops elsewhere. The fused sums accumulate in each backend's
 * own tf.sum order (program.ts), so both give the same bits; callers never branch.
 */
import * as tf from '../tf.js';
import { fusedActive, runProgram } from './kernel.js';
import { E, type Program } from './program.js';

/** Σ x² (tf.sum(tf.square(x))).  arrays x; sum 0. */
export const sumSquaresProgram: Program = {
  name: 'MinimaSumSquares', arrays: 1, scalars: 0, outputs: 0, sums: 1, body: [{ sum: 0, e: E.mul(E.in(0), E.in(0)) }],
};

/** Σ x⊙y (tf.sum(tf.mul(x, y))).  arrays x, y; sum 0. */
export const dotProgram: Program = {
  name: 'MinimaDot', arrays: 2, scalars: 0, outputs: 0, sums: 1, body: [{ sum: 0, e: E.mul(E.in(0), E.in(1)) }],
};

/** sum(x⊙y) over every element. */
export function dot(x: tf.Tensor, y: tf.Tensor): tf.Scalar {
  return fusedActive() ? (runProgram(dotProgram, [x, y])[0] as tf.Scalar) : tf.sum(tf.mul(x, y));
}

/** sum(square(x)) over every element. */
export function sumSquares(x: tf.Tensor): tf.Scalar {
  return fusedActive() ? (runProgram(sumSquaresProgram, [x])[0] as tf.Scalar) : tf.sum(tf.square(x));
}
