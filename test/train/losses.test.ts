/**
 * Every loss of the registry through the whole trainer, on a dataset of its task: classification
 * (and `any`) losses on blobs, regression (and `any`) losses on a teacher-student regression
 * problem. Losses whose needs.input is 'embeddings' own their class weights (ParamSpec owner
 * 'loss'), except pair-based ones (multi-similarity), which own none: each is trained with every optimizer, and a run resumed from a mid-epoch checkpoint must
 * reproduce the uninterrupted run exactly (metrics rows and every checkpointed tensor, loss-owned
 * weights and optimizer state on them included).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import '../support/tf.js';
import { withTmpDir } from '../support/tmp-dir.js';
import type { LossEntry } from '../../src/losses/index.js';
import { catalog } from '../../src/registries.js';
import { effectiveNeeds } from '../../src/losses/needs.js';
import { blobs, grouped, buildLeak, lossSpec, checkpointTensors, optimizerSpec, resumeTiny, rowsOf, runTiny, status, tensorsBin, teacher, tinyConfig, trainRows, trajectory, truncatedCopy, type TinyConfig, optimizersForLosses } from './harness.js';

/** The needs of the entry's test spec (a wrapper's are those of its example base). */
const needsOf = (e: LossEntry) => effectiveNeeds(catalog.loss, lossSpec(e)) ?? e.needs;
const task = (e: LossEntry) => needsOf(e).task;
/** Blobs with 2 centres for a binary-head loss (one logit), else the 3-class blobs. */
const blobsFor = (e: LossEntry) => (needsOf(e).head === 'binary' ? { ...blobs, centers: 2 } : blobs);
const classification = catalog.loss.entries.filter((e) => task(e) === 'classification' || task(e) === 'any');
const regression = catalog.dataset.has('teacher-student') ? catalog.loss.entries.filter((e) => task(e) === 'regression' || task(e) === 'any') : [];
const embeddings = catalog.loss.entries.filter((e) => needsOf(e).input === 'embeddings');

test('the registry has losses of each kind these tests iterate', () => {
  assert.ok(classification.length > 0 && regression.length > 0 && embeddings.length > 0);
  for (const e of catalog.loss.entries) assert.ok(['classification', 'regression', 'any'].includes(String(task(e))), `${e.name} declares needs.task`);
});

/** Completed, finite train losses at every step, finite eval losses, flat and leak-free tensors. */
async function trainsCleanly(tmp: string, c: TinyConfig): Promise<string> {
  const config = tinyConfig(c);
  const baseline = await buildLeak(tmp, 'a', config);
  const r = await runTiny(tmp, 'a', config);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(status(r.dir), 'completed');
  const rows = trainRows(r.dir);
  assert.deepEqual(rows.map((x) => x.step), [1, 2, 3, 4]);
  for (const x of rows) assert.ok(Number.isFinite(x.loss), `train loss at step ${x.step}: ${String(x.loss)}`);
  // the iterate's rows (a distilling loss's run also writes test_ema rows for its teacher)
  const evals = rowsOf(r.dir).filter((x) => x.eval === true && x.split === 'test');
  assert.deepEqual(evals.map((x) => x.step), [3, 4], 'eval once per epoch (3 steps) and at the end');
  for (const x of evals) assert.ok(Number.isFinite(x.loss), `eval loss at step ${x.step}: ${String(x.loss)}`);
  assert.deepEqual(r.stepTensors, r.stepTensors.map(() => r.stepTensors[0]), `live tensors per step ${r.stepTensors.join(', ')}`);
  assert.equal(r.leaked, baseline, `run() left ${r.leaked} tensors, building and disposing the experiment alone ${baseline}`);
  return r.dir;
}

/** Stops `dir` after step 2 (a copy without later checkpoints), resumes it, compares with `dir`. */
async function resumesIdentically(tmp: string, dir: string): Promise<void> {
  const b = truncatedCopy(dir, 2, join(tmp, 'b'));
  const r = await resumeTiny(tmp, b);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(status(b), 'completed');
  assert.deepEqual(trajectory(b), trajectory(dir));
  assert.ok(tensorsBin(b, 4).equals(tensorsBin(dir, 4)), 'final checkpoint tensors are identical');
}

for (const entry of classification) {
  test(`loss ${entry.name} trains on blobs with sgd`, async () => {
    // a loss that reads group ids trains on a dataset with groups (test/train/groups.test.ts)
    await withTmpDir((tmp) => trainsCleanly(tmp, { dataset: entry.needs.groups ? grouped : blobsFor(entry), loss: lossSpec(entry) }));
  });
}

for (const entry of regression) {
  test(`loss ${entry.name} trains on a teacher-student regression and resumes identically`, async () => {
    await withTmpDir(async (tmp) => {
      const dir = await trainsCleanly(tmp, { dataset: teacher, loss: lossSpec(entry) });
      const evals = rowsOf(dir).filter((x) => x.eval === true);
      assert.ok(evals.every((x) => Number.isFinite(x.mse)), 'regression metrics are reported');
      await resumesIdentically(tmp, dir);
    });
  });
}

/** Pair-based metric-learning losses (multi-similarity) own no class weights: their objective has no variables. */
function ownsNoWeights(entry: LossEntry): boolean {
  const data = { task: 'classification' as const, inputShape: [2], inputKind: 'dense' as const, numClasses: 3, outputDim: 3, classCounts: [8, 8, 8] };
  const o = catalog.loss.build(lossSpec(entry), ['loss'], { data, sizes: { train: 8, test: 8 }, seed: 0, embeddingDim: 8 });
  const none = o.variables.length === 0;
  o.dispose();
  return none;
}

for (const entry of embeddings) {
  for (const opt of optimizersForLosses()) {
    test(`metric-learning loss ${entry.name} × ${opt.name}: trains its own class weights and resumes identically`, async () => {
      await withTmpDir(async (tmp) => {
        const dir = await trainsCleanly(tmp, { loss: lossSpec(entry), optimizer: optimizerSpec(opt.name) });
        // the loss owns its class weights: they are checkpointed, finite, and the optimizer moves them
        const at2 = checkpointTensors(dir, 2);
        const at4 = checkpointTensors(dir, 4);
        const lossOwned = Object.keys(at4).filter((k) => k.startsWith('loss/'));
        if (ownsNoWeights(entry)) {
          assert.deepEqual(lossOwned, [], 'a pair-based loss (no classifier) owns no weights');
          await resumesIdentically(tmp, dir);
          return;
        }
        assert.ok(lossOwned.length > 0, `checkpoint holds loss-owned weights (${Object.keys(at4).join(', ')})`);
        for (const k of lossOwned) {
          assert.ok(at4[k]!.every(Number.isFinite), `${k} is finite`);
          assert.ok(at4[k]!.some((v, i) => v !== at2[k]![i]), `${k} changed between steps 2 and 4`);
        }
        await resumesIdentically(tmp, dir);
      });
    });
  }
}

/**
 * Losses that read another head (binary one-logit, per-class sigmoid, gaussian [mean | log-variance]) or wrap a base loss: each
 * with every optimizer, on blobs of as many classes as its head reads, resumed mid-run exactly
 * (ensloss's random derivatives come from the step seed, so SAM's passes and a resumed run agree).
 */
const headsAndWrappers = catalog.loss.entries.filter((e) => (needsOf(e).head ?? 'softmax') !== 'softmax' || e.needs.wraps === 'base');
for (const entry of headsAndWrappers) {
  for (const opt of optimizersForLosses()) {
    test(`loss ${entry.name} (head ${needsOf(entry).head ?? 'softmax'}${entry.needs.wraps ? ', wrapper' : ''}) × ${opt.name}: trains and resumes identically`, async () => {
      await withTmpDir(async (tmp) => {
        // a regression head (gaussian: [mean | log-variance]) trains on the teacher
        const dataset = needsOf(entry).task === 'regression' ? teacher : blobsFor(entry);
        const dir = await trainsCleanly(tmp, { dataset, loss: lossSpec(entry), optimizer: optimizerSpec(opt.name) });
        await resumesIdentically(tmp, dir);
      });
    });
  }
}
