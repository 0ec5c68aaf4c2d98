import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { Rng } from '../core/random.js';
import { everyOption } from './common.js';
import { mapDot as dot, mapScale as scale, mapSumOfSquares as sumOfSquares, paramValues, readScalar as read } from '../backends/tree.js';
import { byName, offsetBy } from './offset-by.js';
import type { DiagnosticContext, DiagnosticEntry } from './types.js';

const schema = z.strictObject({
  every: everyOption(500),
  iterations: z.number().int().positive().default(20).describe('Power-iteration steps (each costs 2 forward + 2 backward passes).'),
  eps: z
    .number()
    .positive()
    .optional()
    .describe('Finite-difference step ε for unit v; default cbrt(1.2e-7)·(1 + ‖θ‖) ≈ 4.9e-3·(1 + ‖θ‖), balancing truncation and float32 rounding.'),
  seed: z.number().int().default(0).describe('Seed of the random start vector (drawn per step from Rng.derive(seed, "hessian", step)).'),
});

/** cbrt of float32's unit roundoff scale used for central differences (references/losses.md §5). */
export const CBRT_EPS = Math.cbrt(1.2e-7);

export interface PowerIterationOptions {
  readonly iterations: number;
  /** Finite-difference step; undefined: CBRT_EPS·(1 + ‖θ‖). */
  readonly eps: number | undefined;
  /** Stop once |λ_t − λ_{t−1}| ≤ tolerance·|λ_t| (0: run every iteration). */
  readonly tolerance: number;
  /** Draws the random start vector. */
  readonly seed: Rng;
}

/**
 * λ = vᵀHv by power iteration on finite-difference HVPs of `ctx`'s loss from a random unit start,
 * shared by `hessian` and `edge-of-stability`; also the iterations run and the ε used.
 */
export async function powerIteration(ctx: DiagnosticContext, o: PowerIterationOptions): Promise<{ lambda: number; iterations: number; eps: number }> {
  let eps = o.eps;
  if (eps === undefined) {
    const sq = sumOfSquares(paramValues(ctx.params));
    eps = CBRT_EPS * (1 + Math.sqrt(await read(sq)));
    sq.dispose();
  }
  const start: tf.NamedTensorMap = {};
  for (const p of ctx.params) start[p.name] = tf.tensor(o.seed.fillNormal(new Float32Array(p.variable.size)), p.variable.shape, 'float32');
  let v = normalize(start, await norm(start));
  tf.dispose(start);
  let lambda = 0;
  let it = 0;
  try {
    while (it < o.iterations) {
      const hv = hvp(ctx, v, eps);
      it++;
      const rq = dot(v, hv);
      const previous = lambda;
      lambda = await read(rq);
      rq.dispose();
      const hvNorm = await norm(hv);
      if (!(hvNorm > 0) || !Number.isFinite(hvNorm)) {
        tf.dispose(hv);
        break;
      }
      const next = normalize(hv, hvNorm);
      tf.dispose(hv);
      tf.dispose(v);
      v = next;
      if (o.tolerance > 0 && it > 1 && Math.abs(lambda - previous) <= o.tolerance * Math.abs(lambda)) break;
    }
  } finally {
    tf.dispose(v);
  }
  return { lambda, iterations: it, eps };
}

/**
 * Top Hessian eigenvalue by power iteration on finite-difference Hessian-vector products
 * Hv ≈ (∇L(θ + εv) − ∇L(θ − εv))/(2ε) with ‖v‖ = 1 (no second-order autodiff), λ = vᵀHv after the
 * last step. Power iteration converges to the eigenvalue of largest |λ|, so a negative value means
 * the most negative curvature dominates. Reports hessian_max_eig and hessian_eps.
 */
export const hessian: DiagnosticEntry<z.infer<typeof schema>> = {
  name: 'hessian',
  summary: 'Top Hessian eigenvalue λ_max by power iteration on finite-difference HVPs ("Gradient Norm Aware Minimization Seeks First-Order Flatness and Improves Generalization").',
  schema,
  info: { cost: '2·iterations forward + backward passes', paper: 'Gradient Norm Aware Minimization Seeks First-Order Flatness and Improves Generalization (Zhang et al. CVPR 2023)' },
  create(o) {
    return {
      every: o.every,
      async run(ctx) {
        const { lambda, eps } = await powerIteration(ctx, { iterations: o.iterations, eps: o.eps, tolerance: 0, seed: Rng.derive(o.seed, 'hessian', ctx.step) });
        return { hessian_max_eig: lambda, hessian_eps: eps };
      },
    };
  },
};

/** H·v by central differences at the parameters' current values; `ctx` needs only params and evaluate (an optimizer's update context has both: Sophia). */
export function hvp(ctx: Pick<DiagnosticContext, 'params' | 'evaluate'>, v: tf.NamedTensorMap, eps: number): tf.NamedTensorMap {
  const plus = tf.tidy(() => offsetBy(ctx.params, scale(v, eps)));
  const minus = tf.tidy(() => offsetBy(ctx.params, scale(v, -eps)));
  const a = ctx.evaluate(plus);
  const b = ctx.evaluate(minus);
  tf.dispose([...plus, ...minus, a.loss, b.loss]);
  const ga = byName(ctx.params, a.grads);
  const gb = byName(ctx.params, b.grads);
  const out = tf.tidy(() => {
    const r: tf.NamedTensorMap = {};
    for (const k of Object.keys(v)) r[k] = tf.div(tf.sub(ga[k]!, gb[k]!), 2 * eps);
    return r;
  });
  tf.dispose(a.grads);
  tf.dispose(b.grads);
  return out;
}

export async function norm(map: tf.NamedTensorMap): Promise<number> {
  const s = sumOfSquares(map);
  const value = Math.sqrt(await read(s));
  s.dispose();
  return value;
}

export function normalize(map: tf.NamedTensorMap, n: number): tf.NamedTensorMap {
  return tf.tidy(() => scale(map, 1 / n));
}
