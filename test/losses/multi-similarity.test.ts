/**
 * multi-similarity against an independent float64 transcription of upstream's per-anchor loop
 * (msight-tech/research-ms-loss ret_benchmark/losses/multi_similarity_loss.py), on 4-example
 * batches worked through the mining by hand, and its gradient against central finite differences.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, assertClose, finiteDifference } from '../support/tf.js';
import { createLoss } from '../../src/losses/index.js';

interface Ms { a: number; b: number; l: number; m: number }
const defaults: Ms = { a: 2, b: 40, l: 0.5, m: 0.1 };

/** Upstream's loop in float64: normalise, mine, sum kept terms, divide by the batch size. */
function reference(x: number[][], y: number[], o: Ms = defaults): number {
  const e = x.map((r) => { const n = Math.hypot(...r); return r.map((v) => v / n); });
  const S = e.map((r) => e.map((q) => r.reduce((s, v, t) => s + v * q[t]!, 0)));
  let total = 0;
  for (let i = 0; i < y.length; i++) {
    const posAll = S[i]!.filter((_, j) => y[j] === y[i]).filter((s) => s < 1 - 1e-5);
    const negAll = S[i]!.filter((_, j) => y[j] !== y[i]);
    if (posAll.length === 0 || negAll.length === 0) continue;
    const neg = negAll.filter((s) => s + o.m > Math.min(...posAll));
    const pos = posAll.filter((s) => s - o.m < Math.max(...negAll));
    if (neg.length < 1 || pos.length < 1) continue;
    total += Math.log(1 + pos.reduce((s, v) => s + Math.exp(-o.a * (v - o.l)), 0)) / o.a;
    total += Math.log(1 + neg.reduce((s, v) => s + Math.exp(o.b * (v - o.l)), 0)) / o.b;
  }
  return total / y.length;
}

function ours(x: number[][], y: number[], options: Record<string, unknown> = {}): number {
  const f = createLoss({ name: 'multi-similarity', ...options }, { numClasses: 3, embeddingDim: x[0]!.length });
  const v = tf.tidy(() => f(tf.tensor2d(x), tf.tensor1d(y, 'int32')).dataSync()[0]!);
  f.dispose();
  return v;
}

test('a 4-example batch worked by hand: every anchor keeps its hardest pairs', () => {
  // unit vectors at angles 0°, 30° (class 0) and 20°, 90° (class 1): S = cos of the angle between them
  const deg = (d: number) => [Math.cos((d * Math.PI) / 180), Math.sin((d * Math.PI) / 180)];
  const x = [deg(0), deg(30), deg(20), deg(90)];
  const y = [0, 0, 1, 1];
  const c = (d: number) => Math.cos((d * Math.PI) / 180);
  // anchor 0: P = {cos30}, N = {cos20, cos90}; kept N: s + 0.1 > cos30 → cos20 only; kept P: cos30 − 0.1 < max N = cos20 → yes
  const a0 = Math.log(1 + Math.exp(-2 * (c(30) - 0.5))) / 2 + Math.log(1 + Math.exp(40 * (c(20) - 0.5))) / 40;
  // anchor 1 (30°): P = {cos30}, N = {cos10, cos60}; kept N: cos10 (0.985 + 0.1 > 0.866) and cos60 (0.6 > 0.866? no); kept P: 0.766 < 0.985 → yes
  const a1 = Math.log(1 + Math.exp(-2 * (c(30) - 0.5))) / 2 + Math.log(1 + Math.exp(40 * (c(10) - 0.5))) / 40;
  // anchor 2 (20°): P = {cos70 = 0.342}, N = {cos20, cos10}; kept N: both (> 0.242); kept P: 0.242 < 0.985 → yes
  const a2 = Math.log(1 + Math.exp(-2 * (c(70) - 0.5))) / 2 + Math.log(1 + Math.exp(40 * (c(20) - 0.5)) + Math.exp(40 * (c(10) - 0.5))) / 40;
  // anchor 3 (90°): P = {cos70}, N = {cos90 = 0, cos60 = 0.5}; kept N: 0.1 > 0.342? no; 0.6 > 0.342 yes; kept P: 0.242 < 0.5 → yes
  const a3 = Math.log(1 + Math.exp(-2 * (c(70) - 0.5))) / 2 + Math.log(1 + Math.exp(40 * (c(60) - 0.5))) / 40;
  const hand = (a0 + a1 + a2 + a3) / 4;
  assertClose([reference(x, y)], [hand], 1e-12, 1e-12, 'reference');
  assertClose([ours(x, y)], [hand], 1e-5, 1e-6, 'multi-similarity');
});

test('an anchor with no kept negative contributes 0, and the sum is divided by the whole batch', () => {
  // class 0 tight (cos 0.995), class 1 far away: negatives sit far below min positive − ε, so nobody mines
  const x = [[1, 0], [0.995, 0.0998], [-1, 0.05], [-0.99, -0.1]];
  const y = [0, 0, 1, 1];
  assert.equal(reference(x, y), 0);
  assert.equal(ours(x, y), 0);
  // one hard negative: only the anchors that mine contribute, still divided by 5
  const x5 = [...x, [0.9, 0.3]];
  const y5 = [0, 0, 1, 1, 1];
  assert.ok(reference(x5, y5) > 0);
  assertClose([ours(x5, y5)], [reference(x5, y5)], 1e-5, 1e-6);
});

test('random batches with other hyperparameters match the transcription', () => {
  let seed = 7;
  const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
  for (const o of [defaults, { a: 1, b: 10, l: 0.3, m: 0.2 }, { a: 3, b: 50, l: 0.7, m: 0 }]) {
    const x = Array.from({ length: 8 }, () => Array.from({ length: 3 }, rnd));
    const y = [0, 1, 2, 0, 1, 2, 0, 1];
    const got = ours(x, y, { scale_pos: o.a, scale_neg: o.b, thresh: o.l, margin: o.m });
    assertClose([got], [reference(x, y, o)], 1e-4, 1e-6, JSON.stringify(o));
  }
});

test('gradient matches central finite differences', () => {
  const x0 = Float32Array.from([1, 0.2, 0, 0.9, 0.3, 0.1, 0.1, 1, 0.2, 0.2, 0.8, 0.3, 0.5, 0.5, 0.4, 0.3, 0.1, 0.9]);
  const y = [0, 0, 1, 1, 2, 2];
  const f = createLoss({ name: 'multi-similarity' }, { numClasses: 3, embeddingDim: 3 });
  const yt = tf.tensor1d(y, 'int32');
  const value = (flat: Float32Array) => tf.tidy(() => f(tf.tensor2d(flat, [6, 3]), yt).dataSync()[0]!);
  const g = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.mean(f(x, yt)))(tf.tensor2d(x0, [6, 3])).dataSync());
  assert.ok(g.some((v) => Math.abs(v) > 1e-3), 'a non-trivial gradient');
  assertClose(g, finiteDifference(value, x0, 1e-3), 2e-2, 2e-4, 'gradient');
  yt.dispose();
  f.dispose();
});
