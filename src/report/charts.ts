/**
 * The Vega-Lite specs every figure of minima is drawn from: learning curves (runs and mean ± std
 * bands over seeds), a metric against a swept hyperparameter, the heatmap of a 2-D grid, AlgoPerf
 * performance profiles and steps-to-target. `report` inlines them in HTML, `serve` sends them to
 * the page, `plot` renders them to SVG/PNG/PDF (figure.ts); the page's x-axis and log toggles edit
 * the `x` field and the `y` scale type of these specs and nothing else.
 */

export type XField = 'step' | 'epoch' | 'time_s';
export type FigureStyle = 'default' | 'paper';
/** A Vega-Lite spec (kept as plain JSON: it is written into HTML and sent over HTTP). */
export type ChartSpec = Record<string, unknown>;

export const X_TITLES: Readonly<Record<XField, string>> = { step: 'step', epoch: 'epoch', time_s: 'wall time (s)' };
const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

export interface StyleOptions {
  readonly style?: FigureStyle;
  readonly width?: number;
  readonly height?: number;
}

/** Sizes and fonts: `paper` fits a journal column (about 3.3 in at 72 pt/in) in a serif face. */
export function styleConfig(style: FigureStyle = 'default'): { width: number; height: number; config: ChartSpec } {
  if (style === 'paper') {
    return {
      width: 220, height: 140,
      config: {
        // named first: rasterisers and PDF writers then find the face, not only the generic family
        font: 'DejaVu Serif, Times New Roman, Times, serif',
        view: { stroke: '#444', strokeWidth: 0.6 },
        axis: { labelFontSize: 8, titleFontSize: 9, titleFontWeight: 'normal', grid: false, tickSize: 3, domainColor: '#333', tickColor: '#333', labelColor: '#000', titleColor: '#000' },
        legend: { labelFontSize: 8, titleFontSize: 8, titleFontWeight: 'normal', symbolSize: 40, labelLimit: 200 },
        title: { fontSize: 9, fontWeight: 'normal', anchor: 'middle' },
        line: { strokeWidth: 1.2 },
        range: { category: ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#F0E442', '#000000'] },
      },
    };
  }
  return {
    width: 460, height: 260,
    config: { font: 'DejaVu Sans, Helvetica, Arial, sans-serif', axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { labelLimit: 320, labelFontSize: 11 }, title: { fontSize: 13, anchor: 'start' } },
  };
}

function frame(title: string, o: StyleOptions): ChartSpec {
  const s = styleConfig(o.style);
  return { $schema: SCHEMA, title, width: o.width ?? s.width, height: o.height ?? s.height, config: s.config, background: 'white' };
}

function colorScale(labels: readonly string[]): ChartSpec {
  return { domain: labels, ...(labels.length > 10 ? { scheme: 'category20' } : {}) };
}

/** Legends of more than 24 entries are left out: the hover tooltip names the run instead. */
function legendFor(labels: readonly string[], title: string | null): ChartSpec | null {
  const long = labels.some((l) => l.length > 28);
  return labels.length > 24 ? null : { title, orient: labels.length > 6 ? 'right' : 'bottom', columns: labels.length > 6 || long ? 1 : 2, labelLimit: 360, symbolOpacity: 1, symbolType: 'stroke', symbolStrokeWidth: 2 };
}

export interface CurveRow {
  readonly label: string;
  readonly run: string;
  readonly step: number;
  readonly epoch: number;
  readonly time_s: number | null;
  readonly value: number | null;
}

export interface BandRow {
  readonly label: string;
  readonly step: number;
  readonly epoch: number;
  readonly time_s: number | null;
  readonly mean: number;
  readonly lo: number;
  readonly hi: number;
  readonly std: number;
  readonly n: number;
}

export interface CurveChartInput extends StyleOptions {
  readonly title: string;
  readonly yTitle: string;
  readonly rows: readonly CurveRow[];
  /** Mean ± std over seeds, one label per group; the group's own runs are drawn thin beneath. */
  readonly bands?: readonly BandRow[];
  readonly x?: XField;
  readonly logY?: boolean;
  /** Hover points and the tooltip (off for static figures). */
  readonly interactive?: boolean;
}

/** Curves of one metric: a line per run (or per seed group, with its ± std band), exact values on hover. */
export function curveChart(c: CurveChartInput): ChartSpec {
  const x = c.x ?? 'step';
  const bands = c.bands ?? [];
  const labels = [...new Set([...bands.map((b) => b.label), ...c.rows.map((r) => r.label)])];
  const grouped = new Set(bands.map((b) => b.label));
  const xEnc = { field: x, type: 'quantitative', title: X_TITLES[x], axis: { tickCount: 6 } };
  const yScale = { type: c.logY ? 'log' : 'linear', zero: false };
  const color = { field: 'label', type: 'nominal', title: null, scale: colorScale(labels), legend: legendFor(labels, null) };
  const layers: ChartSpec[] = [];
  if (bands.length > 0) {
    layers.push({
      data: { name: 'band' },
      mark: { type: 'area', opacity: 0.22 },
      encoding: { x: xEnc, y: { field: 'lo', type: 'quantitative', title: c.yTitle, scale: yScale }, y2: { field: 'hi' }, color },
    });
    layers.push({
      data: { name: 'band' },
      mark: { type: 'line', strokeWidth: 2 },
      encoding: { x: xEnc, y: { field: 'mean', type: 'quantitative', title: c.yTitle, scale: yScale }, color, detail: { field: 'label' } },
    });
  }
  const runLayer: ChartSpec = {
    data: { name: 'rows' },
    transform: [{ filter: 'isValid(datum.value)' }],
    mark: { type: 'line', strokeWidth: grouped.size > 0 ? 0.8 : 1.6, opacity: grouped.size > 0 ? 0.45 : 1, clip: true },
    encoding: {
      x: xEnc,
      y: { field: 'value', type: 'quantitative', title: c.yTitle, scale: yScale },
      color,
      detail: { field: 'run' },
    },
  };
  layers.push(runLayer);
  if (c.interactive) {
    const hoverY = { field: 'value', type: 'quantitative', title: c.yTitle, scale: yScale };
    // The nearest point lights up (a Voronoi layer finds it); a wide invisible point above carries the
    // tooltip, because Vega-Lite's Voronoi tooltip loses nominal fields such as the run's name.
    layers.push({
      data: { name: 'rows' },
      transform: [{ filter: 'isValid(datum.value)' }],
      params: [{ name: 'hover', select: { type: 'point', on: 'pointerover', nearest: true, clear: 'pointerout', fields: ['run', 'step'] } }],
      mark: { type: 'point', filled: true, size: 40, clip: true },
      encoding: { x: xEnc, y: hoverY, color, opacity: { condition: { param: 'hover', empty: false, value: 1 }, value: 0 } },
    });
    layers.push({
      data: { name: 'rows' },
      transform: [{ filter: 'isValid(datum.value)' }],
      mark: { type: 'point', filled: true, size: 300, opacity: 0, clip: true },
      encoding: {
        x: xEnc,
        y: hoverY,
        tooltip: [
          { field: 'run', type: 'nominal' },
          { field: 'step', type: 'quantitative' },
          { field: 'epoch', type: 'quantitative', format: '.3~f' },
          { field: 'time_s', type: 'quantitative', title: 'time (s)', format: '.3~f' },
          { field: 'value', type: 'quantitative', format: '.8~g' },
        ],
      },
    });
  }
  return {
    ...frame(c.title, c),
    datasets: { rows: c.rows, band: bands },
    layer: layers,
    resolve: { scale: { color: 'shared' } },
  };
}

export interface SweepPoint {
  readonly x: number | string;
  readonly value: number | null;
  readonly status: string;
  readonly label: string;
  readonly run: string;
}

export interface SweepGroupPoint {
  readonly x: number | string;
  readonly mean: number;
  readonly lo: number;
  readonly hi: number;
  readonly n: number;
  readonly series: string;
}

export interface SweepChartInput extends StyleOptions {
  readonly title: string;
  readonly param: string;
  readonly metric: string;
  readonly points: readonly SweepPoint[];
  readonly groups: readonly SweepGroupPoint[];
  readonly logX?: boolean;
  readonly interactive?: boolean;
}

/**
 * A final/best metric against one swept hyperparameter: each trial a point (hollow crosses mark
 * pruned, diverged and failed trials, drawn at the bottom when they have no value), the mean ±
 * std over seeds of each setting as a line with error bars, one line per setting of the other keys.
 */
export function sweepChart(c: SweepChartInput): ChartSpec {
  const numeric = c.points.every((p) => typeof p.x === 'number');
  const xEnc = { field: 'x', type: numeric ? 'quantitative' : 'ordinal', title: c.param, ...(numeric ? { scale: c.logX ? { type: 'log' } : { type: 'linear', zero: false } } : { axis: { labelAngle: 0 } }) };
  const series = [...new Set(c.groups.map((g) => g.series))];
  const color = { field: 'series', type: 'nominal', title: null, legend: series.length > 1 ? legendFor(series, null) : null };
  const yScale = { type: 'linear', zero: false };
  const tooltip = [{ field: 'run', type: 'nominal' }, { field: 'status', type: 'nominal' }, { field: 'x', title: c.param }, { field: 'value', type: 'quantitative', title: c.metric, format: '.6~g' }];
  return {
    ...frame(c.title, c),
    datasets: { points: c.points.map((p) => ({ ...p, series: p.label })), groups: c.groups },
    layer: [
      { data: { name: 'groups' }, mark: { type: 'rule' }, encoding: { x: xEnc, y: { field: 'lo', type: 'quantitative', title: c.metric, scale: yScale }, y2: { field: 'hi' }, color } },
      { data: { name: 'groups' }, mark: { type: 'line', point: true }, encoding: { x: xEnc, y: { field: 'mean', type: 'quantitative', title: c.metric, scale: yScale }, color } },
      {
        data: { name: 'points' },
        transform: [{ filter: "datum.status === 'completed' && isValid(datum.value)" }],
        mark: { type: 'point', opacity: 0.6, size: 30 },
        encoding: { x: xEnc, y: { field: 'value', type: 'quantitative', title: c.metric, scale: yScale }, color, ...(c.interactive ? { tooltip } : {}) },
      },
      {
        data: { name: 'points' },
        transform: [{ filter: "datum.status !== 'completed' || !isValid(datum.value)" }],
        mark: { type: 'point', shape: 'cross', color: '#c0392b', size: 70, strokeWidth: 2 },
        encoding: { x: xEnc, y: { value: c.height ?? styleConfig(c.style).height }, ...(c.interactive ? { tooltip } : {}) },
      },
    ],
  };
}

export interface HeatCell {
  readonly x: number | string;
  readonly y: number | string;
  readonly mean: number | null;
  readonly std: number | null;
  readonly n: number;
  readonly trials: number;
  readonly note: string;
}

export interface HeatmapInput extends StyleOptions {
  readonly title: string;
  readonly xParam: string;
  readonly yParam: string;
  readonly metric: string;
  readonly cells: readonly HeatCell[];
  readonly mode: 'min' | 'max';
  readonly interactive?: boolean;
}

/** A 2-D grid: the metric's mean over seeds per cell, the value written in it; cells without a value say why. */
export function heatmapChart(c: HeatmapInput): ChartSpec {
  const sortKey = (v: number | string) => (typeof v === 'number' ? v : Number.NaN);
  const order = (vs: (number | string)[]) => [...new Set(vs)].sort((a, b) => (Number.isNaN(sortKey(a)) || Number.isNaN(sortKey(b)) ? String(a).localeCompare(String(b)) : sortKey(a) - sortKey(b)));
  const xs = order(c.cells.map((d) => d.x)), ys = order(c.cells.map((d) => d.y));
  const cells = c.cells.map((d) => ({ ...d, x: String(d.x), y: String(d.y), text: d.mean === null ? d.note : fmt(d.mean) }));
  const longest = Math.max(4, ...cells.map((d) => d.text.length));
  const cell = Math.max(c.style === 'paper' ? 30 : 48, longest * (c.style === 'paper' ? 5 : 7) + 8);
  return {
    ...frame(c.title, c),
    width: c.width ?? cell * xs.length,
    height: c.height ?? Math.min(cell, 36) * ys.length,
    data: { values: cells },
    encoding: {
      x: { field: 'x', type: 'ordinal', title: c.xParam, sort: xs.map(String), axis: { labelAngle: 0 } },
      y: { field: 'y', type: 'ordinal', title: c.yParam, sort: ys.map(String).reverse() },
    },
    layer: [
      {
        mark: { type: 'rect' },
        encoding: {
          color: { field: 'mean', type: 'quantitative', title: c.metric, scale: { scheme: c.mode === 'min' ? 'viridis' : 'viridis', reverse: c.mode === 'min' } },
          ...(c.interactive ? { tooltip: [{ field: 'x', title: c.xParam }, { field: 'y', title: c.yParam }, { field: 'mean', format: '.6~g', title: c.metric }, { field: 'std', format: '.3~g' }, { field: 'n' }, { field: 'trials' }, { field: 'note' }] } : {}),
        },
      },
      { mark: { type: 'rect', fill: '#eee', stroke: '#c0392b', strokeDash: [3, 2] }, transform: [{ filter: 'datum.mean === null' }] },
      {
        mark: { type: 'text', fontSize: c.style === 'paper' ? 7 : 10 },
        encoding: { text: { field: 'text' }, color: { condition: { test: 'datum.mean === null', value: '#c0392b' }, value: 'white' } },
      },
    ],
  };
}

function fmt(v: number): string {
  return String(Number(v.toPrecision(3)));
}

export interface ProfilePoint {
  readonly solver: string;
  readonly tau: number;
  readonly rho: number;
}

/** AlgoPerf performance profile: the fraction of problems each solver reaches the target within τ × the fastest. */
export function profileChart(c: StyleOptions & { readonly title: string; readonly points: readonly ProfilePoint[]; readonly interactive?: boolean }): ChartSpec {
  const solvers = [...new Set(c.points.map((p) => p.solver))];
  return {
    ...frame(c.title, c),
    data: { values: c.points },
    mark: { type: 'line', interpolate: 'step-after', point: c.interactive ?? false },
    encoding: {
      x: { field: 'tau', type: 'quantitative', title: 'τ (steps ÷ fastest steps)', scale: { type: 'log', domainMin: 1 } },
      y: { field: 'rho', type: 'quantitative', title: 'fraction of problems solved', scale: { domain: [0, 1] } },
      color: { field: 'solver', type: 'nominal', title: null, legend: legendFor(solvers, null) },
      ...(c.interactive ? { tooltip: [{ field: 'solver' }, { field: 'tau', format: '.3~f' }, { field: 'rho', format: '.3~f' }] } : {}),
    },
  };
}

export interface TargetBar {
  readonly label: string;
  readonly mean: number | null;
  readonly lo: number | null;
  readonly hi: number | null;
  readonly n: number;
  readonly reached: number;
}

/** Steps to reach a target: mean ± std over seeds of the first step each run reached it; never reached shown as such. */
export function targetChart(c: StyleOptions & { readonly title: string; readonly bars: readonly TargetBar[]; readonly interactive?: boolean }): ChartSpec {
  const rows = c.bars.map((b) => ({ ...b, text: b.mean === null ? 'not reached' : `${Math.round(b.mean)}${b.reached < b.n ? ` (${b.reached}/${b.n})` : ''}` }));
  return {
    ...frame(c.title, c),
    height: c.height ?? Math.max(60, 22 * rows.length),
    data: { values: rows },
    encoding: { y: { field: 'label', type: 'nominal', title: null, sort: null, axis: { labelLimit: 360 } } },
    layer: [
      { mark: { type: 'bar', color: '#4c78a8' }, encoding: { x: { field: 'mean', type: 'quantitative', title: 'steps to target' }, ...(c.interactive ? { tooltip: [{ field: 'label' }, { field: 'mean', format: '.1f' }, { field: 'n' }, { field: 'reached' }] } : {}) } },
      { mark: { type: 'rule' }, encoding: { x: { field: 'lo', type: 'quantitative' }, x2: { field: 'hi' } } },
      { mark: { type: 'text', align: 'left', dx: 4 }, encoding: { x: { datum: 0 }, text: { field: 'text' } }, transform: [{ filter: 'datum.mean === null' }] },
      { mark: { type: 'text', align: 'left', dx: 4 }, encoding: { x: { field: 'hi', type: 'quantitative' }, text: { field: 'text' } }, transform: [{ filter: 'datum.mean !== null' }] },
    ],
  };
}
