/**
 * Loss wrappers: an entry with a nested `base:` loss (needs.wraps 'base') whose objective
 * transforms the base's values at batch level. The base is built with its own `extra` terms
 * (so a wrapper sees the base's whole objective) through LossBuildDeps.buildLoss at `<path>.base`;
 * the wrapper passes through the base's needs (task, input), variables, state, commit and
 * probabilities. In evaluation (ctx.training false) a wrapper reports the base's plain values.
 */
import * as tf from '../backends/tf.js';
import { RunnerError } from '../core/errors.js';
import type { Spec } from '../core/registry.js';
import type { LossContext, LossDeps, LossInput, LossNeeds, Objective } from '../core/types.js';
import type { LossBuildDeps } from './common.js';

/** The nested slots of a wrapper: `base:` (required) and the `extra:` every loss has. */
export const baseSlot = { base: { kind: 'loss' }, extra: { kind: 'loss', list: true, optional: true } } as const;

/** Builds the wrapper's base spec (from options.base) at `<path>.base`. */
export function buildBase(name: string, opts: object, deps: LossDeps, perExample?: { readonly verb: string }): Objective {
  const options = opts as { readonly base?: unknown };
  const d = deps as LossBuildDeps;
  const path = d.path ?? 'loss';
  if (!d.buildLoss) throw new RunnerError('CONFIG_INVALID', `${path}: "${name}" must be built through the loss registry (its base: needs it)`);
  if (typeof options.base !== 'object' || options.base === null) throw new RunnerError('CONFIG_INVALID', `${path}.base: "${name}" needs a base loss spec`);
  const base = d.buildLoss(options.base as Spec, deps, `${path}.base`);
  // A wrapper that works on per-example values (perExample.verb: what it does to them) refuses a batch-level base.
  if (perExample && base.needs.reduction !== 'per-example') {
    base.dispose();
    throw new RunnerError('CONFIG_INVALID', `${path}.base: ${name} ${perExample.verb} per-example losses, but its base is batch-level`);
  }
  return base;
}

/**
 * An objective that computes `transform(base values, ctx, input)` while training and the base's values
 * in evaluation; everything else is the base's.
 */
export function wrapObjective(
  base: Objective,
  reduction: LossNeeds['reduction'],
  transform: (values: tf.Tensor, ctx: LossContext, input: LossInput) => tf.Tensor,
): Objective {
  const needs: LossNeeds = { ...base.needs, reduction };
  return {
    needs,
    variables: base.variables,
    compute(input: LossInput, ctx: LossContext) {
      return tf.tidy(() => {
        const values = base.compute(input, ctx);
        return ctx.training ? transform(values, ctx, input) : values;
      });
    },
    ...(base.probabilities ? { probabilities: base.probabilities.bind(base) } : {}),
    ...(base.commit ? { commit: base.commit.bind(base) } : {}),
    ...(base.getState ? { getState: base.getState.bind(base) } : {}),
    ...(base.setState ? { setState: base.setState.bind(base) } : {}),
    dispose: () => base.dispose(),
  };
}
