/**
 * The learning-curve figure of `sweep summary --fit power-law`: each trial a point, each group's
 * fitted E + A·x^(−α) as a line over the swept range (log x), its asymptote E dashed.
 */
import { styleConfig, type ChartSpec, type StyleOptions } from './charts.js';

export interface PowerLawCurve {
  readonly label: string;
  readonly points: readonly { readonly x: number; readonly y: number }[];
  readonly fit: { readonly E: number; readonly A: number; readonly alpha: number };
}

export function powerLawChart(c: StyleOptions & { readonly title: string; readonly x: string; readonly y: string; readonly curves: readonly PowerLawCurve[] }): ChartSpec {
  const s = styleConfig(c.style);
  const xs = c.curves.flatMap((k) => k.points.map((p) => p.x));
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  const line = c.curves.flatMap((k) =>
    Array.from({ length: 80 }, (_, i) => {
      const x = lo * (hi / lo) ** (i / 79);
      return { series: k.label, x, y: k.fit.E + k.fit.A * x ** -k.fit.alpha };
    }),
  );
  const asymptote = c.curves.flatMap((k) => [{ series: k.label, x: lo, y: k.fit.E }, { series: k.label, x: hi, y: k.fit.E }]);
  const points = c.curves.flatMap((k) => k.points.map((p) => ({ series: k.label, x: p.x, y: p.y })));
  const x = { field: 'x', type: 'quantitative', title: c.x, scale: { type: 'log', domain: [lo, hi], nice: false } };
  const y = { field: 'y', type: 'quantitative', title: c.y, scale: { zero: false } };
  const color = { field: 'series', type: 'nominal', title: null, legend: c.curves.length > 1 ? { orient: 'bottom', columns: 1, labelLimit: 360 } : null };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: c.title,
    width: c.width ?? s.width,
    height: c.height ?? s.height,
    config: s.config,
    background: 'white',
    layer: [
      { data: { values: line }, mark: { type: 'line' }, encoding: { x, y, color } },
      { data: { values: asymptote }, mark: { type: 'line', strokeDash: [4, 3], opacity: 0.6 }, encoding: { x, y, color } },
      { data: { values: points }, mark: { type: 'point', filled: true, size: 36, opacity: 0.8 }, encoding: { x, y, color } },
    ],
  };
}
