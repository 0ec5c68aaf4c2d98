/**
 * The claim's figure as a Vega-Lite spec over the seed groups: bars with ± std error bars, lines with
 * a ± std band, or a heatmap of the group means; one point per seed drawn over bars and lines so
 * the spread is visible. Diverged trials are drawn as a marked point at the axis edge, not dropped.
 */
import type { FigureSpec } from './claim.js';
import { counted, groupBySeed, groupStat, type Measurements, type Trial } from './measure.js';

type Datum = Record<string, string | number | null | boolean>;

function cell(v: unknown): string | number {
  return typeof v === 'number' ? v : typeof v === 'string' ? v : JSON.stringify(v);
}

function spansDecades(xs: readonly unknown[]): boolean {
  const pos = xs.filter((x): x is number => typeof x === 'number' && x > 0);
  return pos.length === xs.length && pos.length >= 2 && Math.max(...pos) / Math.min(...pos) > 100;
}

export function figureData(f: FigureSpec, trials: readonly Trial[], m: Measurements): { groups: Datum[]; points: Datum[] } {
  const keys = [f.x, f.color, f.y].filter((k): k is string => k !== undefined);
  const groups: Datum[] = [];
  for (const g of groupBySeed(trials)) {
    const s = groupStat(m, g, f.metric);
    const row: Datum = Object.fromEntries(keys.map((k) => [k, cell(g.params[k])]));
    const finite = Number.isFinite(s.mean);
    groups.push({ ...row, mean: finite ? s.mean : null, std: s.std ?? 0, lo: finite ? s.mean - (s.std ?? 0) : null, hi: finite ? s.mean + (s.std ?? 0) : null, n: s.n, diverged: !finite && s.n > 0 });
  }
  const points: Datum[] = trials.filter(counted).map((t) => {
    const v = m.value(t, f.metric);
    return { ...Object.fromEntries(keys.map((k) => [k, cell(t.params[k])])), seed: cell(t.seed), value: Number.isFinite(v) ? v : null, diverged: t.status === 'diverged' || !Number.isFinite(v) };
  });
  return { groups, points };
}

/** A Vega-Lite spec with the data inlined; `title` and axis titles name the measurement. */
export function figureSpec(f: FigureSpec, trials: readonly Trial[], m: Measurements, title: string): Record<string, unknown> {
  const { groups, points } = figureData(f, trials, m);
  const yTitle = m.label(f.metric);
  const xs = groups.map((g) => g[f.x]);
  const logX = f.log_x ?? spansDecades(xs);
  const color = f.color ? { field: f.color, type: 'nominal', title: f.color } : undefined;
  const base = { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', title: f.title ?? title, width: 360, height: 240 } as Record<string, unknown>;
  if (f.type === 'heatmap') {
    return {
      ...base,
      data: { values: groups },
      mark: 'rect',
      encoding: {
        x: { field: f.x, type: 'ordinal', title: f.x },
        y: { field: f.y ?? f.color, type: 'ordinal', title: f.y ?? f.color },
        color: { field: 'mean', type: 'quantitative', title: yTitle },
        tooltip: [{ field: f.x }, { field: f.y ?? f.color }, { field: 'mean', format: '.4g' }, { field: 'std', format: '.3g' }, { field: 'n' }],
      },
    };
  }
  const xEnc = f.type === 'bar'
    ? { field: f.x, type: 'nominal', title: f.x }
    : { field: f.x, type: 'quantitative', title: f.x, scale: logX ? { type: 'log' } : { zero: false } };
  const offset = f.type === 'bar' && f.color ? { xOffset: { field: f.color, type: 'nominal' } } : {};
  const layers: Record<string, unknown>[] = [
    f.type === 'bar'
      ? { data: { values: groups }, mark: { type: 'bar', opacity: 0.85 }, encoding: { x: xEnc, y: { field: 'mean', type: 'quantitative', title: yTitle, scale: { zero: false } }, ...(color ? { color } : {}), ...offset } }
      : { data: { values: groups }, mark: { type: 'line', point: true }, encoding: { x: xEnc, y: { field: 'mean', type: 'quantitative', title: yTitle, scale: { zero: false } }, ...(color ? { color } : {}) } },
    f.type === 'bar'
      ? { data: { values: groups }, mark: { type: 'rule' }, encoding: { x: xEnc, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, ...offset } }
      : { data: { values: groups }, mark: { type: 'area', opacity: 0.2 }, encoding: { x: xEnc, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, ...(color ? { color } : {}) } },
    { data: { values: points.filter((p) => p.value !== null) }, mark: { type: 'point', filled: true, size: 18, opacity: 0.6, color: 'black' }, encoding: { x: xEnc, y: { field: 'value', type: 'quantitative' }, ...offset, tooltip: [{ field: 'seed' }, { field: 'value', format: '.4g' }] } },
  ];
  const diverged = points.filter((p) => p.diverged);
  if (diverged.length > 0) {
    layers.push({ data: { values: diverged.map((p) => ({ ...p, label: 'diverged' })) }, mark: { type: 'point', shape: 'cross', size: 60, color: '#d62728' }, encoding: { x: xEnc, y: { value: 4 }, ...offset, tooltip: [{ field: 'seed' }, { field: 'label' }] } });
  }
  return { ...base, layer: layers };
}
