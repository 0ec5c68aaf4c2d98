/**
 * Regression metrics over a whole split from downloaded arrays (row-major n×D predictions and
 * targets): mse and mae averaged over all n·D entries, rmse = √mse, and r2 averaged over the
 * D output dimensions (scikit-learn's uniform_average). Per dimension the target variance is
 * accumulated with Welford's update; a constant target gives r2 = 1 if predicted exactly, else 0
 * (scikit-learn's convention).
 */
export interface RegressionAccumulator {
  add(predictions: Float32Array, targets: Float32Array): void;
  result(): Record<string, number>;
  readonly count: number;
}

export function createRegressionAccumulator(outputDim: number): RegressionAccumulator {
  const d = outputDim;
  if (!(Number.isInteger(d) && d >= 1)) throw new RangeError(`outputDim must be a positive integer (got ${d})`);
  let n = 0;
  let absSum = 0;
  const sse = new Float64Array(d);
  const mean = new Float64Array(d);
  const m2 = new Float64Array(d);
  return {
    get count() {
      return n;
    },
    add(predictions, targets) {
      if (predictions.length !== targets.length || predictions.length % d !== 0) {
        throw new RangeError(`predictions (${predictions.length}) and targets (${targets.length}) must both be n×${d}`);
      }
      const rows = targets.length / d;
      for (let i = 0; i < rows; i++) {
        n++;
        for (let j = 0; j < d; j++) {
          const y = targets[i * d + j]!;
          const e = y - predictions[i * d + j]!;
          sse[j]! += e * e;
          absSum += Math.abs(e);
          const delta = y - mean[j]!;
          mean[j]! += delta / n;
          m2[j]! += delta * (y - mean[j]!);
        }
      }
    },
    result() {
      if (n === 0) return {};
      let sseTotal = 0;
      let r2 = 0;
      for (let j = 0; j < d; j++) {
        sseTotal += sse[j]!;
        r2 += m2[j]! > 0 ? 1 - sse[j]! / m2[j]! : sse[j]! === 0 ? 1 : 0;
      }
      const mse = sseTotal / (n * d);
      return { mse, mae: absSum / (n * d), rmse: Math.sqrt(mse), r2: r2 / d };
    },
  };
}
