import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { classificationNeeds, extraSlot, lossSchema, numClassesOf, oneHot, statelessObjective, type LossEntry } from './common.js';
import { maeTerm } from './mae.js';
import { nceTerm, nflTerm } from './nce.js';
import { rceTerm } from './rce.js';

const schema = lossSchema({
  active: z.enum(['nce', 'nfl']).default('nce').describe('Active term: normalized CE or normalized focal loss.'),
  passive: z.enum(['rce', 'mae']).default('rce').describe('Passive term: reverse CE or MAE (1 − p_y, the APL code\'s reduced form).'),
  alpha: z.number().min(0).default(1).describe('α, weight of the active term (paper: 1 on CIFAR-10, 10 on CIFAR-100).'),
  beta: z.number().min(0).default(1).describe('β, weight of the passive term (paper: 1 on CIFAR-10, 0.1 on CIFAR-100).'),
  gamma: z.number().min(0).default(0.5).describe('γ of NFL (0.5, the APL code\'s NFLandRCE / NFLandMAE default); unused with active: nce.'),
});

export const apl: LossEntry<z.infer<typeof schema>> = {
  name: 'apl',
  summary: 'Active-Passive Loss α·(NCE | NFL) + β·(RCE | MAE) ("Normalized Loss Functions for Deep Learning with Noisy Labels", Ma et al. 2020).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits' },
  info: { paper: 'Normalized Loss Functions for Deep Learning with Noisy Labels (Ma et al. ICML 2020)', repo: 'HanxunH/Active-Passive-Losses' },
  create(o, deps) {
    const k = numClassesOf(deps, 'apl');
    return statelessObjective(classificationNeeds, ({ output, y }) => {
      const q = oneHot(y, k);
      const active = o.active === 'nce' ? nceTerm(output, q) : nflTerm(output, q, o.gamma);
      const passive = o.passive === 'rce' ? rceTerm(output, q) : maeTerm(output, q);
      return tf.add(tf.mul(active, o.alpha), tf.mul(passive, o.beta));
    });
  },
};
