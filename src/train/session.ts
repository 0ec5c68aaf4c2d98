/**
 * One training session in a run folder, shared by `minima run` and `minima resume`: writes
 * status/summary/meta around the training loop and turns its outcome into a status and exit code.
 * A stop request arrives as an aborted `io.signal` (cli/main.ts aborts it on the first SIGINT or
 * SIGTERM): the loop checkpoints and stops. Signals themselves are main.ts's business.
 */
import { hostname } from 'node:os';
import * as tf from '../backends/tf.js';
import type { BackendInfo } from '../backends/index.js';
import { ExitCode, InterruptedError, RunnerError, storageErrorOf, type ExitCodeValue } from '../core/errors.js';
import { createRunLogger } from '../log/logger.js';
import type { RunWriter } from '../run/run-writer.js';
import { listArtifacts, readMetaJson, summarizeMetrics, type RunStatus, type Summary } from '../run/run-folder.js';
import type { Experiment } from './build.js';
import { train } from './trainer.js';
import { createProgress } from './progress.js';

/** What a session needs from its caller; a CommandContext fits as it is. */
export interface SessionIO {
  readonly stderr: NodeJS.WritableStream;
  readonly isTTY: boolean;
  /** The command line, recorded in meta.json. */
  readonly argv?: readonly string[];
  /** Aborted to stop: the loop checkpoints and the session ends `interrupted`. A string reason names the signal. */
  readonly signal: AbortSignal;
  /** Called after every step, outside the run's own timing (embedders, `npm run bench`). */
  readonly onStepEnd?: (step: number, stepMs: number) => void | Promise<void>;
}

/** Why `signal` was aborted, in one word (`SIGINT`), or undefined while it is not. */
export function stopReason(signal: AbortSignal): string | undefined {
  if (!signal.aborted) return undefined;
  return typeof signal.reason === 'string' ? signal.reason : 'abort';
}

/** Throws the interruption when `signal` was aborted before training began (nothing to checkpoint yet). */
export function throwIfStopped(signal: AbortSignal): void {
  const reason = stopReason(signal);
  if (reason) throw new InterruptedError(reason);
}

export interface SessionOptions {
  readonly writer: RunWriter;
  readonly exp: Experiment;
  readonly backend: BackendInfo;
  readonly io: SessionIO;
  readonly quiet: boolean;
  readonly resumeFrom?: string;
  readonly meta: Record<string, unknown>;
}

export async function runSession(opts: SessionOptions): Promise<{ exitCode: ExitCodeValue; summary: Summary }> {
  const { writer, exp, backend, io } = opts;
  const started = new Date();
  const log = createRunLogger(writer.path('log.jsonl'));
  const metaPath = writer.path('meta.json');
  // A damaged meta.json holds no training state: it is named, and this session's facts replace it.
  const read = readMetaJson(metaPath);
  if (read.damaged) io.stderr.write(`warning: ${metaPath} is damaged (not a JSON object); it is rewritten with this session's facts and the earlier sessions' list is lost\n`);
  const previous = read.value;
  const earlier: unknown = previous?.sessions;
  const sessions = [...(Array.isArray(earlier) ? earlier : []), { started: started.toISOString(), command: (io.argv ?? []).join(' '), backend: backend.name, pid: process.pid, host: hostname(), resumed_from: opts.resumeFrom ?? null }];
  const baseMeta = { ...(previous ?? opts.meta), sessions, end_time: null };

  const startStep = opts.resumeFrom ? Number(/step-(\d+)$/.exec(opts.resumeFrom)?.[1] ?? 0) : 0;
  const progress = createProgress({ total: exp.totalSteps, epochs: Math.ceil(exp.epochs), stream: io.stderr, tty: io.isTTY, quiet: opts.quiet, startStep });
  const onAbort = () => progress.log(`${stopReason(io.signal)}: checkpointing and stopping (again to abort)`);
  if (io.signal.aborted) onAbort();
  else io.signal.addEventListener('abort', onAbort, { once: true });

  let status: RunStatus = 'completed';
  let exitCode: ExitCodeValue = ExitCode.ok;
  let error: { code: string; message: string } | undefined;
  let result: { steps: number; samples: number; trainTimeS: number } = { steps: startStep, samples: 0, trainTimeS: 0 };
  const fail = (err: unknown) => {
    const refused = storageErrorOf(err, writer.dir);
    const e = refused ?? err;
    if (e instanceof RunnerError && e.code === 'NON_FINITE_LOSS') status = 'diverged';
    else if (e instanceof RunnerError && e.code === 'INTERRUPTED') status = 'interrupted';
    else status = 'failed';
    exitCode = e instanceof RunnerError ? e.exitCode : ExitCode.internal;
    error = { code: e instanceof RunnerError ? e.code : 'INTERNAL', message: (e as Error).message };
    log.error({ err: e }, 'stopped');
    if (!(e instanceof RunnerError)) io.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    if (refused) writer.removeTemps(); // the space a cut-short write holds is what the summary needs
  };
  try {
    writer.setStatus('running');
    writer.writeJson('meta.json', baseMeta);
    log.info({ config: exp.config, backend, tensors_at_start: tf.memory().numTensors }, 'start');
    result = await train(exp, { writer, log, progress, stopRequested: () => stopReason(io.signal), ...(opts.resumeFrom ? { resumeFrom: opts.resumeFrom } : {}), ...(io.onStepEnd ? { onStepEnd: io.onStepEnd } : {}) });
  } catch (err) {
    fail(err);
  } finally {
    progress.stop();
    io.signal.removeEventListener('abort', onAbort);
  }
  const ended = new Date();
  const prevWall = typeof previous?.wall_time_s === 'number' ? previous.wall_time_s : 0;
  const wall = prevWall + (ended.getTime() - started.getTime()) / 1000;
  const summarize = (): Summary => {
    const rows = writer.metricRows;
    const { final, best } = summarizeMetrics(rows);
    // diagnostics that summarise the whole run (grokking times) add their keys
    for (const d of exp.diagnostics) if (d.diagnostic.summarize) Object.assign(final, d.diagnostic.summarize(rows));
    const lastStep = rows.length > 0 ? Math.max(...rows.map((r) => r.step)) : startStep;
    const artifacts = listArtifacts(writer.dir);
    const steps = status === 'completed' ? exp.totalSteps : lastStep;
    return {
      status,
      name: exp.config.name,
      run_dir: writer.dir,
      steps,
      total_steps: exp.totalSteps,
      epochs: Math.round((steps / exp.stepsPerEpoch) * 1000) / 1000,
      wall_time_s: Math.round(wall * 1000) / 1000,
      train_time_s: Math.round(result.trainTimeS * 1000) / 1000,
      samples_per_s: Math.round(result.samples / Math.max(1e-9, result.trainTimeS)),
      final,
      best,
      backend: backend.name,
      ...(error ? { error } : {}),
      ...(artifacts.length > 0 ? { artifacts } : {}),
    };
  };
  let summary = summarize();
  log.info({ summary }, 'end');
  const logFailure = log.failure(); // a log line the disk refused fails the run like any other write
  if (logFailure && (status as RunStatus) !== 'failed') {
    fail(storageErrorOf(logFailure, writer.path('log.jsonl')) ?? logFailure);
    summary = summarize();
  }
  try {
    writer.writeJson('summary.json', summary);
    writer.writeJson('meta.json', { ...baseMeta, end_time: ended.toISOString(), wall_time_s: summary.wall_time_s, status });
    writer.setStatus(status);
  } catch (err) {
    if (!storageErrorOf(err, writer.dir)) throw err;
    // The disk refused the summary itself: the run failed (the first refused write stays the reason); record that wherever it still fits.
    if ((status as RunStatus) !== 'failed') fail(err);
    else writer.removeTemps();
    summary = summarize();
    try { writer.writeJson('summary.json', summary); } catch { /* no room even for the summary */ }
    writer.forceStatus(status);
  }
  log.flush();
  return { exitCode, summary };
}

