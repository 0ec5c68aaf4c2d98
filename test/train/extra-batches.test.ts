/**
 * Closures over other batches: an optimizer's ctx.evaluateBatch(k, at?) evaluates the step's k-th
 * extra batch (train rows drawn as a pure function of seed, step and k), at the step's weights or
 * at `at`, restores the variables, counts in gradEvals, and never commits loss state or moves
 * BatchNorm statistics.
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
import { stateless } from '../../src/optim/index.js';
import { normalizeParams, optimizerFacade } from '../../src/optim/optimizer.js';
import type { Closure } from '../../src/optim/types.js';
import { catalog } from '../../src/registries.js';
import { BatchPlan } from '../../src/train/batches.js';
import { buildDataset } from '../../src/train/build.js';
import { forwardLoss, meanLoss, stepContext, trainStep } from '../../src/train/step.js';
import { tinyConfig } from './harness.js';

async function blobs(): Promise<Dataset> {
  return withTmpDir(async (tmp) => {
    const file = join(tmp, 'data.yaml');
    writeFileSync(file, stringify(tinyConfig({ dataset: { name: 'blobs', n_train: 30, n_test: 10, centers: 3, n_features: 2, cluster_std: 1 } })));
    const loaded = await loadExperiment(file, [], { cwd: tmp });
    return buildDataset(loaded.config, { cwd: tmp, configDir: tmp });
  });
}

test('extra batches are a pure function of (seed, step, k): distinct rows, independent of the plan\'s order', async () => {
  const dataset = await blobs();
  const a = new BatchPlan(dataset, 4, 8);
  const b = new BatchPlan(dataset, 4, 8, { sampler: { name: 'class-balanced' } } as never);
  const rows = Array.from(a.extraIndices(5, 1));
  assert.equal(rows.length, 8);
  assert.equal(new Set(rows).size, 8);
  assert.ok(rows.every((r) => r >= 0 && r < 30));
  assert.deepEqual(Array.from(b.extraIndices(5, 1)), rows, 'the sampler does not change them');
  assert.notDeepEqual(Array.from(a.extraIndices(5, 0)), rows);
  assert.notDeepEqual(Array.from(a.extraIndices(6, 1)), rows);
  const t = a.extraTensors(5, 1);
  assert.deepEqual(Array.from(t.index.dataSync()), rows);
  assert.deepEqual(t.x.shape, [8, 2]);
  tf.dispose([t.x, t.y, t.index]);
});

test('the facade: evaluateBatch at the step\'s weights and at `at`, variables restored, counted in gradEvals', async () => {
  const w = tf.variable(tf.tensor1d([1, 2]), true, 'extra-w');
  // loss_k(w) = Σ (w − k)²: the k-th extra batch pulls w towards k
  const lossAt = (k: number): Closure => () => tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(tf.sub(w, k))) as tf.Scalar, [w]);
    return { loss: value, grads: [grads[w.name]!] };
  });
  const seen: number[][] = [];
  const toy = stateless('toy', (g, params, ctx) => {
    const e0 = ctx.evaluateBatch(0);
    const e2 = ctx.evaluateBatch(2, [tf.tensor1d([5, 5])]);
    seen.push(Array.from(e0.grads[0]!.dataSync()), Array.from(e2.grads[0]!.dataSync()), Array.from(params[0]!.dataSync()));
    return [tf.mul(-0.1, tf.add(g[0]!, e0.grads[0]!))];
  });
  const opt = optimizerFacade(toy, {}, normalizeParams([{ name: 'w', variable: w, role: 'kernel' }]));
  await assertNoLeak(() => {
    const r = tf.tidy(() => {
      const out = opt.step(lossAt(0), (k) => lossAt(k));
      assert.equal(out.gradEvals, 3);
      return out.loss;
    });
    r.dispose();
  });
  // at w = [1, 2]: main grad 2w = [2, 4]; batch 0 the same; batch 2 at [5, 5]: 2([5, 5] − 2) = [6, 6]
  assert.deepEqual(seen, [[2, 4], [6, 6], [1, 2]]);
  assert.deepEqual(Array.from(w.dataSync()), Array.from(Float32Array.from([1 - 0.1 * 4, 2 - 0.1 * 8])));
  assert.throws(() => tf.tidy(() => opt.step(lossAt(0)).loss), /evaluates extra batches, but the caller supplied none/);
  opt.dispose();
  w.dispose();
});

test('through the step: extra closures evaluate the extra rows with the step\'s loss context, commit nothing, leak nothing', async () => {
  const dataset = await blobs();
  const mlp = catalog.model.get('mlp');
  const model = mlp.create(mlp.schema.parse({ hidden: [4], batch_norm: true }), { data: dataset.spec, seed: 1, head: 'logits' }) as Model;
  const entry = catalog.loss.get('cross-entropy');
  const ce = entry.create(entry.schema.parse({}), { data: dataset.spec, sizes: dataset.sizes, seed: 2, embeddingDim: model.embeddingDim }) as Objective;
  const commits: number[][] = [];
  const objective: Objective = { ...ce, compute: (i: LossInput, c: LossContext) => ce.compute(i, c), commit: (i) => { commits.push(Array.from(i.index!.dataSync())); }, dispose: () => ce.dispose() };
  const plan = new BatchPlan(dataset, 0, 6);
  const losses: number[] = [];
  const optimizer = optimizerFacade(stateless('toy', (g, _p, ctx) => {
    losses.push(ctx.evaluateBatch(1).loss.dataSync()[0]!);
    return g.map((x) => tf.mul(-0.01, x));
  }), {}, normalizeParams(model.params));
  const { x, y, index, epoch } = plan.trainTensors(3);
  const ctx = stepContext({ config: { seed: 0 } as never, dataset }, { x, y, index }, 3, epoch);
  const bufferBits = () => model.buffers.map((b) => Array.from(b.variable.dataSync()));
  // the reference: the loss at the step's starting weights on the extra rows, in training mode
  const want = tf.tidy(() => {
    const batch = plan.extraTensors(3, 1);
    return meanLoss(forwardLoss(model, objective, batch, { ...ctx.loss }, 0).values).dataSync()[0]!;
  });
  commits.length = 0;
  const before = tf.memory().numTensors;
  const out = trainStep({ model, objective, params: model.params, optimizer }, ctx, (k) => plan.extraTensors(3, k));
  tf.dispose([out.loss, ...Object.values(out.diagnostics)]);
  assert.equal(tf.memory().numTensors, before, 'the extra batch\'s tensors are freed with the step');
  assert.equal(out.gradEvals, 2);
  assert.ok(Math.abs(losses[0]! - want) < 1e-6, `${losses[0]} vs ${want}`);
  assert.deepEqual(commits, [Array.from(plan.indices(3).indices)], 'only the step\'s own batch commits');
  assert.ok(bufferBits().length > 0);
  tf.dispose([x, y, index]);
  optimizer.dispose();
  objective.dispose();
  model.dispose();
});
