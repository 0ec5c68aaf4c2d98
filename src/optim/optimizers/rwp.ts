/**
 * RWP, robust weight perturbation (Yu et al., IJCAI 2022), official
 * ChaojianYu/Robust-Weight-Perturbation `AT_AWP_RWP/utils_rwp.py` (RobustWeightPerturb.calc_awp) and
 * `train_cifar10.py` (γ = --awp-gamma 0.01, LSC_loss 1.7, proxy SGD lr 0.01):
 *   d = 0;  v = 0
 *   10 times:  p = w + γ·v;  g = ∇ mean_i(ℓ_i(p)·1[ℓ_i(p) < c_min]);  Δ = (p + lr_p·g) − p
 *              d ← d + Δ;  v = ‖w‖/(‖d‖ + 1e-20)·d     (ONE norm over all perturbed tensors together)
 *   base step from w + γ·v with ∇L(w + γ·v);  w ← θ' − γ·v
 * Unlike AWP (awp.ts) only the examples whose loss is already below c_min are pushed up, the proxy
 * steps accumulate, and the norm is model-wide. ℓ_i are the configured loss's per-example values
 * (with `pgd-at`: CE at the step's x_adv, generated once at w as upstream). The step's first
 * evaluation (the logged loss, BatchNorm statistics, the x_adv) is not one of the proxy steps, so a
 * step costs 1 + steps + 1 evaluations (upstream: steps + 1).
 */
import * as tf from '../../backends/tf.js';
import { z } from 'zod';
import { sumSquaresNorm, zip } from '../../backends/tree.js';
import { globToRegExp } from '../../core/registry.js';
import { RunnerError } from '../../core/errors.js';
import { clipOption, defineWrapper } from '../entry.js';
import type { Reduce } from '../types.js';
import { wrapBase } from '../wrap-base.js';

const STEPS = 10;

/**
 * mean_i(ℓ_i·1[ℓ_i < c]): the batch mean, the rows at or above c contributing 0 (upstream
 * `loss.mul(Indicator).mean()`); the indicator is a constant for the gradient, as upstream's is.
 */
export function meanBelow(c: number): Reduce {
  const indicator = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: tf.cast(tf.less(args[0] as tf.Tensor, c), 'float32'),
    gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
  }));
  return (values) => {
    if (values.rank === 0) throw new RunnerError('CONFIG_INVALID', 'rwp masks per-example losses, but the loss returns one value for the whole batch (needs.reduction "batch"); use a per-example loss');
    return tf.mean(tf.mul(values, indicator(values))) as tf.Scalar;
  };
}

export const rwp = defineWrapper({
  name: 'rwp',
  summary: 'Robust weight perturbation: AWP whose proxy ascends only the examples with loss below c_min, 10 accumulated proxy steps, one model-wide relative norm (ChaojianYu/Robust-Weight-Perturbation)',
  schema: z.strictObject({
    gamma: z.number().min(0).default(0.01).describe('γ: size of the perturbation relative to the norm of the perturbed weights (--awp-gamma, default 0.01 in AT_AWP_RWP; TRADES-RWP 0.005)'),
    c_min: z.number().default(1.7).describe('only examples with loss below c_min join the proxy ascent (upstream LSC_loss 1.7)'),
    steps: z.number().int().min(1).default(STEPS).describe('proxy ascent steps, accumulated (upstream: 10)'),
    proxy_lr: z.number().positive().default(0.01).describe('lr of the proxy SGD ascent steps (official proxy_opt lr 0.01)'),
    roles: z.array(z.enum(['kernel', 'bias'])).default(['kernel']).describe('roles of the perturbed tensors (official: "weight" parameters)'),
    names: z.array(z.string()).default(['*']).describe('name globs of the perturbed tensors'),
    min_rank: z.number().int().min(0).default(2).describe('perturb only tensors of at least this rank (official: ndim > 1, so no BN scales)'),
    ...clipOption,
  }),
  gradEvals: STEPS + 2,
  info: { source: 'ChaojianYu/Robust-Weight-Perturbation AT_AWP_RWP/utils_rwp.py', paper: 'Yu et al. 2022, Robust Weight Perturbation for Adversarial Training' },
  create(o, base) {
    const globs = o.names.map(globToRegExp);
    const reduce = meanBelow(o.c_min);
    return wrapBase('rwp', base, {
      update(_grads, w, ctx) {
        const chosen = w.map((wi, i) => {
          const p = ctx.params[i];
          return p !== undefined && o.roles.includes(p.role) && wi.rank >= o.min_rank && globs.some((re) => re.test(p.name));
        });
        const picked = (t: readonly tf.Tensor[]) => t.filter((_, i) => chosen[i]);
        const wNorm = sumSquaresNorm(picked(w));
        let d: tf.Tensor[] | undefined;
        let gv: tf.Tensor[] = w.map((wi) => tf.zerosLike(wi));
        for (let s = 0; s < o.steps; s++) {
          const at = s === 0 ? w : zip(w, gv, (wi, e, i) => (chosen[i] ? tf.add(wi, e) : wi));
          const g = ctx.evaluate(at, reduce).grads;
          // torch SGD on −loss: proxy = p − lr·(−g); the step is proxy − p
          const step = zip(at, g, (p, gi, i) => (chosen[i] ? tf.sub(tf.sub(p, tf.mul(tf.neg(gi), o.proxy_lr)), p) : tf.zerosLike(p)));
          d = d === undefined ? step : zip(d, step, (a, b) => tf.add(a, b));
          const scale = tf.div(wNorm, tf.add(sumSquaresNorm(picked(d)), 1e-20));
          gv = d.map((di) => tf.mul(tf.mul(di, scale), o.gamma));
        }
        const at = zip(w, gv, (wi, e, i) => (chosen[i] ? tf.add(wi, e) : wi));
        return { grads: ctx.evaluate(at).grads, from: at, land: (theta) => zip(theta, gv, (t, e, i) => (chosen[i] ? tf.sub(t, e) : t)) };
      },
      hyperparams: () => ({ gamma: o.gamma }),
    });
  },
});
