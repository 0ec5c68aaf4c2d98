/**
 * The optimizer and schedule registries (the one list to edit when adding an entry) and the
 * library API: createOptimizer, createSchedule, resolveOptimizerSpec.
 */
import { ConfigError } from '../core/errors.js';
import { createRegistry, type Spec } from '../core/registry.js';
import type { GradientTransformation } from './transform.js';
import type { OptimizerDeps, OptimizerEntry, OptimizerRegistry } from './entry.js';
import { optimizerFacade, normalizeParams, type ParamInput } from './optimizer.js';
import { resolveSpec, type RegistryLookup, type ResolvedSpec } from './resolve.js';
import { scheduleEntries } from './schedules.js';
import type { Optimizer, Schedule, ScheduleDeps } from './types.js';
import { adam, adamw } from './optimizers/adam.js';
import { asam } from './optimizers/asam.js';
import { gam } from './optimizers/gam.js';
import { grams } from './optimizers/grams.js';
import { gsam } from './optimizers/gsam.js';
import { lion } from './optimizers/lion.js';
import { momo, momoAdam } from './optimizers/momo.js';
import { orthograd } from './optimizers/orthograd.js';
import { sam } from './optimizers/sam.js';
import { sgd, sgdw } from './optimizers/sgd.js';

export const optimizerRegistry = createRegistry<GradientTransformation, OptimizerDeps>('optimizer', [
  sgd,
  sgdw,
  adam,
  adamw,
  lion,
  grams,
  momo,
  momoAdam,
  sam,
  asam,
  gsam,
  gam,
  orthograd,
] satisfies readonly OptimizerEntry[]) as OptimizerRegistry;

export const scheduleRegistry = createRegistry<Schedule, ScheduleDeps>('schedule', scheduleEntries);

const lookup: RegistryLookup = (kind) =>
  kind === 'optimizer' ? optimizerRegistry : kind === 'schedule' ? scheduleRegistry : undefined;

/** Validates an `optimizer:` spec recursively (wrapper bases included), collecting every issue. */
export function resolveOptimizerSpec(spec: unknown, at: readonly string[] = ['optimizer']): ResolvedSpec {
  return resolveSpec(optimizerRegistry, spec, at, lookup);
}

/** Validates a `schedule:` spec, collecting every issue. */
export function resolveScheduleSpec(spec: unknown, at: readonly string[] = ['schedule']): ResolvedSpec {
  return resolveSpec(scheduleRegistry, spec, at, lookup);
}

/** Throws UnknownNameError for the first unknown optimizer name, outermost first. */
function assertKnownNames(spec: Spec): void {
  const entry = optimizerRegistry.get(spec.name);
  for (const key of Object.keys(entry.nested ?? {})) {
    const child = spec[key];
    if (typeof child === 'object' && child !== null && typeof (child as Spec).name === 'string') assertKnownNames(child as Spec);
  }
}

function optionsOf(value: Spec): Record<string, unknown> {
  const { name: _name, ...rest } = value;
  return rest;
}

/** Builds the transformation of a spec (validated again, so it also serves nested bases). */
export function buildTransformation(spec: Spec, at: readonly string[] = ['optimizer']): GradientTransformation {
  const { value, issues } = resolveOptimizerSpec(spec, at);
  if (issues.length > 0) throw new ConfigError(issues);
  const entry = optimizerRegistry.get(value.name);
  return entry.create(optionsOf(value), { at, build: buildTransformation });
}

/**
 * The optimizer for `params` (ordered; the closure's gradients follow the same order) from a YAML
 * `optimizer:` spec such as `{ name: 'sam', rho: 0.05, base: { name: 'sgd', lr: 0.1, momentum: 0.9 } }`.
 */
export function createOptimizer(spec: Spec, params: readonly ParamInput[]): Optimizer {
  assertKnownNames(spec);
  const { value, issues } = resolveOptimizerSpec(spec, ['optimizer']);
  if (issues.length > 0) throw new ConfigError(issues);
  const entry = optimizerRegistry.get(value.name);
  const transform = entry.create(optionsOf(value), { at: ['optimizer'], build: buildTransformation });
  return optimizerFacade(transform, value, normalizeParams(params));
}

/** The schedule of a `schedule:` spec; UnknownNameError / ConfigError on bad input. */
export function createSchedule(spec: Spec, deps: ScheduleDeps, at: readonly string[] = ['schedule']): Schedule {
  const entry = scheduleRegistry.get(spec.name);
  const { value, issues } = resolveScheduleSpec(spec, at);
  if (issues.length > 0) throw new ConfigError(issues);
  return entry.create(optionsOf(value), deps);
}

export type { Closure, Optimizer, StepResult, Schedule, ScheduleDeps } from './types.js';
export type { Evaluate, Evaluation, GradientTransformation, Hyper, Params, StateTree, UpdateContext, Updates } from './transform.js';
export { chain, identity, stateless } from './transform.js';
export type { OptimizerDeps, OptimizerEntry, OptimizerRegistry } from './entry.js';
export type { ScheduleEntry } from './schedules.js';
export type { ParamInput } from './optimizer.js';
export type { ResolvedSpec } from './resolve.js';
