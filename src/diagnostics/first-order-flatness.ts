/**
 * First-order flatness (Zhang, Xu, Yu, Zou, Cui, "Gradient Norm Aware Minimization Seeks First-Order
 * Flatness and Improves Generalization", CVPR 2023; code xxgege/GAM `gam/gam.py`):
 * R⁽¹⁾_ρ(θ) = ρ·max_{θ′ ∈ B(θ, ρ)} ‖∇L(θ′)‖. The maximiser is estimated as GAM's own update does:
 *   e0 = ρ′·g0/(‖g0‖ + ξ), g1 = ∇L(θ + e0), h = g1 − g0 (≈ ρ′·H·g0/‖g0‖, the ascent direction of ‖∇L‖),
 *   e1 = ρ·h/(‖h‖ + ξ), g2 = ∇L(θ + e1), R⁽¹⁾ ≈ ρ·‖g2‖.
 * Differences from the code: GAM's `adaptive` (|w|-scaled) norms are not offered; the estimate is the
 * plain-ball one of the paper's Definition 3.1.
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { everyOption } from './common.js';
import { mapSumOfSquares as sumOfSquares, mapScale as scale, readScalar as read } from '../backends/tree.js';
import { byName, offsetBy } from './offset-by.js';
import type { DiagnosticContext, DiagnosticEntry } from './types.js';

const schema = z.strictObject({
  every: everyOption(500),
  grad_rho: z.number().positive().default(0.03).describe('ρ′: radius of the SAM-like probe step that finds the gradient-norm ascent direction (GAM\'s grad_rho, CIFAR-10 value).'),
  grad_norm_rho: z.number().positive().default(0.2).describe('ρ: radius of the ball the gradient norm is maximised over, and the factor of R⁽¹⁾_ρ (GAM\'s grad_norm_rho).'),
  perturb_eps: z.number().min(0).default(1e-12).describe('ξ added to the norms (GAM\'s perturb_eps).'),
});

/** ∇L at θ + offset (θ when offset is undefined): the gradients by name and ‖g‖; the caller disposes the map. */
function gradAt(ctx: DiagnosticContext, offset?: tf.NamedTensorMap): { grads: tf.NamedTensorMap; loss: tf.Scalar } {
  const at = offset ? tf.tidy(() => offsetBy(ctx.params, offset)) : undefined;
  try {
    const { loss, grads } = ctx.evaluate(at);
    return { loss, grads: byName(ctx.params, grads) };
  } finally {
    if (at) tf.dispose(at);
  }
}

async function norm(map: tf.NamedTensorMap): Promise<number> {
  const s = sumOfSquares(map);
  const v = Math.sqrt(await read(s));
  s.dispose();
  return v;
}

export const firstOrderFlatness: DiagnosticEntry<z.infer<typeof schema>> = {
  name: 'first-order-flatness',
  summary: 'First-order flatness ρ·max_{‖δ‖≤ρ}‖∇L(θ+δ)‖, estimated as GAM does ("Gradient Norm Aware Minimization Seeks First-Order Flatness and Improves Generalization", Zhang et al. 2023).',
  schema,
  info: {
    cost: '3 forward + 3 backward',
    paper: 'Gradient Norm Aware Minimization Seeks First-Order Flatness and Improves Generalization (Zhang et al. CVPR 2023)',
    source: 'xxgege/GAM gam/gam.py (the e0, h0, e1 steps of GAM.step)',
  },
  create(o) {
    return {
      every: o.every,
      async run(ctx) {
        const g0 = gradAt(ctx);
        const baseLoss = await read(g0.loss);
        g0.loss.dispose();
        const n0 = await norm(g0.grads);
        const e0 = tf.tidy(() => scale(g0.grads, o.grad_rho / (n0 + o.perturb_eps)));
        const g1 = gradAt(ctx, e0);
        g1.loss.dispose();
        tf.dispose(Object.values(e0));
        const h = tf.tidy(() => {
          const r: tf.NamedTensorMap = {};
          for (const k of Object.keys(g0.grads)) r[k] = tf.sub(g1.grads[k]!, g0.grads[k]!);
          return r;
        });
        tf.dispose([...Object.values(g1.grads), ...Object.values(g0.grads)]);
        const nh = await norm(h);
        const e1 = tf.tidy(() => scale(h, o.grad_norm_rho / (nh + o.perturb_eps)));
        tf.dispose(Object.values(h));
        const g2 = gradAt(ctx, e1);
        tf.dispose(Object.values(e1));
        g2.loss.dispose();
        const n2 = await norm(g2.grads);
        tf.dispose(Object.values(g2.grads));
        return {
          first_order_flatness: o.grad_norm_rho * n2,
          first_order_max_grad_norm: n2,
          first_order_grad_norm: n0,
          first_order_base_loss: baseLoss,
        };
      },
    };
  },
};
