/**
 * Class-balanced re-weighting of any per-example loss (Cui et al. CVPR 2019, "Class-Balanced Loss
 * Based on Effective Number of Samples"; richardaecn/class-balanced-loss): class weights
 * (1 − β)/(1 − β^{n_k}) normalised to sum K, reduced as torch's weighted mean
 * Σ w_{y_i}ℓ_i/Σ w_{y_i} (written per example, class-prior.ts). With start_epoch > 0 it is the
 * deferred re-weighting (DRW) of kaidic/LDAM-DRW for any base loss.
 */
import { z } from 'zod';
import { RunnerError } from '../core/errors.js';
import type * as tf from '../backends/tf.js';
import { lossSchema, type LossEntry } from './common.js';
import { classCountsOf, classWeightedValues, effectiveNumberWeights } from './class-prior.js';
import { baseSlot, buildBase, wrapObjective } from './wrapper.js';

const schema = lossSchema({
  beta: z.number().min(0).lt(1).default(0.9999).describe('β of the effective number (1 − β^{n_k})/(1 − β) (0.9999 in the class-balanced and LDAM-DRW code; 0 = unweighted).'),
  start_epoch: z.int().min(0).default(0).describe('0-based epoch from which the weights apply (DRW: 160 of 200 in cifar_train.py); plain base loss before it.'),
});

export const classBalanced: LossEntry<z.infer<typeof schema>> = {
  name: 'class-balanced',
  summary: 'Class-balanced weights (1 − β)/(1 − β^n_y) on the per-example losses of its `base:`, from start_epoch on (Cui et al. 2019; DRW of Cao et al. 2019).',
  schema,
  nested: baseSlot,
  needs: { task: 'classification', input: 'logits', wraps: 'base', baseReduction: 'per-example' },
  info: {
    paper: 'Class-Balanced Loss Based on Effective Number of Samples (Cui, Jia, Lin, Song, Belongie CVPR 2019)',
    source: 'richardaecn/class-balanced-loss (effective number, weights normalised to sum K); kaidic/LDAM-DRW cifar_train.py (DRW, F.cross_entropy weight=)',
    example: '{"beta":0.9999,"base":{"name":"cross-entropy"}}',
    data: 'class counts of the train split (DataSpec.classCounts)',
    evaluation: 'the base loss, unweighted',
  },
  create(o, deps) {
    const path = (deps as { path?: string }).path ?? 'loss';
    const weights = effectiveNumberWeights(classCountsOf(deps, 'class-balanced'), o.beta);
    const base = buildBase('class-balanced', o, deps);
    if (base.needs.reduction !== 'per-example' || base.needs.task !== 'classification') {
      base.dispose();
      throw new RunnerError('CONFIG_INVALID', `${path}.base: class-balanced reweights per-example classification losses`);
    }
    return wrapObjective(base, 'per-example', (values, ctx, input) =>
      ctx.epoch >= o.start_epoch ? classWeightedValues(values as tf.Tensor1D, input.y, weights) : values,
    );
  },
};
