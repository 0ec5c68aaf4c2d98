/**
 * Torture: every kind of checkpoint damage (test/support/damage.ts; bytes and positions drawn from
 * the seed) on the newest checkpoint, one or two checkpoints deep: resume names each damaged one,
 * falls back to the newest intact one and ends bit for bit like its twin; with none intact it exits
 * 2 (the real CLI: no stack trace) and changes nothing; format-1 checkpoints resume through the CLI.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withTmpDir } from '../support/tmp-dir.js';
import { DAMAGES, toFormat1 } from '../support/damage.js';
import { distBuilt, minima, repoRoot, trajectory as cliTrajectory } from '../support/cli.js';
import { listCheckpoints } from '../../src/run/checkpoint.js';
import { resumeTiny, runTiny, tensorsBin, tinyConfig, trajectory, truncatedCopy } from '../train/harness.js';
import { rng, skipUnlessTorture } from './support.js';

const config = tinyConfig({ train: { steps: 8, checkpoint_every: 2 } });

test('every kind of damage, one or two checkpoints deep: named, passed over, the run ends like its twin', { skip: skipUnlessTorture }, async () => {
  await withTmpDir(async (tmp) => {
    const full = await runTiny(tmp, 'full', config);
    assert.equal(full.code, 0);
    const r = rng('damaged-checkpoints');
    for (const [i, damage] of DAMAGES.entries()) {
      const depth = r() < 0.5 ? 1 : 2; // damage the newest, or the two newest
      const cut = truncatedCopy(full.dir, 6, join(tmp, `cut${i}`));
      const hit = ['step-000006', 'step-000004'].slice(0, depth);
      for (const s of hit) damage.apply(join(cut, 'checkpoints', s), r);
      const res = await resumeTiny(tmp, cut);
      const what = `${damage.name} (depth ${depth})`;
      assert.equal(res.code, 0, `${what}: ${res.stderr}`);
      for (const s of hit) assert.match(res.stderr, new RegExp(`warning: checkpoint ${cut}/checkpoints/${s} is damaged: `), what);
      assert.match(res.stderr, new RegExp(`falling back to the previous intact checkpoint ${cut}/checkpoints/step-00000${depth === 1 ? 4 : 2}`), what);
      assert.deepEqual(trajectory(cut), trajectory(full.dir), what);
      assert.ok(tensorsBin(cut, 8).equals(tensorsBin(full.dir, 8)), what);
    }
  });
});

test('the real CLI: none intact exits 2 without a stack trace and changes nothing; format 1 resumes', { skip: skipUnlessTorture || (distBuilt ? false : 'dist/ is not built') }, async () => {
  await withTmpDir(async (tmp) => {
    const tiny = join(repoRoot, 'configs', 'test', 'tiny-moons.yaml');
    const args = [tiny, 'train.checkpoint_every=8', 'train.keep_checkpoints=3'];
    const twin = minima(['run', ...args, '--run-dir', 'twin', '-q'], tmp);
    assert.equal(twin.code, 0, twin.stderr);
    const cks = listCheckpoints(join(tmp, 'twin', 'checkpoints'));
    const cut = (name: string) => {
      const dir = join(tmp, name);
      cpSync(join(tmp, 'twin'), dir, { recursive: true });
      rmSync(cks.at(-1)!.dir.replace(join(tmp, 'twin'), dir), { recursive: true });
      writeFileSync(join(dir, 'status'), 'interrupted\n');
      return dir;
    };
    const r = rng('damaged-cli');
    const none = cut('none');
    for (const c of listCheckpoints(join(none, 'checkpoints'))) DAMAGES[Math.floor(r() * DAMAGES.length)]!.apply(c.dir, r);
    const before = readFileSync(join(none, 'metrics.jsonl'), 'utf8');
    const refused = minima(['resume', none], tmp);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /no intact checkpoint/);
    assert.doesNotMatch(refused.stderr, /internal error|\n\s+at /);
    assert.equal(readFileSync(join(none, 'metrics.jsonl'), 'utf8'), before);
    assert.equal(readFileSync(join(none, 'status'), 'utf8'), 'interrupted\n');

    const old = cut('old');
    for (const c of listCheckpoints(join(old, 'checkpoints'))) toFormat1(c.dir);
    const resumed = minima(['resume', old, '-q'], tmp);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, /no checksums/);
    assert.deepEqual(cliTrajectory(old), cliTrajectory(join(tmp, 'twin')));
  });
});
