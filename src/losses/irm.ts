/**
 * IRMv1 (Arjovsky, Bottou, Gulrajani & Lopez-Paz, "Invariant Risk Minimization", 2019), as
 * facebookresearch/InvariantRiskMinimization code/colored_mnist/main.py computes it:
 *
 *   L_e  = mean cross-entropy over environment e's rows of the batch (`mean_nll`)
 *   P_e  = (∂/∂s L_e(s·z) at s = 1)²  (`penalty`: the gradient of the risk with respect to a dummy
 *          scale on the logits, squared)
 *   loss = mean_e L_e + w·mean_e P_e,  w = penalty_weight from step penalty_anneal_iters on, 1
 *          before; divided by w when w > 1
 *
 * The derivative is taken in closed form rather than by a nested autograd: for softmax
 * cross-entropy ℓ(s·z) = −s·z_y + log Σ_k exp(s·z_k), so ∂ℓ/∂s at s = 1 is Σ_k (p_k − [k = y])·z_k,
 * and ∂L_e/∂s is its mean over e's rows. With two classes this is the official single-logit
 * binary cross-entropy exactly: CE over (z₀, z₁) is BCE on z₁ − z₀, and s scales both. Environments
 * are the batch's group ids (colored-mnist: the train environments); the official code takes
 * each environment's whole set every step, here each step's batch (the `domains` sampler gives
 * every environment the same share).
 *
 * Not in the loss: the official `l2_regularizer_weight·Σ‖w‖²` term (it is inside the rescaled
 * loss there); use the optimizer's weight decay. Not implemented: DomainBed's unbiased variant
 * (the product of the gradients on the two halves of each environment's batch).
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import type { LossNeeds, Objective } from '../core/types.js';
import { extraSlot, lossSchema, numClassesOf, oneHot, rowDot, type LossEntry } from './common.js';
import { annealedPenalty, environmentRisks, numEnvironments } from './environment-risks.js';

export const penaltyOptions = {
  penalty_weight: z.number().min(0).default(10000).describe('λ: the penalty weight from step penalty_anneal_iters on (official --penalty_weight 10000).'),
  penalty_anneal_iters: z.int().min(0).default(100).describe('Steps with penalty weight 1 before λ applies (official --penalty_anneal_iters 100).'),
  rescale: z.boolean().default(true).describe('Divide the whole loss by λ while λ > 1, as the official loop does ("keep gradients in a reasonable range").'),
};

const schema = lossSchema(penaltyOptions);

const needs: LossNeeds = { task: 'classification', input: 'logits', reduction: 'batch' };

export const irm: LossEntry<z.infer<typeof schema>> = {
  name: 'irm',
  summary: 'IRMv1: mean environment risk + λ·mean_e (∂L_e(s·z)/∂s at s=1)², λ after an anneal, loss rescaled by λ (Arjovsky et al. 2019).',
  schema,
  nested: extraSlot,
  needs: { ...needs, groups: true },
  info: {
    paper: 'Invariant Risk Minimization (Arjovsky, Bottou, Gulrajani & Lopez-Paz, 2019)',
    repo: 'facebookresearch/InvariantRiskMinimization',
    source: 'facebookresearch/InvariantRiskMinimization code/colored_mnist/main.py (mean_nll, penalty, the train loop\'s penalty_weight and rescaling)',
    environments: 'the batch\'s group ids; environments absent from the batch count in no mean',
    gradient: 'the penalty\'s inner derivative in closed form, Σ_k (p_k − y_k)·z_k per row; the outer gradient by autodiff through it',
  },
  create(o, deps) {
    const k = numClassesOf(deps, 'irm');
    const G = numEnvironments(deps.data.numGroups, 'irm');
    const objective: Objective = {
      needs,
      variables: [],
      compute: (input, ctx) =>
        tf.tidy(() => {
          const logits = input.output;
          const y = oneHot(input.y, k);
          const env = environmentRisks(input, k, G, 'irm');
          // ∂ℓ(s·z)/∂s at s = 1, per row
          const dScale = rowDot(tf.sub(tf.softmax(logits), y), logits);
          const grad = env.meanOf(dScale);
          return annealedPenalty(env.mean(env.risks), env.mean(tf.square(grad) as tf.Tensor1D), o, ctx);
        }),
      dispose: () => undefined,
    };
    return objective;
  },
};
