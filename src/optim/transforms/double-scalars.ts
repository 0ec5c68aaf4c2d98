import * as tf from '../../backends/tf.js';

/**
 * Scalars an official code keeps as Python floats (float64: D-Adaptation's and Prodigy's d and
 * numerator, schedule-free's weight_sum), stored in the float32 state as pairs (hi, lo) with
 * hi = fround(x), lo = fround(x − hi): about 48 bits, where one float32 would round every step. A
 * step reads them back once (`readDoubles`) and writes them with `packDoubles`, so a resumed run
 * reads the very numbers an uninterrupted one does.
 */
export function packDoubles(values: readonly number[]): tf.Tensor1D {
  const out = new Float32Array(values.length * 2);
  values.forEach((x, i) => {
    const hi = Math.fround(x);
    out[2 * i] = hi;
    out[2 * i + 1] = Number.isFinite(hi) ? Math.fround(x - hi) : 0;
  });
  return tf.tensor1d(out, 'float32');
}

export function readDoubles(t: tf.Tensor): number[] {
  const a = t.dataSync();
  const out: number[] = [];
  for (let i = 0; i < a.length; i += 2) out.push(a[i]! + a[i + 1]!);
  return out;
}

/** x as the pair stores it (hi + lo): what `readDoubles` returns after `packDoubles([x])`. */
export function asStored(x: number): number {
  const hi = Math.fround(x);
  return Number.isFinite(hi) ? hi + Math.fround(x - hi) : hi;
}
