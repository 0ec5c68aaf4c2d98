/**
 * Torture: two real `minima sweep` processes on one sweep folder at once (start offset and workers
 * drawn from the seed) share the trials: each runs once, every trial completes, both exit 0. Then
 * one of two sweeps is SIGKILLed mid-way: the other takes over its trials and still exits 0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withTmpDir } from '../support/tmp-dir.js';
import { bin, distBuilt, repoRoot } from '../support/cli.js';
import { rng, skipUnlessTorture } from './support.js';

const skip = skipUnlessTorture || (distBuilt ? false : 'dist/ is not built');

function sweepSpec(tmp: string, name: string): string {
  const file = join(tmp, `${name}.yaml`);
  writeFileSync(file, `name: ${name}\nbase: ${join(repoRoot, 'configs', 'test', 'tiny-moons.yaml')}\ngrid:\n  optimizer.lr: [0.1, 0.05]\nseeds: [0, 1]\n`);
  return file;
}

function start(file: string, tmp: string, workers: number) {
  const child = spawn(process.execPath, [bin, 'sweep', file, '--workers', String(workers), 'train.epochs=1'], { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => { err += String(d); });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; err: string }>((res) => child.once('exit', (code, signal) => res({ code, signal, err })));
  return { child, done };
}

function records(dir: string): { status: string; attempts: number; run_dir: string }[] {
  return readFileSync(join(dir, 'trials.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
}

test('two sweeps into one folder at once: each trial once, both exit 0', { skip }, async () => {
  await withTmpDir(async (tmp) => {
    const r = rng('concurrent-sweeps');
    const file = sweepSpec(tmp, 'both');
    const a = start(file, tmp, 1 + Math.floor(r() * 2));
    await new Promise((res) => setTimeout(res, Math.floor(r() * 1500)));
    const b = start(file, tmp, 1 + Math.floor(r() * 2));
    const [ra, rb] = await Promise.all([a.done, b.done]);
    assert.equal(ra.code, 0, ra.err);
    assert.equal(rb.code, 0, rb.err);
    const recs = records(join(tmp, 'runs', 'both'));
    assert.equal(recs.length, 4);
    for (const t of recs) assert.deepEqual([t.status, t.attempts], ['completed', 1], t.run_dir);
  });
});

test('one of two sweeps SIGKILLed mid-way: the other finishes every trial and exits 0', { skip }, async () => {
  await withTmpDir(async (tmp) => {
    const r = rng('concurrent-sweeps-kill');
    const file = sweepSpec(tmp, 'killed');
    const a = start(file, tmp, 2);
    const b = start(file, tmp, 1);
    const dir = join(tmp, 'runs', 'killed');
    for (let i = 0; i < 600 && !(existsSync(join(dir, 'trials.jsonl')) && records(dir).some((t) => t.status === 'running')); i++) await new Promise((res) => setTimeout(res, 50));
    await new Promise((res) => setTimeout(res, Math.floor(r() * 2000)));
    a.child.kill('SIGKILL');
    const rb = await b.done;
    await a.done;
    assert.equal(rb.code, 0, rb.err);
    for (const t of records(dir)) assert.equal(t.status, 'completed', t.run_dir);
  });
});
