import { z } from 'zod';
import { Rng } from '../../core/random.js';
import type { DataSpec } from '../../core/types.js';
import { optionError } from '../data-errors.js';
import { defineDataset } from '../define-dataset.js';
import { sampledData, sizeOptions } from './sample-splits.js';

function returnsSpec(o: { readonly window: number; readonly periods_per_year: number }): Omit<DataSpec, 'classCounts'> {
  return { task: 'regression', inputShape: [o.window], inputKind: 'dense', numClasses: 0, outputDim: 1, periodsPerYear: o.periods_per_year };
}

/**
 * One seeded return series r_t = μ + φ·r_{t−1} + ε_t with GARCH(1, 1) noise ε_t = σ_t·z_t,
 * σ²_t = ω + α·ε²_{t−1} + β·σ²_{t−1}, z_t ~ N(0, 1) (Bollerslev 1986), after a burn-in of 500
 * steps from the stationary variance. Windowed: x = the previous `window` returns, y = r_t. The
 * first n_train windows are train, the next n_test test (time order; test targets come after
 * every train target). Evaluation adds the trading metrics (DataSpec.periodsPerYear).
 */
export const returns = defineDataset({
  name: 'returns',
  summary: 'Seeded AR(1)–GARCH(1,1) return series, windowed (x = past returns, y = next return), time-ordered splits.',
  options: {
    ...sizeOptions(2000, 1000),
    window: z.int().min(1).default(20).describe('Past returns per example (the input width).'),
    mu: z.number().finite().default(0.0002).describe('μ: drift per period (0.0002 ≈ 5% a year over 252 days).'),
    phi: z.number().gt(-1).lt(1).default(0.1).describe('φ: AR(1) coefficient, the predictable part of the next return.'),
    omega: z.number().positive().default(0.000002).describe('ω of the GARCH variance (stationary variance ω/(1 − α − β): 1% daily volatility by default).'),
    alpha: z.number().min(0).default(0.08).describe('α: ARCH weight of the last squared shock.'),
    beta: z.number().min(0).default(0.9).describe('β: GARCH weight of the last variance.'),
    periods_per_year: z.number().positive().default(252).describe('Periods per year for the annualised strategy return and Sharpe ratio (252 trading days).'),
  },
  describe(o) {
    if (!(o.alpha + o.beta < 1)) throw optionError('alpha', `alpha + beta must be below 1 for a stationary variance (got ${o.alpha + o.beta})`);
    return sampledData(returnsSpec(o), o);
  },
  load(o, deps) {
    const rng = Rng.derive(deps.seed, 'returns', 'series');
    const burn = 500;
    const length = burn + o.window + o.n_train + o.n_test;
    const series = new Float64Array(length);
    let variance = o.omega / (1 - o.alpha - o.beta);
    let shock = 0;
    let prev = o.mu / (1 - o.phi);
    for (let t = 0; t < length; t++) {
      variance = o.omega + o.alpha * shock * shock + o.beta * variance;
      shock = Math.sqrt(variance) * rng.normal();
      prev = o.mu + o.phi * prev + shock;
      series[t] = prev;
    }
    const windowed = (start: number, n: number) => {
      const x = new Float32Array(n * o.window);
      const y = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const t = start + i; // index of the target return
        for (let j = 0; j < o.window; j++) x[i * o.window + j] = series[t - o.window + j]!;
        y[i] = series[t]!;
      }
      return { n, x, y };
    };
    const first = burn + o.window;
    return {
      spec: returnsSpec(o),
      train: windowed(first, o.n_train),
      test: windowed(first + o.n_train, o.n_test),
      meta: { source: 'synthetic: AR(1)-GARCH(1,1) returns', mu: o.mu, phi: o.phi, omega: o.omega, alpha: o.alpha, beta: o.beta, window: o.window },
    };
  },
});
