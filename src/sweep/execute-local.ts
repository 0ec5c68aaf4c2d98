/**
 * Local executor: N async workers, each running one trial at a time as a child process. A failing
 * or diverging trial never stops the others; an abort (Ctrl-C) sends each running trial one SIGTERM
 * (it checkpoints and exits 130), waits for all, and leaves every trial resumable.
 */
import { join } from 'node:path';
import { MetricsTail } from '../run/run-folder.js';
import { metricSeries, type PeerSeries } from './early-stopping.js';
import { runTrial, type TrialOutcome } from './run-trial.js';
import type { SweepReporter } from './progress.js';
import type { EarlyStoppingSpec } from './spec.js';
import type { PlannedTrial, SweepDir } from './sweep-dir.js';

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
      outcomes.push(outcome);
      if (outcome.ran) x.reporter.finish(w, trial, outcome.record);
      x.onRecord?.();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(x.workers, x.trials.length)) }, (_, w) => worker(w)));
  return outcomes;
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
