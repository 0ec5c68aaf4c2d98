/**
 * The noisy-label and classic losses of issue 17 through the whole trainer: each with every
 * optimizer on blobs, resumed mid-run bit for bit; soft-target losses on mixed batches (train.mix:
 * mixup on dense inputs, CutMix on MNIST images), resumed bit for bit (the mix is drawn from
 * (seed, step)); the config rules of train.mix.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import '../support/tf.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { catalog } from '../../src/registries.js';
import { ExitCode, RunnerError } from '../../src/core/errors.js';
import { validate } from '../../src/commands/validate.js';
import { captureContext } from '../sweep/helpers.js';
import { buildLeak, optimizerSpec, resumeTiny, rowsOf, runTiny, status, tensorsBin, tinyConfig, trainRows, trajectory, truncatedCopy, type TinyConfig, optimizersForLosses } from './harness.js';

const NEW = ['nfl', 'nmae', 'nrce', 'bi-tempered', 'taylor-ce', 'symmetric-ce', 'crammer-singer', 'perceptron', 'kl-div', 'soft-target-ce', 'entropy'];

/** `steady`: the live tensors at every train row are equal (not so when some batches are mixed and some not: a mixed x lives until the step ends). */
async function trainsAndResumes(tmp: string, c: TinyConfig, steady = true): Promise<string> {
  const r = await runTiny(tmp, 'a', tinyConfig(c));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(status(r.dir), 'completed');
  for (const x of trainRows(r.dir)) assert.ok(Number.isFinite(x.loss), `train loss at step ${x.step}: ${String(x.loss)}`);
  if (steady) assert.deepEqual(r.stepTensors, r.stepTensors.map(() => r.stepTensors[0]), `live tensors per step ${r.stepTensors.join(', ')}`);
  assert.equal(r.leaked, await buildLeak(tmp, 'leak', tinyConfig(c)), 'run() leaves no more tensors than building the experiment alone');
  const b = truncatedCopy(r.dir, 2, join(tmp, 'b'));
  const s = await resumeTiny(tmp, b);
  assert.equal(s.code, 0, s.stderr);
  assert.deepEqual(trajectory(b), trajectory(r.dir));
  assert.ok(tensorsBin(b, 4).equals(tensorsBin(r.dir, 4)), 'final checkpoint tensors are identical');
  return r.dir;
}

test('the registry holds the noisy-label and classic losses', () => {
  for (const n of NEW) assert.ok(catalog.loss.has(n), n);
});

for (const name of NEW) {
  for (const opt of optimizersForLosses()) {
    test(`loss ${name} × ${opt.name}: trains and resumes identically`, async () => {
      await withTmpDir((tmp) => trainsAndResumes(tmp, { loss: { name }, optimizer: optimizerSpec(opt.name) }));
    });
  }
}

for (const loss of [{ name: 'soft-target-ce' }, { name: 'kl-div', label_smoothing: 0.1 }, { name: 'bi-tempered', extra: [{ name: 'entropy', weight: 0.1 }] }]) {
  test(`${loss.name} on mixup batches (blobs) trains and resumes identically`, async () => {
    await withTmpDir((tmp) => trainsAndResumes(tmp, { loss, train: { mix: { mixup_alpha: 0.4 } } }));
  });
}

test('batches mixed with probability 0.8 (some unmixed, with one-hot targets) train and resume identically, without leaks', async () => {
  await withTmpDir((tmp) => trainsAndResumes(tmp, { loss: { name: 'soft-target-ce' }, train: { mix: { mixup_alpha: 0.4, prob: 0.8 } } }, false));
});

test('mixup changes training (the mixed run differs from the plain one) and the seed fixes it', async () => {
  await withTmpDir(async (tmp) => {
    const plain = await runTiny(tmp, 'plain', tinyConfig({ loss: { name: 'soft-target-ce' } }));
    const mixed = await runTiny(tmp, 'mixed', tinyConfig({ loss: { name: 'soft-target-ce' }, train: { mix: { mixup_alpha: 1 } } }));
    const again = await runTiny(tmp, 'again', tinyConfig({ loss: { name: 'soft-target-ce' }, train: { mix: { mixup_alpha: 1 } } }));
    const losses = (d: string) => trainRows(d).map((r) => r.loss);
    assert.notDeepEqual(losses(mixed.dir), losses(plain.dir));
    assert.deepEqual(losses(mixed.dir), losses(again.dir));
  });
});

test('CutMix + mixup (switch_prob) on MNIST images trains and resumes identically', async () => {
  await withTmpDir(async (tmp) => {
    const dir = await trainsAndResumes(tmp, {
      dataset: { name: 'mnist', train_size: 32, test_size: 16 },
      loss: { name: 'soft-target-ce' },
      train: { mix: { mixup_alpha: 0.2, cutmix_alpha: 1, switch_prob: 0.5 } },
    });
    assert.ok(rowsOf(dir).some((r) => r.eval === true && Number.isFinite(r.accuracy)));
  });
});

const rejected: readonly { name: string; config: TinyConfig; says: RegExp }[] = [
  { name: 'a hard-label loss', config: { loss: { name: 'cross-entropy' }, train: { mix: { mixup_alpha: 1 } } }, says: /loss\.name: train\.mix gives soft targets, but loss "cross-entropy" reads hard labels/ },
  { name: 'a hard-label extra term', config: { loss: { name: 'soft-target-ce', extra: [{ name: 'rce' }] }, train: { mix: {} } }, says: /loss\.extra\.0\.name: .*"rce" reads hard labels/ },
  { name: 'CutMix on vectors', config: { loss: { name: 'soft-target-ce' }, train: { mix: { cutmix_alpha: 1 } } }, says: /train\.mix\.cutmix_alpha: CutMix pastes boxes of images/ },
  { name: 'regression', config: { dataset: { name: 'teacher-student', n_train: 24, n_test: 12 }, loss: { name: 'mse' }, train: { mix: {} } }, says: /train\.mix: mixup\/CutMix mix class labels/ },
];

for (const c of rejected) {
  test(`validate and run reject train.mix with ${c.name}`, async () => {
    await withTmpDir(async (dir) => {
      writeFileSync(join(dir, 'exp.yaml'), stringify(tinyConfig(c.config)));
      const v = captureContext(dir);
      await assert.rejects(validate({ config: 'exp.yaml' }, v.ctx), (err: unknown) => {
        assert.ok(err instanceof RunnerError, String(err));
        assert.equal(err.exitCode, ExitCode.usage, err.message);
        assert.match(err.message, c.says);
        assert.match(err.message, /\.yaml:\d+:\d+: /, 'a file:line location');
        return true;
      });
      await assert.rejects(runTiny(dir, 'r', tinyConfig(c.config)), (err: unknown) => err instanceof RunnerError && err.exitCode === ExitCode.usage);
      assert.equal(existsSync(join(dir, 'r')), false, 'nothing written');
    });
  });
}
