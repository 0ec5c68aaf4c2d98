/**
 * The issue-20 claim configs stay runnable: each runs 2 steps on a small MNIST split, and its final
 * eval row carries the metric its --expect reads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import '../support/tf.js';
import { run } from '../../src/commands/run.js';
import { readSummary } from '../../src/run/run-folder.js';
import { repoRoot } from '../support/cli.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { captureContext } from '../sweep/helpers.js';

const claims: [string, string[]][] = [
  ['metric-losses/mnist-heldout-proxy-anchor', ['test.recall@1', 'test.opis']],
  ['metric-losses/mnist-heldout-contrastive', ['test.recall@1']],
  ['metric-losses/mnist-heldout-triplet', ['test.recall@1']],
  ['metric-losses/mnist-heldout-ms-tcm', ['test.recall@1', 'test.opis']],
  ['metric-losses/mnist-heldout-ms-linear', ['test.recall@1', 'test.opis']],
  ['metric-losses/mnist-heldout-ms-linear-tcm', ['test.recall@1', 'test.opis']],
  ['adaface/mnist-degraded-adaface', ['test.tar@far1e-2', 'test.eer']],
  ['adaface/mnist-degraded-arcface', ['test.tar@far1e-2']],
  ['supcon/mnist-supcon', ['test.linear_probe_accuracy']],
  ['supcon/mnist-ce', ['test.accuracy']],
  ['nt-xent/mnist-nt-xent', ['test.linear_probe_accuracy']],
  ['nt-xent/mnist-random', ['test.linear_probe_accuracy']],
];

for (const [name, keys] of claims) {
  test(`configs/claims/${name}.yaml runs 2 steps and reports ${keys.join(', ')}`, async () => {
    await withTmpDir(async (dir) => {
      const config = join(repoRoot, 'configs', 'claims', `${name}.yaml`);
      const overrides = ['~train.epochs', 'train.steps=2', 'dataset.train_size=600', 'dataset.test_size=300', 'backend=cpu'];
      await run({ config, overrides, runsDir: join(dir, 'runs'), quiet: true }, captureContext(dir).ctx);
      const s = readSummary(join(dir, 'runs', readdirSync(join(dir, 'runs'))[0]!))!;
      assert.equal(s.status, 'completed');
      for (const k of keys) {
        const v = s.final[k];
        assert.ok(typeof v === 'number' && v >= 0 && v <= 1, `${k} = ${String(v)}`);
      }
    });
  });
}
