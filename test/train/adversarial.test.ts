/**
 * The adversarial-training losses through the whole trainer: each (every entry of the loss group
 * "adversarial training", so a new one is picked up) trains under the representative optimizers
 * (every optimizer with MINIMA_TEST_MATRIX=1) with a flat tensor count, and a run stopped at step 2
 * and resumed reproduces the uninterrupted run bit for bit (the attacks' random starts come from the
 * step seed and the rows). train.eval_attacks reports one robust_accuracy@ε per attack on its
 * subset, the same in two runs of one seed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../support/tf.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { catalog } from '../../src/registries.js';
import { assertFlatAndResumes, lossSpec, optimizerSpec, optimizersForLosses, rowsOf, runTiny, status, tinyConfig } from './harness.js';

const GROUP = 'adversarial training (inputs perturbed by an attack)';
const adversarial = catalog.loss.entries.filter((e) => e.info?.group === GROUP);
/** Blob features are not pixels: an unbounded range and a short attack keep the test small. */
const attack = { name: 'pgd', eps: 0.2, steps: 2, step_size: 0.1, range: null };
/** A loss that takes an attack gets the short one; ovr and sovr train as the base of pgd-at. */
const specOf = (e: (typeof adversarial)[number]) =>
  catalog.loss.get(e.name).schema.safeParse({ attack }).success ? { ...lossSpec(e), attack } : { name: 'pgd-at', attack, base: lossSpec(e) };

test('the adversarial-training group holds the issue-19 losses', () => {
  assert.deepEqual(adversarial.map((e) => e.name).sort(), ['ovr', 'pgd-at', 'smooth-adv-comp-sum', 'sovr', 'trades']);
});

for (const entry of adversarial) {
  for (const opt of optimizersForLosses()) {
    test(`adversarial loss ${entry.name} × ${opt.name}: trains with a flat tensor count and resumes identically`, async () => {
      await withTmpDir(async (tmp) => {
        const config = tinyConfig({ loss: specOf(entry), optimizer: optimizerSpec(opt.name) });
        const r = await runTiny(tmp, 'a', config);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(status(r.dir), 'completed');
        await assertFlatAndResumes(tmp, r);
      });
    });
  }
}

/** RWP (the rwp optimizer wrapper) is a weight perturbation on pgd-at's per-example losses: the optimizer side of the group. */
for (const base of [{ name: 'sgd', lr: 0.05, momentum: 0.9 }, { name: 'adam', lr: 0.01 }, { name: 'sam', rho: 0.05, base: { name: 'sgd', lr: 0.05 } }]) {
  test(`rwp(${base.name}) with pgd-at: trains with a flat tensor count and resumes identically`, async () => {
    await withTmpDir(async (tmp) => {
      const config = tinyConfig({ loss: { name: 'pgd-at', attack, base: { name: 'cross-entropy' } }, optimizer: { name: 'rwp', gamma: 0.05, c_min: 1, steps: 3, base } });
      const r = await runTiny(tmp, 'a', config);
      assert.equal(r.code, 0, r.stderr);
      await assertFlatAndResumes(tmp, r);
    });
  });
}

test('rwp refuses a batch-level loss (nothing per example to mask) with CONFIG_INVALID', async () => {
  await withTmpDir(async (tmp) => {
    const r = await runTiny(tmp, 'a', tinyConfig({ loss: { name: 'flooding', b: 0.1, base: { name: 'cross-entropy' } }, optimizer: { name: 'rwp', base: { name: 'sgd', lr: 0.05 } } }));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /per-example/);
  });
});

test('train.eval_attacks: one robust_accuracy@ε per attack, on the subset, reproducible', async () => {
  await withTmpDir(async (tmp) => {
    const config = tinyConfig({
      train: {
        eval_attacks: [
          { attack: { name: 'pgd', eps: 0.5, steps: 3, step_size: 0.2, range: null }, subset: 5 },
          { attack: { name: 'pgd', norm: 'l2', eps: 1, steps: 3, step_size: 0.5, range: null } },
          { attack: { name: 'fgsm', eps: 0, range: null }, key: 'clean_again' },
        ],
      },
    });
    const a = await runTiny(tmp, 'a', config);
    assert.equal(a.code, 0, a.stderr);
    const row = rowsOf(a.dir).filter((r) => r.eval === true).at(-1)!;
    for (const k of ['robust_accuracy@0.5', 'robust_accuracy@l2-1', 'clean_again']) assert.ok(typeof row[k] === 'number', `${k} in ${Object.keys(row).join(', ')}`);
    // a subset of 5 rows gives a multiple of 1/5; ε = 0 leaves the inputs: the clean accuracy
    assert.ok(Math.abs(Number(row['robust_accuracy@0.5']) * 5 - Math.round(Number(row['robust_accuracy@0.5']) * 5)) < 1e-9);
    assert.equal(row.clean_again, row.accuracy);
    assert.ok(Number(row['robust_accuracy@l2-1']) <= Number(row.accuracy));
    const b = await runTiny(tmp, 'b', config);
    const rowB = rowsOf(b.dir).filter((r) => r.eval === true).at(-1)!;
    for (const k of ['robust_accuracy@0.5', 'robust_accuracy@l2-1']) assert.equal(rowB[k], row[k], k);
  });
});
