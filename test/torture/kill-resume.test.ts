/**
 * Torture: SIGKILL at seeded points of a real CLI run — before a write operation drawn at random,
 * and among them always ones inside a checkpoint write and a pruning — and during the resume that
 * follows; every killed run, resumed until it completes, equals its uninterrupted twin bit for bit
 * (metrics and the final checkpoint), leaves no temp file and no incomplete checkpoint folder.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withTmpDir } from '../support/tmp-dir.js';
import { tempFiles } from '../support/fs-faults.js';
import { bin, distBuilt, repoRoot, trajectory } from '../support/cli.js';
import { listCheckpoints, verifyCheckpoint } from '../../src/run/checkpoint.js';
import { pick, rng, skipUnlessTorture } from './support.js';

const HOOK = fileURLToPath(new URL('./fixtures/kill-hook.mjs', import.meta.url));
const tiny = join(repoRoot, 'configs', 'test', 'tiny-moons.yaml');
const ARGS = [tiny, 'train.epochs=2', 'train.checkpoint_every=4', 'train.keep_checkpoints=2', 'train.log_every=3', 'train.eval_every=8'];
const skip = skipUnlessTorture || (distBuilt ? false : 'dist/ is not built');

interface Hooked { readonly code: number | null; readonly signal: NodeJS.Signals | null; readonly stderr: string }

function hooked(args: readonly string[], cwd: string, env: Record<string, string>): Hooked {
  const r = spawnSync(process.execPath, ['--import', HOOK, bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 300_000 });
  return { code: r.status, signal: r.signal, stderr: r.stderr };
}

/** Resumes `dir` until it completes; each resume may itself be killed at write `killAt`. */
function resumeUntilDone(dir: string, cwd: string, kills: readonly number[]): void {
  for (const at of [...kills, -1]) {
    const r = hooked(['resume', dir, '-q'], cwd, at >= 0 ? { MINIMA_TORTURE_ROOT: dir, MINIMA_TORTURE_KILL_AT: String(at) } : {});
    if (at < 0 || r.signal !== 'SIGKILL') {
      assert.equal(r.code, 0, `resume of ${dir}: ${r.stderr}`);
      break;
    }
  }
  assert.equal(readFileSync(join(dir, 'status'), 'utf8').trim(), 'completed');
}

function assertLikeTwin(dir: string, twin: string, what: string): void {
  assert.deepEqual(trajectory(dir), trajectory(twin), `${what}: same metrics as the twin`);
  const last = (d: string) => listCheckpoints(join(d, 'checkpoints')).at(-1)!;
  assert.equal(last(dir).step, last(twin).step, what);
  assert.ok(readFileSync(join(last(dir).dir, 'tensors.bin')).equals(readFileSync(join(last(twin).dir, 'tensors.bin'))), `${what}: same final weights and optimizer state`);
  assert.deepEqual(tempFiles(dir), [], `${what}: no temp file is left`);
  for (const c of listCheckpoints(join(dir, 'checkpoints'))) assert.ok(verifyCheckpoint(c.dir).ok, `${what}: ${c.dir} is complete and intact`);
}

test('SIGKILL before seeded write operations (checkpoint writes and pruning among them), and during resume', { skip }, async () => {
  await withTmpDir(async (tmp) => {
    const twin = join(tmp, 'twin');
    const opsFile = join(tmp, 'ops.txt');
    const t = hooked(['run', ...ARGS, '--run-dir', twin, '-q'], tmp, { MINIMA_TORTURE_ROOT: twin, MINIMA_TORTURE_OPS: opsFile });
    assert.equal(t.code, 0, t.stderr);
    const ops = readFileSync(opsFile, 'utf8').trim().split('\n');
    const r = rng('kill-resume');
    const indices = (pred: (op: string) => boolean) => ops.flatMap((op, i) => (pred(op) ? [i] : []));
    const inCheckpointWrite = indices((op) => /checkpoints\/\.step-\d+\.[^/]*\.tmp\//.test(op) || /renameSync .*\.tmp -> .*step-\d+$/.test(op));
    const inPruning = indices((op) => /renameSync .*checkpoints\/step-\d+ -> /.test(op) || /rmSync .*checkpoints\/\.step-\d+.*\.tmp$/.test(op));
    assert.ok(inCheckpointWrite.length > 0 && inPruning.length > 0, 'the run writes and prunes checkpoints');
    const picks = [pick(r, inCheckpointWrite), pick(r, inCheckpointWrite), pick(r, inPruning), pick(r, inPruning), ...Array.from({ length: 2 }, () => Math.floor(r() * ops.length))];
    for (const [k, at] of picks.entries()) {
      const dir = join(tmp, `cut${k}`);
      const what = `kill before write #${at} (${ops[at]?.replace(twin, '<run>')})`;
      const cut = hooked(['run', ...ARGS, '--run-dir', dir, '-q'], tmp, { MINIMA_TORTURE_ROOT: dir, MINIMA_TORTURE_KILL_AT: String(at) });
      assert.equal(cut.signal, 'SIGKILL', `${what}: ${cut.stderr}`);
      if (!existsSync(join(dir, 'config.yaml'))) continue; // killed before the folder held a run: nothing to resume
      // one in two resumes is itself killed at a seeded point
      resumeUntilDone(dir, tmp, r() < 0.5 ? [Math.floor(r() * 60)] : []);
      assertLikeTwin(dir, twin, what);
    }
  });
});

test('SIGKILL after a seeded delay, twice, then resume', { skip }, async () => {
  await withTmpDir(async (tmp) => {
    const twin = join(tmp, 'twin');
    const t = hooked(['run', ...ARGS, '--run-dir', twin, '-q'], tmp, {});
    assert.equal(t.code, 0, t.stderr);
    const r = rng('kill-timed');
    const dir = join(tmp, 'cut');
    for (const [i, cmd] of [['run', ...ARGS, '--run-dir', dir, '-q'], ['resume', dir, '-q']].entries()) {
      if (i === 1 && !existsSync(join(dir, 'config.yaml'))) break;
      const child = spawn(process.execPath, [bin, ...cmd], { cwd: tmp, stdio: 'ignore' });
      const exited = new Promise((res) => child.once('exit', res));
      await new Promise((res) => setTimeout(res, 1500 + Math.floor(r() * 3000)));
      child.kill('SIGKILL');
      await exited;
    }
    if (existsSync(join(dir, 'config.yaml'))) {
      resumeUntilDone(dir, tmp, []);
      assertLikeTwin(dir, twin, 'timed kills');
    }
  });
});
