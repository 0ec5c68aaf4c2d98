/**
 * The Hessian of the training loss at a checkpoint (amirgholami/PyHessian `pyhessian/hessian.py`):
 * top-k eigenvalues by power iteration with deflation (or Lanczos Ritz values), the trace by
 * Hutchinson's estimator, the spectral density by stochastic Lanczos quadrature, and the extreme
 * eigenvalues λ_max, λ_min from the Lanczos runs. Class-wise (val-iisc/Saddle-LongTail) on one
 * class's examples. All on central finite-difference HVPs (measure/hvp.ts) of the run's own loss in
 * eval mode on a fixed batch of rows.
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { ExitCode, RunnerError } from '../core/errors.js';
import { hashSeed, Rng } from '../core/random.js';
import type { Batch, LossContext } from '../core/types.js';
import { finiteDifferenceHvp } from '../measure/hvp.js';
import { densityOnGrid, hutchinson, lanczos, powerIterationDeflated, ritz } from '../measure/spectrum.js';
import { batchTensors, groupTensor } from '../train/batches.js';
import { createDiagnosticContext } from '../train/diagnostic-context.js';
import { sampleRows } from './open-run.js';
import { densityChart } from './plots.js';
import type { AnalysisEntry } from './types.js';

const schema = z.strictObject({
  split: z.enum(['train', 'test']).default('train').describe('Split whose loss is differentiated.'),
  class: z.number().int().nonnegative().nullable().default(null).describe('Class-wise Hessian: only rows of this class (null: all classes).'),
  examples: z.number().int().positive().nullable().default(1000).describe('Rows of the fixed batch, drawn by the seed (null: every row; PyHessian uses one batch).'),
  top_k: z.number().int().nonnegative().default(3).describe('Top eigenvalues (PyHessian top_n 1); 0 skips them.'),
  method: z.enum(['power', 'lanczos']).default('power').describe('power: largest |λ| with deflation (PyHessian eigenvalues); lanczos: the k largest Ritz values of the first density run.'),
  iterations: z.number().int().positive().default(100).describe('Most power steps per eigenvalue (PyHessian maxIter 100).'),
  tol: z.number().positive().default(1e-3).describe('Power-iteration relative tolerance (PyHessian 1e-3).'),
  trace_samples: z.number().int().nonnegative().default(50).describe('Hutchinson Rademacher probes (PyHessian stops by tol within maxIter 100); 0 skips the trace.'),
  density_runs: z.number().int().nonnegative().default(1).describe('SLQ runs (PyHessian n_v 1); 0 skips the density.'),
  lanczos_steps: z.number().int().min(2).default(50).describe('Lanczos steps per SLQ run (PyHessian iter 100).'),
  bins: z.number().int().min(10).default(1000).describe('Density grid points (PyHessian num_bins 10000).'),
  sigma_squared: z.number().positive().default(1e-5).describe('Gaussian smoothing, times max(1, λ_max − λ_min) (PyHessian 1e-5).'),
  eps: z.number().positive().optional().describe('Finite-difference step along the unit direction (default cbrt(1.2e-7)·(1 + ‖θ‖)).'),
  seed: z.number().int().default(0).describe('Seed of the row draw and every random vector.'),
});
type Options = z.infer<typeof schema>;

export const hessian: AnalysisEntry<Options> = {
  name: 'hessian',
  summary: 'Hessian top-k eigenvalues, trace (Hutchinson) and spectral density (SLQ), optionally class-wise, on finite-difference HVPs ("PyHessian", Yao et al. 2020).',
  schema,
  info: {
    source: 'amirgholami/PyHessian (pyhessian/hessian.py, density_plot.py); val-iisc/Saddle-LongTail (class-wise)',
    cost: '2 gradient passes per HVP on the batch: top_k·≤iterations + trace_samples + density_runs·lanczos_steps HVPs; MNIST MLP [256], 1000 rows, defaults ≈ 1–2 min on 2 cores',
    paper: 'PyHessian: Neural Networks Through the Lens of the Hessian (Yao, Gholami, Keutzer, Mahoney 2020); Escaping Saddle Points for Effective Generalization on Class-Imbalanced Data (Rangwani et al. NeurIPS 2022)',
  },
  create(o) {
    return {
      folder: o.class === null ? 'hessian' : `hessian-class-${o.class}`,
      async run(ctx) {
        const { run } = ctx;
        const { exp } = run;
        const spec = exp.dataset.spec;
        if (o.class !== null && (spec.task !== 'classification' || o.class >= spec.numClasses)) {
          throw new RunnerError('ANALYSIS_UNSUPPORTED', `hessian: class ${o.class} does not exist (${spec.task === 'classification' ? `${spec.numClasses} classes` : 'not a classification dataset'})`, ExitCode.usage);
        }
        const n = exp.dataset.sizes[o.split];
        let pool = Int32Array.from({ length: n }, (_, i) => i);
        if (o.class !== null) {
          const y = exp.dataset.gather(o.split, pool).y as Int32Array;
          pool = pool.filter((i) => y[i] === o.class);
          if (pool.length === 0) throw new RunnerError('ANALYSIS_UNSUPPORTED', `hessian: the ${o.split} split has no rows of class ${o.class}`, ExitCode.usage);
        }
        const rows = Int32Array.from(sampleRows(pool.length, o.examples, o.seed, `hessian-${o.split}-${o.class ?? 'all'}`), (i) => pool[i]!);
        const arrays = exp.dataset.gather(o.split, rows);
        const batch: Batch = { ...batchTensors(exp.dataset, arrays, rows.length), index: tf.tensor1d(rows, 'int32'), ...groupTensor(arrays) };
        const lctx: LossContext = { step: run.step, epoch: 0, training: false, data: spec, seed: hashSeed(exp.config.seed, 'loss', run.step), split: o.split };
        const dctx = createDiagnosticContext(exp, batch, lctx, run.step);
        try {
          const { op, n: dim, eps } = finiteDifferenceHvp(exp.params, (at) => dctx.evaluate(at), o.eps);
          const lossValue = tf.tidy(() => dctx.evaluate().loss.dataSync()[0]!);
          const rngFor = (label: string) => Rng.derive(o.seed, 'hessian', label);
          const total = (o.method === 'power' ? o.top_k * o.iterations : 0) + o.trace_samples + o.density_runs * o.lanczos_steps;
          const bar = ctx.progress(total, 'hessian HVPs');
          const result: Record<string, unknown> = { split: o.split, class: o.class, rows: rows.length, parameters: dim, eps, loss: lossValue };
          try {
            const densityRuns: { nodes: number[]; weights: number[] }[] = [];
            for (let r = 0; r < o.density_runs; r++) {
              densityRuns.push(await ctx.unit(`slq-${r}`, async () => {
                const t = await lanczos(op, dim, { steps: o.lanczos_steps, rng: rngFor(`slq-${r}`), onProduct: () => bar.tick() });
                return ritz(t.alpha, t.beta);
              }));
            }
            if (o.top_k > 0) {
              const top = o.method === 'lanczos'
                ? densityRuns[0]?.nodes.slice(0, o.top_k) ?? await ctx.unit('lanczos-top', async () => {
                  const t = await lanczos(op, dim, { steps: o.lanczos_steps, rng: rngFor('lanczos-top'), onProduct: () => bar.tick() });
                  return ritz(t.alpha, t.beta).nodes.slice(0, o.top_k);
                })
                : await ctx.unit('top-k', async () => {
                  const p = await powerIterationDeflated(op, dim, { k: o.top_k, iterations: o.iterations, tol: o.tol, rng: rngFor('power'), onProduct: () => bar.tick() });
                  return p.values;
                });
              result.top_eigenvalues = top;
              result.top_eigenvalue = top[0];
            }
            if (o.trace_samples > 0) {
              const tr = await ctx.unit('trace', async () => {
                const h = await hutchinson(op, dim, { samples: o.trace_samples, rng: rngFor('trace'), onProduct: () => bar.tick() });
                return { trace: h.trace, stderr: h.stderr };
              });
              result.trace = tr.trace;
              result.trace_stderr = tr.stderr;
            }
            if (densityRuns.length > 0) {
              const mean = (f: (r: { nodes: number[]; weights: number[] }) => number) => densityRuns.reduce((a, r) => a + f(r), 0) / densityRuns.length;
              const lmax = mean((r) => r.nodes[0]!);
              const lmin = mean((r) => r.nodes.at(-1)!);
              result.lambda_max = lmax;
              result.lambda_min = lmin;
              // Rangwani et al.: the negative eigenvalues' size relative to the top one
              result.negative_ratio = lmax > 0 ? Math.max(0, -lmin) / lmax : null;
              result.negative_mass = mean((r) => r.nodes.reduce((a, t, i) => a + (t < 0 ? r.weights[i]! : 0), 0));
              result.slq_trace = mean((r) => dim * r.nodes.reduce((a, t, i) => a + t * r.weights[i]!, 0));
              const { grid, density } = densityOnGrid(densityRuns, { bins: o.bins, sigmaSquared: o.sigma_squared, overhead: 0.01 });
              const rowsOut = grid.map((g, i) => ({ eigenvalue: g, density: density[i]! }));
              ctx.writeCsv('density.csv', rowsOut);
              ctx.writeJson('ritz.json', densityRuns);
              await ctx.writeFigure('density', densityChart({ title: `${run.exp.config.name} @ ${run.step}: Hessian spectral density${o.class === null ? '' : ` (class ${o.class})`}`, rows: rowsOut }));
            }
          } finally {
            bar.stop();
          }
          return result;
        } finally {
          tf.dispose(Object.values(batch).filter((v): v is tf.Tensor => v instanceof tf.Tensor));
        }
      },
    };
  },
};
