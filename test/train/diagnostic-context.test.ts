/**
 * The diagnostic context's tier-2 fields: the learning rate and step a diagnostic sees (the
 * schedule's value for the step just done), evaluation on rows and sub-batches of the diagnostic
 * batch (the same numbers as the loss on the sliced batch by hand), and artifacts: written
 * atomically under <run>/artifacts/<diagnostic>/, listed in summary.json, kept across kill + resume.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { tf, assertNoLeak } from '../support/tf.js';
import { withTmpDir } from '../support/tmp-dir.js';
import type { Batch, LossContext, Model, Objective } from '../../src/core/types.js';
import { loadExperiment } from '../../src/config/load.js';
import { catalog } from '../../src/registries.js';
import { listArtifacts, readSummary } from '../../src/run/run-folder.js';
import { buildDataset } from '../../src/train/build.js';
import { artifactFolders, createDiagnosticContext, fileArtifactStore, splitRows } from '../../src/train/diagnostic-context.js';
import { forwardLoss, lossAndGrads, meanLoss } from '../../src/train/step.js';
import { resumeTiny, runTiny, tinyConfig, trajectory, truncatedCopy } from './harness.js';

async function parts() {
  const dataset = await withTmpDir(async (tmp) => {
    const file = join(tmp, 'data.yaml');
    writeFileSync(file, stringify(tinyConfig()));
    const loaded = await loadExperiment(file, [], { cwd: tmp });
    return buildDataset(loaded.config, { cwd: tmp, configDir: tmp });
  });
  const mlp = catalog.model.get('mlp');
  const model = mlp.create(mlp.schema.parse({ hidden: [4] }), { data: dataset.spec, seed: 1, head: 'logits' }) as Model;
  const entry = catalog.loss.get('cross-entropy');
  const objective = entry.create(entry.schema.parse({}), { data: dataset.spec, sizes: dataset.sizes, seed: 2, embeddingDim: model.embeddingDim }) as Objective;
  const batch: Batch = tf.tidy(() => ({ x: tf.randomNormal([7, 2], 0, 1, 'float32', 3), y: tf.tensor1d([0, 1, 2, 0, 1, 2, 1], 'int32'), index: tf.tensor1d([3, 1, 4, 0, 5, 9, 2], 'int32') }));
  const lctx: LossContext = { step: 3, epoch: 0, training: false, data: dataset.spec, seed: 0 };
  return { model, objective, params: model.params, batch, lctx, dispose: () => { model.dispose(); objective.dispose(); tf.dispose([batch.x, batch.y, batch.index]); } };
}

/** Loss and gradients on the rows `rows` of the batch, sliced by hand. */
function byHand(p: Awaited<ReturnType<typeof parts>>, rows: number[]) {
  const idx = tf.tensor1d(rows, 'int32');
  const sub: Batch = { x: tf.gather(p.batch.x, idx), y: tf.gather(p.batch.y, idx), index: tf.gather(p.batch.index, idx) };
  const r = lossAndGrads(p.params, () => meanLoss(forwardLoss(p.model, p.objective, sub, p.lctx).values));
  const per = tf.tidy(() => forwardLoss(p.model, p.objective, sub, p.lctx).values);
  tf.dispose([idx, sub.x, sub.y, sub.index]);
  return { ...r, per };
}

test('splitRows: m near-equal contiguous ranges covering the batch, the first ones larger', () => {
  assert.deepEqual(splitRows(7, 3), [{ start: 0, end: 3 }, { start: 3, end: 5 }, { start: 5, end: 7 }]);
  assert.deepEqual(splitRows(4, 4).map((r) => r.end - r.start), [1, 1, 1, 1]);
  assert.throws(() => splitRows(4, 5), /m must be an integer in \[1, 4\]/);
  assert.throws(() => splitRows(4, 0), /m must be/);
});

test('evaluate(at, rows), perExampleLoss(rows) and subBatches(m) equal the loss on the sliced batch by hand', async () => {
  const p = await parts();
  const ctx = createDiagnosticContext(p, p.batch, p.lctx, 3, { lr: 0.2 });
  assert.equal(ctx.batchSize, 7);
  assert.equal(ctx.lr, 0.2);
  assert.equal(ctx.step, 3);
  await assertNoLeak(() => {
    const cases: [Parameters<typeof ctx.evaluate>[1], number[]][] = [
      [{ start: 2, end: 5 }, [2, 3, 4]],
      [new Int32Array([6, 0, 3]), [6, 0, 3]],
      [undefined, [0, 1, 2, 3, 4, 5, 6]],
    ];
    for (const [rows, list] of cases) {
      const a = ctx.evaluate(undefined, rows);
      const b = byHand(p, list);
      assert.deepEqual(a.loss.dataSync(), b.loss.dataSync(), `loss on ${list.join()}`);
      a.grads.forEach((g, i) => assert.deepEqual(g.dataSync(), b.grads[i]!.dataSync(), `${p.params[i]!.name} on ${list.join()}`));
      const per = ctx.perExampleLoss(rows);
      assert.deepEqual(per.dataSync(), b.per.dataSync());
      tf.dispose([a.loss, ...a.grads, b.loss, ...b.grads, b.per, per]);
    }
    // at other weights, on rows: θ + 0.1 on the rows [1, 4)
    const at = p.params.map((q) => tf.add(q.variable, 0.1));
    const a = ctx.evaluate(at, { start: 1, end: 4 });
    const origin = p.params.map((q) => q.variable.clone());
    p.params.forEach((q, i) => q.variable.assign(at[i]!));
    const b = byHand(p, [1, 2, 3]);
    p.params.forEach((q, i) => q.variable.assign(origin[i]!));
    assert.deepEqual(a.loss.dataSync(), b.loss.dataSync());
    tf.dispose([...at, ...origin, a.loss, ...a.grads, b.loss, ...b.grads, b.per]);
    // sub-batches: the mean of the sub-batch losses weighted by size is the batch loss
    const subs = ctx.subBatches(3);
    assert.deepEqual(subs.map((s) => s.rows), splitRows(7, 3));
    const whole = ctx.perExampleLoss();
    const parts2 = subs.map((s) => s.perExampleLoss());
    assert.deepEqual(Array.from(whole.dataSync()), parts2.flatMap((t) => Array.from(t.dataSync())));
    const first = subs[0]!.evaluate();
    const ref = byHand(p, [0, 1, 2]);
    assert.deepEqual(first.loss.dataSync(), ref.loss.dataSync());
    tf.dispose([whole, ...parts2, first.loss, ...first.grads, ref.loss, ...ref.grads, ref.per]);
  }, 'sub-batch evaluation');
  assert.throws(() => ctx.evaluate(undefined, { start: 3, end: 9 }), /not a non-empty range inside the batch \[0, 7\)/);
  assert.throws(() => ctx.perExampleLoss(new Int32Array([7])), /row 7 outside the batch/);
  p.dispose();
});

test('file artifacts: replaced atomically (no temp files), read back, listed sorted; names are plain file names', async () => {
  await withTmpDir(async (tmp) => {
    const store = fileArtifactStore(tmp);
    assert.equal(store.read('d', 'a.csv'), undefined);
    assert.equal(store.write('d', 'a.csv', 'x\n'), 'artifacts/d/a.csv');
    store.write('d', 'a.csv', 'y\n');
    store.write('c', 'b.bin', new Uint8Array([1, 2, 3]));
    assert.equal(store.read('d', 'a.csv'), 'y\n');
    assert.deepEqual([...readFileSync(join(tmp, 'artifacts', 'c', 'b.bin'))], [1, 2, 3]);
    assert.deepEqual(readdirSync(join(tmp, 'artifacts', 'd')), ['a.csv'], 'no temp file left beside it');
    writeFileSync(join(tmp, 'artifacts', 'd', '.a.csv.host.1.0.tmp'), 'torn');
    assert.deepEqual(listArtifacts(tmp), ['artifacts/c/b.bin', 'artifacts/d/a.csv'], 'hidden temp files are not listed');
    assert.throws(() => store.write('d', '../x', ''), /letters, digits/);
    assert.throws(() => store.write('d', 'sub/x', ''), /letters, digits/);
    assert.deepEqual(listArtifacts(join(tmp, 'none')), []);
  });
});

test('artifact folders: the diagnostic name, suffixed with its index when the config lists the name twice', () => {
  assert.deepEqual(artifactFolders([{ name: 'a' }, { name: 'b' }, { name: 'a' }]), ['a-0', 'b', 'a-2']);
});

const config = () => ({
  ...tinyConfig({ diagnostics: [{ name: 'edge-of-stability', every: 1, iterations: 5 }], train: { steps: 6, checkpoint_every: 2 } }),
  schedule: { name: 'linear' },
});

function csvRows(dir: string): string[][] {
  return readFileSync(join(dir, 'artifacts', 'edge-of-stability', 'eos.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
}

test('in a run: a diagnostic sees step and the schedule\'s lr; its artifact is listed in summary.json and survives kill + resume', async () => {
  await withTmpDir(async (tmp) => {
    const a = await runTiny(tmp, 'a', config());
    assert.equal(a.code, 0, a.stderr);
    // linear decay from 0.05 over 6 steps: step `done` ran with lr(done − 1) = 0.05·(7 − done)/6
    const rows = csvRows(a.dir);
    assert.deepEqual(rows.map((r) => Number(r[0])), [1, 2, 3, 4, 5, 6]);
    rows.forEach((r) => assert.ok(Math.abs(Number(r[1]) - (0.05 * (7 - Number(r[0]))) / 6) < 1e-12, `lr at step ${r[0]}: ${r[1]}`));
    rows.forEach((r) => assert.ok(Math.abs(Number(r[3]) - 2 / Number(r[1])) < 1e-9, 'threshold 2/η'));
    assert.deepEqual(readSummary(a.dir)!.artifacts, ['artifacts/edge-of-stability/eos.csv']);
    // killed after step 6 with its last checkpoint at 2: the artifact of the first session stays, the resumed
    // run re-measures steps 3–6 in place, and an artifact written only before the kill is still listed
    const b = truncatedCopy(a.dir, 2, join(tmp, 'b'));
    mkdirSync(join(b, 'artifacts', 'other'), { recursive: true });
    writeFileSync(join(b, 'artifacts', 'other', 'note.txt'), 'kept\n');
    const r = await resumeTiny(tmp, b);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(csvRows(b), rows, 'the same eos.csv as the uninterrupted run');
    assert.deepEqual(trajectory(b), trajectory(a.dir));
    assert.deepEqual(readSummary(b)!.artifacts, ['artifacts/edge-of-stability/eos.csv', 'artifacts/other/note.txt']);
    assert.ok(existsSync(join(b, 'artifacts', 'other', 'note.txt')));
  });
});

test('a run without artifacts has no artifacts key in summary.json', async () => {
  await withTmpDir(async (tmp) => {
    const r = await runTiny(tmp, 'plain', tinyConfig({ train: { steps: 2 } }));
    assert.equal(r.code, 0, r.stderr);
    assert.equal('artifacts' in readSummary(r.dir)!, false);
  });
});
