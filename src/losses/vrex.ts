/**
 * V-REx (Krueger et al., "Out-of-Distribution Generalization via Risk Extrapolation (REx)", ICML
 * 2021), as capybaralet/REx_code_release InvariantRiskMinimization/colored_mnist/main.py computes it
 * (`--rex True --mse True`, the defaults):
 *
 *   L_e  = mean cross-entropy over environment e's rows of the batch
 *   loss = erm_amount·Σ_e L_e + w·(L₁ − L₂)²,  w = penalty_weight from step penalty_anneal_iters on,
 *          1 before; divided by w when w > 1
 *
 * The official loop has two train environments. For E environments the penalty here is the mean
 * over pairs of (L_e − L_e′)², which is (L₁ − L₂)² for two and twice the unbiased variance of the
 * risks in general (`variance: pairs`); `variance: population` gives DomainBed's VREx penalty,
 * mean_e (L_e − mean L)², and `risk: mean` DomainBed's mean risk (DomainBed also does not rescale:
 * `rescale: false`). Environments are the batch's group ids; absent ones count in nothing.
 *
 * Not in the loss: the official `l2_regularizer_weight·Σ‖w‖²` term; use the optimizer's weight decay.
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import type { LossNeeds, Objective } from '../core/types.js';
import { extraSlot, lossSchema, numClassesOf, type LossEntry } from './common.js';
import { annealedPenalty, environmentRisks, numEnvironments } from './environment-risks.js';
import { penaltyOptions } from './irm.js';

const schema = lossSchema({
  ...penaltyOptions,
  erm_amount: z.number().min(0).default(1).describe('Multiplier of the risk term (official --erm_amount 1).'),
  risk: z.enum(['sum', 'mean']).default('sum').describe('sum: Σ_e L_e (the official loss1 + loss2); mean: mean_e L_e (DomainBed).'),
  variance: z.enum(['pairs', 'population']).default('pairs').describe('pairs: mean over environment pairs of (L_e − L_e′)², the official (L₁ − L₂)² for two; population: mean_e (L_e − mean L)² (DomainBed).'),
});

const needs: LossNeeds = { task: 'classification', input: 'logits', reduction: 'batch' };

export const vrex: LossEntry<z.infer<typeof schema>> = {
  name: 'vrex',
  summary: 'V-REx: Σ_e L_e + λ·variance of the environment risks ((L₁ − L₂)² for two), λ after an anneal, loss rescaled by λ (Krueger et al. 2021).',
  schema,
  nested: extraSlot,
  needs: { ...needs, groups: true },
  info: {
    paper: 'Out-of-Distribution Generalization via Risk Extrapolation (REx) (Krueger, Caballero, Jacobsen, Zhang, Binas, Zhang, Le Priol & Courville, ICML 2021)',
    repo: 'capybaralet/REx_code_release',
    source: 'capybaralet/REx_code_release InvariantRiskMinimization/colored_mnist/main.py (rex, mse: rex_penalty = (loss1 − loss2)², loss = erm_amount·(loss1 + loss2) + penalty_weight·rex_penalty, rescaled)',
    environments: 'the batch\'s group ids; environments absent from the batch count in nothing',
  },
  create(o, deps) {
    const k = numClassesOf(deps, 'vrex');
    const G = numEnvironments(deps.data.numGroups, 'vrex');
    const objective: Objective = {
      needs,
      variables: [],
      compute: (input, ctx) =>
        tf.tidy(() => {
          const env = environmentRisks(input, k, G, 'vrex');
          const mean = env.mean(env.risks);
          const risk = tf.mul(o.erm_amount, o.risk === 'sum' ? tf.sum(tf.mul(env.risks, env.present)) : mean) as tf.Scalar;
          // Σ_e (L_e − L̄)² over the environments present
          const squares = tf.sum(tf.mul(env.present, tf.square(tf.sub(env.risks, mean))));
          const penalty = o.variance === 'population'
            ? tf.div(squares, env.count)
            : tf.div(tf.mul(2, squares), tf.maximum(tf.sub(env.count, 1), 1)); // 0 with one environment
          return annealedPenalty(risk, penalty as tf.Scalar, o, ctx);
        }),
      dispose: () => undefined,
    };
    return objective;
  },
};
