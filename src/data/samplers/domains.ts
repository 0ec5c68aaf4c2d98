/**
 * `domains`: every batch holds the same number of rows from each domain (the train split's group
 * ids: colored-mnist's environments, spurious-gaussian's (y, s) groups), batch_size / D each, laid
 * out domain by domain in ascending id: the per-domain minibatches that DomainBed's
 * InfiniteDataLoaders and Fish's per-domain loaders (YugeTen/fish `get_batch(domain)`) hand to the
 * domain generalisation procedures, here as one batch whose group ids say which rows are whose (irm,
 * vrex and group-dro read them). Each domain is visited in its own order: epoch e concatenates
 * permutations of the domain's rows drawn from Rng.derive(seed, 'domains', e, d) until the epoch's
 * ceil(N / batch_size) steps are covered (a small domain recurs within an epoch, a large one is
 * only partly visited), so the rows of step s are a pure function of (seed, s).
 *
 * Extra batches (ctx.evaluateBatch, Fish's inner loop): extra batch k of step s is the step's own
 * slice of the k-th domain in an order drawn per step from Rng.derive(seed, 'domains-order', s), as
 * fish's `sample_domains` draws the domains of a meta step in random order; k < D.
 */
import { z } from 'zod';
import { Rng } from '../../core/random.js';
import { epochCache, rowsByClass, type SamplerEntry } from './types.js';

export const domainsSchema = z.strictObject({ name: z.literal('domains').describe('Sampler name.') });
const schema = domainsSchema;

/** One domain's rows for `count` draws: permutations of `rows` from `rng`, concatenated. */
export function domainStream(rows: Int32Array, count: number, rng: Rng): Int32Array {
  const out = new Int32Array(count);
  for (let filled = 0; filled < count; ) {
    const order = rng.permutation(rows.length);
    for (let i = 0; i < order.length && filled < count; i++) out[filled++] = rows[order[i]!]!;
  }
  return out;
}

export const domains: SamplerEntry<z.output<typeof schema>> = {
  name: 'domains',
  summary: 'batch_size / D rows of each of the D domains (group ids) per batch; extra batch k = the k-th domain of a per-step random order (Fish).',
  schema,
  needsLabels: false,
  needsGroups: true,
  create(_o, ctx) {
    let byDomain: Int32Array[] | undefined;
    const domainRows = (): Int32Array[] => {
      if (byDomain) return byDomain;
      const groups = ctx.groups?.();
      if (!groups) throw new RangeError('domains sampler: the dataset has no group ids (use a dataset with groups, e.g. colored-mnist)');
      byDomain = rowsByClass(groups).filter((rows) => rows.length > 0);
      if (ctx.batchSize % byDomain.length !== 0) {
        throw new RangeError(`domains sampler: batch_size ${ctx.batchSize} is not a multiple of the ${byDomain.length} domains in the train split`);
      }
      return byDomain;
    };
    const batches = epochCache((epoch) => {
      const rows = domainRows();
      const per = ctx.batchSize / rows.length;
      const streams = rows.map((r, d) => domainStream(r, ctx.stepsPerEpoch * per, Rng.derive(ctx.seed, 'domains', epoch, d)));
      const out = new Int32Array(ctx.stepsPerEpoch * ctx.batchSize);
      for (let s = 0; s < ctx.stepsPerEpoch; s++) {
        streams.forEach((stream, d) => out.set(stream.subarray(s * per, (s + 1) * per), s * ctx.batchSize + d * per));
      }
      return out;
    });
    const indices = (step: number) => {
      const epoch = Math.floor(step / ctx.stepsPerEpoch);
      const b = step % ctx.stepsPerEpoch;
      return { epoch, indices: batches(epoch).subarray(b * ctx.batchSize, (b + 1) * ctx.batchSize) };
    };
    return {
      indices,
      extra(step, k) {
        const D = domainRows().length;
        if (!(Number.isInteger(k) && k >= 0 && k < D)) throw new RangeError(`domains sampler: extra batch ${k} asked for, but the train split has ${D} domains (0..${D - 1})`);
        const d = Rng.derive(ctx.seed, 'domains-order', step).permutation(D)[k]!;
        const per = ctx.batchSize / D;
        return indices(step).indices.slice(d * per, (d + 1) * per);
      },
    };
  },
};
