/**
 * The samplers of `train.sampler` (one module each) and the schema of the option: a
 * discriminated union on `name`, or a bare name for a sampler without options. To add one: a
 * module exporting a SamplerEntry, one line in `samplers` below.
 */
import { z } from 'zod';
import { classBalanced, classBalancedSchema } from './class-balanced.js';
import { domains, domainsSchema } from './domains.js';
import { pk, pkSchema } from './pk.js';
import { shuffle, shuffleSchema } from './shuffle.js';
import type { Sampler, SamplerContext, SamplerEntry } from './types.js';

export type { Sampler, SamplerContext, SamplerEntry } from './types.js';

export const samplers: readonly SamplerEntry[] = [shuffle, pk, classBalanced, domains];

export const samplerNames = samplers.map((s) => s.name);

/** `train.sampler`: `{name: shuffle}` (default), `{name: pk, classes, per_class}`, `{name: class-balanced}`, `{name: domains}`; a bare name for one without options. */
export const samplerSchema = z.preprocess(
  (v) => (typeof v === 'string' ? { name: v } : v),
  z.discriminatedUnion('name', [shuffleSchema, pkSchema, classBalancedSchema, domainsSchema]),
);

export type SamplerSpec = z.output<typeof samplerSchema>;

export function samplerEntry(name: string): SamplerEntry {
  const e = samplers.find((s) => s.name === name);
  if (!e) throw new RangeError(`unknown sampler "${name}"`);
  return e;
}

export function createSampler(spec: SamplerSpec, ctx: SamplerContext): Sampler {
  return samplerEntry(spec.name).create(spec, ctx);
}
