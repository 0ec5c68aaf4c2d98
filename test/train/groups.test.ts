/**
 * Group ids through the step: train batches carry the rows' groups on every gather path (fresh,
 * reused buffer, resident on the device), the step's closure hands them to every evaluation and to
 * commit, evaluation hands each split's groups in order and reports per-group and worst-group
 * accuracy; every loss that declares needs.groups trains under every optimizer with a flat tensor
 * count and resumes bit for bit (its state included); the shipped group claim configs run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { tf, assertNoLeak } from '../support/tf.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { repoRoot } from '../support/cli.js';
import { loadExperiment } from '../../src/config/load.js';
import type { Dataset, LossContext, LossInput, Model, Objective } from '../../src/core/types.js';
import { catalog } from '../../src/registries.js';
import { BatchPlan } from '../../src/train/batches.js';
import { buildDataset } from '../../src/train/build.js';
import { evaluateSplit } from '../../src/train/evaluate.js';
import { makeClosure, stepContext } from '../../src/train/step.js';
import { run } from '../../src/commands/run.js';
import { buildLeak, capture, checkpointTensors, grouped, lossSpec, optimizerSpec, resumeTiny, rowsOf, runTiny, status, tensorsBin, tinyConfig, trainRows, trajectory, truncatedCopy, optimizersForLosses } from './harness.js';

async function load(spec: { name: string } & Record<string, unknown>): Promise<Dataset> {
  return withTmpDir(async (tmp) => {
    const file = join(tmp, 'data.yaml');
    writeFileSync(file, stringify(tinyConfig({ dataset: spec })));
    const loaded = await loadExperiment(file, [], { cwd: tmp });
    return buildDataset(loaded.config, { cwd: tmp, configDir: tmp });
  });
}

const ids = (t: tf.Tensor | undefined) => (t ? Array.from(t.dataSync()) : undefined);

/** Cross-entropy that records the group ids of every compute() and commit() call. */
function spyObjective(dataset: Dataset, model: Model) {
  const entry = catalog.loss.get('cross-entropy');
  const ce = entry.create(entry.schema.parse({}), { data: dataset.spec, sizes: dataset.sizes, seed: 2, embeddingDim: model.embeddingDim }) as Objective;
  const seen: { groups: number[] | undefined; rows: number[] | undefined; commit: boolean }[] = [];
  const record = (i: LossInput, _c: LossContext, commit: boolean) => seen.push({ groups: ids(i.group), rows: ids(i.index), commit });
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

test('train batches carry the rows\' group ids on the fresh, reused-buffer and device gather paths', async () => {
  const dataset = await load({ ...grouped, n_train: 40 });
  const before = tf.memory().numTensors;
  for (const options of [{}, { reuseInputs: true }, { onDevice: true }]) {
    const plan = new BatchPlan(dataset, 3, 6, options);
    assert.equal(plan.gathersOnDevice, options.onDevice === true);
    for (let s = 0; s < 15; s++) {
      const { index, group, x, y, size } = plan.trainTensors(s);
      assert.ok(group, `step ${s}: a group tensor`);
      assert.equal(group.dtype, 'int32');
      assert.deepEqual(group.shape, [size]);
      assert.deepEqual(ids(group), Array.from(dataset.gather('train', plan.indices(s).indices).group!), `${JSON.stringify(options)} step ${s}`);
      tf.dispose([index, group, x, y]);
    }
    plan.dispose();
  }
  assert.equal(tf.memory().numTensors, before, 'plans free their resident group column');
  // a dataset without groups gives batches without them
  const blobs = await load({ name: 'blobs', n_train: 20, n_test: 5 });
  for (const options of [{}, { onDevice: true }]) {
    const plan = new BatchPlan(blobs, 0, 8, options);
    const t = plan.trainTensors(0);
    assert.equal(t.group, undefined);
    tf.dispose([t.x, t.y, t.index]);
    plan.dispose();
  }
});

test('the step\'s closure hands the group ids to every evaluation and to commit', async () => {
  const dataset = await load(grouped);
  const model = mlp(dataset);
  const { objective, seen } = spyObjective(dataset, model);
  const plan = new BatchPlan(dataset, 0, 5);
  const { x, y, index, group, epoch } = plan.trainTensors(2);
  const ctx = stepContext({ config: { seed: 0 } as never, dataset }, { x, y, index, group: group! }, 2, epoch);
  await assertNoLeak(() => {
    const { closure } = makeClosure({ model, objective, params: model.params }, ctx);
    tf.tidy(() => {
      closure();
      closure(); // a SAM-type second evaluation
    });
  });
  const expected = Array.from(dataset.gather('train', plan.indices(2).indices).group!);
  assert.deepEqual(seen.map((s) => s.commit), [false, true, false]);
  for (const s of seen) assert.deepEqual(s.groups, expected);
  tf.dispose([x, y, index, group!]);
  plan.dispose();
  objective.dispose();
  model.dispose();
});

test('evaluation hands each split\'s group ids in order and reports per-group and worst-group accuracy', async () => {
  const dataset = await load(grouped);
  const model = mlp(dataset);
  const { objective, seen } = spyObjective(dataset, model);
  for (const split of ['test', 'train'] as const) {
    seen.length = 0;
    const metrics = await evaluateSplit({ dataset, model, objective, batchSize: 5, step: 1, epoch: 0, seed: 0 }, split);
    const all = dataset.gather(split, Int32Array.from({ length: dataset.sizes[split] }, (_, i) => i));
    assert.deepEqual(seen.flatMap((s) => s.groups!), Array.from(all.group!), split);
    // recompute from the model's predictions
    const pred = tf.tidy(() => Array.from(tf.argMax(model.apply(tf.tensor2d(all.x as Float32Array, [all.y.length, 2]), { training: false }).output, 1).dataSync()));
    const accs: number[] = [];
    for (let g = 0; g < 4; g++) {
      const rows = [...all.group!.keys()].filter((i) => all.group![i] === g);
      if (rows.length === 0) { assert.equal(metrics[`group_acc_${g}`], undefined); continue; }
      const acc = rows.filter((i) => pred[i] === all.y[i]).length / rows.length;
      assert.ok(Math.abs(metrics[`group_acc_${g}`]! - acc) < 1e-12, `${split} group ${g}`);
      accs.push(acc);
    }
    assert.equal(metrics.worst_group_accuracy, Math.min(...accs));
  }
  objective.dispose();
  model.dispose();
  // no group keys where there are no groups
  const blobs = await load({ name: 'blobs', n_train: 20, n_test: 5 });
  const m2 = mlp(blobs);
  const o2 = spyObjective(blobs, m2).objective;
  const metrics = await evaluateSplit({ dataset: blobs, model: m2, objective: o2, batchSize: 8, step: 1, epoch: 0, seed: 0 }, 'test');
  assert.ok(!Object.keys(metrics).some((k) => k.includes('group')), Object.keys(metrics).join(', '));
  o2.dispose();
  m2.dispose();
});

const groupLosses = catalog.loss.entries.filter((e) => e.needs.groups);

test('the registry has a loss that reads groups', () => assert.ok(groupLosses.length > 0));

for (const entry of groupLosses) {
  for (const opt of optimizersForLosses()) {
    test(`group loss ${entry.name} × ${opt.name}: trains with a flat tensor count, reports worst-group accuracy, resumes bit for bit`, async () => {
      await withTmpDir(async (tmp) => {
        const config = tinyConfig({ dataset: grouped, loss: lossSpec(entry), optimizer: optimizerSpec(opt.name) });
        const baseline = await buildLeak(tmp, 'a', config);
        const r = await runTiny(tmp, 'a', config);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(status(r.dir), 'completed');
        for (const x of trainRows(r.dir)) assert.ok(Number.isFinite(x.loss), `train loss at step ${x.step}`);
        const evals = rowsOf(r.dir).filter((x) => x.eval === true);
        assert.ok(evals.length > 0 && evals.every((x) => Number.isFinite(x.worst_group_accuracy)), 'eval rows report worst_group_accuracy');
        assert.deepEqual(r.stepTensors, r.stepTensors.map(() => r.stepTensors[0]), `live tensors per step ${r.stepTensors.join(', ')}`);
        assert.equal(r.leaked, baseline);
        // a loss that declares state (group-dro's q) has it checkpointed, moving; a stateless one (irm, vrex) has none
        const state2 = Object.entries(checkpointTensors(r.dir, 2)).filter(([k]) => k.startsWith('lossstate/'));
        const state4 = checkpointTensors(r.dir, 4);
        if ((entry.info as { state?: unknown } | undefined)?.state !== undefined) {
          assert.ok(state2.length > 0, 'the checkpoint holds the loss state');
          assert.ok(state2.some(([k, v]) => v.some((e, i) => e !== state4[k]![i])), 'the loss state changed between steps 2 and 4');
        } else assert.deepEqual(state2, [], 'a loss without declared state checkpoints none');
        const b = truncatedCopy(r.dir, 2, join(tmp, 'b'));
        const rb = await resumeTiny(tmp, b);
        assert.equal(rb.code, 0, rb.stderr);
        assert.deepEqual(trajectory(b), trajectory(r.dir));
        assert.ok(tensorsBin(b, 4).equals(tensorsBin(r.dir, 4)), 'final checkpoint tensors are identical');
      });
    });
  }
}

const claims = join(repoRoot, 'configs', 'claims', 'group-dro');
for (const name of readdirSync(claims).filter((n) => n.endsWith('.yaml'))) {
  test(`claim config group-dro/${name} runs (train.steps=2)`, async () => {
    await withTmpDir(async (tmp) => {
      const { ctx, stderr } = capture(tmp, ['run']);
      const code = await run({ config: join(claims, name), overrides: ['train.steps=2', 'backend=cpu'], runDir: join(tmp, 'run'), quiet: true }, ctx);
      assert.equal(code, 0, stderr());
      assert.ok(rowsOf(join(tmp, 'run')).some((x) => x.eval === true && Number.isFinite(x.worst_group_accuracy)));
    });
  });
}
