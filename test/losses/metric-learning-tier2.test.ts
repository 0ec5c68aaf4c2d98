/**
 * The issue-20 metric-learning losses against independent float64 formulas on fixed embeddings
 * (and numbers worked by hand where they are short): per-example values or the batch value, the
 * loss-owned state (AdaFace's EMA statistics) and the mining rules.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../support/tf.js';
import { createObjective } from '../../src/losses/index.js';
import { Rng } from '../../src/core/random.js';
import type { DataSpec, LossContext, LossDeps, Objective } from '../../src/core/types.js';
import { partialFcClasses } from '../../src/losses/partial-fc.js';
import { unpgNegatives } from '../../src/losses/unpg.js';
import { mineTriplets } from '../../src/losses/triplet.js';
import { twoViews } from '../../src/data/two-views.js';

const K = 3;
const data: DataSpec = { task: 'classification', inputShape: [2], inputKind: 'dense', numClasses: K, outputDim: K };
const deps: LossDeps = { data, sizes: { train: 8, test: 8 }, seed: 5, embeddingDim: 2 };
const ctx: LossContext = { step: 1, epoch: 0, training: true, data, seed: 77 };

/** Embeddings at these angles (degrees) and lengths. */
const X = [[0, 2], [20, 1], [100, 3], [130, 1.5], [250, 2], [200, 1]].map(([a, r]) => [r! * Math.cos((a! * Math.PI) / 180), r! * Math.sin((a! * Math.PI) / 180)]);
const Y = [0, 0, 1, 1, 2, 2];
const unit = (v: number[]) => v.map((t) => t / Math.hypot(...v));
const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);
const cosM = (a: number[][], b: number[][]) => a.map((r) => b.map((q) => dot(unit(r), unit(q))));
const lse = (v: number[]) => { const m = Math.max(...v); return m + Math.log(v.reduce((s, t) => s + Math.exp(t - m), 0)); };

function value(o: Objective, x: number[][], y: number[], c: LossContext = ctx): number[] {
  return tf.tidy(() => {
    const e = tf.tensor2d(x);
    return Array.from(o.compute({ output: e, embedding: e, y: tf.tensor1d(y, 'int32') }, c).dataSync());
  });
}
function build(spec: Record<string, unknown>, d: LossDeps = deps): Objective {
  return createObjective(spec as { name: string }, d);
}
function close(a: number[] | number, b: number[] | number, tol = 2e-5, label = ''): void {
  const [aa, bb] = [[a].flat(), [b].flat()];
  assert.equal(aa.length, bb.length, label);
  aa.forEach((v, i) => assert.ok(Math.abs(v - bb[i]!) <= tol * Math.max(1, Math.abs(bb[i]!)), `${label}[${i}]: ${v} vs ${bb[i]}`));
}
/** Sets a loss's [D, K] weight (its first variable) to W. */
function setWeight(o: Objective, W: number[][]): void {
  o.variables[0]!.variable.assign(tf.tensor2d(W));
}
const W = [[1, 0.2, -0.7], [0.1, 1, -0.6]]; // [D = 2, K = 3]
const Wcols = [0, 1, 2].map((k) => [W[0]![k]!, W[1]![k]!]);

test('contrastive by hand: ½d² on positive pairs, ½max(0, m − d)² on negative pairs, mean over pairs', () => {
  const o = build({ name: 'contrastive', normalize: false, margin: 1 });
  // points 0, (0.6, 0), (0, 3): pairs (0,1) same class d 0.6 → 0.18; (0,2) d 3 → 0; (1,2) d √9.36 > 1 → 0
  close(value(o, [[0, 0], [0.6, 0], [0, 3]], [0, 0, 1]), 0.18 / 3, 1e-6);
  // (0,2) at distance 0.4 < 1: ½·0.6² = 0.18 added
  close(value(o, [[0, 0], [0.6, 0], [0, 0.4]], [0, 0, 1]), (0.18 + 0.18 + 0.5 * (1 - Math.hypot(0.6, 0.4)) ** 2) / 3, 1e-6);
  o.dispose();
});

test('triplet: semi-hard and batch-hard mining by hand on a line', () => {
  // 1-D points 0, 1 (class 0), 1.5, 3 (class 1): distances |a − b|
  const pts = [0, 1, 1.5, 3];
  const d = pts.flatMap((a) => pts.map((b) => Math.abs(a - b)));
  // semi-hard: (0→1) d_ap 1: negatives 1.5, 3 → smallest > 1: 1.5; (1→0) d 1: negatives .5, 2 → 2;
  // (2→3) d 1.5: negatives 1.5 (not >), .5 → none → largest 1.5; (3→2) 1.5: negs 3, 2 → 2
  const semi = mineTriplets(d, [0, 0, 1, 1], 'semi-hard');
  assert.deepEqual(semi.an.map((i) => d[i]), [1.5, 2, 1.5, 2]);
  const o = build({ name: 'triplet', normalize: false, margin: 1 });
  const x = pts.map((p) => [p, 0]);
  close(value(o, x, [0, 0, 1, 1]), ((1 + 1 - 1.5) + (1 + 1 - 2) + (1 + 1.5 - 1.5) + (1 + 1.5 - 2)) / 4, 1e-5);
  o.dispose();
  // batch-hard: per anchor hardest positive / negative: 0: 1, 1.5 → .5; 1: 1, .5 → 1.5; 1.5: 1.5, .5 → 2; 3: 1.5, 2 → .5
  const h = build({ name: 'triplet', normalize: false, margin: 1, mining: 'hard' });
  close(value(h, x, [0, 0, 1, 1]), (0.5 + 1.5 + 2 + 0.5) / 4, 1e-5);
  h.dispose();
});

test('supcon equals the SupContrast formula in float64', () => {
  const o = build({ name: 'supcon', temperature: 0.5, base_temperature: 0.07 });
  const y = [0, 0, 1, 1, 2, 0];
  const S = cosM(X, X).map((r) => r.map((v) => v / 0.5));
  const ref = S.map((r, i) => {
    const denom = lse(r.filter((_, a) => a !== i));
    const pos = r.map((v, p) => (p !== i && y[p] === y[i] ? v - denom : null)).filter((v): v is number => v !== null);
    return pos.length ? -(0.5 / 0.07) * (pos.reduce((s, v) => s + v, 0) / pos.length) : 0;
  });
  close(value(o, X, y), ref, 3e-5);
  o.dispose();
});

test('tcm by hand-checked formula: means over the qualifying ordered pairs', () => {
  const o = build({ name: 'tcm', margin_minus: 0.2, lambda_minus: 2 });
  const S = cosM(X, X);
  let ps = 0, pn = 0, ns = 0, nn = 0;
  S.forEach((r, i) => r.forEach((s, j) => {
    if (i === j) return;
    if (Y[i] === Y[j] && s <= 0.9) {
      ps += 0.9 - s;
      pn++;
    }
    if (Y[i] !== Y[j] && s >= 0.2) {
      ns += s - 0.2;
      nn++;
    }
  }));
  assert.ok(pn > 0 && nn > 0);
  close(value(o, X, Y), ps / pn + (2 * ns) / nn, 1e-5);
  o.dispose();
});

test('proxy-anchor equals the Proxy_Anchor formula in float64', () => {
  const o = build({ name: 'proxy-anchor' });
  setWeight(o, W);
  const y = [0, 0, 2, 2, 0, 2]; // proxy 1 has no positive
  const C = cosM(X, Wcols);
  const log1p = (v: number[]) => Math.log(1 + v.reduce((s, t) => s + Math.exp(t), 0));
  const pos = [0, 1, 2].map((k) => log1p(C.map((r, i) => (y[i] === k ? -32 * (r[k]! - 0.1) : null)).filter((v): v is number => v !== null)));
  const neg = [0, 1, 2].map((k) => log1p(C.map((r, i) => (y[i] !== k ? 32 * (r[k]! + 0.1) : null)).filter((v): v is number => v !== null)));
  close(value(o, X, y), pos.reduce((s, v) => s + v, 0) / 2 + neg.reduce((s, v) => s + v, 0) / 3, 1e-4);
  o.dispose();
});

test('ge2e softmax and contrast equal eqs. 5-10 in float64 (own centroid without the example)', () => {
  for (const variant of ['softmax', 'contrast'] as const) {
    const o = build({ name: 'ge2e', variant });
    const y = [0, 0, 1, 1, 1, 2]; // class 2 has one example: left out
    const e = X.map(unit);
    const ref: number[] = [];
    e.forEach((ei, i) => {
      const members = (c: number, skip = -1) => e.filter((_, j) => y[j] === c && j !== skip);
      if (members(y[i]!).length < 2) return;
      const centroid = (rows: number[][]) => [0, 1].map((t) => rows.reduce((s, r) => s + r[t]!, 0) / rows.length);
      const S = [0, 1, 2].map((c) => 10 * dot(ei, unit(centroid(c === y[i] ? members(c, i) : members(c)))) - 5);
      const sig = (v: number) => 1 / (1 + Math.exp(-v));
      ref.push(variant === 'softmax' ? lse(S) - S[y[i]!]! : 1 - sig(S[y[i]!]!) + Math.max(...S.filter((_, c) => c !== y[i]).map(sig)));
    });
    close(value(o, X, y), ref.reduce((s, v) => s + v, 0) / ref.length, 2e-5, variant);
    o.dispose();
  }
});

test('adaface: value from the AdaFace forward in float64, EMA statistics stored by commit only', () => {
  const o = build({ name: 'adaface', s: 8 });
  setWeight(o, W);
  const norms = X.map((r) => Math.hypot(...r));
  const mean = norms.reduce((s, v) => s + v, 0) / 6;
  const std = Math.sqrt(norms.reduce((s, v) => s + (v - mean) ** 2, 0) / 5);
  const mu = 0.01 * mean + 0.99 * 20, sigma = 0.01 * std + 0.99 * 100;
  const C = cosM(X, Wcols).map((r) => r.map((c) => Math.min(1 - 1e-3, Math.max(-1 + 1e-3, c))));
  const ref = C.map((r, i) => {
    const z = Math.min(1, Math.max(-1, ((norms[i]! - mu) / (sigma + 1e-3)) * 0.333));
    const th = Math.min(Math.PI - 1e-3, Math.max(1e-3, Math.acos(r[Y[i]!]!) - 0.4 * z));
    const logits = r.map((c, k) => 8 * (k === Y[i] ? Math.cos(th) - (0.4 + 0.4 * z) : c));
    return lse(logits) - logits[Y[i]!]!;
  });
  close(value(o, X, Y), ref, 2e-5);
  const state = () => { const s = o.getState!(); const v = [s['loss/adaface/batch_mean']!.dataSync()[0]!, s['loss/adaface/batch_std']!.dataSync()[0]!]; tf.dispose(s); return v; };
  close(state(), [20, 100], 0, 'before commit');
  tf.tidy(() => { const e = tf.tensor2d(X); o.commit!({ output: e, embedding: e, y: tf.tensor1d(Y, 'int32') }, ctx); });
  close(state(), [mu, sigma], 1e-6, 'after commit');
  o.dispose();
});

test('elasticface-plus hands the sorted margins out as upstream indexes them (code) or by rank', () => {
  const b = X.length;
  const margins = Rng.derive(ctx.seed, 'loss/elasticface-plus').fillNormal(new Float32Array(b), 0.5, 0.0175).sort();
  const C = cosM(X, Wcols);
  const cy = C.map((r, i) => r[Y[i]!]!);
  const desc = Array.from({ length: b }, (_, i) => i).sort((i, j) => cy[j]! - cy[i]!);
  for (const order of ['code', 'rank'] as const) {
    const o = build({ name: 'elasticface-plus', s: 8, order });
    setWeight(o, W);
    const m = new Array<number>(b);
    // upstream: m_hot row r ← margin[idicate_cosie][r] = sorted[desc[r]]
    desc.forEach((row, k) => (order === 'code' ? (m[k] = margins[row]!) : (m[row] = margins[k]!)));
    const ref = C.map((r, i) => {
      const logits = r.map((c, k) => 8 * (k === Y[i] ? Math.cos(Math.acos(c) + m[i]!) : c));
      return lse(logits) - logits[Y[i]!]!;
    });
    close(value(o, X, Y), ref, 3e-5, order);
    o.dispose();
  }
});

test('partial-fc: the sampled class subset and the loss over it', () => {
  const rng = () => Rng.derive(1, 'x');
  // positives always kept; int(0.1·10) = 1 < 2 positives → only the positives
  assert.deepEqual(Array.from(partialFcClasses([3, 1, 3], 10, 0.1, rng())), [1, 3]);
  const five = Array.from(partialFcClasses([3, 1, 3], 10, 0.5, rng()));
  assert.equal(five.length, 5);
  assert.ok(five.includes(1) && five.includes(3));
  assert.deepEqual(five, [...five].sort((a, b) => a - b));
  assert.deepEqual(five, Array.from(partialFcClasses([3, 1, 3], 10, 0.5, rng())));
  // with K = 3 and rate 0.5: int(1.5) = 1 < 2 positives → classes {0, 2}; y relabelled 0→0, 2→1
  const o = build({ name: 'partial-fc', sample_rate: 0.5, s: 8 });
  setWeight(o, W);
  const y = [0, 2, 2, 0, 0, 2];
  const C = cosM(X, Wcols).map((r) => [r[0]!, r[2]!]);
  const arc = (c: number) => (c > Math.cos(Math.PI - 0.5) ? Math.cos(Math.acos(c) + 0.5) : c - Math.sin(Math.PI - 0.5) * 0.5);
  const ref = C.map((r, i) => {
    const t = y[i] === 0 ? 0 : 1;
    const logits = r.map((c, k) => 8 * (k === t ? arc(c) : c));
    return lse(logits) - logits[t]!;
  });
  close(value(o, X, y), ref, 2e-5);
  o.dispose();
});

test('unpg: box-and-whisker filter by hand, and CE with the kept negatives appended to every row', () => {
  // labels 0 0 1 2: negative pairs (0,2) (0,3) (1,2) (1,3) (2,3) with similarities below
  const b = 4;
  const sim = new Array(16).fill(0);
  const set = (i: number, j: number, v: number) => (sim[i * b + j] = v);
  for (const [i, j, v] of [[0, 2, 0.1], [0, 3, 0.2], [1, 2, 0.3], [1, 3, 0.25], [2, 3, 0.9]] as const) set(i, j, v);
  // sorted .1 .2 .25 .3 .9; Q1 = s[1] = .2, Q3 = s[3] = .3, IQR .1, w 1.5 → [.05, .45]: .9 dropped
  assert.deepEqual(Array.from(unpgNegatives(sim, [0, 0, 1, 2], 1.5)), [2, 3, 7, 6]);
  const o = build({ name: 'unpg', s: 8, m: 0.5 });
  setWeight(o, W);
  const e = X.map(unit);
  const S = cosM(X, X);
  const flat = S.flat();
  const kept = Array.from(unpgNegatives(flat, Y, 1.5)).map((p) => flat[p]!);
  assert.ok(kept.length > 0);
  const C = cosM(e, Wcols);
  const ref = C.map((r, i) => {
    const logits = [...r.map((c, k) => (k === Y[i] ? Math.cos(Math.acos(c) + 0.5) : c)), ...kept].map((v) => 8 * v);
    return lse(logits) - logits[Y[i]!]!;
  });
  close(value(o, X, Y), ref, 3e-5);
  o.dispose();
});

test('nt-xent equals simclr add_contrastive_loss on the two views the loss draws', () => {
  const imgData: DataSpec = { ...data, inputShape: [4, 4, 1] };
  const o = build({ name: 'nt-xent', temperature: 0.5, noise_std: 0.1 }, { ...deps, data: imgData, embeddingDim: 3 });
  const b = 3;
  const xs = Float32Array.from({ length: b * 16 }, (_, t) => Math.sin(t * 0.7));
  // a fixed "model": three linear read-outs of the 16 pixels
  const P = Array.from({ length: 16 }, (_, t) => [Math.cos(t), Math.sin(2 * t), ((t % 5) - 2) / 3]);
  const model = (x: tf.Tensor) => tf.matMul(tf.reshape(x, [-1, 16]), tf.tensor2d(P));
  const c: LossContext = { ...ctx, data: imgData, apply: (x) => ({ output: model(x), embedding: model(x) }) };
  const got = tf.tidy(() => {
    const x = tf.tensor(xs, [b, 4, 4, 1]);
    return Array.from(o.compute({ output: model(x), y: tf.tensor1d([0, 1, 2], 'int32'), x }, c).dataSync());
  });
  const [v1, v2] = twoViews(xs, b, [4, 4, 1], { crop_area: [0.08, 1], crop_aspect: [0.75, 4 / 3], flip: true, noise_std: 0.1 }, Rng.derive(ctx.seed, 'loss/nt-xent'));
  const feats = (v: Float32Array) => Array.from({ length: b }, (_, i) => unit([0, 1, 2].map((k) => P.reduce((s, p, t) => s + v[i * 16 + t]! * p[k]!, 0))));
  const [h1, h2] = [feats(v1), feats(v2)];
  const ref = h1.map((_, i) => {
    const a = [...h2.map((h) => dot(h1[i]!, h) / 0.5), ...h1.map((h, j) => dot(h1[i]!, h) / 0.5 - (i === j ? 1e9 : 0))];
    const bb = [...h1.map((h) => dot(h2[i]!, h) / 0.5), ...h2.map((h, j) => dot(h2[i]!, h) / 0.5 - (i === j ? 1e9 : 0))];
    return lse(a) - a[i]! + lse(bb) - bb[i]!;
  });
  close(got, ref, 3e-5);
  o.dispose();
});
