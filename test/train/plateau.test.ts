/**
 * reduce-on-plateau in a run: the trainer hands it the named evaluation metric after every
 * evaluation, the lr it sets shows in the train rows, its state rides in the checkpoint, and a run
 * resumed mid-way continues bit for bit (the reductions made before the stop included).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import '../support/tf.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { checkpointDirName } from '../../src/run/checkpoint.js';
import { resumeTiny, runTiny, tensorsBin, tinyConfig, trainRows, trajectory, truncatedCopy } from './harness.js';

// abs threshold 1e9: only the first evaluation (best = +inf) improves; patience 0 halves the lr at every later one
const plateau = { name: 'reduce-on-plateau', metric: 'test.loss', factor: 0.5, patience: 0, threshold_mode: 'abs', threshold: 1e9 };
const config = { ...tinyConfig({ optimizer: { name: 'sgd', lr: 0.08, momentum: 0.9 }, train: { steps: 6, eval_every: 1, checkpoint_every: 2 } }), schedule: plateau };

test('reduce-on-plateau: the lr halves after each non-improving evaluation; state in the checkpoint; resume is bit-identical', async () => {
  await withTmpDir(async (tmp) => {
    const a = await runTiny(tmp, 'a', config);
    assert.equal(a.code, 0, a.stderr);
    // evaluation after step k sets the lr of step k + 1: steps 1–2 at 0.08, then 0.04, 0.02, 0.01, 0.005
    assert.deepEqual(trainRows(a.dir).map((r) => r.lr), [0.08, 0.08, 0.04, 0.02, 0.01, 0.005]);
    const state = JSON.parse(readFileSync(join(a.dir, 'checkpoints', checkpointDirName(4), 'state.json'), 'utf8')) as { state: { schedule: Record<string, number> } };
    assert.equal(state.state.schedule.lr, 0.01);
    assert.equal(state.state.schedule.bad, 0);
    for (const k of [2, 4]) {
      const b = truncatedCopy(a.dir, k, join(tmp, `b${k}`));
      const r = await resumeTiny(tmp, b);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(trajectory(b), trajectory(a.dir));
      assert.ok(tensorsBin(b, 6).equals(tensorsBin(a.dir, 6)), `resumed at ${k}: final checkpoint byte-identical`);
    }
  });
});

test('reduce-on-plateau: a metric of a split that is not evaluated is a config error', async () => {
  await withTmpDir(async (tmp) => {
    await assert.rejects(runTiny(tmp, 'bad', { ...config, schedule: { ...plateau, metric: 'train.loss' } }), /schedule\.metric.*train split/);
  });
});
