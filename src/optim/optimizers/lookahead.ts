/**
 * Lookahead (Zhang, Lucas, Hinton & Ba 2019), official michaelrzhang/lookahead `lookahead_pytorch.py`:
 *   __init__: cached_params ← p (the slow weights φ start at the initial weights θ₀);
 *   step():   loss = base.step(); la_step += 1;
 *             if la_step >= la_steps: la_step = 0;
 *                p ← α·p + (1 − α)·cached_params   ("crucial line": p.mul_(α).add_(cached, alpha=1−α))
 *                cached_params ← p
 * i.e. every k base steps φ ← φ + α(θ − φ) and θ ← φ, evaluated in the official order α·θ + (1−α)·φ.
 * The base steps first, then (on a sync step) the interpolation acts on the base's result θ' = w + u.
 *
 * Here the wrapper returns ONE update relative to the step's start w (the facade applies it): the
 * base's own u between synchronisations; on a synchronisation step (every k-th) u = θ_new − w with
 * θ_new = α·θ' + (1−α)·φ, marked with its exact sum θ_new (apply.ts withPrecomputedSum), so the parameters become θ_new bit for bit, as the official
 * `p.data` assignment does. The counter is a float32 scalar `count` in the state (the official
 * `_la_step`), checkpointed with it; the update reads it once per step.
 *
 * Names: the schema uses the paper's and timm's `k` and `alpha` (timm `Lookahead(base, alpha, k)`;
 * the official code calls them `la_steps`, `la_alpha`). Defaults k = 5, α = 0.5 are the paper's
 * (its experiments use α 0.5 with k 5 or 10); `lookahead_pytorch.py`'s own signature default is
 * la_alpha = 0.8 (set `alpha: 0.8` for it). `pullback_momentum`: only the official default 'none' —
 * 'reset' / 'pullback' rewrite the base's SGD `momentum_buffer`, which a wrapper over an arbitrary
 * base's opaque state cannot address.
 */
import * as tf from '../../backends/tf.js';
import { z } from 'zod';
import { applyUpdates, withPrecomputedSum } from '../apply.js';
import { clipOption, defineWrapper } from '../entry.js';
import type { GradientTransformation, StateTree } from '../transform.js';
import { wrapBase } from '../wrap-base.js';

export interface LookaheadState {
  readonly [key: string]: StateTree;
  /** The base optimizer's state (the key every wrapper uses). */
  readonly base: StateTree;
  /** Slow weights φ, aligned with the parameters (the official `cached_params`). */
  readonly slow: readonly tf.Tensor[];
  /** Base steps since the last synchronisation (the official `_la_step`), float32 scalar. */
  readonly count: tf.Tensor;
}

export const lookahead = defineWrapper({
  name: 'lookahead',
  summary: 'Lookahead: every k base steps slow ← slow + α(fast − slow), fast ← slow; wraps any optimizer (michaelrzhang/lookahead)',
  schema: z.strictObject({
    k: z.number().int().min(1).default(5).describe('la_steps: base steps between synchronisations of the slow weights'),
    alpha: z.number().gt(0).max(1).default(0.5).describe('la_alpha: step of the slow weights towards the fast ones, in (0, 1]; 1 recovers the base'),
    eval_slow_weights: z.boolean().default(false).describe('also evaluate the slow weights φ in a run, as test_slow.* / train_slow.* rows (the official _backup_and_load_cache); the update ignores it'),
    pullback_momentum: z.enum(['none']).default('none').describe("official option; only 'none' (the official default): the base's momentum is left as it is at a sync"),
    ...clipOption,
  }),
  gradEvals: 1,
  info: { source: 'michaelrzhang/lookahead lookahead_pytorch.py', paper: 'Zhang et al. 2019, Lookahead Optimizer: k steps forward, 1 step back' },
  create(o, base): GradientTransformation<LookaheadState> {
    // the scaffold runs the base (state under `base`, lr forwarded, hyperparams merged); the
    // synchronisation acts on the base's result, after it
    const inner = wrapBase('lookahead', base, { update: (grads) => ({ grads }) });
    return {
      name: 'lookahead',
      init: (params) => ({ ...inner.init(params), slow: params.map((p) => tf.clone(p)), count: tf.scalar(0) }),
      update(grads, state, w, ctx) {
        const [u, next] = inner.update(grads, { base: state.base }, w, ctx);
        // The counter is read once per step (one float32 scalar: free on the CPU backends, a small
        // readback elsewhere) so that the k − 1 steps between synchronisations cost the base's step
        // alone; selecting on the device instead cost ~15× SGD per step (bench/optimizers.ts).
        const counted = state.count.dataSync()[0]! + 1;
        if (counted < o.k) return [u, { ...next, slow: state.slow, count: tf.scalar(counted) }];
        const fast = applyUpdates(w, u); // θ' = w + u, the base's own result (its fused sum when it has one)
        const slow = fast.map((f, i) => tf.add(tf.mul(f, o.alpha), tf.mul(state.slow[i]!, 1 - o.alpha)));
        // θ ← φ: the update lands the parameters on the new slow weights bit for bit
        const updates = slow.map((theta, i) => withPrecomputedSum(tf.sub(theta, w[i]!), w[i]!, theta));
        return [updates, { ...next, slow, count: tf.scalar(0) }];
      },
      ...(inner.learningRate ? { learningRate: inner.learningRate } : {}),
      ...(inner.hyperparams ? { hyperparams: inner.hyperparams } : {}),
    };
  },
});

