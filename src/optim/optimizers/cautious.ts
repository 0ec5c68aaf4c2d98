/**
 * The cautious mask (Liang et al. 2024, "Cautious Optimizers"), official kyleliang919/C-Optim
 * (`c_lion.py`, `c_adamw.py`, 2c0517c) as a wrapper for any base optimizer (C-AdamW, C-Lion, …):
 * per tensor, keep the base's update only where it agrees in sign with the gradient,
 *   φ = 1[u·g > 0] (u the descent direction);  u ← u·φ/max(mean φ, 1e-3)     (`normalize: mean`)
 *                                                u ← u·φ·numel/(Σφ + 1)       (`normalize: count`)
 * `mean` is C-AdamW's current form (from timm's caution; the file keeps `count`, the original, as a
 * comment), `count` is C-Lion's. The base's DECOUPLED weight decay is not masked in the official
 * code (`p.mul_(1 − lr·wd)` / `p.add_(p, −lr·wd)` outside the mask): for bases whose decoupled decay
 * is one option (DECOUPLED below), the base is built without it and the wrapper applies
 * p·(1 − lr·wd) (or p·(1 − wd) for sgdw without decay_scaled_by_lr, p·(1 − η_t·wd) for adamw without it)
 * unmasked; any other decay is
 * part of the base's update and is masked with it (coupled L2 enters the gradient anyway).
 * Paper vs code: the paper's Algorithm 1 scales by d/(‖φ‖₀ + 1) (the `count` form).
 */
import * as tf from '../../backends/tf.js';
import { z } from 'zod';
import type { Spec } from '../../core/registry.js';
import { baseSlot, buildBase, clipOption, type OptimizerEntry } from '../entry.js';
import type { GradientTransformation, StateTree } from '../transform.js';

/** How a base's decoupled decay is scaled: by lr (torch), by the schedule multiplier lr_t/lr₀ (adamw's paper form), or not at all. */
type DecayScale = 'lr' | 'schedule' | 'none';

/** The option holding a base's decoupled decay and how it is scaled; undefined when it has none. */
function decoupledDecay(spec: Spec): { key: string; scaled: DecayScale } | undefined {
  const s = spec as Record<string, unknown>;
  const torch = s['decay_scaled_by_lr'] !== false;
  switch (s['name']) {
    case 'lion': case 'grams':
      return { key: 'weight_decay', scaled: 'lr' };
    case 'adamw':
      return { key: 'weight_decay', scaled: torch ? 'lr' : 'schedule' };
    case 'sgdw':
      return { key: 'weight_decay', scaled: torch ? 'lr' : 'none' };
    case 'nadam': case 'radam':
      return s['decoupled_weight_decay'] === true ? { key: 'weight_decay', scaled: 'lr' } : undefined;
    case 'sign-sgd': case 'signum':
      return { key: 'wd_lh', scaled: 'lr' };
    default:
      return undefined;
  }
}

const schema = z.strictObject({
  normalize: z.enum(['mean', 'count']).default('mean').describe("rescaling of the kept entries: 'mean' φ/max(mean φ, 1e-3) (C-AdamW, timm) or 'count' φ·n/(Σφ + 1) (C-Lion, paper)"),
  ...clipOption,
});

export const cautious: OptimizerEntry = {
  name: 'cautious',
  summary: 'Cautious mask: the base update only where it agrees in sign with the gradient, rescaled (kyleliang919/C-Optim)',
  schema,
  nested: baseSlot,
  gradEvals: 1,
  info: { gradEvals: 1, source: 'kyleliang919/C-Optim c_adamw.py, c_lion.py', paper: 'Liang et al. 2024, Cautious Optimizers' },
  create(options: z.output<typeof schema> & { readonly base: Spec }, deps): GradientTransformation<{ readonly base: StateTree }> {
    const decay = decoupledDecay(options.base);
    const wd = decay ? Number((options.base as Record<string, unknown>)[decay.key] ?? 0) : 0;
    const baseSpec = decay && wd > 0 ? { ...options.base, [decay.key]: 0 } : options.base;
    const base = buildBase({ base: baseSpec as Spec, clip_grad_norm: options.clip_grad_norm }, deps);
    // the configured lr, read before any schedule moves it: η_t = lr_t/baseLr for adamw's paper-form decay
    const baseLr = base.learningRate?.value ?? 0;
    return {
      name: 'cautious',
      init: (params) => ({ base: base.init(params) }),
      update(grads, state, w, ctx) {
        const [u, next] = base.update(grads, state.base, w, ctx);
        const lr = base.learningRate?.value ?? 0;
        const factor = decay?.scaled === 'lr' ? lr * wd : decay?.scaled === 'schedule' ? (baseLr > 0 ? (lr * wd) / baseLr : 0) : wd;
        const out = u.map((ui, i) => {
          // u is the step added to p (descent ⇒ −direction): agreement with g means u·g < 0
          const mask = tf.cast(tf.less(tf.mul(ui, grads[i]!), 0), 'float32');
          const scale = options.normalize === 'mean'
            ? tf.div(mask, tf.maximum(tf.mean(mask), 1e-3))
            : tf.div(tf.mul(mask, mask.size), tf.add(tf.sum(mask), 1));
          const masked = tf.mul(ui, scale);
          return wd > 0 ? tf.sub(masked, tf.mul(w[i]!, factor)) : masked;
        });
        return [out, { base: next }];
      },
      ...(base.learningRate ? { learningRate: base.learningRate } : {}),
      hyperparams: () => ({ ...base.hyperparams?.() }),
    };
  },
};
