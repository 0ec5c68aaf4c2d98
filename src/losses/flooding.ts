/**
 * Flooding (Ishida et al. 2020, "Do We Need Zero Training Loss After Achieving Zero Training
 * Error?"), takashiishida/flooding README: `flood = (loss-b).abs()+b` on the batch-mean loss.
 * It wraps the whole objective of its `base:` (extras included): L = mean_i ℓ_i (or the base's
 * scalar), value |L − b| + b, so gradient descent turns into ascent whenever L < b.
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { lossSchema, type LossEntry } from './common.js';
import { baseSlot, buildBase, wrapObjective } from './wrapper.js';

const schema = lossSchema({
  b: z.number().min(0).describe('Flood level b ≥ 0 (no default in the official code; the paper searches 0.00 … 0.10).'),
});

/** |L − b| + b of the batch mean L. */
export function floodValue(values: tf.Tensor, b: number): tf.Scalar {
  const mean = values.rank === 0 ? values : tf.mean(values);
  return tf.add(tf.abs(tf.sub(mean, b)), b) as tf.Scalar;
}

export const flooding: LossEntry<z.infer<typeof schema>> = {
  name: 'flooding',
  summary: 'Flooding |L − b| + b on the batch-mean loss of its `base:` (extras included), keeping the training loss near the flood level b (Ishida et al. 2020).',
  schema,
  nested: baseSlot,
  needs: { task: 'any', input: 'logits', reduction: 'batch', wraps: 'base' },
  info: {
    paper: 'Do We Need Zero Training Loss After Achieving Zero Training Error? (Ishida et al. ICML 2020)',
    source: 'takashiishida/flooding README: flood = (loss-b).abs()+b',
    example: '{"b":0.1,"base":{"name":"cross-entropy"}}',
    evaluation: 'the base loss, unflooded (the flood applies to training only)',
  },
  create(o, deps) {
    return wrapObjective(buildBase('flooding', o, deps), 'batch', (values) => floodValue(values, o.b));
  },
};
