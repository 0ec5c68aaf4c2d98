/**
 * Smooth adversarial comp-sum loss (Mao, Mohri, Zhong 2023, "Cross-Entropy Loss Functions", §6):
 *   ℓ_i = Φ^τ(h(x_i), y_i) + γ·sup_{‖x′ − x_i‖ ≤ ε} ‖h(x′) − h(x_i)‖₂
 * with Φ^τ the comp-sum loss (comp-sum.ts) and the supremum approximated by PGD on the smoothness
 * term from x + 0.001·N(0, 1), as TRADES approximates its KL term (the paper's experiments follow
 * the TRADES setup). There is no official code: the norm is ℓ2 on the logits, computed as
 * sqrt(Σ d² + 1e-12) so that its gradient is finite where h(x′) = h(x); the clean logits are
 * differentiated in the training term, as in TRADES.
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { attackSpecSchema } from '../attacks/index.js';
import { adversarialPass, attackOn, requireFloatInputs, attackSchedule, epsWarmupOption, stepCache, tradesStart } from './adversarial-inputs.js';
import { extraSlot, lossSchema, numClassesOf, oneHot, statelessObjective, stopGradient, type LossEntry } from './common.js';
import { compSumTerm } from './comp-sum.js';

const schema = lossSchema({
  tau: z.number().min(0).default(1).describe('τ of the comp-sum term Φ^τ: 0 sum-exponential, 1 CE (default), 1 < τ < 2 GCE, 2 MAE.'),
  gamma: z.number().min(0).default(1).describe('γ: weight of the smoothness term sup ‖h(x′) − h(x)‖₂ (the paper\'s ν; its experiments search it, like TRADES\' β).'),
  attack: attackSpecSchema.prefault({ name: 'pgd' }).describe('PGD for the supremum (default ε 0.3, 40 steps of 0.01); its random_start is replaced by the 0.001·N(0, 1) start.'),
  eps_warmup: epsWarmupOption,
});

/** ‖a − b‖₂ per row, with 1e-12 under the root (finite gradient at a = b). */
export function logitDistance(a: tf.Tensor, b: tf.Tensor): tf.Tensor1D {
  return tf.sqrt(tf.add(tf.sum(tf.square(tf.sub(a, b)), -1), 1e-12)) as tf.Tensor1D;
}

export const smoothAdvCompSum: LossEntry<z.infer<typeof schema>> = {
  name: 'smooth-adv-comp-sum',
  summary: 'Smooth adversarial comp-sum: Φ^τ(h(x), y) + γ·sup_{‖x′−x‖≤ε} ‖h(x′) − h(x)‖₂, the sup by PGD (Mao, Mohri, Zhong 2023).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits', inputs: true },
  info: {
    paper: 'Cross-Entropy Loss Functions: Theoretical Analysis and Applications (Mao, Mohri, Zhong ICML 2023), smooth adversarial comp-sum losses',
    source: 'no official code; the PGD approximation follows yaodongyu/TRADES trades.py',
    differences: 'ℓ2 norm of the logit difference with 1e-12 under the root; attack start and steps as TRADES',
    evaluation: 'Φ^τ on clean inputs',
    group: 'adversarial training (inputs perturbed by an attack)', docs: 'docs/adversarial.md',
  },
  create(o, deps) {
    const k = numClassesOf(deps, 'smooth-adv-comp-sum');
    requireFloatInputs('smooth-adv-comp-sum', deps);
    const attackAt = attackSchedule(o.attack, o.eps_warmup);
    const cached = stepCache();
    return statelessObjective({ task: 'classification', input: 'logits', reduction: 'per-example', inputs: true }, (input, ctx) => {
      const phi = compSumTerm(input.output, oneHot(input.y, k), o.tau);
      if (!ctx.training || !input.x || !ctx.apply || o.gamma === 0) return phi;
      const { x, apply } = adversarialPass('smooth-adv-comp-sum', input, ctx);
      const clean = stopGradient(input.output);
      const smooth = (v: tf.Tensor) => tf.sum(logitDistance(apply(v).output, clean)) as tf.Scalar;
      const xAdv = cached(input, ctx, (seed) => tf.tidy(() => attackOn(attackAt(ctx.step), smooth, x, seed, tradesStart(x, seed))));
      return tf.add(phi, tf.mul(logitDistance(apply(xAdv).output, input.output), o.gamma));
    });
  },
};
