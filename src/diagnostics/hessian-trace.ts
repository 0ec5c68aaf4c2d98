/**
 * Hessian trace by Hutchinson's estimator (PyHessian, Yao, Gholami, Keutzer, Mahoney 2020; code
 * amirgholami/PyHessian `pyhessian/hessian.py` trace()): tr H ≈ mean_k z_kᵀHz_k over Rademacher z_k,
 * stopping once the running mean changes by less than `tolerance` relative (|m_k − m_{k−1}| /
 * (|m_{k−1}| + 1e-6), PyHessian's test) or after `samples` draws (PyHessian's maxIter = 100).
 * Differences from the code: Hz by central differences of gradients (hessian.ts hvp) on the unit
 * vector u = z/‖z‖, zᵀHz = n·uᵀHu, instead of double backprop.
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { Rng } from '../core/random.js';
import { everyOption } from './common.js';
import { mapDot as dot, mapSumOfSquares as sumOfSquares, paramValues, readScalar as read } from '../backends/tree.js';
import { CBRT_EPS, hvp } from './hessian.js';
import type { DiagnosticEntry } from './types.js';

const schema = z.strictObject({
  every: everyOption(500),
  samples: z.number().int().positive().default(100).describe('Most Rademacher draws (PyHessian maxIter = 100); each is one HVP: 2 forward + 2 backward passes.'),
  tolerance: z.number().min(0).default(1e-3).describe('Stop once the running mean moves by less than tolerance·(|previous| + 1e-6) (PyHessian tol = 1e-3; 0: always `samples`).'),
  eps: z.number().positive().optional().describe('Finite-difference step ε of the HVP along a unit vector; default cbrt(1.2e-7)·(1 + ‖θ‖) as the hessian diagnostic.'),
  seed: z.number().int().default(0).describe('Seed of the Rademacher vectors (Rng.derive(seed, "hessian-trace", step)).'),
});

export const hessianTrace: DiagnosticEntry<z.infer<typeof schema>> = {
  name: 'hessian-trace',
  summary: 'Hessian trace tr H by Hutchinson\'s estimator on finite-difference HVPs ("PyHessian: Neural Networks Through the Lens of the Hessian", Yao et al. 2020).',
  schema,
  info: {
    cost: '≤ samples HVPs (2 forward + 2 backward each)',
    paper: 'PyHessian: Neural Networks Through the Lens of the Hessian (Yao et al. 2020)',
    source: 'amirgholami/PyHessian pyhessian/hessian.py trace()',
  },
  create(o) {
    return {
      every: o.every,
      async run(ctx) {
        const rng = Rng.derive(o.seed, 'hessian-trace', ctx.step);
        let eps = o.eps;
        if (eps === undefined) {
          const sq = sumOfSquares(paramValues(ctx.params));
          eps = CBRT_EPS * (1 + Math.sqrt(await read(sq)));
          sq.dispose();
        }
        const n = ctx.params.reduce((s, p) => s + p.variable.size, 0);
        const scaleU = 1 / Math.sqrt(n);
        let sum = 0;
        let mean = 0;
        let k = 0;
        while (k < o.samples) {
          const u: tf.NamedTensorMap = {};
          for (const p of ctx.params) {
            const values = new Float32Array(p.variable.size);
            for (let i = 0; i < values.length; i++) values[i] = (rng.nextUint32() & 1) === 0 ? -scaleU : scaleU;
            u[p.name] = tf.tensor(values, p.variable.shape, 'float32');
          }
          const hu = hvp(ctx, u, eps);
          const q = dot(u, hu);
          const value = n * (await read(q));
          tf.dispose([q, ...Object.values(u), ...Object.values(hu)]);
          k++;
          sum += value;
          const previous = mean;
          mean = sum / k;
          if (o.tolerance > 0 && k > 1 && Math.abs(mean - previous) / (Math.abs(previous) + 1e-6) < o.tolerance) break;
        }
        return { hessian_trace: mean, hessian_trace_samples: k };
      },
    };
  },
};
