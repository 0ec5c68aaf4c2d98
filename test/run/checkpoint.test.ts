import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '../support/tf.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { findResumePoint, listCheckpoints, loadCheckpoint, pruneCheckpoints, saveCheckpoint } from '../../src/run/checkpoint.js';
import { RunnerError } from '../../src/core/errors.js';

test('checkpoints round-trip tensors bit for bit and state as JSON', async () => {
  await withTmpDir(async (dir) => {
    const a = tf.tensor([1.5, -0, 3.4028234663852886e38, 1e-45], [2, 2]);
    const b = tf.tensor([7, -3], [2], 'int32');
    const path = await saveCheckpoint(dir, 12, { step: 12, rng: [1, 2, 3, 4] }, { 'model/w': a, 'optim/t': b });
    assert.match(path, /step-000012$/);
    const ck = loadCheckpoint<{ step: number; rng: number[] }>(path);
    assert.equal(ck.step, 12);
    assert.deepEqual(ck.state.rng, [1, 2, 3, 4]);
    assert.deepEqual(Array.from(ck.tensors['model/w']!.dataSync()), Array.from(a.dataSync()));
    assert.equal(Object.is(ck.tensors['model/w']!.dataSync()[1], -0), true);
    assert.equal(ck.tensors['optim/t']!.dtype, 'int32');
    assert.deepEqual(ck.tensors['model/w']!.shape, [2, 2]);
    tf.dispose([a, b, ...Object.values(ck.tensors)]);
  });
});

test('an interrupted save (temp folder) is never listed and is cleaned up; pruning keeps the newest', async () => {
  await withTmpDir(async (dir) => {
    const t = tf.scalar(1);
    for (const s of [5, 10, 15]) await saveCheckpoint(dir, s, {}, { x: t });
    mkdirSync(join(dir, '.step-000020.123.tmp'));
    writeFileSync(join(dir, '.step-000020.123.tmp', 'tensors.bin'), 'partial');
    mkdirSync(join(dir, 'step-000025')); // no state.json: incomplete by construction
    mkdirSync(join(dir, 'step-000003')); // what a kill during an older minima's pruning left
    writeFileSync(join(dir, 'step-000003', 'tensors.bin'), 'x');
    assert.deepEqual(listCheckpoints(dir).map((c) => c.step), [3, 5, 10, 15, 25]);
    assert.deepEqual(findResumePoint(dir).checkpoint?.step, 15, 'the incomplete newest is passed over');
    pruneCheckpoints(dir, 2);
    assert.deepEqual(listCheckpoints(dir).map((c) => c.step), [10, 15, 25], 'older leftovers go; a newer damaged one stays to be named');
    assert.equal(existsSync(join(dir, '.step-000020.123.tmp')), false);
    t.dispose();
  });
});

test('a truncated tensors.bin is a clear error, not a silent partial restore', async () => {
  await withTmpDir(async (dir) => {
    const t = tf.ones([100]);
    const path = await saveCheckpoint(dir, 1, {}, { x: t });
    writeFileSync(join(path, 'tensors.bin'), Buffer.alloc(10));
    assert.throws(() => loadCheckpoint(path), (e: unknown) => e instanceof RunnerError && e.code === 'CHECKPOINT_INVALID');
    t.dispose();
    assert.ok(readdirSync(dir).length >= 1);
  });
});
