/** Tests run on the pure-JS cpu backend (the correctness oracle) unless they pick another. */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '../../src/backends/tf.js';

await tf.setBackend('cpu');
export { tf };

/** Asserts that `fn` leaves the number of live tensors unchanged. */
export async function assertNoLeak(fn: () => unknown | Promise<unknown>, label = 'operation'): Promise<void> {
  const before = tf.memory().numTensors;
  await fn();
  const after = tf.memory().numTensors;
  if (after !== before) throw new Error(`${label} leaked ${after - before} tensors (${before} → ${after})`);
}

/** Central finite difference of a scalar function of a flat Float32Array, in float64 arithmetic on float32 values. */
export function finiteDifference(f: (x: Float32Array) => number, x: Float32Array, h = 1e-3): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const xp = Float32Array.from(x); xp[i] = x[i]! + h;
    const xm = Float32Array.from(x); xm[i] = x[i]! - h;
    g[i] = (f(xp) - f(xm)) / (xp[i]! - xm[i]!);
  }
  return g;
}

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-5, atol = 1e-6, label = 'value'): void {
  if (actual.length !== expected.length) throw new Error(`${label}: length ${actual.length} != ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      throw new Error(`${label}[${i}]: ${a} vs expected ${e} (|diff| ${Math.abs(a - e)} > ${atol} + ${rtol}·|e|)`);
    }
  }
}
