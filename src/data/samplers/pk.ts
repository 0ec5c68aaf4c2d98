/**
 * `pk`: each batch holds P distinct classes × K examples of each (batch_size = P·K), as the
 * RandomIdentitySampler of msight-tech/research-ms-loss (ret_benchmark/data/samplers/
 * random_identity_sampler.py) draws them:
 *   - a refill shuffles every class's rows and cuts them into chunks of K (a class with fewer than
 *     K rows is first padded to K by drawing its own rows with replacement; a remainder shorter
 *     than K is dropped), and marks every class available;
 *   - each batch samples P of the available classes uniformly without replacement and takes the
 *     next chunk of each; a class whose chunks run out stops being available; when fewer than P
 *     classes are available, the pools are refilled first.
 * So a batch never repeats an example (unless its class has < K rows), and an example recurs
 * across batches only after a refill. Where this differs from the official sampler: the official
 * iterator runs for max_iters without restarting; here every epoch of ceil(N / batch_size) steps
 * starts with a fresh refill drawn from Rng.derive(seed, 'pk', epoch), so the indices of step s are a
 * pure function of (seed, s) and one epoch is built at a time.
 */
import { z } from 'zod';
import { Rng } from '../../core/random.js';
import { epochCache, rowsByClass, type SamplerEntry } from './types.js';

const positiveInt = z.number().int().positive();

export const pkSchema = z.strictObject({
  name: z.literal('pk').describe('Sampler name.'),
  classes: positiveInt.describe('P: distinct classes per batch (batch_size must equal classes × per_class).'),
  per_class: positiveInt.describe('K: examples of each class per batch (the official NUM_INSTANCES, 5 there).'),
});

const schema = pkSchema;
export type PkOptions = z.output<typeof schema>;

/** The batches of one epoch, `steps` × P·K row ids, drawn as RandomIdentitySampler does. */
export function pkEpoch(byClass: readonly Int32Array[], P: number, K: number, steps: number, rng: Rng): Int32Array {
  const labels = byClass.map((_, c) => c).filter((c) => byClass[c]!.length > 0);
  if (labels.length < P) throw new RangeError(`pk sampler: ${P} classes per batch, but the train split has ${labels.length} classes`);
  let chunks: Int32Array[][] = [];
  let available: number[] = [];
  const refill = () => {
    chunks = byClass.map(() => []);
    for (const c of labels) {
      const own = byClass[c]!;
      const idxs = Array.from(own);
      for (let i = own.length; i < K; i++) idxs.push(own[rng.int(own.length)]!);
      const order = rng.permutation(idxs.length);
      const shuffled = Int32Array.from(order, (j) => idxs[j]!);
      for (let i = 0; i + K <= shuffled.length; i += K) chunks[c]!.push(shuffled.subarray(i, i + K));
    }
    available = labels.slice();
  };
  refill();
  const out = new Int32Array(steps * P * K);
  for (let s = 0; s < steps; s++) {
    if (available.length < P) refill();
    // P of the available classes, uniformly without replacement (a partial Fisher-Yates)
    const pool = available.slice();
    const chosen: number[] = [];
    for (let j = 0; j < P; j++) {
      const r = j + rng.int(pool.length - j);
      const t = pool[j]!; pool[j] = pool[r]!; pool[r] = t;
      chosen.push(pool[j]!);
    }
    chosen.forEach((c, j) => {
      out.set(chunks[c]!.shift()!, (s * P + j) * K);
      if (chunks[c]!.length === 0) available.splice(available.indexOf(c), 1);
    });
  }
  return out;
}

export const pk: SamplerEntry<PkOptions> = {
  name: 'pk',
  summary: 'P classes × K examples per batch (RandomIdentitySampler of msight-tech/research-ms-loss); a fresh refill each epoch.',
  schema,
  needsLabels: true,
  create(o, ctx) {
    if (o.classes * o.per_class !== ctx.batchSize) {
      throw new RangeError(`pk sampler: classes × per_class = ${o.classes * o.per_class} must equal batch_size ${ctx.batchSize}`);
    }
    let byClass: Int32Array[] | undefined;
    const batches = epochCache((epoch) => {
      byClass ??= rowsByClass(ctx.labels());
      return pkEpoch(byClass, o.classes, o.per_class, ctx.stepsPerEpoch, Rng.derive(ctx.seed, 'pk', epoch));
    });
    return {
      indices(step) {
        const epoch = Math.floor(step / ctx.stepsPerEpoch);
        const b = step % ctx.stepsPerEpoch;
        return { epoch, indices: batches(epoch).subarray(b * ctx.batchSize, (b + 1) * ctx.batchSize) };
      },
    };
  },
};
