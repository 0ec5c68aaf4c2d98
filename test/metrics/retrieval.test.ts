/** recall@k and MAP@R (metrics/retrieval.ts) on six points worked by hand. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { retrievalMetrics } from '../../src/metrics/index.js';

/** Unit vectors at these angles (degrees), scaled by `r` (cosine ignores the length). */
const at = (degrees: number[], r = 1) => degrees.flatMap((d) => [r * Math.cos((d * Math.PI) / 180), r * Math.sin((d * Math.PI) / 180)]);

test('six points by hand: recall@1, @2, @4 and MAP@R', () => {
  // class A at 0°, 10°, 100°; class B at 25°, 110°, 125°; every query has R = 2 same-class others.
  // neighbour order and AP@R (precision at each correct rank among the first R = 2, over R):
  //   0° A: 10 A, 25 B           → rank of nearest positive 1, AP (1/1)/2 = 0.5
  //  10° A:  0 A, 25 B           → 1, 0.5
  // 100° A: 110 B, 125 B, 25 B, 10 A → 4, 0
  //  25° B: 10 A, 0 A, 100 A, 110 B  → 4, 0
  // 110° B: 100 A, 125 B         → 2, (1/2)/2 = 0.25
  // 125° B: 110 B, 100 A         → 1, 0.5
  const emb = at([0, 10, 100, 25, 110, 125], 3);
  const y = [0, 0, 0, 1, 1, 1];
  const m = retrievalMetrics(emb, y, 6, 2, [1, 2, 4]);
  assert.ok(Math.abs(m['recall@1']! - 3 / 6) < 1e-12, `recall@1 ${m['recall@1']}`);
  assert.ok(Math.abs(m['recall@2']! - 4 / 6) < 1e-12, `recall@2 ${m['recall@2']}`);
  assert.ok(Math.abs(m['recall@4']! - 1) < 1e-12);
  assert.ok(Math.abs(m['map@r']! - 1.75 / 6) < 1e-12, `map@r ${m['map@r']}`);
  assert.equal(m.retrieval_queries, 6);
});

test('perfect clusters score 1; a query without a same-class neighbour is left out', () => {
  const emb = [...at([0, 5, 10]), ...at([90, 95]), ...at([200])];
  const y = [0, 0, 0, 1, 1, 2];
  const m = retrievalMetrics(emb, y, 6, 2, [1]);
  assert.equal(m['recall@1'], 1);
  assert.equal(m['map@r'], 1);
  assert.equal(m.retrieval_queries, 5);
  assert.deepEqual(retrievalMetrics(at([0, 90]), [0, 1], 2, 2, [1]), { retrieval_queries: 0 });
});

test('ties are ordered by index, not in the positive\'s favour: a collapsed embedding is not perfect', () => {
  // every point identical: the neighbours of query q are the others in index order
  const emb = new Array(8).fill(1);
  const y = [0, 1, 0, 1];
  const m = retrievalMetrics(emb, y, 4, 2, [1, 2]);
  // q0: 1(B) 2(A) → rank 2; q1: 0(A) 2(A) 3(B) → rank 3; q2: 0(A) → 1; q3: 0 1(B) → 2
  assert.equal(m['recall@1'], 1 / 4);
  assert.equal(m['recall@2'], 3 / 4);
});
