import { z } from 'zod';
import { RunnerError } from '../core/errors.js';
import * as tf from '../backends/tf.js';
import { readScalar as read } from '../backends/tree.js';
import { everyOption } from './common.js';
import type { DiagnosticEntry } from './types.js';

const schema = z.strictObject({
  every: everyOption(100),
  threshold: z.number().min(0).default(1e-3).describe('|w_i| above this counts as non-zero in w_nnz'),
});

/**
 * The effective weights of a diagonal linear network, w = u⊙u − v⊙v (model `diagonal-linear`,
 * tensors `…/u` and `…/v`): ‖w‖₁ (`w_l1`, the sparsity the implicit-bias results of Woodworth et al.
 * 2020 and Karakida et al. 2023 compare), ‖w‖₂ (`w_l2`) and the entries above `threshold` (`w_nnz`).
 */
export const diagonalWeights: DiagnosticEntry<z.infer<typeof schema>> = {
  name: 'diagonal-weights',
  summary: 'ℓ1, ℓ2 and non-zeros of w = u⊙u − v⊙v of a diagonal-linear model (implicit-bias measurements).',
  schema,
  needs: { model: ['diagonal-linear'] },
  info: { cost: 'none (reads the weights)', paper: 'Woodworth et al. 2020, Kernel and Rich Regimes in Overparametrized Models' },
  create(o) {
    return {
      every: o.every,
      async run(ctx) {
        const u = ctx.params.find((p) => p.name.endsWith('/u'));
        const v = ctx.params.find((p) => p.name.endsWith('/v'));
        if (!u || !v) throw new RunnerError('CONFIG_INVALID', 'diagonal-weights needs a diagonal-linear model (tensors …/u and …/v)');
        const [l1, l2, nnz] = tf.tidy(() => {
          const w = tf.sub(tf.square(u.variable), tf.square(v.variable));
          const a = tf.abs(w);
          return [tf.sum(a), tf.norm(w), tf.sum(tf.cast(tf.greater(a, o.threshold), 'float32'))];
        });
        const out = { w_l1: await read(l1!), w_l2: await read(l2!), w_nnz: await read(nnz!) };
        tf.dispose([l1!, l2!, nnz!]);
        return out;
      },
    };
  },
};
