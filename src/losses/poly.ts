import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { RunnerError } from '../core/errors.js';
import { classificationNeeds, extraSlot, logProbTarget, lossSchema, numClassesOf, oneHot, oneMinusExp, powNonNeg, statelessObjective, type LossEntry } from './common.js';
import { focalTerm } from './focal.js';

const schema = lossSchema({
  epsilon: z
    .number()
    .default(1)
    .describe('ε₁ of Poly-1: CE + ε₁(1 − p_y). 1.0 is the value of the paper\'s Poly-1 code listing; the paper tunes it per task. ε₁ < −1 makes the loss non-monotone.'),
  epsilons: z
    .array(z.number())
    .min(1)
    .optional()
    .describe('Poly-N: [ε₁, …, ε_N] for CE + Σ_j ε_j(1 − p_y)^j; overrides `epsilon` when given.'),
  focal_gamma: z
    .number()
    .min(0)
    .optional()
    .describe('Poly-1 focal variant: FL_γ + ε₁(1 − p_y)^{γ+1} instead of CE + ε₁(1 − p_y).'),
}).refine((o) => o.focal_gamma === undefined || o.epsilons === undefined, { message: '`focal_gamma` takes the single `epsilon`, not `epsilons`', path: ['epsilons'] });

export const poly: LossEntry<z.infer<typeof schema>> = {
  name: 'poly',
  summary: 'PolyLoss Poly-1 / Poly-N: CE + Σ_j ε_j(1 − p_y)^j, or the focal variant ("PolyLoss: A Polynomial Expansion Perspective of Classification Loss Functions", Leng et al. 2022).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits' },
  info: { paper: 'PolyLoss: A Polynomial Expansion Perspective of Classification Loss Functions (Leng et al. 2022)' },
  create(o, deps) {
    const k = numClassesOf(deps, 'poly');
    const eps = o.epsilons ?? [o.epsilon];
    if (o.focal_gamma !== undefined && o.epsilons !== undefined) {
      throw new RunnerError('CONFIG_INVALID', 'poly: `focal_gamma` takes the single `epsilon`, not `epsilons`');
    }
    return statelessObjective(classificationNeeds, ({ output, y }) => {
      const q = oneHot(y, k);
      const logPy = logProbTarget(output, q);
      const oneMinus = oneMinusExp(logPy);
      if (o.focal_gamma !== undefined) {
        return tf.add(focalTerm(output, q, o.focal_gamma), tf.mul(powNonNeg(oneMinus, o.focal_gamma + 1), o.epsilon));
      }
      let loss: tf.Tensor = tf.neg(logPy);
      eps.forEach((e, j) => {
        if (e !== 0) loss = tf.add(loss, tf.mul(powNonNeg(oneMinus, j + 1), e));
      });
      return loss;
    });
  },
};
