/**
 * The vat loss against an independent float64 computation on a linear model (logits = xW + b):
 * the power iteration's gradient is (1/B)·W(p_i − q_i) per example, so r_adv and LDS follow by hand
 * from the seeded d; the parameter gradient against central differences of the surrogate whose
 * r_adv and clean distribution are frozen (the official stop_gradients); determinism from the
 * loss seed; SAM's second evaluation probes the same ξ·d; perturbed passes never move BatchNorm
 * statistics; α = 0 is CE on the labelled rows without extra passes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, assertClose, assertNoLeak } from '../support/tf.js';
import { createObjective } from '../../src/losses/index.js';
import { vatDirection } from '../../src/losses/vat.js';
import type { DataSpec, LossContext, Model, ModelOutput, Objective } from '../../src/core/types.js';
import { makeClosure } from '../../src/train/step.js';

const B = 5;
const D = 3;
const K = 4;
const X = [0.3, -0.7, 1.1, 0.9, 0.2, -0.4, -1.2, 0.5, 0.8, 0.05, -0.3, 0.6, 0.7, 0.7, -0.9];
const W0 = [0.5, -0.3, 0.8, 0.1, -0.6, 0.9, 0.2, -0.4, 0.3, 0.7, -0.5, 0.6];
const BIAS = [0.1, -0.2, 0.05, 0.0];
const Y = [2, -1, 0, 3, -1];
const data: DataSpec = { task: 'classification', inputShape: [D], inputKind: 'dense', numClasses: K, outputDim: K };

type Vec = number[];
const logits64 = (x: Vec, w: Vec): Vec => Array.from({ length: K }, (_, k) => BIAS[k]! + x.reduce((s, xi, d) => s + xi * w[d * K + k]!, 0));
const logSoftmax64 = (z: Vec): Vec => {
  const m = Math.max(...z);
  const lse = m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
  return z.map((v) => v - lse);
};
const kl64 = (qz: Vec, pz: Vec) => {
  const lq = logSoftmax64(qz), lp = logSoftmax64(pz);
  return lq.reduce((s, l, k) => s + Math.exp(l) * (l - lp[k]!), 0);
};
const row = (a: Vec, i: number) => a.slice(i * D, (i + 1) * D);
/** vat_tf get_normalized_vector per row. */
const normalize64 = (d: Vec): Vec => {
  const out: Vec = [];
  for (let i = 0; i < B; i++) {
    const r = row(d, i);
    const m = Math.max(...r.map(Math.abs));
    const s = r.map((v) => v / (1e-12 + m));
    const n = Math.sqrt(1e-6 + s.reduce((a, v) => a + v * v, 0));
    out.push(...s.map((v) => v / n));
  }
  return out;
};

/** r_adv by hand: d from the seed, each iteration d ← (1/B)·W(softmax((x + ξ·n(d))W + b) − q). */
function rAdv64(w: Vec, seed: number, xi: number, eps: number, iterations: number): Vec {
  let d = Array.from(vatDirection(seed, B * D));
  for (let it = 0; it < iterations; it++) {
    const probe = normalize64(d).map((v) => v * xi);
    const g: Vec = [];
    for (let i = 0; i < B; i++) {
      const x = row(X, i);
      const q = logSoftmax64(logits64(x, w)).map(Math.exp);
      const p = logSoftmax64(logits64(x.map((v, j) => v + probe[i * D + j]!), w)).map(Math.exp);
      for (let j = 0; j < D; j++) g.push(Array.from({ length: K }, (_, k) => w[j * K + k]! * (p[k]! - q[k]!)).reduce((a, b) => a + b, 0) / B);
    }
    d = g;
  }
  return normalize64(d).map((v) => v * eps);
}

/** Per-example ℓ_i by hand, with r and the clean logits of `frozen` (W0 unless given). */
function values64(w: Vec, r: Vec, alpha: number, training: boolean, frozenW: Vec = w): Vec {
  const nLab = Y.filter((y) => y >= 0).length;
  return Y.map((y, i) => {
    const x = row(X, i);
    const ce = y >= 0 ? -logSoftmax64(logits64(x, w))[y]! * (training ? B / nLab : 1) : 0;
    const lds = kl64(logits64(x, frozenW), logits64(x.map((v, j) => v + r[i * D + j]!), w));
    return ce + alpha * lds;
  });
}

interface Linear {
  readonly w: tf.Variable;
  readonly b: tf.Tensor;
  readonly calls: { x: Float32Array; training: boolean; dropoutSeed?: number }[];
  readonly model: Model;
}

/** A linear Model that records every input it is applied to and reports a fake BN update per pass. */
function linear(w = W0, withUpdates = false): Linear {
  const wv = tf.variable(tf.tensor2d(w, [D, K]), true);
  const b = tf.tensor1d(BIAS);
  const buffer = tf.variable(tf.zeros([1]), false);
  const calls: Linear['calls'] = [];
  const model: Model = {
    params: [{ name: 'w', variable: wv, role: 'kernel', owner: 'model' }],
    buffers: [{ name: 'bn', variable: buffer }],
    paramCount: D * K,
    embeddingDim: D,
    apply(x, o): ModelOutput {
      calls.push({ x: x.dataSync() as Float32Array, training: o.training, ...(o.dropoutSeed !== undefined ? { dropoutSeed: o.dropoutSeed } : {}) });
      const output = tf.add(tf.matMul(x as tf.Tensor2D, wv), b);
      // the "statistic" is the pass's mean input: a perturbed pass would move it
      return { output, embedding: x, ...(withUpdates && o.training ? { updates: [[buffer, tf.reshape(tf.mean(x), [1])] as const] } : {}) };
    },
    dispose() {
      wv.dispose();
      buffer.dispose();
      b.dispose();
    },
  };
  return { w: wv, b, calls, model };
}

function vatObjective(o: Record<string, unknown>): Objective {
  return createObjective({ name: 'vat', ...o }, { data, sizes: { train: 8, test: 8 }, seed: 0, embeddingDim: D });
}

function ctxFor(m: Linear, seed: number, training = true): LossContext {
  return { step: 0, epoch: 0, training, data, seed, apply: (x) => m.model.apply(x, { training }) };
}

function computeValues(obj: Objective, m: Linear, ctx: LossContext): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor2d(X, [B, D]);
    const y = tf.tensor1d(Y, 'int32');
    return obj.compute({ output: m.model.apply(x, { training: ctx.training }).output, y, x }, ctx).dataSync() as Float32Array;
  });
}

test('vat: per-example values equal the hand computation (CE on labelled rows scaled by B/n_lab, α·LDS on all)', () => {
  const opts = { xi: 0.5, epsilon: 1.3, alpha: 0.7, num_power_iterations: 1 };
  for (const iterations of [1, 2]) {
    const obj = vatObjective({ ...opts, num_power_iterations: iterations });
    const m = linear();
    const got = computeValues(obj, m, ctxFor(m, 77));
    const r = rAdv64(W0, 77, opts.xi, opts.epsilon, iterations);
    assertClose(got, values64(W0, r, opts.alpha, true), 2e-4, 2e-5, `values, ${iterations} power iteration(s)`);
    // the unlabeled rows hold only α·LDS, which is positive
    assert.ok(got[1]! > 0 && got[4]! > 0);
    // r_adv has norm ε per example (up to vat_tf's 1e-6 inside the square root)
    for (let i = 0; i < B; i++) assert.ok(Math.abs(Math.hypot(...row(r, i)) - opts.epsilon) < 1e-5);
    m.model.dispose();
    obj.dispose();
  }
});

test('vat: evaluation (training false) reports each row its own CE_i + α·LDS_i', () => {
  const opts = { xi: 0.5, epsilon: 1.3, alpha: 0.7 };
  const obj = vatObjective(opts);
  const m = linear();
  const got = computeValues(obj, m, ctxFor(m, 5, false));
  assertClose(got, values64(W0, rAdv64(W0, 5, opts.xi, opts.epsilon, 1), opts.alpha, false), 2e-4, 2e-5, 'eval values');
  m.model.dispose();
  obj.dispose();
});

test('vat: the gradient w.r.t. the weights matches central differences of the surrogate with r_adv and p(x) frozen', () => {
  const opts = { xi: 0.5, epsilon: 1.3, alpha: 0.7 };
  const obj = vatObjective(opts);
  const m = linear();
  const ctx = ctxFor(m, 11);
  const grads = tf.tidy(() => {
    const x = tf.tensor2d(X, [B, D]);
    const y = tf.tensor1d(Y, 'int32');
    const { grads: g } = tf.variableGrads(() => tf.mean(obj.compute({ output: m.model.apply(x, { training: true }).output, y, x }, ctx)) as tf.Scalar, [m.w]);
    return g[m.w.name]!.dataSync() as Float32Array;
  });
  const r = rAdv64(W0, 11, opts.xi, opts.epsilon, 1);
  const mean = (w: Vec) => values64(w, r, opts.alpha, true, W0).reduce((a, b) => a + b, 0) / B;
  const h = 1e-5;
  const fd = W0.map((_, j) => {
    const up = W0.slice(); up[j]! += h;
    const down = W0.slice(); down[j]! -= h;
    return (mean(up) - mean(down)) / (2 * h);
  });
  assertClose(grads, fd, 1e-3, 1e-5, 'dL/dW');
  m.model.dispose();
  obj.dispose();
});

test('vat: the same loss seed gives the same values; another seed another direction; no leaks', async () => {
  const obj = vatObjective({ xi: 1e-6, epsilon: 2 });
  const m = linear();
  const a = computeValues(obj, m, ctxFor(m, 3));
  const b = computeValues(obj, m, ctxFor(m, 3));
  const c = computeValues(obj, m, ctxFor(m, 4));
  assert.deepEqual(Array.from(a), Array.from(b));
  assert.notDeepEqual(Array.from(a), Array.from(c));
  for (const v of a) assert.ok(Number.isFinite(v));
  await assertNoLeak(() => computeValues(obj, m, ctxFor(m, 3)), 'vat compute');
  m.model.dispose();
  obj.dispose();
});

test('vat: α = 0 is CE on the labelled rows (mean over them) and never re-runs the model', () => {
  const obj = vatObjective({ alpha: 0 });
  const m = linear();
  const got = computeValues(obj, m, ctxFor(m, 3));
  assert.equal(m.calls.length, 1, 'only the clean pass');
  assertClose(got, values64(W0, new Array(B * D).fill(0), 0, true), 1e-5, 1e-6, 'masked CE');
  m.model.dispose();
  obj.dispose();
});

test('vat through makeClosure: a second (SAM) evaluation probes the same ξ·d with the same training flag and dropout masks; BN statistics come from the clean pass only', async () => {
  const obj = vatObjective({ xi: 0.5, epsilon: 1 });
  const m = linear(W0, true);
  const x = tf.tensor2d(X, [B, D]);
  const y = tf.tensor1d(Y, 'int32');
  const index = tf.tensor1d(Array.from({ length: B }, (_, i) => i), 'int32');
  const loss: LossContext = { step: 4, epoch: 0, training: true, data, seed: 99 };
  const { closure, statistics } = makeClosure({ model: m.model, objective: obj, params: m.model.params }, { batch: { x, y, index }, loss, dropoutSeed: 1234 });
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    closure();
    m.w.assign(tf.add(m.w, 0.05)); // SAM's ascent step moves the weights before the second evaluation
    closure();
    return [];
  });
  assert.equal(tf.memory().numTensors - before, 1, 'only the kept statistic of the clean pass survives');
  // each evaluation: clean pass, probe pass x + ξ·d, adversarial pass x + r_adv
  assert.equal(m.calls.length, 6);
  for (const c of m.calls) assert.deepEqual([c.training, c.dropoutSeed], [true, 1234]);
  assert.deepEqual(Array.from(m.calls[1]!.x), Array.from(m.calls[4]!.x), 'the same probe ξ·d in both evaluations');
  assert.notDeepEqual(Array.from(m.calls[1]!.x), Array.from(m.calls[0]!.x));
  const stats = statistics();
  assert.equal(stats.length, 1);
  const meanX = X.reduce((a, b) => a + b, 0) / X.length;
  assert.ok(Math.abs(stats[0]![1].dataSync()[0]! - meanX) < 1e-6, 'the kept statistic is the clean pass');
  tf.dispose([x, y, index, stats[0]![1]]);
  m.model.dispose();
  obj.dispose();
});
