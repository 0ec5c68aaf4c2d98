/**
 * Issue 14 torture: a seeded fuzzer of configs and overrides (MINIMA_TORTURE_SEED replays a run;
 * MINIMA_TORTURE_CASES sets the count, at least 500 by default). Every case runs through the CLI's
 * entry in process, a handful through the real binary: never exit 1, never a stack trace, every
 * rejection exit 2 naming where, nothing written to the runs folder.
 */
import '../support/tf.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzzCase, prepareWorkspace, runBinary, runInProcess, shippedConfigs, tortureSeed } from '../support/config-fuzzer.js';
import { distBuilt } from '../support/cli.js';
import { withTmpDir } from '../support/tmp-dir.js';

const seed = tortureSeed();
const cases = Number(process.env.MINIMA_TORTURE_CASES ?? 500);
const binaryCases = 6;

test(`config and override fuzzer: ${cases} cases in process (MINIMA_TORTURE_SEED=${seed})`, async (t) => {
  t.diagnostic(`MINIMA_TORTURE_SEED=${seed}`);
  process.stderr.write(`config fuzzer: MINIMA_TORTURE_SEED=${seed}, ${cases} cases\n`);
  const configs = shippedConfigs();
  assert.ok(configs.length >= 10, 'the shipped configs are found');
  const codes = { 0: 0, 2: 0 } as Record<number, number>;
  await withTmpDir(async (dir) => {
    prepareWorkspace(dir);
    for (let i = 0; i < cases; i++) {
      const code = await runInProcess(seed, fuzzCase(seed, i, configs), dir);
      codes[code] = (codes[code] ?? 0) + 1;
    }
  });
  t.diagnostic(`accepted ${codes[0]}, rejected ${codes[2]}`);
  // the mutations must mostly hit: a fuzzer whose cases all pass tests nothing
  assert.ok(codes[2]! > cases / 2, `most cases are rejected (${codes[2]} of ${cases})`);
});

test(`config fuzzer through bin/minima.js: ${binaryCases} cases (MINIMA_TORTURE_SEED=${seed})`, { skip: !distBuilt && 'dist/ is not built' }, async () => {
  const configs = shippedConfigs();
  await withTmpDir((dir) => {
    prepareWorkspace(dir);
    for (let i = 0; i < binaryCases; i++) runBinary(seed, fuzzCase(seed, 1_000_000 + i, configs), dir);
  });
});
