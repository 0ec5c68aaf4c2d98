import { z } from 'zod';
import { defineDataset } from '../define-dataset.js';
import { classificationSpec, sampledData, sampleSplits, sizeOptions, taskRng } from './sample-splits.js';

/**
 * Isotropic Gaussian blobs (sklearn's make_blobs): `centers` centres drawn uniformly in
 * center_box^n_features from the data seed, examples N(centre, cluster_std²·I), one class per
 * centre, classes in turn (balanced).
 */
export const blobs = defineDataset({
  name: 'blobs',
  summary: 'Isotropic Gaussian blobs around seeded random centres (make_blobs).',
  options: {
    ...sizeOptions(1000, 1000),
    centers: z.int().min(2).default(3).describe('Number of centres (classes).'),
    n_features: z.int().min(1).default(2).describe('Input dimension.'),
    cluster_std: z.number().min(0).default(1).describe('Std of each blob.'),
    center_box: z.tuple([z.number(), z.number()]).refine(([lo, hi]) => lo < hi, 'needs lo < hi').default([-10, 10]).describe('Range [lo, hi] of the centre coordinates.'),
  },
  describe: (o) => sampledData(classificationSpec(o.n_features, o.centers), o),
  load(o, deps) {
    const [lo, hi] = o.center_box;
    const d = o.n_features;
    const centres = taskRng(deps.seed, 'blobs').fillUniform(new Float32Array(o.centers * d), lo, hi);
    const splits = sampleSplits(deps.seed, 'blobs', o, (rng, n) => {
      const x = new Float32Array(n * d);
      const y = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const k = i % o.centers;
        for (let j = 0; j < d; j++) x[i * d + j] = centres[k * d + j]! + o.cluster_std * rng.normal();
        y[i] = k;
      }
      return { x, y };
    });
    return {
      spec: classificationSpec(d, o.centers),
      ...splits,
      meta: { source: 'synthetic: blobs', centers: Array.from({ length: o.centers }, (_, k) => Array.from(centres.subarray(k * d, (k + 1) * d))), cluster_std: o.cluster_std },
    };
  },
});
