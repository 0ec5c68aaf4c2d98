import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { withTmpDir } from '../support/tmp-dir.js';
import { RunWriter } from '../../src/run/run-writer.js';
import { createRunDir, createExactRunDir } from '../../src/run/run-dir.js';
import { readMetrics, summarizeMetrics } from '../../src/run/run-folder.js';
import { RunnerError } from '../../src/core/errors.js';

test('run folders never collide and are never reused', async () => {
  await withTmpDir((dir) => {
    const now = new Date(2026, 10, 23, 7, 5, 9);
    const a = createRunDir(dir, 'exp', now);
    const b = createRunDir(dir, 'exp', now);
    assert.match(a, /20261123-070509-exp$/);
    assert.match(b, /20261123-070509-exp-2$/);
    assert.throws(() => createExactRunDir(a), (e: unknown) => e instanceof RunnerError && e.code === 'RUN_EXISTS');
  });
});

test('metrics.csv mirrors metrics.jsonl, growing its header when new keys appear', async () => {
  await withTmpDir((dir) => {
    const w = new RunWriter(dir);
    w.appendMetrics({ step: 1, epoch: 0, split: 'train', loss: 0.5 });
    w.appendMetrics({ step: 2, epoch: 0, split: 'train', loss: 0.25 });
    w.appendMetrics({ step: 2, epoch: 0, split: 'test', loss: 0.3, accuracy: 0.9 });
    const csv = readFileSync(join(dir, 'metrics.csv'), 'utf8').trim().split('\n');
    assert.deepEqual(csv, ['step,epoch,split,loss,accuracy', '1,0,train,0.5,', '2,0,train,0.25,', '2,0,test,0.3,0.9']);
    assert.equal(readMetrics(dir).length, 3);
    assert.equal(readdirSync(dir).filter((n) => n.endsWith('.tmp')).length, 0);
  });
});

test('a torn last line (killed mid-write) is skipped, and reopen cuts rows after the checkpoint', async () => {
  await withTmpDir((dir) => {
    const w = new RunWriter(dir);
    for (let s = 1; s <= 6; s++) w.appendMetrics({ step: s, epoch: 0, split: 'train', loss: 1 / s });
    appendFileSync(join(dir, 'metrics.jsonl'), '{"step": 7, "epo');
    assert.equal(readMetrics(dir).length, 6);
    const again = new RunWriter(dir);
    again.reopen(4);
    assert.deepEqual(readMetrics(dir).map((r) => r.step), [1, 2, 3, 4]);
    assert.equal(readFileSync(join(dir, 'metrics.csv'), 'utf8').trim().split('\n').length, 5);
  });
});

test('summary: final takes the last value per split.metric (eval rows win), best follows the metric direction', () => {
  const { final, best } = summarizeMetrics([
    { step: 10, epoch: 0, split: 'train', loss: 0.9, lr: 0.1 },
    { step: 10, epoch: 0, split: 'test', loss: 0.5, accuracy: 0.8, eval: true },
    { step: 20, epoch: 1, split: 'train', loss: 0.4, lr: 0.05 },
    { step: 20, epoch: 1, split: 'train', loss: 0.45, accuracy: 0.85, eval: true },
    { step: 30, epoch: 2, split: 'train', loss: 0.3, lr: 0.01 },
    { step: 30, epoch: 2, split: 'test', loss: 0.6, accuracy: 0.75, eval: true },
  ]);
  assert.equal(final['test.accuracy'], 0.75);
  assert.equal(final['train.loss'], 0.45, 'the eval value, not the later minibatch mean');
  assert.equal(final['train.lr'], 0.01);
  assert.deepEqual(best['test.accuracy'], { value: 0.8, step: 10 });
  assert.deepEqual(best['test.loss'], { value: 0.5, step: 10 });
});
