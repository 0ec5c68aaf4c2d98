/**
 * The issue-17 losses that the generic trainer tests run with SGD only (softmax-head long-tail
 * losses on logits, the directional and survey regression losses): each with every optimizer on
 * a tiny problem of its task, resumed from a mid-run checkpoint bit for bit. The wrappers, gol,
 * ldam and gaussian-nll are covered with every optimizer by test/train/losses.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import '../support/tf.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { blobs, optimizerSpec, resumeTiny, runTiny, status, tensorsBin, teacher, tinyConfig, trajectory, truncatedCopy, optimizersForLosses } from './harness.js';
import type { Spec } from '../../src/core/registry.js';

const specs: { loss: Spec; dataset: Spec }[] = [
  { loss: { name: 'vs' }, dataset: blobs },
  { loss: { name: 'logit-adjusted', mode: 'posthoc' }, dataset: blobs },
  { loss: { name: 'balanced-softmax' }, dataset: blobs },
  { loss: { name: 'gmadl', a: 10, b: 1 }, dataset: teacher },
  { loss: { name: 'msle' }, dataset: teacher },
];

for (const { loss, dataset } of specs) {
  for (const opt of optimizersForLosses()) {
    test(`${loss.name} × ${opt.name}: trains and resumes identically`, async () => {
      await withTmpDir(async (tmp) => {
        const r = await runTiny(tmp, 'a', tinyConfig({ dataset, loss, optimizer: optimizerSpec(opt.name) }));
        assert.equal(r.code, 0, r.stderr);
        assert.equal(status(r.dir), 'completed');
        const b = truncatedCopy(r.dir, 2, join(tmp, 'b'));
        const s = await resumeTiny(tmp, b);
        assert.equal(s.code, 0, s.stderr);
        assert.deepEqual(trajectory(b), trajectory(r.dir));
        assert.ok(tensorsBin(b, 4).equals(tensorsBin(r.dir, 4)), 'final checkpoint tensors are identical');
      });
    });
  }
}
