/**
 * The metric-learning claim configs (configs/claims/metric-learning/) stay runnable: each runs for
 * 2 steps on a small MNIST split, and its eval row carries the retrieval metrics its --expect reads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import '../support/tf.js';
import { run } from '../../src/commands/run.js';
import { readSummary } from '../../src/run/run-folder.js';
import { repoRoot } from '../support/cli.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { captureContext } from '../sweep/helpers.js';
import { readdirSync } from 'node:fs';

for (const name of ['mnist-heldout-ms', 'mnist-heldout-ce']) {
  test(`configs/claims/metric-learning/${name}.yaml runs 2 steps and reports recall@1 and map@r on the held-out digits`, async () => {
    await withTmpDir(async (dir) => {
      const config = join(repoRoot, 'configs', 'claims', 'metric-learning', `${name}.yaml`);
      const overrides = ['~train.epochs', 'train.steps=2', 'dataset.train_size=1000', 'dataset.test_size=400', 'backend=cpu'];
      await run({ config, overrides, runsDir: join(dir, 'runs'), quiet: true }, captureContext(dir).ctx);
      const folder = join(dir, 'runs', readdirSync(join(dir, 'runs'))[0]!);
      const s = readSummary(folder)!;
      assert.equal(s.status, 'completed');
      for (const k of ['test.recall@1', 'test.map@r']) {
        const v = s.final[k];
        assert.ok(typeof v === 'number' && v >= 0 && v <= 1, `${k} = ${String(v)}`);
      }
      // a loss without a classifier reports no accuracy; a classifier's is 0 on held-out classes
      assert.equal(s.final['test.accuracy'], name.endsWith('-ms') ? undefined : 0);
    });
  });
}
