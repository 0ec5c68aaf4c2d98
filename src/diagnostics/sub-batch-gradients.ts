/** Per-sub-batch gradients of the diagnostic batch: what gradient coherence and GSNR are moments of. */
import * as tf from '../backends/tf.js';
import { z } from 'zod';
import type { DiagnosticContext } from './types.js';

export const microBatchesOption = z
  .number()
  .int()
  .min(2)
  .default(8)
  .describe('m: the step\'s batch is cut into m contiguous micro-batches of near-equal size (m ≤ batch size); one forward + backward each.');

/**
 * The m micro-batch gradients, each flattened and concatenated over the parameters in ParamSpec order,
 * stacked into [m, n]; the caller disposes it. Needs m ≤ the batch size.
 */
export function subBatchGradients(ctx: DiagnosticContext, m: number): tf.Tensor2D {
  if (m > ctx.batchSize) throw new Error(`micro_batches ${m} exceeds the diagnostic batch of ${ctx.batchSize} rows`);
  const rows: tf.Tensor1D[] = [];
  try {
    for (const sub of ctx.subBatches(m)) {
      const { loss, grads } = sub.evaluate();
      rows.push(tf.tidy(() => tf.concat(grads.map((g) => tf.reshape(g, [-1]))) as tf.Tensor1D));
      tf.dispose([loss, ...grads]);
    }
    return tf.stack(rows) as tf.Tensor2D;
  } finally {
    tf.dispose(rows);
  }
}
