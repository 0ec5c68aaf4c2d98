/**
 * Which optimizer hyperparameters a config schedules, besides lr: the keys of `schedules:` (paths in
 * the optimizer spec: `momentum`, `weight_decay`, `rho`, `base.momentum`) and the momentum or β1
 * that one-cycle cycles. The config rule and the build read the same answers from here: what an
 * entry declares schedulable (OptimizerEntry.schedulable) and whether a wrapper passes schedules on
 * to its base (schedulesBase).
 */
import type { Spec } from '../core/registry.js';

/** The facts of an optimizer entry that decide what can be scheduled. */
export interface SchedulableFacts {
  readonly schedulable?: readonly string[];
  readonly schedulesBase?: boolean;
}
export type FactsOf = (name: string) => SchedulableFacts | undefined;

/** Why `path` cannot be scheduled on optimizer `spec`; undefined when it can. */
export function unschedulable(spec: Spec, path: string, facts: FactsOf): string | undefined {
  if (path === 'lr' || path.endsWith('.lr')) return 'the learning rate is scheduled by `schedule:`';
  const parts = path.split('.');
  let s: Spec = spec;
  for (const part of parts.slice(0, -1)) {
    const f = facts(s.name);
    const nested = (s as Record<string, unknown>)[part];
    if (part !== 'base' || typeof nested !== 'object' || nested === null) return `optimizer ${s.name} has no nested optimizer "${part}"`;
    if (!f?.schedulesBase) return `${s.name} does not pass schedules on to its base`;
    s = nested as Spec;
  }
  const option = parts[parts.length - 1]!;
  const allowed = facts(s.name)?.schedulable ?? [];
  if (allowed.includes(option)) return undefined;
  return `optimizer ${s.name} cannot schedule ${option} (schedulable: ${allowed.length > 0 ? allowed.join(', ') : 'none besides lr'})`;
}

/**
 * The path of the momentum one-cycle cycles: that of the innermost base (the optimizer whose lr the
 * schedule drives), its `momentum` or else its `beta1`, as torch's OneCycleLR takes `momentum` or
 * `betas[0]`; undefined when it has neither (or a wrapper on the way does not pass schedules on).
 */
export function cycledMomentumPath(spec: Spec, facts: FactsOf): string | undefined {
  let s: Spec = spec;
  const prefix: string[] = [];
  for (;;) {
    const f = facts(s.name);
    const base = (s as Record<string, unknown>)['base'];
    if (!f?.schedulesBase || typeof base !== 'object' || base === null) break;
    prefix.push('base');
    s = base as Spec;
  }
  const allowed = facts(s.name)?.schedulable ?? [];
  const option = allowed.includes('momentum') ? 'momentum' : allowed.includes('beta1') ? 'beta1' : undefined;
  return option === undefined ? undefined : [...prefix, option].join('.');
}

/** The one wording of "one-cycle cannot cycle this optimizer's momentum" (config rule and build). */
export function noMomentumMessage(optimizer: string): string {
  return `cycle_momentum: optimizer ${optimizer} has no momentum or β1 that a schedule can drive (torch raises too); set cycle_momentum: false`;
}
