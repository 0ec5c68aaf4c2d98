/**
 * The claim's figure, drawn by the report's chart builders (src/report/charts.ts): the measurement
 * against a swept param, one line per value of `color`, mean ± std over seeds with each seed a
 * point and diverged or failed trials marked; or the heatmap of a 2-D grid.
 */
import { heatmapChart, sweepChart, type ChartSpec, type HeatCell, type SweepGroupPoint, type SweepPoint } from '../report/charts.js';
import { formatValue } from '../report/config-diff.js';
import type { FigureSpec } from './claim.js';
import { groupBySeed, groupStat, paramValue, type Measurements, type Trial } from './measure.js';

function xValue(v: unknown): number | string {
  return typeof v === 'number' ? v : formatValue(v);
}

function spansDecades(xs: readonly (number | string)[]): boolean {
  const pos = xs.filter((x): x is number => typeof x === 'number' && x > 0);
  return pos.length === xs.length && pos.length >= 2 && Math.max(...pos) / Math.min(...pos) >= 100;
}

export function figureSpec(f: FigureSpec, trials: readonly Trial[], m: Measurements, title: string, runLabel: (t: Trial) => string): ChartSpec {
  const metric = m.label(f.metric);
  const groups = groupBySeed(trials);
  if (f.type === 'heatmap') {
    // One panel per value of `color` (e.g. adam | adamw), side by side.
    const panels = f.color ? [...new Map(groups.map((g) => [formatValue(paramValue(g.params, f.color!)), paramValue(g.params, f.color!)])).entries()] : [['', undefined] as const];
    const specs = panels.map(([label, value]) => {
      const cells: HeatCell[] = groups.filter((g) => !f.color || formatValue(paramValue(g.params, f.color)) === formatValue(value)).map((g) => {
        const s = groupStat(m, g, f.metric);
        const finite = Number.isFinite(s.mean);
        return { x: xValue(paramValue(g.params, f.x)), y: xValue(paramValue(g.params, f.y!)), mean: finite ? s.mean : null, std: s.std, n: s.n, trials: g.trials.length, note: s.n === 0 ? 'failed' : finite ? '' : 'diverged' };
      });
      return heatmapChart({ title: f.color ? `${f.color}=${label}` : (f.title ?? title), xParam: f.x, yParam: f.y!, metric, cells, mode: m.direction(f.metric) });
    });
    if (specs.length === 1) return specs[0]!;
    const { $schema, config, background } = specs[0]!;
    const strip = (sp: ChartSpec) => Object.fromEntries(Object.entries(sp).filter(([k]) => k !== '$schema' && k !== 'config' && k !== 'background'));
    return { $schema, config, background, title: f.title ?? title, hconcat: specs.map(strip), resolve: { scale: { color: 'independent' } } };
  }
  const series = (p: Readonly<Record<string, unknown>>) => (f.color ? `${f.color}=${formatValue(paramValue(p, f.color))}` : metric);
  const points: SweepPoint[] = trials.map((t) => {
    const v = m.value(t, f.metric);
    return { x: xValue(paramValue(t.params, f.x)), value: Number.isFinite(v) ? v : null, status: t.status, label: series(t.params), run: runLabel(t) };
  });
  const means: SweepGroupPoint[] = [];
  for (const g of groups) {
    const s = groupStat(m, g, f.metric);
    if (!Number.isFinite(s.mean)) continue;
    means.push({ x: xValue(paramValue(g.params, f.x)), mean: s.mean, lo: s.mean - (s.std ?? 0), hi: s.mean + (s.std ?? 0), n: s.n, series: series(g.params) });
  }
  return sweepChart({ title: f.title ?? title, param: f.x, metric, points, groups: means, logX: f.log_x ?? spansDecades(points.map((p) => p.x)) });
}
