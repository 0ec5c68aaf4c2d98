import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { classificationNeeds, extraSlot, logProbTarget, lossSchema, numClassesOf, oneHot, oneMinusExp, powNonNeg, statelessObjective, type LossEntry } from './common.js';

const schema = lossSchema({
  gamma: z.number().min(0).default(2).describe('γ: focusing exponent of (1 − p_y)^γ (2 in Lin et al.; the calibration papers go up to 5).'),
});

/** −(1 − p_y)^γ·log p_y from logSoftmax; 1 − p_y = −expm1(log p_y). The factor is differentiated (not detached). */
export function focalTerm(logits: tf.Tensor, onehot: tf.Tensor, gamma: number): tf.Tensor1D {
  const logPy = logProbTarget(logits, onehot);
  return tf.neg(tf.mul(powNonNeg(oneMinusExp(logPy), gamma), logPy)) as tf.Tensor1D;
}

export const focal: LossEntry<z.infer<typeof schema>> = {
  name: 'focal',
  summary: 'Focal loss −(1 − p_y)^γ·log p_y ("Focal Loss for Dense Object Detection", Lin et al. 2017).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits' },
  info: { paper: 'Focal Loss for Dense Object Detection (Lin et al. 2017); PolyLoss (Leng et al. 2022)' },
  create(o, deps) {
    const k = numClassesOf(deps, 'focal');
    return statelessObjective(classificationNeeds, ({ output, y }) => focalTerm(output, oneHot(y, k), o.gamma));
  },
};
