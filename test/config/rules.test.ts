/**
 * `minima validate` rejects every config that `minima run` rejects. Each case is
 * configs/test/tiny-moons.yaml with overrides, or a file that extends it. For each:
 * - with the facts the rules read hidden from the catalog (no dataset `describe`, no model
 *   `supports`, no loss `info`), the config loads and `buildExperiment` rejects it with exit 2:
 *   `run` rejected it before the rules existed;
 * - `validate` (the command) rejects it with exit 2, a file:line location and the reason;
 * - `run` (the command) rejects it with exit 2 before writing anything.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadExperiment } from '../../src/config/load.js';
import { checkRules, lossFacts } from '../../src/config/rules.js';
import { ExitCode, RunnerError } from '../../src/core/errors.js';
import { catalog } from '../../src/registries.js';
import { buildExperiment } from '../../src/train/build.js';
import { validate } from '../../src/commands/validate.js';
import { run } from '../../src/commands/run.js';
import { sweep } from '../../src/commands/sweep.js';
import { prepareSweep } from '../../src/sweep/prepare.js';
import { repoRoot } from '../support/cli.js';
import { shippedExperiments } from '../support/configs.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { captureContext } from '../sweep/helpers.js';
import { blindCatalog } from './blind-catalog.js';

const tiny = join(repoRoot, 'configs', 'test', 'tiny-moons.yaml');
const table = `u,v,y\n${Array.from({ length: 30 }, (_, i) => `${i},${i * i},${i % 3}`).join('\n')}\n`;
const mnist = '  name: mnist\n  train_size: 200\n  test_size: 100\n';

interface Case {
  readonly name: string;
  /** Overrides on tiny-moons.yaml, or on `body` (a file extending it). */
  readonly overrides?: readonly string[];
  readonly body?: string;
  readonly files?: Readonly<Record<string, string>>;
  /** What the message says. */
  readonly says: RegExp;
}

const cases: readonly Case[] = [
  { name: 'cnn on moons', overrides: ['model.name=cnn'], says: /needs image inputs/ },
  { name: 'diagonal-weights on an mlp', overrides: ['diagnostics=[{name: diagonal-weights}]'], says: /diagnostic "diagonal-weights" reads a diagonal-linear model, not "mlp".*diagnostics\.0\.name/ },
  { name: 'a transformer on dense features', overrides: ['model.name=transformer'], says: /needs token inputs/ },
  { name: 'mse on class labels', overrides: ['loss.name=mse'], says: /"mse" is for regression/ },
  { name: 'a regression term in extra', overrides: ['loss.extra=[{name: huber}]'], says: /"huber" is for regression/ },
  { name: 'group-dro on a dataset without groups', overrides: ['loss.name=group-dro'], says: /loss "group-dro" needs group ids per example, but dataset "moons" has no groups/ },
  { name: 'a group loss in extra on a dataset without groups', overrides: ['loss.extra=[{name: group-dro}]'], says: /loss "group-dro" needs group ids per example.*loss\.extra\.0\.name/ },
  { name: 'a crop of vectors', overrides: ['dataset.random_crop=2'], says: /needs image inputs \[H, W, C\]/ },
  { name: 'a flip of vectors', overrides: ['dataset.horizontal_flip=true'], says: /needs image inputs \[H, W, C\]/ },
  { name: 'a subset larger than the split', overrides: ['dataset.subset={train: 5000}'], says: /5000 is more than the 1000 train examples/ },
  { name: 'asymmetric noise without a map', overrides: ['dataset.label_noise={type: asymmetric, rate: 0.2}'], says: /needs a class_map/ },
  { name: 'a class map outside the classes', overrides: ['dataset.label_noise={type: asymmetric, rate: 0.2, class_map: {"0": 5}}'], says: /not a class id in \[0, 2\)/ },
  { name: 'mse on MNIST class labels', body: `dataset:\n${mnist}loss:\n  name: mse\n`, says: /"mse" is for regression, but dataset "mnist"/ },
  { name: 'cross-entropy on a regression teacher', body: 'dataset:\n  name: teacher-student\n', says: /"cross-entropy" is for classification/ },
  { name: 'label noise on regression', body: 'dataset:\n  name: teacher-student\n  label_noise: {rate: 0.1}\nloss:\n  name: mse\n', says: /label noise needs a classification dataset/ },
  { name: 'a long tail on regression', body: 'dataset:\n  name: teacher-student\n  imbalance_ratio: 10\nloss:\n  name: mse\n', says: /long-tail subsampling needs a classification dataset/ },
  { name: 'a noisy classification teacher', body: 'dataset:\n  name: teacher-student\n  task: classification\n  noise: 0.1\n', says: /take label_noise instead/ },
  { name: 'normalised tokens', body: 'dataset:\n  name: modular-arithmetic\n  p: 7\n  normalize: true\n', says: /token inputs cannot be normalised/ },
  { name: 'division by a composite modulus', body: 'dataset:\n  name: modular-arithmetic\n  p: 8\n  op: div\n', says: /division needs a prime modulus/ },
  { name: 'more parity strings than there are', body: 'dataset:\n  name: parity\n  n_bits: 4\n', says: /exceeds the 16 distinct 4-bit strings/ },
  { name: 'sparse parity with k > n', body: 'dataset:\n  name: sparse-parity\n  n_bits: 8\n  k: 9\n', says: /k = 9 exceeds n_bits = 8/ },
  { name: 'MNIST sizes beyond the bundled digits', body: 'dataset:\n  name: mnist\n  train_size: 9000\n  test_size: 2000\n', says: /exceeds the 10000 bundled digits/ },
  { name: 'a crop as wide as MNIST', body: `dataset:\n${mnist}  random_crop: 28\n`, says: /must be smaller than the image side/ },
  { name: 'a CNN that pools MNIST to nothing', body: `dataset:\n${mnist}model:\n  name: cnn\n  channels: [4, 4, 4, 4, 4]\n`, says: /shrink the 28×28 input to nothing/ },
  { name: 'an embedding model on images', body: `dataset:\n${mnist}model:\n  name: embedding-mlp\n`, says: /needs token inputs/ },
  { name: 'a logits term after arcface', body: 'loss:\n  name: arcface\n  extra:\n    - name: z-loss\n', says: /needs logits, but "arcface" makes the model emit embeddings/ },
  { name: 'poly with focal_gamma and epsilons', body: 'loss:\n  name: poly\n  focal_gamma: 2\n  epsilons: [1, 0.5]\n', says: /focal_gamma.*takes the single/ },
  { name: 'a CSV without its label column', files: { 't.csv': table }, body: 'dataset:\n  name: csv\n  path: t.csv\n', says: /no label column "label"/ },
  { name: 'a binary head on a 3-class dataset', body: 'dataset:\n  name: blobs\n  centers: 3\nloss:\n  name: ensloss\n', says: /binary head .*needs a 2-class dataset, but dataset "blobs" has 3 classes/ },
  { name: 'a wrapped binary head on MNIST', body: `dataset:\n${mnist}loss:\n  name: flooding\n  b: 0.1\n  base: {name: logistic}\n`, says: /binary head .*has 10 classes/ },
  { name: 'kl-dro over a batch-level loss', body: 'loss:\n  name: kl-dro\n  tau: 1\n  base: {name: anyloss}\n', says: /reweights per-example losses, but loss "anyloss" is batch-level/ },
  { name: 'a plateau schedule on a split the run does not evaluate', body: 'schedule:\n  name: reduce-on-plateau\n  metric: train.loss\n', overrides: ['train.eval_splits=[test]'], says: /schedule\.metric: reads train\.loss, but train\.eval_splits does not evaluate the train split/ },
  { name: "a plateau schedule's default metric (test.loss) when only train is evaluated", body: 'schedule:\n  name: reduce-on-plateau\n', overrides: ['train.eval_splits=[train]'], says: /schedule\.metric: reads test\.loss, but train\.eval_splits does not evaluate the test split/ },
  { name: 'a CNN on a CSV table', files: { 't.csv': table }, body: 'dataset:\n  name: csv\n  path: t.csv\n  label: y\nmodel:\n  name: cnn\n', says: /needs image inputs/ },
];

const blind = blindCatalog;

/** Writes the case's files into `dir`; returns the experiment file and overrides to load. */
function setUp(c: Case, dir: string): { file: string; overrides: readonly string[] } {
  for (const [name, text] of Object.entries(c.files ?? {})) writeFileSync(join(dir, name), text);
  if (c.body === undefined) return { file: tiny, overrides: c.overrides ?? [] };
  writeFileSync(join(dir, 'exp.yaml'), `extends: ${tiny}\n${c.body}`);
  return { file: join(dir, 'exp.yaml'), overrides: c.overrides ?? [] };
}

const usageError = (says?: RegExp) => (err: unknown) => {
  assert.ok(err instanceof RunnerError, String(err));
  assert.equal(err.exitCode, ExitCode.usage, err.message);
  if (says) assert.match(err.message, says);
  return true;
};

for (const c of cases) {
  test(`run and validate reject ${c.name}`, async () => {
    await withTmpDir(async (dir) => {
      const { file, overrides } = setUp(c, dir);
      await assert.rejects(async () => {
        const loaded = await loadExperiment(file, overrides, { cwd: dir, catalog: blind });
        (await buildExperiment(loaded.config, { cwd: dir, configDir: loaded.configDir })).dispose();
      }, usageError(), 'run rejected it before the rules');

      const v = captureContext(dir);
      await assert.rejects(validate({ config: file, overrides: [...overrides] }, v.ctx), (err: unknown) => {
        usageError(c.says)(err);
        assert.match((err as Error).message, /\.yaml:\d+:\d+: /, 'a file:line location');
        return true;
      });

      const r = captureContext(dir);
      await assert.rejects(run({ config: file, overrides: [...overrides], runsDir: join(dir, 'runs'), quiet: true }, r.ctx), usageError(c.says));
      assert.equal(existsSync(join(dir, 'runs')), false, 'nothing written');
    });
  });
}

test('every problem is reported together, each where it is written', async () => {
  await withTmpDir(async (dir) => {
    writeFileSync(join(dir, 'exp.yaml'), `extends: ${tiny}\ndataset:\n  name: moons\n  random_crop: 2\n  subset: {train: 5000}\nmodel:\n  name: cnn\nloss:\n  name: mse\n`);
    const v = captureContext(dir);
    await assert.rejects(validate({ config: 'exp.yaml' }, v.ctx), (err: unknown) => {
      const message = (err as Error).message;
      assert.match(message, /4 problems/);
      assert.match(message, /exp\.yaml:4:3: dataset\.random_crop: needs image inputs/);
      assert.match(message, /exp\.yaml:5:\d+: dataset\.subset\.train: 5000 is more/);
      assert.match(message, /exp\.yaml:7:3: model\.name: model "cnn" does not fit dataset "moons"/);
      assert.match(message, /exp\.yaml:9:3: loss\.name: loss "mse" is for regression/);
      return true;
    });
  });
});

test('a cross-field problem from an override is shown where the other side is written', async () => {
  const v = captureContext(repoRoot);
  await assert.rejects(validate({ config: 'configs/test/tiny-moons.yaml', overrides: ['model.name=cnn'] }, v.ctx), (err: unknown) => {
    assert.match((err as Error).message, /configs\/test\/tiny-moons\.yaml:5:3: dataset\.name: model "cnn" does not fit dataset "moons": .* \(model\.name from the override "model\.name=cnn"\)/);
    return true;
  });
});

test("a sweep's up-front check of every trial runs the rules (dry run included)", async () => {
  await withTmpDir(async (dir) => {
    writeFileSync(join(dir, 's.yaml'), `name: s\nbase: ${tiny}\ngrid:\n  model.name: [mlp, cnn]\n`);
    await assert.rejects(prepareSweep(join(dir, 's.yaml'), [], { cwd: dir, runsDir: 'runs' }), (err: unknown) => {
      usageError(/1 of 2 trials fail validation/)(err);
      assert.match((err as Error).message, /tiny-moons\.yaml:5:3: trial 1 \(model\.name=cnn\): dataset\.name: model "cnn" does not fit dataset "moons"/);
      return true;
    });
    const s = captureContext(dir);
    await assert.rejects(sweep({ sweep: 's.yaml', dryRun: true }, s.ctx), usageError(/model "cnn" does not fit/));
    assert.equal(existsSync(join(dir, 'runs')), false, 'nothing written');
  });
});

test('missing data files do not fail validate (run reports them); facts stay unknown', async () => {
  await withTmpDir(async (dir) => {
    writeFileSync(join(dir, 'exp.yaml'), `extends: ${tiny}\ndataset:\n  name: csv\n  path: absent.csv\n  label: y\n`);
    const v = captureContext(dir);
    assert.equal(await validate({ config: 'exp.yaml' }, v.ctx), ExitCode.ok);
    const r = captureContext(dir);
    await assert.rejects(run({ config: 'exp.yaml', runsDir: join(dir, 'runs'), quiet: true }, r.ctx), (err: unknown) => err instanceof RunnerError && err.code === 'DATASET_MISSING');
  });
});

test('an empty experiment file says so', async () => {
  await withTmpDir(async (dir) => {
    for (const [name, text] of Object.entries({ 'empty.yaml': '', 'blank.yaml': '\n  \n', 'comments.yaml': '# nothing yet\n\n# still nothing\n' })) {
      writeFileSync(join(dir, name), text);
      const v = captureContext(dir);
      await assert.rejects(validate({ config: name }, v.ctx), (err: unknown) => {
        assert.ok(err instanceof RunnerError);
        assert.equal(err.code, 'CONFIG_EMPTY');
        assert.equal(err.exitCode, ExitCode.usage);
        assert.match(err.message, new RegExp(`${name.replace('.', '\\.')}: the experiment file is empty`));
        return true;
      });
    }
    writeFileSync(join(dir, 'child.yaml'), 'extends: empty.yaml\nname: x\n');
    await assert.rejects(loadExperiment('child.yaml', [], { cwd: dir }), /child\.yaml:1:\d+: extends: empty\.yaml is empty/);
  });
});

test('the rules are data: lossFacts reads the capability facts of every loss entry', () => {
  for (const entry of catalog.loss!.entries) {
    const f = lossFacts(entry);
    assert.ok(['classification', 'regression', 'any'].includes(f.task), entry.name);
    assert.ok(['logits', 'embeddings'].includes(f.input), entry.name);
  }
  assert.equal(lossFacts(catalog.loss!.get('arcface')).input, 'embeddings');
  assert.equal(lossFacts(catalog.loss!.get('orthogonal-projection')).readsEmbedding, true);
  assert.equal(lossFacts(catalog.loss!.get('mae')).task, 'any');
  // a catalog whose entries carry no facts is not checked, not rejected
  assert.deepEqual(checkRules({ catalog: blind, dataset: { name: 'moons' }, model: { name: 'cnn' }, loss: { name: 'mse' } }, { cwd: repoRoot, configDir: repoRoot, dataSeed: 0 }), []);
});


for (const file of shippedExperiments()) {
  test(`validate accepts the shipped configs/${relative(join(repoRoot, 'configs'), file)}`, async () => {
    const v = captureContext(repoRoot);
    assert.equal(await validate({ config: file }, v.ctx), ExitCode.ok, v.err());
  });
}
