/**
 * ghost-step in a run: the trainer hands it the model's logits (ctx.outputs), r = τ/ρ_a shows in the
 * train rows, and a run resumed mid-way continues bit for bit, over a plain and a stateful base.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import '../support/tf.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { resumeTiny, runTiny, tensorsBin, tinyConfig, trainRows, trajectory, truncatedCopy } from './harness.js';

for (const base of [{ name: 'sgd', lr: 2, momentum: 0.9 }, { name: 'adam', lr: 0.5 }]) {
  test(`ghost-step over ${base.name}: ratio logged, steps capped, resume bit-identical`, async () => {
    await withTmpDir(async (tmp) => {
      const config = tinyConfig({ optimizer: { name: 'ghost-step', base }, train: { steps: 4, checkpoint_every: 2 } });
      const a = await runTiny(tmp, 'a', config);
      assert.equal(a.code, 0, a.stderr);
      const rows = trainRows(a.dir);
      assert.equal(rows.length, 4);
      for (const r of rows) assert.ok(Number.isFinite(Number(r.ghost_ratio)) && Number(r.ghost_ratio) >= 0, `ghost_ratio ${r.ghost_ratio}`);
      const b = truncatedCopy(a.dir, 2, join(tmp, 'b'));
      const r = await resumeTiny(tmp, b);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(trajectory(b), trajectory(a.dir));
      assert.ok(tensorsBin(b, 4).equals(tensorsBin(a.dir, 4)), 'final checkpoint byte-identical');
    });
  });
}
