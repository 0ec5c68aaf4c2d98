/**
 * `minima sweep SWEEP.yaml [a.b=value | a.b=v1,v2 ...]`: expands and validates every trial, then
 * runs them (local workers or a Slurm job array) into runs/<sweep-name>/. Running the same command
 * again resumes: completed trials are skipped, interrupted ones resumed, failed ones rerun with
 * --retry-failed. `minima sweep SWEEP_DIR --task N` (internal) runs trial N for a Slurm array task.
 * Exit: 0 every trial completed or pruned, 6 some failed or diverged, 130 interrupted, 2 invalid.
 */
import { availableParallelism } from 'node:os';
import { relative, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { readFileSync, existsSync, statSync } from 'node:fs';
import { z } from 'zod';
import { ExitCode, RunnerError, type ExitCodeValue } from '../core/errors.js';
import { executeLocal, peerReader } from '../sweep/execute-local.js';
import { prepareSweep, type PreparedSweep } from '../sweep/prepare.js';
import { createReporter, trialResultText } from '../sweep/progress.js';
import { configDiff, type ResolveConfig } from '../sweep/resolve-trials.js';
import { BIN_PATH, runTrial } from '../sweep/run-trial.js';
import { submitSlurm, trialsToSubmit } from '../sweep/slurm.js';
import { earlyStoppingSchema, type EarlyStoppingSpec } from '../sweep/spec.js';
import { isSuccess, SweepDir, type PlannedTrial, type TrialRecord } from '../sweep/sweep-dir.js';
import type { CommandContext } from './context.js';

export const sweepOptions = z.object({
  sweep: z.string().min(1).describe('sweep file (or, with --task, the sweep folder)'),
  overrides: z.array(z.string()).default([]).describe('a.b=value for every trial; a.b=v1,v2 adds a grid axis'),
  dryRun: z.boolean().default(false).describe('print the plan (trial ids and values that differ from the base) and run nothing'),
  workers: z.coerce.number().int().positive().optional().describe('parallel trials (local; default: sweep file, else available cores)'),
  executor: z.enum(['local', 'slurm']).default('local').describe('local child processes, or an sbatch job array'),
  runsDir: z.string().default('runs').describe('root of the sweep folder'),
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/).optional().describe('sweep folder name (default: the sweep file\'s name:)'),
  retryFailed: z.boolean().default(false).describe('rerun failed, diverged and pruned trials'),
  task: z.coerce.number().int().min(0).optional().describe('internal: run trial N of the sweep folder (Slurm array task)'),
  json: z.boolean().default(false).describe('machine output on stdout'),
  /** Tests inject the config resolver and the CLI path. */
  resolveConfig: z.custom<ResolveConfig>((v) => typeof v === 'function').optional(),
  binPath: z.string().optional(),
  pollMs: z.number().positive().optional(),
}).strict();
export type SweepOptions = z.input<typeof sweepOptions>;

export async function sweep(options: SweepOptions, ctx: CommandContext): Promise<ExitCodeValue> {
  const o = sweepOptions.parse(options);
  if (o.task !== undefined) return runTask(o.sweep, o.task, o, ctx);
  const p = await prepareSweep(o.sweep, o.overrides, { cwd: ctx.cwd, runsDir: o.runsDir, name: o.name, resolveConfig: o.resolveConfig });
  if (o.dryRun) {
    ctx.stdout.write(o.json ? `${JSON.stringify(dryRunJson(p))}\n` : dryRunText(p, ctx.cwd));
    return ExitCode.ok;
  }
  p.sweep.ensure();
  p.sweep.writeSweepYaml(p.resolved);
  const { current, stale } = p.sweep.mergePlan(p.name, p.loaded.basePath, p.trials);
  if (stale.length > 0) ctx.stderr.write(`note: ${stale.length} trial(s) from an earlier expansion of ${p.name} are not in this one; they are kept and not run\n`);
  p.sweep.writeTrialsJsonl();
  return o.executor === 'slurm' ? submit(p, current, o, ctx) : runLocal(p, current, o, ctx);
}

type Parsed = z.output<typeof sweepOptions>;

async function runLocal(p: PreparedSweep, trials: readonly PlannedTrial[], o: Parsed, ctx: CommandContext): Promise<ExitCodeValue> {
  const workers = o.workers ?? p.loaded.spec.workers ?? availableParallelism();
  const pending = trials.filter((t) => !isSuccess(p.sweep.readRecord(t.id)?.status ?? 'pending'));
  const where = relative(ctx.cwd, p.sweep.dir) || '.';
  ctx.stderr.write(`sweep ${p.name}: ${trials.length} trials, ${trials.length - pending.length} already done, ${Math.min(workers, Math.max(pending.length, 1))} worker(s) → ${where}\n`);
  const reporter = createReporter(trials.length, trials.length - pending.length, ctx.stderr, ctx.isTTY, Math.min(workers, Math.max(pending.length, 1)));
  let outcomes: Awaited<ReturnType<typeof executeLocal>>;
  try {
    outcomes = await executeLocal({
      sweep: p.sweep, trials: pending, base: p.loaded.basePath, cwd: ctx.cwd, workers, retryFailed: o.retryFailed,
      signal: ctx.signal, earlyStopping: p.loaded.spec.early_stopping, reporter,
      onRecord: () => p.sweep.writeTrialsJsonl(), pollMs: o.pollMs, binPath: o.binPath,
    });
  } finally {
    reporter.stop();
  }
  const records = p.sweep.writeTrialsJsonl();
  const mine = new Set(trials.map((t) => t.id));
  const current = records.filter((r) => mine.has(r.id));
  const locked = outcomes.filter((x) => x.locked).length;
  const code = ctx.signal.aborted ? ExitCode.interrupted : exitCodeFor(current, locked);
  report(ctx, o.json, p.sweep.dir, where, current, code, locked);
  return code;
}

function exitCodeFor(records: readonly TrialRecord[], locked: number): ExitCodeValue {
  return records.every((r) => isSuccess(r.status)) && locked === 0 ? ExitCode.ok : ExitCode.sweepFailed;
}

function countStatuses(records: readonly TrialRecord[]): Record<string, number> {
  const c: Record<string, number> = {};
  for (const r of records) c[r.status] = (c[r.status] ?? 0) + 1;
  return c;
}

function report(ctx: CommandContext, json: boolean, dir: string, where: string, records: readonly TrialRecord[], code: number, locked: number): void {
  const counts = countStatuses(records);
  const text = Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ');
  for (const r of records.filter((x) => x.status === 'failed' || x.status === 'diverged')) {
    ctx.stderr.write(`  ${r.run_dir}: ${trialResultText(r)}\n`);
  }
  if (locked > 0) ctx.stderr.write(`${locked} trial(s) are being run by another process\n`);
  ctx.stderr.write(code === ExitCode.interrupted
    ? `interrupted: ${text}; run the same command again to resume\n`
    : `${records.length} trials: ${text} (${where}); see \`minima sweep summary ${where}\`\n`);
  if (json) ctx.stdout.write(`${JSON.stringify({ sweep_dir: dir, exit_code: code, trials: records.length, counts })}\n`);
}

function submit(p: PreparedSweep, trials: readonly PlannedTrial[], o: Parsed, ctx: CommandContext): ExitCodeValue {
  const where = relative(ctx.cwd, p.sweep.dir) || '.';
  const { submit: todo, inFlight, done } = trialsToSubmit(p.sweep, trials, o.retryFailed);
  if (todo.length === 0) {
    ctx.stderr.write(`nothing to submit: ${done.length} trial(s) done, ${inFlight.length} still queued or running; \`minima sweep status ${where}\`\n`);
    if (o.json) ctx.stdout.write(`${JSON.stringify({ sweep_dir: p.sweep.dir, job_id: null, submitted: 0, in_flight: inFlight.length })}\n`);
    const current = p.sweep.records().filter((r) => trials.some((t) => t.id === r.id));
    return inFlight.length > 0 ? ExitCode.ok : exitCodeFor(current, 0);
  }
  const { jobId, script } = submitSlurm(p.sweep, {
    name: p.name, sweepDir: p.sweep.dir, cwd: ctx.cwd, indices: todo.map((t) => t.index), slurm: p.loaded.spec.slurm,
    retryFailed: o.retryFailed, nodePath: process.execPath, binPath: o.binPath ?? BIN_PATH,
  });
  const now = new Date().toISOString();
  for (const t of todo) {
    const rec = p.sweep.readRecord(t.id);
    const base: TrialRecord = rec ?? { index: t.index, id: t.id, run_dir: t.dir, params: Object.fromEntries(t.assignments.map((a) => [a.path, a.value])), status: 'pending', attempts: 0, updated_at: now };
    p.sweep.writeRecord({ ...base, status: rec && (rec.status === 'failed' || rec.status === 'diverged') && !o.retryFailed ? rec.status : 'queued', slurm: { job_id: jobId, task_id: t.index }, updated_at: now });
  }
  p.sweep.writeTrialsJsonl();
  ctx.stderr.write(`submitted Slurm job ${jobId}: ${todo.length} trial(s)${inFlight.length ? `, ${inFlight.length} still in flight` : ''}, ${done.length} done (${relative(ctx.cwd, script)}); follow with \`minima sweep status ${where}\`\n`);
  if (o.json) ctx.stdout.write(`${JSON.stringify({ sweep_dir: p.sweep.dir, job_id: jobId, submitted: todo.length, in_flight: inFlight.length, script })}\n`);
  return ExitCode.ok;
}

/** One Slurm array task: trial `index` of an existing sweep folder. */
async function runTask(dir: string, index: number, o: Parsed, ctx: CommandContext): Promise<ExitCodeValue> {
  const sweepDir = new SweepDir(resolve(ctx.cwd, dir));
  if (!existsSync(sweepDir.dir) || !statSync(sweepDir.dir).isDirectory()) throw new RunnerError('RUN_NOT_FOUND', `--task needs a sweep folder, got ${dir}`, ExitCode.usage);
  const plan = sweepDir.readPlan();
  const trial = plan.trials.find((t) => t.index === index);
  if (!trial) throw new RunnerError('USAGE', `${dir} has no trial ${index} (0..${plan.trials.length - 1})`, ExitCode.usage);
  const resolved = parseYaml(readFileSync(resolve(sweepDir.dir, 'sweep.yaml'), 'utf8')) as { early_stopping?: unknown };
  const earlyStopping: EarlyStoppingSpec | undefined = resolved.early_stopping ? earlyStoppingSchema.parse(resolved.early_stopping) : undefined;
  const jobId = process.env.SLURM_ARRAY_JOB_ID ?? process.env.SLURM_JOB_ID;
  const peers = earlyStopping ? peerReader(sweepDir, plan.trials, earlyStopping.metric) : undefined;
  ctx.stderr.write(`sweep ${plan.name}: trial ${index} ${trial.dir} (${trial.id})\n`);
  const outcome = await runTrial({
    sweep: sweepDir, trial, base: plan.base, cwd: ctx.cwd, retryFailed: o.retryFailed, signal: ctx.signal,
    earlyStopping, peers: peers ? () => peers(trial.id) : undefined,
    ...(jobId ? { slurm: { job_id: jobId, task_id: index } } : {}),
    pollMs: o.pollMs, binPath: o.binPath,
  });
  sweepDir.writeTrialsJsonl(plan);
  const r = outcome.record;
  ctx.stderr.write(outcome.locked ? `trial ${index} is being run by another process\n` : `trial ${index}: ${trialResultText(r)}\n`);
  if (o.json) ctx.stdout.write(`${JSON.stringify({ ...r, locked: outcome.locked ?? false })}\n`);
  if (outcome.locked) return ExitCode.sweepFailed;
  return isSuccess(r.status) ? ExitCode.ok : r.status === 'diverged' ? ExitCode.diverged : r.status === 'interrupted' ? ExitCode.interrupted : ExitCode.sweepFailed;
}

function dryRunJson(p: PreparedSweep): unknown {
  return {
    name: p.name,
    sweep_dir: p.sweep.dir,
    base: p.loaded.basePath,
    trials: p.trials.map((t) => ({
      index: t.index, id: t.id, dir: t.dir,
      params: Object.fromEntries(t.assignments.map((a) => [a.path, a.value])),
      overrides: t.overrides,
      differs: configDiff(p.baseConfig, t.config),
    })),
  };
}

export function dryRunText(p: PreparedSweep, cwd: string): string {
  const spec = p.loaded.spec;
  const parts = [
    ...Object.entries(p.grid).map(([k, v]) => `${k} (${v.length})`),
    ...(Object.keys(spec.zip).length ? [`zip ${Object.keys(spec.zip).join('+')} (${Object.values(spec.zip)[0]!.length})`] : []),
    ...(spec.random ? [`random (${spec.random.trials})`] : []),
    ...(spec.seeds !== undefined ? [`seeds (${typeof spec.seeds === 'number' ? spec.seeds : spec.seeds.length})`] : []),
  ];
  const existing = p.sweep.exists() ? new Map(p.sweep.records().map((r) => [r.id, r.status])) : new Map<string, string>();
  const rows = p.trials.map((t) => [String(t.index), t.id, t.dir, existing.get(t.id) ?? 'new', configDiff(p.baseConfig, t.config).join(' ') || '(same as base)']);
  const header = ['#', 'id', 'folder', 'status', 'differs from base'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: readonly string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [
    `sweep ${p.name}: ${p.trials.length} trial${p.trials.length === 1 ? '' : 's'}${parts.length ? ` = ${parts.join(' × ')}` : ''}`,
    `base: ${relative(cwd, p.loaded.basePath)}${p.fixed.length ? ` with ${p.fixed.join(' ')}` : ''}`,
    `folder: ${relative(cwd, p.sweep.dir) || '.'}`,
    fmt(header),
    ...rows.map(fmt),
    '',
  ].join('\n');
}
