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
 * }
 * Losses are means, as torch's default reductions: softmax cross-entropy over examples;
 * MSE over all n·k outputs. Labels drawn from the model (ctx.evaluateSampled, Sophia's GNB) read
 * the outputs as logits on both problems.
 */
import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { z } from 'zod';
import * as tf from '../backends/tf.js';
import { ConfigError, ExitCode, RunnerError, type ExitCodeValue } from '../core/errors.js';
import { createOptimizer } from '../optim/index.js';
import type { SampledLabels } from '../optim/types.js';
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
  const run = replayRuns++;
  const vars = names.map((n) => tf.variable(tf.tensor(problem.params[n]!), true, `replay${run}/${n}`));
  const x = tf.tensor2d(problem.x);
  const y = problem.problem === 'linear-softmax' ? tf.oneHot(tf.tensor1d(problem.y as number[], 'int32'), vars[0]!.shape[1]!) : tf.tensor2d(problem.y as number[][]);
  const outputs = (): tf.Tensor2D => {
    if (problem.problem === 'linear-softmax') return tf.add(tf.matMul(x, vars[0]!), vars[1]!);
    const h = tf.tanh(tf.add(tf.matMul(x, vars[0]!), vars[1]!));
    return tf.add(tf.matMul(h, vars[2]!), vars[3]!);
  };
  const lossFn = (): tf.Scalar => tf.tidy(() => {
    if (problem.problem === 'linear-softmax') return tf.mean(tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(outputs())), 1)));
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
  const opt = createOptimizer(problem.optimizer, names.map((n, i) => ({ name: n, variable: vars[i]!, role: n.startsWith('W') ? 'kernel' as const : 'bias' as const })));
  const out: ReplayStep[] = [];
  try {
    for (let s = 0; s < steps; s++) {
      const r = tf.tidy(() => {
        const res = opt.step(() => {
          const { value, grads } = tf.variableGrads(lossFn, vars);
          return { loss: value, grads: vars.map((v) => grads[v.name]!) };
        }, undefined, { sampled });
        return { loss: res.loss, gradEvals: res.gradEvals, diag: { ...(res.diagnostics ?? {}) } };
      });
      const after = lossFn();
      const diagnostics: Record<string, number> = {};
      for (const [k, t] of Object.entries(r.diag)) diagnostics[k] = (await t.data())[0]!;
      const params: Record<string, number[] | number[][]> = {};
      for (let i = 0; i < names.length; i++) params[names[i]!] = (await vars[i]!.array()) as number[] | number[][];
      out.push({ loss_returned: (await r.loss.data())[0]!, loss_after: (await after.data())[0]!, grad_evals: r.gradEvals, params, diagnostics });
      tf.dispose([r.loss, after, ...Object.values(r.diag)]);
    }
  } finally {
    opt.dispose();
    tf.dispose([x, y, ...vars]);
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
