/**
 * The long-tail losses against numbers derived by hand (numpy float64, train class counts
 * [100, 10, 1], logits [[1, 2, 0.5], [0, −1, 3]], labels [1, 2]): vs, logit-adjusted (loss and
 * post-hoc), balanced-softmax, ldam (margins, value at known proxies, DRW switch), class-balanced
 * (weights, torch's weighted mean, start epoch), z-error (drop rule, gradient of the kept mean),
 * gol (value, clamp), anyloss balanced accuracy and G-mean, and the long-tail group metrics.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tf, assertClose } from '../support/tf.js';
import { createObjective } from '../../src/losses/index.js';
import type { Spec } from '../../src/core/registry.js';
import type { DataSpec, LossContext, Objective } from '../../src/core/types.js';
import { effectiveNumberWeights } from '../../src/losses/class-prior.js';
import { ldamMargins } from '../../src/losses/ldam.js';
import { createClassificationAccumulator } from '../../src/metrics/index.js';
import { shotGroup } from '../../src/metrics/classification-accumulator.js';

const COUNTS = [100, 10, 1];
const spec = (counts: number[] | null = COUNTS, task: 'classification' | 'regression' = 'classification'): DataSpec =>
  task === 'classification'
    ? { task, inputShape: [3], inputKind: 'dense', numClasses: 3, outputDim: 3, ...(counts ? { classCounts: counts } : {}) }
    : { task, inputShape: [3], inputKind: 'dense', numClasses: 0, outputDim: 1 };
const ctx = (epoch = 0, training = true, data = spec()): LossContext => ({ step: 0, epoch, training, data, seed: 1 });
const Z = [[1, 2, 0.5], [0, -1, 3]];
const Y = [1, 2];

function build(s: Spec, data = spec(), embeddingDim = 3): Objective {
  return createObjective(s, { data, sizes: { train: 8, test: 8 }, seed: 0, embeddingDim });
}

function values(o: Objective, out: number[][], y: number[], c = ctx(), embedding?: number[][]): number[] {
  return tf.tidy(() => Array.from(o.compute({ output: tf.tensor2d(out), y: tf.tensor1d(y, 'int32'), ...(embedding ? { embedding: tf.tensor2d(embedding) } : {}) }, c).dataSync()));
}

describe('vs', () => {
  it('CE on z·(n/n_max)^γ + τ·log π (defaults γ 0.3, τ 1)', () => {
    const o = build({ name: 'vs' });
    assertClose(values(o, Z, Y), [2.3995208196, 3.9302552809], 1e-5, 1e-5);
    o.dispose();
  });
  it('γ = 0, τ = 0 is cross-entropy', () => {
    const o = build({ name: 'vs', gamma: 0, tau: 0 });
    assertClose(values(o, Z, Y), [0.4643687841, 0.0658839038], 1e-5, 1e-6);
    o.dispose();
  });
  it('refuses data without class counts, by name', () => {
    assert.throws(() => build({ name: 'vs' }, spec(null)), (e: Error) => /vs/.test(e.message) && /class counts/.test(e.message));
  });
});

describe('logit-adjusted and balanced-softmax', () => {
  it('loss mode: CE on z + τ·log π (τ 1 and 2); probabilities from z', () => {
    const o1 = build({ name: 'logit-adjusted' });
    assertClose(values(o1, Z, Y), [1.5477981039, 1.8183792035], 1e-5, 1e-5);
    assert.equal(o1.probabilities, undefined, 'predictions from the raw logits');
    o1.dispose();
    const o2 = build({ name: 'logit-adjusted', tau: 2 });
    assertClose(values(o2, Z, Y), [3.6320491593, 6.2160116082], 1e-5, 1e-5);
    o2.dispose();
  });
  it('posthoc mode: plain CE, probabilities softmax(z − τ·log π)', () => {
    const o = build({ name: 'logit-adjusted', mode: 'posthoc' });
    assertClose(values(o, Z, Y), [0.4643687841, 0.0658839038], 1e-5, 1e-6);
    const p = tf.tidy(() => Array.from(o.probabilities!({ output: tf.tensor2d([Z[0]!]), y: tf.tensor1d([1], 'int32') }, ctx()).dataSync()));
    assertClose(p, [0.01125671, 0.30598917, 0.68275412], 1e-5, 1e-6);
    o.dispose();
  });
  it('balanced-softmax equals the loss mode at τ = 1 (log n_k and log π_k differ by a constant)', () => {
    const o = build({ name: 'balanced-softmax' });
    assertClose(values(o, Z, Y), [1.5477981039, 1.8183792035], 1e-5, 1e-5);
    o.dispose();
  });
});

describe('ldam', () => {
  it('margins ∝ n^(−1/4), the rarest class gets max_m', () => {
    assertClose(ldamMargins(COUNTS, 0.5), [0.15811388, 0.28117066, 0.5], 1e-7, 1e-8);
  });
  it('CE on s·(cos θ − m_y·onehot) with the normalised classifier; DRW weights from drw_epoch in training only', () => {
    const o = build({ name: 'ldam', drw_epoch: 2, beta: 0.99 });
    const w = o.variables[0]!;
    o.setState!({ [w.name]: tf.eye(3) });
    // x = (3, 4, 0): x̂ = (0.6, 0.8, 0), cos = x̂·ŵ_k = (0.6, 0.8, 0), label 1
    const v = values(o, [[0, 0, 0]], [1], ctx(0), [[3, 4, 0]]);
    assertClose(v, [2.5190815278], 1e-5, 1e-5);
    // one example: torch's weighted mean of a single term is the term itself
    assertClose(values(o, [[0, 0, 0]], [1], ctx(2), [[3, 4, 0]]), [2.5190815278], 1e-5, 1e-5);
    // two examples from epoch 2: weights w_1, w_2 of the effective number (β 0.99)
    const cbw = effectiveNumberWeights(COUNTS, 0.99);
    const two = values(o, [[0, 0, 0], [0, 0, 0]], [1, 1], ctx(2), [[3, 4, 0], [3, 4, 0]]);
    assertClose(two, [2.5190815278, 2.5190815278], 1e-5, 1e-5, 'equal labels: equal weights cancel');
    const mixed = values(o, [[0, 0, 0], [0, 0, 0]], [1, 2], ctx(2), [[3, 4, 0], [0, 0, 1]]);
    const plain = values(o, [[0, 0, 0], [0, 0, 0]], [1, 2], ctx(1), [[3, 4, 0], [0, 0, 1]]);
    const scale = 2 / (cbw[1]! + cbw[2]!);
    assertClose(mixed, [plain[0]! * cbw[1]! * scale, plain[1]! * cbw[2]! * scale], 1e-5, 1e-6);
    assertClose(values(o, [[0, 0, 0], [0, 0, 0]], [1, 2], ctx(5, false), [[3, 4, 0], [0, 0, 1]]), plain, 1e-6, 1e-7, 'evaluation: no weights');
    o.dispose();
    const s2 = build({ name: 'ldam', s: 2 });
    s2.setState!({ [s2.variables[0]!.name]: tf.eye(3) });
    assertClose(values(s2, [[0, 0, 0]], [1], ctx(), [[3, 4, 0]]), [0.9284346378], 1e-5, 1e-6);
    s2.dispose();
  });
});

describe('class-balanced', () => {
  it('effective-number weights (1 − β)/(1 − β^n), normalised to sum K; β = 0 gives ones', () => {
    assertClose(effectiveNumberWeights(COUNTS, 0.99), [0.04223747, 0.28004361, 2.67771892], 1e-6, 1e-7);
    assert.deepEqual(effectiveNumberWeights(COUNTS, 0), [1, 1, 1]);
  });
  it("torch's weighted mean Σw_yℓ/Σw_y written per example, from start_epoch, base values in evaluation", () => {
    const o = build({ name: 'class-balanced', beta: 0.99, start_epoch: 1, base: { name: 'cross-entropy' } });
    assertClose(values(o, Z, Y, ctx(1)), [0.08793371, 0.11929191], 1e-5, 1e-6);
    assertClose(values(o, Z, Y, ctx(0)), [0.4643687841, 0.0658839038], 1e-5, 1e-6, 'before start_epoch');
    assertClose(values(o, Z, Y, ctx(3, false)), [0.4643687841, 0.0658839038], 1e-5, 1e-6, 'evaluation');
    o.dispose();
  });
});

describe('z-error', () => {
  const data = spec(null, 'regression');
  const preds = [[0], [0], [0], [0], [0], [0], [0], [0], [0], [10]];
  const targets = Array.from({ length: 10 }, () => [1]);
  const run = (o: Objective, c: LossContext) =>
    tf.tidy(() => Array.from(o.compute({ output: tf.tensor2d(preds), y: tf.tensor2d(targets) }, c).dataSync()));
  it('drops per-example losses whose in-batch z-score exceeds θ; the rest average to their mean', () => {
    // mse values: nine 1s and one 81; sample std: z of the outlier = 2.846 (population: exactly 3)
    const keepAll = build({ name: 'z-error', base: { name: 'mse' } }, data);
    assertClose(run(keepAll, ctx(0, true, data)), [...Array(9).fill(1), 81], 1e-6, 1e-6, 'θ 3 keeps z = 2.85');
    keepAll.dispose();
    const drop = build({ name: 'z-error', theta: 2.5, base: { name: 'mse' } }, data);
    const v = run(drop, ctx(0, true, data));
    assertClose(v, [...Array(9).fill(10 / 9), 0], 1e-6, 1e-6);
    assertClose(run(drop, ctx(0, false, data)), [...Array(9).fill(1), 81], 1e-6, 1e-6, 'evaluation keeps all');
    // gradient: the mean MSE gradient over the nine kept rows, zero on the dropped one
    const g = tf.tidy(() => Array.from(tf.grad((x: tf.Tensor) => tf.mean(drop.compute({ output: x, y: tf.tensor2d(targets) }, ctx(0, true, data))))(tf.tensor2d(preds)).dataSync()));
    assertClose(g, [...Array(9).fill(-2 / 9), 0], 1e-6, 1e-6);
    drop.dispose();
  });
  it('a constant batch (std 0) keeps every example', () => {
    const o = build({ name: 'z-error', theta: 0.1, base: { name: 'mse' } }, data);
    const v = tf.tidy(() => Array.from(o.compute({ output: tf.zeros([4, 1]), y: tf.ones([4, 1]) }, ctx(0, true, data)).dataSync()));
    assertClose(v, [1, 1, 1, 1], 1e-7, 1e-7);
    o.dispose();
  });
});

describe('gol', () => {
  it('BCE on p = exp(−exp(−z)) summed over classes; logits clamped to [−4, 10]', () => {
    const o = build({ name: 'gol' });
    assertClose(values(o, [[1, -2, 0.5]], [1]), [9.355346934], 1e-5, 1e-5);
    assertClose(values(o, [[20, -30, 0.5]], [1]), [65.386156472], 1e-5, 1e-4);
    const mean = build({ name: 'gol', class_reduction: 'mean' });
    assertClose(values(mean, [[1, -2, 0.5]], [1]), [9.355346934 / 3], 1e-5, 1e-5);
    o.dispose();
    mean.dispose();
  });
});

describe('anyloss balanced accuracy and G-mean', () => {
  // binary, amplifier 1e4 makes A ≈ the hard prediction: TPR = 1/2, TNR = 2/2
  const out = [[0, 5], [0, -5], [0, -5], [0, -5]];
  const y = [1, 1, 0, 0];
  it('1 − ½(TPR + TNR) and 1 − √(TPR·TNR) on the soft confusion matrix', () => {
    const data: DataSpec = { task: 'classification', inputShape: [2], inputKind: 'dense', numClasses: 2, outputDim: 2 };
    const bal = build({ name: 'anyloss', metric: 'balanced_accuracy', amplifier: 1e4 }, data);
    const gm = build({ name: 'anyloss', metric: 'g_mean', amplifier: 1e4 }, data);
    const c = ctx(0, true, data);
    const one = (o: Objective) => tf.tidy(() => o.compute({ output: tf.tensor2d(out), y: tf.tensor1d(y, 'int32') }, c).dataSync()[0]!);
    assertClose([one(bal)], [1 - 0.75], 1e-5, 1e-5);
    assertClose([one(gm)], [1 - Math.sqrt(0.5)], 1e-5, 1e-5);
    bal.dispose();
    gm.dispose();
  });
});

describe('long-tail group metrics', () => {
  it('head (> 100), medium, tail (< 20) groups of the train counts; mean recall of each', () => {
    assert.deepEqual([500, 101, 100, 20, 19, 1].map((n) => shotGroup(n)), ['head', 'head', 'medium', 'medium', 'tail', 'tail']);
    const acc = createClassificationAccumulator(3, { trainCounts: [500, 50, 5] });
    // class 0: 2/2 right, class 1: 1/2, class 2: 0/1
    acc.add(Float32Array.from([0.9, 0.1, 0, 0.8, 0.1, 0.1, 0.1, 0.8, 0.1, 0.7, 0.2, 0.1, 0.6, 0.3, 0.1]), Int32Array.from([0, 0, 1, 1, 2]));
    const r = acc.result();
    assert.equal(r.head_accuracy, 1);
    assert.equal(r.medium_accuracy, 0.5);
    assert.equal(r.tail_accuracy, 0);
    assert.equal(r.balanced_accuracy, 0.5);
    assert.equal(r.worst_class_accuracy, 0);
    const flat = createClassificationAccumulator(3, { trainCounts: [500, 400, 300] });
    flat.add(Float32Array.from([1, 0, 0]), Int32Array.from([0]));
    assert.equal(flat.result().head_accuracy, undefined, 'one group only: no long-tail keys');
  });
});
