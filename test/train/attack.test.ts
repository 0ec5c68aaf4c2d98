/**
 * The PGD attack of train.eval_attack (the registry's `pgd`, run by train/attack.ts): on a linear model the first sign step
 * equals the analytic sign of the weight-column difference; the ε-box and the valid range clip
 * every iterate; and through the trainer, robust accuracy of a standardly trained MLP on MNIST at
 * ε = 0.3 is far below its clean accuracy (Madry et al.), reproducibly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, assertNoLeak } from '../support/tf.js';
import { buildAttack } from '../../src/attacks/index.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { rowsOf, runTiny, tinyConfig } from './harness.js';

const D = 4;
const W = [0.5, -0.2, -0.3, 0.4, 0.1, 0.3, 0.7, -0.6]; // [D, 2] row-major: column k is class k's weights
const X0 = [0.2, 0.5, 0.6, 0.9, 0.4, 0.1, 0.3, 0.35];
const Y = [0, 1];

function attack(steps: number, eps: number, stepSize: number, range?: [number, number]): number[][] {
  return tf.tidy(() => {
    const w = tf.tensor2d(W, [D, 2]);
    const x0 = tf.tensor2d(X0, [2, D]);
    const target = tf.oneHot(tf.tensor1d(Y, 'int32'), 2);
    const lossOf = (x: tf.Tensor) => tf.neg(tf.sum(tf.mul(tf.logSoftmax(tf.matMul(x as tf.Tensor2D, w)), target))) as tf.Scalar;
    return buildAttack({ name: 'pgd', eps, steps, step_size: stepSize, random_start: false, range: range ?? null }).perturb(lossOf, x0, 0).arraySync() as number[][];
  });
}

test('pgd: one step on a linear model moves each input by a·sign(w_other − w_label)', () => {
  const a = 0.01;
  const x = attack(1, 1, a);
  for (let i = 0; i < 2; i++) {
    for (let d = 0; d < D; d++) {
      const diff = W[d * 2 + (1 - Y[i]!)]! - W[d * 2 + Y[i]!]!;
      assert.ok(Math.abs(x[i]![d]! - (X0[i * D + d]! + a * Math.sign(diff))) < 1e-6, `row ${i} feature ${d}`);
    }
  }
});

test('pgd: iterates stay in the ε-box around x and in the valid range', async () => {
  const eps = 0.05;
  const x = attack(10, eps, 0.02, [0, 1]);
  for (let i = 0; i < 2; i++) {
    for (let d = 0; d < D; d++) {
      const v = x[i]![d]!;
      const x0 = X0[i * D + d]!;
      assert.ok(v >= Math.max(0, x0 - eps) - 1e-6 && v <= Math.min(1, x0 + eps) + 1e-6, `row ${i} feature ${d}: ${v}`);
      // the linear loss's gradient sign never changes, so 10 steps of 0.02 end on the box's face
      const diff = W[d * 2 + (1 - Y[i]!)]! - W[d * 2 + Y[i]!]!;
      assert.ok(Math.abs(v - Math.min(1, Math.max(0, x0 + eps * Math.sign(diff)))) < 1e-6);
    }
  }
  // the range clip: pixels at 0.95 cannot go above 1
  const clipped = attack(5, 0.3, 0.1, [0, 0.62]);
  for (const r of clipped) for (const v of r) assert.ok(v <= 0.62 + 1e-6 && v >= 0);
  await assertNoLeak(() => attack(3, 0.1, 0.05, [0, 1]), 'pgd');
});

test('robust_accuracy: a standardly trained MLP on MNIST at ε = 0.3 is far below its clean accuracy, and reproducible', async () => {
  await withTmpDir(async (tmp) => {
    const config = tinyConfig({
      dataset: { name: 'mnist', train_size: 1000, test_size: 300, flatten: true },
      model: { name: 'mlp', hidden: [64] },
      optimizer: { name: 'adam', lr: 0.003 },
      train: { steps: 48, batch_size: 64, eval_batch_size: 150, log_every: 16, checkpoint_every: 48, eval_every: 48, eval_splits: ['test'], eval_attack: { eps: 0.3, steps: 10, step_size: 0.05 } },
    });
    const a = await runTiny(tmp, 'a', config);
    assert.equal(a.code, 0, a.stderr);
    const row = rowsOf(a.dir).find((r) => r.eval === true && r.split === 'test')!;
    const clean = Number(row.accuracy);
    const robust = Number(row.robust_accuracy);
    assert.ok(clean > 0.8, `clean accuracy ${clean}`);
    assert.ok(robust < 0.2 && robust < clean / 4, `robust accuracy ${robust} vs clean ${clean}`);
    const b = await runTiny(tmp, 'b', config);
    assert.equal(Number(rowsOf(b.dir).find((r) => r.eval === true)!.robust_accuracy), robust, 'same seed, same attack');
    // ε = 0 leaves the inputs (random start of width 0, steps clipped back): robust = clean
    const c = await runTiny(tmp, 'c', { ...config, train: { ...(config.train as object), eval_attack: { eps: 0, steps: 2, step_size: 0.05 } } });
    const rc = rowsOf(c.dir).find((r) => r.eval === true)!;
    assert.equal(Number(rc.robust_accuracy), Number(rc.accuracy));
    // with dataset.normalize the attack works in pixel units through the recorded mean and std
    const norm = (attack: object) => ({ ...config, dataset: { ...(config.dataset as object), normalize: true }, train: { ...(config.train as object), eval_attack: attack } });
    const n0 = rowsOf((await runTiny(tmp, 'n0', norm({ eps: 0, steps: 2, step_size: 0.05 }))).dir).find((r) => r.eval === true)!;
    assert.equal(Number(n0.robust_accuracy), Number(n0.accuracy));
    const n3 = rowsOf((await runTiny(tmp, 'n3', norm({ eps: 0.3, steps: 10, step_size: 0.05 }))).dir).find((r) => r.eval === true)!;
    assert.ok(Number(n3.accuracy) > 0.8 && Number(n3.robust_accuracy) < Number(n3.accuracy) / 4, `normalised: robust ${String(n3.robust_accuracy)} vs clean ${String(n3.accuracy)}`);
  });
});
