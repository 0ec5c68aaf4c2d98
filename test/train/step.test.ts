/**
 * The trainer's parts on their own: the one forward-and-loss pass (step.ts) that the closure, the
 * diagnostics and evaluation share; the closure's first-evaluation rule (BatchNorm statistics and
 * commit() from the first call only); the diagnostics' evaluate(at) with offsetBy (weights restored
 * exactly, the same numbers as assigning θ + offset); the metric window's rows, counters and NaN
 * stop; BatchPlan.forBackend's choice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, assertNoLeak } from '../support/tf.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { NonFiniteLossError } from '../../src/core/errors.js';
import { hashSeed } from '../../src/core/random.js';
import type { Batch, LossContext, LossInput, Model, Objective } from '../../src/core/types.js';
import { offsetBy } from '../../src/diagnostics/index.js';
import { catalog } from '../../src/registries.js';
import { readMetrics } from '../../src/run/run-folder.js';
import { RunWriter } from '../../src/run/run-writer.js';
import { BatchPlan } from '../../src/train/batches.js';
import { createDiagnosticContext } from '../../src/train/diagnostic-context.js';
import { MetricWindow } from '../../src/train/metric-window.js';
import { forwardLoss, lossAndGrads, makeClosure, meanLoss, stepContext } from '../../src/train/step.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadExperiment } from '../../src/config/load.js';
import { buildDataset } from '../../src/train/build.js';
import { tinyConfig } from './harness.js';

/** The harness's `blobs` train split: 24 rows, 3 classes, 2 features. */
async function blobsDataset() {
  return withTmpDir(async (tmp) => {
    const file = join(tmp, 'data.yaml');
    writeFileSync(file, stringify(tinyConfig()));
    const loaded = await loadExperiment(file, [], { cwd: tmp });
    return buildDataset(loaded.config, { cwd: tmp, configDir: tmp });
  });
}

async function tinyParts(batchNorm: boolean) {
  const dataset = await blobsDataset();
  const mlp = catalog.model.get('mlp');
  const model = mlp.create(mlp.schema.parse({ hidden: [4], batch_norm: batchNorm }), { data: dataset.spec, seed: 1, head: 'logits' }) as Model;
  const commits: number[] = [];
  const entry = catalog.loss.get('cross-entropy');
  const ce = entry.create(entry.schema.parse({}), { data: dataset.spec, sizes: dataset.sizes, seed: 2, embeddingDim: model.embeddingDim }) as Objective;
  // cross-entropy with a commit() that records its calls
  const objective: Objective = { ...ce, compute: (i: LossInput, c: LossContext) => ce.compute(i, c), commit: (_i, c) => { commits.push(c.step); }, dispose: () => ce.dispose() };
  const batch: Batch = tf.tidy(() => ({ x: tf.randomNormal([6, 2], 0, 1, 'float32', 3), y: tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32'), index: tf.tensor1d([0, 1, 2, 3, 4, 5], 'int32') }));
  return { dataset, model, objective, params: model.params, batch, commits, dispose: () => { model.dispose(); objective.dispose(); tf.dispose([batch.x, batch.y, batch.index]); } };
}

test('the closure: BatchNorm statistics and commit() come from the first call only; later calls only evaluate', async () => {
  const p = await tinyParts(true);
  const config = { seed: 5 } as never;
  const ctx = stepContext({ config, dataset: p.dataset }, p.batch, 3, 1);
  assert.equal(ctx.loss.seed, hashSeed(5, 'loss', 3));
  assert.equal(ctx.dropoutSeed, hashSeed(5, 'dropout', 3));
  await assertNoLeak(() => {
    const { closure, statistics } = makeClosure(p, ctx);
    const first = closure();
    const kept = statistics();
    assert.ok(kept.length >= 2, 'the BN layer reports its running mean and variance');
    const firstValues = kept.map(([, t]) => Array.from(t.dataSync()));
    // a second call at other weights: the loss changes, the kept statistics do not
    const moved = p.params.map((q) => tf.add(q.variable, 0.5));
    const origin = p.params.map((q) => q.variable.clone());
    p.params.forEach((q, i) => q.variable.assign(moved[i]!));
    const second = closure();
    p.params.forEach((q, i) => q.variable.assign(origin[i]!));
    assert.notEqual(first.loss.dataSync()[0], second.loss.dataSync()[0]);
    assert.equal(statistics(), kept);
    assert.deepEqual(kept.map(([, t]) => Array.from(t.dataSync())), firstValues);
    assert.deepEqual(p.commits, [3], 'commit() once, with the step\'s loss context');
    tf.dispose([first.loss, ...first.grads, second.loss, ...second.grads, ...moved, ...origin, ...kept.map(([, t]) => t)]);
  }, 'closure');
  p.dispose();
});

test('forwardLoss is the closure\'s pass: the mean of its values and their gradients equal the first closure call', async () => {
  const p = await tinyParts(false);
  const ctx = stepContext({ config: { seed: 0 } as never, dataset: p.dataset }, p.batch, 0, 0);
  const { closure } = makeClosure(p, ctx);
  const a = closure();
  const b = lossAndGrads(p.params, () => meanLoss(forwardLoss(p.model, p.objective, p.batch, ctx.loss, ctx.dropoutSeed).values));
  assert.deepEqual(a.loss.dataSync(), b.loss.dataSync());
  a.grads.forEach((g, i) => assert.deepEqual(g.dataSync(), b.grads[i]!.dataSync()));
  tf.dispose([a.loss, ...a.grads, b.loss, ...b.grads]);
  p.dispose();
});

test('diagnostic context: evaluate(offsetBy(θ, o)) equals the loss at θ + o and restores θ exactly; perExampleLoss is per row', async () => {
  const p = await tinyParts(true);
  const lctx: LossContext = { step: 1, epoch: 0, training: false, data: p.dataset.spec, seed: 0 };
  const ctx = createDiagnosticContext(p, p.batch, lctx, 1);
  const before = p.params.map((q) => Array.from(q.variable.dataSync()));
  const offset: tf.NamedTensorMap = {};
  for (const q of p.params) offset[q.name] = tf.fill(q.variable.shape, 0.01);
  await assertNoLeak(() => {
    const at = offsetBy(p.params, offset);
    const r = ctx.evaluate(at);
    // the same point by hand: assign θ + o, evaluate, put θ back
    const origin = p.params.map((q) => q.variable.clone());
    p.params.forEach((q, i) => q.variable.assign(at[i]!));
    const ref = lossAndGrads(p.params, () => meanLoss(forwardLoss(p.model, p.objective, p.batch, lctx).values));
    p.params.forEach((q, i) => q.variable.assign(origin[i]!));
    assert.deepEqual(r.loss.dataSync(), ref.loss.dataSync());
    r.grads.forEach((g, i) => assert.deepEqual(g.dataSync(), ref.grads[i]!.dataSync(), p.params[i]!.name));
    const per = ctx.perExampleLoss();
    assert.deepEqual(per.shape, [6]);
    tf.dispose([...at, r.loss, ...r.grads, ...origin, ref.loss, ...ref.grads, per]);
  }, 'diagnostic evaluate');
  assert.deepEqual(p.params.map((q) => Array.from(q.variable.dataSync())), before, 'weights restored exactly');
  assert.throws(() => ctx.evaluate([]), /0 values for/);
  tf.dispose(Object.values(offset));
  p.dispose();
});

test('metric window: one row per logEvery steps with window means, counters carried over, a NaN loss stops with its step and frees the queue', async () => {
  await withTmpDir(async (tmp) => {
    const writer = new RunWriter(tmp);
    const window = new MetricWindow({ writer, logEvery: 2, totalSteps: 5, stepsPerEpoch: 2, syncEvery: 10, hyperparams: () => ({ lr: 0.1 }) }, { lossSum: 1, count: 1, gradEvals: 2 });
    const clock = () => ({ elapsedS: 2, samples: 8 });
    const push = (step: number, loss: number) => window.push(step, { loss: tf.scalar(loss), diagnostics: { tau: tf.scalar(step) }, gradEvals: 2 });
    const live = tf.memory().numTensors;
    push(2, 3);
    push(3, 5);
    assert.equal(window.full, false);
    await window.drain(clock);
    assert.equal(tf.memory().numTensors, live, 'drained losses are freed');
    assert.deepEqual(window.counters(), { lossSum: 5, count: 1, gradEvals: 2 });
    assert.equal(window.lastLoss, 5);
    const rows = readMetrics(tmp);
    assert.deepEqual(rows, [{ step: 2, epoch: 0, split: 'train', loss: 2, lr: 0.1, grad_evals: 2, tau: 2, time_s: 2, samples_per_s: 4 }]);
    push(4, Number.NaN);
    push(5, 1);
    await assert.rejects(window.drain(clock), (e: unknown) => e instanceof NonFiniteLossError && /step 4/.test(e.message));
    assert.equal(tf.memory().numTensors, live, 'the queue is freed');
    assert.equal(readMetrics(tmp).length, 1);
  });
});

test('BatchPlan.forBackend: wasm gathers into a reused buffer (on the device with the kernel pack), other backends do neither', async () => {
  const dataset = await blobsDataset();
  assert.equal(BatchPlan.forBackend(dataset, 0, 8, 'cpu').gathersOnDevice, false);
  const a = BatchPlan.forBackend(dataset, 0, 8, 'cpu').trainBatch(0).arrays.x;
  const plan = BatchPlan.forBackend(dataset, 0, 8, 'cpu');
  assert.notEqual(plan.trainBatch(0).arrays.x, plan.trainBatch(1).arrays.x, 'cpu: a fresh array per batch');
  const wasm = BatchPlan.forBackend(dataset, 0, 8, 'wasm');
  if (!wasm.gathersOnDevice) assert.equal(wasm.trainBatch(0).arrays.x, wasm.trainBatch(1).arrays.x, 'wasm: one reused buffer');
  assert.deepEqual(Array.from(wasm.trainBatch(0).arrays.x), Array.from(a));
});
