import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { everyOption } from './common.js';
import { mapSumOfSquares as sumOfSquares, readScalar as read } from '../backends/tree.js';
import { byName } from './offset-by.js';
import type { DiagnosticEntry } from './types.js';

const schema = z.strictObject({
  every: everyOption(100),
  per_layer: z.boolean().default(false).describe('Also report grad_norm/<param name> for every parameter tensor.'),
});

/** ‖∇_θ L‖₂ over all parameter tensors (the optimizer's global norm) on the fixed eval batch. */
export const gradNorm: DiagnosticEntry<z.infer<typeof schema>> = {
  name: 'grad-norm',
  summary: 'Global gradient norm ‖∇L‖₂ (optionally per tensor) on a fixed batch ("On the Importance of Gradient Norm in PAC-Bayesian Bounds").',
  schema,
  info: { cost: '1 forward + 1 backward', paper: 'On the Importance of Gradient Norm in PAC-Bayesian Bounds (Gat et al. 2022)' },
  create(o) {
    return {
      every: o.every,
      async run(ctx) {
        const { loss, grads } = ctx.evaluate();
        try {
          const named = byName(ctx.params, grads);
          const out: Record<string, number> = {};
          const total = sumOfSquares(named);
          out.grad_norm = Math.sqrt(await read(total));
          total.dispose();
          if (o.per_layer) {
            for (const [name, g] of Object.entries(named)) {
              const s = tf.tidy(() => tf.norm(g));
              out[`grad_norm/${name}`] = await read(s);
              s.dispose();
            }
          }
          return out;
        } finally {
          loss.dispose();
          tf.dispose(grads);
        }
      },
    };
  },
};
