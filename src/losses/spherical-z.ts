import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { classificationNeeds, extraSlot, lossSchema, numClassesOf, oneHot, rowDot, statelessObjective, type LossEntry } from './common.js';

const schema = lossSchema({
  a: z.number().positive().describe('a > 0 (required; the paper tunes it, no default): sharpness of the softplus.'),
  b: z.number().describe('b (required; the paper tunes it, no default): location of the softplus on the z-scored target logit.'),
});

/**
 * Z-loss of the spherical family: z_c = (o_c − μ)/σ with μ, σ the mean and POPULATION standard
 * deviation over classes (σ² = mean(o²) − μ², as in the paper), σ = √(var + 1e-12) so equal logits
 * stay finite; ℓ = softplus(a·(b − z_y))/a. Named `spherical-z` to keep `z-loss` for the PaLM penalty.
 */
export const sphericalZ: LossEntry<z.infer<typeof schema>> = {
  name: 'spherical-z',
  summary: 'Z-loss softplus(a(b − z_y))/a on z-scored logits ("The Z-loss: a shift and scale invariant classification loss belonging to the Spherical Family", de Brébisson & Vincent 2016).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits' },
  info: {
    paper: 'The Z-loss: a shift and scale invariant classification loss belonging to the Spherical Family (de Brébisson & Vincent 2016)',
    example: '{"a":1,"b":1}',
  },
  create(o, deps) {
    const k = numClassesOf(deps, 'spherical-z');
    return statelessObjective(classificationNeeds, ({ output, y }) => {
      const { mean, variance } = tf.moments(output, -1, true);
      const zc = tf.div(tf.sub(output, mean), tf.sqrt(tf.add(variance, 1e-12)));
      const zy = rowDot(zc, oneHot(y, k));
      return tf.div(tf.softplus(tf.mul(tf.sub(o.b, zy), o.a)), o.a);
    });
  },
};
