import type { Rng } from '../core/random.js';
import { indicesByClass } from './stratified-split.js';

/**
 * Long-tail class sizes n_k = ⌊n_max·ρ^(−k/(K−1))⌋ (Cao et al., LDAM; class 0 is the head).
 * n_max is the smallest class available, so every class can supply its share and the ratio
 * n_0/n_{K−1} is ρ up to the floor.
 */
export function longTailCounts(available: readonly number[], ratio: number): number[] {
  const K = available.length;
  const nMax = Math.min(...available);
  if (K < 2) return [...available];
  return available.map((_, k) => Math.max(1, Math.floor(nMax * ratio ** (-k / (K - 1)))));
}

/** Rows (indices into `labels`) kept by long-tail subsampling, drawn per class with `rng`, in the original order. */
export function longTailRows(labels: ArrayLike<number>, numClasses: number, ratio: number, rng: Rng): { rows: Int32Array; counts: number[] } {
  const byClass = indicesByClass(labels, numClasses);
  const counts = longTailCounts(byClass.map((c) => c.length), ratio);
  const keep = new Uint8Array(labels.length);
  byClass.forEach((rows, k) => {
    const p = rng.permutation(rows.length);
    for (let i = 0; i < counts[k]!; i++) keep[rows[p[i]!]!] = 1;
  });
  const rows: number[] = [];
  for (let i = 0; i < keep.length; i++) if (keep[i]) rows.push(i);
  return { rows: Int32Array.from(rows), counts };
}
