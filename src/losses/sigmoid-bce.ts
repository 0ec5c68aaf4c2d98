/**
 * One-vs-rest sigmoid losses on K logits (needs.head 'sigmoid'): `sigmoid-bce` (optax
 * sigmoid_binary_cross_entropy / torch BCEWithLogitsLoss on one-hot targets, timm
 * BinaryCrossEntropy's smoothing) and `sigmoid-focal` (torchvision.ops.sigmoid_focal_loss).
 * Per-example value: the sum over the K classes (`class_reduction: mean` divides by K, which is
 * torch's reduction='mean' over B·K elements once the trainer averages over the batch).
 * Float32-safe: −log σ(x) = softplus(−x), 1 − σ(x) = σ(−x), (σ(−x))^γ = exp(−γ·softplus(x)).
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import type { LossInput } from '../core/types.js';
import { classificationNeeds, extraSlot, lossSchema, numClassesOf, oneHot, statelessObjective, type LossEntry } from './common.js';

const classReduction = z
  .enum(['sum', 'mean'])
  .default('sum')
  .describe("How the K per-class terms make the per-example value: 'sum' (default; detectron/optax usage) or 'mean' (torch reduction='mean', i.e. ÷K).");

/**
 * Per-class sigmoids normalised to sum 1 per row, as softmax(log σ(z)) = σ(z_k)/Σ_j σ(z_j):
 * argmax (accuracy) is the logits' argmax; NLL/ECE/Brier read these normalised scores.
 */
export function sigmoidProbabilities(input: LossInput): tf.Tensor2D {
  return tf.softmax(tf.neg(tf.softplus(tf.neg(input.output)))) as tf.Tensor2D;
}

/** Elementwise BCE with logits, softplus(x) − t·x, for targets t ∈ [0, 1]. */
export function bceWithLogits(x: tf.Tensor, t: tf.Tensor): tf.Tensor {
  return tf.sub(tf.softplus(x), tf.mul(t, x));
}

function reduceClasses(v: tf.Tensor, how: 'sum' | 'mean'): tf.Tensor1D {
  return (how === 'sum' ? tf.sum(v, -1) : tf.mean(v, -1)) as tf.Tensor1D;
}

const bceSchema = lossSchema({
  label_smoothing: z
    .number()
    .min(0)
    .lt(1)
    .default(0)
    .describe('ε: targets off = ε/K, on = 1 − ε + ε/K (timm BinaryCrossEntropy `smoothing`, whose own default is 0.1; optax/torch: 0).'),
  class_reduction: classReduction,
});

export const sigmoidBce: LossEntry<z.infer<typeof bceSchema>> = {
  name: 'sigmoid-bce',
  summary: 'One-vs-rest sigmoid binary cross-entropy Σ_k BCEWithLogits(z_k, [k = y]) on K logits, optional label smoothing (optax, torch, timm).',
  schema: bceSchema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits', head: 'sigmoid' },
  info: {
    source: 'optax.sigmoid_binary_cross_entropy; torch.nn.BCEWithLogitsLoss; timm.loss.BinaryCrossEntropy (smoothing)',
    probabilities: 'per-class sigmoids normalised to sum 1',
  },
  create(o, deps) {
    const k = numClassesOf(deps, 'sigmoid-bce');
    const off = o.label_smoothing / k;
    const on = 1 - o.label_smoothing + off;
    return statelessObjective(
      classificationNeeds,
      ({ output, y }) => {
        const t = off === 0 ? oneHot(y, k) : tf.add(tf.mul(oneHot(y, k), on - off), off);
        return reduceClasses(bceWithLogits(output, t), o.class_reduction);
      },
      sigmoidProbabilities,
    );
  },
};

const focalSchema = lossSchema({
  alpha: z
    .number()
    .max(1)
    .default(0.25)
    .describe('α: weight α on positives, 1 − α on negatives; a negative value disables weighting (torchvision default 0.25).'),
  gamma: z.number().min(0).default(2).describe('γ: exponent of the modulating factor (1 − p_t)^γ (torchvision default 2).'),
  class_reduction: classReduction,
});

/** torchvision sigmoid_focal_loss, elementwise: α_t·(1 − p_t)^γ·BCE(x, t). */
export function sigmoidFocalTerms(x: tf.Tensor, t: tf.Tensor, alpha: number, gamma: number): tf.Tensor {
  const s = tf.sub(tf.mul(t, 2), 1); // +1 for positives, −1 for negatives (t ∈ {0, 1})
  const ce = tf.softplus(tf.neg(tf.mul(s, x))); // BCE with logits = −log p_t
  const mod = gamma === 0 ? tf.onesLike(x) : tf.exp(tf.mul(tf.softplus(tf.mul(s, x)), -gamma)); // (1 − p_t)^γ = σ(−s·x)^γ
  let loss = tf.mul(ce, mod);
  if (alpha >= 0) loss = tf.mul(loss, tf.add(tf.mul(t, 2 * alpha - 1), 1 - alpha));
  return loss;
}

export const sigmoidFocal: LossEntry<z.infer<typeof focalSchema>> = {
  name: 'sigmoid-focal',
  summary: 'One-vs-rest sigmoid focal loss Σ_k α_t(1 − p_t)^γ·BCE(z_k, [k = y]) (torchvision.ops.sigmoid_focal_loss, RetinaNet).',
  schema: focalSchema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits', head: 'sigmoid' },
  info: {
    paper: 'Focal Loss for Dense Object Detection (Lin et al. 2017)',
    source: 'torchvision.ops.sigmoid_focal_loss (alpha 0.25, gamma 2; reduction none → summed over classes here); optax.sigmoid_focal_loss',
    probabilities: 'per-class sigmoids normalised to sum 1',
  },
  create(o, deps) {
    const k = numClassesOf(deps, 'sigmoid-focal');
    return statelessObjective(
      classificationNeeds,
      ({ output, y }) => reduceClasses(sigmoidFocalTerms(output, oneHot(y, k), o.alpha, o.gamma), o.class_reduction),
      sigmoidProbabilities,
    );
  },
};
