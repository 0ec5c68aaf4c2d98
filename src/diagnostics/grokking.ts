/**
 * Grokking monitor (Prieto, Barsbey, Mediano, Birdal, "Grokking at the Edge of Numerical Stability",
 * ICLR 2025; code LucasPrietoAl/grokking-at-the-edge-of-numerical-stability).
 * - Every `every` steps: nlm_alignment = cos(−∇L, θ). Once the training data are fit, the loss falls
 *   fastest by scaling the logits up, which for a homogeneous network is moving along θ: the
 *   "naive loss minimisation" direction. Under CE the alignment rises towards 1 as softmax collapse
 *   sets in; ⊥Grad (`orthograd`) removes the component of the gradient along θ.
 * - At the end of the run, into summary.json's `final`: grokking.train_step and grokking.test_step,
 *   the first steps whose evaluation accuracy reaches `threshold` (train: memorisation, test:
 *   generalisation; a key is absent when never reached), grokking.gap = test − train step (the
 *   grokking delay), grokking.grokked (1 when test reached it, else 0), and the mean and max of
 *   nlm_alignment over the run.
 */
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { everyOption } from './common.js';
import { mapDot as dot, mapSumOfSquares as sumOfSquares, paramValues, readScalar as read } from '../backends/tree.js';
import { byName } from './offset-by.js';
import type { DiagnosticEntry, MetricRowLike } from './types.js';

const schema = z.strictObject({
  every: everyOption(10),
  threshold: z.number().gt(0).lte(1).default(0.99).describe('Accuracy that counts as reached (the catalogue\'s 99 %).'),
  metric: z.string().min(1).default('accuracy').describe('The evaluation metric compared with `threshold` on the train and test splits.'),
});

/** The summary keys of a run's metric rows (evaluation rows for the accuracy, diagnostic rows for the alignment). */
export function grokkingSummary(rows: readonly MetricRowLike[], threshold: number, metric = 'accuracy'): Record<string, number> {
  const first: Partial<Record<'train' | 'test', number>> = {};
  let sum = 0;
  let count = 0;
  let max = Number.NEGATIVE_INFINITY;
  for (const r of rows) {
    const v = r[metric];
    if (r.eval === true && (r.split === 'train' || r.split === 'test') && typeof v === 'number' && v >= threshold) {
      const seen = first[r.split];
      if (seen === undefined || r.step < seen) first[r.split] = r.step;
    }
    const a = r.nlm_alignment;
    if (typeof a === 'number' && Number.isFinite(a)) {
      sum += a;
      count++;
      max = Math.max(max, a);
    }
  }
  const out: Record<string, number> = { 'grokking.grokked': first.test === undefined ? 0 : 1 };
  if (first.train !== undefined) out['grokking.train_step'] = first.train;
  if (first.test !== undefined) out['grokking.test_step'] = first.test;
  if (first.train !== undefined && first.test !== undefined) out['grokking.gap'] = first.test - first.train;
  if (count > 0) {
    out['grokking.alignment_mean'] = sum / count;
    out['grokking.alignment_max'] = max;
  }
  return out;
}

export const grokking: DiagnosticEntry<z.infer<typeof schema>> = {
  name: 'grokking',
  summary: 'NLM alignment cos(−∇L, θ) per step; first steps train/test accuracy reach a threshold and their gap in the summary ("Grokking at the Edge of Numerical Stability", Prieto et al. 2025).',
  schema,
  info: {
    cost: '1 forward + 1 backward per measured step; the summary reads metrics.jsonl',
    paper: 'Grokking at the Edge of Numerical Stability (Prieto et al. ICLR 2025)',
    source: 'LucasPrietoAl/grokking-at-the-edge-of-numerical-stability',
  },
  create(o) {
    return {
      every: o.every,
      async run(ctx) {
        const { loss, grads } = ctx.evaluate();
        const g = byName(ctx.params, grads);
        const [inner, gg, ww] = [dot(g, paramValues(ctx.params)), sumOfSquares(g), sumOfSquares(paramValues(ctx.params))];
        const values = [await read(inner), await read(gg), await read(ww)];
        tf.dispose([loss, ...grads, inner, gg, ww]);
        const [gw, g2, w2] = values as [number, number, number];
        const denom = Math.sqrt(g2) * Math.sqrt(w2);
        // −∇L·θ/(‖∇L‖‖θ‖); a zero gradient or zero weights have no direction
        return { nlm_alignment: denom > 0 ? -gw / denom : 0 };
      },
      summarize: (rows) => grokkingSummary(rows, o.threshold, o.metric),
    };
  },
};
