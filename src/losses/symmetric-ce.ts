import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { classificationNeeds, extraSlot, logProbTarget, lossSchema, numClassesOf, oneHot, statelessObjective, type LossEntry } from './common.js';
import { rceTerm } from './rce.js';

const schema = lossSchema({
  alpha: z.number().min(0).default(0.1).describe('α, weight of CE (the official run: 0.1 on CIFAR-10, 0.01 on MNIST, 6 on CIFAR-100).'),
  beta: z.number().min(0).default(1).describe('β, weight of RCE (the official run: 1 on CIFAR-10 and MNIST, 0.1 on CIFAR-100).'),
  clip: z
    .number()
    .min(0)
    .lt(1)
    .default(1e-7)
    .describe('CE is −log max(p_y, clip), as the official Keras code clips the predictions at 1e-7; 0 gives the paper\'s unclipped CE (and the APL code\'s SCELoss).'),
});

/**
 * Symmetric cross-entropy (Wang et al., ICCV 2019): α·CE + β·RCE, RCE = −A·(1 − p_y) with
 * A = log 1e-4 (rce.ts). The official code (YisenWang/symmetric_cross_entropy_for_noisy_labels,
 * loss.py symmetric_cross_entropy) clips p at 1e-7 inside CE: −log max(p_y, 1e-7) = −max(log p_y,
 * log 1e-7), which caps CE at 16.1 and gives it zero gradient below the clip.
 */
export const symmetricCe: LossEntry<z.infer<typeof schema>> = {
  name: 'symmetric-ce',
  summary: 'Symmetric cross-entropy α·CE + β·RCE ("Symmetric Cross Entropy for Robust Learning with Noisy Labels", Wang et al. 2019).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits' },
  info: {
    paper: 'Symmetric Cross Entropy for Robust Learning with Noisy Labels (Wang, Ma, Chen, Luo, Yi, Bailey, ICCV 2019)',
    repo: 'YisenWang/symmetric_cross_entropy_for_noisy_labels',
    source: 'YisenWang/symmetric_cross_entropy_for_noisy_labels loss.py (symmetric_cross_entropy); train_models.py (α = 0.1, β = 1 on CIFAR-10)',
  },
  create(o, deps) {
    const k = numClassesOf(deps, 'symmetric-ce');
    const logClip = o.clip > 0 ? Math.log(o.clip) : undefined;
    return statelessObjective(classificationNeeds, ({ output, y }) => {
      const q = oneHot(y, k);
      const logPy = logProbTarget(output, q);
      const ce = tf.neg(logClip === undefined ? logPy : tf.maximum(logPy, logClip));
      return tf.add(tf.mul(ce, o.alpha), tf.mul(rceTerm(output, q), o.beta));
    });
  },
};
