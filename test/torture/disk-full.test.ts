/**
 * Torture: a refused write at EVERY write operation of a tiny run (in-process fs shim; the error
 * code drawn from the seed), then real full disks: a small tmpfs mounted for the run folder at sizes
 * that fill up while the folder is set up, while metrics are written and while checkpoints are,
 * run through the built CLI; after each, the tmpfs grows and `minima resume` finishes the run to the
 * bits of an uninterrupted twin. Mounting needs root (CI runs as root); elsewhere that part skips.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { withTmpDir } from '../support/tmp-dir.js';
import { tempFiles, withFsFaults } from '../support/fs-faults.js';
import { distBuilt, minima, repoRoot, trajectory } from '../support/cli.js';
import { runTiny } from '../train/harness.js';
import { CODES, config, refusedRun } from '../support/disk-full.js';
import { pick, rng, skipUnlessTorture } from './support.js';

test('a refused write at every write operation of a run', { skip: skipUnlessTorture }, async () => {
  await withTmpDir(async (tmp) => {
    const counted = await withFsFaults(join(tmp, 'twin'), undefined, () => runTiny(tmp, 'twin', config));
    assert.equal(counted.result?.code, 0);
    const r = rng('disk-full-every-op');
    for (let at = 0; at < counted.ops; at++) await refusedRun(tmp, `op${at}`, at, pick(r, CODES), join(tmp, 'twin'));
  });
});

function mountTmpfs(dir: string, size: string): string | undefined {
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { encoding: 'utf8' });
  return r.status === 0 ? undefined : (r.stderr || r.error?.message || `mount exited ${r.status}`).trim();
}
const remount = (dir: string, size: string) => spawnSync('mount', ['-o', `remount,size=${size}`, dir]).status === 0;
const umount = (dir: string) => spawnSync('umount', ['-l', dir]);

const mountProblem = (() => {
  if (!distBuilt) return 'dist/ is not built';
  if (process.getuid?.() !== 0) return 'not root';
  return undefined;
})();

test('a real full disk (small tmpfs): exit 5 naming the path, marked failed, no temp files; resumes once it grows', { skip: skipUnlessTorture || (mountProblem ? `cannot mount a tmpfs here (${mountProblem}): skipped` : false) }, async (t) => {
  await withTmpDir(async (tmp) => {
    const tiny = join(repoRoot, 'configs', 'test', 'tiny-moons.yaml');
    // a wide model makes checkpoints large (≈ 260 KiB each; the whole run ≈ 600 KiB, 870 KiB while
    // a third checkpoint is written), so the sizes below fill up at every stage
    const args = [tiny, 'model.hidden=[256,256]', 'train.checkpoint_every=4', 'train.keep_checkpoints=2', 'train.log_every=1'];
    const twin = minima(['run', ...args, '--run-dir', join(tmp, 'twin'), '-q'], tmp);
    assert.equal(twin.code, 0, twin.stderr);
    const r = rng('tmpfs');
    // while the folder is set up; at the first checkpoints; at later ones, pruning and the summary
    const sizes = ['8k', `${150 + Math.floor(r() * 300)}k`, `${500 + Math.floor(r() * 300)}k`];
    for (const size of sizes) {
      const mnt = join(tmp, `mnt-${size}`);
      const problem = mountTmpfs(mnt, size);
      if (problem) {
        t.skip(`cannot mount a tmpfs (${problem})`);
        return;
      }
      try {
        const dir = join(mnt, 'run');
        const res = minima(['run', ...args, '--run-dir', dir, '-q'], tmp);
        const where = `tmpfs ${size}`;
        if (res.code === 0) continue; // big enough after all (sizes are drawn from the seed)
        assert.equal(res.code, 5, `${where}: ${res.stderr}`);
        assert.doesNotMatch(res.stderr, /internal error|\n\s+at /, where);
        assert.match(res.stderr, new RegExp(`cannot write ${mnt}`), `${where}: names the path`);
        assert.match(res.stderr, /ENOSPC/, where);
        assert.deepEqual(tempFiles(mnt), [], `${where}: no temp file is left`);
        if (existsSync(join(dir, 'status'))) assert.equal(readFileSync(join(dir, 'status'), 'utf8').trim(), 'failed', where);
        if (existsSync(join(dir, 'summary.json'))) assert.equal(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).error.code, 'DISK_FULL', where);
        if (!existsSync(join(dir, 'config.yaml'))) continue;
        assert.ok(remount(mnt, '64m'), 'the tmpfs grows');
        const again = minima(['resume', dir, '-q'], tmp);
        assert.equal(again.code, 0, `${where}: resume: ${again.stderr}`);
        assert.deepEqual(trajectory(dir), trajectory(join(tmp, 'twin')), `${where}: same trajectory as the twin`);
        const last = (d: string) => join(d, 'checkpoints', readdirSync(join(d, 'checkpoints')).sort().at(-1)!, 'tensors.bin');
        assert.ok(readFileSync(last(dir)).equals(readFileSync(last(join(tmp, 'twin')))), `${where}: same final state`);
      } finally {
        umount(mnt);
      }
    }
  });
});
