/**
 * ASAM, official SamsungLabs/ASAM `asam.py` (f156a68):
 *   T = |w| + eta for "weight" tensors (role 'kernel': torch's name test, which also matches BN scale
 *   and embeddings), T = 1 otherwise (biases);  h = T ⊙ g;  n = ‖h‖ + 1e-16 (global)
 *   e = T ⊙ h · rho/n;  g' = ∇L(w + e);  w = (w + e) − e (subtraction, as the official code);  base step with g'.
 */
import * as tf from '../../backends/tf.js';
import { z } from 'zod';
import { add, normOfNorms, sub } from '../../backends/tree.js';
import { clipOption, defineWrapper } from '../entry.js';
import { fusedAsam } from '../fused/sam-family.js';
import { wrapBase } from '../wrap-base.js';

export const asam = defineWrapper({
  name: 'asam',
  summary: 'Adaptive SAM, official SamsungLabs form: T = |w| + η on kernels only',
  schema: z.strictObject({
    rho: z.number().min(0).default(0.5).describe('radius of the (normalised) ascent step'),
    eta: z.number().min(0).default(0.01).describe('η in T = |w| + η for kernel tensors'),
    ...clipOption,
  }),
  gradEvals: 2,
  info: { source: 'SamsungLabs/ASAM asam.py' },
  schedulable: ['rho'],
  create: (o, base, hy) => wrapBase('asam', base, {
    update(grads, w, ctx) {
      const isWeight = (i: number): boolean => ctx.params[i]?.role === 'kernel';
      const T = w.map((wi, i) => (isWeight(i) ? tf.add(tf.abs(wi), o.eta) : null));
      const h = grads.map((g, i) => (T[i] ? tf.mul(g, T[i]!) : g));
      const n = tf.add(normOfNorms(h), 1e-16);
      ctx.report('grad_norm', n as tf.Scalar);
      const scale = tf.div(hy.rho!.value, n);
      const e = h.map((hi, i) => tf.mul(T[i] ? tf.mul(hi, T[i]!) : hi, scale));
      const at = add(w, e);
      const second = ctx.evaluate(at);
      return { grads: second.grads, from: sub(at, e) };
    },
    hyperparams: () => ({ rho: hy.rho!.value }),
  }),
  fused: (o, base, h) => fusedAsam({ rho: h.rho!, eta: o.eta }, base),
});
