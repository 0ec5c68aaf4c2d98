/**
 * Grokfast (Lee et al. 2024), official ironjr/grokfast `grokfast.py` (93b2248): a low-pass filter of
 * the gradient added back before any base optimizer steps, g ← g + λ·filtered(g).
 *   ema: h = α·h + (1 − α)·g (h starts at the first g: `grads = p.grad` then the same update), g + λ·h
 *   ma:  the last window_size gradients (a deque); g + λ·mean (or sum) of them, from the step the
 *        window is full on (warmup), or every step (warmup false: over the gradients so far)
 * The official functions run between backward() and step(); here the wrapper filters the gradient
 * it receives and hands the result to its base (a wrapper's clip_grad_norm clips the filtered one).
 */
import * as tf from '../../backends/tf.js';
import { z } from 'zod';
import { clipOption, defineWrapper } from '../entry.js';
import type { GradientTransformation, StateTree } from '../transform.js';

export const grokfast = defineWrapper({
  name: 'grokfast',
  summary: 'Grokfast: adds λ × a low-pass filter (EMA or moving average) of the gradient before any base optimizer (ironjr/grokfast)',
  schema: z.strictObject({
    filter: z.enum(['ema', 'ma']).default('ema').describe('gradfilter_ema or gradfilter_ma'),
    alpha: z.number().min(0).lt(1).default(0.98).describe('ema: momentum of the gradient EMA'),
    lamb: z.number().min(0).nullable().default(null).describe('amplification λ; null = the official default of the filter (ema 2.0, ma 5.0)'),
    window_size: z.number().int().min(1).default(100).describe('ma: number of past gradients averaged'),
    filter_type: z.enum(['mean', 'sum']).default('mean').describe('ma: mean or sum of the window'),
    warmup: z.boolean().default(true).describe('ma: filter only once the window is full'),
    ...clipOption,
  }),
  gradEvals: 1,
  info: { source: 'ironjr/grokfast grokfast.py', paper: 'Lee et al. 2024, Grokfast' },
  create(o, base): GradientTransformation<{ readonly [k: string]: StateTree; readonly base: StateTree }> {
    const lamb = o.lamb ?? (o.filter === 'ema' ? 2 : 5);
    const w = o.window_size;
    const withBase = (filtered: tf.Tensor[], state: { readonly base: StateTree }, params: readonly tf.Tensor[], ctx: Parameters<GradientTransformation['update']>[3]) =>
      base.update(filtered, state.base, params, ctx);
    const shared = {
      name: 'grokfast',
      ...(base.learningRate ? { learningRate: base.learningRate } : {}),
      hyperparams: () => ({ ...base.hyperparams?.() }),
    };
    if (o.filter === 'ema') {
      return {
        ...shared,
        init: (params) => ({ base: base.init(params), ema: params.map((p) => tf.zerosLike(p)), count: tf.scalar(0) }),
        update(grads, state, params, ctx) {
          const first = tf.equal(state['count'] as tf.Scalar, 0);
          const ema = grads.map((g, i) => {
            const prev = tf.where(first, g, (state['ema'] as tf.Tensor[])[i]!);
            return tf.add(tf.mul(prev, o.alpha), tf.mul(g, 1 - o.alpha));
          });
          const filtered = grads.map((g, i) => tf.add(g, tf.mul(ema[i]!, lamb)));
          const [u, bs] = withBase(filtered, state, params, ctx);
          return [u, { base: bs, ema, count: tf.add(state['count'] as tf.Scalar, 1) }];
        },
      };
    }
    return {
      ...shared,
      // window[k][i]: the k-th oldest of the last w gradients of parameter i (zeros before they exist)
      init: (params) => ({ base: base.init(params), window: Array.from({ length: w }, () => params.map((p) => tf.zerosLike(p))), count: tf.scalar(0) }),
      update(grads, state, params, ctx) {
        const window = [...(state['window'] as tf.Tensor[][]).slice(1), [...grads]];
        // the deque's length after the append, read back once per step (it decides the branch)
        const len = Math.min((state['count'] as tf.Scalar).dataSync()[0]! + 1, w);
        let filtered = grads as tf.Tensor[];
        if (!o.warmup || len === w) {
          filtered = grads.map((g, i) => {
            // Python's sum(deque): oldest first; the leading zeros of a partial window add exactly
            let acc = window[w - len]![i]!;
            for (let k = w - len + 1; k < w; k++) acc = tf.add(acc, window[k]![i]!);
            const avg = o.filter_type === 'mean' ? tf.div(acc, len) : acc;
            return tf.add(g, tf.mul(avg, lamb));
          });
        }
        const [u, bs] = withBase(filtered, state, params, ctx);
        return [u, { base: bs, window, count: tf.scalar(len) }];
      },
    };
  },
});
