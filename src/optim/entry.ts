/**
 * The shape of an optimizer registry entry and the options every optimizer shares.
 *
 * An entry is data: its schema, its capability facts (`gradEvals`), its composite recipe `create`
 * and, optionally, its fused twin `fused` (as timm records `_foreach_defaults` and torch keeps
 * `_single_tensor_adam` apart from `_fused_adam`). `defineOptimizer` and `defineWrapper` wire the
 * two forms together through `withFused`, the one place that chooses; wrappers declare
 * `nested: { base }` and receive the base already built (their schema does not list `base`, so a
 * generic resolver needs only schema + nested).
 */
import { z } from 'zod';
import type { Entry, Registry, Spec } from '../core/registry.js';
import { chain, type GradientTransformation, type Hyper } from './transform.js';
import { clipByGlobalNorm } from './transforms/clip-by-global-norm.js';
import { withFused } from './with-fused.js';
import { groupCache, groupOptions, isTrivial, type GroupOptions } from './param-groups.js';

export interface OptimizerDeps {
  /** Where this spec sits in the config (for issue paths of nested specs). */
  readonly at: readonly string[];
  /** Builds a nested optimizer spec (a wrapper's base). */
  build(spec: Spec, at: readonly string[]): GradientTransformation;
  /** Dotted config paths of the hyperparameters a schedule drives (`optimizer.base.momentum`): `schedules:` and one-cycle's momentum. */
  readonly scheduled?: ReadonlySet<string>;
}

/** The options a schedule can drive, each a Hyper starting at its configured value (`beta1` is betas[0]). */
export type Hypers = Readonly<Record<string, Hyper>>;

export interface OptimizerEntry extends Entry<any, GradientTransformation, OptimizerDeps> {
  /** Closure evaluations per step (timm OptimInfo style): 1 for a descent rule, 2 for SAM, 4 for GAM. */
  readonly gradEvals: number;
  /** The fused twin's factory, when the entry has one (its options may still leave it out: undefined). */
  readonly fused?: (options: any, from: any, hypers: Hypers) => GradientTransformation | undefined;
  /** Why the rule takes no parameter-group options (absent: it takes them); see defineOptimizer. */
  readonly fixedGroups?: string;
  /**
   * The options a `schedules:` entry may drive, besides lr (`momentum`, `beta1`, `weight_decay`,
   * `rho`); config validation rejects any other. A wrapper made by defineWrapper also passes
   * schedules on to its base (`base.<option>`): `schedulesBase`.
   */
  readonly schedulable?: readonly string[];
  readonly schedulesBase?: boolean;
}

/** The optimizer registry with its entries' typed fields visible. */
export type OptimizerRegistry = Omit<Registry<GradientTransformation, OptimizerDeps>, 'entries' | 'get'> & {
  readonly entries: readonly OptimizerEntry[];
  get(name: string): OptimizerEntry;
};

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

/** Builds a wrapper's base; the wrapper's own clip_grad_norm clips the gradient it hands to the base (exported for wrappers that adjust their base spec: cautious). */
export function buildBase(options: { readonly base: Spec; readonly clip_grad_norm: number | null }, deps: OptimizerDeps): GradientTransformation {
  const base = deps.build(options.base, [...deps.at, 'base']);
  if (options.clip_grad_norm === null) return base;
  return chain(clipByGlobalNorm(options.clip_grad_norm), { ...base, name: 'base' });
}

interface Described<S extends z.ZodType> {
  readonly name: string;
  readonly summary: string;
  readonly schema: S;
  readonly gradEvals: number;
  /** Facts for `minima list` (source, needsLoss); gradEvals is listed from the field. */
  readonly info?: Entry['info'];
  /** The options a schedule may drive (OptimizerEntry.schedulable); `create` receives them as Hypers. */
  readonly schedulable?: readonly string[];
}

/** The configured value of a schedulable option: `beta1` is betas[0]. */
function configured(options: Readonly<Record<string, unknown>>, name: string): number {
  const v = name === 'beta1' ? (options['betas'] as readonly number[])[0] : options[name];
  if (typeof v !== 'number') throw new Error(`schedulable option ${name} has no numeric value`);
  return v;
}

/** One Hyper per schedulable option, marked `scheduled` when the run's schedules drive it. */
function hypersOf(names: readonly string[], options: Readonly<Record<string, unknown>>, deps: OptimizerDeps): Hypers {
  const out: Record<string, Hyper> = {};
  for (const n of names) out[n] = { value: configured(options, n), scheduled: deps.scheduled?.has([...deps.at, n].join('.')) === true };
  return out;
}

/**
 * `t` exposing `own` (and, for a wrapper, its base's hypers under `base.`); the scheduled ones are
 * reported in metrics.jsonl beside lr under their option names.
 */
function withHypers(t: GradientTransformation, own: Hypers, base?: GradientTransformation): GradientTransformation {
  const hypers: Record<string, Hyper> = {};
  for (const [k, h] of Object.entries(base?.hypers ?? {})) hypers[`base.${k}`] = h;
  Object.assign(hypers, own);
  if (Object.keys(hypers).length === 0) return t;
  const driven = Object.entries(own).filter(([, h]) => h.scheduled);
  if (driven.length === 0) return { ...t, hypers };
  const inner = t.hyperparams;
  return { ...t, hypers, hyperparams: () => ({ ...inner?.(), ...Object.fromEntries(driven.map(([k, h]) => [k, h.value])) }) };
}

/** `minima list` shows gradEvals first, as before it became a typed field. */
const infoOf = (e: Described<z.ZodType>): NonNullable<Entry['info']> => ({ gradEvals: e.gradEvals, ...e.info });

/**
 * A descent rule: `create` builds the composite recipe; `fused`, given the same options and that
 * composite (its state layout and learning-rate Hyper), builds the twin, or undefined for options
 * it does not cover.
 *
 * Every rule also takes the parameter-group options (param-groups.ts: `decay_roles`, `no_decay`,
 * `lr_mult`, `layer_decay`), added to its schema here so that every entry has them through this one
 * place. `decayRoles` is the entry's default mask: what its official code decays (every tensor for
 * torch's optimizers, which know no roles). With the defaults the rule runs exactly as before (its
 * fused twin where active); otherwise its composite runs with each tensor's `decay` and `lrScale`
 * in `ctx.params`, which the shared transforms read. `fixedGroups` (the reason) marks a rule whose
 * arithmetic the group options cannot reach: MoMo's one Polyak step size couples every tensor;
 * LAMB, LARS, AdamP/SGDP and ASGD apply their decay inside their own per-tensor arithmetic. Such a
 * rule rejects non-default group options with that reason.
 */
export function defineOptimizer<S extends z.ZodType<Record<string, unknown>>>(e: Described<S> & {
  create(options: z.output<S>, deps: OptimizerDeps, hypers: Hypers): GradientTransformation;
  fused?(options: z.output<S>, composite: GradientTransformation): GradientTransformation | undefined;
  readonly decayRoles?: readonly ('kernel' | 'bias')[];
  readonly fixedGroups?: string;
}): OptimizerEntry {
  const { decayRoles = ['kernel', 'bias'], fixedGroups, ...rest } = e;
  const fields = groupOptions(decayRoles);
  const schema = (e.schema as unknown as z.ZodObject).safeExtend(fields).superRefine((o, ctx) => {
    if (fixedGroups !== undefined && !isTrivial(o as unknown as GroupOptions)) {
      ctx.addIssue({ code: 'custom', path: ['lr_mult'], message: `${e.name} ${fixedGroups}: decay_roles, no_decay, lr_mult and layer_decay must keep their defaults` });
    }
  });
  return {
    ...rest,
    ...(fixedGroups !== undefined ? { fixedGroups } : {}),
    schema,
    info: infoOf(e),
    create(options: z.output<S> & GroupOptions, deps: OptimizerDeps) {
      const hypers = hypersOf(e.schedulable ?? [], options, deps);
      const composite = withHypers(e.create(options, deps, hypers), hypers);
      // the twins bake momentum, betas and decay into their kernels: a scheduled one runs the composite
      const fused = Object.values(hypers).some((h) => h.scheduled) ? composite : withFused(composite, e.fused?.(options, composite));
      if (isTrivial(options)) return fused;
      const grouped = groupCache(options);
      // the twins bake one decay and one lr into their kernels: a grouped rule runs its composite
      return { ...composite, update: (g, s, p, ctx) => composite.update(g, s, p, { ...ctx, params: grouped(ctx.params) }) };
    },
  };
}

/** A wrapper around any base optimizer: both forms wrap the same base object, built once here. */
export function defineWrapper<S extends z.ZodType<{ clip_grad_norm: number | null }>>(e: Described<S> & {
  create(options: z.output<S>, base: GradientTransformation, hypers: Hypers): GradientTransformation;
  /** Receives the same Hypers: a twin reads a scheduled ρ each step as the composite does. */
  fused?(options: z.output<S>, base: GradientTransformation, hypers: Hypers): GradientTransformation | undefined;
}): OptimizerEntry {
  return {
    ...e,
    nested: baseSlot,
    schedulesBase: true,
    info: infoOf(e),
    create(options: z.output<S> & { readonly base: Spec }, deps: OptimizerDeps) {
      const base = buildBase(options, deps);
      const hypers = hypersOf(e.schedulable ?? [], options, deps);
      return withHypers(withFused(e.create(options, base, hypers), e.fused?.(options, base, hypers)), hypers, base);
    },
  };
}
