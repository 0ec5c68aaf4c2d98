// End-to-end through the built CLI (bin/minima.js → dist/) on configs/test/tiny-moons.yaml.
// The 12-trial grid is long on a 2-core machine: it runs with MINIMA_TEST_LONG=1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withTmpDir } from '../support/tmp-dir.js';
import { cliBuilt, CLI_MISSING, repoRoot } from './helpers.js';

const bin = join(repoRoot, 'bin/minima.js');
const minima = (args: string[], cwd = repoRoot) => spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', timeout: 300_000 });
const skip = cliBuilt ? false : CLI_MISSING;

test('run --expect, check and compare: exit codes and messages', { skip, timeout: 300_000 }, async () => {
  await withTmpDir(async (tmp) => {
    const cfg = join(repoRoot, 'configs/test/tiny-moons.yaml');
    const a = minima(['run', cfg, '--run-dir', join(tmp, 'a'), '--json', '--quiet', '--expect', 'train.loss<100']);
    assert.equal(a.status, 0, a.stderr);
    const fail = minima(['check', join(tmp, 'a'), '--expect', 'train.loss<0', '--expect', 'steps>0']);
    assert.equal(fail.status, 4);
    assert.match(fail.stdout, /FAIL {2}train\.loss<0: expected < 0, actual \d/);
    assert.match(fail.stdout, /ok {4}steps>0/);
    // same config and seed reproduce bit for bit on cpu; another seed does not
    assert.equal(minima(['run', cfg, '--run-dir', join(tmp, 'b'), '--quiet']).status, 0);
    const same = minima(['compare', join(tmp, 'a'), join(tmp, 'b')]);
    assert.equal(same.status, 0, same.stdout + same.stderr);
    assert.equal(minima(['run', cfg, 'seed=1', '--run-dir', join(tmp, 'c'), '--quiet']).status, 0);
    const diff = minima(['compare', join(tmp, 'a'), join(tmp, 'c'), '--rtol', '1e-6']);
    assert.equal(diff.status, 4);
    assert.match(diff.stdout, /runs differ beyond rtol 1e-6, atol 0: first differing step \d+/);
  });
});

test('the 12-trial grid on tiny moons: dry-run, run, summary means equal the trials\' metrics; a diverging trial', { skip: skip || (process.env.MINIMA_TEST_LONG === '1' ? false : 'set MINIMA_TEST_LONG=1 (about a minute)'), timeout: 600_000 }, async () => {
  await withTmpDir(async (tmp) => {
    const file = join(repoRoot, 'configs/sweeps/tiny-moons-grid.yaml');
    const dry = minima(['sweep', file, '--dry-run', '--runs-dir', tmp]);
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, /^sweep tiny-moons-grid: 12 trials/);
    const run = minima(['sweep', file, '--runs-dir', tmp, '--workers', '2']);
    assert.equal(run.status, 0, run.stderr);
    const dir = join(tmp, 'tiny-moons-grid');
    const trials = readFileSync(join(dir, 'trials.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; status: string; params: Record<string, unknown>; final: Record<string, number> });
    assert.equal(trials.length, 12);
    assert.equal(new Set(trials.map((t) => t.id)).size, 12);
    const sum = minima(['sweep', 'summary', dir, '--format', 'json']);
    assert.equal(sum.status, 0, sum.stderr);
    const groups = (JSON.parse(sum.stdout) as { groups: { trials: string[]; metrics: Record<string, { mean: number }> }[] }).groups;
    for (const g of groups) {
      const vals = g.trials.map((id) => trials.find((t) => t.id === id)!.final['test.accuracy']!);
      assert.equal(g.metrics['test.accuracy']!.mean, vals.reduce((s, v) => s + v, 0) / vals.length);
    }
    writeFileSync(join(tmp, 'div.yaml'), `base: ${join(repoRoot, 'configs/test/tiny-moons.yaml')}\ngrid:\n  optimizer.lr: [0.1, 1.0e+30]\n`);
    const div = minima(['sweep', join(tmp, 'div.yaml'), '--runs-dir', tmp]);
    assert.equal(div.status, 6, div.stderr);
    const statuses = readFileSync(join(tmp, 'div/trials.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { status: string }).status);
    assert.deepEqual(statuses, ['completed', 'diverged']);
  });
});
