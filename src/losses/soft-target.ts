/**
 * Losses against a target distribution q [batch, K]: the batch's soft targets when train.mix
 * (mixup, cutmix) mixed it (LossInput.target), else the one-hot label, optionally smoothed.
 * soft-target-ce is timm's SoftTargetCrossEntropy; kl-div is torch's KLDivLoss / optax's
 * kl_divergence per example, KL(q ‖ softmax(z)) = Σ_k q_k(log q_k − log p_k) with 0·log 0 = 0.
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import type { LossInput } from '../core/types.js';
import { classificationNeeds, extraSlot, lossSchema, numClassesOf, rowDot, statelessObjective, targetOf, type LossEntry } from './common.js';

const smoothing = z.number().min(0).max(1).default(0).describe('s: the target becomes (1 − s)·q + s/K (applied after mixing, as timm mixes smoothed one-hots).');

function smoothedTarget(input: LossInput, k: number, s: number): tf.Tensor2D {
  const q = targetOf(input, k);
  return s > 0 ? (tf.add(tf.mul(q, 1 - s), s / k) as tf.Tensor2D) : q;
}

const schema = lossSchema({ label_smoothing: smoothing });

export const softTargetCe: LossEntry<z.infer<typeof schema>> = {
  name: 'soft-target-ce',
  summary: 'Cross-entropy −Σ_k q_k·log p_k against soft targets (mixup / cutmix batches; timm SoftTargetCrossEntropy, "mixup: Beyond Empirical Risk Minimization", Zhang et al. 2018).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits', softTargets: true },
  info: {
    paper: 'mixup: Beyond Empirical Risk Minimization (Zhang, Cisse, Dauphin, Lopez-Paz, ICLR 2018); CutMix (Yun et al., ICCV 2019)',
    repo: 'huggingface/pytorch-image-models',
    source: 'timm/loss/cross_entropy.py SoftTargetCrossEntropy; equals λ·CE(y_a) + (1 − λ)·CE(y_b) of facebookresearch/mixup-cifar10 mixup_criterion',
  },
  create(o, deps) {
    const k = numClassesOf(deps, 'soft-target-ce');
    return statelessObjective(classificationNeeds, (input) => tf.neg(rowDot(tf.logSoftmax(input.output), smoothedTarget(input, k, o.label_smoothing))));
  },
};

export const klDiv: LossEntry<z.infer<typeof schema>> = {
  name: 'kl-div',
  summary: 'KL divergence KL(q ‖ softmax(z)) = Σ_k q_k(log q_k − log p_k) against soft targets (torch KLDivLoss, optax kl_divergence; Kullback & Leibler 1951).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits', softTargets: true },
  info: {
    paper: 'On Information and Sufficiency (Kullback & Leibler 1951)',
    source: 'torch.nn.KLDivLoss (log-probability input, probability target; per example the sum over classes); optax/_src/losses/classification.py kl_divergence',
  },
  create(o, deps) {
    const k = numClassesOf(deps, 'kl-div');
    return statelessObjective(classificationNeeds, (input) => {
      const q = smoothedTarget(input, k, o.label_smoothing);
      // q·log q with 0·log 0 = 0 (torch's xlogy); q is a constant, so no gradient flows through it
      const qLogQ = tf.where(tf.greater(q, 0), tf.mul(q, tf.log(tf.maximum(q, 1e-38))), tf.zerosLike(q));
      return tf.sub(tf.sum(qLogQ, -1), rowDot(tf.logSoftmax(input.output), q));
    });
  },
};
