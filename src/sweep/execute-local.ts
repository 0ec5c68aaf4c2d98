/**
 * Local executor: N async workers, each running one trial at a time as a child process. A failing
 * or diverging trial never stops the others; an abort (Ctrl-C) sends each running trial one SIGTERM
 * (it checkpoints and exits 130), waits for all, and leaves every trial resumable. A trial whose
 * lock another process holds (a second sweep into the same folder) is passed over, and when the
 * queue is empty the workers wait for its holder and take it again: it ends completed by whoever
 * ran it, or is run here when its holder died or stopped it.
 */
import { join } from 'node:path';
import { MetricsTail } from '../run/run-folder.js';
import { metricSeries, type PeerSeries } from './early-stopping.js';
import { runTrial, type TrialOutcome } from './run-trial.js';
import type { SweepReporter } from './progress.js';
import type { EarlyStoppingSpec } from './spec.js';
import { pendingRecord, type PlannedTrial, type SweepDir } from './sweep-dir.js';
import { lockIsStale } from './processes.js';

export interface LocalExecution {
  readonly sweep: SweepDir;
  readonly trials: readonly PlannedTrial[];
  readonly base: string;
  readonly cwd: string;
  readonly workers: number;
  readonly retryFailed: boolean;
  readonly signal: AbortSignal;
  readonly earlyStopping?: EarlyStoppingSpec | undefined;
  readonly reporter: SweepReporter;
  /** Called after every trial's record changes (the parent rewrites trials.jsonl). */
  readonly onRecord?: (() => void) | undefined;
  readonly pollMs?: number | undefined;
  readonly binPath?: string | undefined;
}

export async function executeLocal(x: LocalExecution): Promise<TrialOutcome[]> {
  const queue = [...x.trials];
  const held: PlannedTrial[] = []; // locked by another process when last tried
  const outcomes: TrialOutcome[] = [];
  const peers = x.earlyStopping ? peerReader(x.sweep, x.sweep.readPlan().trials, x.earlyStopping.metric) : undefined;
  const worker = async (w: number) => {
    for (let t = queue.shift(); t && !x.signal.aborted; t = queue.shift()) {
      const trial = t;
      const outcome = await runTrial({
        sweep: x.sweep,
        trial,
        base: x.base,
        cwd: x.cwd,
        retryFailed: x.retryFailed,
        signal: x.signal,
        earlyStopping: x.earlyStopping,
        peers: peers ? () => peers(trial.id) : undefined,
        onStart: (tr, action) => { x.reporter.start(w, tr, action); x.onRecord?.(); },
        onProgress: (p) => x.reporter.progress(w, p),
        pollMs: x.pollMs,
        binPath: x.binPath,
      });
      if (outcome.locked) {
        held.push(trial);
        continue;
      }
      outcomes.push(outcome);
      if (outcome.ran) x.reporter.finish(w, trial, outcome.record);
      x.onRecord?.();
    }
  };
  const workers = Math.max(1, Math.min(x.workers, x.trials.length));
  await Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  while (held.length > 0 && !x.signal.aborted) {
    await waitForLocks(x.sweep, held.map((t) => t.id), x.signal, x.pollMs ?? 1000);
    queue.push(...held.splice(0));
    await Promise.all(Array.from({ length: Math.min(workers, queue.length) }, (_, w) => worker(w)));
  }
  for (const t of held) outcomes.push({ record: x.sweep.readRecord(t.id) ?? pendingRecord(t), ran: false, locked: true });
  return outcomes;
}

/** Resolves when one of `ids` is no longer locked by a live holder (or `signal` aborts). */
async function waitForLocks(sweep: SweepDir, ids: readonly string[], signal: AbortSignal, pollMs: number): Promise<void> {
  while (!signal.aborted) {
    const locked = new Set(sweep.listLocks());
    if (ids.some((id) => !locked.has(id) || sweep.lockIsStale(id, lockIsStale))) return;
    await new Promise((r) => setTimeout(r, Math.min(pollMs, 1000)));
  }
}

/** Every other trial's series of `metric`, read incrementally from the run folders. */
export function peerReader(sweep: SweepDir, trials: readonly PlannedTrial[], metric: string): (self: string) => PeerSeries[] {
  const tails = new Map(trials.map((t) => [t.id, new MetricsTail(join(sweep.runDir(t), 'metrics.jsonl'))]));
  return (self) => trials.filter((t) => t.id !== self).map((t) => ({
    id: t.id,
    points: metricSeries(tails.get(t.id)!.read(), metric),
    finished: sweep.readRecord(t.id)?.status === 'completed',
  }));
}
