/**
 * train.sampler through the whole trainer: pk (with multi-similarity, and on a class split) and
 * class-balanced runs complete with a flat tensor count, and a run stopped mid-epoch resumes
 * bit-identically (the sampler is rebuilt from (seed, step) alone); so do domains runs with irm,
 * and with vrex under fish (whose per-domain extra batches come from the sampler).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import '../support/tf.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { blobs, grouped, resumeTiny, rowsOf, runTiny, status, tensorsBin, tinyConfig, trajectory, truncatedCopy, type TinyConfig } from './harness.js';

const cases: Record<string, TinyConfig> = {
  'pk 2×4 with multi-similarity': { loss: { name: 'multi-similarity' }, train: { sampler: { name: 'pk', classes: 2, per_class: 4 } } },
  'pk 2×4 with cross-entropy on a class split (classes 0, 1 → test 2)': {
    dataset: { ...blobs, n_train: 36, n_test: 18, class_split: { train: [0, 1] } },
    train: { sampler: { name: 'pk', classes: 2, per_class: 4 } },
  },
  'class-balanced with cross-entropy': { train: { sampler: 'class-balanced' } },
  // distribution shift (issue 19): per-domain batches for the environment losses and fish
  'domains (4 groups × 2) with irm past its anneal': { dataset: grouped, loss: { name: 'irm', penalty_weight: 100, penalty_anneal_iters: 2 }, train: { sampler: 'domains' } },
  'domains on colored-mnist with vrex and fish (adam inner optimizer)': {
    dataset: { name: 'colored-mnist', train_size: 24, test_size: 12 },
    loss: { name: 'vrex', penalty_weight: 10, penalty_anneal_iters: 2 },
    optimizer: { name: 'fish', meta_lr: 0.5, base: { name: 'adam', lr: 0.01 } },
    train: { sampler: 'domains' },
  },
};

for (const [label, c] of Object.entries(cases)) {
  test(`${label}: trains with a flat tensor count and resumes mid-epoch bit for bit`, async () => {
    await withTmpDir(async (tmp) => {
      const r = await runTiny(tmp, 'a', tinyConfig(c));
      assert.equal(r.code, 0, r.stderr);
      assert.equal(status(r.dir), 'completed');
      assert.deepEqual(r.stepTensors, r.stepTensors.map(() => r.stepTensors[0]), `live tensors per step ${r.stepTensors.join(', ')}`);
      const evals = rowsOf(r.dir).filter((x) => x.eval === true);
      assert.ok(evals.length > 0 && evals.every((x) => Number.isFinite(x.loss)));
      if (c.loss?.name === 'multi-similarity' || c.dataset?.class_split !== undefined) {
        assert.ok(evals.every((x) => typeof x['recall@1'] === 'number' && typeof x['map@r'] === 'number'), 'retrieval metrics in the eval rows');
      }
      const b = truncatedCopy(r.dir, 2, join(tmp, 'b'));
      const resumed = await resumeTiny(tmp, b);
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.deepEqual(trajectory(b), trajectory(r.dir));
      assert.ok(tensorsBin(b, 4).equals(tensorsBin(r.dir, 4)), 'final checkpoint tensors are identical');
    });
  });
}
