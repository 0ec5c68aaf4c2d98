/**
 * The normalized losses of Ma et al. 2020 as standalone entries: NFL, NMAE and NRCE (NCE is nce.ts).
 * Each is L(f, y)/Σ_j L(f, j). The official code (HanxunH/Active-Passive-Losses loss.py) scales NMAE
 * and NRCE by constants that differ from the paper's normalisation; `form` picks either (docs/losses.md).
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { classificationNeeds, extraSlot, lossSchema, numClassesOf, oneHot, statelessObjective, type LossEntry } from './common.js';
import { maeTerm } from './mae.js';
import { nflTerm } from './nce.js';
import { RCE_LOG_ZERO, rceTerm } from './rce.js';

export type NormalizedForm = 'code' | 'paper';

const formOption = z
  .enum(['code', 'paper'])
  .default('code')
  .describe("'code': the APL code's scale (NMAE (1 − p_y)/(2(K − 1)), NRCE (K − 1)/4·RCE); 'paper': L/Σ_j L(f, j) = (1 − p_y)/(K − 1) for both.");

/**
 * NMAE. Code (NormalizedMeanAbsoluteError): the reduced MAE 1 − p_y times 1/(2(K − 1)). Paper: the full
 * L1 distance 2(1 − p_y) over Σ_j 2(1 − p_j) = 2(K − 1), i.e. (1 − p_y)/(K − 1).
 */
export function nmaeTerm(logits: tf.Tensor, onehot: tf.Tensor, k: number, form: NormalizedForm): tf.Tensor1D {
  return tf.mul(maeTerm(logits, onehot), form === 'code' ? 1 / (2 * (k - 1)) : 1 / (k - 1)) as tf.Tensor1D;
}

/**
 * NRCE. Code (NormalizedReverseCrossEntropy): `normalizor = 1 / 4 * (num_classes - 1)`, which Python
 * reads as (K − 1)/4, times RCE = −A·(1 − p_y). Paper: RCE/Σ_j RCE(f, j) = RCE/(−A(K − 1)) = (1 − p_y)/(K − 1).
 */
export function nrceTerm(logits: tf.Tensor, onehot: tf.Tensor, k: number, form: NormalizedForm): tf.Tensor1D {
  return tf.mul(rceTerm(logits, onehot), form === 'code' ? (k - 1) / 4 : 1 / (-RCE_LOG_ZERO * (k - 1))) as tf.Tensor1D;
}

const info = { paper: 'Normalized Loss Functions for Deep Learning with Noisy Labels (Ma et al. ICML 2020)', repo: 'HanxunH/Active-Passive-Losses', source: 'HanxunH/Active-Passive-Losses loss.py' };

const nflSchema = lossSchema({
  gamma: z.number().min(0).default(0.5).describe('γ of the focal terms (0.5 in every APL config and pair class; the NormalizedFocalLoss signature default 0 reduces NFL to NCE).'),
});

export const nfl: LossEntry<z.infer<typeof nflSchema>> = {
  name: 'nfl',
  summary: 'Normalized focal loss FL(y)/Σ_k FL(k), FL(k) = −(1 − p_k)^γ·log p_k ("Normalized Loss Functions for Deep Learning with Noisy Labels", Ma et al. 2020).',
  schema: nflSchema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits' },
  // the code detaches the (1 − p_k)^γ factors (`.data`), so the gradient is not the value's derivative
  info: { ...info, gradient: 'the (1 − p_k)^γ factors are detached, as in the APL code (NormalizedFocalLoss)' },
  create(o, deps) {
    const k = numClassesOf(deps, 'nfl');
    return statelessObjective(classificationNeeds, ({ output, y }) => nflTerm(output, oneHot(y, k), o.gamma));
  },
};

const formSchema = lossSchema({ form: formOption });

export const nmae: LossEntry<z.infer<typeof formSchema>> = {
  name: 'nmae',
  summary: 'Normalized MAE, (1 − p_y)/(2(K − 1)) as in the APL code or (1 − p_y)/(K − 1) as in the paper (Ma et al. 2020).',
  schema: formSchema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits' },
  info,
  create(o, deps) {
    const k = numClassesOf(deps, 'nmae');
    return statelessObjective(classificationNeeds, ({ output, y }) => nmaeTerm(output, oneHot(y, k), k, o.form));
  },
};

export const nrce: LossEntry<z.infer<typeof formSchema>> = {
  name: 'nrce',
  summary: 'Normalized reverse CE, (K − 1)/4·RCE as in the APL code or RCE/(−A(K − 1)) = (1 − p_y)/(K − 1) as in the paper (Ma et al. 2020).',
  schema: formSchema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits' },
  info,
  create(o, deps) {
    const k = numClassesOf(deps, 'nrce');
    return statelessObjective(classificationNeeds, ({ output, y }) => nrceTerm(output, oneHot(y, k), k, o.form));
  },
};
