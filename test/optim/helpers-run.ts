/** Run an optimizer spec on a problem from given starting values; returns the flat parameter trajectory. */
import type { Spec } from '../../src/core/registry.js';
import { createOptimizer } from '../../src/optim/index.js';
import { closureOf, disposeParams, flat, makeParams, runSteps, type ParamDef, type Problem } from './helpers.js';

export interface Trajectory {
  /** Flat parameters after each step. */
  readonly params: number[][];
  readonly losses: number[];
  readonly diagnostics: Record<string, number>[];
  readonly gradEvals: number[];
}

export function trajectory(spec: Spec, defs: readonly ParamDef[], problem: Problem, steps: number): Trajectory {
  const params = makeParams(defs);
  const opt = createOptimizer(spec, params);
  const closure = closureOf(params, problem);
  const out: Trajectory = { params: [], losses: [], diagnostics: [], gradEvals: [] };
  for (let i = 0; i < steps; i++) {
    const r = runSteps(opt, closure, 1);
    out.params.push(flat(params));
    out.losses.push(r.losses[0]!);
    out.diagnostics.push(r.diagnostics[0]!);
    out.gradEvals.push(r.gradEvals[0]!);
  }
  opt.dispose();
  disposeParams(params);
  return out;
}
