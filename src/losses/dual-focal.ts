import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { classificationNeeds, extraSlot, lossSchema, numClassesOf, oneHot, powNonNeg, rowDot, statelessObjective, type LossEntry } from './common.js';

const schema = lossSchema({
  gamma: z.number().min(0).default(5).describe('γ of (1 − p_y + p_j)^γ (paper default 5).'),
});

/**
 * ℓ = −(1 − p_y + p_j)^γ·log p_y with p_j = max{p_k : p_k < p_y} and p_j = 0 when no entry is
 * strictly below p_y — the official masking `torch.lt(softmax, p_y)` (Linwei94/ICML2023-DualFocalLoss,
 * Losses/dual_focal_loss.py), which also excludes ties. As there, p_j is not detached.
 */
export const dualFocal: LossEntry<z.infer<typeof schema>> = {
  name: 'dual-focal',
  summary: 'Dual focal loss −(1 − p_y + p_j)^γ·log p_y, p_j the largest probability below p_y ("Dual Focal Loss for Calibration", Tao et al. 2023).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits' },
  info: { paper: 'Dual Focal Loss for Calibration (Tao et al. ICML 2023)', repo: 'Linwei94/ICML2023-DualFocalLoss' },
  create(o, deps) {
    const k = numClassesOf(deps, 'dual-focal');
    return statelessObjective(classificationNeeds, ({ output, y }) => {
      const q = oneHot(y, k);
      const logP = tf.logSoftmax(output);
      const p = tf.exp(logP);
      const logPy = rowDot(logP, q);
      const py = tf.exp(logPy);
      // 1[p_k < p_y] as 1 − 1[p_k ≥ p_y]: tfjs registers a (zero) gradient for GreaterEqual only
      const below = tf.sub(1, tf.cast(tf.greaterEqual(p, tf.expandDims(py, 1)), 'float32'));
      const pj = tf.max(tf.mul(p, below), 1);
      const base = tf.add(tf.sub(1, py), pj);
      return tf.neg(tf.mul(powNonNeg(base, o.gamma), logPy));
    });
  },
};
