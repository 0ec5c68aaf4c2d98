import { z } from 'zod';
import { defineDataset } from '../define-dataset.js';
import { classificationSpec, sampledData, sampleSplits, sizeOptions } from './sample-splits.js';

/**
 * Two interleaving half circles (sklearn's make_moons, with t ~ U[0, π) instead of a grid so
 * that train and test differ): class 0 at (cos t, sin t), class 1 at (1 − cos t, 1/2 − sin t),
 * plus N(0, noise²) on each coordinate. Classes alternate, so they are exactly balanced.
 */
export const moons = defineDataset({
  name: 'moons',
  summary: 'Two interleaving half circles in 2-D (make_moons), seeded.',
  options: {
    ...sizeOptions(1000, 1000),
    noise: z.number().min(0).default(0.1).describe('Std of the Gaussian noise added to each coordinate.'),
  },
  describe: (o) => sampledData(classificationSpec(2, 2), o),
  load(o, deps) {
    const splits = sampleSplits(deps.seed, 'moons', o, (rng, n) => {
      const x = new Float32Array(n * 2);
      const y = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const k = i % 2;
        const t = Math.PI * rng.uniform();
        x[2 * i] = (k === 0 ? Math.cos(t) : 1 - Math.cos(t)) + o.noise * rng.normal();
        x[2 * i + 1] = (k === 0 ? Math.sin(t) : 0.5 - Math.sin(t)) + o.noise * rng.normal();
        y[i] = k;
      }
      return { x, y };
    });
    return { spec: classificationSpec(2, 2), ...splits, meta: { source: 'synthetic: moons', noise: o.noise } };
  },
});
