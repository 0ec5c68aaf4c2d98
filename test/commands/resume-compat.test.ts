/**
 * A run written by an older minima resumes: its config.yaml lacks the keys added since (they take
 * their defaults on both sides of resume's comparison), while an override that changes the config
 * is still refused without --allow-config-change.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { RunnerError } from '../../src/core/errors.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { resumeTiny, runTiny, tensorsBin, tinyConfig, trajectory, truncatedCopy } from '../train/harness.js';

test('a run whose config.yaml predates newer train keys resumes exactly; an override is still a change', async () => {
  await withTmpDir(async (tmp) => {
    const full = await runTiny(tmp, 'full', tinyConfig());
    assert.equal(full.code, 0);
    const cut = truncatedCopy(full.dir, 2, join(tmp, 'old'));
    // what an older version wrote: no sampler, retrieval, ema or eval_attack under train
    const file = join(cut, 'config.yaml');
    const config = parse(readFileSync(file, 'utf8')) as { train: Record<string, unknown> };
    for (const key of ['sampler', 'retrieval', 'ema', 'eval_attack']) delete config.train[key];
    writeFileSync(file, stringify(config));
    await assert.rejects(resumeTiny(tmp, cut, ['train.log_every=2']), (err: unknown) => err instanceof RunnerError && /train\.log_every changed/.test(err.message));
    const resumed = await resumeTiny(tmp, cut);
    assert.equal(resumed.code, 0);
    assert.deepEqual(trajectory(cut), trajectory(full.dir));
    assert.deepEqual(tensorsBin(cut, 4), tensorsBin(full.dir, 4));
  });
});
