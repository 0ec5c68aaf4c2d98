/**
 * Learning curves from metrics.jsonl rows: one curve per logged metric and kind of row (`eval` rows
 * of each split apart from the per-step `train` rows), mean ± std over runs that differ only by seed,
 * and downsampling for display that keeps real rows (each bucket's first, min, max and last), so a
 * hovered point is an exact logged value.
 */
import { isTimingKey, latestPerStep, type MetricRow } from '../run/run-folder.js';
import { stat } from '../sweep/summarize.js';

export type RowKind = 'eval' | 'step';

/** `eval:test.accuracy`, `step:train.loss`. */
export type CurveId = `${RowKind}:${string}`;

export interface Point {
  readonly step: number;
  readonly epoch: number;
  readonly time_s: number | null;
  readonly value: number | null;
}

const NOT_METRICS = new Set(['step', 'epoch', 'split', 'eval', 'diagnostics']);

/** Every curve in a run's rows (the last row of each (split, step) counts), in row order. */
export function curvesOf(rows: readonly MetricRow[]): Map<CurveId, Point[]> {
  const out = new Map<CurveId, Point[]>();
  for (const r of latestPerStep(rows)) {
    const kind: RowKind = r.eval === true ? 'eval' : 'step';
    const time = typeof r.time_s === 'number' ? r.time_s : null;
    for (const [k, v] of Object.entries(r)) {
      if (NOT_METRICS.has(k) || isTimingKey(k) || (typeof v !== 'number' && v !== null)) continue;
      const id: CurveId = `${kind}:${r.split}.${k}`;
      let list = out.get(id);
      if (!list) out.set(id, (list = []));
      list.push({ step: r.step, epoch: r.epoch, time_s: time, value: v === null || !Number.isFinite(v) ? null : v });
    }
  }
  return out;
}

/** How a curve is named on a chart: `test.accuracy`, `train.loss (per step)`. */
export function curveTitle(id: CurveId): string {
  const [kind, key] = splitId(id);
  return kind === 'eval' ? key : `${key} (per step)`;
}

export function splitId(id: CurveId): [RowKind, string] {
  const i = id.indexOf(':');
  return [id.slice(0, i) as RowKind, id.slice(i + 1)];
}

/** Eval curves first (test, then train), then per-step rows; alphabetical within each. */
export function sortCurveIds(ids: Iterable<CurveId>): CurveId[] {
  const rank = (id: CurveId) => {
    const [kind, key] = splitId(id);
    return (kind === 'eval' ? 0 : 2) + (key.startsWith('test.') ? 0 : 1);
  };
  return [...new Set(ids)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/**
 * A `--metric` argument → a curve id: `eval:train.loss` / `step:train.loss` name one kind; a bare
 * key means its eval rows when the runs have them, else the per-step rows.
 */
export function resolveCurveId(metric: string, available: ReadonlySet<CurveId>): CurveId | undefined {
  if (/^(eval|step):/.test(metric)) return available.has(metric as CurveId) ? (metric as CurveId) : undefined;
  const key = metric.replace(/^final\./, '');
  if (available.has(`eval:${key}`)) return `eval:${key}`;
  if (available.has(`step:${key}`)) return `step:${key}`;
  if (!key.includes('.') && available.has(`step:train.${key}`)) return `step:train.${key}`;
  return undefined;
}

/** Keeps at most about `max` points: all when fewer, else each bucket's first, min, max and last point. */
export function downsample<P extends { readonly value: number | null }>(points: readonly P[], max: number): P[] {
  if (points.length <= max || max < 8) return [...points];
  const buckets = Math.max(1, Math.floor(max / 4));
  const size = points.length / buckets;
  const keep = new Set<number>();
  for (let b = 0; b < buckets; b++) {
    const lo = Math.floor(b * size), hi = Math.min(points.length, Math.floor((b + 1) * size));
    if (hi <= lo) continue;
    let iMin = -1, iMax = -1;
    for (let i = lo; i < hi; i++) {
      const v = points[i]!.value;
      if (v === null) { keep.add(i); continue; } // gaps (NaN) stay visible
      if (iMin < 0 || v < points[iMin]!.value!) iMin = i;
      if (iMax < 0 || v > points[iMax]!.value!) iMax = i;
    }
    keep.add(lo).add(hi - 1);
    if (iMin >= 0) keep.add(iMin);
    if (iMax >= 0) keep.add(iMax);
  }
  return [...keep].sort((a, b) => a - b).map((i) => points[i]!);
}

export interface BandPoint {
  readonly step: number;
  readonly epoch: number;
  readonly time_s: number | null;
  readonly mean: number;
  readonly std: number;
  readonly lo: number;
  readonly hi: number;
  readonly n: number;
}

/**
 * Mean ± sample std over a group's curves at each step two or more of them logged (finite values
 * only); epoch and time are the first member's, time the mean of those logged.
 */
export function meanBand(curves: readonly (readonly Point[])[]): BandPoint[] {
  const bySteps = new Map<number, { epoch: number; times: number[]; values: number[] }>();
  for (const c of curves) {
    for (const p of c) {
      if (p.value === null) continue;
      let e = bySteps.get(p.step);
      if (!e) bySteps.set(p.step, (e = { epoch: p.epoch, times: [], values: [] }));
      e.values.push(p.value);
      if (p.time_s !== null) e.times.push(p.time_s);
    }
  }
  const out: BandPoint[] = [];
  for (const [step, e] of [...bySteps].sort((a, b) => a[0] - b[0])) {
    if (e.values.length < 2) continue;
    const s = stat(e.values);
    const std = s.std ?? 0;
    const time = e.times.length > 0 ? e.times.reduce((a, b) => a + b, 0) / e.times.length : null;
    out.push({ step, epoch: e.epoch, time_s: time, mean: s.mean, std, lo: s.mean - std, hi: s.mean + std, n: s.n });
  }
  return out;
}
