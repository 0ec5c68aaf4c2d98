/**
 * The two-view augmentation of SimCLR-style training (google-research/simclr data_util.py
 * preprocess_for_train: random_crop_with_resize, random flip), for a batch of images [b, H, W, C]
 * in row-major float32, plus optional Gaussian pixel noise. Each view of each example draws its own
 * crop: an area fraction in `area` and an aspect ratio (log-uniform) in `aspect` (up to 100 tries,
 * as distorted_bounding_box_crop, else the whole image), resized back to H × W bilinearly. Inputs
 * that are not images (vectors) get only the noise. Everything comes from `rng`.
 */
import { z } from 'zod';
import type { Rng } from '../core/random.js';

export const twoViewShape = {
  crop_area: z.tuple([z.number().gt(0).max(1), z.number().gt(0).max(1)]).default([0.08, 1]).describe('Area range of the random crop (simclr random_crop_with_resize area_range (0.08, 1.0)).'),
  crop_aspect: z.tuple([z.number().positive(), z.number().positive()]).default([0.75, 4 / 3]).describe('Aspect-ratio range of the crop (simclr (3/4, 4/3)).'),
  flip: z.boolean().default(true).describe('Mirror left-right with probability 1/2 (simclr random_flip_left_right; off for digits).'),
  noise_std: z.number().min(0).default(0).describe('σ of Gaussian noise added to every pixel of a view, in input units (0 = none; simclr uses colour distortion instead).'),
};

export type TwoViewOptions = { crop_area: readonly [number, number]; crop_aspect: readonly [number, number]; flip: boolean; noise_std: number };

/** One augmented view of every example of `x` ([b, ...shape]). */
export function augmentView(x: Float32Array, b: number, shape: readonly number[], o: TwoViewOptions, rng: Rng): Float32Array {
  const D = x.length / b;
  const out = new Float32Array(x.length);
  const image = shape.length === 3;
  const [H, W, C] = image ? [shape[0]!, shape[1]!, shape[2]!] : [0, 0, 0];
  for (let e = 0; e < b; e++) {
    const base = e * D;
    if (!image) {
      out.set(x.subarray(base, base + D), base);
    } else {
      let [ch, cw, top, left] = [H, W, 0, 0];
      for (let t = 0; t < 100; t++) {
        const area = H * W * (o.crop_area[0] + rng.uniform() * (o.crop_area[1] - o.crop_area[0]));
        const logA = Math.log(o.crop_aspect[0]) + rng.uniform() * (Math.log(o.crop_aspect[1]) - Math.log(o.crop_aspect[0]));
        const ratio = Math.exp(logA);
        const h = Math.round(Math.sqrt(area / ratio));
        const w = Math.round(Math.sqrt(area * ratio));
        if (h >= 1 && w >= 1 && h <= H && w <= W) {
          [ch, cw] = [h, w];
          top = rng.int(H - h + 1);
          left = rng.int(W - w + 1);
          break;
        }
      }
      const flip = o.flip && rng.uniform() < 0.5;
      // bilinear resize of the crop back to H × W (align_corners = false, half-pixel centres)
      for (let i = 0; i < H; i++) {
        const sy = Math.min(Math.max((i + 0.5) * (ch / H) - 0.5, 0), ch - 1);
        const y0 = Math.floor(sy), y1 = Math.min(y0 + 1, ch - 1), fy = sy - y0;
        const r0 = base + (top + y0) * W * C, r1 = base + (top + y1) * W * C;
        for (let j = 0; j < W; j++) {
          const jj = flip ? W - 1 - j : j;
          const sx = Math.min(Math.max((jj + 0.5) * (cw / W) - 0.5, 0), cw - 1);
          const x0 = Math.floor(sx), x1 = Math.min(x0 + 1, cw - 1), fx = sx - x0;
          const c0 = (left + x0) * C, c1 = (left + x1) * C;
          const to = base + (i * W + j) * C;
          for (let c = 0; c < C; c++) {
            const top2 = (1 - fx) * x[r0 + c0 + c]! + fx * x[r0 + c1 + c]!;
            const bottom = (1 - fx) * x[r1 + c0 + c]! + fx * x[r1 + c1 + c]!;
            out[to + c] = (1 - fy) * top2 + fy * bottom;
          }
        }
      }
    }
  }
  if (o.noise_std > 0) {
    const noise = rng.fillNormal(new Float32Array(x.length), 0, o.noise_std);
    for (let t = 0; t < x.length; t++) out[t] = out[t]! + noise[t]!;
  }
  return out;
}

/** The two views of a batch: the first and second from one rng, drawn in that order. */
export function twoViews(x: Float32Array, b: number, shape: readonly number[], o: TwoViewOptions, rng: Rng): [Float32Array, Float32Array] {
  return [augmentView(x, b, shape, o, rng), augmentView(x, b, shape, o, rng)];
}
