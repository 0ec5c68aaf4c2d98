/**
 * What a sampler is: the train row ids of 0-based step `step`, a pure function of (seed, step),
 * so a resumed run needs only its step counter. Every sampler has the same epoch length as
 * today's order, ceil(N / batch_size) steps (src/train/build.ts stepsPerEpoch), so schedules,
 * `epochs:` and eval/checkpoint cadences mean the same under every sampler.
 */
import type { z } from 'zod';

export interface SamplerContext {
  /** Train split size N (after transforms). */
  readonly trainSize: number;
  readonly batchSize: number;
  /** The run seed. */
  readonly seed: number;
  /** Steps per epoch: ceil(N / batch_size). */
  readonly stepsPerEpoch: number;
  /** The train split's class ids, read once on first use (classification only). */
  labels(): Int32Array;
  /** The train split's group ids, read once on first use; undefined for a dataset without groups. */
  groups?(): Int32Array | undefined;
}

export interface Sampler {
  /** Train indices for 0-based step `step` (a view the caller must not keep past the next call). */
  indices(step: number): { epoch: number; indices: Int32Array };
  /**
   * Train rows of the k-th extra batch of `step` (optimizers' ctx.evaluateBatch), when this sampler
   * defines them (the domain sampler: one domain's rows); otherwise BatchPlan draws random rows.
   */
  extra?(step: number, k: number): Int32Array;
}

/** One sampler module: its name, a strict zod schema (with `name` as a literal) and a constructor. */
export interface SamplerEntry<O extends { name: string } = any> {
  readonly name: string;
  readonly summary: string;
  readonly schema: z.ZodType<O>;
  /** Needs class labels (pk, class-balanced): rejected on regression datasets. */
  readonly needsLabels: boolean;
  /** Reads group ids (domains): rejected on datasets without groups. */
  readonly needsGroups?: boolean;
  create(options: O, ctx: SamplerContext): Sampler;
}

/** Row ids of each class 0..K−1 (ascending), from the train labels. */
export function rowsByClass(labels: Int32Array): Int32Array[] {
  let k = 0;
  for (let i = 0; i < labels.length; i++) k = Math.max(k, labels[i]! + 1);
  const counts = new Int32Array(k);
  for (let i = 0; i < labels.length; i++) counts[labels[i]!]! += 1;
  const out = Array.from(counts, (c) => new Int32Array(c));
  const fill = new Int32Array(k);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i]!;
    out[c]![fill[c]!++] = i;
  }
  return out;
}

/** A per-epoch cache: one epoch's batches built at a time, from the epoch alone. */
export function epochCache<T>(build: (epoch: number) => T): (epoch: number) => T {
  let cached = -1;
  let value: T | undefined;
  return (epoch) => {
    if (epoch !== cached || value === undefined) {
      value = build(epoch);
      cached = epoch;
    }
    return value;
  };
}
