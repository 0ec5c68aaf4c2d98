/**
 * Every diagnostic of the registry inside a run: rows flagged `diagnostics: true` at its cadence
 * with finite values, no tensors left behind, and no effect on training: the train rows and the
 * final weights, BatchNorm running statistics and optimizer state equal those of the same run
 * without the diagnostic (perturbations are undone, BN statistics are not touched in eval mode).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../support/tf.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { catalog } from '../../src/registries.js';
import { buildLeak, rowsOf, runTiny, tensorsBin, tinyConfig, trainRows, type TinyConfig } from './harness.js';

// BatchNorm and momentum make any state a diagnostic disturbs show up in the final checkpoint.
const mlp: TinyConfig = { model: { name: 'mlp', hidden: [8], batch_norm: true }, optimizer: { name: 'sgd', lr: 0.05, momentum: 0.9 }, train: { steps: 4 } };
const bookkeeping = new Set(['step', 'epoch', 'split', 'diagnostics', 'time_s']);

// A diagnostic that reads one kind of model (needs.model) runs on that model's own problem.
const own: Readonly<Record<string, TinyConfig>> = {
  'diagonal-linear': { dataset: { name: 'sparse-regression', n_train: 24, n_test: 12 }, model: { name: 'diagonal-linear' }, loss: { name: 'mse' }, optimizer: { name: 'sgd', lr: 0.05, momentum: 0.9 }, train: { steps: 4 } },
};

for (const entry of catalog.diagnostic.entries) {
  test(`diagnostic ${entry.name} writes finite values every 2 steps, leaks nothing and leaves training unchanged`, async () => {
    const model = (entry as { needs?: { model?: readonly string[] } }).needs?.model?.[0];
    const base = model ? own[model]! : mlp;
    await withTmpDir(async (tmp) => {
      const plain = await runTiny(tmp, 'plain', tinyConfig(base));
      assert.equal(plain.code, 0, plain.stderr);
      const config = tinyConfig({ ...base, diagnostics: [{ name: entry.name, every: 2 }] });
      const baseline = await buildLeak(tmp, 'diag', config);
      const r = await runTiny(tmp, 'diag', config);
      assert.equal(r.code, 0, r.stderr);
      const rows = rowsOf(r.dir).filter((x) => x.diagnostics === true);
      assert.deepEqual(rows.map((x) => x.step), [2, 4]);
      for (const row of rows) {
        const values = Object.entries(row).filter(([k]) => !bookkeeping.has(k));
        assert.ok(values.length > 0, `step ${row.step} has values`);
        for (const [k, v] of values) assert.ok(typeof v === 'number' && Number.isFinite(v), `step ${row.step}: ${k} = ${String(v)}`);
      }
      assert.deepEqual(r.stepTensors, r.stepTensors.map(() => r.stepTensors[0]), `live tensors per step ${r.stepTensors.join(', ')}`);
      assert.equal(r.leaked, baseline, `run() left ${r.leaked} tensors, building and disposing the experiment alone ${baseline}`);
      const strip = (rs: readonly Record<string, unknown>[]) => rs.map(({ time_s: _t, samples_per_s: _s, ...rest }) => rest);
      assert.deepEqual(strip(trainRows(r.dir)), strip(trainRows(plain.dir)), 'train rows as without the diagnostic');
      assert.ok(tensorsBin(r.dir, 4).equals(tensorsBin(plain.dir, 4)), 'final checkpoint as without the diagnostic');
    });
  });
}

test('a diagnostic with summarize adds its keys to summary.json: grokking first steps and alignment over the run', async () => {
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  await withTmpDir(async (tmp) => {
    // threshold 0.01: any evaluation reaches it, so both first steps are the first evaluation's
    const config = tinyConfig({ ...mlp, train: { steps: 4, eval_every: 2, eval_splits: ['train', 'test'] }, diagnostics: [{ name: 'grokking', every: 1, threshold: 0.01 }] });
    const r = await runTiny(tmp, 'grok', config);
    assert.equal(r.code, 0, r.stderr);
    const final = (JSON.parse(readFileSync(join(r.dir, 'summary.json'), 'utf8')) as { final: Record<string, number> }).final;
    const alignments = rowsOf(r.dir).filter((x) => x.diagnostics === true).map((x) => x.nlm_alignment as number);
    assert.equal(alignments.length, 4);
    assert.equal(final['grokking.grokked'], 1);
    assert.equal(final['grokking.train_step'], 2);
    assert.equal(final['grokking.test_step'], 2);
    assert.equal(final['grokking.gap'], 0);
    assert.equal(final['grokking.alignment_max'], Math.max(...alignments));
  });
});
