import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { classificationNeeds, extraSlot, logProbTarget, lossSchema, numClassesOf, oneHot, statelessObjective, type LossEntry } from './common.js';
import { focalTerm } from './focal.js';
import { maeTerm } from './mae.js';
import { nceTerm, nflTerm } from './nce.js';
import { nmaeTerm, nrceTerm } from './normalized.js';
import { rceTerm } from './rce.js';

/**
 * Active terms (Ma et al. §4: they push p_y up and touch every class) and passive terms (they push
 * the other classes down). The paper's "any active + any passive" rule; the code ships NCE/NFL with
 * RCE/MAE, and the standalone normalized losses as NormalizedCrossEntropy … NormalizedReverseCrossEntropy.
 */
const schema = lossSchema({
  active: z.enum(['nce', 'nfl', 'ce', 'fl']).default('nce').describe('Active term: normalized CE, normalized focal loss, CE or focal loss.'),
  passive: z.enum(['rce', 'mae', 'nrce', 'nmae']).default('rce').describe('Passive term: reverse CE, MAE (1 − p_y, the APL code\'s reduced form), or their normalized forms.'),
  alpha: z.number().min(0).default(1).describe('α, weight of the active term (paper: 1 on CIFAR-10, 10 on CIFAR-100).'),
  beta: z.number().min(0).default(1).describe('β, weight of the passive term (paper: 1 on CIFAR-10, 0.1 on CIFAR-100).'),
  gamma: z.number().min(0).default(0.5).describe('γ of NFL / FL (0.5, the APL code\'s NFLandRCE / NFLandMAE default); unused with active: nce or ce.'),
  form: z.enum(['code', 'paper']).default('code').describe("Scale of a normalized passive term (nrce, nmae): the APL code's or the paper's, as in the standalone entries."),
});

export const apl: LossEntry<z.infer<typeof schema>> = {
  name: 'apl',
  summary: 'Active-Passive Loss α·(NCE | NFL | CE | FL) + β·(RCE | MAE | NRCE | NMAE) ("Normalized Loss Functions for Deep Learning with Noisy Labels", Ma et al. 2020).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits' },
  info: { paper: 'Normalized Loss Functions for Deep Learning with Noisy Labels (Ma et al. ICML 2020)', repo: 'HanxunH/Active-Passive-Losses', source: 'HanxunH/Active-Passive-Losses loss.py (NCEandRCE, NCEandMAE, NFLandRCE, NFLandMAE)' },
  create(o, deps) {
    const k = numClassesOf(deps, 'apl');
    const activeTerm = (z: tf.Tensor, q: tf.Tensor): tf.Tensor => {
      if (o.active === 'nce') return nceTerm(z, q);
      if (o.active === 'nfl') return nflTerm(z, q, o.gamma);
      if (o.active === 'ce') return tf.neg(logProbTarget(z, q));
      return focalTerm(z, q, o.gamma);
    };
    const passiveTerm = (z: tf.Tensor, q: tf.Tensor): tf.Tensor => {
      if (o.passive === 'rce') return rceTerm(z, q);
      if (o.passive === 'mae') return maeTerm(z, q);
      if (o.passive === 'nrce') return nrceTerm(z, q, k, o.form);
      return nmaeTerm(z, q, k, o.form);
    };
    return statelessObjective(classificationNeeds, ({ output, y }) => {
      const q = oneHot(y, k);
      return tf.add(tf.mul(activeTerm(output, q), o.alpha), tf.mul(passiveTerm(output, q), o.beta));
    });
  },
};
