/**
 * Group ids on the default CPU path (wasm): the resident group column gathered on the device, the
 * reused-buffer path and a fresh gather give the same ids; a group-dro run on wasm (SAM: two passes
 * per step) holds its tensors flat and resumes bit for bit.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { tf } from '../support/tf.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { initBackend } from '../../src/backends/index.js';
import { BatchPlan } from '../../src/train/batches.js';
import { buildDataset } from '../../src/train/build.js';
import { loadExperiment } from '../../src/config/load.js';
import { buildLeak, grouped, resumeTiny, runTiny, tensorsBin, tinyConfig, trajectory, truncatedCopy } from './harness.js';

describe('group ids on wasm', () => {
  before(async () => {
    await initBackend('wasm');
  });

  it('device, reused-buffer and fresh batches carry the same group ids across epochs', async () => {
    await withTmpDir(async (tmp) => {
      const file = join(tmp, 'data.yaml');
      writeFileSync(file, stringify(tinyConfig({ dataset: { ...grouped, n_train: 70 } })));
      const loaded = await loadExperiment(file, [], { cwd: tmp });
      const ds = await buildDataset(loaded.config, { cwd: tmp, configDir: tmp });
      const before = tf.memory().numTensors;
      const device = new BatchPlan(ds, 3, 16, { onDevice: true });
      const reused = new BatchPlan(ds, 3, 16, { reuseInputs: true });
      const fresh = new BatchPlan(ds, 3, 16);
      assert.equal(device.gathersOnDevice, true);
      for (let s = 0; s < 2 * device.stepsPerEpoch + 1; s++) {
        const a = device.trainTensors(s), b = reused.trainTensors(s), c = fresh.trainTensors(s);
        try {
          const expected = Array.from(ds.gather('train', fresh.indices(s).indices).group!);
          for (const t of [a, b, c]) {
            assert.equal(t.group?.dtype, 'int32');
            assert.deepEqual(Array.from(await t.group!.data()), expected, `step ${s}`);
          }
        } finally {
          for (const t of [a, b, c]) tf.dispose([t.x, t.y, t.index, t.group!]);
        }
      }
      device.dispose();
      assert.equal(tf.memory().numTensors, before, 'dispose frees the resident split and its group column');
    });
  });

  it('a group-dro run on wasm with SAM holds its tensors flat and resumes exactly', async () => {
    await withTmpDir(async (tmp) => {
      const config = { ...tinyConfig({ dataset: grouped, loss: { name: 'group-dro', step_size: 0.5 }, optimizer: { name: 'sam', base: { name: 'sgd', lr: 0.05 } } }), backend: 'wasm' };
      const baseline = await buildLeak(tmp, 'a', config);
      const a = await runTiny(tmp, 'a', config);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(a.leaked, baseline);
      assert.deepEqual(a.stepTensors, a.stepTensors.map(() => a.stepTensors[0]), `live tensors per step ${a.stepTensors.join(', ')}`);
      const b = truncatedCopy(a.dir, 2, join(tmp, 'b'));
      const r = await resumeTiny(tmp, b);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(trajectory(b), trajectory(a.dir));
      assert.ok(tensorsBin(b, 4).equals(tensorsBin(a.dir, 4)));
    });
  });
});
