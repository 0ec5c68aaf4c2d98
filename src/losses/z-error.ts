/**
 * Z-Error (Godin 2025, "Z-Error Loss for Training Neural Networks"; catalogue a30, no official
 * code located): the per-example losses of its `base:` are z-scored within the batch,
 * z_i = (ℓ_i − mean ℓ)/std ℓ, and those with z_i > θ are dropped; the value is the mean over the
 * kept examples, written per example as ℓ_i·keep_i·B/Σ keep. The mask is a selection (no
 * gradient); std is torch's default unbiased estimate (option), and std = 0 keeps every example.
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { lossSchema, stopGradient, type LossEntry } from './common.js';
import { baseSlot, buildBase, wrapObjective } from './wrapper.js';

const schema = lossSchema({
  theta: z.number().positive().default(3).describe('θ: examples whose in-batch z-score exceeds θ are dropped (3, the usual outlier rule).'),
  std: z.enum(['sample', 'population']).default('sample').describe("std of the z-score: 'sample' (÷(B − 1), torch's Tensor.std default) or 'population' (÷B)."),
});

/** keep_i = 1[ℓ_i − mean ≤ θ·std] (detached); written as GreaterEqual, the comparison with a registered gradient. */
export function zErrorMask(values: tf.Tensor1D, theta: number, std: 'sample' | 'population'): tf.Tensor1D {
  return tf.tidy(() => {
    const v = stopGradient(values);
    const b = v.shape[0] ?? 0;
    const { mean, variance } = tf.moments(v);
    const unbiased = std === 'sample' && b > 1 ? tf.mul(variance, b / (b - 1)) : variance;
    return tf.cast(tf.greaterEqual(tf.add(mean, tf.mul(tf.sqrt(unbiased), theta)), v), 'float32') as tf.Tensor1D;
  });
}

export const zError: LossEntry<z.infer<typeof schema>> = {
  name: 'z-error',
  summary: 'Z-Error: drops the per-example losses of its `base:` whose in-batch z-score exceeds θ and averages the rest (Godin 2025).',
  schema,
  nested: baseSlot,
  needs: { task: 'any', input: 'logits', wraps: 'base', baseReduction: 'per-example' },
  info: {
    paper: 'Z-Error Loss for Training Neural Networks (Godin 2025)',
    source: 'no official code located; rule of the paper as catalogued (z_i > θ dropped, batch statistics)',
    example: '{"theta":3,"base":{"name":"mse"}}',
    evaluation: 'the base loss, every example kept',
    note: 'the kept set is a selection (piecewise constant): the gradient is the mean base gradient over the kept examples',
  },
  create(o, deps) {
    const base = buildBase('z-error', o, deps, { verb: 'filters' });
    return wrapObjective(base, 'per-example', (values) => {
      const keep = zErrorMask(values as tf.Tensor1D, o.theta, o.std);
      const b = values.shape[0] ?? 0;
      return tf.mul(tf.mul(values, keep), tf.div(b, tf.sum(keep)));
    });
  },
};
