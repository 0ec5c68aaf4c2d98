import { z } from 'zod';
import { defineDataset } from '../define-dataset.js';
import { classificationSpec, sampledData, sampleSplits, sizeOptions, taskRng } from './sample-splits.js';

/**
 * A K-component Gaussian mixture, one class per component: means μ_k ~ N(0, mean_scale²·I_dims)
 * drawn from the data seed (for K = 2, symmetric ±μ as in the binary x | y ~ N(y·μ, Σ) setting
 * when `symmetric` is set), examples N(μ_k, std²·I), classes in turn.
 */
export const gaussianMixture = defineDataset({
  name: 'gaussian-mixture',
  summary: 'K Gaussian components with seeded random means in any dimension, one class each.',
  options: {
    ...sizeOptions(1000, 1000),
    n_classes: z.int().min(2).default(2).describe('Number of components (classes) K.'),
    dims: z.int().min(1).default(10).describe('Input dimension.'),
    std: z.number().min(0).default(1).describe('Std of every component (isotropic).'),
    mean_scale: z.number().min(0).default(1).describe('Means are drawn N(0, mean_scale²·I).'),
    symmetric: z.boolean().default(false).describe('K = 2 only: means +μ and −μ (the binary N(y·μ, Σ) model).'),
  },
  describe: (o) => sampledData(classificationSpec(o.dims, o.n_classes), o),
  load(o, deps) {
    const d = o.dims;
    const K = o.n_classes;
    const means = taskRng(deps.seed, 'gaussian-mixture').fillNormal(new Float32Array(K * d), 0, o.mean_scale);
    if (o.symmetric && K === 2) for (let j = 0; j < d; j++) means[d + j] = -means[j]!;
    const splits = sampleSplits(deps.seed, 'gaussian-mixture', o, (rng, n) => {
      const x = new Float32Array(n * d);
      const y = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const k = i % K;
        for (let j = 0; j < d; j++) x[i * d + j] = means[k * d + j]! + o.std * rng.normal();
        y[i] = k;
      }
      return { x, y };
    });
    return {
      spec: classificationSpec(d, K),
      ...splits,
      meta: { source: 'synthetic: gaussian-mixture', means: Array.from({ length: K }, (_, k) => Array.from(means.subarray(k * d, (k + 1) * d))), std: o.std },
    };
  },
});
