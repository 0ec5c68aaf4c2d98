/**
 * Loss values against hand-derived numbers (float64 arithmetic in the comments), through the
 * library entry point createLoss; plus `extra` composition and the createLoss conveniences.
 *
 * Running example: logits z = [2, 0, −1], lse(z) = log(e² + 1 + e⁻¹) = log 8.756935 = 2.1698460,
 * p = softmax(z) = [0.8437947, 0.1141952, 0.0420101].
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tf, assertClose, assertNoLeak } from '../support/tf.js';
import { createLoss, createObjective } from '../../src/losses/index.js';
import type { Spec } from '../../src/core/registry.js';

const Z = [[2, 0, -1], [2, 0, -1]];
const Y = [0, 2];

function lossOf(spec: Spec, z: number[][] = Z, y: number[] = Y): number[] {
  const f = createLoss(spec);
  const v = tf.tidy(() => Array.from(f(tf.tensor2d(z), tf.tensor1d(y, 'int32')).dataSync()));
  f.dispose();
  return v;
}

describe('classification loss values', () => {
  const cases: [Spec, number, number, string][] = [
    // CE = lse − z_y: 2.1698460 − 2 and 2.1698460 + 1
    [{ name: 'cross-entropy' }, 0.1698460, 3.1698460, 'lse − z_y'],
    // q = 0.9·onehot + 0.1/3: −Σ q_k log p_k
    [{ name: 'cross-entropy', label_smoothing: 0.1 }, 0.3365127, 3.0365127, 'smoothed'],
    // z/2 = [1, 0, −0.5]: lse = log(e + 1 + e^−0.5) = 1.4643688; minus z_y/2
    [{ name: 'cross-entropy', temperature: 2 }, 0.4643688, 1.9643688, 'T = 2'],
    // −(1 − p_y)²·log p_y: (0.1562053)²·0.1698460 and (0.9579899)²·3.1698460
    [{ name: 'focal' }, 0.0041443, 2.9091094, 'γ = 2'],
    // CE + (1 − p_y)
    [{ name: 'poly' }, 0.3260513, 4.1278360, 'Poly-1 ε = 1'],
    // y=0: p_j = max{p_k < 0.8438} = 0.1141952, (1 − 0.8437947 + 0.1141952)^5·0.1698460;
    // y=2: no p_k < p_2, p_j = 0: (0.9579899)^5·3.1698460
    [{ name: 'dual-focal' }, 0.000245523, 2.5576605, 'γ = 5'],
    // (1 − p_y^0.7)/0.7
    [{ name: 'gce' }, 0.1601379, 1.2732436, 'q = 0.7'],
    // (p_y^{−0.5} − 1)/0.5
    [{ name: 'comp-sum', tau: 0.5 }, 0.1772665, 7.7578315, 'τ = 0.5'],
    // 1 − p_y
    [{ name: 'mae' }, 0.1562053, 0.9579899, 'reduced MAE'],
    // log p_y / Σ_k log p_k, Σ log p = −(0.1698460 + 2.1698460 + 3.1698460) = −5.5095381
    [{ name: 'nce' }, 0.0308276, 0.5753379, 'NCE'],
    // −log(1e-4)·(1 − p_y) = 9.2103404·(1 − p_y)
    [{ name: 'rce' }, 1.4387037, 8.8234134, 'RCE'],
    // NCE + RCE (α = β = 1)
    [{ name: 'apl' }, 1.4695313, 9.3987513, 'NCE+RCE'],
    // λ = c = 1: log(mean_k exp(c·1[k≠y] + z_k − z_y)); y=0: log((1 + e^{−1} + e^{−2})/3)
    [{ name: 'ldr-kl', lambda: 1, c: 1 }, -0.6910063, 3.0443193, 'LDR-KL'],
    // Σ_k max(0, 1 − y_k z_k): y=0: 0 + 1 + 0 = 1; y=2: 0 + 1 + 2 + 3 … = [3, 1, 2] → 6
    [{ name: 'hinge' }, 1, 6, 'OvR hinge'],
    // squares: y=0: [0, 1, 0] → 1; y=2: [9, 1, 4] → 14
    [{ name: 'squared-hinge' }, 1, 14, 'OvR squared hinge'],
    // s(z) = [3, 1, 0.5], Σ = 4.5: −log(3/4.5) and −log(0.5/4.5)
    [{ name: 'stablemax-ce' }, 0.4054651, 2.1972246, 'StableMax'],
    // μ = 1/3, σ = √(14/9) (population): z = [1.3363, −0.2673, −1.0690]; softplus(1 − z_y)
    [{ name: 'spherical-z', a: 1, b: 1 }, 0.5390657, 2.1879885, 'Z-loss a = b = 1'],
    // sparsemax([2, 0, −1]) = [1, 0, 0], τ = 1: y=0: −2 + ½(4 − 1) + ½ = 0; y=2: 1 + 1.5 + 0.5 = 3
    [{ name: 'sparsemax' }, 0, 3, 'sparsemax'],
    // lse² = 2.1698460²
    [{ name: 'z-loss', weight: 1 }, 4.7082317, 4.7082317, '(log Z)²'],
  ];
  for (const [spec, a, b, why] of cases) {
    it(`${spec.name}: ${why}`, () => assertClose(lossOf(spec), [a, b], 1e-5, 1e-6, spec.name));
  }

  it('sparsemax with a two-element support', () => {
    // z = [0.5, 0.3, −0.2]: support {0, 1}, τ = (0.8 − 1)/2 = −0.1, p = [0.6, 0.4, 0];
    // y = 1: −0.3 + ½((0.25 − 0.01) + (0.09 − 0.01)) + ½ = 0.36
    assertClose(lossOf({ name: 'sparsemax' }, [[0.5, 0.3, -0.2]], [1]), [0.36], 1e-5, 1e-6);
    const f = createLoss('sparsemax');
    const p = tf.tidy(() => Array.from(f.probabilities(tf.tensor2d([[0.5, 0.3, -0.2]])).dataSync()));
    assertClose(p, [0.6, 0.4, 0], 1e-6, 1e-6, 'sparsemax probabilities');
  });

  it('anyloss F1 and accuracy forms (binary, batch-level, broadcast by createLoss)', () => {
    // p_1 = [σ(−0.05), σ(0)] = [0.4875026, 0.5], A = σ(73(p_1 − 0.5)) = [0.2864789, 0.5], y = [1, 0]:
    // TP = 0.2864789, FN = 0.7135211, FP = 0.5 → 1 − 2TP/(2TP + FN + FP) = 0.6792354
    assertClose(lossOf({ name: 'anyloss' }, [[0.05, 0], [0, 0]], [1, 0]), [0.6792354, 0.6792354], 1e-5, 1e-6);
    // accuracy: 1 − mean_i A_{i,y_i} = 1 − (0.2864789 + 0.5)/2
    assertClose(lossOf({ name: 'anyloss', metric: 'accuracy' }, [[0.05, 0], [0, 0]], [1, 0]), [0.6067363, 0.6067363], 1e-5, 1e-6);
  });

  it('orthogonal-projection on given features', () => {
    // f̂ = [[1, 0], [0.6, 0.8], [0, 1]], y = [0, 0, 1]: s = 0.6 (one positive pair, both orders),
    // d = (0 + 0.8)·2/4 = 0.4 → (1 − 0.6) + 0.5·0.4 = 0.6 (up to the 1e-6 in the denominators)
    const f = createLoss('orthogonal-projection', { numClasses: 2 });
    const v = tf.tidy(() => Array.from(f(tf.zeros([3, 2]), tf.tensor1d([0, 0, 1], 'int32'), { embedding: tf.tensor2d([[2, 0], [0.6, 0.8], [0, 3]]) }).dataSync()));
    assertClose(v, [0.6, 0.6, 0.6], 1e-5, 1e-6);
  });
});

describe('regression loss values', () => {
  // y = 1, ŷ = 3.5 → e = −2.5
  const at = (spec: Spec) => {
    const f = createLoss(spec);
    return tf.tidy(() => Array.from(f(tf.tensor2d([[3.5]]), tf.tensor2d([[1]])).dataSync()));
  };
  const cases: [Spec, number, string][] = [
    [{ name: 'mse' }, 6.25, 'e²'],
    [{ name: 'mae' }, 2.5, '|e| (mae dispatches on the float targets)'],
    [{ name: 'huber' }, 2, 'δ(|e| − δ/2) = 2.5 − 0.5'],
    [{ name: 'pseudo-huber' }, 0.4803998, '2δ(√(e² + δ²) − δ) = 0.2·(√6.26 − 0.1)'],
    [{ name: 'log-cosh' }, 1.8135682, 'log cosh 2.5'],
    [{ name: 'quantile' }, 1.25, 'q = 0.5: ½|e|'],
    [{ name: 'quantile', q: 0.9 }, 0.25, 'q = 0.9, over-prediction: max(−2.25, 0.25)'],
  ];
  for (const [spec, v, why] of cases) it(`${spec.name}: ${why}`, () => assertClose(at(spec), [v], 1e-6, 1e-6, spec.name));

  it('per-example value is the mean over target dims', () => {
    // e = [1, −3] → mse (1 + 9)/2 = 5
    const f = createLoss('mse');
    assertClose(tf.tidy(() => Array.from(f(tf.tensor2d([[0, 4]]), tf.tensor2d([[1, 1]])).dataSync())), [5]);
  });
});

describe('metric-learning loss values (controlled proxies)', () => {
  // D = K = 2, proxies w_0 = e₁, w_1 = e₂; x = 2·(cos 0.3, sin 0.3): θ_0 = 0.3, cos θ_1 = sin 0.3
  const x = [[2 * Math.cos(0.3), 2 * Math.sin(0.3)]];
  const run = (spec: Spec): number => {
    const f = createLoss(spec, { numClasses: 2, embeddingDim: 2 });
    assert.equal(f.variables.length, 1, 'built eagerly from the options');
    f.variables[0]!.variable.assign(tf.tensor2d([[1, 0], [0, 1]]));
    const v = tf.tidy(() => f(tf.tensor2d(x), tf.tensor1d([0], 'int32')).dataSync()[0]!);
    f.dispose();
    return v;
  };
  // softplus(s·(cos θ_1 − cos(θ_0 + m))) with s = 4, m = 0.5: softplus(4·(0.2955202 − 0.6967067))
  it('arcface', () => assertClose([run({ name: 'arcface', s: 4 })], [0.1831051], 1e-5, 1e-6));
  // softplus(4·(0.2955202 − (0.9553365 − 0.35)))
  it('cosface', () => assertClose([run({ name: 'cosface', s: 4 })], [0.2543297], 1e-5, 1e-6));
  // σ = 0: ElasticFace-Arc equals ArcFace without the θ + m > π fallback (not reached here)
  it('elasticface with std 0 equals arcface', () => assertClose([run({ name: 'elasticface', s: 4, std: 0 })], [0.1831051], 1e-5, 1e-6));
  it('harmonic (euclidean, n = 2)', () => {
    // x = (0.5, 0): d_0 = 0.5, d_1 = √1.25; p_0 = 4/(4 + 0.8) → −log 0.8333333 = 0.1823216
    const f = createLoss({ name: 'harmonic', n: 2 }, { numClasses: 2, embeddingDim: 2 });
    f.variables[0]!.variable.assign(tf.tensor2d([[1, 0], [0, 1]]));
    assertClose(tf.tidy(() => Array.from(f(tf.tensor2d([[0.5, 0]]), tf.tensor1d([0], 'int32')).dataSync())), [0.1823216], 1e-5, 1e-6);
    f.dispose();
  });

  it('elasticface margins: same seed ⇒ same value, other seed ⇒ different, eval uses the mean margin', () => {
    const f = createLoss({ name: 'elasticface', s: 4, std: 0.1 }, { numClasses: 2, embeddingDim: 2 });
    f.variables[0]!.variable.assign(tf.tensor2d([[1, 0], [0, 1]]));
    const v = (ctx: { seed: number; training?: boolean }) => tf.tidy(() => f(tf.tensor2d(x), tf.tensor1d([0], 'int32'), ctx).dataSync()[0]!);
    assert.equal(v({ seed: 5 }), v({ seed: 5 }));
    assert.notEqual(v({ seed: 5 }), v({ seed: 6 }));
    assertClose([v({ seed: 5, training: false })], [0.1831051], 1e-5, 1e-6);
    f.dispose();
  });
});

describe('extra composition and createLoss', () => {
  it('adds weight × term, broadcasting a batch-level term over examples', () => {
    // CE + 0.5·(log Z)²: 0.1698460 + 0.5·4.7082317 and 3.1698460 + 0.5·4.7082317
    assertClose(lossOf({ name: 'cross-entropy', extra: [{ name: 'z-loss', weight: 0.5 }] }), [2.5239619, 5.5239619], 1e-5, 1e-6);
    // z-loss's default weight is 1e-4
    assertClose(lossOf({ name: 'cross-entropy', extra: [{ name: 'z-loss' }] }), [0.1698460 + 4.7082317e-4, 3.1698460 + 4.7082317e-4], 1e-5, 1e-6);
    // the main loss's own weight scales it
    assertClose(lossOf({ name: 'cross-entropy', weight: 2 }), [0.3396920, 6.3396920], 1e-5, 1e-6);
    // OPL (batch scalar 0.6 from the features above) added to every example's CE
    const f = createLoss({ name: 'cross-entropy', extra: [{ name: 'orthogonal-projection', weight: 0.5 }] });
    const v = tf.tidy(() => Array.from(f(tf.tensor2d([[2, 0, -1], [2, 0, -1], [2, 0, -1]]), tf.tensor1d([0, 0, 1], 'int32'), { embedding: tf.tensor2d([[1, 0], [0.6, 0.8], [0, 1]]) }).dataSync()));
    // y = 1: lse − 0 = 2.1698460
    assertClose(v, [0.1698460 + 0.3, 0.1698460 + 0.3, 2.1698460 + 0.3], 1e-5, 1e-6);
  });

  it('rejects unknown options and logit terms after an embedding loss, with paths', () => {
    const deps = { data: { task: 'classification' as const, inputShape: [2], inputKind: 'dense' as const, numClasses: 3, outputDim: 3 }, sizes: { train: 8, test: 8 }, seed: 0, embeddingDim: 4 };
    assert.throws(() => createObjective({ name: 'focal', gama: 2 }, deps), /loss/);
    assert.throws(() => createObjective({ name: 'arcface', extra: [{ name: 'z-loss' }] }, deps), /loss\.extra\.0: this term needs logits/);
    const o = createObjective({ name: 'arcface', extra: [{ name: 'arcface', s: 8 }] }, deps);
    assert.deepEqual(o.variables.map((p) => p.name), ['loss/arcface/weight', 'loss/extra/0/arcface/weight']);
    o.dispose();
  });

  it('infers K from the logits, is lazy for embedding losses without numClasses, and leaks nothing', async () => {
    const f = createLoss({ name: 'focal', gamma: 1 });
    assert.equal(f.objective, undefined);
    await assertNoLeak(() => tf.tidy(() => f(tf.tensor2d(Z), tf.tensor1d(Y, 'int32'))).dispose(), 'createLoss call');
    assert.ok(f.objective);
    f.dispose();
    const g = createLoss('arcface');
    assert.throws(() => g(tf.zeros([2, 4]), tf.tensor1d([0, 1], 'int32')), /numClasses/);
  });
});
