/** Every experiment shipped in configs/ (and the README's example) is valid. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadExperiment } from '../../src/config/load.js';
import { repoRoot } from '../support/cli.js';
import { withTmpDir } from '../support/tmp-dir.js';

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return n === 'sweeps' ? [] : yamlFiles(p); // sweep files have their own format
    return /\.ya?ml$/.test(n) ? [p] : [];
  });
}

for (const file of yamlFiles(join(repoRoot, 'configs'))) {
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
