/**
 * Retrieval metrics on embeddings, computed in JS from a downloaded split: every example is a
 * query, the gallery is every OTHER example of the split, similarity is the cosine of the
 * embeddings. A query whose class has no other example in the split has nothing to retrieve and
 * is left out of the averages.
 *
 * - recall@k: the fraction of queries with a same-class example among their k nearest neighbours
 *   (msight-tech/research-ms-loss ret_benchmark/data/evaluations/ret_metric.py `recall_k`).
 * - map@r (MAP@R, Musgrave, Belongie & Lim, "A Metric Learning Reality Check", ECCV 2020): with R
 *   the number of other same-class examples of the query, AP@R = (1/R) Σ_{i=1..R} P(i)·rel(i) over
 *   the query's R nearest neighbours (P(i): precision among the first i, rel(i): 1 when the i-th
 *   is of the query's class); the mean over queries.
 *
 * Ties: neighbours are ordered by similarity, descending, then by row index, ascending, for both
 * metrics (ret_metric.py counts a tie in the positive's favour: `neg_sim > thresh`; that makes a
 * collapsed embedding score recall 1, so this ordering is neutral instead). Cost: n² dot
 * products and one sort of n values per query, one similarity row in memory at a time (the
 * chunk), so a few seconds for n = 5000.
 */
import { z } from 'zod';
import { verificationShape } from './verification.js';

export const retrievalSchema = z.strictObject({
  recall_at: z.array(z.number().int().positive()).min(1).default([1, 2, 4, 8]).describe('k of the recall@k metrics (recall@1, recall@2 …).'),
  splits: z.array(z.enum(['train', 'test'])).min(1).default(['test']).describe('Evaluated splits on which retrieval is measured (each O(n²)).'),
  verification: z.boolean().default(true).describe('Also report eer, tar@far<f> and opis on genuine/impostor pairs of the split (metrics/verification.ts).'),
  ...verificationShape,
  linear_probe: z.boolean().default(false).describe('On the test split, also report linear_probe_accuracy: logistic regression fitted on the train split\'s embeddings (metrics/linear-probe.ts).'),
});

export type RetrievalOptions = z.output<typeof retrievalSchema>;

/** Rows of `x` (n × d) scaled to unit L2 norm, in float64; an all-zero row stays zero. */
function normalizeRows(x: ArrayLike<number>, n: number, d: number): Float64Array {
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += x[i * d + j]! ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = 0; j < d; j++) out[i * d + j] = x[i * d + j]! * inv;
  }
  return out;
}

/**
 * recall@k for each k of `recallAt` and map@r of `n` embeddings of width `d` (row-major) with
 * class ids `labels`. Returns `{'recall@1': …, 'map@r': …, retrieval_queries: q}`; with no query
 * that has a same-class neighbour, only retrieval_queries (0).
 */
export function retrievalMetrics(embeddings: ArrayLike<number>, labels: ArrayLike<number>, n: number, d: number, recallAt: readonly number[] = [1]): Record<string, number> {
  const e = normalizeRows(embeddings, n, d);
  const sims = new Float64Array(n);
  const order = new Float64Array(n);
  const hits = new Array<number>(recallAt.length).fill(0);
  let apSum = 0;
  let queries = 0;
  for (let q = 0; q < n; q++) {
    const yq = labels[q]!;
    let R = 0;
    for (let j = 0; j < n; j++) {
      if (j !== q && labels[j] === yq) R++;
    }
    if (R === 0) continue;
    queries++;
    // the query's similarity row (the one chunk held)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += e[q * d + t]! * e[j * d + t]!;
      sims[j] = s;
    }
    // the nearest positive: highest similarity, then lowest index
    let p = -1;
    for (let j = 0; j < n; j++) {
      if (j === q || labels[j] !== yq) continue;
      if (p < 0 || sims[j]! > sims[p]!) p = j;
    }
    let rank = 1;
    for (let j = 0; j < n; j++) {
      if (j !== q && (sims[j]! > sims[p]! || (sims[j] === sims[p] && j < p))) rank++;
    }
    recallAt.forEach((k, i) => {
      if (rank <= k) hits[i]! += 1;
    });
    // the R nearest: every row above the R-th largest similarity, then ties at it by index
    let m = 0;
    for (let j = 0; j < n; j++) if (j !== q) order[m++] = sims[j]!;
    const sorted = order.subarray(0, m).sort();
    const cut = sorted[m - R]!;
    const top: number[] = [];
    for (let j = 0; j < n; j++) if (j !== q && sims[j]! > cut) top.push(j);
    for (let j = 0; j < n && top.length < R; j++) if (j !== q && sims[j] === cut) top.push(j);
    top.sort((a, b) => sims[b]! - sims[a]! || a - b);
    let correct = 0;
    let ap = 0;
    top.forEach((j, i) => {
      if (labels[j] === yq) {
        correct++;
        ap += correct / (i + 1);
      }
    });
    apSum += ap / R;
  }
  if (queries === 0) return { retrieval_queries: 0 };
  const out: Record<string, number> = {};
  recallAt.forEach((k, i) => {
    out[`recall@${k}`] = hits[i]! / queries;
  });
  out['map@r'] = apSum / queries;
  out.retrieval_queries = queries;
  return out;
}
