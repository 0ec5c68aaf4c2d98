/**
 * Losses with per-example state (aldr-kl, saf) against independent float64 formulas written here,
 * and the ldr-kl normalisation option. The state is read by row id in compute(), written in
 * commit() only, never touched in evaluation, and a second evaluation of the same step (SAM) sees
 * the state the first one saw.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tf, assertClose, assertNoLeak } from '../support/tf.js';
import { createObjective } from '../../src/losses/index.js';
import type { DataSpec, LossContext, LossInput, Objective } from '../../src/core/types.js';

const K = 3;
const N = 6;
const data: DataSpec = { task: 'classification', inputShape: [2], inputKind: 'dense', numClasses: K, outputDim: K };
const deps = { data, sizes: { train: N, test: 4 }, seed: 0, embeddingDim: 4 };
const ctx = (step: number, epoch = 0, training = true, split: 'train' | 'test' = 'train'): LossContext => ({ step, epoch, training, data, seed: 1, split });

/* ----------------------------------------------------------- independent float64 formulas */

const lse = (v: number[]) => {
  const m = Math.max(...v);
  return m + Math.log(v.reduce((s, x) => s + Math.exp(x - m), 0));
};
const softmax = (v: number[]) => {
  const l = lse(v);
  return v.map((x) => Math.exp(x - l));
};
/** z / (Σ|z|/K), official ALDRLoss_V1. */
const l1Norm = (z: number[]) => {
  const d = z.reduce((s, x) => s + Math.abs(x), 0) / z.length;
  return z.map((x) => x / d);
};
const softplus = (x: number) => Math.log1p(Math.exp(x));
/** λ_new = λ₀ − λ₀·KL(p‖U)/(α log K), p = (softmax(z̃/λ_old) + 1e-5) renormalised. */
function handLambda(zt: number[], lamOld: number, lam0: number, alpha: number): number {
  const k = zt.length;
  const raw = softmax(zt.map((x) => x / lamOld)).map((p) => p + 1e-5);
  const s = raw.reduce((a, b) => a + b, 0);
  const p = raw.map((x) => x / s);
  const kl = p.reduce((a, pk) => a + pk * Math.log(k * pk), 0);
  return lam0 - (lam0 * kl) / (alpha * Math.log(k));
}
/** λ·log(mean_k exp(δ_k/λ)) − (α log K/(2λ₀))(λ − λ₀)², δ_k = c·1[k≠y] + z̃_k − z̃_y. */
function handAldr(zt: number[], y: number, lam: number, lam0: number, alpha: number, c: number): number {
  const k = zt.length;
  const delta = zt.map((x, j) => (j === y ? 0 : c) + x - zt[y]!);
  return lam * (lse(delta.map((d) => d / lam)) - Math.log(k)) - ((alpha * Math.log(k)) / (2 * lam0)) * (lam - lam0) ** 2;
}

function lambdas(obj: Objective, name = 'loss/aldr-kl/lambda'): number[] {
  const s = obj.getState!();
  const v = Array.from(s[name]!.dataSync());
  tf.dispose(Object.values(s));
  return v;
}

function values(obj: Objective, input: LossInput, c: LossContext): number[] {
  return tf.tidy(() => Array.from(obj.compute(input, c).dataSync()));
}

/* ------------------------------------------------------------------------------- aldr-kl */

describe('aldr-kl', () => {
  const Z1 = [[2, 0, -1], [0.5, 1.5, -0.25], [-1, 3, 0.5]];
  const Z2 = [[1, -2, 0.5], [0.25, 0.75, -1.5], [2, 1, 0]];
  const Y = [0, 2, 1];
  const IDS = [4, 0, 2];
  const o = { lambda: 1.5, alpha: 2, c: 0.5 };

  it('λ update and loss match the hand formula over two visits; commit writes the batch rows only', async () => {
    const y = tf.tensor1d(Y, 'int32');
    const index = tf.tensor1d(IDS, 'int32');
    await assertNoLeak(() => {
      const obj = createObjective({ name: 'aldr-kl', ...o }, deps);
      let lamOld = IDS.map(() => o.lambda);
      for (const [step, Z] of [Z1, Z2].entries()) {
        const output = tf.tensor2d(Z);
        const input: LossInput = { output, y, index };
        const zt = Z.map(l1Norm);
        const lamNew = zt.map((r, i) => handLambda(r, lamOld[i]!, o.lambda, o.alpha));
        const expected = zt.map((r, i) => handAldr(r, Y[i]!, lamNew[i]!, o.lambda, o.alpha, o.c));
        assertClose(values(obj, input, ctx(step)), expected, 1e-5, 1e-6, `loss at visit ${step + 1}`);
        // compute alone does not move the table
        assertClose(lambdas(obj), step === 0 ? Array(N).fill(o.lambda) : lambdas(obj), 0, 0);
        tf.tidy(() => obj.commit!(input, ctx(step)));
        const table = lambdas(obj);
        const want = Array(N).fill(o.lambda) as number[];
        IDS.forEach((id, i) => (want[id] = lamNew[i]!));
        if (step === 1) [1, 3, 5].forEach((id) => (want[id] = o.lambda));
        assertClose(table, want, 1e-6, 1e-6, `λ table after visit ${step + 1}`);
        // λ stays in [λ₀(1 − 1/α), λ₀]
        for (const l of lamNew) assert.ok(l <= o.lambda && l >= o.lambda * (1 - 1 / o.alpha), String(l));
        lamOld = lamNew;
        output.dispose();
      }
      obj.dispose(); // the table and the step's snapshot of the rows it replaced
    }, 'aldr-kl two visits');
    tf.dispose([y, index]);
  });

  it('a worked number: z = [2, 0, −1], y = 0, λ₀ = 1, α = 2, c = 1', () => {
    // z̃ = z/(3/3) = z; p = softmax(z) = [0.8437947, 0.1141952, 0.0420101] (+1e-5, renormalised)
    // KL(p‖U) = Σ p log(3p) = 0.8437947·0.928766 − 0.1141952·1.071226 − 0.0420101·2.071226 = 0.574348
    // λ = 1 − KL/(2 log 3) = 1 − 0.574348/2.1972246 = 0.738602 (0.7386219 with the 1e-5 smoothing)
    // ℓ = λ log mean exp(δ/λ) − (log 3)(λ − 1)²
    const lam = handLambda([2, 0, -1], 1, 1, 2);
    assertClose([lam], [0.7386219], 1e-6, 1e-7, 'λ');
    const obj = createObjective({ name: 'aldr-kl', lambda: 1, alpha: 2, c: 1 }, deps);
    const v = tf.tidy(() => values(obj, { output: tf.tensor2d([[2, 0, -1]]), y: tf.tensor1d([0], 'int32'), index: tf.tensor1d([3], 'int32') }, ctx(0)));
    assertClose(v, [handAldr([2, 0, -1], 0, lam, 1, 2, 1)], 1e-5, 1e-6);
    obj.dispose();
  });

  it('evaluation uses λ₀ and never touches the table (split test, or training false)', () => {
    const obj = createObjective({ name: 'aldr-kl', ...o }, deps);
    tf.tidy(() => {
      const input: LossInput = { output: tf.tensor2d(Z1), y: tf.tensor1d(Y, 'int32'), index: tf.tensor1d([0, 1, 2], 'int32') };
      const expected = Z1.map((r, i) => handAldr(l1Norm(r), Y[i]!, o.lambda, o.lambda, o.alpha, o.c));
      for (const c of [ctx(5, 0, false, 'test'), ctx(5, 0, false, 'train'), ctx(5, 0, true, 'test')]) {
        assertClose(values(obj, input, c), expected, 1e-5, 1e-6, `${c.split} training=${c.training}`);
        obj.commit!(input, c);
      }
    });
    assert.deepEqual(lambdas(obj), Array(N).fill(o.lambda));
    obj.dispose();
  });

  it('a second evaluation in the same step sees the state of the first; the next step sees the update', () => {
    const obj = createObjective({ name: 'aldr-kl', ...o }, deps);
    const output = tf.tensor2d(Z1);
    const y = tf.tensor1d(Y, 'int32');
    const index = tf.tensor1d(IDS, 'int32');
    const input: LossInput = { output, y, index };
    const first = values(obj, input, ctx(7));
    tf.tidy(() => obj.commit!(input, ctx(7)));
    const afterCommit = lambdas(obj);
    const second = values(obj, input, ctx(7)); // SAM's evaluation at the same step, same batch
    assert.deepEqual(second, first, 'same state within the step');
    assert.deepEqual(lambdas(obj), afterCommit, 'the table changed once');
    const next = values(obj, input, ctx(8));
    assert.notDeepEqual(next, first, 'the next step reads the updated λ');
    const zt = Z1.map(l1Norm);
    const lam1 = zt.map((r) => handLambda(r, o.lambda, o.lambda, o.alpha));
    const lam2 = zt.map((r, i) => handLambda(r, lam1[i]!, o.lambda, o.alpha));
    assertClose(next, zt.map((r, i) => handAldr(r, Y[i]!, lam2[i]!, o.lambda, o.alpha, o.c)), 1e-5, 1e-6);
    tf.dispose([output, y, index]);
    obj.dispose();
  });

  it('gradient = derivative of the loss at fixed λ_i (finite differences of the float64 formula)', () => {
    const obj = createObjective({ name: 'aldr-kl', ...o }, deps);
    const y = tf.tensor1d(Y, 'int32');
    const index = tf.tensor1d(IDS, 'int32');
    const x0 = Z1.flat();
    const lam = Z1.map((r) => handLambda(l1Norm(r), o.lambda, o.lambda, o.alpha));
    const g = tf.tidy(() => Array.from(tf.grad((x: tf.Tensor) => tf.sum(obj.compute({ output: x, y, index }, ctx(0))))(tf.tensor2d(Z1)).dataSync()));
    const f = (x: number[]) => [0, 1, 2].reduce((s, i) => s + handAldr(l1Norm(x.slice(i * K, i * K + K)), Y[i]!, lam[i]!, o.lambda, o.alpha, o.c), 0);
    const h = 1e-6;
    const fd = x0.map((_, j) => {
      const a = x0.slice();
      const b = x0.slice();
      a[j]! += h;
      b[j]! -= h;
      return (f(a) - f(b)) / (2 * h);
    });
    assertClose(g, fd, 1e-3, 1e-5, 'aldr-kl gradient at fixed λ');
    tf.dispose([y, index]);
    obj.dispose();
  });

  it('normalize: none and softplus-l1 follow the formula; training without row ids is an error', () => {
    for (const mode of ['none', 'softplus-l1'] as const) {
      const obj = createObjective({ name: 'aldr-kl', ...o, normalize: mode }, deps);
      const zt = Z1.map((r) => (mode === 'none' ? r : l1Norm(r.map(softplus))));
      const lam = zt.map((r) => handLambda(r, o.lambda, o.lambda, o.alpha));
      const v = tf.tidy(() => values(obj, { output: tf.tensor2d(Z1), y: tf.tensor1d(Y, 'int32'), index: tf.tensor1d(IDS, 'int32') }, ctx(0)));
      assertClose(v, zt.map((r, i) => handAldr(r, Y[i]!, lam[i]!, o.lambda, o.alpha, o.c)), 1e-5, 1e-6, mode);
      assert.throws(() => tf.tidy(() => obj.compute({ output: tf.tensor2d(Z1), y: tf.tensor1d(Y, 'int32') }, ctx(0))), /need LossInput.index/);
      obj.dispose();
    }
    assert.throws(() => createObjective({ name: 'aldr-kl' }, { ...deps, sizes: { train: 0, test: 0 } }), /number of training examples/);
  });
});

/* -------------------------------------------------------------------------------- ldr-kl */

describe('ldr-kl normalize option', () => {
  it("'softplus-l1' is the official LDRLoss_V1; the default 'none' is unchanged", () => {
    const Z = [[2, 0, -1], [0.5, 1.5, -0.25]];
    const Y = [0, 2];
    const run = (spec: Record<string, unknown>) => {
      const obj = createObjective({ name: 'ldr-kl', lambda: 2, c: 0.5, ...spec }, deps);
      const v = tf.tidy(() => values(obj, { output: tf.tensor2d(Z), y: tf.tensor1d(Y, 'int32') }, ctx(0)));
      obj.dispose();
      return v;
    };
    // LDRLoss_V1: s = softplus(z), s/mean(s), then λ·(log mean exp(δ/λ))
    const official = Z.map((r, i) => handAldr(l1Norm(r.map(softplus)), Y[i]!, 2, 2, 1, 0.5));
    assertClose(run({ normalize: 'softplus-l1' }), official, 1e-5, 1e-6, 'softplus-l1');
    assertClose(run({}), Z.map((r, i) => handAldr(r, Y[i]!, 2, 2, 1, 0.5)), 1e-5, 1e-6, 'none');
    assertClose(run({ normalize: 'l1' }), Z.map((r, i) => handAldr(l1Norm(r), Y[i]!, 2, 2, 1, 0.5)), 1e-5, 1e-6, 'l1');
  });
});

/* ----------------------------------------------------------------------------------- saf */

describe('saf', () => {
  const Z = [[2, 0, -1], [0.5, 1.5, -0.25]];
  const Y = [0, 2];
  const IDS = [5, 1];
  const ce = (z: number[], y: number) => lse(z) - z[y]!;
  /** KL(softmax(a/T) ‖ softmax(z/T)). */
  const kl = (a: number[], z: number[], t: number) => {
    const q = softmax(a.map((x) => x / t));
    const la = lse(a.map((x) => x / t));
    const lz = lse(z.map((x) => x / t));
    return q.reduce((s, qk, k) => s + qk * (a[k]! / t - la - (z[k]! / t - lz)), 0);
  };

  it('CE + reinforce·T²·KL against a hand-set past-output table, inside the epoch window only', () => {
    const o = { reinforce: 0.3, temperature: 5, kl_start_epoch: 5, minus_epoch: 3 };
    const obj = createObjective({ name: 'saf', ...o }, deps);
    // epoch 9 reads slot (9 − 3) mod 4 = 2, i.e. the outputs of epoch 6
    const past = [[1, 2, 3], [0, 0, 0], [4, -1, 0], [0, 0, 0], [0, 0, 0], [-2, 1, 0.5]];
    const state: tf.NamedTensorMap = {};
    for (let j = 0; j < 4; j++) state[`loss/saf/outputs_${j}`] = j === 2 ? tf.tensor2d(past) : tf.fill([N, K], 100 + j);
    obj.setState!(state);
    tf.dispose(Object.values(state));
    const input: LossInput = { output: tf.tensor2d(Z), y: tf.tensor1d(Y, 'int32'), index: tf.tensor1d(IDS, 'int32') };
    const expected = Z.map((z, i) => ce(z, Y[i]!) + 0.3 * 25 * kl(past[IDS[i]!]!, z, 5));
    assertClose(values(obj, input, ctx(100, 9)), expected, 1e-5, 1e-6, 'epoch 9');
    const plain = Z.map((z, i) => ce(z, Y[i]!));
    for (const e of [0, 5]) assertClose(values(obj, input, ctx(100, e)), plain, 1e-5, 1e-6, `epoch ${e}: before the window (strict)`);
    assertClose(values(obj, input, ctx(100, 9, false, 'test')), plain, 1e-5, 1e-6, 'evaluation: CE only');
    assertClose(values(obj, input, ctx(100, 9, false, 'train')), plain, 1e-5, 1e-6, 'evaluation on train rows: CE only');
    // commit writes the current outputs into slot 9 mod 4 = 1 at the batch rows, and nowhere else
    obj.commit!(input, ctx(100, 9, false, 'test'));
    obj.commit!(input, ctx(100, 9));
    const s = obj.getState!();
    const slot1 = s['loss/saf/outputs_1']!.arraySync() as number[][];
    assertClose(slot1[5]!, Z[0]!, 0, 0, 'row 5');
    assertClose(slot1[1]!, Z[1]!, 0, 0, 'row 1');
    for (const r of [0, 2, 3, 4]) assertClose(slot1[r]!, [101, 101, 101], 0, 0, `row ${r}`);
    assertClose((s['loss/saf/outputs_2']!.arraySync() as number[][]).flat(), past.flat(), 0, 0, 'the read slot is untouched');
    tf.dispose(Object.values(s));
    tf.dispose(Object.values(input));
    obj.dispose();
  });

  it('gradient inside the window matches finite differences of the float64 formula (the stored target is a constant)', () => {
    const obj = createObjective({ name: 'saf', kl_start_epoch: 0, minus_epoch: 1 }, deps);
    const past = [[1, 2, 3], [0, 0, 0], [4, -1, 0], [0, 0, 0], [0, 0, 0], [-2, 1, 0.5]];
    const state: tf.NamedTensorMap = { 'loss/saf/outputs_0': tf.tensor2d(past), 'loss/saf/outputs_1': tf.zeros([N, K]) };
    obj.setState!(state);
    tf.dispose(Object.values(state));
    const y = tf.tensor1d(Y, 'int32');
    const index = tf.tensor1d(IDS, 'int32');
    // epoch 1 reads slot 0
    const g = tf.tidy(() => Array.from(tf.grad((x: tf.Tensor) => tf.sum(obj.compute({ output: x, y, index }, ctx(4, 1))))(tf.tensor2d(Z)).dataSync()));
    const f = (x: number[]) => [0, 1].reduce((s, i) => {
      const z = x.slice(i * K, i * K + K);
      return s + ce(z, Y[i]!) + 0.3 * 25 * kl(past[IDS[i]!]!, z, 5);
    }, 0);
    const x0 = Z.flat();
    const h = 1e-6;
    const fd = x0.map((_, j) => {
      const a = x0.slice();
      const b = x0.slice();
      a[j]! += h;
      b[j]! -= h;
      return (f(a) - f(b)) / (2 * h);
    });
    assertClose(g, fd, 1e-3, 1e-5, 'saf gradient');
    tf.dispose([y, index]);
    obj.dispose();
  });

  it('a run of epochs: the target of epoch e is the output stored at epoch e − minus_epoch', async () => {
    const o = { reinforce: 0.5, temperature: 2, kl_start_epoch: 1, minus_epoch: 2 };
    const obj = createObjective({ name: 'saf', ...o }, deps);
    const y = tf.tensor1d(Y, 'int32');
    const index = tf.tensor1d(IDS, 'int32');
    const outputs = [0, 1, 2, 3, 4, 5].map((e) => Z.map((r) => r.map((x, k) => x + 0.3 * e * (k + 1) - 0.1 * e * e)));
    await assertNoLeak(() => {
      for (let e = 0; e < outputs.length; e++) {
        const output = tf.tensor2d(outputs[e]!);
        const input: LossInput = { output, y, index };
        const target = e > o.kl_start_epoch ? outputs[e - o.minus_epoch] : undefined;
        const expected = outputs[e]!.map((z, i) => ce(z, Y[i]!) + (target ? o.reinforce * 4 * kl(target[i]!, z, 2) : 0));
        assertClose(values(obj, input, ctx(e, e)), expected, 1e-5, 1e-6, `epoch ${e}`);
        tf.tidy(() => obj.commit!(input, ctx(e, e)));
        assertClose(values(obj, input, ctx(e, e)), expected, 1e-5, 1e-6, `epoch ${e}, after commit (SAM's second evaluation)`);
        output.dispose();
      }
    }, 'saf epochs');
    tf.dispose([y, index]);
    obj.dispose();
  });
});
