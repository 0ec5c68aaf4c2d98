/**
 * The diagnostics' side of a step: their context on the step's batch (the same tensors, no second
 * gather) in eval mode, and the run of those that are due. `evaluate(at)` keeps the optimizer
 * facade's semantics (optim/optimizer.ts): absolute values in ParamSpec order, weights restored by
 * reference afterwards.
 */
import * as tf from '../backends/tf.js';
import { hashSeed } from '../core/random.js';
import type { Batch, LossContext } from '../core/types.js';
import type { DiagnosticContext } from '../diagnostics/index.js';
import type { Experiment } from './build.js';
import { forwardLoss, lossAndGrads, meanLoss, type StepContext } from './step.js';

export function createDiagnosticContext(
  exp: Pick<Experiment, 'model' | 'objective' | 'params'>,
  batch: Batch,
  lctx: LossContext,
  step: number,
): DiagnosticContext {
  const { model, objective, params } = exp;
  const vars = params.map((p) => p.variable);
  const mean = () => meanLoss(forwardLoss(model, objective, batch, lctx).values);
  return {
    params,
    step,
    evaluate(at) {
      if (!at) return lossAndGrads(params, mean);
      if (at.length !== vars.length) throw new Error(`evaluate: ${at.length} values for ${vars.length} parameters`);
      // assign() swaps the variables' data; the clones keep the old buffers to restore
      const origin = vars.map((v) => tf.keep(v.clone()));
      try {
        at.forEach((x, i) => vars[i]!.assign(x));
        return lossAndGrads(params, mean);
      } finally {
        origin.forEach((x, i) => vars[i]!.assign(x));
        tf.dispose(origin);
      }
    },
    perExampleLoss() {
      // the caller owns only the result: the forward pass's intermediates are freed here
      return tf.tidy(() => {
        const { values } = forwardLoss(model, objective, batch, lctx);
        return (values.rank === 0 ? tf.reshape(values, [1]) : values) as tf.Tensor1D;
      });
    },
  };
}

/** Values of the diagnostics due after step `done` (1-based), measured on that step's batch; undefined when none is due. */
export async function runDiagnostics(exp: Experiment, step: StepContext, done: number): Promise<Record<string, number> | undefined> {
  const due = exp.diagnostics.filter((d) => done % d.diagnostic.every === 0);
  if (due.length === 0) return undefined;
  // the step's loss context in eval mode, numbered (and seeded) as the finished step
  const lctx: LossContext = { ...step.loss, step: done, training: false, seed: hashSeed(exp.config.seed, 'loss', done) };
  const ctx = createDiagnosticContext(exp, step.batch, lctx, done);
  const values: Record<string, number> = {};
  for (const d of due) Object.assign(values, await d.diagnostic.run(ctx));
  return values;
}
