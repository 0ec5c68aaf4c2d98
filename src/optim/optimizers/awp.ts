/**
 * AWP, adversarial weight perturbation, weight-only on clean data (Wu et al., NeurIPS 2020),
 * official csdongxian/AWP `AT_AWP/utils_awp.py` and `train_cifar10.py`, with the clean batch in
 * place of the adversarial one:
 *   proxy ← w;  proxy ← proxy − lr_p·∇(−L)(proxy)           (proxy SGD, lr 0.01, one step: w + 0.01·g)
 *   Δ = proxy − w;  v_l = ‖w_l‖/(‖Δ_l‖ + 1e-20)·Δ_l         (per tensor, kernels of rank ≥ 2: "weight" in the name, ndim > 1)
 *   w ← w + γ·v;  g_p = ∇L(w + γv);  base step from w + γv with g_p;  w ← θ' − γ·v
 * The base steps AT the perturbed weights (its weight decay and momentum act there) and the
 * perturbation is subtracted afterwards, as upstream (`opt.step()` before `restore`). The proxy's
 * gradient is the step's first gradient g (same batch, training mode). BatchNorm statistics come from
 * the step's first pass (upstream: from the perturbed pass). `roles`/`names` choose the perturbed
 * tensors (default: kernels of rank ≥ 2, the official filter).
 */
import * as tf from '../../backends/tf.js';
import { z } from 'zod';
import { l2, zip } from '../../backends/tree.js';
import { globToRegExp } from '../../core/registry.js';
import { clipOption, defineWrapper } from '../entry.js';
import { wrapBase } from '../wrap-base.js';

export const awp = defineWrapper({
  name: 'awp',
  summary: 'Adversarial weight perturbation on clean data: one proxy ascent step, per-layer relative perturbation γ·‖w‖·Δ/‖Δ‖, base step there, restore (csdongxian/AWP)',
  schema: z.strictObject({
    gamma: z.number().min(0).default(0.01).describe('γ: size of the perturbation relative to each weight norm (--awp-gamma, default 0.01)'),
    proxy_lr: z.number().positive().default(0.01).describe('lr of the proxy SGD ascent step (official proxy_opt lr 0.01)'),
    roles: z.array(z.enum(['kernel', 'bias'])).default(['kernel']).describe('roles of the perturbed tensors (official: "weight" parameters)'),
    names: z.array(z.string()).default(['*']).describe('name globs of the perturbed tensors'),
    min_rank: z.number().int().min(0).default(2).describe('perturb only tensors of at least this rank (official: ndim > 1, so no BN scales)'),
    ...clipOption,
  }),
  gradEvals: 2,
  info: { source: 'csdongxian/AWP AT_AWP/utils_awp.py', paper: 'Wu et al. 2020, Adversarial Weight Perturbation Helps Robust Generalization' },
  create(o, base) {
    const globs = o.names.map(globToRegExp);
    return wrapBase('awp', base, {
      update(grads, w, ctx) {
        const v = zip(w, grads, (wi, gi, i) => {
          const p = ctx.params[i];
          if (!p || !o.roles.includes(p.role) || wi.rank < o.min_rank || !globs.some((re) => re.test(p.name))) return tf.zerosLike(wi);
          // torch SGD on −L: proxy = w − lr·(−g)
          const proxy = tf.sub(wi, tf.mul(tf.neg(gi), o.proxy_lr));
          const diff = tf.sub(proxy, wi);
          return tf.mul(tf.div(l2(wi), tf.add(l2(diff), 1e-20)), diff);
        });
        const gv = v.map((x) => tf.mul(x, o.gamma));
        const at = zip(w, gv, (wi, e) => tf.add(wi, e));
        return { grads: ctx.evaluate(at).grads, from: at, land: (theta) => zip(theta, gv, (t, e) => tf.sub(t, e)) };
      },
      hyperparams: () => ({ gamma: o.gamma }),
    });
  },
});
