import type { Rng } from '../core/random.js';

/**
 * Splits `total` into integer parts proportional to `weights` that sum exactly to `total`
 * (largest remainder; ties go to the lower class id, so the result is deterministic).
 * `caps` bounds each part (a class cannot give more examples than it has).
 */
export function allocate(total: number, weights: readonly number[], caps: readonly number[] = weights): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0 || total === 0) return weights.map(() => 0);
  const exact = weights.map((w) => (total * w) / sum);
  const parts = exact.map((e, k) => Math.min(Math.floor(e), caps[k]!));
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = exact.map((_, k) => k).sort((a, b) => exact[b]! - Math.floor(exact[b]!) - (exact[a]! - Math.floor(exact[a]!)) || a - b);
  // first pass by largest remainder, then fill wherever capacity is left
  for (const k of [...order, ...order]) {
    if (left === 0) break;
    if (parts[k]! < caps[k]!) { parts[k]! += 1; left -= 1; }
  }
  return parts;
}

/** Indices of each class, in order of appearance. */
export function indicesByClass(labels: ArrayLike<number>, numClasses: number): Int32Array[] {
  const counts = new Int32Array(numClasses);
  for (let i = 0; i < labels.length; i++) counts[labels[i]!]! += 1;
  const out = Array.from(counts, (c) => new Int32Array(c));
  const fill = new Int32Array(numClasses);
  for (let i = 0; i < labels.length; i++) {
    const k = labels[i]!;
    out[k]![fill[k]!++] = i;
  }
  return out;
}

function shuffled(values: Int32Array, rng: Rng): Int32Array {
  const p = rng.permutation(values.length);
  return Int32Array.from(p, (j) => values[j]!);
}

/**
 * Seeded stratified split: every class is cut in the proportion of the whole. Returns row
 * indices into `labels`, each split shuffled (so batches are not sorted by class).
 * `testSize` undefined takes every row not used for training.
 */
export function stratifiedSplit(
  labels: ArrayLike<number>,
  numClasses: number,
  trainSize: number,
  testSize: number | undefined,
  rng: Rng,
): { train: Int32Array; test: Int32Array } {
  const byClass = indicesByClass(labels, numClasses);
  const counts = byClass.map((c) => c.length);
  const trainParts = allocate(trainSize, counts);
  const rest = counts.map((c, k) => c - trainParts[k]!);
  const testParts = testSize === undefined ? rest : allocate(testSize, rest);
  const train: number[] = [];
  const test: number[] = [];
  byClass.forEach((rows, k) => {
    const order = shuffled(rows, rng);
    for (let i = 0; i < trainParts[k]!; i++) train.push(order[i]!);
    for (let i = trainParts[k]!; i < trainParts[k]! + testParts[k]!; i++) test.push(order[i]!);
  });
  return { train: shuffled(Int32Array.from(train), rng), test: shuffled(Int32Array.from(test), rng) };
}

/**
 * A seeded subset of `size` rows: stratified by class when `labels` are given (keeping the
 * class proportions), uniform otherwise. Returns indices into the rows, shuffled.
 */
export function subsetRows(n: number, size: number, rng: Rng, labels?: ArrayLike<number>, numClasses = 0): Int32Array {
  if (size >= n) return Int32Array.from({ length: n }, (_, i) => i);
  if (labels && numClasses > 0) return stratifiedSplit(labels, numClasses, size, 0, rng).train;
  return rng.permutation(n).slice(0, size);
}
