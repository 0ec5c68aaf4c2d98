/**
 * A fixed-seed sample of the config and override fuzzer (test/torture/fuzz-config.test.ts runs
 * 500+ cases with a fresh seed): 100 cases in process, so the default suite keeps the contract.
 */
import '../support/tf.js';
import { test } from 'node:test';
import { fuzzCase, prepareWorkspace, runInProcess, shippedConfigs } from '../support/config-fuzzer.js';
import { withTmpDir } from '../support/tmp-dir.js';

test('100 fuzzed configs and overrides (seed 14): exit 0 or 2 naming where, no stack trace, nothing written', async () => {
  const configs = shippedConfigs();
  await withTmpDir(async (dir) => {
    prepareWorkspace(dir);
    for (let i = 0; i < 100; i++) await runInProcess(14, fuzzCase(14, i, configs), dir);
  });
});
