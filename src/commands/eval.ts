/**
 * `minima eval --ensemble RUN_DIR [--split test] [--from-step N] [--json]`: the sample ensemble of a
 * run's kept checkpoints (SGLD / noisy-SGD chains: set `train.keep_checkpoints` to keep them). Each
 * checkpoint at step ≥ N predicts the split; the class probabilities are averaged, and the average's
 * metrics are printed beside the last member's. Reads the run folder, writes nothing into it.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { loadExperiment } from '../config/load.js';
import { ExitCode, RunnerError, type ExitCodeValue } from '../core/errors.js';
import { evaluateExpectations, formatExpectationReport, parseExpectation } from '../expect/index.js';
import { listCheckpoints } from '../run/checkpoint.js';
import { readMetaJson } from '../run/run-folder.js';
import { buildExperiment } from '../train/build.js';
import { loadWeights, probabilityMetrics, splitProbabilities } from '../train/ensemble.js';
import type { CommandContext } from './context.js';
import { dirOfRun } from './resume.js';
import { initCliBackend } from './shared.js';

export const evalOptions = z.object({
  ensemble: z.string().min(1).describe('run folder whose checkpoints are the ensemble members'),
  split: z.enum(['train', 'test']).default('test').describe('split to evaluate'),
  fromStep: z.number().int().min(0).default(0).describe('burn-in: only checkpoints at step ≥ this'),
  json: z.boolean().default(false).describe('print the result as one JSON line on stdout'),
  expect: z.array(z.string()).default([]).describe('expectation on ensemble.<m>, last.<m> or gain.<m> (last − ensemble for nll/ece/brier, ensemble − last otherwise), e.g. "gain.nll>0"; exit 4 when one fails'),
}).strict();
export type EvalOptions = z.input<typeof evalOptions>;

export interface EnsembleResult {
  readonly run_dir: string;
  readonly split: 'train' | 'test';
  readonly members: readonly number[];
  readonly ensemble: Readonly<Record<string, number>>;
  readonly last: Readonly<Record<string, number>>;
}

export async function evaluateEnsemble(input: EvalOptions, ctx: CommandContext): Promise<EnsembleResult> {
  const o = evalOptions.parse(input);
  const dir = resolve(ctx.cwd, o.ensemble);
  const configPath = join(dir, 'config.yaml');
  if (!existsSync(configPath)) throw new RunnerError('RUN_NOT_FOUND', `${o.ensemble} is not a run folder (no config.yaml)`);
  const members = listCheckpoints(join(dir, 'checkpoints')).filter((c) => c.step >= o.fromStep);
  if (members.length === 0) throw new RunnerError('USAGE', `${o.ensemble} has no checkpoint at step ≥ ${o.fromStep} (keep them with train.keep_checkpoints)`);
  const loaded = await loadExperiment(configPath, [], { cwd: ctx.cwd });
  await initCliBackend(loaded.config.backend);
  const meta = readMetaJson(join(dir, 'meta.json')).value ?? {};
  const exp = await buildExperiment(loaded.config, { cwd: ctx.cwd, configDir: dirOfRun(meta, loaded.configDir) });
  try {
    const k = exp.dataset.spec.numClasses;
    let sum: Float64Array | undefined;
    let last: { probs: Float32Array; y: Int32Array } | undefined;
    for (const m of members) {
      loadWeights(exp, m.dir);
      last = await splitProbabilities(exp, o.split);
      sum ??= new Float64Array(last.probs.length);
      for (let i = 0; i < sum.length; i++) sum[i]! += last.probs[i]!;
    }
    const mean = Float32Array.from(sum!, (v) => v / members.length);
    return { run_dir: dir, split: o.split, members: members.map((m) => m.step), ensemble: probabilityMetrics(mean, last!.y, k), last: probabilityMetrics(last!.probs, last!.y, k) };
  } finally {
    exp.dispose();
  }
}

const SHOWN = ['accuracy', 'nll', 'ece', 'brier'];
/** Metrics where lower is better: their gain is last − ensemble. */
const LOWER_BETTER = new Set(['nll', 'ece', 'adaptive_ece', 'brier', 'loss']);

/** ensemble.<m>, last.<m> and gain.<m> (the ensemble's improvement: positive when it is better). */
export function ensembleValues(r: EnsembleResult): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(r.ensemble)) {
    out[`ensemble.${k}`] = v;
    const l = r.last[k];
    if (l === undefined) continue;
    out[`last.${k}`] = l;
    out[`gain.${k}`] = LOWER_BETTER.has(k) ? l - v : v - l;
  }
  return out;
}

export async function evalCommand(input: EvalOptions, ctx: CommandContext): Promise<ExitCodeValue> {
  const o = evalOptions.parse(input);
  const exprs = o.expect.map(parseExpectation); // syntax errors before any work (exit 2)
  const r = await evaluateEnsemble(input, ctx);
  const report = exprs.length > 0 ? evaluateExpectations({ final: ensembleValues(r) }, exprs) : undefined;
  if (o.json) {
    ctx.stdout.write(`${JSON.stringify({ ...r, ...(report ? { expectations: report } : {}) })}\n`);
  } else {
    ctx.stdout.write(`ensemble of ${r.members.length} checkpoints (steps ${r.members.join(', ')}) on ${r.split}\n`);
    for (const key of SHOWN.filter((m) => r.ensemble[m] !== undefined)) {
      ctx.stdout.write(`  ${key.padEnd(9)} ensemble ${r.ensemble[key]!.toFixed(4)}   last ${r.last[key]!.toFixed(4)}\n`);
    }
    if (report) ctx.stdout.write(formatExpectationReport(report));
  }
  return report && !report.ok ? ExitCode.expectation : ExitCode.ok;
}
