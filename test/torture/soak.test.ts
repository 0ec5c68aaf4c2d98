/**
 * Torture: a soak run of a few thousand steps (checkpoints written and pruned every 40 steps,
 * evaluation, logging) in-process: the live tensor count between steps never moves after the first
 * steps, and after a full collection the JS heap and the resident memory of the last quarter are
 * no more than a few MB above the second quarter's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { tf } from '../support/tf.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { captureContext, repoRoot } from '../sweep/helpers.js';
import { run } from '../../src/commands/run.js';
import { rng, skipUnlessTorture } from './support.js';

// a full collection before each sample, so the numbers are what is live, not what V8 has yet to collect
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

test('a soak run keeps a flat tensor count and a flat RSS', { skip: skipUnlessTorture }, async () => {
  await withTmpDir(async (tmp) => {
    const epochs = 70 + Math.floor(rng('soak')() * 30); // 2240–3200 steps
    const c = captureContext(tmp);
    const tensors: number[] = [];
    const rss: number[] = [];
    const heap: number[] = [];
    const onStepEnd = (step: number) => {
      tensors.push(tf.memory().numTensors);
      if (step % 100 === 0) {
        gc();
        const m = process.memoryUsage();
        rss.push(m.rss);
        heap.push(m.heapUsed);
      }
    };
    const overrides = [`train.epochs=${epochs}`, 'train.checkpoint_every=40', 'train.keep_checkpoints=2', 'train.log_every=10', 'train.eval_every=200'];
    const code = await run({ config: join(repoRoot, 'configs/test/tiny-moons.yaml'), overrides, runDir: 'soak', quiet: true }, { ...c.ctx, onStepEnd });
    assert.equal(code, 0, c.err());
    assert.ok(tensors.length >= 2240, `${tensors.length} steps`);
    const settled = tensors.slice(10);
    assert.equal(Math.max(...settled), Math.min(...settled), `tensor count between steps: ${Math.min(...settled)}..${Math.max(...settled)}`);
    const q = Math.floor(rss.length / 4);
    const peak = (xs: number[]) => Math.max(...xs) / 2 ** 20;
    const growth = (xs: number[]) => peak(xs.slice(3 * q)) - peak(xs.slice(q, 2 * q));
    process.stderr.write(`soak: ${tensors.length} steps, ${settled[0]} tensors, RSS ${peak(rss.slice(q, 2 * q)).toFixed(1)} → ${peak(rss.slice(3 * q)).toFixed(1)} MB, heap ${peak(heap.slice(q, 2 * q)).toFixed(1)} → ${peak(heap.slice(3 * q)).toFixed(1)} MB (2nd quarter → last)\n`);
    assert.ok(growth(heap) < 4, `the JS heap grew ${growth(heap).toFixed(1)} MB`);
    assert.ok(growth(rss) < 16, `RSS grew ${growth(rss).toFixed(1)} MB`);
  });
});
