/**
 * The optimizer and schedule registries (the one list to edit when adding an entry) and the
 * library API: createOptimizer, createSchedule, buildTransformation.
 */
import { createRegistry, type Spec } from '../core/registry.js';
import { ConfigError } from '../core/errors.js';
import type { GradientTransformation } from './transform.js';
import type { OptimizerDeps, OptimizerEntry, OptimizerRegistry } from './entry.js';
import { optimizerFacade, normalizeParams, type FacadeOptions, type ParamInput } from './optimizer.js';
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
import { lookahead } from './optimizers/lookahead.js';
import { sgd, sgdw } from './optimizers/sgd.js';
// flatness and regularisation procedures (issue 18)
import { amp } from './optimizers/amp.js';
import { awp } from './optimizers/awp.js';
import { friendlySam } from './optimizers/friendly-sam.js';
import { bgr, fgr } from './optimizers/gradient-regularization.js';
import { looksam } from './optimizers/looksam.js';
import { wsam } from './optimizers/wsam.js';
// tier 2: classic baselines (issue 21)
import { adadelta } from './optimizers/adadelta.js';
import { adagrad } from './optimizers/adagrad.js';
import { adamax } from './optimizers/adamax.js';
import { asgd } from './optimizers/asgd.js';
import { nadam } from './optimizers/nadam.js';
import { radam } from './optimizers/radam.js';
import { rmsprop } from './optimizers/rmsprop.js';
import { signSgd, signum } from './optimizers/sign-sgd.js';
// tier 2: large batch and scale-invariant (issue 21)
import { adamp, sgdp } from './optimizers/adamp.js';
import { lamb } from './optimizers/lamb.js';
import { lars } from './optimizers/lars.js';
// tier 2: modern (issue 21)
import { cautious } from './optimizers/cautious.js';
import { adabelief } from './optimizers/adabelief.js';
import { adopt } from './optimizers/adopt.js';
import { grokfast } from './optimizers/grokfast.js';
// domain generalisation (issue 19)
import { fish } from './optimizers/fish.js';
import { rwp } from './optimizers/rwp.js';
// tier 2: learning-rate-free, schedule-free and orthogonalised (issue 21)
import { adan } from './optimizers/adan.js';
import { muon } from './optimizers/muon.js';
import { scheduleFreeAdamw, scheduleFreeSgd } from './optimizers/schedule-free.js';
import { prodigy } from './optimizers/prodigy.js';
import { dadaptAdam, dadaptSgd } from './optimizers/dadapt.js';
import { polyakSgd } from './optimizers/polyak-sgd.js';
// tier 2: from the seed papers (issue 21)
import { lossNormalizedGd, normalizedGd } from './optimizers/normalized-gd.js';
import { noisySgd, sgld } from './optimizers/sgld.js';
import { frugal } from './optimizers/frugal.js';
import { ghostStep } from './optimizers/ghost-step.js';
// tier 2: second-order (issue 21)
import { lbfgs } from './optimizers/lbfgs.js';
import { sophia } from './optimizers/sophia.js';

export const optimizerRegistry = createRegistry<GradientTransformation, OptimizerDeps, OptimizerEntry>('optimizer', [
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
  lookahead,
  // flatness and regularisation procedures (issue 18)
  looksam,
  wsam,
  friendlySam,
  awp,
  amp,
  fgr,
  bgr,
  // tier 2: classic baselines (issue 21)
  rmsprop,
  adagrad,
  adadelta,
  adamax,
  nadam,
  radam,
  asgd,
  signSgd,
  signum,
  // tier 2: large batch and scale-invariant (issue 21)
  lamb,
  lars,
  sgdp,
  adamp,
  // tier 2: modern (issue 21)
  cautious,
  adopt,
  adabelief,
  grokfast,
  // domain generalisation (issue 19)
  fish,
  // adversarial training (issue 19)
  rwp,
  adan,
  muon,
  scheduleFreeSgd,
  scheduleFreeAdamw,
  prodigy,
  dadaptAdam,
  dadaptSgd,
  polyakSgd,
  // tier 2: from the seed papers (issue 21)
  normalizedGd,
  lossNormalizedGd,
  sgld,
  noisySgd,
  frugal,
  ghostStep,
  // tier 2: second-order (issue 21)
  lbfgs,
  sophia,
] satisfies readonly OptimizerEntry[]) as OptimizerRegistry;

export const scheduleRegistry = createRegistry<Schedule, ScheduleDeps>('schedule', scheduleEntries);

/**
 * The transformation of an optimizer spec: resolved unless it already is (a config's spec and a
 * wrapper's base are), then created; a wrapper builds its base back through this function.
 */
export function buildTransformation(spec: Spec, at: readonly string[] = ['optimizer'], scheduled: ReadonlySet<string> = new Set()): GradientTransformation {
  return optimizerRegistry.build(spec, at, { at, build: (s, a) => buildTransformation(s, a, scheduled), scheduled });
}

/**
 * The optimizer for `params` (ordered; the closure's gradients follow the same order) from a YAML
 * `optimizer:` spec such as `{ name: 'sam', rho: 0.05, base: { name: 'sgd', lr: 0.1, momentum: 0.9 } }`.
 * A raw spec is resolved here, once; a resolved one (ExperimentConfig.optimizer) is not checked again.
 */
export function createOptimizer(spec: Spec, params: readonly ParamInput[], options: FacadeOptions = {}): Optimizer {
  const resolved = optimizerRegistry.resolve(spec, ['optimizer']);
  const scheduled = new Set((options.scheduled ?? []).map((p) => `optimizer.${p}`));
  const transform = buildTransformation(resolved, ['optimizer'], scheduled);
  for (const p of options.scheduled ?? []) {
    if (!transform.hypers?.[p]?.scheduled) throw new ConfigError([{ path: `schedules.${p}`, message: `optimizer ${String(resolved.name)} cannot schedule ${p}` }], 'config does not fit together');
  }
  return optimizerFacade(transform, resolved, normalizeParams(params), options);
}

/** The schedule of a `schedule:` spec; UnknownNameError / ConfigError on bad input. */
export function createSchedule(spec: Spec, deps: ScheduleDeps, at: readonly string[] = ['schedule']): Schedule {
  return scheduleRegistry.build(spec, at, deps);
}

export type { Closure, Optimizer, StepResult, Schedule, ScheduleDeps } from './types.js';
export type { Evaluate, Evaluation, GradientTransformation, Hyper, Params, StateTree, UpdateContext, Updates } from './transform.js';
export { chain, identity, stateless } from './transform.js';
export type { OptimizerDeps, OptimizerEntry, OptimizerRegistry } from './entry.js';
export type { ScheduleEntry } from './schedules.js';
export type { FacadeOptions, ParamInput } from './optimizer.js';
