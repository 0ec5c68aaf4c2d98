/**
 * `class-balanced`: every example is drawn with probability ∝ 1/n_class (its class's train
 * count), WITH replacement, so each class is equally likely in every draw: torch's
 * WeightedRandomSampler(weights = 1/n_class, num_samples = N, replacement = True). An epoch is N
 * draws in ceil(N / batch_size) batches, the last one short, as under `shuffle`. Drawn as a class
 * uniformly among the non-empty ones, then a row of it uniformly (the same distribution), from
 * Rng.derive(seed, 'class-balanced', epoch).
 */
import { z } from 'zod';
import { Rng } from '../../core/random.js';
import { epochCache, rowsByClass, type SamplerEntry } from './types.js';

export const classBalancedSchema = z.strictObject({ name: z.literal('class-balanced').describe('Sampler name.') });
const schema = classBalancedSchema;

/** N draws: a class uniformly among the non-empty ones, then one of its rows uniformly. */
export function classBalancedEpoch(byClass: readonly Int32Array[], n: number, rng: Rng): Int32Array {
  const classes = byClass.filter((rows) => rows.length > 0);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const rows = classes[rng.int(classes.length)]!;
    out[i] = rows[rng.int(rows.length)]!;
  }
  return out;
}

export const classBalanced: SamplerEntry<z.output<typeof schema>> = {
  name: 'class-balanced',
  summary: 'Each example drawn with probability ∝ 1/n_class, with replacement; N draws per epoch (WeightedRandomSampler).',
  schema,
  needsLabels: true,
  create(_o, ctx) {
    let byClass: Int32Array[] | undefined;
    const draws = epochCache((epoch) => {
      byClass ??= rowsByClass(ctx.labels());
      return classBalancedEpoch(byClass, ctx.trainSize, Rng.derive(ctx.seed, 'class-balanced', epoch));
    });
    return {
      indices(step) {
        const epoch = Math.floor(step / ctx.stepsPerEpoch);
        const d = draws(epoch);
        const b = step % ctx.stepsPerEpoch;
        return { epoch, indices: d.subarray(b * ctx.batchSize, Math.min(d.length, (b + 1) * ctx.batchSize)) };
      },
    };
  },
};
