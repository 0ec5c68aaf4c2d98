/**
 * lbfgs and sophia through the whole trainer with the options the registry-wide test
 * (optimizers.test.ts: defaults, 6 steps, no Hessian estimate before sophia's step 10) leaves out:
 * Sophia estimating every 2 steps by both estimators (GNB draws labels from the tiny model's logits
 * through trainStep), L-BFGS with the strong-Wolfe line search. Each resumes from a mid-epoch
 * checkpoint bit for bit, and the train rows count the evaluations the schedule implies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import '../support/tf.js';
import type { Spec } from '../../src/core/registry.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { resumeTiny, runTiny, status, tensorsBin, tinyConfig, trainRows, trajectory, truncatedCopy } from './harness.js';

const steps = 6;
const CASES: readonly [string, Spec, (step: number) => number | undefined][] = [
  // 1-based rows: estimates before 0-based steps 2 and 4 (rows 3 and 5)
  ['sophia gnb k 2', { name: 'sophia', lr: 0.01, k: 2 }, (s) => (s === 3 || s === 5 ? 2 : 1)],
  ['sophia hutchinson k 2 from the start', { name: 'sophia', lr: 0.01, k: 2, estimator: 'hutchinson', update_at_start: true }, (s) => (s % 2 === 1 ? 3 : 1)],
  ['lbfgs strong_wolfe', { name: 'lbfgs', lr: 1, max_iter: 3, history_size: 4, line_search_fn: 'strong_wolfe' }, () => undefined],
];

for (const [label, optimizer, evals] of CASES) {
  test(`${label}: trains, counts its evaluations, resumes from a mid-epoch checkpoint identically`, async () => {
    await withTmpDir(async (tmp) => {
      const config = tinyConfig({ optimizer, train: { steps } });
      const a = await runTiny(tmp, 'a', config);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(status(a.dir), 'completed');
      const rows = trainRows(a.dir);
      for (const r of rows) {
        assert.ok(Number.isFinite(r.loss), `step ${r.step} loss ${String(r.loss)}`);
        const want = evals(r.step);
        if (want !== undefined) assert.equal(r.grad_evals, want, `step ${r.step} grad_evals`);
        else assert.ok(Number(r.grad_evals) >= 1, `step ${r.step}`);
      }
      assert.ok(Number(rows.at(-1)!.loss) < Number(rows[0]!.loss), `loss ${String(rows[0]!.loss)} → ${String(rows.at(-1)!.loss)}`);
      const b = truncatedCopy(a.dir, 2, join(tmp, 'b'));
      const rb = await resumeTiny(tmp, b);
      assert.equal(rb.code, 0, rb.stderr);
      assert.deepEqual(trajectory(b), trajectory(a.dir));
      assert.ok(tensorsBin(b, steps).equals(tensorsBin(a.dir, steps)), 'final checkpoint tensors are identical');
    });
  });
}
