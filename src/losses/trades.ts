/**
 * TRADES (Zhang et al. 2019), yaodongyu/TRADES trades.py `trades_loss` (ℓ∞ branch):
 *   x_adv: from x + 0.001·N(0, 1), `steps` × [x ← clip(x + a·sign ∇ₓ KL(p(x) ‖ p(x')), x ± ε), clip [0, 1]]
 *   ℓ_i = CE(h(x_i), y_i) + β·KL(p(x_i) ‖ p(x_adv,i))      (KL summed over classes; batch mean = upstream's 1/B·sum)
 * The clean distribution p(x) is differentiated in the training term, as upstream (not detached).
 * Defaults are train_trades_mnist.py's: ε 0.3, 40 steps of 0.01, β 1 (CIFAR-10 uses β 6).
 * Upstream runs the attack in model.eval(); here the attack uses the step's mode (the same
 * dropout masks), which is the same model for networks without dropout or BatchNorm.
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { attackSpecSchema } from '../attacks/index.js';
import { adversarialPass, attackOn, requireFloatInputs, attackSchedule, epsWarmupOption, stepCache, tradesStart } from './adversarial-inputs.js';
import { extraSlot, logProbTarget, lossSchema, numClassesOf, oneHot, statelessObjective, stopGradient, type LossEntry } from './common.js';
import { klWithLogits } from './vat.js';

const schema = lossSchema({
  beta: z.number().min(0).default(1).describe('β: weight of the robust KL term (train_trades_mnist.py --beta 1.0; CIFAR-10 6.0). Larger β trades clean for robust accuracy.'),
  attack: attackSpecSchema.prefault({ name: 'pgd' }).describe('The inner maximisation of the KL term (default pgd: ε 0.3, 40 steps of 0.01, as train_trades_mnist.py); its random_start is replaced by TRADES\' 0.001·N(0, 1) start.'),
  eps_warmup: epsWarmupOption,
});

export const trades: LossEntry<z.infer<typeof schema>> = {
  name: 'trades',
  summary: 'TRADES: CE(h(x), y) + β·KL(p(x) ‖ p(x_adv)), x_adv by PGD on the KL from x + 0.001·N(0, 1) (Zhang et al. 2019).',
  schema,
  nested: extraSlot,
  needs: { task: 'classification', input: 'logits', inputs: true },
  info: {
    paper: 'Theoretically Principled Trade-off between Robustness and Accuracy (Zhang, Yu, Jiao, Xing, El Ghaoui, Jordan ICML 2019)',
    source: 'yaodongyu/TRADES trades.py (trades_loss), train_trades_mnist.py (defaults)',
    differences: 'the attack runs in the step\'s training mode (upstream: model.eval()); the ℓ2 branch uses minima\'s ℓ2 PGD instead of upstream\'s SGD on δ',
    evaluation: 'CE on clean inputs',
    group: 'adversarial training (inputs perturbed by an attack)', docs: 'docs/adversarial.md',
  },
  create(o, deps) {
    const k = numClassesOf(deps, 'trades');
    requireFloatInputs('trades', deps);
    const attackAt = attackSchedule(o.attack, o.eps_warmup);
    const cached = stepCache();
    return statelessObjective({ task: 'classification', input: 'logits', reduction: 'per-example', inputs: true }, (input, ctx) => {
      const ce = tf.neg(logProbTarget(input.output, oneHot(input.y, k)));
      if (!ctx.training || !input.x || !ctx.apply || o.beta === 0) return ce;
      const { x, apply } = adversarialPass('trades', input, ctx);
      const clean = stopGradient(input.output);
      const kl = (v: tf.Tensor) => tf.sum(klWithLogits(clean, apply(v).output)) as tf.Scalar;
      const xAdv = cached(input, ctx, (seed) => tf.tidy(() => attackOn(attackAt(ctx.step), kl, x, seed, tradesStart(x, seed))));
      return tf.add(ce, tf.mul(klWithLogits(input.output, apply(xAdv).output), o.beta));
    });
  },
};
