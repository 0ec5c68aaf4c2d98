/** Every experiment shipped in configs/ (and the README's example) is valid. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadExperiment } from '../../src/config/load.js';
import { repoRoot } from '../support/cli.js';
import { shippedExperiments } from '../support/configs.js';
import { withTmpDir } from '../support/tmp-dir.js';


for (const file of shippedExperiments()) {
  test(`configs/${relative(join(repoRoot, 'configs'), file)} is valid`, async () => {
    const { config } = await loadExperiment(file, [], { cwd: repoRoot });
    assert.ok(config.name.length > 0);
  });
}

test("the README's example experiment is valid", async () => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const block = /## Writing an experiment\s+```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block, 'README has the example');
  await withTmpDir(async (dir) => {
    writeFileSync(join(dir, 'exp.yaml'), block);
    const { config } = await loadExperiment('exp.yaml', [], { cwd: dir });
    assert.equal(config.optimizer.name, 'sam');
  });
});
