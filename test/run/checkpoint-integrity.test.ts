/**
 * Every checkpoint carries a manifest (format version, size and sha256 of each file): each kind of
 * damage — an edited or garbled state.json, random or one flipped byte in tensors.bin, a missing
 * file, a garbled manifest — is detected before anything is restored and named; a format-1
 * checkpoint (no manifest, written by an older minima) still loads, with its structure checked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '../support/tf.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { findResumePoint, listCheckpoints, loadCheckpoint, pruneCheckpoints, saveCheckpoint, verifyCheckpoint } from '../../src/run/checkpoint.js';
import { loopStateProblem } from '../../src/train/checkpointer.js';
import { RunnerError } from '../../src/core/errors.js';
import { DAMAGES, toFormat1 } from '../support/damage.js';

const state = { step: 4, window: { lossSum: 1.5, count: 2, gradEvals: 2 }, samples: 32, trainTimeS: 0.1, seed: 0 };

async function save(dir: string, step = 4): Promise<string> {
  const a = tf.tensor(Array.from({ length: 64 }, (_, i) => Math.sin(i)), [8, 8]);
  const b = tf.tensor([7, -3], [2], 'int32');
  const path = await saveCheckpoint(dir, step, { ...state, step }, { 'model/w': a, 'optim/t': b });
  tf.dispose([a, b]);
  return path;
}

test('a checkpoint has a manifest with the format version and the sha256 of each file', async () => {
  await withTmpDir(async (dir) => {
    const path = await save(dir);
    assert.deepEqual(readdirSync(path).sort(), ['manifest.json', 'state.json', 'tensors.bin']);
    const m = JSON.parse(readFileSync(join(path, 'manifest.json'), 'utf8'));
    assert.equal(m.version, 2);
    assert.match(m.files['tensors.bin'].sha256, /^[0-9a-f]{64}$/);
    assert.equal(m.files['state.json'].bytes, readFileSync(join(path, 'state.json')).byteLength);
    assert.deepEqual(verifyCheckpoint(path, loopStateProblem), { ok: true, version: 2, step: 4 });
  });
});

for (const damage of DAMAGES) {
  test(`damage: ${damage.name} is detected, named, and never restored`, async () => {
    await withTmpDir(async (dir) => {
      const path = await save(dir);
      damage.apply(path, () => 0.5);
      const check = verifyCheckpoint(path, loopStateProblem);
      assert.equal(check.ok, false, damage.name);
      if (!check.ok) assert.match(check.problem, damage.expect, damage.name);
      const before = tf.memory().numTensors;
      assert.throws(() => loadCheckpoint(path, loopStateProblem), (e: unknown) => e instanceof RunnerError && e.code === 'CHECKPOINT_INVALID' && e.message.includes(path));
      assert.equal(tf.memory().numTensors, before, 'no tensor is made from a damaged checkpoint');
    });
  });
}

test('the newest damaged checkpoint is passed over for the previous intact one; none intact is reported', async () => {
  await withTmpDir(async (dir) => {
    await save(dir, 2);
    const newest = await save(dir, 4);
    writeFileSync(join(newest, 'tensors.bin'), Buffer.alloc(readFileSync(join(newest, 'tensors.bin')).byteLength));
    const p = findResumePoint(dir, loopStateProblem);
    assert.equal(p.checkpoint?.step, 2);
    assert.deepEqual(p.damaged.map((d) => [d.step, d.problem]), [[4, 'tensors.bin does not match its sha256 checksum']]);
    rmSync(join(dir, 'step-000002', 'state.json'));
    const none = findResumePoint(dir, loopStateProblem);
    assert.equal(none.checkpoint, undefined);
    assert.equal(none.damaged.length, 2);
  });
});

test('a format-1 checkpoint (no manifest) loads with a warning; its structure is still checked', async () => {
  await withTmpDir(async (dir) => {
    const path = await save(dir);
    toFormat1(path);
    const check = verifyCheckpoint(path, loopStateProblem);
    assert.ok(check.ok && check.version === 1 && /no checksums/.test(check.warning ?? ''), JSON.stringify(check));
    const ck = loadCheckpoint<typeof state>(path, loopStateProblem);
    assert.equal(ck.state.window.count, 2);
    assert.match(ck.warning ?? '', /no checksums/);
    tf.dispose(Object.values(ck.tensors));
    const file = JSON.parse(readFileSync(join(path, 'state.json'), 'utf8'));
    delete file.state.window;
    writeFileSync(join(path, 'state.json'), JSON.stringify(file));
    assert.deepEqual(verifyCheckpoint(path, loopStateProblem), { ok: false, problem: 'state.json: state.window is missing' });
    file.state = state; // valid again; now a NaN in tensors.bin, what random bytes give sooner or later
    writeFileSync(join(path, 'state.json'), JSON.stringify(file));
    const bytes = readFileSync(join(path, 'tensors.bin'));
    bytes.fill(0xff, 0, 4);
    writeFileSync(join(path, 'tensors.bin'), bytes);
    assert.deepEqual(verifyCheckpoint(path, loopStateProblem), { ok: false, problem: 'tensors.bin: tensor model/w holds NaN or Infinity' });
  });
});

test('pruning renames a checkpoint away before deleting it; a kill in between leaves only a temp name, cleared next time', async () => {
  await withTmpDir(async (dir) => {
    for (const s of [2, 4, 6]) await save(dir, s);
    // what a kill between the rename and the delete leaves
    mkdirSync(join(dir, '.step-000002.host.1234.0.tmp'));
    writeFileSync(join(dir, '.step-000002.host.1234.0.tmp', 'tensors.bin'), 'x');
    assert.deepEqual(listCheckpoints(dir).map((c) => c.step), [2, 4, 6], 'a temp name is never a checkpoint');
    pruneCheckpoints(dir, 1);
    assert.deepEqual(readdirSync(dir), ['step-000006']);
    assert.equal(existsSync(join(dir, '.step-000002.host.1234.0.tmp')), false);
  });
});
