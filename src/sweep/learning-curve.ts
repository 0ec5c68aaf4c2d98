/**
 * `sweep summary --fit power-law --x PATH`: the trials of a sweep as (x, metric) points, one fit of
 * L(x) = E + A·x^(−α) per setting of the other swept keys (seeds pooled), with bootstrap intervals,
 * a fit per seed (is α stable across seeds?) and, with `fitMax`, extrapolation to the larger x left out.
 * Accuracy-like metrics (those that go up) are fitted as the error 1 − value.
 */
import { metricDirection } from '../run/run-folder.js';
import { bootstrapPowerLaw, fitPowerLaw, predict, type BootstrapResult, type PowerLawFit } from './power-law.js';
import { canonicalJson } from './resolve-trials.js';
import { metricValues } from './summarize.js';
import type { TrialRecord } from './sweep-dir.js';

export interface FitPoint {
  readonly x: number;
  readonly y: number;
  readonly seed: unknown;
  readonly trial: string;
}

export interface SeedFit extends PowerLawFit {
  readonly seed: unknown;
}

export interface Extrapolation {
  readonly x: number;
  /** Mean observed value over the trials at x. */
  readonly observed: number;
  readonly predicted: number;
  /** (predicted − observed)/observed. */
  readonly relative_error: number;
}

export interface CurveFit {
  /** The other swept params of this group (empty when x is the only one). */
  readonly params: Readonly<Record<string, unknown>>;
  readonly label: string;
  readonly points: readonly FitPoint[];
  readonly fit: PowerLawFit;
  readonly bootstrap: BootstrapResult;
  /** One fit per seed that has at least 3 distinct x (only with two or more seeds). */
  readonly per_seed: readonly SeedFit[];
  /** α over per_seed: mean, sample std, min, max (absent with fewer than two seed fits). */
  readonly alpha_across_seeds?: { readonly mean: number; readonly std: number; readonly min: number; readonly max: number };
  readonly extrapolation: readonly Extrapolation[];
}

export interface LearningCurveReport {
  readonly x: string;
  readonly metric: string;
  /** What was fitted: the metric, or `1 − metric` for one that goes up. */
  readonly fitted: string;
  readonly fit_max: number | null;
  readonly curves: readonly CurveFit[];
}

export interface LearningCurveOptions {
  readonly x: string;
  readonly metric: string;
  readonly resamples: number;
  readonly seed: number;
  /** Fit on x ≤ fitMax only and report the prediction at the larger x. */
  readonly fitMax?: number | undefined;
}

export class FitInputError extends Error {}

function xOf(params: Readonly<Record<string, unknown>>, path: string): number | undefined {
  const v = params[path];
  return typeof v === 'number' ? v : undefined;
}

export function fitLearningCurves(records: readonly TrialRecord[], o: LearningCurveOptions): LearningCurveReport {
  const swept = [...new Set(records.flatMap((r) => Object.keys(r.params)))].filter((k) => k !== 'seed');
  if (!swept.includes(o.x)) throw new FitInputError(`--x ${o.x} is not a swept key of this sweep; swept: ${swept.join(', ') || '(none)'}`);
  const up = metricDirection(o.metric.replace(/^best\./, '').replace(/^final\./, '')) === 'max';
  const groups = new Map<string, { params: Record<string, unknown>; points: FitPoint[] }>();
  for (const r of [...records].sort((a, b) => a.index - b.index)) {
    if (r.status !== 'completed') continue;
    const { seed, ...rest } = r.params;
    const x = xOf(rest, o.x);
    if (x === undefined) throw new FitInputError(`trial ${r.id}: ${o.x} = ${JSON.stringify(rest[o.x])} is not a number`);
    const v = metricValues(r)[o.metric.replace(/^final\./, '')];
    if (v === undefined || !Number.isFinite(v)) continue;
    const { [o.x]: _x, ...others } = rest;
    const key = canonicalJson(others);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { params: others, points: [] }));
    g.points.push({ x, y: up ? 1 - v : v, seed, trial: r.id });
  }
  if (groups.size === 0) throw new FitInputError(`no completed trial has ${o.metric}`);
  const curves: CurveFit[] = [];
  for (const g of groups.values()) {
    const used = o.fitMax === undefined ? g.points : g.points.filter((p) => p.x <= o.fitMax!);
    const xs = used.map((p) => p.x);
    const ys = used.map((p) => p.y);
    const fit = fitPowerLaw(xs, ys);
    const bootstrap = bootstrapPowerLaw(xs, ys, o.resamples, o.seed);
    const seeds = [...new Set(used.map((p) => canonicalJson(p.seed ?? null)))];
    const perSeed: SeedFit[] = [];
    if (seeds.length >= 2) {
      for (const s of seeds) {
        const mine = used.filter((p) => canonicalJson(p.seed ?? null) === s);
        if (new Set(mine.map((p) => p.x)).size < 3) continue;
        perSeed.push({ seed: mine[0]!.seed, ...fitPowerLaw(mine.map((p) => p.x), mine.map((p) => p.y)) });
      }
    }
    const alphas = perSeed.map((f) => f.alpha);
    const mean = alphas.reduce((s, v) => s + v, 0) / Math.max(1, alphas.length);
    const std = alphas.length > 1 ? Math.sqrt(alphas.reduce((s, v) => s + (v - mean) ** 2, 0) / (alphas.length - 1)) : 0;
    const extrapolation: Extrapolation[] = [];
    if (o.fitMax !== undefined) {
      for (const x of [...new Set(g.points.map((p) => p.x))].filter((v) => v > o.fitMax!).sort((a, b) => a - b)) {
        const at = g.points.filter((p) => p.x === x);
        const observed = at.reduce((s, p) => s + p.y, 0) / at.length;
        const predicted = predict(fit, x);
        extrapolation.push({ x, observed, predicted, relative_error: (predicted - observed) / observed });
      }
    }
    const label = Object.keys(g.params).length === 0 ? 'all trials' : Object.entries(g.params).map(([k, v]) => `${k}=${canonicalJson(v)}`).join(' ');
    curves.push({
      params: g.params, label, points: g.points, fit, bootstrap, per_seed: perSeed,
      ...(alphas.length >= 2 ? { alpha_across_seeds: { mean, std, min: Math.min(...alphas), max: Math.max(...alphas) } } : {}),
      extrapolation,
    });
  }
  return { x: o.x, metric: o.metric, fitted: up ? `1 − ${o.metric}` : o.metric, fit_max: o.fitMax ?? null, curves };
}

const g4 = (v: number) => String(Number(v.toPrecision(4)));

/** The report as text: one block per curve. */
export function formatLearningCurves(r: LearningCurveReport): string {
  const lines: string[] = [`power-law fit ${r.fitted} = E + A·x^(−α), x = ${r.x}${r.fit_max !== null ? ` (fitted on x ≤ ${r.fit_max})` : ''}`];
  for (const c of r.curves) {
    const b = c.bootstrap;
    lines.push(`${c.label}: ${c.points.length} trials`);
    lines.push(`  α = ${g4(c.fit.alpha)} [${g4(b.alpha.lo)}, ${g4(b.alpha.hi)}]   E = ${g4(c.fit.E)} [${g4(b.E.lo)}, ${g4(b.E.hi)}]   A = ${g4(c.fit.A)} [${g4(b.A.lo)}, ${g4(b.A.hi)}]   (95% bootstrap, ${b.resamples} ${b.method} resamples; rss ${c.fit.rss.toExponential(3)})`);
    if (c.per_seed.length > 0) lines.push(`  per seed α: ${c.per_seed.map((f) => `${canonicalJson(f.seed ?? null)}: ${g4(f.alpha)}`).join(', ')}${c.alpha_across_seeds ? `   (mean ${g4(c.alpha_across_seeds.mean)} ± ${g4(c.alpha_across_seeds.std)})` : ''}`);
    for (const e of c.extrapolation) lines.push(`  extrapolated to x = ${e.x}: predicted ${g4(e.predicted)}, observed ${g4(e.observed)} (${(100 * e.relative_error).toFixed(1)}%)`);
  }
  return `${lines.join('\n')}\n`;
}
