/**
 * Logit adjustment (Menon et al. ICLR 2021, "Long-tail learning via logit adjustment";
 * google-research/logit_adjustment main.py): adjustments τ·log π_k from the train label
 * frequencies. mode 'loss': cross-entropy on z + τ·log π, predictions from z. mode 'posthoc':
 * plain cross-entropy, predictions (and the evaluation's probabilities) from z − τ·log π.
 * Balanced softmax (Ren et al. NeurIPS 2020, jiawei-ren/BalancedMetaSoftmax-Classification
 * loss/BalancedSoftmaxLoss.py): cross-entropy on z + log n_k, i.e. the loss mode with τ = 1.
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import type { LossInput } from '../core/types.js';
import { classificationNeeds, extraSlot, lossSchema, numClassesOf, oneHot, rowDot, statelessObjective, type LossEntry } from './common.js';
import { classCountsOf, logPrior } from './class-prior.js';

/** −log softmax(z + shift)_y. */
function shiftedCe(input: LossInput, shift: readonly number[]): tf.Tensor1D {
  return tf.neg(rowDot(tf.logSoftmax(tf.add(input.output, tf.tensor1d([...shift]))), oneHot(input.y, shift.length)));
}

const schema = lossSchema({
  tau: z.number().finite().default(1).describe('τ of the adjustment τ·log π_k (logit_adjustment default 1.0).'),
  mode: z
    .enum(['loss', 'posthoc'])
    .default('loss')
    .describe("'loss': train on CE(z + τ log π), predict from z; 'posthoc': train on plain CE, predict (and evaluate) from z − τ log π."),
});

export const logitAdjusted: LossEntry<z.infer<typeof schema>> = {
  name: 'logit-adjusted',
  summary: 'Logit adjustment: cross-entropy on z + τ·log π (mode loss) or post-hoc prediction from z − τ·log π (Menon et al. 2021, google-research/logit_adjustment).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits' },
  info: {
    paper: 'Long-tail learning via logit adjustment (Menon, Jayasumana, Rawat, Jain, Veit, Kumar ICLR 2021)',
    source: 'google-research/logit_adjustment main.py (adjustments = log(base_probs^tau + 1e-12), tau 1.0; the 1e-12 is dropped: every π_k > 0 here)',
    data: 'class counts of the train split (DataSpec.classCounts)',
    probabilities: "mode loss: softmax(z); mode posthoc: softmax(z − τ·log π)",
  },
  create(o, deps) {
    numClassesOf(deps, 'logit-adjusted');
    const adj = logPrior(classCountsOf(deps, 'logit-adjusted')).map((l) => o.tau * l);
    if (o.mode === 'loss') return statelessObjective(classificationNeeds, (input) => shiftedCe(input, adj));
    const zero = adj.map(() => 0);
    return statelessObjective(
      classificationNeeds,
      (input) => shiftedCe(input, zero),
      ({ output }) => tf.softmax(tf.sub(output, tf.tensor1d(adj))) as tf.Tensor2D,
    );
  },
};

const plain = lossSchema({});

export const balancedSoftmax: LossEntry<z.infer<typeof plain>> = {
  name: 'balanced-softmax',
  summary: 'Balanced softmax: cross-entropy on z_k + log n_k with n_k the train class counts (Ren et al. NeurIPS 2020).',
  schema: plain,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits' },
  info: {
    paper: 'Balanced Meta-Softmax for Long-Tailed Visual Recognition (Ren et al. NeurIPS 2020)',
    source: 'jiawei-ren/BalancedMetaSoftmax-Classification loss/BalancedSoftmaxLoss.py (logits + log(sample_per_class), then cross-entropy)',
    data: 'class counts of the train split (DataSpec.classCounts)',
    probabilities: 'softmax of the raw logits',
  },
  create(_o, deps) {
    const logN = classCountsOf(deps, 'balanced-softmax').map((n) => Math.log(n));
    return statelessObjective(classificationNeeds, (input) => shiftedCe(input, logN));
  },
};
