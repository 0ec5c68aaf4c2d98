import { test } from 'node:test';
import { withTmpDir } from '../support/tmp-dir.js';
import { runTiny, tinyConfig, optimizerSpec } from './harness.js';
test('probe', async () => {
  await withTmpDir(async (tmp) => {
    const r = await runTiny(tmp, 'momo', tinyConfig({ optimizer: optimizerSpec('momo'), train: { steps: 6 } }));
    console.log(r.stderr);
  });
});
