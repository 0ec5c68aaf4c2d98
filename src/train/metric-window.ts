/**
 * The train-row window: step losses wait on the device until a drain reads them (one read per
 * step would stall the GPU backends), are summed into the current window, checked for NaN/Inf,
 * and every `logEvery` steps become one train row of window means.
 */
import * as tf from '../backends/tf.js';
import { NonFiniteLossError } from '../core/errors.js';
import type { MetricRow } from '../run/run-folder.js';
import type { RunWriter } from '../run/run-writer.js';

/** The window's sums since its last row; a checkpoint carries them, so a resumed window continues. */
export interface WindowCounters {
  readonly lossSum: number;
  readonly count: number;
  readonly gradEvals: number;
  /** Steps skipped in the window (train.on_nonfinite: skip only; absent otherwise). */
  readonly skipped?: number;
}

export interface WindowOptions {
  readonly writer: RunWriter;
  readonly logEvery: number;
  readonly totalSteps: number;
  readonly stepsPerEpoch: number;
  /** Losses queued before a drain is due regardless of the cadence (see syncEvery). */
  readonly syncEvery: number;
  /** The optimizer's scalar hyperparameters (lr, rho …) for the row, read when it is written. */
  readonly hyperparams: () => Readonly<Record<string, number>>;
  /**
   * train.on_nonfinite: skip. The optimizer reports `skipped` (1 for a step it did not apply): such a
   * step adds nothing to the window's means and counts in the row's `skipped_steps`.
   */
  readonly skipNonFinite?: boolean;
}

/** The row's clock at the moment it is written. */
export interface WindowClock {
  /** Training seconds so far, including the step in progress. */
  readonly elapsedS: number;
  readonly samples: number;
}

interface Pending {
  readonly step: number;
  readonly loss: tf.Scalar;
  readonly extras: tf.NamedTensorMap;
  readonly gradEvals: number;
}

/** Reading a loss back blocks the GPU backends' queue, so they read every 10 steps; cpu and wasm every step. */
export function syncEvery(backend: string): number {
  return /webgpu|tensorflow/.test(backend) ? 10 : 1;
}

/** Seconds in metric rows, to the millisecond. */
export function roundSeconds(v: number): number {
  return Math.round(v * 1000) / 1000;
}

export class MetricWindow {
  private readonly pending: Pending[] = [];
  private sums: { lossSum: number; count: number; gradEvals: number; skipped?: number };
  /** The most recent loss read (for the progress bar). */
  lastLoss: number | undefined;

  constructor(private readonly o: WindowOptions, counters: WindowCounters = { lossSum: 0, count: 0, gradEvals: 0 }) {
    this.sums = { ...counters };
    // a checkpoint of a run without skip mode carries no count: it starts at 0
    if (o.skipNonFinite) this.sums.skipped = counters.skipped ?? 0;
    else delete this.sums.skipped;
  }

  /** Queues step `step`'s (1-based) loss and optimizer values; the window owns them from here. */
  push(step: number, out: { readonly loss: tf.Scalar; readonly diagnostics: tf.NamedTensorMap; readonly gradEvals: number }): void {
    this.pending.push({ step, loss: out.loss, extras: out.diagnostics, gradEvals: out.gradEvals });
  }

  /** True when syncEvery losses are waiting. */
  get full(): boolean {
    return this.pending.length >= this.o.syncEvery;
  }

  counters(): WindowCounters {
    return { ...this.sums };
  }

  /** Reads queued step losses into the window and writes the rows that are due; throws on a non-finite loss (its checkpoint is never written). */
  async drain(clock: () => WindowClock): Promise<void> {
    while (this.pending.length > 0) {
      const p = this.pending.shift()!;
      const names = Object.keys(p.extras);
      // one await when there are no optimizer values (the common case), all reads at once otherwise
      const [lossArr, ...extraArr] = names.length === 0 ? [await p.loss.data()] : await Promise.all([p.loss.data(), ...names.map((k) => p.extras[k]!.data())]);
      tf.dispose([p.loss, ...Object.values(p.extras)]);
      const loss = lossArr![0]!;
      const extras: Record<string, number> = Object.fromEntries(names.map((k, i) => [k, extraArr[i]![0]!]));
      const skipped = this.o.skipNonFinite === true && extras['skipped'] === 1;
      delete extras['skipped'];
      if (!Number.isFinite(loss) && !skipped) {
        this.dispose();
        throw new NonFiniteLossError(p.step, loss);
      }
      if (skipped) this.sums.skipped! += 1;
      else {
        this.lastLoss = loss;
        this.sums.lossSum += loss;
        this.sums.count += 1;
        this.sums.gradEvals += p.gradEvals;
      }
      if (p.step % this.o.logEvery === 0 || p.step === this.o.totalSteps) {
        this.o.writer.appendMetrics(this.row(p.step, extras, clock()));
        this.sums = this.o.skipNonFinite ? { lossSum: 0, count: 0, gradEvals: 0, skipped: 0 } : { lossSum: 0, count: 0, gradEvals: 0 };
      }
    }
  }

  private row(step: number, extras: Record<string, number>, clock: WindowClock): MetricRow {
    const w = this.sums;
    return {
      step,
      epoch: Math.floor((step - 1) / this.o.stepsPerEpoch),
      split: 'train',
      loss: w.lossSum / w.count,
      ...this.o.hyperparams(),
      grad_evals: w.gradEvals / w.count,
      ...(w.skipped !== undefined ? { skipped_steps: w.skipped } : {}),
      ...extras,
      time_s: roundSeconds(clock.elapsedS),
      samples_per_s: roundSeconds(clock.samples / Math.max(1e-9, clock.elapsedS)),
    };
  }

  /** Frees the losses still queued (a failed or interrupted run). */
  dispose(): void {
    tf.dispose(this.pending.flatMap((q) => [q.loss, ...Object.values(q.extras)]));
    this.pending.length = 0;
  }
}
