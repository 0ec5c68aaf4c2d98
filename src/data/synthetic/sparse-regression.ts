/**
 * Sparse linear regression, the testbed of the implicit-bias results for diagonal linear networks
 * (Woodworth et al. 2020, Karakida et al. 2023): x ~ N(0, I_d), a k-sparse teacher w* with
 * entries ±1/√k on a random support (‖w*‖ = 1), y = x·w* + noise. With n_train < d the problem is
 * underdetermined: which interpolator training finds is the implicit bias.
 */
import { z } from 'zod';
import { optionError } from '../data-errors.js';
import { defineDataset } from '../define-dataset.js';
import { sampledData, sampleSplits, sizeOptions, taskRng } from './sample-splits.js';

const spec = (d: number) => ({ task: 'regression' as const, inputShape: [d], inputKind: 'dense' as const, numClasses: 0, outputDim: 1 });

export const sparseRegression = defineDataset({
  name: 'sparse-regression',
  summary: 'x ~ N(0, I_d), y = x·w* + noise with a k-sparse w* (±1/√k): underdetermined when n_train < d.',
  options: {
    ...sizeOptions(40, 1000),
    input_dim: z.int().min(1).default(100).describe('Dimension d of x.'),
    sparsity: z.int().min(1).default(5).describe('k: non-zero entries of w*.'),
    noise: z.number().min(0).default(0).describe('Std of the Gaussian noise on the targets.'),
  },
  describe(o) {
    if (o.sparsity > o.input_dim) throw optionError('sparsity', `sparsity ${o.sparsity} exceeds input_dim ${o.input_dim}`);
    return sampledData(spec(o.input_dim), o);
  },
  load(o, deps) {
    const d = o.input_dim;
    const rng = taskRng(deps.seed, 'sparse-regression');
    // the support: the first k of a seeded permutation; signs from the same stream
    const order = Array.from({ length: d }, (_, i) => i);
    for (let i = d - 1; i > 0; i--) {
      const j = Math.floor(rng.uniform() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const teacher = new Float64Array(d);
    for (const i of order.slice(0, o.sparsity)) teacher[i] = (rng.uniform() < 0.5 ? -1 : 1) / Math.sqrt(o.sparsity);
    const splits = sampleSplits(deps.seed, 'sparse-regression', o, (r, n) => {
      const x = r.fillNormal(new Float32Array(n * d));
      const y = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += x[i * d + j]! * teacher[j]!;
        y[i] = s + o.noise * r.normal();
      }
      return { x, y };
    });
    return { spec: spec(d), ...splits, meta: { source: 'synthetic: sparse-regression', support: order.slice(0, o.sparsity).sort((a, b) => a - b), noise: o.noise } };
  },
});
