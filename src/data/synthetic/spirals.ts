import { z } from 'zod';
import { defineDataset } from '../define-dataset.js';
import { classificationSpec, sampledData, sampleSplits, sizeOptions } from './sample-splits.js';

/**
 * K interleaved spiral arms (the CS231n toy problem): arm k has points at radius r ~ U[0, 1) and
 * angle θ = 2π(k/K + turns·r), i.e. (r sin θ, r cos θ), plus N(0, noise²) per coordinate.
 */
export const spirals = defineDataset({
  name: 'spirals',
  summary: 'K interleaved 2-D spiral arms, one class per arm, seeded.',
  options: {
    ...sizeOptions(1000, 1000),
    n_classes: z.int().min(2).default(3).describe('Number of arms (classes).'),
    turns: z.number().positive().default(1).describe('Revolutions each arm makes from the centre to radius 1.'),
    noise: z.number().min(0).default(0.05).describe('Std of the Gaussian noise added to each coordinate.'),
  },
  describe: (o) => sampledData(classificationSpec(2, o.n_classes), o),
  load(o, deps) {
    const K = o.n_classes;
    const splits = sampleSplits(deps.seed, 'spirals', o, (rng, n) => {
      const x = new Float32Array(n * 2);
      const y = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const k = i % K;
        const r = rng.uniform();
        const theta = 2 * Math.PI * (k / K + o.turns * r);
        x[2 * i] = r * Math.sin(theta) + o.noise * rng.normal();
        x[2 * i + 1] = r * Math.cos(theta) + o.noise * rng.normal();
        y[i] = k;
      }
      return { x, y };
    });
    return { spec: classificationSpec(2, K), ...splits, meta: { source: 'synthetic: spirals', n_classes: K, turns: o.turns, noise: o.noise } };
  },
});
