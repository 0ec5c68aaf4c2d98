/**
 * Every optimizer of the registry (wrappers around sgd) through the whole trainer, in-process:
 * it completes, its losses are finite, every train row counts the closure evaluations the entry
 * declares (its gradEvals field), the loop holds the same number of tensors at every step (checkpoints
 * and evaluations in between) and leaves nothing behind, and a run resumed from a mid-epoch
 * checkpoint reproduces the uninterrupted run bit for bit (optimizer state included).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import '../support/tf.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { optimizerRegistry } from '../../src/optim/index.js';
import { buildLeak, optimizerSpec, resumeTiny, runTiny, status, tensorsBin, tinyConfig, trainRows, trajectory, truncatedCopy } from './harness.js';

// 6 steps of 8 on 24 examples: 2 epochs; checkpoints at 2, 4, 6; evaluations at 3 and 6.
const steps = 6;

for (const entry of optimizerRegistry.entries) {
  test(`optimizer ${entry.name}: trains, counts its closure evaluations, holds its tensors flat, resumes identically`, async () => {
    const gradEvals = entry.gradEvals;
    assert.equal(typeof gradEvals, 'number', `${entry.name} declares gradEvals`);
    await withTmpDir(async (tmp) => {
      const config = tinyConfig({ optimizer: optimizerSpec(entry.name), train: { steps } });
      const baseline = await buildLeak(tmp, 'a', config);
      const a = await runTiny(tmp, 'a', config);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(status(a.dir), 'completed');
      const rows = trainRows(a.dir);
      assert.deepEqual(rows.map((r) => r.step), [1, 2, 3, 4, 5, 6]);
      for (const r of rows) {
        assert.ok(Number.isFinite(r.loss), `step ${r.step} loss ${String(r.loss)}`);
        // looksam (k 5 by default) evaluates twice on steps 1 and 6, once on the others
        const expected = entry.name === 'looksam' ? ((r.step - 1) % 5 === 0 ? 2 : 1) : gradEvals;
        // lbfgs evaluates until a stopping test fires, sophia estimates every k-th step: bounded by their declared most
        if (entry.name === 'lbfgs' || entry.name === 'sophia') assert.ok(Number(r.grad_evals) >= 1 && Number(r.grad_evals) <= gradEvals, `step ${r.step} grad_evals ${String(r.grad_evals)}`);
        else assert.equal(r.grad_evals, expected, `step ${r.step} grad_evals`);
        // 8 samples over a step that takes at least a microsecond: at most 8e6 samples/s
        assert.ok(Number(r.time_s) > 0 && Number(r.samples_per_s) < 8e6, `step ${r.step}: time_s ${String(r.time_s)}, samples_per_s ${String(r.samples_per_s)}`);
      }
      assert.equal(a.stepTensors.length, steps);
      assert.deepEqual(a.stepTensors, a.stepTensors.map(() => a.stepTensors[0]), `live tensors per step ${a.stepTensors.join(', ')}`);
      assert.equal(a.leaked, baseline, `run() left ${a.leaked} tensors, building and disposing the experiment alone ${baseline}`);

      // stopped after step 2 (mid-epoch, before an eval and an epoch boundary), then resumed
      const b = truncatedCopy(a.dir, 2, join(tmp, 'b'));
      const rb = await resumeTiny(tmp, b);
      assert.equal(rb.code, 0, rb.stderr);
      assert.equal(status(b), 'completed');
      assert.deepEqual(trajectory(b), trajectory(a.dir));
      assert.ok(tensorsBin(b, steps).equals(tensorsBin(a.dir, steps)), 'final checkpoint tensors are identical');
      assert.deepEqual(rb.stepTensors, rb.stepTensors.map(() => rb.stepTensors[0]), `live tensors per resumed step ${rb.stepTensors.join(', ')}`);
      assert.equal(rb.leaked, baseline, `resume() left ${rb.leaked} tensors`);
    });
  });
}
