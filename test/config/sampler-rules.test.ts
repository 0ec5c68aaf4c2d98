/**
 * `minima validate` and `minima run` reject what train.sampler and dataset.class_split cannot do,
 * with exit 2, a file:line location and the reason, before anything is written.
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
const mnist = '  name: mnist\n  train_size: 200\n  test_size: 100\n';

const cases: readonly { name: string; body: string; says: RegExp; line: RegExp }[] = [
  { name: 'pk whose P × K is not the batch size', body: 'train:\n  batch_size: 32\n  sampler: {name: pk, classes: 2, per_class: 8}\n', says: /2 × 8 = 16 examples per batch, but train\.batch_size is 32/, line: /exp\.yaml:4:\d+: train\.sampler\.classes/ },
  { name: 'pk with more classes than the dataset has', body: 'train:\n  batch_size: 32\n  sampler: {name: pk, classes: 4, per_class: 8}\n', says: /pk draws 4 classes per batch, but the train split has 2 classes/, line: /exp\.yaml:4:\d+: train\.sampler\.classes/ },
  { name: 'pk with more classes than class_split keeps', body: `dataset:\n${mnist}  class_split: {train: [0, 1, 2]}\ntrain:\n  batch_size: 32\n  sampler: {name: pk, classes: 4, per_class: 8}\n`, says: /the train split has 3 classes \(dataset\.class_split\.train\)/, line: /exp\.yaml:\d+:\d+: train\.sampler\.classes/ },
  { name: 'pk on a regression dataset', body: 'dataset:\n  name: teacher-student\nloss:\n  name: mse\ntrain:\n  sampler: {name: pk, classes: 4, per_class: 8}\n', says: /sampler "pk" draws by class, but dataset "teacher-student" is a regression task/, line: /exp\.yaml:\d+:\d+: train\.sampler\.name/ },
  { name: 'class-balanced on a regression dataset', body: 'dataset:\n  name: teacher-student\nloss:\n  name: mse\ntrain:\n  sampler: class-balanced\n', says: /sampler "class-balanced" draws by class/, line: /exp\.yaml:\d+:\d+: train\.sampler/ },
  { name: 'an unknown sampler', body: 'train:\n  sampler: {name: random}\n', says: /sampler/, line: /exp\.yaml:\d+:\d+: train\.sampler/ },
  { name: 'a class_split class the dataset lacks', body: `dataset:\n${mnist}  class_split: {train: [0, 1, 12]}\n`, says: /class 12 is not a class id of this dataset \(0\.\.9\)/, line: /exp\.yaml:\d+:\d+: dataset\.class_split\.train/ },
  { name: 'a class_split that is not class-disjoint', body: `dataset:\n${mnist}  class_split: {train: [0, 1], test: [1, 2]}\n`, says: /class 1 is in both train and test/, line: /exp\.yaml:\d+:\d+: dataset\.class_split\.test/ },
  { name: 'a class_split with every class in train', body: `dataset:\n${mnist}  class_split: {train: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]}\n`, says: /no class is left for test/, line: /exp\.yaml:\d+:\d+: dataset\.class_split\.train/ },
  { name: 'a class_split on regression', body: 'dataset:\n  name: teacher-student\n  class_split: {train: [0]}\nloss:\n  name: mse\n', says: /a class split needs a classification dataset/, line: /exp\.yaml:\d+:\d+: dataset\.class_split/ },
  { name: 'a class-drawn sampler with unlabeled rows', body: `dataset:\n${mnist}  labeled: 50\nloss:\n  name: vat\ntrain:\n  batch_size: 20\n  sampler: {name: pk, classes: 2, per_class: 10}\n`, says: /sampler "pk" draws by class, but dataset\.labeled marks rows unlabeled/, line: /exp\.yaml:\d+:\d+: train\.sampler\.name/ },
  { name: 'the domains sampler on a dataset without groups', body: 'train:\n  sampler: domains\n', says: /sampler "domains" draws by domain \(group id\), but dataset "moons" has no groups/, line: /exp\.yaml:\d+:\d+: train\.sampler/ },
  { name: 'a class_split with label noise', body: `dataset:\n${mnist}  class_split: {train: [0, 1]}\n  label_noise: {rate: 0.2}\n`, says: /cannot be combined with label noise/, line: /exp\.yaml:\d+:\d+: dataset\.class_split/ },
];

for (const c of cases) {
  test(`validate and run reject ${c.name}`, async () => {
    await withTmpDir(async (dir) => {
      writeFileSync(join(dir, 'exp.yaml'), `extends: ${tiny}\n${c.body}`);
      const check = (err: unknown) => {
        assert.ok(err instanceof RunnerError, String(err));
        assert.equal(err.exitCode, ExitCode.usage, err.message);
        assert.match(err.message, c.says);
        assert.match(err.message, c.line);
        return true;
      };
      await assert.rejects(validate({ config: 'exp.yaml' }, captureContext(dir).ctx), check);
      await assert.rejects(run({ config: 'exp.yaml', runsDir: join(dir, 'runs'), quiet: true }, captureContext(dir).ctx), check);
      assert.equal(existsSync(join(dir, 'runs')), false, 'nothing written');
    });
  });
}

test('the shipped metric-learning claims validate with their samplers and class split', async () => {
  for (const name of ['mnist-heldout-ms', 'mnist-heldout-ce']) {
    const v = captureContext(repoRoot);
    await validate({ config: `configs/claims/metric-learning/${name}.yaml` }, v.ctx);
  }
});
