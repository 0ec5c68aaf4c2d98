/**
 * Values of the noisy-label and classic losses (issue 17) against hand-derived float64 numbers.
 * NFL/NMAE/NRCE/NCE/SCE were also checked against the official torch classes of
 * HanxunH/Active-Passive-Losses loss.py; bi-tempered against a line-by-line numpy port of
 * google/bi-tempered-loss tensorflow/loss.py (its custom gradient agrees with central differences
 * of the value to 1e-9 there).
 *
 * Running example (as values.test.ts): z = [2, 0, −1], p = softmax(z) = [0.8437947, 0.1141952,
 * 0.0420101], log p = [−0.1698460, −2.1698460, −3.1698460], labels y = 0 and y = 2, K = 3.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tf, assertClose, assertNoLeak } from '../support/tf.js';
import { createLoss, createObjective } from '../../src/losses/index.js';
import type { Spec } from '../../src/core/registry.js';
import type { DataSpec, LossContext } from '../../src/core/types.js';

const Z = [[2, 0, -1], [2, 0, -1]];
const Y = [0, 2];

function lossOf(spec: Spec, z: number[][] = Z, y: number[] = Y): number[] {
  const f = createLoss(spec);
  const v = tf.tidy(() => Array.from(f(tf.tensor2d(z), tf.tensor1d(y, 'int32')).dataSync()));
  f.dispose();
  return v;
}

const data: DataSpec = { task: 'classification', inputShape: [1], inputKind: 'dense', numClasses: 3, outputDim: 3 };
const ctx: LossContext = { step: 0, epoch: 0, training: true, data, seed: 1 };

/** The objective on Z with soft targets `target` given (as train.mix hands them on). */
function withTarget(spec: Spec, target: number[][]): number[] {
  const obj = createObjective(spec, { data, sizes: { train: 2, test: 0 }, seed: 0, embeddingDim: 3 });
  const v = tf.tidy(() => Array.from(obj.compute({ output: tf.tensor2d(Z), y: tf.tensor1d(Y, 'int32'), target: tf.tensor2d(target) }, ctx).dataSync()));
  obj.dispose();
  return v;
}

describe('noisy-label loss values', () => {
  const cases: [Spec, number, number, string][] = [
    // FL(k) = −(1 − p_k)^0.5·log p_k; FL(y)/Σ_k FL(k)
    [{ name: 'nfl' }, 0.0128798023, 0.5952845725, 'NFL γ = 0.5'],
    [{ name: 'nfl', gamma: 2 }, 0.000897837, 0.630247087, 'NFL γ = 2'],
    // code: (1 − p_y)/(2(K − 1)); paper: (1 − p_y)/(K − 1)
    [{ name: 'nmae' }, 0.0390513164, 0.2394974835, 'NMAE code'],
    [{ name: 'nmae', form: 'paper' }, 0.0781026328, 0.4789949669, 'NMAE paper'],
    // code: (K − 1)/4 · 9.2103404·(1 − p_y); paper: (1 − p_y)/(K − 1)
    [{ name: 'nrce' }, 0.7193518317, 4.4117066819, 'NRCE code'],
    [{ name: 'nrce', form: 'paper' }, 0.0781026328, 0.4789949669, 'NRCE paper'],
    // 2·NFL + 3·NMAE(code)
    [{ name: 'apl', active: 'nfl', passive: 'nmae', alpha: 2, beta: 3 }, 0.1429135537, 1.9090615954, 'APL NFL+NMAE'],
    // CE + NRCE(paper)
    [{ name: 'apl', active: 'ce', passive: 'nrce', form: 'paper' }, 0.2479486523, 3.6488409865, 'APL CE+NRCE'],
    // u = 1 − p_y: u, u + u²/2, u + u²/2 + u³/3
    [{ name: 'taylor-ce', order: 1 }, 0.1562052655, 0.9579899339, 'Taylor t = 1 (MAE)'],
    [{ name: 'taylor-ce' }, 0.168405308, 1.4168622906, 'Taylor t = 2'],
    [{ name: 'taylor-ce', order: 3 }, 0.1696757819, 1.7099256897, 'Taylor t = 3'],
    // 0.1·CE + RCE
    [{ name: 'symmetric-ce' }, 1.4556882653, 9.1403979658, 'SCE α = 0.1, β = 1'],
    // max_k(z_k + 1 − [k = y]) − z_y: y=0: max(2, 1, 0) − 2; y=2: max(3, 1, −1) + 1
    [{ name: 'crammer-singer' }, 0, 4, 'Crammer–Singer'],
    // max_k z_k − z_y
    [{ name: 'perceptron' }, 0, 3, 'perceptron'],
    // one-hot targets: KL = CE, soft-target CE = CE
    [{ name: 'kl-div' }, 0.169846, 3.169846, 'KL one-hot = CE'],
    [{ name: 'soft-target-ce' }, 0.169846, 3.169846, 'soft CE one-hot = CE'],
    // q = 0.9·onehot + 0.1/3: Σ q log q − Σ q log p, and −Σ q log p
    [{ name: 'kl-div', label_smoothing: 0.1 }, 0.0453728474, 2.7453728474, 'KL smoothed'],
    [{ name: 'soft-target-ce', label_smoothing: 0.1 }, 0.3365126862, 3.0365126862, 'soft CE smoothed'],
    // −Σ_k p_k log p_k, the same for both rows
    [{ name: 'entropy' }, 0.5242666167, 0.5242666167, 'entropy'],
    // numpy port of the official loss (5 normaliser iterations)
    [{ name: 'bi-tempered' }, 0.1599643651, 1.8787443527, 'bi-tempered t1 0.8, t2 1.2'],
    [{ name: 'bi-tempered', t1: 0.5, t2: 2 }, 0.2805529497, 0.8380577043, 'bi-tempered t1 0.5, t2 2'],
    [{ name: 'bi-tempered', t1: 0.7, t2: 0.8 }, 0.0279110099, 2.4894746885, 'bi-tempered t2 < 1 (bisection)'],
    [{ name: 'bi-tempered', label_smoothing: 0.1 }, 0.0450789839, 1.5060419733, 'bi-tempered smoothed'],
    [{ name: 'bi-tempered', t1: 1, t2: 1 }, 0.169846, 3.169846, 'bi-tempered t1 = t2 = 1 is CE'],
    [{ name: 'bi-tempered', t1: 0.9, t2: 1 }, 0.1248685734, 2.673037105, 'bi-tempered t2 = 1'],
  ];
  for (const [spec, a, b, label] of cases) {
    it(`${JSON.stringify(spec)}: ${label}`, () => assertClose(lossOf(spec), [a, b], 2e-5, 1e-6, label));
  }

  it('symmetric-ce clips CE at −log 1e-7 as the official code (clip: 0 is the paper\'s CE)', () => {
    // z = [20, 0, 0], y = 2: CE = 20 + log(1 + 2e−20) > 16.118 = −log 1e-7; RCE ≈ 9.2103404
    assertClose(lossOf({ name: 'symmetric-ce' }, [[20, 0, 0]], [2]), [10.8221499], 1e-5, 1e-5);
    assertClose(lossOf({ name: 'symmetric-ce', clip: 0 }, [[20, 0, 0]], [2]), [11.2103404], 1e-5, 1e-5);
  });

  it('soft-target losses read LossInput.target: mixed targets 0.7·e_a + 0.3·e_b', () => {
    // rows: 0.7·e0 + 0.3·e1 and 0.7·e1 + 0.3·e2
    const target = [[0.7, 0.3, 0], [0, 0.7, 0.3]];
    assertClose(withTarget({ name: 'soft-target-ce' }, target), [0.7698460196, 2.4698460196], 1e-5, 1e-6);
    assertClose(withTarget({ name: 'kl-div' }, target), [0.1589817175, 1.8589817175], 1e-5, 1e-6);
    // the mixed CE equals λ·CE(y_a) + (1 − λ)·CE(y_b) of the official mixup criterion
    assertClose(withTarget({ name: 'soft-target-ce' }, target), [0.7 * 0.169846 + 0.3 * 2.169846, 0.7 * 2.169846 + 0.3 * 3.169846], 1e-5, 1e-6);
  });

  it('bi-tempered: the tempered softmax of the metrics sums to 1 and matches the official one', () => {
    const obj = createObjective({ name: 'bi-tempered' }, { data, sizes: { train: 2, test: 0 }, seed: 0, embeddingDim: 3 });
    const p = tf.tidy(() => Array.from(obj.probabilities!({ output: tf.tensor2d([[2, 0, -1]]), y: tf.tensor1d([0], 'int32') }, ctx).dataSync()));
    obj.dispose();
    // official tempered_softmax(t = 1.2, 5 iterations): [0.7659390, 0.1534674, 0.0805937], Σ = 1 + 3e−8
    assertClose(p, [0.765939, 0.1534674, 0.0805937], 1e-5, 1e-6);
  });

  it('bi-tempered gradient is the official one (central differences of the value agree)', () => {
    const f = createLoss({ name: 'bi-tempered', num_iters: 30 });
    const g = tf.tidy(() => Array.from(tf.grad((z: tf.Tensor) => tf.sum(f(z, tf.tensor1d(Y, 'int32'))))(tf.tensor2d(Z)).dataSync()));
    f.dispose();
    // official grad formula (numpy, 50 iterations), equal to central differences to 1e-9
    assertClose(g, [-0.1209387066, 0.0855076973, 0.0354310093, 0.3377200728, 0.0215624807, -0.3592825535], 1e-4, 1e-6);
  });

  it('saturated logits: bounded losses stay bounded and finite', async () => {
    await assertNoLeak(() => {
      const wrong = [[-1e4, 1e4, 1e4]];
      // t1 < 1 bounds the loss: −log_t1(0) − (1 − Σ p^{2−t1})/(2 − t1) ≤ 1/(1 − t1) + 1/(2 − t1)
      const bt = lossOf({ name: 'bi-tempered' }, wrong, [0])[0]!;
      assert.ok(Number.isFinite(bt) && bt <= 1 / 0.2 + 1 / 1.2 + 1e-4, `bi-tempered ${bt}`);
      assertClose(lossOf({ name: 'taylor-ce' }, wrong, [0]), [1.5], 1e-6, 1e-6);
      assertClose(lossOf({ name: 'nmae', form: 'paper' }, wrong, [0]), [0.5], 1e-6, 1e-6);
      // perceptron / Crammer–Singer are linear in the gap: 2e4 and 2e4 + 1
      assertClose(lossOf({ name: 'perceptron' }, wrong, [0]), [2e4], 1e-6, 1e-6);
      assertClose(lossOf({ name: 'crammer-singer' }, wrong, [0]), [20001], 1e-6, 1e-6);
      assertClose(lossOf({ name: 'entropy' }, [[1e4, -1e4, -1e4]], [0]), [0], 0, 1e-6);
    });
  });
});
