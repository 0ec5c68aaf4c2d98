/**
 * Two sweeps into one folder at once share the trials through the trial locks (trials/<id>.lock):
 * each trial runs once, and both sweeps exit 0 when every trial completed, whoever ran it (a sweep
 * waits for the trials another live sweep holds, then reads their outcome).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sweep } from '../../src/commands/sweep.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { captureContext } from './helpers.js';
import { fakeResolve, FAKE_BIN } from './fixtures/fake-config.js';

const GRID = 'name: grid6\nbase: base.yaml\ngrid:\n  optimizer.lr: [0.1, 0.2, 0.3]\nseeds: [0, 1]\n';

test('two concurrent sweeps into one folder: every trial runs once and both exit 0', async () => {
  await withTmpDir(async (tmp) => {
    writeFileSync(join(tmp, 'grid.yaml'), GRID);
    const a = captureContext(tmp);
    const b = captureContext(tmp);
    const opts = { sweep: 'grid.yaml', workers: 2, resolveConfig: fakeResolve, binPath: FAKE_BIN, pollMs: 20 };
    const [codeA, codeB] = await Promise.all([sweep(opts, a.ctx), sweep(opts, b.ctx)]);
    assert.equal(codeA, 0, a.err());
    assert.equal(codeB, 0, b.err());
    const dir = join(tmp, 'runs', 'grid6');
    const trials = readFileSync(join(dir, 'trials.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { status: string; attempts: number; run_dir: string });
    assert.equal(trials.length, 6);
    for (const t of trials) {
      assert.equal(t.status, 'completed', t.run_dir);
      assert.equal(t.attempts, 1, `${t.run_dir} ran once`);
      assert.equal(existsSync(join(dir, t.run_dir, 'resumed')), false, `${t.run_dir} was never taken over`);
    }
    assert.doesNotMatch(a.err() + b.err(), /failed/);
  });
});
