import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { classificationNeeds, extraSlot, logProbTarget, lossSchema, numClassesOf, oneHot, statelessObjective, type LossEntry } from './common.js';

const schema = lossSchema({
  q: z.number().gt(0).max(1).default(0.7).describe('q ∈ (0, 1]: q → 0 recovers CE, q = 1 gives 1 − p_y (0.7 in the paper and the APL code).'),
});

/** (1 − p_y^q)/q = −expm1(q·log p_y)/q: no clamp of p_y needed (the APL code clamps p ≥ 1e-7). */
export const gce: LossEntry<z.infer<typeof schema>> = {
  name: 'gce',
  summary: 'Generalized cross-entropy L_q = (1 − p_y^q)/q ("Generalized Cross Entropy Loss for Training Deep Neural Networks with Noisy Labels", Zhang & Sabuncu 2018).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits' },
  info: { paper: 'Generalized Cross Entropy Loss for Training Deep Neural Networks with Noisy Labels (Zhang & Sabuncu NeurIPS 2018)' },
  create(o, deps) {
    const k = numClassesOf(deps, 'gce');
    return statelessObjective(classificationNeeds, ({ output, y }) =>
      tf.div(tf.neg(tf.expm1(tf.mul(logProbTarget(output, oneHot(y, k)), o.q))), o.q),
    );
  },
};
