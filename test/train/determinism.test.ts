/**
 * Determinism on the cpu backend: the same config run twice in one process gives identical
 * metrics rows (timing keys aside) and a byte-identical final checkpoint; another run seed gives
 * other numbers. Dropout, BatchNorm, momentum, a loss that draws random margins (elasticface) and
 * a diagnostic make every source of randomness and state take part.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../support/tf.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { join } from 'node:path';
import { resumeTiny, runTiny, tensorsBin, tinyConfig, trainRows, trajectory, truncatedCopy, type TinyConfig } from './harness.js';

const cases: Record<string, TinyConfig> = {
  'mlp dropout + batch_norm, cross-entropy, sam(sgd momentum)': {
    model: { name: 'mlp', hidden: [8, 8], dropout: 0.25, batch_norm: true },
    optimizer: { name: 'sam', base: { name: 'sgd', lr: 0.05, momentum: 0.9 } },
    diagnostics: [{ name: 'sharpness', every: 2 }],
    train: { steps: 5 },
  },
  'mlp dropout, elasticface (random margins), adam': {
    model: { name: 'mlp', hidden: [8], dropout: 0.25 },
    loss: { name: 'elasticface' },
    optimizer: { name: 'adam', lr: 0.01 },
    train: { steps: 5 },
  },
};

for (const [label, c] of Object.entries(cases)) {
  test(`${label}: two runs are identical, another seed differs`, async () => {
    await withTmpDir(async (tmp) => {
      const runs = [];
      for (const [name, seed] of [['a', 0], ['b', 0], ['c', 1]] as const) {
        const r = await runTiny(tmp, name, tinyConfig({ ...c, seed }));
        assert.equal(r.code, 0, r.stderr);
        runs.push(r.dir);
      }
      const [a, b, c2] = runs as [string, string, string];
      assert.deepEqual(trajectory(b), trajectory(a));
      assert.ok(tensorsBin(b, 5).equals(tensorsBin(a, 5)), 'final checkpoints are byte-identical');
      const lossesOf = (dir: string) => trajectory(dir).filter((r) => r.split === 'train' && r.eval === undefined && r.diagnostics === undefined).map((r) => r.loss);
      assert.equal(lossesOf(c2).length, 5);
      assert.notDeepEqual(lossesOf(c2), lossesOf(a), 'seed 1 gives other train losses');
      assert.ok(!tensorsBin(c2, 5).equals(tensorsBin(a, 5)), 'seed 1 gives other weights');
    });
  });
}

test('a run resumed inside a logging window reports the same windowed means', async () => {
  await withTmpDir(async (tmp) => {
    // log_every 3, checkpoint at 2: the row at step 3 averages steps 1–3, two of them from before the stop
    const config = tinyConfig({ model: { name: 'mlp', hidden: [8], dropout: 0.25 }, optimizer: { name: 'sgd', lr: 0.05, momentum: 0.9 }, train: { steps: 6, log_every: 3, checkpoint_every: 2 } });
    const a = await runTiny(tmp, 'a', config);
    assert.equal(a.code, 0, a.stderr);
    assert.deepEqual(trainRows(a.dir).map((r) => r.step), [3, 6]);
    const b = truncatedCopy(a.dir, 2, join(tmp, 'b'));
    const r = await resumeTiny(tmp, b);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(trajectory(b), trajectory(a.dir));
    assert.ok(tensorsBin(b, 6).equals(tensorsBin(a.dir, 6)));
  });
});
