/**
 * Directional losses of the algorithmic-trading papers, on realised returns R = y and predicted
 * returns R̂ = ŷ (mean over the target dimension D). MADL (Michańków, Sakowski, Ślepaczuk 2023,
 * "Mean Absolute Directional Loss as a New Loss Function for Machine Learning Problems in
 * Algorithmic Investment Strategies"): −sign(R·R̂)·|R|. GMADL (Michańków, Sakowski, Ślepaczuk
 * 2024, "Generalized Mean Absolute Directional Loss as a Solution to Overfitting and High
 * Transaction Costs…"): −(σ(a·R·R̂) − ½)·|R|^b, a smooth MADL (a → ∞, b = 1 gives MADL/2).
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import type { LossInput } from '../core/types.js';
import { extraSlot, lossSchema, meanOverDims, powNonNeg, regressionNeeds, statelessObjective, type LossEntry } from './common.js';

const MADL_PAPER = 'Mean Absolute Directional Loss as a New Loss Function for Machine Learning Problems in Algorithmic Investment Strategies (Michańków, Sakowski, Ślepaczuk 2023)';
const GMADL_PAPER = 'Generalized Mean Absolute Directional Loss as a Solution to Overfitting and High Transaction Costs in Machine Learning Models Used in High-Frequency Algorithmic Investment Strategies (Michańków, Sakowski, Ślepaczuk 2024)';

function returns(input: LossInput): { r: tf.Tensor2D; rHat: tf.Tensor2D } {
  const rHat = tf.reshape(input.output, [input.output.shape[0] ?? 0, -1]) as tf.Tensor2D;
  return { rHat, r: tf.reshape(tf.cast(input.y, 'float32'), rHat.shape) as tf.Tensor2D };
}

const plain = lossSchema({});

export const madl: LossEntry<z.infer<typeof plain>> = {
  name: 'madl',
  summary: 'Mean absolute directional loss −sign(R·R̂)·|R| on realised returns R = y and predictions R̂ (Michańków et al. 2023).',
  schema: plain,
  nested: extraSlot,
  needs: { task: 'regression', input: 'logits' },
  info: {
    paper: MADL_PAPER,
    source: 'no official code; the paper\'s formula (1/N)Σ −sign(R_i·R̂_i)·|R_i|',
    gradient: 'sign() is flat: the gradient is zero almost everywhere (train with gmadl; madl is the matching metric)',
  },
  create: () =>
    statelessObjective(regressionNeeds, (input) => {
      const { r, rHat } = returns(input);
      return meanOverDims(tf.neg(tf.mul(tf.sign(tf.mul(r, rHat)), tf.abs(r))));
    }),
};

const gmadlSchema = lossSchema({
  a: z.number().positive().describe('a: slope of the sigmoid σ(a·R·R̂) (no default in the paper; it tunes a per data set, e.g. 10–1000 for returns of order 1e-2).'),
  b: z.number().min(0).describe('b: exponent of |R|^b, the weight of large moves (no default in the paper; b = 1 weighs by |R| as MADL).'),
});

export const gmadl: LossEntry<z.infer<typeof gmadlSchema>> = {
  name: 'gmadl',
  summary: 'Generalised MADL −(σ(a·R·R̂) − ½)·|R|^b, a differentiable directional loss on returns (Michańków et al. 2024).',
  schema: gmadlSchema,
  nested: extraSlot,
  needs: { task: 'regression', input: 'logits' },
  info: {
    paper: GMADL_PAPER,
    source: 'no official code located; the paper\'s formula (1/N)Σ −(1/(1 + exp(−a·R_i·R̂_i)) − ½)·|R_i|^b',
    example: '{"a":100,"b":1}',
  },
  create: (o) =>
    statelessObjective(regressionNeeds, (input) => {
      const { r, rHat } = returns(input);
      return meanOverDims(tf.neg(tf.mul(tf.sub(tf.sigmoid(tf.mul(tf.mul(r, rHat), o.a)), 0.5), powNonNeg(tf.abs(r), o.b))));
    }),
};
