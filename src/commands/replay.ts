/**
 * `minima replay PROBLEM.json --steps N --out traj.json`: runs one optimizer on a tiny full-batch
 * problem and writes its trajectory, for step-by-step comparison with a trajectory produced by the
 * official PyTorch/JAX code on the same problem (references/optimizers.md §15.7).
 *
 * Problem file: {
 *   "problem": "linear-softmax" | "mlp-tanh-mse",
 *   "x": number[][],                    // [n, d]
 *   "y": number[] | number[][],         // class ids (linear-softmax) or targets [n, k] (mlp-tanh-mse)
 *   "params": {"W": ..., "b": ...}      // linear-softmax: W [d, k], b [k];  mlp-tanh-mse: W1 [d, h], b1, W2 [h, k], b2
 *   "optimizer": {name, ...}            // the YAML optimizer block
 *   "steps": 10                         // optional; --steps wins
 *   "loss": {name, ...}                 // optional, linear-softmax only: a loss block in place of softmax CE
 *   "ema": {decay, warmup, ...}         // optional: train.ema, the teacher of a distilling loss (mesa)
 *   "steps_per_epoch": 1                // optional: the loss's epoch is ⌊step / steps_per_epoch⌋
 * }
 * Losses are means, as torch's default reductions: softmax cross-entropy over examples;
 * MSE over all n·k outputs; a `loss` block's per-example values averaged. With `ema`, the teacher's
 * logits are taken at the EMA weights once per step before the step, and the EMA moves after it,
 * as the trainer does (src/train/trainer.ts), so MESA's teacher is compared too. Labels drawn from
 * the model (ctx.evaluateSampled, Sophia's GNB) read the outputs as logits on both problems.
 */
import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { emaSchema } from '../config/schema.js';
import { ConfigError, ExitCode, RunnerError, type ExitCodeValue } from '../core/errors.js';
import type { ParamSpec } from '../core/types.js';
import { createLoss } from '../losses/index.js';
import { createOptimizer } from '../optim/index.js';
import type { SampledLabels } from '../optim/types.js';
import { createEma } from '../train/ema.js';
import { writeJsonAtomic } from '../run/atomic.js';
import { drawLabels } from '../train/sampled-labels.js';
import { initCliBackend } from './shared.js';
import type { CommandContext } from './context.js';

export const replayOptions = z.object({
  problem: z.string(),
  steps: z.number().int().positive().optional(),
  out: z.string().optional(),
  backend: z.enum(['cpu', 'wasm', 'webgpu', 'tensorflow', 'auto']).default('cpu'),
});
export type ReplayOptions = z.input<typeof replayOptions>;

const matrix = z.array(z.array(z.number()).min(1)).min(1);
const problemSchema = z.strictObject({
  problem: z.enum(['linear-softmax', 'mlp-tanh-mse']),
  x: matrix,
  y: z.union([z.array(z.number().int().min(0)), matrix]),
  params: z.record(z.string(), z.union([z.array(z.number()), matrix])),
  optimizer: z.looseObject({ name: z.string() }),
  steps: z.number().int().positive().optional(),
  loss: z.looseObject({ name: z.string() }).optional(),
  ema: emaSchema.optional(),
  steps_per_epoch: z.number().int().positive().optional(),
});
export type ReplayProblem = z.output<typeof problemSchema>;

const layouts = {
  'linear-softmax': ['W', 'b'],
  'mlp-tanh-mse': ['W1', 'b1', 'W2', 'b2'],
} as const;

export interface ReplayStep {
  readonly loss_returned: number;
  readonly loss_after: number;
  readonly grad_evals: number;
  readonly params: Record<string, number[] | number[][]>;
  readonly diagnostics: Record<string, number>;
}

let replayRuns = 0;

/** Runs the trajectory in-process (the command and tests share it). */
export async function replayTrajectory(problem: ReplayProblem, steps: number): Promise<{ steps: ReplayStep[] }> {
  const names = layouts[problem.problem];
  const missing = names.filter((n) => !(n in problem.params));
  if (missing.length > 0) throw new ConfigError(missing.map((n) => ({ path: `params.${n}`, message: `missing parameter for ${problem.problem}` })), 'invalid replay problem');
  if (problem.loss && problem.problem !== 'linear-softmax') throw new ConfigError([{ path: 'loss', message: 'a loss block needs the linear-softmax problem (class ids)' }], 'invalid replay problem');
  const run = replayRuns++;
  const vars = names.map((n) => tf.variable(tf.tensor(problem.params[n]!), true, `replay${run}/${n}`));
  const specs: ParamSpec[] = names.map((n, i) => ({ name: n, variable: vars[i]!, role: n.startsWith('W') ? 'kernel' as const : 'bias' as const, owner: 'model' as const }));
  const x = tf.tensor2d(problem.x);
  const y = problem.problem === 'linear-softmax' ? tf.oneHot(tf.tensor1d(problem.y as number[], 'int32'), vars[0]!.shape[1]!) : tf.tensor2d(problem.y as number[][]);
  const ids = problem.loss ? tf.tensor1d(problem.y as number[], 'int32') : undefined;
  const loss = problem.loss ? createLoss(problem.loss, { numClasses: vars[0]!.shape[1]!, task: 'classification', rows: problem.x.length }) : undefined;
  const ema = problem.ema ? createEma(problem.ema, specs, []) : undefined;
  const logitsAt = (w: readonly tf.Tensor[]): tf.Tensor2D => tf.add(tf.matMul(x, w[0] as tf.Tensor2D), w[1]!);
  const outputs = (): tf.Tensor2D => {
    if (problem.problem === 'linear-softmax') return logitsAt(vars);
    const h = tf.tanh(tf.add(tf.matMul(x, vars[0]!), vars[1]!));
    return tf.add(tf.matMul(h, vars[2]!), vars[3]!);
  };
  const lossFn = (s: number, teacher?: tf.Tensor2D): tf.Scalar => tf.tidy(() => {
    if (problem.problem === 'linear-softmax') {
      const logits = outputs();
      if (loss) return tf.mean(loss(logits, ids!, { step: s, epoch: Math.floor(s / (problem.steps_per_epoch ?? 1)), training: true, ...(teacher ? { teacher } : {}) }));
      return tf.mean(tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(logits)), 1)));
    }
    return tf.mean(tf.square(tf.sub(outputs(), y)));
  });
  // Sophia's GNB estimator: CE against labels drawn from the softmax of the outputs (the MLP's two
  // outputs read as logits too, so both problems exercise it)
  const sampled: SampledLabels = (seed) => {
    const { value, grads } = tf.variableGrads(() => {
      const logits = outputs();
      const k = logits.shape[1];
      const labels = drawLabels(tf.softmax(logits).dataSync(), x.shape[0]!, k, seed);
      return tf.mean(tf.neg(tf.sum(tf.mul(tf.oneHot(tf.tensor1d(labels, 'int32'), k), tf.logSoftmax(logits)), 1)));
    }, vars);
    return { loss: value, grads: vars.map((v) => grads[v.name]!), rows: x.shape[0]! };
  };
  const opt = createOptimizer(problem.optimizer, specs);
  const out: ReplayStep[] = [];
  try {
    for (let s = 0; s < steps; s++) {
      // the teacher's logits once per step, before the step (the trainer's teacherOutputs)
      const teacher = ema ? tf.tidy(() => logitsAt(ema.values())) : undefined;
      const r = tf.tidy(() => {
        const res = opt.step(() => {
          const { value, grads } = tf.variableGrads(() => lossFn(s, teacher), vars);
          return { loss: value, grads: vars.map((v) => grads[v.name]!) };
        }, undefined, { sampled });
        return { loss: res.loss, gradEvals: res.gradEvals, diag: { ...(res.diagnostics ?? {}) } };
      });
      ema?.update(s + 1);
      const after = lossFn(s, teacher);
      const diagnostics: Record<string, number> = {};
      for (const [k, t] of Object.entries(r.diag)) diagnostics[k] = (await t.data())[0]!;
      const params: Record<string, number[] | number[][]> = {};
      for (let i = 0; i < names.length; i++) params[names[i]!] = (await vars[i]!.array()) as number[] | number[][];
      out.push({ loss_returned: (await r.loss.data())[0]!, loss_after: (await after.data())[0]!, grad_evals: r.gradEvals, params, diagnostics });
      tf.dispose([r.loss, after, ...Object.values(r.diag), ...(teacher ? [teacher] : [])]);
    }
  } finally {
    opt.dispose();
    ema?.dispose();
    loss?.dispose();
    tf.dispose([x, y, ...(ids ? [ids] : []), ...vars]);
  }
  return { steps: out };
}

export async function replay(input: ReplayOptions, ctx: CommandContext): Promise<ExitCodeValue> {
  const o = replayOptions.parse(input);
  const path = resolvePath(ctx.cwd, o.problem);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new RunnerError('CONFIG_NOT_FOUND', `cannot read problem ${o.problem}: ${(err as Error).message}`);
  }
  const parsed = problemSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message, file: o.problem })), `invalid replay problem ${o.problem}`);
  }
  await initCliBackend(o.backend);
  const traj = await replayTrajectory(parsed.data, o.steps ?? parsed.data.steps ?? 10);
  if (o.out) {
    writeJsonAtomic(resolvePath(ctx.cwd, o.out), traj);
    ctx.stdout.write(`${resolvePath(ctx.cwd, o.out)}\n`);
  } else {
    ctx.stdout.write(`${JSON.stringify(traj)}\n`);
  }
  return ExitCode.ok;
}
