/**
 * Hyperparameter schedules in a run (issue 21): one-cycle's momentum and a `schedules:` entry are
 * set before every step, show in the train rows beside lr, and a run resumed mid-way continues bit
 * for bit; a path the optimizer cannot schedule is a config error with its file and line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import '../support/tf.js';
import { assertClose } from '../support/tf.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { ConfigError } from '../../src/core/errors.js';
import { loadExperiment } from '../../src/config/load.js';
import { createSchedule } from '../../src/optim/index.js';
import { resumeTiny, runTiny, tensorsBin, tinyConfig, trainRows, trajectory, truncatedCopy } from './harness.js';

const steps = 6;
const config = {
  ...tinyConfig({ optimizer: { name: 'sgd', lr: 0.08, momentum: 0.9, weight_decay: 0.01 }, train: { steps, checkpoint_every: 2 } }),
  schedule: { name: 'one-cycle' },
  schedules: { weight_decay: { name: 'cosine', eta_min: 0.001 } },
};

test('one-cycle cycles momentum and schedules: drives weight_decay; both logged; resume is bit-identical', async () => {
  await withTmpDir(async (tmp) => {
    const a = await runTiny(tmp, 'a', config);
    assert.equal(a.code, 0, a.stderr);
    const rows = trainRows(a.dir);
    const deps = { baseLr: 0.08, totalSteps: steps, stepsPerEpoch: 3 };
    const oneCycle = createSchedule({ name: 'one-cycle' }, deps);
    const wd = createSchedule({ name: 'cosine', eta_min: 0.001 }, { ...deps, baseLr: 0.01 });
    // a row is written after its step: it shows the values that step used
    assertClose(rows.map((r) => Number(r.momentum)), Array.from({ length: steps }, (_, k) => oneCycle.momentum!(k)), 1e-12);
    assertClose(rows.map((r) => Number(r.weight_decay)), Array.from({ length: steps }, (_, k) => wd(k)), 1e-12);
    assertClose(rows.map((r) => Number(r.lr)), Array.from({ length: steps }, (_, k) => oneCycle(k)), 1e-12);
    for (const k of [2, 4]) {
      const b = truncatedCopy(a.dir, k, join(tmp, `b${k}`));
      const r = await resumeTiny(tmp, b);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(trajectory(b), trajectory(a.dir));
      assert.ok(tensorsBin(b, steps).equals(tensorsBin(a.dir, steps)), `resumed at ${k}: final checkpoint byte-identical`);
    }
  });
});

test('a constant schedule under schedules: trains exactly as none (sam ρ and its base momentum)', async () => {
  await withTmpDir(async (tmp) => {
    const base = tinyConfig({ optimizer: { name: 'sam', rho: 0.05, base: { name: 'sgd', lr: 0.05, momentum: 0.9 } } });
    const plain = await runTiny(tmp, 'plain', base);
    const driven = await runTiny(tmp, 'driven', { ...base, schedules: { rho: { name: 'constant' }, 'base.momentum': { name: 'constant' } } });
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(driven.code, 0, driven.stderr);
    assert.ok(tensorsBin(driven.dir, 4).equals(tensorsBin(plain.dir, 4)), 'byte-identical checkpoints');
    assert.deepEqual(trainRows(driven.dir).map((r) => r.loss), trainRows(plain.dir).map((r) => r.loss));
    assert.deepEqual(trainRows(driven.dir).map((r) => r.momentum), [0.9, 0.9, 0.9, 0.9]);
  });
});

test('validation: an unschedulable path, a wrapper that does not pass schedules on, one-cycle on an optimizer without momentum', async () => {
  await withTmpDir(async (tmp) => {
    const load = async (c: Record<string, unknown>) => {
      const file = join(tmp, 'c.yaml');
      writeFileSync(file, stringify(c));
      try {
        await loadExperiment(file, [], { cwd: tmp });
      } catch (e) {
        if (e instanceof ConfigError) return e.issues;
        throw e;
      }
      return [];
    };
    const nesterov = await load({ ...tinyConfig(), schedules: { nesterov: { name: 'constant' } } });
    assert.equal(nesterov.length, 1);
    assert.equal(nesterov[0]!.path, 'schedules.nesterov');
    assert.match(nesterov[0]!.message, /sgd cannot schedule nesterov/);
    assert.ok(typeof nesterov[0]!.line === 'number' && nesterov[0]!.file?.endsWith('c.yaml'), 'reported at its file and line');
    const lr = await load({ ...tinyConfig(), schedules: { lr: { name: 'cosine' } } });
    assert.match(lr[0]!.message, /schedule:/);
    const cautious = await load({ ...tinyConfig({ optimizer: { name: 'cautious', base: { name: 'adamw' } } }), schedules: { 'base.weight_decay': { name: 'cosine' } } });
    assert.match(cautious[0]!.message, /does not pass schedules on/);
    const adagrad = await load({ ...tinyConfig({ optimizer: { name: 'adagrad' } }), schedule: { name: 'one-cycle' } });
    assert.equal(adagrad[0]!.path, 'schedule.cycle_momentum');
    assert.deepEqual(await load({ ...tinyConfig({ optimizer: { name: 'adagrad' } }), schedule: { name: 'one-cycle', cycle_momentum: false } }), []);
    const twice = await load({ ...tinyConfig(), schedule: { name: 'one-cycle' }, schedules: { momentum: { name: 'constant' } } });
    assert.equal(twice[0]!.path, 'schedules.momentum');
    const plateau = await load({ ...tinyConfig(), schedules: { weight_decay: { name: 'reduce-on-plateau' } } });
    assert.match(plateau[0]!.message, /drives lr only/);
    assert.deepEqual(await load({ ...tinyConfig({ optimizer: { name: 'sam', base: { name: 'adam' } } }), schedules: { rho: { name: 'linear' }, 'base.beta1': { name: 'constant' } } }), []);
  });
});
