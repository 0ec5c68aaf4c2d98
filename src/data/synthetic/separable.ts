/**
 * Linearly separable data with a controlled margin (catalogue d10), the testbed of the large-step
 * GD results (Tyurin 2024; Wu et al. 2024): a unit direction w* ~ uniform on the sphere; each
 * example is a Gaussian point whose component along w* is replaced by s·(γ + spread·|h|), h ~ N(0, 1),
 * with s = ±1 its class. So every point lies at distance ≥ γ from the hyperplane w*·x = 0 on its
 * class's side: the data are separable through the origin with margin at least γ (the minimum
 * over the sample is γ plus the smallest |h|, written to meta as `margin`). Classes alternate
 * (exactly balanced); label 1 is the side w*·x > 0.
 */
import { z } from 'zod';
import { defineDataset } from '../define-dataset.js';
import { classificationSpec, sampledData, sampleSplits, sizeOptions, taskRng } from './sample-splits.js';

/** A unit vector uniform on the sphere in d dimensions (a normalised Gaussian). */
export function unitDirection(draw: () => number, d: number): Float64Array {
  const w = new Float64Array(d);
  let norm = 0;
  for (let i = 0; i < d; i++) {
    w[i] = draw();
    norm += w[i]! * w[i]!;
  }
  norm = Math.sqrt(norm);
  for (let i = 0; i < d; i++) w[i]! /= norm;
  return w;
}

export const separable = defineDataset({
  name: 'separable',
  summary: 'Two classes separable through the origin with margin ≥ γ along a random unit direction w* (Gaussian elsewhere), seeded.',
  options: {
    ...sizeOptions(200, 1000),
    input_dim: z.int().min(1).default(10).describe('Dimension d of x.'),
    margin: z.number().min(0).default(0.1).describe('γ: every point is at distance ≥ γ from the hyperplane w*·x = 0.'),
    spread: z.number().min(0).default(1).describe('Scale of the half-normal distance beyond γ (0: every point exactly at distance γ).'),
  },
  describe: (o) => sampledData(classificationSpec(o.input_dim, 2), o),
  load(o, deps) {
    const d = o.input_dim;
    const task = taskRng(deps.seed, 'separable');
    const w = unitDirection(() => task.normal(), d);
    let margin = Number.POSITIVE_INFINITY;
    const splits = sampleSplits(deps.seed, 'separable', o, (rng, n, split) => {
      const x = new Float32Array(n * d);
      const y = new Int32Array(n);
      const z = new Float64Array(d);
      for (let i = 0; i < n; i++) {
        const k = i % 2;
        let along = 0;
        for (let j = 0; j < d; j++) {
          z[j] = rng.normal();
          along += z[j]! * w[j]!;
        }
        const distance = o.margin + o.spread * Math.abs(rng.normal());
        const target = (k === 1 ? 1 : -1) * distance;
        for (let j = 0; j < d; j++) x[i * d + j] = z[j]! + (target - along) * w[j]!;
        y[i] = k;
        if (split === 'train') margin = Math.min(margin, distance);
      }
      return { x, y };
    });
    return {
      spec: classificationSpec(d, 2),
      ...splits,
      meta: { source: 'synthetic: separable (catalogue d10)', margin_option: o.margin, margin, direction: Array.from(w) },
    };
  },
});
