import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { everyOption } from './common.js';
import { mapScale as scale, mapSumOfSquares as sumOfSquares, readScalar as read } from '../backends/tree.js';
import { byName, offsetBy } from './offset-by.js';
import type { DiagnosticEntry } from './types.js';

const schema = z.strictObject({
  every: everyOption(100),
  rho: z.number().positive().default(0.05).describe('Radius ρ of the SAM-style ascent step (SAM\'s default 0.05).'),
});

/**
 * ε-sharpness S_ρ = L(θ + ρ·g/‖g‖) − L(θ) with g = ∇L(θ) on the fixed eval batch (SAM's first-order
 * worst case). Also reports the base loss. A zero gradient gives S_ρ = 0 (no direction to step).
 */
export const sharpness: DiagnosticEntry<z.infer<typeof schema>> = {
  name: 'sharpness',
  summary: 'SAM-style ε-sharpness L(θ + ρ·g/‖g‖) − L(θ) ("Sharpness-Aware Minimization for Efficiently Improving Generalization", Foret et al. 2021).',
  schema,
  info: { cost: '2 forward + 2 backward', paper: 'Sharpness-Aware Minimization for Efficiently Improving Generalization (Foret et al. ICLR 2021)' },
  create(o) {
    return {
      every: o.every,
      async run(ctx) {
        const base = ctx.evaluate();
        const lossBase = await read(base.loss);
        const grads = byName(ctx.params, base.grads);
        const sq = sumOfSquares(grads);
        const gNorm = Math.sqrt(await read(sq));
        sq.dispose();
        if (!(gNorm > 0) || !Number.isFinite(gNorm)) {
          base.loss.dispose();
          tf.dispose(base.grads);
          return { sharpness: 0, sharpness_base_loss: lossBase };
        }
        const at = tf.tidy(() => offsetBy(ctx.params, scale(grads, o.rho / gNorm)));
        base.loss.dispose();
        tf.dispose(base.grads);
        const moved = ctx.evaluate(at);
        tf.dispose(at);
        const lossMoved = await read(moved.loss);
        moved.loss.dispose();
        tf.dispose(moved.grads);
        return { sharpness: lossMoved - lossBase, sharpness_base_loss: lossBase };
      },
    };
  },
};
