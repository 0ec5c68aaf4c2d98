/**
 * Linear regression with a power-law covariance spectrum (catalogue d7), the setting of the
 * SGD/ASGD bias–variance results (Jain et al. 2018; Li et al. 2023, "Risk bounds of accelerated
 * SGD for overparameterized linear regression"): x = Λ^{1/2} z with z ~ N(0, I_d) and
 * Λ = diag(λ_i), λ_i = i^{−exponent} (i = 1 … d); y = x·w* + noise. The teacher w* is
 * w*_i = i^{−teacher_exponent} ('power': its energy λ_i·w*_i² sits where the decay puts it),
 * Gaussian N(0, I) ('gaussian'), or the one-hot e_k ('spike', k = spike_index), which places
 * w₀ − w* (w₀ = 0) wholly in one eigendirection, large or small.
 */
import { z } from 'zod';
import { optionError } from '../data-errors.js';
import { defineDataset } from '../define-dataset.js';
import { sampledData, sampleSplits, sizeOptions, taskRng } from './sample-splits.js';

const spec = (d: number) => ({ task: 'regression' as const, inputShape: [d], inputKind: 'dense' as const, numClasses: 0, outputDim: 1 });

/** λ_i = i^{−a}, i = 1 … d. */
export function powerLawSpectrum(d: number, a: number): Float64Array {
  return Float64Array.from({ length: d }, (_, i) => (i + 1) ** -a);
}

export const powerLawRegression = defineDataset({
  name: 'power-law-regression',
  summary: 'x ~ N(0, diag(i^−a)), y = x·w* + noise: a power-law covariance spectrum and a chosen teacher w*.',
  options: {
    ...sizeOptions(256, 1000),
    input_dim: z.int().min(1).default(64).describe('Dimension d of x.'),
    exponent: z.number().min(0).default(1).describe('a: the i-th covariance eigenvalue is i^−a.'),
    teacher: z.enum(['power', 'gaussian', 'spike']).default('power').describe('w*: i^−teacher_exponent, N(0, I), or e_{spike_index}.'),
    teacher_exponent: z.number().default(0).describe("b in w*_i = i^−b (teacher 'power'; 0 = all ones)."),
    spike_index: z.int().min(1).default(1).describe("k of w* = e_k (teacher 'spike'), 1-based: 1 is the largest eigenvalue."),
    noise: z.number().min(0).default(0).describe('Std of the Gaussian noise on the targets.'),
  },
  describe(o) {
    if (o.spike_index > o.input_dim) throw optionError('spike_index', `spike_index ${o.spike_index} exceeds input_dim ${o.input_dim}`);
    return sampledData(spec(o.input_dim), o);
  },
  load(o, deps) {
    const d = o.input_dim;
    const lambda = powerLawSpectrum(d, o.exponent);
    const task = taskRng(deps.seed, 'power-law-regression');
    const teacher = Float64Array.from({ length: d }, (_, i) =>
      o.teacher === 'power' ? (i + 1) ** -o.teacher_exponent : o.teacher === 'gaussian' ? task.normal() : i + 1 === o.spike_index ? 1 : 0);
    const root = lambda.map(Math.sqrt);
    const splits = sampleSplits(deps.seed, 'power-law-regression', o, (r, n) => {
      const x = new Float32Array(n * d);
      const y = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < d; j++) {
          const v = root[j]! * r.normal();
          x[i * d + j] = v;
          s += v * teacher[j]!;
        }
        y[i] = s + o.noise * r.normal();
      }
      return { x, y };
    });
    return { spec: spec(d), ...splits, meta: { source: 'synthetic: power-law-regression (catalogue d7)', exponent: o.exponent, teacher: Array.from(teacher), noise: o.noise } };
  },
});
