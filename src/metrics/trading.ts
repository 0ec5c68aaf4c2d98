/**
 * Metrics of a sign strategy on a return series (in time order): position sign(R̂_t) on the
 * realised return R_t, no costs. directional_accuracy = mean 1[sign R̂ = sign R]; madl = mean
 * −sign(R·R̂)·|R| (Michańków et al. 2023); strategy_return = P·mean(s) (arithmetic, annualised
 * with P periods per year); sharpe = √P·mean(s)/std(s) (population std, zero risk-free rate;
 * left out when std(s) = 0).
 */
export function tradingMetrics(predicted: readonly number[], realised: readonly number[], periodsPerYear: number): Record<string, number> {
  const n = realised.length;
  if (n === 0) return {};
  let hits = 0, madl = 0, mean = 0;
  const s: number[] = [];
  for (let t = 0; t < n; t++) {
    const r = realised[t]!, f = predicted[t]!;
    if (Math.sign(r) === Math.sign(f)) hits++;
    madl += -Math.sign(r * f) * Math.abs(r);
    const st = Math.sign(f) * r;
    s.push(st);
    mean += st / n;
  }
  let v = 0;
  for (const st of s) v += (st - mean) ** 2 / n;
  const out: Record<string, number> = { directional_accuracy: hits / n, madl: madl / n, strategy_return: mean * periodsPerYear };
  if (v > 0) out.sharpe = (Math.sqrt(periodsPerYear) * mean) / Math.sqrt(v);
  return out;
}
