/**
 * The figures of `minima analyze`, as Vega-Lite specs drawn by report/figure.ts: curves against a
 * coordinate, a 2-D landscape as filled contours with isolines (marching squares, computed here:
 * Vega-Lite has no contour mark) and as a wireframe surface in an oblique projection, a spectral
 * density, a reliability diagram and a class × class heatmap.
 */
import { styleConfig, type ChartSpec } from '../report/charts.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

function frame(title: string, width?: number, height?: number): ChartSpec {
  const s = styleConfig('default');
  return { $schema: SCHEMA, title, width: width ?? s.width, height: height ?? s.height, config: s.config, background: 'white' };
}

/** Lines of `y` against `x`, one per `series` value. */
export function linesChart(c: { title: string; x: string; y: string; xTitle: string; yTitle: string; rows: readonly Record<string, unknown>[]; series: string; logY?: boolean; dashed?: string }): ChartSpec {
  return {
    ...frame(c.title),
    data: { values: c.rows },
    transform: [{ filter: `isValid(datum.${c.y}) && isFinite(datum.${c.y})` }],
    mark: { type: 'line', point: { size: 18 }, strokeWidth: 1.6 },
    encoding: {
      x: { field: c.x, type: 'quantitative', title: c.xTitle },
      y: { field: c.y, type: 'quantitative', title: c.yTitle, scale: { type: c.logY ? 'log' : 'linear', zero: false } },
      color: { field: c.series, type: 'nominal', title: null, legend: { orient: 'bottom', labelLimit: 320 } },
      ...(c.dashed ? { strokeDash: { field: c.dashed, type: 'nominal', title: null } } : {}),
    },
  };
}

/** Isoline segments of z on the grid (x[i], y[j]) with z[j][i], at each level (marching squares, linear interpolation on the cell edges). */
export function isolines(xs: readonly number[], ys: readonly number[], z: readonly (readonly number[])[], levels: readonly number[]): { level: number; segment: number; order: number; x: number; y: number }[] {
  const out: { level: number; segment: number; order: number; x: number; y: number }[] = [];
  let segment = 0;
  for (const level of levels) {
    for (let j = 0; j + 1 < ys.length; j++) {
      for (let i = 0; i + 1 < xs.length; i++) {
        // corners counter-clockwise from (i, j); a crossing on each edge whose ends straddle the level
        const corners: [number, number, number][] = [
          [xs[i]!, ys[j]!, z[j]![i]!], [xs[i + 1]!, ys[j]!, z[j]![i + 1]!], [xs[i + 1]!, ys[j + 1]!, z[j + 1]![i + 1]!], [xs[i]!, ys[j + 1]!, z[j + 1]![i]!],
        ];
        const cross: [number, number][] = [];
        for (let e = 0; e < 4; e++) {
          const a = corners[e]!;
          const b = corners[(e + 1) % 4]!;
          if (!Number.isFinite(a[2]) || !Number.isFinite(b[2])) continue;
          if ((a[2] < level) !== (b[2] < level)) {
            const t = (level - a[2]) / (b[2] - a[2]);
            cross.push([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]);
          }
        }
        // two crossings: one segment; four (a saddle cell): two, paired in edge order
        for (let k = 0; k + 1 < cross.length; k += 2) {
          out.push({ level, segment, order: 0, x: cross[k]![0], y: cross[k]![1] });
          out.push({ level, segment, order: 1, x: cross[k + 1]![0], y: cross[k + 1]![1] });
          segment++;
        }
      }
    }
  }
  return out;
}

/** `count` levels between the grid's finite minimum and maximum (log-spaced above the minimum, where loss surfaces have their detail). */
export function contourLevels(z: readonly (readonly number[])[], count: number): number[] {
  const finite = z.flat().filter(Number.isFinite);
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  if (!(hi > lo)) return [];
  const span = hi - lo;
  return Array.from({ length: count }, (_, k) => lo + span * ((Math.exp(((k + 1) / (count + 1)) * Math.log(101)) - 1) / 100));
}

/** A 2-D surface z(x, y) as a heatmap with isolines on top. */
export function contourChart(c: { title: string; xs: readonly number[]; ys: readonly number[]; z: readonly (readonly number[])[]; zTitle: string; levels?: number }): ChartSpec {
  const cells = c.ys.flatMap((y, j) => c.xs.map((x, i) => ({ x, y, z: c.z[j]![i]! })));
  const dx = c.xs.length > 1 ? (c.xs[1]! - c.xs[0]!) / 2 : 0.5;
  const dy = c.ys.length > 1 ? (c.ys[1]! - c.ys[0]!) / 2 : 0.5;
  const rects = cells.filter((d) => Number.isFinite(d.z)).map((d) => ({ ...d, x0: d.x - dx, x1: d.x + dx, y0: d.y - dy, y1: d.y + dy }));
  const lines = isolines(c.xs, c.ys, c.z, contourLevels(c.z, c.levels ?? 12));
  const xEnc = { type: 'quantitative', title: 'α (direction δ)', scale: { domain: [c.xs[0]! - dx, c.xs.at(-1)! + dx], nice: false } };
  const yEnc = { type: 'quantitative', title: 'β (direction η)', scale: { domain: [c.ys[0]! - dy, c.ys.at(-1)! + dy], nice: false } };
  return {
    ...frame(c.title, 360, 320),
    layer: [
      {
        data: { values: rects },
        mark: { type: 'rect' },
        encoding: { x: { field: 'x0', ...xEnc }, x2: { field: 'x1' }, y: { field: 'y0', ...yEnc }, y2: { field: 'y1' }, color: { field: 'z', type: 'quantitative', title: c.zTitle, scale: { scheme: 'viridis', type: 'log' } } },
      },
      {
        data: { values: lines },
        mark: { type: 'line', color: 'white', strokeWidth: 1, opacity: 0.9 },
        encoding: { x: { field: 'x', ...xEnc }, y: { field: 'y', ...yEnc }, detail: { field: 'segment', type: 'nominal' }, order: { field: 'order' } },
      },
      {
        data: { values: [{ x: 0, y: 0 }] },
        mark: { type: 'point', shape: 'cross', color: 'red', size: 80, filled: true },
        encoding: { x: { field: 'x', ...xEnc }, y: { field: 'y', ...yEnc } },
      },
    ],
  };
}

/**
 * The surface z(x, y) as a wireframe: every grid row and column drawn as a polyline in an oblique
 * projection (x to the right, y receding up-right, z up); heights above `clip` are cut there.
 */
export function surfaceChart(c: { title: string; xs: readonly number[]; ys: readonly number[]; z: readonly (readonly number[])[]; clip?: number }): ChartSpec {
  const finite = c.z.flat().filter(Number.isFinite);
  const lo = Math.min(...finite);
  const cap = c.clip ?? Math.max(...finite);
  const height = (v: number) => (Math.min(Number.isFinite(v) ? v : cap, cap) - lo) / Math.max(1e-12, cap - lo);
  const sx = (c.xs.at(-1)! - c.xs[0]!) || 1;
  const sy = (c.ys.at(-1)! - c.ys[0]!) || 1;
  const project = (i: number, j: number) => {
    const u = (c.xs[i]! - c.xs[0]!) / sx;
    const v = (c.ys[j]! - c.ys[0]!) / sy;
    const h = height(c.z[j]![i]!);
    return { px: u + 0.45 * v, py: 0.35 * v + 0.8 * h, z: Math.min(c.z[j]![i]!, cap) };
  };
  const rows: { line: string; order: number; px: number; py: number; z: number }[] = [];
  c.ys.forEach((_, j) => c.xs.forEach((__, i) => rows.push({ line: `r${j}`, order: i, ...project(i, j) })));
  c.xs.forEach((_, i) => c.ys.forEach((__, j) => rows.push({ line: `c${i}`, order: j, ...project(i, j) })));
  return {
    ...frame(c.title, 420, 320),
    data: { values: rows },
    mark: { type: 'line', strokeWidth: 0.9, color: '#31688e' },
    encoding: {
      x: { field: 'px', type: 'quantitative', axis: null },
      y: { field: 'py', type: 'quantitative', axis: null },
      detail: { field: 'line', type: 'nominal' },
      order: { field: 'order' },
    },
  };
}

/** A spectral density on a log scale (PyHessian's plot: density + 1e-7, semilogy). */
export function densityChart(c: { title: string; rows: readonly { eigenvalue: number; density: number }[] }): ChartSpec {
  return {
    ...frame(c.title),
    data: { values: c.rows.map((r) => ({ ...r, shown: r.density + 1e-7 })) },
    mark: { type: 'line', strokeWidth: 1.4 },
    encoding: {
      x: { field: 'eigenvalue', type: 'quantitative', title: 'eigenvalue' },
      y: { field: 'shown', type: 'quantitative', title: 'density (+1e-7)', scale: { type: 'log' } },
    },
  };
}

/** Reliability diagram: accuracy per confidence bin (bars), the bins' mean confidence (points) and the diagonal. */
export function reliabilityChart(c: { title: string; bins: readonly { lo: number; hi: number; accuracy: number | null; confidence: number | null; count: number }[] }): ChartSpec {
  const filled = c.bins.filter((b) => b.count > 0);
  const scale = { domain: [0, 1] };
  return {
    ...frame(c.title, 320, 320),
    layer: [
      { data: { values: filled }, mark: { type: 'rect', color: '#4c78a8', opacity: 0.85, stroke: 'white' }, encoding: { x: { field: 'lo', type: 'quantitative', title: 'confidence', scale }, x2: { field: 'hi' }, y: { field: 'accuracy', type: 'quantitative', title: 'accuracy', scale }, y2: { datum: 0 } } },
      { data: { values: filled }, mark: { type: 'point', color: '#e45756', filled: true, size: 30 }, encoding: { x: { field: 'confidence', type: 'quantitative', scale }, y: { field: 'confidence', type: 'quantitative', scale } } },
      { data: { values: [{ a: 0 }, { a: 1 }] }, mark: { type: 'line', color: 'gray', strokeDash: [4, 3] }, encoding: { x: { field: 'a', type: 'quantitative', scale }, y: { field: 'a', type: 'quantitative', scale } } },
    ],
  };
}

/** A class × class matrix (cosines between class means). */
export function matrixChart(c: { title: string; rows: readonly { a: number; b: number; value: number }[]; valueTitle: string }): ChartSpec {
  return {
    ...frame(c.title, 280, 280),
    data: { values: c.rows },
    mark: { type: 'rect' },
    encoding: {
      x: { field: 'a', type: 'ordinal', title: 'class' },
      y: { field: 'b', type: 'ordinal', title: 'class' },
      color: { field: 'value', type: 'quantitative', title: c.valueTitle, scale: { scheme: 'redblue', domain: [-1, 1], reverse: true } },
    },
  };
}
