/**
 * One training session in a run folder, shared by `minima run` and `minima resume`: writes
 * status/summary/meta around the training loop and turns its outcome into a status and exit code.
 */
import { readFileSync, existsSync } from 'node:fs';
import { hostname } from 'node:os';
import * as tf from '../backends/tf.js';
import type { BackendInfo } from '../backends/index.js';
import { ExitCode, RunnerError, type ExitCodeValue } from '../core/errors.js';
import type { Experiment } from '../train/build.js';
import { train } from '../train/trainer.js';
import { createProgress } from '../train/progress.js';
import { createRunLogger } from '../log/logger.js';
import { RunWriter, timingKeys, type MetricRow, type RunStatus } from './run-writer.js';
import type { CommandContext } from '../commands/context.js';

export interface Summary {
  readonly status: RunStatus;
  readonly name: string;
  readonly run_dir: string;
  readonly steps: number;
  readonly total_steps: number;
  readonly epochs: number;
  readonly wall_time_s: number;
  readonly train_time_s: number;
  readonly samples_per_s: number;
  readonly final: Readonly<Record<string, number>>;
  readonly best: Readonly<Record<string, { readonly value: number; readonly step: number }>>;
  readonly backend: string;
  readonly error?: { readonly code: string; readonly message: string };
}

const lowerIsBetter = /loss|nll|ece|brier|mse|mae|rmse|error|sharpness|norm|collapse/;

/** final: the last value of each split.metric (eval rows win over train-step rows); best: over eval rows. */
export function summarizeMetrics(rows: readonly MetricRow[]): { final: Record<string, number>; best: Record<string, { value: number; step: number }> } {
  const final: Record<string, number> = {};
  const finalFromEval = new Set<string>();
  const best: Record<string, { value: number; step: number }> = {};
  const skip = new Set(['step', 'epoch', 'split', 'eval', 'diagnostics', ...timingKeys]);
  for (const r of rows) {
    for (const [k, v] of Object.entries(r)) {
      if (skip.has(k) || typeof v !== 'number' || !Number.isFinite(v)) continue;
      const key = `${r.split}.${k}`;
      if (r.eval === true) {
        final[key] = v;
        finalFromEval.add(key);
        const b = best[key];
        const better = lowerIsBetter.test(k) ? (b === undefined || v < b.value) : (b === undefined || v > b.value);
        if (better) best[key] = { value: v, step: r.step };
      } else if (!finalFromEval.has(key)) {
        final[key] = v;
      }
    }
  }
  return { final, best };
}

export interface SessionOptions {
  readonly writer: RunWriter;
  readonly exp: Experiment;
  readonly backend: BackendInfo;
  readonly ctx: CommandContext;
  readonly quiet: boolean;
  readonly resumeFrom?: string;
  readonly meta: Record<string, unknown>;
}

export async function runSession(opts: SessionOptions): Promise<{ exitCode: ExitCodeValue; summary: Summary }> {
  const { writer, exp, backend, ctx } = opts;
  const started = new Date();
  const log = createRunLogger(writer.path('log.jsonl'));
  writer.setStatus('running');
  const metaPath = writer.path('meta.json');
  const previous = existsSync(metaPath) ? (JSON.parse(readFileSync(metaPath, 'utf8')) as Record<string, unknown>) : undefined;
  const sessions = [...((previous?.sessions as unknown[]) ?? []), { started: started.toISOString(), command: (ctx.argv ?? []).join(' '), backend: backend.name, pid: process.pid, host: hostname(), resumed_from: opts.resumeFrom ?? null }];
  const baseMeta = { ...(previous ?? opts.meta), sessions, end_time: null };
  writer.writeJson('meta.json', baseMeta);

  let stopSignal: string | undefined;
  const onSignal = (sig: string) => {
    if (stopSignal) process.exit(ExitCode.interrupted); // second Ctrl-C: give up at once; checkpoints stay consistent
    stopSignal = sig;
    progress.log(`${sig}: checkpointing and stopping (again to abort)`);
  };
  const sigint = () => onSignal('SIGINT');
  const sigterm = () => onSignal('SIGTERM');
  process.on('SIGINT', sigint);
  process.on('SIGTERM', sigterm);
  const startStep = opts.resumeFrom ? Number(/step-(\d+)$/.exec(opts.resumeFrom)?.[1] ?? 0) : 0;
  const progress = createProgress({ total: exp.totalSteps, epochs: Math.ceil(exp.epochs), stream: ctx.stderr, tty: ctx.isTTY, quiet: opts.quiet, startStep });
  log.info({ config: exp.config, backend, tensors_at_start: tf.memory().numTensors }, 'start');

  let status: RunStatus = 'completed';
  let exitCode: ExitCodeValue = ExitCode.ok;
  let error: { code: string; message: string } | undefined;
  let result: { steps: number; samples: number; trainTimeS: number } = { steps: startStep, samples: 0, trainTimeS: 0 };
  try {
    result = await train(exp, { writer, log, progress, stopRequested: () => stopSignal, ...(opts.resumeFrom ? { resumeFrom: opts.resumeFrom } : {}), ...(ctx.onStepEnd ? { onStepEnd: ctx.onStepEnd } : {}) });
  } catch (err) {
    if (err instanceof RunnerError && err.code === 'NON_FINITE_LOSS') status = 'diverged';
    else if (err instanceof RunnerError && err.code === 'INTERRUPTED') status = 'interrupted';
    else status = 'failed';
    exitCode = err instanceof RunnerError ? err.exitCode : ExitCode.internal;
    error = { code: err instanceof RunnerError ? err.code : 'INTERNAL', message: (err as Error).message };
    log.error({ err }, 'stopped');
    if (!(err instanceof RunnerError)) ctx.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  } finally {
    progress.stop();
    process.off('SIGINT', sigint);
    process.off('SIGTERM', sigterm);
  }
  const ended = new Date();
  const rows = writer.metricRows;
  const { final, best } = summarizeMetrics(rows);
  const lastStep = rows.length > 0 ? Math.max(...rows.map((r) => r.step)) : startStep;
  const prevWall = typeof previous?.wall_time_s === 'number' ? previous.wall_time_s : 0;
  const wall = prevWall + (ended.getTime() - started.getTime()) / 1000;
  const summary: Summary = {
    status,
    name: exp.config.name,
    run_dir: writer.dir,
    steps: status === 'completed' ? exp.totalSteps : lastStep,
    total_steps: exp.totalSteps,
    epochs: Math.round(((status === 'completed' ? exp.totalSteps : lastStep) / exp.stepsPerEpoch) * 1000) / 1000,
    wall_time_s: Math.round(wall * 1000) / 1000,
    train_time_s: Math.round(result.trainTimeS * 1000) / 1000,
    samples_per_s: Math.round(result.samples / Math.max(1e-9, result.trainTimeS)),
    final,
    best,
    backend: backend.name,
    ...(error ? { error } : {}),
  };
  writer.writeJson('summary.json', summary);
  writer.writeJson('meta.json', { ...baseMeta, end_time: ended.toISOString(), wall_time_s: summary.wall_time_s, status });
  writer.setStatus(status);
  log.info({ summary }, 'end');
  log.flush();
  return { exitCode, summary };
}
