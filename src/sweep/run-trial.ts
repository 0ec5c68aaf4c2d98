/**
 * Runs one trial to an end state, the same way for a local worker and a Slurm array task:
 * completed → skip; pruned → skip; failed/diverged → skip unless retryFailed (the old folder moves
 * to attempts/); interrupted or killed (status still `running`) → `minima resume` from the newest
 * checkpoint (a fresh start when there is none); never started → `minima run --run-dir`.
 * The trial runs as a child process `node bin/minima.js run|resume … --json --quiet` in its own
 * process group, stdout/stderr to logs/<dir>.log (a file, so the child never dies of a closed pipe
 * when the sweep is killed); the outcome is read back from the run folder.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAlive } from '../core/process.js';
import { isTimingKey, MetricsTail, readStatus, readSummary, type MetricRow } from '../run/run-folder.js';
import { createStopper, metricSeries, type PeerSeries, type StopDecision } from './early-stopping.js';
import { commandLine, lockIsStale, processesMentioning, terminate } from './processes.js';
import { pendingRecord, type PlannedTrial, type SweepDir, type TrialRecord, type TrialStatus } from './sweep-dir.js';
import type { EarlyStoppingSpec } from './spec.js';

/** bin/minima.js, found from this module (src/sweep or dist/sweep). */
export const BIN_PATH = fileURLToPath(new URL('../../bin/minima.js', import.meta.url));

export interface TrialProgress {
  readonly trial: PlannedTrial;
  readonly action: 'run' | 'resume';
  readonly step: number;
  readonly latest: Readonly<Record<string, number>>;
}

export interface RunTrialOptions {
  readonly sweep: SweepDir;
  readonly trial: PlannedTrial;
  readonly base: string;
  readonly cwd: string;
  readonly retryFailed: boolean;
  readonly signal: AbortSignal;
  readonly earlyStopping?: EarlyStoppingSpec | undefined;
  /** The other trials' series of the early-stopping metric. */
  readonly peers?: (() => PeerSeries[]) | undefined;
  readonly onStart?: ((trial: PlannedTrial, action: 'run' | 'resume') => void) | undefined;
  readonly onProgress?: ((p: TrialProgress) => void) | undefined;
  readonly slurm?: { readonly job_id: string; readonly task_id: number } | undefined;
  /** Polling period for progress and early stopping (ms). */
  readonly pollMs?: number | undefined;
  readonly binPath?: string | undefined;
  readonly env?: NodeJS.ProcessEnv | undefined;
}

export interface TrialOutcome {
  readonly record: TrialRecord;
  /** A process was started for it. */
  readonly ran: boolean;
  /** Another live process holds the trial. */
  readonly locked?: boolean;
}

const FINAL_RUN_STATES = new Set(['completed', 'failed', 'diverged', 'interrupted']);

export async function runTrial(o: RunTrialOptions): Promise<TrialOutcome> {
  const { sweep, trial } = o;
  if (!sweep.tryLock(trial.id, lockIsStale)) {
    return { record: sweep.readRecord(trial.id) ?? pendingRecord(trial), ran: false, locked: true };
  }
  try {
    return await runLocked(o);
  } finally {
    sweep.unlock(trial.id);
  }
}

async function runLocked(o: RunTrialOptions): Promise<TrialOutcome> {
  const { sweep, trial } = o;
  const runDir = sweep.runDir(trial);
  let rec: TrialRecord = sweep.readRecord(trial.id) ?? pendingRecord(trial);

  // A sweep killed with SIGKILL leaves its children running: stop ours (it checkpoints) before taking over.
  // The /proc scan also finds a child spawned just before the kill, whose pid never reached the record.
  const orphans = new Set(processesMentioning(`${runDir} `));
  if (rec.pid !== undefined && rec.host === hostname() && isAlive(rec.pid) && commandLine(rec.pid)?.includes(runDir)) orphans.add(rec.pid);
  await Promise.all([...orphans].map((pid) => terminate(pid)));

  const runStatus = readStatus(runDir);
  if (rec.status === 'pruned' && !o.retryFailed) return { record: rec, ran: false };
  if (runStatus === 'completed') {
    rec = withOutcome(rec, runDir, 'completed', 0);
    sweep.writeRecord(rec);
    return { record: rec, ran: false };
  }
  let action: 'run' | 'resume';
  const failedBefore = runStatus === 'failed' || runStatus === 'diverged' || (!existsSync(runDir) && (rec.status === 'failed' || rec.status === 'diverged'));
  if (failedBefore) {
    if (!o.retryFailed) {
      if (runStatus && rec.status !== runStatus) {
        rec = withOutcome(rec, runDir, runStatus, rec.exit_code ?? null);
        sweep.writeRecord(rec);
      }
      return { record: rec, ran: false };
    }
    archive(sweep, trial, runDir);
    action = 'run';
  } else if (!existsSync(runDir)) {
    action = 'run';
  } else if (rec.status === 'pruned' || !hasCheckpoint(runDir)) {
    // pruned (only with retryFailed) restarts; a run killed before its first checkpoint has nothing to resume
    archive(sweep, trial, runDir);
    action = 'run';
  } else {
    action = 'resume';
  }
  if (o.signal.aborted) return { record: rec, ran: false };

  const bin = o.binPath ?? BIN_PATH;
  const args = action === 'run'
    ? [bin, 'run', o.base, ...trial.overrides, '--run-dir', runDir, '--json', '--quiet']
    : [bin, 'resume', runDir, '--json', '--quiet'];
  mkdirSync(join(sweep.dir, 'logs'), { recursive: true });
  const logFile = sweep.logFile(trial);
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, args, {
    cwd: o.cwd,
    stdio: ['ignore', log, log],
    detached: true, // own process group: the sweep decides which signal a trial gets, once
    env: { ...(o.env ?? process.env), MINIMA_SWEEP_DIR: sweep.dir, MINIMA_TRIAL_ID: trial.id },
  });
  closeSync(log);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  rec = {
    ...rec,
    status: 'running',
    attempts: rec.attempts + 1,
    ...(child.pid !== undefined ? { pid: child.pid } : {}),
    host: hostname(),
    ...(o.slurm ? { slurm: o.slurm } : {}),
    updated_at: new Date().toISOString(),
  };
  sweep.writeRecord(rec);
  o.onStart?.(trial, action);

  // Monitor: progress lines and the early-stopping rule, from the run's metrics.jsonl.
  const tail = new MetricsTail(join(runDir, 'metrics.jsonl'));
  let stop: StopDecision | undefined;
  let stopper: ReturnType<typeof createStopper> | undefined;
  const tick = () => {
    const rows = tail.read();
    if (rows.length === 0) return;
    o.onProgress?.({ trial, action, step: rows[rows.length - 1]!.step, latest: latestValues(rows) });
    if (o.earlyStopping && o.peers && !stop) {
      stopper ??= createStopper(o.earlyStopping, action === 'resume' ? rows[0]?.step ?? 0 : 0);
      const d = stopper.check(metricSeries(rows, o.earlyStopping.metric), o.peers());
      if (d.stop) {
        stop = d;
        child.kill('SIGTERM');
      }
    }
  };
  const timer = setInterval(tick, o.pollMs ?? (o.earlyStopping ? o.earlyStopping.poll_s * 1000 : 1000));
  const onAbort = () => child.kill('SIGTERM');
  o.signal.addEventListener('abort', onAbort, { once: true });
  if (o.signal.aborted) onAbort();
  const result = await exited;
  clearInterval(timer);
  o.signal.removeEventListener('abort', onAbort);
  tick();

  const after = readStatus(runDir);
  let status: TrialStatus;
  if (stop && (result.code === 130 || after === 'interrupted')) status = 'pruned';
  else if (after && FINAL_RUN_STATES.has(after)) status = after as TrialStatus;
  else if (after === 'running') status = result.code === 1 ? 'failed' : 'interrupted'; // killed: resumable
  else if (result.signal || o.signal.aborted) status = 'interrupted'; // stopped by us before it wrote a status
  else status = result.code === 0 ? 'completed' : result.code === 3 ? 'diverged' : result.code === 130 ? 'interrupted' : 'failed';
  const { pid: _pid, ...rest } = rec;
  rec = withOutcome(rest as TrialRecord, runDir, status, result.code);
  if (stop && status === 'pruned') rec = { ...rec, pruned: { step: stop.step ?? -1, reason: stop.reason ?? '' } };
  if (status === 'failed' && !rec.error) rec = { ...rec, error: { message: result.error?.message ?? logTail(logFile) } };
  sweep.writeRecord(rec);
  return { record: rec, ran: true };
}

/** The record with the run's summary.json copied in (final, best, steps, error). */
function withOutcome(rec: TrialRecord, runDir: string, status: TrialStatus, exitCode: number | null): TrialRecord {
  const s = readSummary(runDir);
  const { final: _f, best: _b, steps: _s, error: _e, ...rest } = rec;
  return {
    ...rest,
    status,
    exit_code: exitCode,
    ...(typeof s?.steps === 'number' ? { steps: s.steps } : {}),
    ...(s?.final ? { final: s.final } : {}),
    ...(s?.best ? { best: s.best } : {}),
    ...(s?.error ? { error: s.error } : {}),
    updated_at: new Date().toISOString(),
  };
}

function latestValues(rows: readonly MetricRow[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) {
    for (const [k, v] of Object.entries(r)) {
      if (typeof v === 'number' && k !== 'step' && k !== 'epoch' && !isTimingKey(k)) out[`${r.split}.${k}`] = v;
    }
  }
  return out;
}

export function hasCheckpoint(runDir: string): boolean {
  const d = join(runDir, 'checkpoints');
  return existsSync(d) && readdirSync(d).some((n) => /^step-\d+$/.test(n) && statSync(join(d, n)).isDirectory());
}

/** Moves an abandoned run folder to attempts/<dir>.<n> (run folders are never overwritten or deleted). */
function archive(sweep: SweepDir, trial: PlannedTrial, runDir: string): void {
  if (!existsSync(runDir)) return;
  const dir = join(sweep.dir, 'attempts');
  mkdirSync(dir, { recursive: true });
  let n = 1;
  while (existsSync(join(dir, `${trial.dir}.${n}`))) n++;
  renameSync(runDir, join(dir, `${trial.dir}.${n}`));
}

function logTail(file: string): string {
  try {
    const text = readFileSync(file, 'utf8').trim();
    const lines = text.split('\n').filter((l) => !l.startsWith('{"run_dir"'));
    return lines.slice(-5).join('\n').slice(-800) || 'trial process failed without output';
  } catch {
    return 'trial process failed without output';
  }
}

