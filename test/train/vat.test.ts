/**
 * The vat loss through the whole trainer: semi-supervised on blobs with a label mask (6 of 24 train
 * rows labelled) under every optimizer of the registry, with finite losses, flat tensor counts, no
 * leaks, and a mid-run resume identical bit for bit; the train split's metrics skip unlabeled
 * rows; BatchNorm running statistics move only with the clean pass; the same on wasm.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import '../support/tf.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { blobs, buildLeak, checkpointTensors, optimizerSpec, resumeTiny, rowsOf, runTiny, status, tensorsBin, tinyConfig, trainRows, trajectory, truncatedCopy, type TinyConfig, optimizersForLosses } from './harness.js';

const semi = { ...blobs, labeled: 6 };
const vat = { name: 'vat', xi: 1e-6, epsilon: 1.0 };

async function trainsAndResumes(tmp: string, c: TinyConfig): Promise<string> {
  const config = tinyConfig(c);
  const baseline = await buildLeak(tmp, 'a', config);
  const a = await runTiny(tmp, 'a', config);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(status(a.dir), 'completed');
  for (const r of trainRows(a.dir)) assert.ok(Number.isFinite(r.loss), `train loss at step ${r.step}: ${String(r.loss)}`);
  assert.deepEqual(a.stepTensors, a.stepTensors.map(() => a.stepTensors[0]), `live tensors per step ${a.stepTensors.join(', ')}`);
  assert.equal(a.leaked, baseline, `run() left ${a.leaked} tensors, building alone ${baseline}`);
  const b = truncatedCopy(a.dir, 2, join(tmp, 'b'));
  const r = await resumeTiny(tmp, b);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(trajectory(b), trajectory(a.dir));
  assert.ok(tensorsBin(b, 4).equals(tensorsBin(a.dir, 4)), 'final checkpoint tensors are identical');
  return a.dir;
}

for (const opt of optimizersForLosses()) {
  test(`vat (6 of 24 rows labelled) × ${opt.name}: trains, holds its tensors flat, resumes identically`, async () => {
    await withTmpDir((tmp) => trainsAndResumes(tmp, { dataset: semi, loss: vat, optimizer: optimizerSpec(opt.name) }));
  });
}

test('vat: train-split metrics count the labelled rows only; BN statistics move with the clean pass only', async () => {
  await withTmpDir(async (tmp) => {
    const c: TinyConfig = { dataset: semi, loss: vat, model: { name: 'mlp', hidden: [8], batch_norm: true }, train: { eval_splits: ['train', 'test'] } };
    const dir = await trainsAndResumes(tmp, c);
    const train = rowsOf(dir).filter((r) => r.eval === true && r.split === 'train');
    assert.ok(train.length > 0);
    for (const r of train) {
      // 6 labelled rows: accuracy is a multiple of 1/6
      const acc = Number(r.accuracy);
      assert.ok(Math.abs(acc * 6 - Math.round(acc * 6)) < 1e-9, `train accuracy ${acc}`);
      assert.ok(Number.isFinite(Number(r.loss)));
    }
    // the same run with α = 0 makes the same clean passes: its BN statistics after step 1 agree
    // with vat's up to the (different) weights, so compare the running means after one step only
    const once = (loss: { name: string } & Record<string, unknown>) => tinyConfig({ ...c, loss, train: { steps: 1, checkpoint_every: 1, eval_splits: ['test'] } });
    const withVat = await runTiny(tmp, 'v1', once(vat));
    const without = await runTiny(tmp, 's1', once({ name: 'vat', alpha: 0 }));
    const stats = (d: string) => Object.entries(checkpointTensors(d, 1)).filter(([k]) => /mean|var/.test(k));
    const sv = stats(withVat.dir);
    assert.ok(sv.length > 0, 'the model has BN buffers');
    assert.deepEqual(sv, stats(without.dir), 'perturbed passes leave the running statistics alone');
  });
});

test('vat on wasm: trains with a flat tensor count and resumes identically', async () => {
  await withTmpDir(async (tmp) => {
    const config = { ...tinyConfig({ dataset: semi, loss: vat, optimizer: { name: 'sam', base: { name: 'sgd', lr: 0.05 } } }), backend: 'wasm' };
    const a = await runTiny(tmp, 'a', config);
    assert.equal(a.code, 0, a.stderr);
    assert.deepEqual(a.stepTensors, a.stepTensors.map(() => a.stepTensors[0]));
    const b = truncatedCopy(a.dir, 2, join(tmp, 'b'));
    const r = await resumeTiny(tmp, b);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(trajectory(b), trajectory(a.dir));
    assert.ok(tensorsBin(b, 4).equals(tensorsBin(a.dir, 4)));
  });
});

test('the shipped VAT claim configs run for two steps (the label mask, vat and its alpha-0 baseline)', async () => {
  const { readdirSync } = await import('node:fs');
  const { repoRoot } = await import('../support/cli.js');
  const { run } = await import('../../src/commands/run.js');
  const { capture } = await import('./harness.js');
  const dir = join(repoRoot, 'configs', 'claims', 'vat');
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.yaml'))) {
    await withTmpDir(async (tmp) => {
      const { ctx, stderr } = capture(tmp, ['run']);
      const code = await run({ config: join(dir, f), overrides: ['~train.epochs', 'train.steps=2', 'backend=cpu', 'dataset.train_size=600', 'dataset.test_size=200', 'dataset.labeled=100', 'train.eval_attack={eps: 0.1, steps: 1, step_size: 0.1}'], runDir: join(tmp, 'r'), quiet: true }, ctx);
      assert.equal(code, 0, `${f}: ${stderr()}`);
      const evals = rowsOf(join(tmp, 'r')).filter((r) => r.eval === true);
      assert.ok(evals.length > 0 && evals.every((r) => Number.isFinite(Number(r.robust_accuracy))), f);
    });
  }
});
