import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { everyOption } from './common.js';
import { mapSumOfSquares as sumOfSquares, paramValues, readScalar as read } from '../backends/tree.js';
import type { DiagnosticEntry } from './types.js';

const schema = z.strictObject({
  every: everyOption(100),
  per_layer: z.boolean().default(false).describe('Also report weight_norm/<param name> for every parameter tensor.'),
});

/** ‖θ‖₂ over all parameters (the grokking monitors' weight-norm trajectory); no extra passes. */
export const weightNorm: DiagnosticEntry<z.infer<typeof schema>> = {
  name: 'weight-norm',
  summary: 'Global parameter norm ‖θ‖₂ (optionally per tensor) ("Grokking: Generalization Beyond Overfitting on Small Algorithmic Datasets").',
  schema,
  info: { cost: 'none (reads the weights)', paper: 'Grokking: Generalization Beyond Overfitting on Small Algorithmic Datasets (Power et al. 2022)' },
  create(o) {
    return {
      every: o.every,
      async run(ctx) {
        const out: Record<string, number> = {};
        const total = sumOfSquares(paramValues(ctx.params));
        out.weight_norm = Math.sqrt(await read(total));
        total.dispose();
        if (o.per_layer) {
          for (const p of ctx.params) {
            const s = tf.tidy(() => tf.norm(p.variable));
            out[`weight_norm/${p.name}`] = await read(s);
            s.dispose();
          }
        }
        return out;
      },
    };
  },
};
