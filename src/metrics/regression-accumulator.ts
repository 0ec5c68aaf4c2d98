/**
 * Regression metrics over a whole split from downloaded arrays (row-major n×D predictions and
 * targets), in float64. mse and mae over all n·D entries, rmse = √mse, r2 averaged over the D
 * output dimensions (scikit-learn's uniform_average; a constant target gives 1 if predicted exactly,
 * else 0). The rest of the regression survey's family over all entries (Jadon et al. 2022; the
 * survey code's definitions, docs/losses.md): mbe, rae, rse, mape, msle, rmsle = √msle, nrmse =
 * rmse/std(ŷ), rrmse = √(Σe²/Σŷ²); a key whose denominator is 0 is left out. With periodsPerYear
 * (a return series, evaluated in time order) the first target dimension is read as realised
 * returns: directional_accuracy, madl, and the annualised return and Sharpe ratio of the sign
 * strategy s_t = sign(ŷ_t)·y_t (trading.ts).
 */
import { tradingMetrics } from './trading.js';

export interface RegressionAccumulator {
  add(predictions: Float32Array, targets: Float32Array): void;
  result(): Record<string, number>;
  readonly count: number;
}

export interface RegressionAccumulatorOptions {
  /** Periods per year of a return series (252 trading days): adds the trading metrics. */
  readonly periodsPerYear?: number;
}

/** Keras epsilon: MAPE's |y| floor and MSLE's clamp. */
const KERAS_EPS = 1e-7;

export function createRegressionAccumulator(outputDim: number, options: RegressionAccumulatorOptions = {}): RegressionAccumulator {
  const d = outputDim;
  if (!(Number.isInteger(d) && d >= 1)) throw new RangeError(`outputDim must be a positive integer (got ${d})`);
  let n = 0;
  const preds: number[] = [];
  const ys: number[] = [];
  return {
    get count() {
      return n;
    },
    add(predictions, targets) {
      if (predictions.length !== targets.length || predictions.length % d !== 0) {
        throw new RangeError(`predictions (${predictions.length}) and targets (${targets.length}) must both be n×${d}`);
      }
      n += targets.length / d;
      for (let i = 0; i < targets.length; i++) {
        preds.push(predictions[i]!);
        ys.push(targets[i]!);
      }
    },
    result() {
      if (n === 0) return {};
      const m = n * d;
      let sse = 0, abs = 0, bias = 0, ape = 0, sle = 0, yMean = 0, pMean = 0, pSq = 0;
      const sseDim = new Float64Array(d);
      const meanDim = new Float64Array(d);
      for (let i = 0; i < m; i++) {
        const y = ys[i]!, p = preds[i]!, e = y - p;
        sse += e * e;
        sseDim[i % d]! += e * e;
        meanDim[i % d]! += y / n;
        abs += Math.abs(e);
        bias += e;
        ape += Math.abs(e) / Math.max(Math.abs(y), KERAS_EPS);
        const l = Math.log1p(Math.max(p, KERAS_EPS)) - Math.log1p(Math.max(y, KERAS_EPS));
        sle += l * l;
        yMean += y / m;
        pMean += p / m;
        pSq += p * p;
      }
      let sst = 0, sad = 0, pVar = 0;
      const sstDim = new Float64Array(d);
      for (let i = 0; i < m; i++) {
        const dy = ys[i]! - yMean;
        sst += dy * dy;
        sad += Math.abs(dy);
        pVar += (preds[i]! - pMean) ** 2 / m;
        sstDim[i % d]! += (ys[i]! - meanDim[i % d]!) ** 2;
      }
      let r2 = 0;
      for (let j = 0; j < d; j++) r2 += sstDim[j]! > 0 ? 1 - sseDim[j]! / sstDim[j]! : sseDim[j]! === 0 ? 1 : 0;
      const mse = sse / m;
      const msle = sle / m;
      const out: Record<string, number> = { mse, mae: abs / m, rmse: Math.sqrt(mse), r2: r2 / d, mbe: bias / m, mape: (100 * ape) / m, msle, rmsle: Math.sqrt(msle) };
      if (sad > 0) out.rae = abs / sad;
      if (sst > 0) out.rse = sse / sst;
      if (pVar > 0) out.nrmse = Math.sqrt(mse) / Math.sqrt(pVar);
      if (pSq > 0) out.rrmse = Math.sqrt(sse / pSq);
      if (options.periodsPerYear !== undefined) {
        const r: number[] = [];
        const f: number[] = [];
        for (let i = 0; i < n; i++) {
          r.push(ys[i * d]!);
          f.push(preds[i * d]!);
        }
        Object.assign(out, tradingMetrics(f, r, options.periodsPerYear));
      }
      return out;
    },
  };
}
