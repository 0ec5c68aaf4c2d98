/**
 * The adversarial-training losses on a linear model h(x) = xW + b, against float64 numbers by hand:
 * ovr and sovr values; pgd-at trains on x + ε·sign(w_other − w_y) (a 2-class linear model's PGD
 * optimum); one x_adv per step and rows (a later evaluation of the step, such as AWP's perturbed
 * pass, reuses it); trades and smooth-adv-comp-sum reduce to their clean terms at β = γ = 0, their
 * values lie between the clean term and the term at the worst corner, and their weight gradients
 * match central finite differences with the step's x_adv held (the official detach).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, assertClose, assertNoLeak } from '../support/tf.js';
import { createObjective } from '../../src/losses/index.js';
import type { DataSpec, LossContext, LossInput, Objective } from '../../src/core/types.js';

const D = 3;
const X = [0.2, 0.5, 0.6, 0.9, 0.4, 0.1, 0.3, 0.35, 0.8, 0.6, 0.2, 0.7];
const B = 4;

type Vec = number[];
const logSoftmax64 = (z: Vec): Vec => {
  const m = Math.max(...z);
  const lse = m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
  return z.map((v) => v - lse);
};
const softplus = (v: number) => Math.log1p(Math.exp(-Math.abs(v))) + Math.max(v, 0);
const logits64 = (x: Vec, w: Vec, b: Vec, k: number): Vec => Array.from({ length: k }, (_, j) => b[j]! + x.reduce((s, xi, d) => s + xi * w[d * k + j]!, 0));
const row = (a: Vec, i: number) => a.slice(i * D, (i + 1) * D);

function setup(k: number, w: Vec, bias: Vec) {
  const data: DataSpec = { task: 'classification', inputShape: [D], inputKind: 'dense', numClasses: k, outputDim: k };
  const deps = { data, sizes: { train: B, test: B }, seed: 0, embeddingDim: D };
  const apply = (wt: tf.Tensor) => (x: tf.Tensor) => ({ output: tf.add(tf.matMul(x as tf.Tensor2D, wt as tf.Tensor2D), tf.tensor1d(bias)), embedding: x });
  return { data, deps, apply, w: () => tf.tensor2d(w, [D, k]) };
}

function ctxOf(data: DataSpec, apply: LossContext['apply'], step = 3): LossContext {
  return { step, epoch: 0, training: true, data, seed: 11, split: 'train', ...(apply ? { apply } : {}) };
}

/** Per-example values of `obj` at weights `wt` on X, Y (training mode, the model through ctx.apply). */
function values(obj: Objective, s: ReturnType<typeof setup>, wt: tf.Tensor, y: Vec, step = 3): number[] {
  return tf.tidy(() => {
    const x = tf.tensor2d(X, [B, D]);
    const ap = s.apply(wt);
    const input: LossInput = { output: ap(x).output, embedding: x, y: tf.tensor1d(y, 'int32'), index: tf.tensor1d([0, 1, 2, 3], 'int32'), x };
    return Array.from(obj.compute(input, ctxOf(s.data, ap, step)).dataSync());
  });
}

test('ovr: softplus(−z_y) + Σ_{k≠y} softplus(z_k); sovr: OVR on the ⌊M·B⌋ smallest margins, CE on the rest', () => {
  const K = 3;
  const Z = [2, 0.5, -1, 0.2, 0.1, 0.3, -0.5, 1.5, 1.4, 3, -2, 0];
  const Y = [0, 0, 1, 0];
  const data: DataSpec = { task: 'classification', inputShape: [D], inputKind: 'dense', numClasses: K, outputDim: K };
  const deps = { data, sizes: { train: B, test: B }, seed: 0, embeddingDim: D };
  const z = (i: number) => Z.slice(i * K, (i + 1) * K);
  const ovr64 = (i: number) => z(i).reduce((s, v, k) => s + (k === Y[i] ? softplus(-v) : softplus(v)), 0);
  const ce64 = (i: number) => -logSoftmax64(z(i))[Y[i]!]!;
  const margin = (i: number) => z(i)[Y[i]!]! - Math.max(...z(i).filter((_, k) => k !== Y[i]));
  const run = (spec: { name: string; fraction?: number }) =>
    tf.tidy(() => Array.from(createObjective(spec, deps).compute({ output: tf.tensor2d(Z, [B, K]), embedding: tf.zeros([B, 1]), y: tf.tensor1d(Y, 'int32') }, ctxOf(data, undefined)).dataSync()));
  assertClose(run({ name: 'ovr' }), [0, 1, 2, 3].map(ovr64), 1e-5, 1e-6, 'ovr');
  // margins: row 0 +1.5, row 1 −0.1, row 2 +0.1, row 3 +3 → the two smallest are rows 1 and 2
  assert.deepEqual([0, 1, 2, 3].map(margin).map((m) => Math.round(m * 10) / 10), [1.5, -0.1, 0.1, 3]);
  assertClose(run({ name: 'sovr', fraction: 0.5 }), [ce64(0), ovr64(1), ovr64(2), ce64(3)], 1e-5, 1e-6, 'sovr 0.5');
  assertClose(run({ name: 'sovr', fraction: 0.3 }), [ce64(0), ovr64(1), ce64(2), ce64(3)], 1e-5, 1e-6, 'sovr 0.3 (⌊1.2⌋ = 1 row)');
  assertClose(run({ name: 'sovr', fraction: 0 }), [0, 1, 2, 3].map(ce64), 1e-5, 1e-6, 'sovr 0 = CE');
});

const W2 = [0.5, -0.2, -0.3, 0.4, 0.1, 0.3];
const B2 = [0.1, -0.1];
const Y2 = [0, 1, 1, 0];

test('pgd-at on a 2-class linear model: CE at x + ε·sign(w_other − w_y); one x_adv per step and rows', async () => {
  const s = setup(2, W2, B2);
  const eps = 0.05;
  const attack = { name: 'pgd', eps, steps: 5, step_size: 0.02, random_start: true, range: null };
  const obj = createObjective({ name: 'pgd-at', base: { name: 'cross-entropy' }, attack }, s.deps);
  const xAdv = (i: number) => row(X, i).map((v, d) => v + eps * Math.sign(W2[d * 2 + 1 - Y2[i]!]! - W2[d * 2 + Y2[i]!]!));
  const ce = (w: Vec, i: number) => -logSoftmax64(logits64(xAdv(i), w, B2, 2))[Y2[i]!]!;
  const w0 = s.w();
  assertClose(values(obj, s, w0, Y2), [0, 1, 2, 3].map((i) => ce(W2, i)), 1e-5, 1e-6, 'pgd-at');
  // a later evaluation of step 3 at other weights (AWP's perturbed pass) keeps step 3's x_adv
  const W3 = W2.map((v, j) => (j % 2 === 0 ? v - 0.9 : v + 0.9)); // flips the sign of w_1 − w_0
  const w1 = tf.tensor2d(W3, [D, 2]);
  assertClose(values(obj, s, w1, Y2), [0, 1, 2, 3].map((i) => ce(W3, i)), 1e-5, 1e-6, 'reused x_adv');
  // a new step attacks the new weights
  const fresh = (i: number) => row(X, i).map((v, d) => v + eps * Math.sign(W3[d * 2 + 1 - Y2[i]!]! - W3[d * 2 + Y2[i]!]!));
  assertClose(values(obj, s, w1, Y2, 4), [0, 1, 2, 3].map((i) => -logSoftmax64(logits64(fresh(i), W3, B2, 2))[Y2[i]!]!), 1e-5, 1e-6, 'next step');
  // evaluation (training false) reports the base on clean inputs
  const clean = tf.tidy(() => {
    const x = tf.tensor2d(X, [B, D]);
    return Array.from(obj.compute({ output: s.apply(w0)(x).output, embedding: x, y: tf.tensor1d(Y2, 'int32'), x }, { ...ctxOf(s.data, s.apply(w0)), training: false }).dataSync());
  });
  assertClose(clean, [0, 1, 2, 3].map((i) => -logSoftmax64(logits64(row(X, i), W2, B2, 2))[Y2[i]!]!), 1e-5, 1e-6, 'clean in evaluation');
  await assertNoLeak(() => values(obj, s, w0, Y2, 9), 'pgd-at');
  tf.dispose([w0, w1]);
  obj.dispose();
});

const K3 = 3;
const W3x3 = [0.5, -0.3, 0.8, 0.1, -0.6, 0.9, 0.2, -0.4, 0.3];
const B3 = [0.1, -0.2, 0.05];
const Y3 = [2, 0, 1, 0];

/** Gradient of the batch-mean loss w.r.t. W against central differences; x_adv is the step's (cached). */
function checkGradient(spec: Record<string, unknown> & { name: string }, label: string): void {
  const s = setup(K3, W3x3, B3);
  const obj = createObjective(spec, s.deps);
  const mean = (w: Vec) => values(obj, s, tf.tensor2d(w, [D, K3]), Y3, 5).reduce((a, v) => a + v, 0) / B;
  const base = mean(W3x3); // the step's first evaluation: the attack runs here
  const analytic = tf.tidy(() => {
    const x = tf.tensor2d(X, [B, D]);
    const g = tf.grad((wt: tf.Tensor) => {
      const ap = s.apply(wt);
      const input: LossInput = { output: ap(x).output, embedding: x, y: tf.tensor1d(Y3, 'int32'), index: tf.tensor1d([0, 1, 2, 3], 'int32'), x };
      return tf.mean(obj.compute(input, ctxOf(s.data, ap, 5))) as tf.Scalar;
    })(tf.tensor2d(W3x3, [D, K3]));
    return Array.from(g.dataSync());
  });
  const h = 1e-2;
  const numeric = W3x3.map((_, j) => {
    const up = W3x3.slice();
    const dn = W3x3.slice();
    up[j]! += h;
    dn[j]! -= h;
    return (mean(up) - mean(dn)) / (2 * h);
  });
  assert.ok(Number.isFinite(base));
  assertClose(analytic, numeric, 2e-2, 2e-3, `${label} ∂/∂W`);
  obj.dispose();
}

test('trades: β = 0 is CE; CE ≤ value ≤ CE + β·max over the box corners; gradient by finite differences', () => {
  const s = setup(K3, W3x3, B3);
  const attack = { name: 'pgd', eps: 0.1, steps: 10, step_size: 0.02, range: null };
  const w = s.w();
  const ce = [0, 1, 2, 3].map((i) => -logSoftmax64(logits64(row(X, i), W3x3, B3, K3))[Y3[i]!]!);
  assertClose(values(createObjective({ name: 'trades', beta: 0, attack }, s.deps), s, w, Y3), ce, 1e-5, 1e-6, 'β = 0');
  const beta = 2;
  const v = values(createObjective({ name: 'trades', beta, attack }, s.deps), s, w, Y3);
  // KL(p(x) ‖ p(x')) is convex in x' for a linear model, so its maximum over the ε-box is at a corner
  const kl = (x: Vec, xp: Vec) => {
    const lp = logSoftmax64(logits64(x, W3x3, B3, K3));
    const lq = logSoftmax64(logits64(xp, W3x3, B3, K3));
    return lp.reduce((t, l, k) => t + Math.exp(l) * (l - lq[k]!), 0);
  };
  for (let i = 0; i < B; i++) {
    let worst = 0;
    for (let c = 0; c < 1 << D; c++) worst = Math.max(worst, kl(row(X, i), row(X, i).map((x, d) => x + ((c >> d) & 1 ? 0.1 : -0.1))));
    assert.ok(v[i]! > ce[i]! + 1e-4 && v[i]! <= ce[i]! + beta * worst + 1e-5, `row ${i}: ${v[i]} vs CE ${ce[i]}, worst KL ${worst}`);
  }
  w.dispose();
  checkGradient({ name: 'trades', beta, attack }, 'trades');
});

test('smooth-adv-comp-sum: γ = 0 is comp-sum; the smoothness term is at most γ·ε·‖W‖₂; gradient by finite differences', () => {
  const s = setup(K3, W3x3, B3);
  const attack = { name: 'pgd', eps: 0.1, steps: 10, step_size: 0.02, range: null };
  const w = s.w();
  const tau = 0.5;
  const comp = [0, 1, 2, 3].map((i) => {
    const ce = -logSoftmax64(logits64(row(X, i), W3x3, B3, K3))[Y3[i]!]!;
    return Math.expm1((1 - tau) * ce) / (1 - tau);
  });
  assertClose(values(createObjective({ name: 'smooth-adv-comp-sum', tau, gamma: 0, attack }, s.deps), s, w, Y3), comp, 1e-5, 1e-6, 'γ = 0');
  const gamma = 0.5;
  const v = values(createObjective({ name: 'smooth-adv-comp-sum', tau, gamma, attack }, s.deps), s, w, Y3);
  // ‖(x' − x)W‖₂ ≤ ‖x' − x‖₂·σ_max(W) ≤ ε√D·‖W‖_F
  const bound = 0.1 * Math.sqrt(D) * Math.sqrt(W3x3.reduce((t, x) => t + x * x, 0));
  for (let i = 0; i < B; i++) assert.ok(v[i]! > comp[i]! + 1e-3 && v[i]! <= comp[i]! + gamma * bound + 1e-5, `row ${i}: ${v[i]} vs ${comp[i]}`);
  w.dispose();
  checkGradient({ name: 'smooth-adv-comp-sum', tau, gamma, attack }, 'smooth-adv-comp-sum');
});
