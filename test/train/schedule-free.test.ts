/**
 * Schedule-free's evaluation point in a run: rows test_x.* at x = lerp(y, z, 1 − 1/β) computed from
 * the parameters (y) and the optimizer's z in the checkpoint, BatchNorm statistics recomputed there,
 * and a resumed run repeats every row (x is derived from the optimizer state, nothing of its own).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import '../support/tf.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { blobs, checkpointTensors, resumeTiny, rowsOf, runTiny, tensorsBin, tinyConfig, trajectory, truncatedCopy } from './harness.js';

const bn = { dataset: blobs, model: { name: 'mlp', hidden: [8], batch_norm: true } };

for (const optimizer of [{ name: 'schedule-free-sgd', lr: 0.2 }, { name: 'schedule-free-adamw', lr: 0.02, warmup_steps: 2 }]) {
  test(`${optimizer.name}: evaluates x as test_x rows (BN refreshed there) and resumes bit-identically`, async () => {
    await withTmpDir(async (tmp) => {
      const cfg = tinyConfig({ ...bn, optimizer, train: { steps: 6, checkpoint_every: 2, eval_every: 2 } });
      const full = await runTiny(tmp, 'sf', cfg);
      assert.equal(full.code, 0, full.stderr);
      const at = (split: string, step: number) => rowsOf(full.dir).find((r) => r.split === split && r.step === step);
      for (const step of [2, 4, 6]) {
        const x = at('test_x', step);
        assert.ok(x && Number.isFinite(x.loss), `test_x row at step ${step}`);
        assert.notEqual(x.loss, at('test', step)!.loss, 'x differs from the gradient point y');
      }
      const keys = Object.keys(checkpointTensors(full.dir, 2));
      assert.ok(keys.some((k) => /sf_z\/0$/.test(k)), 'z is optimizer state');
      assert.ok(!keys.some((k) => k.startsWith('paramset/')), 'x is derived: nothing of its own');
      const cut = truncatedCopy(full.dir, 2, join(tmp, 'sf-cut'));
      const resumed = await resumeTiny(tmp, cut);
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.deepEqual(trajectory(cut), trajectory(full.dir));
      assert.ok(tensorsBin(cut, 6).equals(tensorsBin(full.dir, 6)));
    });
  });
}
