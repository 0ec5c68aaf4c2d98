/**
 * FGSM (Goodfellow et al. 2015): one signed-gradient step x + ε·sign(∇ₓ loss), clipped to the
 * range. `random_start` with `step_size` gives the "fast is better than free" variant (Wong et al.
 * 2020: x + U(−ε, ε), one step of α = 1.25ε, projected back onto the ε-box).
 */
import { z } from 'zod';
import { rangeOption } from './pgd.js';
import { ascend } from './projected-gradient.js';
import type { AttackEntry } from './types.js';

const schema = z.strictObject({
  eps: z.number().min(0).default(0.3).describe('ε: the ℓ∞ radius.'),
  step_size: z.number().positive().nullable().default(null).describe('Length of the one signed step; null = ε (plain FGSM). Fast-AT uses 1.25ε with random_start.'),
  random_start: z.boolean().default(false).describe('Step from x + U(−ε, ε) instead of x (Wong et al. 2020).'),
  range: rangeOption,
});

export const fgsm: AttackEntry<z.infer<typeof schema>> = {
  name: 'fgsm',
  summary: 'Fast gradient sign method: one ℓ∞ step x + ε·sign(∇ₓ loss), clipped to the range (optional random start: fast AT).',
  schema,
  info: { paper: 'Explaining and Harnessing Adversarial Examples (Goodfellow, Shlens, Szegedy ICLR 2015)', source: 'locuslab/fast_adversarial mnist/train_mnist.py (fgsm with random init)', docs: 'docs/adversarial.md' },
  create(o) {
    const ascent = { norm: 'linf' as const, eps: o.eps, steps: 1, step_size: o.step_size ?? o.eps, random_start: o.random_start, range: o.range };
    return { name: 'fgsm', norm: 'linf', eps: o.eps, range: o.range, perturb: (lossOf, x0, seed, options) => ascend(lossOf, x0, ascent, seed, options) };
  },
};
