/** The heads-and-wrappers claim configs (configs/claims/{ensloss,flooding}) run: 2 steps each, so they stay valid. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import '../support/tf.js';
import { run } from '../../src/commands/run.js';
import { repoRoot } from '../support/cli.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { captureContext } from '../sweep/helpers.js';

for (const topic of ['ensloss', 'flooding', 'kl-dro']) {
  const dir = join(repoRoot, 'configs', 'claims', topic);
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    test(`configs/claims/${topic}/${file} trains for 2 steps`, async () => {
      await withTmpDir(async (tmp) => {
        const c = captureContext(tmp);
        await run({ config: join(dir, file), overrides: ['~train.epochs', 'train.steps=2', 'train.eval_every=2'], runsDir: join(tmp, 'runs'), quiet: true }, c.ctx);
        assert.equal(readdirSync(join(tmp, 'runs')).length, 1);
      });
    });
  }
}
