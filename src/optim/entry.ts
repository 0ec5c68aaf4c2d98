/**
 * The shape of an optimizer registry entry and the options every optimizer shares. An entry's
 * `create(options, deps)` returns a GradientTransformation; wrappers declare `nested: { base }` and
 * receive the resolved base spec as `options.base` (their schema does not list it, so a generic
 * resolver needs only schema + nested).
 */
import { z } from 'zod';
import type { Entry, Spec } from '../core/registry.js';
import { chain, type GradientTransformation } from './transform.js';
import { clipByGlobalNorm } from './transforms/clip-by-global-norm.js';

export interface OptimizerDeps {
  /** Where this spec sits in the config (for issue paths of nested specs). */
  readonly at: readonly string[];
  /** Builds a nested optimizer spec (a wrapper's base). */
  build(spec: Spec, at: readonly string[]): GradientTransformation;
}

export type OptimizerEntry = Entry<any, GradientTransformation, OptimizerDeps>;

export const lrOption = (dflt: number) =>
  z.number().min(0).default(dflt).describe('learning rate (schedules scale it step by step)');

export const clipOption = {
  clip_grad_norm: z
    .number()
    .positive()
    .nullable()
    .default(null)
    .describe('rescale the gradient this optimizer receives to global L2 norm ≤ this (torch clip_grad_norm_); null = off'),
};

export const beta = z.number().min(0).lt(1);
export const betasOption = (b1: number, b2: number) =>
  z.tuple([beta, beta]).default([b1, b2]).describe('(β1, β2): decay rates of the first and second moments');

/** Prepends global-norm clipping when configured. */
export function clipped(clip: number | null, ...parts: GradientTransformation<any>[]): GradientTransformation {
  return chain(...(clip === null ? parts : [clipByGlobalNorm(clip), ...parts]));
}

export const baseSlot = { base: { kind: 'optimizer' } } as const;

/** Builds a wrapper's base; the wrapper's own clip_grad_norm clips the gradient it hands to the base. */
export function buildBase(options: { readonly base: Spec; readonly clip_grad_norm: number | null }, deps: OptimizerDeps): GradientTransformation {
  const base = deps.build(options.base, [...deps.at, 'base']);
  if (options.clip_grad_norm === null) return base;
  const c = chain(clipByGlobalNorm(options.clip_grad_norm), { ...base, name: 'base' });
  return c;
}

/** Typed entry definition: `create` sees the schema's output (plus `base` for wrappers). */
export function defineOptimizer<S extends z.ZodType<Record<string, unknown>>, N extends object = object>(e: {
  readonly name: string;
  readonly summary: string;
  readonly schema: S;
  readonly nested?: Entry['nested'];
  readonly info?: Entry['info'];
  create(options: z.output<S> & N, deps: OptimizerDeps): GradientTransformation;
}): OptimizerEntry {
  return e as OptimizerEntry;
}

/** A wrapper's learning rate is its base's (schedules reach the base). */
export function forwardLearningRate(base: GradientTransformation): Pick<GradientTransformation, 'learningRate'> {
  return base.learningRate ? { learningRate: base.learningRate } : {};
}
