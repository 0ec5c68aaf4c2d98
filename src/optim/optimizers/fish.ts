/**
 * Fish (Shi, Seely, Torr, Siddharth, Hannun, Usunier & Synnaeve, "Gradient Matching for Domain
 * Generalization", ICLR 2022), as YugeTen/fish src/main.py `train_fish` and src/utils.py `fish_step`
 * compute one meta step:
 *
 *   model_inner ← copy of the model; opt_inner ← a new base optimizer on it, its state reloaded from
 *                 the previous meta step (`reload_inner_optim`, True for every dataset but cdsprites)
 *   for each of `meta_steps` domains, in random order: one minibatch of that domain, one opt_inner
 *                 step on model_inner (θ̃ ← θ̃ + base update of ∇L_d(θ̃))
 *   θ ← θ + (meta_lr / meta_steps)·(θ̃ − θ)        (fish_step(meta_lr = args.meta_lr / args.meta_steps))
 *
 * The base optimizer is the inner one (the official opt_inner is the dataset's SGD or Adam, the same
 * class and arguments as the outer `optimiserC`), so the base's learning rate is α and a schedule
 * drives it; the meta step is the plain interpolation above. The domain batches are the step's
 * extra batches (ctx.evaluateBatch(k, θ̃), k = 0 … meta_steps−1): under the `domains` sampler extra
 * batch k is the step's slice of the k-th domain of a random per-step order (the official
 * `sample_domains`), so every inner step sees one domain. A base that evaluates again (SAM) does so
 * on the same domain batch. The step's first evaluation (the whole batch at θ) gives the reported
 * loss only: a step costs 1 + meta_steps evaluations (a base's own extra evaluations on top).
 *
 * Not implemented: the official ERM pre-training phase (`pretrain_iters`, 0 for poverty and
 * cdsprites) before the Fish epochs; the per-epoch stopping rule (while enough domains have batches
 * left) is minima's fixed epoch length of ceil(N / batch_size) steps.
 */
import * as tf from '../../backends/tf.js';
import { z } from 'zod';
import { applyUpdates } from '../apply.js';
import { clipOption, defineWrapper } from '../entry.js';
import type { GradientTransformation, StateTree, UpdateContext } from '../transform.js';

export interface FishState {
  readonly [key: string]: StateTree;
  /** The inner (base) optimizer's state after the last meta step (the official opt_inner_pre). */
  readonly base: StateTree;
}

export const fish = defineWrapper({
  name: 'fish',
  summary: 'Fish: inner base steps on one batch per domain in sequence from a weight copy, then θ ← θ + (meta_lr/meta_steps)(θ̃ − θ) (YugeTen/fish)',
  schema: z.strictObject({
    meta_lr: z.number().gt(0).default(0.01).describe('ε before division by meta_steps: θ ← θ + (meta_lr/meta_steps)(θ̃ − θ) (official meta_lr: 0.01 fmow/camelyon/iwildcam/amazon, 0.05 civil, 0.1 poverty, 0.15 cdsprites)'),
    meta_steps: z.number().int().min(1).default(2).describe('domains (inner steps) per meta step; at most the train split\'s domain count under the domains sampler (official per dataset: 3 to 15; 2 = colored-mnist\'s train environments)'),
    reload_inner_optim: z.boolean().default(true).describe('carry the inner optimizer\'s state from one meta step to the next (official True for all datasets but cdsprites); false starts it fresh each meta step'),
    ...clipOption,
  }),
  gradEvals: 3,
  info: {
    source: 'YugeTen/fish src/main.py train_fish, src/utils.py fish_step; src/config.py dataset_defaults',
    paper: 'Shi et al., Gradient Matching for Domain Generalization (ICLR 2022)',
    batches: 'extra batch k per inner step: with train.sampler domains, the k-th domain of the step (in a random order per step)',
    cost: '1 + meta_steps evaluations per step (3 at the default meta_steps 2)',
  },
  create(o, base): GradientTransformation<FishState> {
    const epsilon = o.meta_lr / o.meta_steps;
    return {
      name: 'fish',
      init: (params) => ({ base: base.init(params) }),
      update(_grads, state, w, ctx) {
        let theta: readonly tf.Tensor[] = w;
        let inner: StateTree = o.reload_inner_optim ? state.base : base.init(w);
        for (let k = 0; k < o.meta_steps; k++) {
          const at = theta;
          const first = ctx.evaluateBatch(k, k === 0 ? undefined : at);
          // the base sees the domain batch as its own: its further evaluations (SAM) stay on it
          const innerCtx: UpdateContext = { ...ctx, loss: first.loss, evaluate: (p, reduce) => ctx.evaluateBatch(k, p, reduce) };
          const [u, next] = base.update(first.grads, inner, at, innerCtx);
          inner = next;
          theta = applyUpdates(at, u);
        }
        const updates = theta.map((t, i) => tf.mul(tf.sub(t, w[i]!), epsilon));
        return [updates, { base: inner }];
      },
      ...(base.learningRate ? { learningRate: base.learningRate } : {}),
      hyperparams: () => ({ ...base.hyperparams?.(), meta_lr: o.meta_lr }),
    };
  },
});
