/**
 * Example identity: the objective sees the split row ids of its batch, in training (the plan's
 * indices for the step, on every gather path) and in evaluation (each split's rows in order), and
 * per-example state keyed by them is read, written once per step and checkpointed exactly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { tf, assertNoLeak } from '../support/tf.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { loadExperiment } from '../../src/config/load.js';
import type { Dataset, LossContext, LossInput, Model, Objective } from '../../src/core/types.js';
import { perExampleState } from '../../src/losses/per-example-state.js';
import { catalog } from '../../src/registries.js';
import { BatchPlan } from '../../src/train/batches.js';
import { buildDataset } from '../../src/train/build.js';
import { evaluateSplit } from '../../src/train/evaluate.js';
import { makeClosure, stepContext } from '../../src/train/step.js';
import { tinyConfig } from './harness.js';

async function blobs(): Promise<Dataset> {
  return withTmpDir(async (tmp) => {
    const file = join(tmp, 'data.yaml');
    writeFileSync(file, stringify(tinyConfig({ dataset: { name: 'blobs', n_train: 20, n_test: 11, centers: 3, n_features: 2, cluster_std: 1 } })));
    const loaded = await loadExperiment(file, [], { cwd: tmp });
    return buildDataset(loaded.config, { cwd: tmp, configDir: tmp });
  });
}

/** Cross-entropy that records the row ids and split of every compute() and commit() call. */
function spyObjective(dataset: Dataset, model: Model) {
  const entry = catalog.loss.get('cross-entropy');
  const ce = entry.create(entry.schema.parse({}), { data: dataset.spec, sizes: dataset.sizes, seed: 2, embeddingDim: model.embeddingDim }) as Objective;
  const seen: { ids: number[]; split: string | undefined; commit: boolean }[] = [];
  const record = (i: LossInput, c: LossContext, commit: boolean) => {
    assert.ok(i.index, 'the loss input carries the batch row ids');
    seen.push({ ids: Array.from(i.index.dataSync()), split: c.split, commit });
  };
  const objective: Objective = {
    ...ce,
    compute: (i, c) => {
      record(i, c, false);
      return ce.compute(i, c);
    },
    commit: (i, c) => record(i, c, true),
    dispose: () => ce.dispose(),
  };
  return { objective, seen };
}

function mlp(dataset: Dataset): Model {
  const entry = catalog.model.get('mlp');
  return entry.create(entry.schema.parse({ hidden: [4] }), { data: dataset.spec, seed: 1, head: 'logits' }) as Model;
}

test('train batches carry the plan\'s row ids, on the fresh and the reused-buffer gather paths', async () => {
  const dataset = await blobs();
  for (const options of [{}, { reuseInputs: true }]) {
    const plan = new BatchPlan(dataset, 3, 6, options);
    for (let s = 0; s < 9; s++) {
      const { index, x, y, size } = plan.trainTensors(s);
      assert.deepEqual(Array.from(index.dataSync()), Array.from(plan.indices(s).indices), `step ${s}`);
      assert.equal(index.dtype, 'int32');
      assert.equal(index.shape[0], size);
      tf.dispose([index, x, y]);
    }
    plan.dispose();
  }
});

test('the step\'s closure hands the row ids to every evaluation and commits once, with split "train"', async () => {
  const dataset = await blobs();
  const model = mlp(dataset);
  const { objective, seen } = spyObjective(dataset, model);
  const plan = new BatchPlan(dataset, 0, 5);
  const { x, y, index, epoch } = plan.trainTensors(2);
  const ctx = stepContext({ config: { seed: 0 } as never, dataset }, { x, y, index }, 2, epoch);
  await assertNoLeak(() => {
    const { closure } = makeClosure({ model, objective, params: model.params }, ctx);
    tf.tidy(() => {
      closure();
      closure(); // a SAM-type second evaluation
    });
  });
  const ids = Array.from(plan.indices(2).indices);
  assert.deepEqual(seen.map((s) => s.commit), [false, true, false]);
  for (const s of seen) {
    assert.deepEqual(s.ids, ids);
    assert.equal(s.split, 'train');
  }
  tf.dispose([x, y, index]);
  plan.dispose();
  objective.dispose();
  model.dispose();
});

test('evaluation hands each split\'s row ids in order, batch by batch, with the split named', async () => {
  const dataset = await blobs();
  const model = mlp(dataset);
  const { objective, seen } = spyObjective(dataset, model);
  for (const split of ['test', 'train'] as const) {
    seen.length = 0;
    await evaluateSplit({ dataset, model, objective, batchSize: 4, step: 1, epoch: 0, seed: 0 }, split);
    assert.deepEqual(seen.flatMap((s) => s.ids), [...Array(dataset.sizes[split]).keys()], split);
    assert.deepEqual(new Set(seen.map((s) => s.split)), new Set([split]));
    assert.ok(seen.every((s) => s.ids.length <= 4));
  }
  objective.dispose();
  model.dispose();
});

test('per-example state: rows read and written by id, checkpointed exactly, without leaks', async () => {
  const state = perExampleState('loss/test/lambda', 5, 2, 1.5);
  await assertNoLeak(() => {
    tf.tidy(() => {
      const ids = tf.tensor1d([3, 0], 'int32');
      assert.deepEqual(Array.from(state.read(ids).dataSync()), [1.5, 1.5, 1.5, 1.5]);
      state.write(ids, tf.tensor2d([[0.1, 0.2], [0.3, 0.4]]));
      const after = state.read(tf.tensor1d([0, 1, 3], 'int32'));
      assert.deepEqual(Array.from(after.dataSync()), Array.from(Float32Array.from([0.3, 0.4, 1.5, 1.5, 0.1, 0.2])));
    });
  }, 'read/write');
  // a checkpoint round trip restores the table bit for bit
  const saved = state.getState();
  const copy = perExampleState('loss/test/lambda', 5, 2);
  copy.setState(saved);
  assert.deepEqual(copy.getState()['loss/test/lambda']!.dataSync(), saved['loss/test/lambda']!.dataSync());
  assert.throws(() => copy.setState({}), /lacks the per-example state "loss\/test\/lambda"/);
  assert.throws(() => copy.setState({ 'loss/test/lambda': tf.zeros([4, 2]) }), /expected \[5, 2\]/);
  assert.throws(() => perExampleState('loss/x', 0, 1), /number of training examples/);
  tf.dispose(Object.values(saved));
  state.dispose();
  copy.dispose();
});
