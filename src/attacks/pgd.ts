/**
 * PGD (Madry et al. 2018): `steps` projected signed-gradient (ℓ∞) or normalised-gradient (ℓ2)
 * ascent steps from a random start. The defaults are the MadryLab mnist_challenge `config.json`
 * attack (ε 0.3, k 40, a 0.01, random_start, pixels in [0, 1]): the documented MNIST preset.
 */
import { z } from 'zod';
import { ascend } from './projected-gradient.js';
import type { AttackEntry } from './types.js';

const positiveInt = z.int().min(1);

export const rangeOption = z
  .tuple([z.number(), z.number()])
  .nullable()
  .default([0, 1])
  .refine((r) => r === null || r[0] < r[1], 'range [lo, hi]: lo must be below hi')
  .describe('Valid input range [lo, hi] every iterate is clipped to (pixels: [0, 1]); null = unbounded (synthetic features).');

const schema = z.strictObject({
  norm: z.enum(['linf', 'l2']).default('linf').describe('The threat model: linf (‖δ‖∞ ≤ ε, signed steps) or l2 (‖δ‖₂ ≤ ε per example, normalised-gradient steps).'),
  eps: z.number().min(0).default(0.3).describe('ε: radius of the ball (mnist_challenge epsilon 0.3).'),
  steps: positiveInt.default(40).describe('k: ascent steps (mnist_challenge k 40).'),
  step_size: z.number().positive().default(0.01).describe('a: step length, x ← x + a·sign(∇ₓ) (ℓ∞) or x + a·∇ₓ/‖∇ₓ‖ (ℓ2) (mnist_challenge a 0.01).'),
  random_start: z.boolean().default(true).describe('Start from a random point of the ball (ℓ∞: x + U(−ε, ε); ℓ2: a uniform radius in a random direction), drawn from the seed.'),
  range: rangeOption,
});

export const pgd: AttackEntry<z.infer<typeof schema>> = {
  name: 'pgd',
  summary: 'Projected gradient descent on the inputs, ℓ∞ or ℓ2, random start; defaults are the MadryLab mnist_challenge attack (ε 0.3, 40 steps of 0.01).',
  schema,
  info: { paper: 'Towards Deep Learning Models Resistant to Adversarial Attacks (Madry et al. ICLR 2018)', source: 'MadryLab/mnist_challenge pgd_attack.py, config.json (ℓ∞); csdongxian/AWP train_cifar10.py attack_pgd (ℓ2)', docs: 'docs/adversarial.md' },
  create: (o) => ({ name: 'pgd', norm: o.norm, eps: o.eps, range: o.range, perturb: (lossOf, x0, seed, options) => ascend(lossOf, x0, o, seed, options) }),
};
