/**
 * One metric's learning curves over a set of runs as a chart spec: runs that differ only by seed
 * become one mean ± std band (their own curves thin beneath it), the others one line each, labelled
 * by the config keys that differ.
 */
import type { MetricRow } from '../run/run-folder.js';
import { curveChart, type BandRow, type ChartSpec, type CurveRow, type FigureStyle, type XField } from './charts.js';
import { groupBySeed, labelKeys, labelOf } from './config-diff.js';
import { curvesOf, curveTitle, downsample, meanBand, splitId, type CurveId, type Point } from './curves.js';
import type { RunEntry } from './discover.js';

export interface CurveFigureOptions {
  /** A run's curves (`curveSource`: from readMetrics, or a live tail in `serve`). */
  readonly curves: CurveSource;
  readonly x?: XField;
  readonly logY?: boolean;
  readonly style?: FigureStyle;
  readonly width?: number;
  readonly height?: number;
  /** Points kept per curve for display (default 1500; fewer when many runs share the chart, see POINT_BUDGET). */
  readonly maxPoints?: number;
  /** Mean ± std over runs that differ only by seed (default true). */
  readonly groupSeeds?: boolean;
  readonly interactive?: boolean;
  readonly title?: string;
}

/** Labels from the changed keys; two runs that would share one get their folder name added. */
export function runLabels(runs: readonly RunEntry[], withSeed = true): Map<RunEntry, string> {
  const keys = labelKeys(runs);
  const out = new Map(runs.map((r) => [r, labelOf(r, keys, withSeed)]));
  const count = new Map<string, number>();
  for (const l of out.values()) count.set(l, (count.get(l) ?? 0) + 1);
  for (const [r, l] of out) if (count.get(l)! > 1 && withSeed) out.set(r, `${l} (${r.name})`);
  return out;
}

export type CurveSource = (run: RunEntry) => ReadonlyMap<CurveId, readonly Point[]>;

/** Curves from metrics rows, computed once per run and again only when its rows grew. */
export function curveSource(rowsOf: (run: RunEntry) => readonly MetricRow[]): CurveSource {
  const cache = new Map<string, { rows: readonly MetricRow[]; length: number; curves: Map<CurveId, Point[]> }>();
  return (run) => {
    const rows = rowsOf(run);
    const hit = cache.get(run.dir);
    if (hit && hit.rows === rows && hit.length === rows.length) return hit.curves;
    const curves = curvesOf(rows);
    cache.set(run.dir, { rows, length: rows.length, curves });
    return curves;
  };
}

function withEpochs(run: RunEntry, points: readonly Point[]): Point[] {
  const spe = run.stepsPerEpoch;
  return spe ? points.map((p) => ({ ...p, epoch: p.step / spe })) : [...points];
}

/** Points one chart holds at most, over all its curves: 200 runs of 100k rows still draw at once. */
export const POINT_BUDGET = 120_000;

export function curveFigure(runs: readonly RunEntry[], id: CurveId, o: CurveFigureOptions): ChartSpec {
  const max = Math.min(o.maxPoints ?? 1500, Math.max(64, Math.floor(POINT_BUDGET / Math.max(1, runs.length))));
  const groups = o.groupSeeds === false ? runs.map((r) => [r]) : groupBySeed(runs);
  const seedLabels = runLabels(runs, false);
  const runLabelsAll = runLabels(runs, true);
  const rows: CurveRow[] = [];
  const bands: BandRow[] = [];
  for (const g of groups) {
    const curves = g.map((r) => withEpochs(r, o.curves(r).get(id) ?? []));
    const banded = g.length > 1;
    const groupLabel = banded ? `${seedLabels.get(g[0]!)!} (${g.length} seeds)` : '';
    g.forEach((r, i) => {
      const label = banded ? groupLabel : runLabelsAll.get(r)!;
      for (const p of downsample(curves[i]!, max)) rows.push({ label, run: r.rel, step: p.step, epoch: p.epoch, time_s: p.time_s, value: p.value });
    });
    if (banded) {
      const band = meanBand(curves).map((b) => ({ ...b, value: b.mean }));
      for (const b of downsample(band, max)) bands.push({ label: groupLabel, step: b.step, epoch: b.epoch, time_s: b.time_s, mean: b.mean, lo: b.lo, hi: b.hi, std: b.std, n: b.n });
    }
  }
  const [, key] = splitId(id);
  return curveChart({
    title: o.title ?? curveTitle(id),
    yTitle: key,
    rows,
    bands,
    x: o.x ?? 'step',
    logY: o.logY ?? false,
    interactive: o.interactive ?? false,
    ...(o.style ? { style: o.style } : {}),
    ...(o.width ? { width: o.width } : {}),
    ...(o.height ? { height: o.height } : {}),
  });
}

/** Whether every value of the curve is positive (a log axis is offered only then). */
export function positiveCurve(runs: readonly RunEntry[], id: CurveId, curves: CurveSource): boolean {
  let any = false;
  for (const r of runs) {
    for (const p of curves(r).get(id) ?? []) {
      if (p.value === null) continue;
      if (p.value <= 0) return false;
      any = true;
    }
  }
  return any;
}
