import { z } from 'zod';
import { applyLabelNoise } from '../label-noise.js';
import { defineDataset } from '../define-dataset.js';
import { Rng } from '../../core/random.js';
import { classificationSpec, sampledData, sampleSplits, sizeOptions, taskRng } from './sample-splits.js';

const xorSpec = (d: number) => classificationSpec(d, 2, ['+mu1/-mu1 (+1)', '+mu2/-mu2 (-1)']);

/**
 * XOR cluster data (Xu & Gu, benign overfitting and grokking in ReLU networks): x = ±μ₁ + ξ or
 * ±μ₂ + ξ with ξ ~ N(0, noise_std²·I_d), μ₁ ⊥ μ₂ random directions of norm mu_norm. ±μ₁ is the
 * paper's label +1 (class 0), ±μ₂ is −1 (class 1). A fraction eta of TRAIN labels is flipped
 * (clean labels kept as cleanY); test labels are clean.
 */
export const xorClusters = defineDataset({
  name: 'xor-clusters',
  summary: 'Four Gaussian clusters ±μ₁ (class 0) and ±μ₂ (class 1) in d dimensions, train labels flipped at rate η.',
  info: { paper: 'Xu & Gu 2023, Benign overfitting and grokking in ReLU networks for XOR cluster data' },
  options: {
    ...sizeOptions(200, 1000),
    d: z.int().min(2).default(100).describe('Input dimension (the paper studies d ≫ n_train).'),
    mu_norm: z.number().positive().default(5).describe('‖μ₁‖ = ‖μ₂‖.'),
    noise_std: z.number().min(0).default(1).describe('Std of each coordinate of ξ.'),
    eta: z.number().min(0).max(0.5).default(0.1).describe('Fraction of train labels flipped (each with probability eta).'),
  },
  describe: (o) => sampledData(xorSpec(o.d), o),
  load(o, deps) {
    const d = o.d;
    // two random orthogonal directions (Gram–Schmidt), so no coordinate axis is special
    const rng = taskRng(deps.seed, 'xor-clusters');
    const u = rng.fillNormal(new Float32Array(d));
    const v = rng.fillNormal(new Float32Array(d));
    const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, ai, i) => s + ai * b[i]!, 0);
    const uu = dot(u, u);
    const uv = dot(u, v);
    for (let i = 0; i < d; i++) v[i] = v[i]! - (uv / uu) * u[i]!;
    const scaleU = o.mu_norm / Math.sqrt(uu);
    const scaleV = o.mu_norm / Math.sqrt(dot(v, v));
    for (let i = 0; i < d; i++) { u[i] = u[i]! * scaleU; v[i] = v[i]! * scaleV; }
    const splits = sampleSplits(deps.seed, 'xor-clusters', o, (r, n) => {
      const x = new Float32Array(n * d);
      const y = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const cluster = r.int(4); // 0: +μ₁, 1: −μ₁, 2: +μ₂, 3: −μ₂
        const mu = cluster < 2 ? u : v;
        const sign = cluster % 2 === 0 ? 1 : -1;
        for (let j = 0; j < d; j++) x[i * d + j] = sign * mu[j]! + o.noise_std * r.normal();
        y[i] = cluster < 2 ? 0 : 1;
      }
      return { x, y };
    });
    const clean = splits.train.y as Int32Array;
    const flips = applyLabelNoise(clean, 2, 'symmetric', o.eta, Rng.derive(deps.seed, 'xor-clusters', 'flip'));
    return {
      spec: xorSpec(d),
      train: { ...splits.train, y: flips.noisy, cleanY: clean },
      test: splits.test,
      meta: { source: 'synthetic: xor-clusters', d, mu_norm: o.mu_norm, noise_std: o.noise_std, eta: o.eta, realised_flip_rate: flips.realisedRate },
    };
  },
});
