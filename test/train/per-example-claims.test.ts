/** The shipped claim configs of aldr-kl and saf run (two steps each), so they stay valid. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import '../support/tf.js';
import { run } from '../../src/commands/run.js';
import { repoRoot } from '../support/cli.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { capture, status } from './harness.js';

for (const topic of ['aldr-kl', 'saf']) {
  const dir = join(repoRoot, 'configs', 'claims', topic);
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.yaml'))) {
    test(`configs/claims/${topic}/${name} runs two steps`, async () => {
      await withTmpDir(async (tmp) => {
        const runDir = join(tmp, 'run');
        const { ctx, stderr } = capture(tmp, ['run', join(dir, name)]);
        const code = await run({ config: join(dir, name), overrides: ['~train.epochs', 'train.steps=2', 'train.eval_every=2', 'dataset.train_size=256', 'dataset.test_size=128', 'backend=cpu'], runDir, quiet: true }, ctx);
        assert.equal(code, 0, stderr());
        assert.equal(status(runDir), 'completed');
      });
    });
  }
}
