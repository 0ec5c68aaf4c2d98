/**
 * Batches on the default CPU path (wasm): gathered on the device from a resident copy of the train
 * split, or gathered in JS into one reused buffer, they hold exactly the values of a fresh gather;
 * a reused buffer never changes a batch already uploaded; augmented data is never made resident.
 * A run on wasm resumes bit for bit with its batches rebuilt, and `onStepEnd` sees every step.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tf } from '../support/tf.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { initBackend } from '../../src/backends/index.js';
import { BatchPlan } from '../../src/train/batches.js';
import { buildDataset } from '../../src/train/build.js';
import { loadExperiment } from '../../src/config/load.js';
import { run } from '../../src/commands/run.js';
import type { Dataset } from '../../src/core/types.js';
import { capture, resumeTiny, runTiny, tensorsBin, tinyConfig, trajectory, truncatedCopy } from './harness.js';
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';

async function dataset(tmp: string, spec: Record<string, unknown>): Promise<Dataset> {
  const file = join(tmp, 'data.yaml');
  // a regression dataset takes a regression loss, or the config does not validate
  writeFileSync(file, stringify(tinyConfig({ dataset: spec as never, ...(spec.task === 'regression' ? { loss: { name: 'mse' } } : {}) })));
  const loaded = await loadExperiment(file, [], { cwd: tmp });
  return buildDataset(loaded.config, { cwd: tmp, configDir: tmp });
}

const bits = async (t: tf.Tensor): Promise<Uint32Array> => new Uint32Array((await t.data()).slice().buffer);

describe('batches on wasm', () => {
  before(async () => {
    await initBackend('wasm');
  });

  const datasets: Record<string, Record<string, unknown>> = {
    'mnist subset (float rows, 300 train: a short last batch)': { name: 'mnist', train_size: 300, test_size: 50 },
    'blobs normalised (2 features per row)': { name: 'blobs', n_train: 90, n_test: 10, centers: 3, n_features: 2, cluster_std: 1, normalize: true },
    'teacher-student regression (float targets)': { name: 'teacher-student', task: 'regression', input_dim: 3, hidden: [], n_train: 70, n_test: 10 },
    'modular arithmetic (int32 token inputs)': { name: 'modular-arithmetic', p: 11, train_fraction: 0.6 },
  };
  for (const [label, spec] of Object.entries(datasets)) {
    it(`${label}: device and reused-buffer batches equal a fresh gather, bit for bit, across epochs`, async () => {
      await withTmpDir(async (tmp) => {
        const ds = await dataset(tmp, spec);
        const before = tf.memory().numTensors;
        const device = new BatchPlan(ds, 3, 64, { onDevice: true });
        const reused = new BatchPlan(ds, 3, 64, { reuseInputs: true });
        const fresh = new BatchPlan(ds, 3, 64);
        assert.equal(device.gathersOnDevice, true);
        assert.equal(reused.gathersOnDevice, false);
        const first = reused.trainTensors(0);
        const firstBits = await bits(first.x);
        for (let s = 0; s < 2 * device.stepsPerEpoch + 1; s++) {
          const a = device.trainTensors(s), b = reused.trainTensors(s), c = fresh.trainTensors(s);
          try {
            assert.equal(a.size, c.size);
            assert.equal(a.epoch, c.epoch);
            for (const [k, got, other] of [['x', a.x, c.x], ['y', a.y, c.y], ['index', a.index, c.index], ['x (reused)', b.x, c.x], ['y (reused)', b.y, c.y], ['index (reused)', b.index, c.index]] as const) {
              assert.deepEqual(got.shape, other.shape, `${k} shape at step ${s}`);
              assert.equal(got.dtype, other.dtype, `${k} dtype at step ${s}`);
              assert.deepEqual(await bits(got), await bits(other), `${k} at step ${s}`);
            }
          } finally {
            tf.dispose([a.x, a.y, a.index, b.x, b.y, b.index, c.x, c.y, c.index]);
          }
        }
        assert.deepEqual(await bits(first.x), firstBits, 'a batch uploaded from the reused buffer keeps its values');
        tf.dispose([first.x, first.y, first.index]);
        device.dispose();
        assert.equal(tf.memory().numTensors, before, 'dispose frees the resident split');
      });
    });
  }

  it('augmented data is gathered per step (never resident) into the reused buffer, bit for bit as fresh, each step its own crop', async () => {
    await withTmpDir(async (tmp) => {
      const ds = await dataset(tmp, { name: 'mnist', train_size: 100, test_size: 20, normalize: true, random_crop: 2, horizontal_flip: true });
      assert.equal(ds.augmented, true);
      const plan = new BatchPlan(ds, 0, 64, { onDevice: true, reuseInputs: true });
      const fresh = new BatchPlan(ds, 0, 64);
      assert.equal(plan.gathersOnDevice, false);
      const seen: Uint32Array[] = [];
      // steps 0–4: full batches of 64 and short ones of 36, every one of them into the same buffer
      for (let s = 0; s < 5; s++) {
        const a = plan.trainTensors(s), c = fresh.trainTensors(s);
        assert.deepEqual(a.x.shape, c.x.shape);
        const got = await bits(a.x);
        assert.deepEqual(got, await bits(c.x), `step ${s}`);
        seen.push(got);
        tf.dispose([a.x, a.y, a.index, c.x, c.y, c.index]);
      }
      // a resident copy would hold the rows unaugmented
      const plain = ds.gather('train', plan.indices(0).indices).x as Float32Array;
      assert.notDeepEqual(seen[0], new Uint32Array(plain.slice().buffer));
    });
  });

  it('a run on wasm resumed from a checkpoint continues exactly as if never stopped', async () => {
    await withTmpDir(async (tmp) => {
      // log_every 3 > checkpoint_every 2: the checkpoint at 2 carries a half-full logging window
      const config = { ...tinyConfig({ optimizer: { name: 'adam', lr: 0.01 }, train: { steps: 6, log_every: 3, checkpoint_every: 2 } }), backend: 'wasm' };
      const a = await runTiny(tmp, 'a', config);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(a.leaked, 0);
      const b = truncatedCopy(a.dir, 2, join(tmp, 'b'));
      const r = await resumeTiny(tmp, b);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(trajectory(b), trajectory(a.dir));
      assert.ok(tensorsBin(b, 6).equals(tensorsBin(a.dir, 6)));
    });
  });

  it('onStepEnd sees every step once, in order, with its duration', async () => {
    await withTmpDir(async (tmp) => {
      const file = join(tmp, 'hook.yaml');
      writeFileSync(file, stringify({ ...tinyConfig({ train: { steps: 5 } }), backend: 'wasm' }));
      const seen: [number, number][] = [];
      const { ctx, stderr } = capture(tmp, ['run', file]);
      const code = await run({ config: file, runDir: join(tmp, 'run'), quiet: true }, { ...ctx, onStepEnd: (step, ms) => { seen.push([step, ms]); } });
      assert.equal(code, 0, stderr());
      assert.deepEqual(seen.map(([s]) => s), [1, 2, 3, 4, 5]);
      for (const [, ms] of seen) assert.ok(ms > 0 && Number.isFinite(ms));
    });
  });
});
