/**
 * A sweep's figures: the chosen final/best metric against each varied hyperparameter (log axis
 * when its values span a decade or more), a heatmap when the grid has two varied keys, trials
 * grouped over seeds (mean ± std), pruned, diverged and failed trials marked.
 */
import { metricDirection } from '../run/run-folder.js';
import { canonicalJson } from '../sweep/resolve-trials.js';
import { stat } from '../sweep/summarize.js';
import { heatmapChart, sweepChart, type ChartSpec, type FigureStyle, type HeatCell, type SweepGroupPoint, type SweepPoint } from './charts.js';
import { formatValue } from './config-diff.js';
import type { RunEntry, SweepEntry } from './discover.js';
import { runValue } from './query.js';

const PREFERRED = ['best.test.accuracy', 'test.accuracy', 'best.test.loss', 'test.loss', 'train.loss'];

/** The metric a sweep's figures show by default: the first of the usual headline ones the runs have. */
export function defaultSweepMetric(runs: readonly RunEntry[]): string | undefined {
  const has = (k: string) => runs.some((r) => typeof runValue(r, k) === 'number');
  return PREFERRED.find(has) ?? Object.keys(runs[0]?.final ?? {})[0];
}

export interface Figure {
  readonly title: string;
  readonly kind: 'curve' | 'sweep' | 'heatmap' | 'profile' | 'target';
  readonly spec: ChartSpec;
  /** The run folders the figure draws from (relative paths). */
  readonly runs: readonly string[];
}

function paramValue(run: RunEntry, key: string): number | string {
  const v = run.trial?.params[key] ?? run.config[key];
  return typeof v === 'number' ? v : formatValue(v);
}

function trialStatus(run: RunEntry): string {
  return run.trial?.status ?? run.status;
}

function metricOf(run: RunEntry, metric: string): number | null {
  const v = runValue(run, metric);
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Values spanning a decade or more, all positive, get a log axis. */
export function spansDecades(values: readonly unknown[]): boolean {
  const nums = values.filter((v): v is number => typeof v === 'number');
  if (nums.length !== values.length || nums.length < 2) return false;
  const lo = Math.min(...nums), hi = Math.max(...nums);
  return lo > 0 && hi / lo >= 10;
}

export function sweepFigures(sweep: SweepEntry, runs: readonly RunEntry[], o: { metric?: string; style?: FigureStyle; interactive?: boolean } = {}): Figure[] {
  const metric = o.metric ?? defaultSweepMetric(runs);
  if (!metric || runs.length === 0) return [];
  const figures: Figure[] = [];
  const rels = runs.map((r) => r.rel);
  const style = o.style ? { style: o.style } : {};
  for (const param of sweep.params) {
    const others = sweep.params.filter((p) => p !== param);
    const seriesOf = (r: RunEntry) => (others.length === 0 ? metric : others.map((k) => `${k}=${formatValue(paramValue(r, k))}`).join(' '));
    const points: SweepPoint[] = runs.map((r) => ({ x: paramValue(r, param), value: metricOf(r, metric), status: trialStatus(r), label: seriesOf(r), run: r.rel }));
    const byGroup = new Map<string, { x: number | string; series: string; values: number[] }>();
    for (const p of points) {
      const k = canonicalJson([p.x, p.label]);
      let g = byGroup.get(k);
      if (!g) byGroup.set(k, (g = { x: p.x, series: p.label, values: [] }));
      if (p.status === 'completed' && p.value !== null) g.values.push(p.value);
    }
    const groups: SweepGroupPoint[] = [...byGroup.values()].filter((g) => g.values.length > 0).map((g) => {
      const s = stat(g.values);
      return { x: g.x, series: g.series, mean: s.mean, lo: s.mean - (s.std ?? 0), hi: s.mean + (s.std ?? 0), n: s.n };
    }).sort((a, b) => (typeof a.x === 'number' && typeof b.x === 'number' ? a.x - b.x : String(a.x).localeCompare(String(b.x))));
    figures.push({
      title: `${sweep.name}: ${metric} vs ${param}`,
      kind: 'sweep',
      runs: rels,
      spec: sweepChart({ title: `${metric} vs ${param}`, param, metric, points, groups, logX: spansDecades(points.map((p) => p.x)), interactive: o.interactive ?? false, ...style }),
    });
  }
  if (sweep.params.length === 2) {
    const [xp, yp] = sweep.params as [string, string];
    const cells = new Map<string, { x: number | string; y: number | string; values: number[]; statuses: string[] }>();
    for (const r of runs) {
      const x = paramValue(r, xp), y = paramValue(r, yp);
      const k = canonicalJson([x, y]);
      let c = cells.get(k);
      if (!c) cells.set(k, (c = { x, y, values: [], statuses: [] }));
      c.statuses.push(trialStatus(r));
      const v = metricOf(r, metric);
      if (trialStatus(r) === 'completed' && v !== null) c.values.push(v);
    }
    const heat: HeatCell[] = [...cells.values()].map((c) => {
      const s = c.values.length > 0 ? stat(c.values) : undefined;
      const odd = [...new Set(c.statuses.filter((st) => st !== 'completed'))];
      return { x: c.x, y: c.y, mean: s ? s.mean : null, std: s?.std ?? null, n: c.values.length, trials: c.statuses.length, note: odd.join(', ') };
    });
    figures.push({
      title: `${sweep.name}: ${metric} over ${xp} × ${yp}`,
      kind: 'heatmap',
      runs: rels,
      spec: heatmapChart({ title: `${metric} (mean over seeds)`, xParam: xp, yParam: yp, metric, cells: heat, mode: metricDirection(metric), interactive: o.interactive ?? false, ...style }),
    });
  }
  return figures;
}
