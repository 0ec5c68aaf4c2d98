/**
 * Learning-curve and scaling-law fits L(x) = E + A·x^(−α) over sweep trials (Kaplan et al. 2020;
 * Hestness et al. 2017). For a fixed α the model is linear in (E, A), so the least-squares fit profiles
 * α: the closed-form (E, A) at each α, the residual sum of squares minimised over α on a log grid and
 * refined by golden-section search. Intervals come from a seeded bootstrap: trials resampled with
 * replacement within each x (every x keeps its count), or, when some x has a single trial, residuals
 * resampled around the fit. Percentile intervals at 95 %.
 */
import { Rng } from '../core/random.js';

export interface PowerLawFit {
  readonly E: number;
  readonly A: number;
  readonly alpha: number;
  /** Residual sum of squares. */
  readonly rss: number;
  readonly n: number;
}

export interface Interval {
  readonly lo: number;
  readonly hi: number;
}

export interface PowerLawOptions {
  /** α search range (both > 0); defaults [1e-3, 5]. */
  readonly alphaRange?: readonly [number, number];
}

const DEFAULT_RANGE: readonly [number, number] = [1e-3, 5];
const GRID = 200;

/** (E, A) by least squares at a fixed α, and the residual sum of squares. */
function linearAt(x: readonly number[], y: readonly number[], alpha: number): PowerLawFit {
  const n = x.length;
  const phi = x.map((v) => v ** -alpha);
  let mp = 0, my = 0;
  for (let i = 0; i < n; i++) { mp += phi[i]!; my += y[i]!; }
  mp /= n; my /= n;
  let spp = 0, spy = 0;
  for (let i = 0; i < n; i++) { spp += (phi[i]! - mp) ** 2; spy += (phi[i]! - mp) * (y[i]! - my); }
  const A = spp > 0 ? spy / spp : 0;
  const E = my - A * mp;
  let rss = 0;
  for (let i = 0; i < n; i++) rss += (y[i]! - E - A * phi[i]!) ** 2;
  return { E, A, alpha, rss, n };
}

/** The least-squares power law through (x, y); needs x > 0 and at least 3 distinct x. */
export function fitPowerLaw(x: readonly number[], y: readonly number[], o: PowerLawOptions = {}): PowerLawFit {
  if (x.length !== y.length) throw new Error(`fitPowerLaw: ${x.length} x values for ${y.length} y values`);
  if (x.some((v) => !(v > 0) || !Number.isFinite(v))) throw new Error('fitPowerLaw: every x must be a positive finite number');
  if (y.some((v) => !Number.isFinite(v))) throw new Error('fitPowerLaw: every y must be finite');
  if (new Set(x).size < 3) throw new Error(`fitPowerLaw: three parameters need at least 3 distinct x values, got ${new Set(x).size}`);
  const [lo, hi] = o.alphaRange ?? DEFAULT_RANGE;
  const grid = Array.from({ length: GRID }, (_, i) => lo * (hi / lo) ** (i / (GRID - 1)));
  let best = 0;
  let bestRss = Number.POSITIVE_INFINITY;
  grid.forEach((a, i) => {
    const r = linearAt(x, y, a).rss;
    if (r < bestRss) { bestRss = r; best = i; }
  });
  // golden-section search between the grid neighbours of the best grid point (RSS is smooth in α)
  let a = Math.log(grid[Math.max(0, best - 1)]!);
  let b = Math.log(grid[Math.min(GRID - 1, best + 1)]!);
  const g = (Math.sqrt(5) - 1) / 2;
  const f = (t: number) => linearAt(x, y, Math.exp(t)).rss;
  let c = b - g * (b - a), d = a + g * (b - a);
  let fc = f(c), fd = f(d);
  for (let it = 0; it < 60; it++) {
    if (fc < fd) { b = d; d = c; fd = fc; c = b - g * (b - a); fc = f(c); }
    else { a = c; c = d; fc = fd; d = a + g * (b - a); fd = f(d); }
  }
  const refined = linearAt(x, y, Math.exp((a + b) / 2));
  const gridBest = linearAt(x, y, grid[best]!);
  return refined.rss <= gridBest.rss ? refined : gridBest;
}

export function predict(fit: Pick<PowerLawFit, 'E' | 'A' | 'alpha'>, x: number): number {
  return fit.E + fit.A * x ** -fit.alpha;
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = q * (sorted.length - 1);
  const i = Math.floor(pos);
  const frac = pos - i;
  return i + 1 < sorted.length ? sorted[i]! * (1 - frac) + sorted[i + 1]! * frac : sorted[i]!;
}

export interface BootstrapResult {
  readonly E: Interval;
  readonly A: Interval;
  readonly alpha: Interval;
  /** Resamples drawn and how (`cases`: trials within each x; `residuals`: around the fit). */
  readonly resamples: number;
  readonly method: 'cases' | 'residuals';
}

/** 95 % percentile intervals of E, A and α over `resamples` seeded bootstrap refits. */
export function bootstrapPowerLaw(x: readonly number[], y: readonly number[], resamples: number, seed: number, o: PowerLawOptions = {}): BootstrapResult {
  const fit = fitPowerLaw(x, y, o);
  const rng = Rng.derive(seed, 'power-law-bootstrap');
  const byX = new Map<number, number[]>();
  x.forEach((v, i) => { const l = byX.get(v); if (l) l.push(i); else byX.set(v, [i]); });
  const cases = [...byX.values()].every((l) => l.length >= 2);
  const residuals = y.map((v, i) => v - predict(fit, x[i]!));
  const draws: { E: number[]; A: number[]; alpha: number[] } = { E: [], A: [], alpha: [] };
  for (let b = 0; b < resamples; b++) {
    const xs: number[] = [];
    const ys: number[] = [];
    if (cases) {
      for (const [v, idx] of byX) for (let k = 0; k < idx.length; k++) { xs.push(v); ys.push(y[idx[rng.int(idx.length)]!]!); }
    } else {
      x.forEach((v) => { xs.push(v); ys.push(predict(fit, v) + residuals[rng.int(residuals.length)]!); });
    }
    const f = fitPowerLaw(xs, ys, o);
    draws.E.push(f.E); draws.A.push(f.A); draws.alpha.push(f.alpha);
  }
  const interval = (v: number[]): Interval => {
    const s = [...v].sort((p, q) => p - q);
    return { lo: percentile(s, 0.025), hi: percentile(s, 0.975) };
  };
  return { E: interval(draws.E), A: interval(draws.A), alpha: interval(draws.alpha), resamples, method: cases ? 'cases' : 'residuals' };
}
