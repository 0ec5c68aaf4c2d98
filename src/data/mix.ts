/**
 * `train.mix`: batch transforms that mix pairs of training rows and hand the loss soft targets
 * (Batch.target): mixup (facebookresearch/mixup-cifar10 train.py mixup_data) and CutMix
 * (clovaai/CutMix-PyTorch train.py, rand_bbox), with timm's Mixup option names for using both.
 * Every draw (whether to mix, which transform, λ, the pairing, the box) comes from one Rng seeded
 * by (run seed, step), so a resumed run mixes exactly as the uninterrupted one.
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import type { Rng } from '../core/random.js';

export const mixSchema = z
  .strictObject({
    mixup_alpha: z.number().min(0).default(1).describe('α of mixup: λ ~ Beta(α, α), x = λ·x + (1 − λ)·x[perm] (mixup-cifar10 --alpha, default 1); 0 turns mixup off.'),
    cutmix_alpha: z.number().min(0).default(0).describe('α of CutMix (CutMix-PyTorch --beta): λ ~ Beta(α, α), a box of area ≈ (1 − λ) pasted from x[perm]; 0 (default) turns CutMix off. Needs image inputs [H, W, C].'),
    prob: z.number().min(0).max(1).default(1).describe('Probability that a batch is mixed at all (CutMix-PyTorch --cutmix_prob; timm prob). Unmixed batches carry their one-hot targets.'),
    switch_prob: z.number().min(0).max(1).default(0.5).describe('With both α > 0: probability that a mixed batch uses CutMix instead of mixup (timm switch_prob).'),
  })
  .refine((m) => m.mixup_alpha > 0 || m.cutmix_alpha > 0, { message: 'give mixup_alpha > 0 or cutmix_alpha > 0 (both 0 mixes nothing)' });

export type MixSpec = z.output<typeof mixSchema>;

/** What one mix drew: the kind, λ (after CutMix's area correction) and the box; for tests and logs. */
export interface MixDraw {
  readonly kind: 'none' | 'mixup' | 'cutmix';
  readonly lambda: number;
  readonly perm?: Int32Array;
  /** [row0, col0, row1, col1), CutMix only. */
  readonly box?: readonly [number, number, number, number];
}

/**
 * CutMix-PyTorch rand_bbox on an [H, W] image: cut ratio √(1 − λ), a centre drawn uniformly, the box
 * clipped to the image (so its area can be smaller than 1 − λ; λ is then corrected to the box).
 * The official code names the NCHW sizes W = size[2], H = size[3]; the arithmetic is the same.
 */
export function randomBox(h: number, w: number, lambda: number, rng: Rng): [number, number, number, number] {
  const cut = Math.sqrt(1 - lambda);
  const cutH = Math.floor(h * cut);
  const cutW = Math.floor(w * cut);
  const cy = rng.int(h);
  const cx = rng.int(w);
  const clip = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
  return [clip(cy - Math.floor(cutH / 2), h), clip(cx - Math.floor(cutW / 2), w), clip(cy + Math.floor(cutH / 2), h), clip(cx + Math.floor(cutW / 2), w)];
}

/** The draws of one batch of `n` rows, in a fixed order (prob, switch, λ, perm, box). */
export function drawMix(spec: MixSpec, n: number, rng: Rng, image?: readonly number[]): MixDraw {
  if (rng.uniform() >= spec.prob) return { kind: 'none', lambda: 1 };
  const both = spec.mixup_alpha > 0 && spec.cutmix_alpha > 0;
  const cutmix = both ? rng.uniform() < spec.switch_prob : spec.cutmix_alpha > 0;
  const alpha = cutmix ? spec.cutmix_alpha : spec.mixup_alpha;
  const lambda = rng.beta(alpha, alpha);
  const perm = rng.permutation(n);
  if (!cutmix) return { kind: 'mixup', lambda, perm };
  const [h, w] = image ?? [];
  if (h === undefined || w === undefined) throw new RangeError('cutmix needs image inputs [H, W, C]');
  const box = randomBox(h, w, lambda, rng);
  const area = (box[2] - box[0]) * (box[3] - box[1]);
  return { kind: 'cutmix', lambda: 1 - area / (h * w), perm, box };
}

/**
 * The mixed batch: inputs and soft targets λ·onehot(y) + (1 − λ)·onehot(y[perm]) [n, K] (equal to
 * the official λ·L(y_a) + (1 − λ)·L(y_b) for losses linear in the target, such as soft-target CE).
 * Unmixed batches return x itself and the one-hot targets. The caller owns the returned tensors
 * (x only when it is not the input).
 */
export function mixBatch(x: tf.Tensor, y: tf.Tensor, numClasses: number, spec: MixSpec, rng: Rng): { x: tf.Tensor; target: tf.Tensor2D; draw: MixDraw } {
  const n = x.shape[0] ?? 0;
  const image = x.rank === 4 ? x.shape.slice(1, 3) : undefined;
  const draw = drawMix(spec, n, rng, image);
  const mixed = tf.tidy(() => {
    const onehot = tf.cast(tf.oneHot(tf.cast(y, 'int32') as tf.Tensor1D, numClasses), 'float32') as tf.Tensor2D;
    if (draw.kind === 'none' || !draw.perm) return { x, target: onehot };
    const perm = tf.tensor1d(draw.perm, 'int32');
    const lam = draw.lambda;
    const target = tf.add(tf.mul(onehot, lam), tf.mul(tf.gather(onehot, perm), 1 - lam)) as tf.Tensor2D;
    const other = tf.gather(x, perm);
    if (draw.kind === 'mixup') return { x: tf.add(tf.mul(x, lam), tf.mul(other, 1 - lam)), target };
    const [h, w] = [x.shape[1]!, x.shape[2]!];
    const [r0, c0, r1, c1] = draw.box!;
    const mask = new Float32Array(h * w);
    for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) mask[r * w + c] = 1;
    const m = tf.tensor4d(mask, [1, h, w, 1]);
    return { x: tf.add(tf.mul(x, tf.sub(1, m)), tf.mul(other, m)), target };
  });
  return { x: mixed.x, target: mixed.target, draw };
}
