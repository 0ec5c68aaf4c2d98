import { z } from 'zod';
import { defineDataset } from '../define-dataset.js';
import { classificationSpec, sampledData, sampleSplits, sizeOptions } from './sample-splits.js';

/** Groups (y, s) ↦ 2y + s, named in the spec order. */
export const SPURIOUS_GROUPS = ['y0_s0', 'y0_s1', 'y1_s0', 'y1_s1'] as const;

const spuriousSpec = (dim: number) => ({ ...classificationSpec(dim, 2), numGroups: 4 });

/**
 * A label y, a core feature that predicts it for every group, and a spurious attribute s that
 * agrees with y in train with probability `spurious_correlation` (0.95) and in test with
 * probability `test_correlation` (0.5, independent of y): the synthetic setup of the Group DRO
 * literature (Sagawa, Raghunathan, Koh & Liang, "An Investigation of Why Overparameterization
 * Exacerbates Spurious Correlations", ICML 2020, §4 synthetic data: x = [x_core, x_spu, x_noise],
 * x_core | y ~ N(y·1, σ²_core·I), x_spu | a ~ N(a·1, σ²_spu·I), the spurious attribute less noisy
 * than the core; Nagarajan, Andreassen & Neyshabur 2021 use the same two-feature picture).
 *
 * With ỹ = 2y − 1 and s̃ = 2s − 1 (y ~ Bernoulli(1/2); s = y with probability ρ, else 1 − y):
 *   x_core ~ N(ỹ·core_strength, core_noise²)        per coordinate, core_dim coordinates
 *   x_spu  ~ N(s̃·spurious_strength, spurious_noise²) per coordinate, spurious_dim coordinates
 *   x_noise ~ N(0, noise_std²)                        noise_dim coordinates
 * laid out as [core | spurious | noise]. group = 2y + s (y0_s0, y0_s1, y1_s0, y1_s1): groups 0 and
 * 3 are the aligned majority in train. The spurious feature has the larger margin-to-noise ratio
 * by default (1/0.1 against 1/1), so ERM leans on it and fails the minority groups 1 and 2; a
 * classifier that uses the core alone is right with probability Φ(core_strength/core_noise) ≈ 0.84
 * in every group.
 */
export const spuriousGaussian = defineDataset({
  name: 'spurious-gaussian',
  summary: 'Core + spurious Gaussian features; the spurious one agrees with the label 95% of the time in train, 50% in test; 4 groups (y, s).',
  info: {
    paper: 'Sagawa, Raghunathan, Koh & Liang, An Investigation of Why Overparameterization Exacerbates Spurious Correlations (ICML 2020), synthetic setup',
    groups: 'group = 2·y + s: 0 y0_s0, 1 y0_s1, 2 y1_s0, 3 y1_s1 (s = y is the aligned majority)',
  },
  options: {
    ...sizeOptions(2000, 2000),
    core_dim: z.int().min(1).default(1).describe('Coordinates of the core feature x_core.'),
    core_strength: z.number().min(0).default(1).describe('Mean ±core_strength of every core coordinate (sign of the label ỹ = 2y − 1).'),
    core_noise: z.number().positive().default(1).describe('Std σ_core of the Gaussian noise on every core coordinate.'),
    spurious_dim: z.int().min(1).default(1).describe('Coordinates of the spurious feature x_spu.'),
    spurious_strength: z.number().min(0).default(1).describe('Mean ±spurious_strength of every spurious coordinate (sign of s̃ = 2s − 1).'),
    spurious_noise: z.number().positive().default(0.1).describe('Std σ_spu of the noise on every spurious coordinate (smaller than core_noise: the spurious feature is the easier one).'),
    spurious_correlation: z.number().min(0).max(1).default(0.95).describe('Train split: probability that the spurious attribute s equals the label y.'),
    test_correlation: z.number().min(0).max(1).default(0.5).describe('Test split: probability that s equals y (0.5: independent of the label, every group equally likely).'),
    noise_dim: z.int().min(0).default(0).describe('Extra pure-noise coordinates N(0, noise_std²) after the core and spurious ones.'),
    noise_std: z.number().min(0).default(1).describe('Std of the extra noise coordinates.'),
  },
  describe: (o) => sampledData(spuriousSpec(o.core_dim + o.spurious_dim + o.noise_dim), o),
  load(o, deps) {
    const d = o.core_dim + o.spurious_dim + o.noise_dim;
    const aligned = { train: 0, test: 0 };
    const splits = sampleSplits(deps.seed, 'spurious-gaussian', o, (rng, n, split) => {
      const rho = split === 'train' ? o.spurious_correlation : o.test_correlation;
      const x = new Float32Array(n * d);
      const y = new Int32Array(n);
      const group = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const label = rng.uniform() < 0.5 ? 1 : 0;
        const s = rng.uniform() < rho ? label : 1 - label;
        const base = i * d;
        for (let j = 0; j < o.core_dim; j++) x[base + j] = (2 * label - 1) * o.core_strength + o.core_noise * rng.normal();
        for (let j = 0; j < o.spurious_dim; j++) x[base + o.core_dim + j] = (2 * s - 1) * o.spurious_strength + o.spurious_noise * rng.normal();
        for (let j = 0; j < o.noise_dim; j++) x[base + o.core_dim + o.spurious_dim + j] = o.noise_std * rng.normal();
        y[i] = label;
        group[i] = 2 * label + s;
        if (s === label) aligned[split] += 1;
      }
      return { x, y, group };
    });
    return {
      spec: spuriousSpec(d),
      ...splits,
      meta: {
        source: 'synthetic: spurious-gaussian',
        layout: { core: [0, o.core_dim], spurious: [o.core_dim, o.core_dim + o.spurious_dim], noise: [o.core_dim + o.spurious_dim, d] },
        groups: [...SPURIOUS_GROUPS],
        core_strength: o.core_strength,
        core_noise: o.core_noise,
        spurious_strength: o.spurious_strength,
        spurious_noise: o.spurious_noise,
        spurious_correlation: o.spurious_correlation,
        test_correlation: o.test_correlation,
        noise_std: o.noise_std,
        realised_aligned_fraction: { train: aligned.train / o.n_train, test: aligned.test / o.n_test },
      },
    };
  },
});
