/**
 * Losses that keep per-example state (the entries whose info names a `perExampleState`: aldr-kl,
 * saf) through the whole trainer with every optimizer: they train cleanly with a flat tensor count,
 * their tables are checkpointed and move, and a run resumed from a mid-epoch checkpoint reproduces
 * the uninterrupted run bit for bit, tables included. Plus: through the step's closure, a SAM-type
 * second evaluation sees the state of the first and the table changes once per step.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tf } from '../support/tf.js';
import { withTmpDir } from '../support/tmp-dir.js';
import type { Dataset, Model, Objective } from '../../src/core/types.js';
import { catalog } from '../../src/registries.js';
import { BatchPlan } from '../../src/train/batches.js';
import { makeClosure, stepContext } from '../../src/train/step.js';
import {
  assertFlatAndResumes, blobs, buildLeak, checkpointTensors, lossSpec, optimizerSpec, resumeTiny, rowsOf, runTiny, status, tensorsBin, tinyConfig, trainRows, trajectory, truncatedCopy, optimizersForLosses } from './harness.js';
import { loadExperiment } from '../../src/config/load.js';
import { buildDataset } from '../../src/train/build.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';

const stateful = catalog.loss.entries.filter((e) => e.info?.perExampleState !== undefined);

test('the per-example-state losses are registered', () => {
  assert.deepEqual(stateful.map((e) => e.name).sort(), ['aldr-kl', 'saf']);
});

for (const entry of stateful) {
  for (const opt of optimizersForLosses()) {
    test(`per-example state: ${entry.name} × ${opt.name} trains, checkpoints its table and resumes identically`, async () => {
      await withTmpDir(async (tmp) => {
        const config = tinyConfig({ dataset: blobs, loss: lossSpec(entry), optimizer: optimizerSpec(opt.name) });
        const baseline = await buildLeak(tmp, 'a', config);
        const r = await runTiny(tmp, 'a', config);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(status(r.dir), 'completed');
        for (const x of trainRows(r.dir)) assert.ok(Number.isFinite(x.loss), `train loss at step ${x.step}`);
        for (const x of rowsOf(r.dir).filter((x) => x.eval === true)) assert.ok(Number.isFinite(x.loss), `eval loss at step ${x.step}`);
        assert.deepEqual(r.stepTensors, r.stepTensors.map(() => r.stepTensors[0]), `live tensors per step ${r.stepTensors.join(', ')}`);
        assert.equal(r.leaked, baseline, `run() left ${r.leaked} tensors, building and disposing alone ${baseline}`);
        const at2 = checkpointTensors(r.dir, 2);
        const at4 = checkpointTensors(r.dir, 4);
        const tables = Object.keys(at4).filter((k) => k.startsWith(`lossstate/loss/${entry.name}/`));
        assert.ok(tables.length > 0, `checkpoint holds the tables (${Object.keys(at4).join(', ')})`);
        assert.ok(tables.some((k) => at4[k]!.some((v, i) => v !== at2[k]![i])), 'a table changed between steps 2 and 4');
        // kill after step 2, resume: the same trajectory and the same tables, bit for bit
        const b = truncatedCopy(r.dir, 2, join(tmp, 'b'));
        const resumed = await resumeTiny(tmp, b);
        assert.equal(resumed.code, 0, resumed.stderr);
        assert.deepEqual(trajectory(b), trajectory(r.dir));
        const again = checkpointTensors(b, 4);
        for (const k of tables) assert.ok(Buffer.from(again[k]!.buffer).equals(Buffer.from(at4[k]!.buffer)), `${k} after resume`);
        assert.ok(tensorsBin(b, 4).equals(tensorsBin(r.dir, 4)), 'final checkpoint tensors are identical');
      });
    });
  }
}

for (const entry of stateful) {
  test(`per-example state: ${entry.name} × sam on the wasm backend: flat tensor count, resumes identically`, async () => {
    await withTmpDir(async (tmp) => {
      const config = { ...tinyConfig({ dataset: blobs, loss: lossSpec(entry), optimizer: optimizerSpec('sam') }), backend: 'wasm' };
      const r = await runTiny(tmp, 'a', config);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(status(r.dir), 'completed');
      assert.equal(JSON.parse(readFileSync(join(r.dir, 'summary.json'), 'utf8')).backend, 'wasm');
      await assertFlatAndResumes(tmp, r);
    });
  });
}

async function blobsDataset(): Promise<Dataset> {
  return withTmpDir(async (tmp) => {
    const file = join(tmp, 'data.yaml');
    writeFileSync(file, stringify(tinyConfig({ dataset: blobs })));
    const loaded = await loadExperiment(file, [], { cwd: tmp });
    return buildDataset(loaded.config, { cwd: tmp, configDir: tmp });
  });
}

test('aldr-kl through the closure: a second evaluation of the step sees the same λ, the table changes once per step', async () => {
  const dataset = await blobsDataset();
  const modelEntry = catalog.model.get('mlp');
  const model = modelEntry.create(modelEntry.schema.parse({ hidden: [4] }), { data: dataset.spec, seed: 1, head: 'logits' }) as Model;
  const lossEntry = catalog.loss.get('aldr-kl');
  const objective = lossEntry.create(lossEntry.schema.parse({}), { data: dataset.spec, sizes: dataset.sizes, seed: 2, embeddingDim: model.embeddingDim }) as Objective;
  const table = () => {
    const s = objective.getState!();
    const v = Array.from(s['loss/aldr-kl/lambda']!.dataSync());
    tf.dispose(Object.values(s));
    return v;
  };
  const plan = new BatchPlan(dataset, 0, 8);
  const initial = table();
  const losses: number[] = [];
  const { x, y, index, epoch } = plan.trainTensors(0);
  for (const step of [0, 1]) { // the same batch again as the next step, at the same weights
    const ctx = stepContext({ config: { seed: 0 } as never, dataset }, { x, y, index }, step, epoch);
    const { closure } = makeClosure({ model, objective, params: model.params }, ctx);
    const before = table();
    const first = tf.tidy(() => closure().loss.dataSync()[0]!);
    const afterFirst = table();
    const second = tf.tidy(() => closure().loss.dataSync()[0]!); // SAM-type re-evaluation at the same weights
    assert.equal(second, first, `step ${step}: the second evaluation sees the same per-example state`);
    assert.deepEqual(table(), afterFirst, `step ${step}: the table changes once per step`);
    const ids = new Set(Array.from(index.dataSync()));
    afterFirst.forEach((v, i) => {
      if (!ids.has(i)) assert.equal(v, before[i], `row ${i} outside the batch is untouched`);
    });
    assert.ok(Array.from(ids).some((i) => afterFirst[i] !== before[i]), 'the batch rows moved');
    losses.push(first);
  }
  tf.dispose([x, y, index]);
  assert.notEqual(losses[1], losses[0], 'the second visit reads the λ written at the first');
  assert.ok(initial.every((v) => v === 1));
  plan.dispose();
  objective.dispose();
  model.dispose();
});
