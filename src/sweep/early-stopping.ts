/**
 * Early stopping across trials. Trials read each other's metrics.jsonl; when the rule says stop,
 * the process running the trial (the sweep parent, or the Slurm array task) sends the run SIGTERM:
 * the run checkpoints and exits 130, and the trial is recorded `pruned` (a success for the exit
 * code, and still resumable by hand with `minima resume`).
 *
 * - median: at the trial's latest logged step s ≥ warmup_steps, stop if its best value so far is
 *   worse than the median of the completed trials' values at s (each peer's last row at or before
 *   s), once at least `min_trials` completed trials reached s (Vizier/Optuna MedianPruner).
 * - asha: rungs at min_steps·η^k (≤ max_steps). When the trial first reaches a rung, its best value
 *   up to the rung is ranked among every trial that reached that rung; it continues only when in the
 *   top ⌊n/η⌋ (at least the best one), as in asynchronous successive halving. A rung passed stays passed.
 */
import { latestPerStep, metricDirection, type RowKey } from '../run/run-folder.js';
import type { EarlyStoppingSpec } from './spec.js';

export interface Point {
  readonly step: number;
  readonly value: number;
}

export interface PeerSeries {
  readonly id: string;
  readonly points: readonly Point[];
  /** The trial ran to its end (completed): its series is final. */
  readonly finished: boolean;
}

export interface StopDecision {
  readonly stop: boolean;
  readonly step?: number;
  readonly reason?: string;
}

export interface Stopper {
  check(own: readonly Point[], peers: readonly PeerSeries[]): StopDecision;
}

/** `test.loss` → the `loss` values of the `test` rows, one per step, ascending; non-finite values dropped. */
export function metricSeries(rows: readonly (RowKey & { readonly [key: string]: unknown })[], metric: string): Point[] {
  const dot = metric.indexOf('.');
  const split = metric.slice(0, dot), key = metric.slice(dot + 1);
  const out: Point[] = [];
  for (const r of latestPerStep(rows)) {
    const v = r[key];
    if (r.split === split && typeof v === 'number' && Number.isFinite(v)) out.push({ step: r.step, value: v });
  }
  return out;
}

export function createStopper(spec: EarlyStoppingSpec, startStep = 0): Stopper {
  const mode = spec.mode ?? metricDirection(spec.metric);
  const better = (a: number, b: number) => (mode === 'min' ? a < b : a > b);
  const bestUpTo = (points: readonly Point[], step: number): number | undefined => {
    let best: number | undefined;
    for (const p of points) if (p.step <= step && (best === undefined || better(p.value, best))) best = p.value;
    return best;
  };
  const lastStep = (points: readonly Point[]) => points[points.length - 1]?.step ?? -1;

  if (spec.rule === 'median') {
    return {
      check(own, peers) {
        const s = lastStep(own);
        if (s < 0 || s < spec.warmup_steps) return { stop: false };
        const mine = bestUpTo(own, s)!;
        const values = peers.filter((p) => p.finished && lastStep(p.points) >= s).map((p) => valueAt(p.points, s)).filter((v): v is number => v !== undefined);
        if (values.length < spec.min_trials) return { stop: false };
        const med = median(values);
        return better(med, mine)
          ? { stop: true, step: s, reason: `median rule: best ${spec.metric} ${mine} at step ${s} is worse than the median ${med} of ${values.length} completed trials` }
          : { stop: false };
      },
    };
  }

  const rungs: number[] = [];
  for (let r = spec.min_steps; spec.max_steps === undefined ? rungs.length < 64 : r <= spec.max_steps; r *= spec.reduction_factor) rungs.push(r);
  const passed = new Set(rungs.filter((r) => r <= startStep));
  return {
    check(own, peers) {
      const s = lastStep(own);
      for (const rung of rungs) {
        if (rung > s) break;
        if (passed.has(rung)) continue;
        const mine = bestUpTo(own, rung);
        if (mine === undefined) { passed.add(rung); continue; }
        const others = peers.filter((p) => lastStep(p.points) >= rung).map((p) => bestUpTo(p.points, rung)).filter((v): v is number => v !== undefined);
        const ranked = [...others, mine].sort((a, b) => (mode === 'min' ? a - b : b - a));
        const keep = Math.max(1, Math.floor(ranked.length / spec.reduction_factor));
        const cutoff = ranked[keep - 1]!;
        if (better(cutoff, mine)) {
          return { stop: true, step: rung, reason: `asha: ${spec.metric} ${mine} at rung ${rung} steps is not in the top ${keep} of ${ranked.length} (cutoff ${cutoff})` };
        }
        passed.add(rung);
      }
      return { stop: false };
    },
  };
}

function valueAt(points: readonly Point[], step: number): number | undefined {
  let v: number | undefined;
  for (const p of points) {
    if (p.step > step) break;
    v = p.value;
  }
  return v;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
