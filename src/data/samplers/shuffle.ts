/**
 * `shuffle` (the default): epoch e visits the train split in the order of a permutation drawn from
 * Rng.derive(seed, 'order', e), in batches of batch_size, the last one short. Today's order, bit for bit.
 */
import { z } from 'zod';
import { Rng } from '../../core/random.js';
import { epochCache, type SamplerEntry } from './types.js';

export const shuffleSchema = z.strictObject({ name: z.literal('shuffle').describe('Sampler name.') });
const schema = shuffleSchema;

export const shuffle: SamplerEntry<z.output<typeof schema>> = {
  name: 'shuffle',
  summary: 'A fresh permutation of the train split each epoch (Rng.derive(seed, "order", epoch)); the last batch is short.',
  schema,
  needsLabels: false,
  create(_o, ctx) {
    const perm = epochCache((epoch) => Rng.derive(ctx.seed, 'order', epoch).permutation(ctx.trainSize));
    return {
      indices(step) {
        const epoch = Math.floor(step / ctx.stepsPerEpoch);
        const p = perm(epoch);
        const b = step % ctx.stepsPerEpoch;
        return { epoch, indices: p.subarray(b * ctx.batchSize, Math.min(p.length, (b + 1) * ctx.batchSize)) };
      },
    };
  },
};
