/**
 * The config rules of the input-gradient capability (config/rules.ts lossesHandleUnlabeled,
 * inputGradientsNeedFloatInputs, attackFitsData; data/transforms.ts `labeled`; config/schema.ts
 * train.eval_attack): `validate` rejects each bad config with exit 2 and a file:line location,
 * and `run` rejects it before writing anything. The good pairs validate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, RunnerError } from '../../src/core/errors.js';
import { validate } from '../../src/commands/validate.js';
import { run } from '../../src/commands/run.js';
import { repoRoot } from '../support/cli.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { captureContext } from '../sweep/helpers.js';

const tiny = join(repoRoot, 'configs', 'test', 'tiny-moons.yaml');
const tokens = 'dataset:\n  name: modular-arithmetic\n  p: 7\nmodel:\n  name: embedding-mlp\n';

const bad: readonly { name: string; body: string; says: RegExp }[] = [
  { name: 'cross-entropy with a label mask', body: 'dataset:\n  name: moons\n  labeled: 20\n', says: /loss\.name: loss "cross-entropy" cannot train on unlabeled rows/ },
  { name: 'an extra term that cannot read unlabeled rows', body: 'dataset:\n  name: moons\n  labeled: 20\nloss:\n  name: vat\n  extra:\n    - name: focal\n', says: /loss\.extra\.0\.name: loss "focal" cannot train on unlabeled rows/ },
  { name: 'more labelled rows than the train split', body: 'dataset:\n  name: moons\n  labeled: 5000\nloss:\n  name: vat\n', says: /dataset\.labeled: 5000 labelled rows is more than the 1000 train examples/ },
  { name: 'more labelled rows than the subset keeps', body: 'dataset:\n  name: moons\n  subset: {train: 100}\n  labeled: 200\nloss:\n  name: vat\n', says: /200 labelled rows is more than the 100 train examples/ },
  { name: 'a label mask on regression', body: 'dataset:\n  name: teacher-student\n  labeled: 10\nloss:\n  name: mse\n', says: /dataset\.labeled: a semi-supervised label mask needs a classification dataset/ },
  { name: 'vat on token inputs', body: `${tokens}loss:\n  name: vat\n`, says: /loss\.name: loss "vat" perturbs the inputs, but dataset "modular-arithmetic" has token inputs/ },
  { name: 'an attack on token inputs', body: `${tokens}train:\n  epochs: 1\n  eval_attack: {eps: 0.1, steps: 2, step_size: 0.05}\n`, says: /train\.eval_attack: an input attack needs float inputs/ },
  { name: 'an attack on regression', body: 'dataset:\n  name: teacher-student\nloss:\n  name: mse\ntrain:\n  epochs: 1\n  eval_attack: {eps: 0.1, steps: 2, step_size: 0.05}\n', says: /robust accuracy needs a classification dataset/ },
  { name: 'an attacked split that is not evaluated', body: 'train:\n  epochs: 1\n  eval_splits: [test]\n  eval_attack: {eps: 0.1, steps: 2, step_size: 0.05, splits: [train]}\n', says: /the train split is attacked but not evaluated/ },
  { name: 'an empty attack range', body: 'train:\n  epochs: 1\n  eval_attack: {eps: 0.1, steps: 2, step_size: 0.05, range: [1, 0]}\n', says: /lo must be below hi/ },
];

for (const c of bad) {
  test(`validate and run reject ${c.name}`, async () => {
    await withTmpDir(async (dir) => {
      writeFileSync(join(dir, 'exp.yaml'), `extends: ${tiny}\n${c.body}`);
      const v = captureContext(dir);
      await assert.rejects(validate({ config: 'exp.yaml' }, v.ctx), (err: unknown) => {
        assert.ok(err instanceof RunnerError, String(err));
        assert.equal(err.exitCode, ExitCode.usage, err.message);
        assert.match(err.message, c.says);
        assert.match(err.message, /\.yaml:\d+:\d+: /, "a file:line location");
        return true;
      });
      const r = captureContext(dir);
      await assert.rejects(run({ config: 'exp.yaml', runsDir: join(dir, 'runs'), quiet: true }, r.ctx), (err: unknown) => err instanceof RunnerError && err.exitCode === ExitCode.usage);
      assert.equal(existsSync(join(dir, 'runs')), false, 'nothing written');
    });
  });
}

test('vat with a label mask and an attack on float inputs validates', async () => {
  await withTmpDir(async (dir) => {
    writeFileSync(join(dir, 'exp.yaml'), `extends: ${tiny}\ndataset:\n  name: moons\n  labeled: 20\nloss:\n  name: vat\n  extra:\n    - name: vat\n      alpha: 0\ntrain:\n  epochs: 1\n  eval_attack: {eps: 0.1, steps: 2, step_size: 0.05, range: null}\n`);
    const v = captureContext(dir);
    assert.equal(await validate({ config: 'exp.yaml' }, v.ctx), ExitCode.ok);
  });
});
