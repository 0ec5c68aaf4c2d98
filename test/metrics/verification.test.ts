/**
 * Verification metrics (eer, tar@far, opis), the linear probe and retrieval (recall@k, map@r)
 * against brute-force references on random embeddings, and on scores worked by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/random.js';
import { drawPairs, linearProbeAccuracy, pairScores, retrievalMetrics, tarKey, verificationFromScores, verificationMetrics, type Pairs } from '../../src/metrics/index.js';

const opts = { far: [0.25, 0.5], pairs: 200, opis: true, opis_far: [0.25, 0.75] as [number, number], opis_steps: 3 };

function randomEmbeddings(n: number, d: number, k: number, seed: number): { x: Float32Array; y: Int32Array } {
  const rng = Rng.derive(seed, 'test');
  const y = Int32Array.from({ length: n }, (_, i) => i % k);
  const x = Float32Array.from({ length: n * d }, (_, t) => rng.normal() + 0.8 * Math.cos(y[Math.floor(t / d)]! * 2.1 + (t % d)));
  return { x, y };
}

/** Brute force: every candidate threshold (each score and +∞), rates counted from scratch. */
function bruteRates(scores: number[], genuine: number[]): { t: number; far: number; frr: number; tar: number }[] {
  const nG = genuine.filter((g) => g === 1).length;
  const nI = genuine.length - nG;
  const ts = [...new Set(scores)].sort((a, b) => a - b).concat([Infinity]);
  return ts.map((t) => {
    let acceptG = 0, acceptI = 0;
    scores.forEach((s, p) => {
      if (s >= t) genuine[p] ? acceptG++ : acceptI++;
    });
    return { t, far: acceptI / nI, frr: 1 - acceptG / nG, tar: acceptG / nG };
  });
}

test('scores worked by hand: eer and tar@far', () => {
  // genuine 0.9 0.8 0.3, impostor 0.7 0.2 0.1 0.05 (anchors all class 0 / class 1 rows)
  const scores = Float64Array.from([0.9, 0.8, 0.3, 0.7, 0.2, 0.1, 0.05]);
  const pairs: Pairs = { a: Int32Array.from([0, 0, 0, 1, 1, 1, 1]), b: Int32Array.from([2, 2, 2, 0, 0, 0, 0]), genuine: Uint8Array.from([1, 1, 1, 0, 0, 0, 0]) };
  const m = verificationFromScores(scores, pairs, [0, 1, 0], { ...opts, far: [0.25, 1e-3], opis: false });
  // t = 0.3: FAR 1/4 (0.7), FRR 0 → |Δ| .25; t = 0.7: FAR 1/4, FRR 1/3 → |Δ| 1/12; t = 0.8: FAR 0, FRR 1/3 → 1/3
  assert.ok(Math.abs(m.eer! - (0.25 + 1 / 3) / 2) < 1e-12, `eer ${m.eer}`);
  // FAR ≤ 0.25 first at t = 0.3 (accepts 0.3, 0.7, 0.8, 0.9): TAR 1; FAR ≤ 1e-3 at t = 0.8: TAR 2/3
  assert.equal(m[tarKey(0.25)], 1);
  assert.ok(Math.abs(m[tarKey(1e-3)]! - 2 / 3) < 1e-12);
  assert.equal(tarKey(1e-3), 'tar@far1e-3');
  assert.equal(tarKey(0.05), 'tar@far5e-2');
});

test('eer and tar@far equal a brute-force sweep on random embeddings', () => {
  for (const seed of [1, 2, 3]) {
    const { x, y } = randomEmbeddings(60, 4, 4, seed);
    const pairs = drawPairs(y, 60, 150, seed);
    const scores = pairScores(x, 4, pairs);
    const m = verificationFromScores(scores, pairs, y, { ...opts, opis: false });
    const rates = bruteRates(Array.from(scores), Array.from(pairs.genuine));
    let best = rates[0]!;
    for (const r of rates) if (Math.abs(r.far - r.frr) < Math.abs(best.far - best.frr)) best = r;
    assert.ok(Math.abs(m.eer! - (best.far + best.frr) / 2) < 1e-12, `seed ${seed}: eer ${m.eer} vs ${(best.far + best.frr) / 2}`);
    for (const f of opts.far) {
      const tar = Math.max(...rates.filter((r) => r.far <= f).map((r) => r.tar));
      assert.ok(Math.abs(m[tarKey(f)]! - tar) < 1e-12, `seed ${seed}: tar@far ${f}`);
    }
  }
});

test('pairs are deterministic, genuine pairs join two rows of one class, impostor pairs two classes', () => {
  const { y } = randomEmbeddings(40, 2, 3, 5);
  const p = drawPairs(y, 40, 100, 9);
  const q = drawPairs(y, 40, 100, 9);
  assert.deepEqual([p.a, p.b, p.genuine], [q.a, q.b, q.genuine]);
  assert.notDeepEqual(p.a, drawPairs(y, 40, 100, 10).a);
  assert.equal(p.genuine.length, 200);
  p.a.forEach((i, k) => {
    const j = p.b[k]!;
    if (p.genuine[k]) assert.ok(i !== j && y[i] === y[j]);
    else assert.notEqual(y[i], y[j]);
  });
});

test('opis equals its definition computed directly (mean over classes and thresholds of (F1_i − F1)²)', () => {
  const { x, y } = randomEmbeddings(50, 3, 3, 4);
  const pairs = drawPairs(y, 50, 120, 4);
  const scores = Array.from(pairScores(x, 3, pairs));
  const m = verificationFromScores(Float64Array.from(scores), pairs, y, opts);
  const rates = bruteRates(scores, Array.from(pairs.genuine));
  const tAt = (f: number) => rates.find((r) => r.far <= f)!.t;
  const lo = tAt(opts.opis_far[1]), hi = tAt(opts.opis_far[0]);
  const f1 = (sel: (p: number) => boolean, d: number) => {
    let tp = 0, fp = 0, fn = 0;
    scores.forEach((s, p) => {
      if (!sel(p)) return;
      if (pairs.genuine[p]) s >= d ? tp++ : fn++;
      else if (s >= d) fp++;
    });
    return 2 * tp + fp + fn > 0 ? (2 * tp) / (2 * tp + fp + fn) : 0;
  };
  let total = 0;
  for (let k = 0; k < 3; k++) {
    const d = lo + ((hi - lo) * k) / 2;
    const u = f1(() => true, d);
    for (const c of [0, 1, 2]) total += (f1((p) => y[pairs.a[p]!] === c, d) - u) ** 2;
  }
  assert.ok(Math.abs(m.opis! - total / 9) < 1e-12, `opis ${m.opis} vs ${total / 9}`);
  // a well-separated embedding: eer 0, and far less inconsistency than the random one
  const sep = Float32Array.from({ length: 30 * 2 }, (_, t) => (t % 2 === 0 ? Math.cos((Math.floor(t / 2) % 3) * 2.1) : Math.sin((Math.floor(t / 2) % 3) * 2.1)));
  const ys = Int32Array.from({ length: 30 }, (_, i) => i % 3);
  const clean = verificationMetrics(sep, ys, 30, 2, opts, 1);
  assert.equal(clean.eer, 0);
  // by hand: class 0 genuine 0.9 0.9, class 1 genuine 0.5 0.5, impostors anchored in class 0 at
  // 0.1 0.1, in class 1 at 0.6 0.6; range: FAR ≤ 0.75 first at t = 0.5, FAR ≤ 0.25 at t = 0.9.
  // d = 0.5: F1 all 8/10, class 0 1, class 1 4/6 → 1/25 + 4/225; d = 0.9: all 4/6, class 0 1,
  // class 1 0 → 1/9 + 4/9. opis = (13/225 + 125/225)/4
  const hand: Pairs = { a: Int32Array.from([0, 0, 1, 1, 0, 0, 1, 1]), b: Int32Array.from([2, 2, 3, 3, 1, 1, 0, 0]), genuine: Uint8Array.from([1, 1, 1, 1, 0, 0, 0, 0]) };
  const hs = Float64Array.from([0.9, 0.9, 0.5, 0.5, 0.1, 0.1, 0.6, 0.6]);
  const byHand = verificationFromScores(hs, hand, [0, 1, 0, 1], { ...opts, opis_steps: 2 });
  assert.ok(Math.abs(byHand.opis! - 138 / 900) < 1e-12, `opis by hand ${byHand.opis}`);
});

/** Brute-force retrieval: full sort of every query's neighbours (random floats: no ties). */
function bruteRetrieval(x: Float32Array, y: Int32Array, n: number, d: number, ks: number[]): Record<string, number> {
  const unit = (i: number) => {
    const v = Array.from(x.subarray(i * d, (i + 1) * d));
    const nrm = Math.hypot(...v);
    return v.map((t) => t / nrm);
  };
  const hits = ks.map(() => 0);
  let ap = 0, q = 0;
  for (let i = 0; i < n; i++) {
    const R = Array.from(y).filter((c, j) => j !== i && c === y[i]).length;
    if (R === 0) continue;
    q++;
    const ui = unit(i);
    const order = Array.from({ length: n }, (_, j) => j).filter((j) => j !== i).sort((a, b) => unit(b).reduce((s, v, t) => s + v * ui[t]!, 0) - unit(a).reduce((s, v, t) => s + v * ui[t]!, 0));
    ks.forEach((k, t) => {
      if (order.slice(0, k).some((j) => y[j] === y[i])) hits[t]!++;
    });
    let correct = 0, sum = 0;
    order.slice(0, R).forEach((j, r) => {
      if (y[j] === y[i]) sum += ++correct / (r + 1);
    });
    ap += sum / R;
  }
  return Object.fromEntries([...ks.map((k, t) => [`recall@${k}`, hits[t]! / q]), ['map@r', ap / q], ['retrieval_queries', q]]);
}

test('recall@k and map@r equal a brute-force full sort on random embeddings', () => {
  for (const seed of [1, 2]) {
    const { x, y } = randomEmbeddings(45, 5, 4, seed);
    const m = retrievalMetrics(x, y, 45, 5, [1, 2, 4, 8]);
    const ref = bruteRetrieval(x, y, 45, 5, [1, 2, 4, 8]);
    for (const [k, v] of Object.entries(ref)) assert.ok(Math.abs(m[k]! - v) < 1e-12, `seed ${seed} ${k}: ${m[k]} vs ${v}`);
  }
});

test('linear probe: separable features score 1, features unrelated to the labels score near chance', () => {
  const n = 200;
  const rng = Rng.derive(3, 'probe');
  const y = Int32Array.from({ length: n }, (_, i) => i % 4);
  const sep = Float32Array.from({ length: n * 3 }, (_, t) => (t % 3 === y[Math.floor(t / 3)]! % 3 ? 3 : 0) + (y[Math.floor(t / 3)] === 3 ? -3 : 0) + 0.1 * rng.normal());
  const half = (a: Float32Array, yy: Int32Array, lo: number) => ({ x: a.subarray(lo * 3, (lo + 100) * 3), y: yy.subarray(lo, lo + 100), n: 100 });
  assert.equal(linearProbeAccuracy(half(sep, y, 0), half(sep, y, 100), 3, 4), 1);
  const noise = Float32Array.from({ length: n * 3 }, () => rng.normal());
  const acc = linearProbeAccuracy(half(noise, y, 0), half(noise, y, 100), 3, 4);
  assert.ok(acc < 0.45, `random features: ${acc}`);
});
