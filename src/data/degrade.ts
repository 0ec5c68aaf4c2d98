/**
 * `dataset.degrade`: a seeded fraction of the images of each split replaced by a degraded copy —
 * Gaussian blur, additive Gaussian noise or a downscale (box average by `downscale`, then back to
 * the full size by nearest neighbour), one kind per image drawn uniformly from `kinds` — for the
 * image-quality claims of AdaFace (its training recipe degrades images the same three ways:
 * low_res_augmentation, photometric, crop). Which rows, which kind and the noise are drawn once
 * from Rng.derive(seed, 'degrade', split), so every epoch and every evaluation sees the same
 * degraded images; the copies are made when the dataset is built (values in the model's input
 * units, before normalisation, whose statistics come from the undegraded train split).
 */
import { z } from 'zod';
import { Rng } from '../core/random.js';

export const degradeSchema = z
  .strictObject({
    fraction: z.number().min(0).max(1).describe('Fraction of the train images degraded (also of the test images unless test_fraction is set).'),
    test_fraction: z.number().min(0).max(1).optional().describe('Fraction of the test images degraded (default: fraction); 1 = a fully degraded test split.'),
    kinds: z.array(z.enum(['blur', 'noise', 'downscale'])).min(1).default(['blur', 'noise', 'downscale']).describe('Degradations to draw from, uniformly per image.'),
    blur_sigma: z.number().positive().default(1.5).describe('σ in pixels of the Gaussian blur (kernel radius ⌈3σ⌉, edges clamped).'),
    noise_std: z.number().positive().default(0.3).describe('σ of the additive Gaussian noise, in input units (MNIST pixels lie in [0, 1]).'),
    downscale: z.int().min(2).default(4).describe('Downscale factor f: f×f box averages, then nearest-neighbour back to the full size (MNIST 28 → 7 → 28 at 4).'),
  })
  .nullable()
  .default(null)
  .describe('Image degradation (blur / noise / downscale) of a seeded fraction of the train and test images; meta records the rows and kinds.');

export type DegradeOptions = NonNullable<z.output<typeof degradeSchema>>;

const KIND_IDS = { blur: 0, noise: 1, downscale: 2 } as const;

/** Degrades one image [H, W, C] (row-major) into `out` in place of a copy. */
export function degradeImage(img: Float32Array, H: number, W: number, C: number, kind: 'blur' | 'noise' | 'downscale', o: DegradeOptions, rng: Rng): Float32Array {
  const out = new Float32Array(img.length);
  if (kind === 'noise') {
    for (let t = 0; t < img.length; t++) out[t] = img[t]! + o.noise_std * rng.normal();
  } else if (kind === 'blur') {
    const r = Math.ceil(3 * o.blur_sigma);
    const k = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * o.blur_sigma ** 2)));
    const sum = k.reduce((a, b) => a + b, 0);
    const w = k.map((v) => v / sum);
    const tmp = new Float64Array(img.length);
    const clamp = (v: number, n: number) => Math.min(n - 1, Math.max(0, v));
    // separable: rows, then columns, edges clamped (replicate padding)
    for (let h = 0; h < H; h++) for (let x = 0; x < W; x++) for (let c = 0; c < C; c++) {
      let s = 0;
      for (let i = -r; i <= r; i++) s += w[i + r]! * img[(h * W + clamp(x + i, W)) * C + c]!;
      tmp[(h * W + x) * C + c] = s;
    }
    for (let h = 0; h < H; h++) for (let x = 0; x < W; x++) for (let c = 0; c < C; c++) {
      let s = 0;
      for (let i = -r; i <= r; i++) s += w[i + r]! * tmp[(clamp(h + i, H) * W + x) * C + c]!;
      out[(h * W + x) * C + c] = s;
    }
  } else {
    const f = o.downscale;
    const h2 = Math.ceil(H / f), w2 = Math.ceil(W / f);
    for (let bh = 0; bh < h2; bh++) for (let bw = 0; bw < w2; bw++) for (let c = 0; c < C; c++) {
      let s = 0, n = 0;
      for (let h = bh * f; h < Math.min(H, (bh + 1) * f); h++) for (let x = bw * f; x < Math.min(W, (bw + 1) * f); x++) {
        s += img[(h * W + x) * C + c]!;
        n++;
      }
      const v = s / n;
      for (let h = bh * f; h < Math.min(H, (bh + 1) * f); h++) for (let x = bw * f; x < Math.min(W, (bw + 1) * f); x++) out[(h * W + x) * C + c] = v;
    }
  }
  return out;
}

/** The degraded rows of a split of n images: row → kind id, and their degraded copies. */
export interface DegradedSplit {
  readonly rows: Int32Array;
  readonly kinds: Int32Array;
  /** row id → offset (in images) into `data`. */
  readonly slot: Map<number, number>;
  readonly data: Float32Array;
}

/**
 * Picks round(fraction·n) rows (a seeded permutation's first ones, ascending), a kind for each, and
 * degrades `image(i)` (the row's undegraded image in input units).
 */
export function degradeSplit(n: number, fraction: number, shape: readonly number[], o: DegradeOptions, seed: number, split: string, image: (i: number) => Float32Array): DegradedSplit {
  const rng = Rng.derive(seed, 'degrade', split);
  const count = Math.round(fraction * n);
  const rows = rng.permutation(n).slice(0, count).sort();
  const [H, W, C] = [shape[0]!, shape[1]!, shape[2]!];
  const D = H * W * C;
  const data = new Float32Array(count * D);
  const kinds = new Int32Array(count);
  const slot = new Map<number, number>();
  rows.forEach((row, k) => {
    const kind = o.kinds[rng.int(o.kinds.length)]!;
    kinds[k] = KIND_IDS[kind];
    data.set(degradeImage(image(row), H, W, C, kind, o, rng), k * D);
    slot.set(row, k);
  });
  return { rows, kinds, slot, data };
}
