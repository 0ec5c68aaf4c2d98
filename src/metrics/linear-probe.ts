/**
 * Linear-probe accuracy: multinomial logistic regression fitted on the train split's (frozen)
 * embeddings and scored on another split's, the usual evaluation of self-supervised features
 * (SimCLR, SupCon). Float64 in JS, deterministic: features standardised with the train mean and
 * standard deviation, W [d + 1, K] from zero, `iterations` full-batch Adam steps (lr 0.1,
 * β 0.9/0.999) on the mean cross-entropy plus ½·l2·‖W‖² (bias excluded).
 */
export interface ProbeData {
  readonly x: ArrayLike<number>;
  readonly y: ArrayLike<number>;
  readonly n: number;
}

export interface ProbeOptions {
  readonly iterations: number;
  readonly l2: number;
}

export function linearProbeAccuracy(train: ProbeData, test: ProbeData, d: number, k: number, o: ProbeOptions = { iterations: 200, l2: 1e-4 }): number {
  if (train.n === 0 || test.n === 0) return 0;
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  for (let i = 0; i < train.n; i++) for (let j = 0; j < d; j++) mean[j]! += train.x[i * d + j]! / train.n;
  for (let i = 0; i < train.n; i++) for (let j = 0; j < d; j++) std[j]! += (train.x[i * d + j]! - mean[j]!) ** 2 / train.n;
  for (let j = 0; j < d; j++) std[j] = std[j]! > 1e-12 ? Math.sqrt(std[j]!) : 1;
  const feats = (data: ProbeData) => Float64Array.from({ length: data.n * d }, (_, t) => (data.x[t]! - mean[t % d]!) / std[t % d]!);
  const xs = feats(train);
  const D = d + 1; // the last row of W is the bias
  const W = new Float64Array(D * k);
  const m = new Float64Array(D * k);
  const v = new Float64Array(D * k);
  const g = new Float64Array(D * k);
  const logits = new Float64Array(k);
  const lr = 0.1, b1 = 0.9, b2 = 0.999, eps = 1e-8;
  for (let it = 1; it <= o.iterations; it++) {
    g.fill(0);
    for (let i = 0; i < train.n; i++) {
      let max = -Infinity;
      for (let c = 0; c < k; c++) {
        let z = W[d * k + c]!;
        for (let j = 0; j < d; j++) z += xs[i * d + j]! * W[j * k + c]!;
        logits[c] = z;
        if (z > max) max = z;
      }
      let sum = 0;
      for (let c = 0; c < k; c++) sum += (logits[c] = Math.exp(logits[c]! - max));
      for (let c = 0; c < k; c++) {
        const r = (logits[c]! / sum - (train.y[i] === c ? 1 : 0)) / train.n;
        if (r === 0) continue;
        for (let j = 0; j < d; j++) g[j * k + c]! += r * xs[i * d + j]!;
        g[d * k + c]! += r;
      }
    }
    for (let t = 0; t < D * k; t++) {
      const grad = g[t]! + (t < d * k ? o.l2 * W[t]! : 0);
      m[t] = b1 * m[t]! + (1 - b1) * grad;
      v[t] = b2 * v[t]! + (1 - b2) * grad * grad;
      W[t]! -= (lr * (m[t]! / (1 - b1 ** it))) / (Math.sqrt(v[t]! / (1 - b2 ** it)) + eps);
    }
  }
  const xt = feats(test);
  let correct = 0;
  for (let i = 0; i < test.n; i++) {
    let best = 0, bestZ = -Infinity;
    for (let c = 0; c < k; c++) {
      let z = W[d * k + c]!;
      for (let j = 0; j < d; j++) z += xt[i * d + j]! * W[j * k + c]!;
      if (z > bestZ) {
        bestZ = z;
        best = c;
      }
    }
    if (best === test.y[i]) correct++;
  }
  return correct / test.n;
}
