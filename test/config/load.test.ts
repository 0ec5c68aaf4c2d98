import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadExperiment, mergeConfigs } from '../../src/config/load.js';
import { ConfigError, RunnerError } from '../../src/core/errors.js';
import { isResolved } from '../../src/core/spec.js';
import { withTmpDir } from '../support/tmp-dir.js';

const valid = `name: t
seed: 3
dataset:
  name: moons
model:
  name: mlp
  hidden: [8]
loss:
  name: cross-entropy
optimizer:
  name: sgd
  lr: 0.1
train:
  epochs: 1
  batch_size: 16
backend: cpu
`;

async function issuesOf(text: string, overrides: string[] = [], extra: Record<string, string> = {}) {
  return withTmpDir(async (dir) => {
    writeFileSync(join(dir, 'exp.yaml'), text);
    for (const [name, body] of Object.entries(extra)) writeFileSync(join(dir, name), body);
    try {
      await loadExperiment('exp.yaml', overrides, { cwd: dir });
    } catch (err) {
      if (err instanceof ConfigError) return err.issues;
      throw err;
    }
    throw new Error('expected a ConfigError');
  });
}

test('a valid config resolves with every default filled in', async () => {
  await withTmpDir(async (dir) => {
    writeFileSync(join(dir, 'exp.yaml'), valid);
    const { config } = await loadExperiment('exp.yaml', ['optimizer.lr=0.05'], { cwd: dir });
    assert.equal(config.seed, 3);
    assert.equal(config.data_seed, 0);
    assert.equal(config.optimizer.lr, 0.05);
    assert.equal(config.optimizer.momentum, 0, 'sgd default momentum');
    assert.equal(config.train.log_every, 50);
    assert.equal(config.schedule.name, 'constant');
    assert.ok('label_smoothing' in config.loss, 'loss defaults are filled');
    for (const spec of [config.dataset, config.model, config.loss, config.optimizer, config.schedule]) assert.ok(isResolved(spec), `${spec.name} is branded resolved`);
  });
});

test('all problems of a file are reported together, each with path, line and column', async () => {
  const text = valid
    .replace('  lr: 0.1', '  lr: -0.1\n  momentun: 0.9')
    .replace('  name: mlp', '  name: mpl')
    .replace('  batch_size: 16', '  batch_size: "16x"')
    .replace('seed: 3', 'seed: 3\nsed: 4');
  const issues = await issuesOf(text);
  const byPath = Object.fromEntries(issues.map((i) => [i.path, i]));
  assert.ok(byPath['optimizer.lr'], 'negative lr reported');
  assert.match(byPath['optimizer.momentun']!.message, /did you mean "momentum"/);
  assert.match(byPath['model.name']!.message, /did you mean "mlp"/);
  assert.match(byPath['train.batch_size']!.message, /number.*"16x"/);
  assert.match(byPath.sed!.message, /did you mean "seed"/);
  assert.equal(byPath['optimizer.momentun']!.line, 14);
  assert.equal(byPath['optimizer.momentun']!.column, 3);
  assert.equal(byPath.sed!.line, 3);
  assert.equal(byPath['model.name']!.line, 7);
  assert.equal(byPath['optimizer.lr']!.file, 'exp.yaml');
  assert.ok(issues.length >= 5);
});

test('malformed YAML is an error with a location', async () => {
  const issues = await issuesOf('name: t\ndataset: {name: moons\nmodel: x\n');
  assert.ok(issues.length >= 1);
  assert.match(issues[0]!.message, /YAML syntax/);
  assert.ok(issues[0]!.line !== undefined);
});

test('a missing file is a usage error', async () => {
  await withTmpDir(async (dir) => {
    await assert.rejects(loadExperiment('nope.yaml', [], { cwd: dir }), (e: unknown) => e instanceof RunnerError && e.code === 'CONFIG_NOT_FOUND' && e.exitCode === 2);
  });
});

test('extends composes files and errors point into the file that holds the key', async () => {
  const base = valid;
  const child = 'extends: base.yaml\nname: child\noptimizer:\n  lr: 0.01\n  weight_decay: -1\n';
  await withTmpDir(async (dir) => {
    writeFileSync(join(dir, 'base.yaml'), base);
    writeFileSync(join(dir, 'exp.yaml'), 'extends: base.yaml\nname: child\noptimizer:\n  lr: 0.01\n');
    const { config, files } = await loadExperiment('exp.yaml', [], { cwd: dir });
    assert.equal(config.name, 'child');
    assert.equal(config.optimizer.lr, 0.01);
    assert.equal(config.model.name, 'mlp');
    assert.deepEqual(files, ['exp.yaml', 'base.yaml']);
  });
  const issues = await issuesOf(child, [], { 'base.yaml': base.replace('hidden: [8]', 'hidden: [8]\n  widht: 3') });
  const wd = issues.find((i) => i.path === 'optimizer.weight_decay')!;
  assert.equal(wd.file, 'exp.yaml');
  assert.equal(wd.line, 5);
  const typo = issues.find((i) => i.path === 'model.widht')!;
  assert.equal(typo.file, 'base.yaml');
});

test('a component replaced in a child file does not inherit the parent options', () => {
  const merged = mergeConfigs({ optimizer: { name: 'sgd', momentum: 0.9 } }, { optimizer: { name: 'adam', lr: 1e-3 } });
  assert.deepEqual(merged.optimizer, { name: 'adam', lr: 1e-3 });
});

test('override problems name the override', async () => {
  const issues = await issuesOf(valid, ['optimizer.lr=fast', 'train.epochs=0']);
  const lr = issues.find((i) => i.path === 'optimizer.lr')!;
  assert.equal(lr.file, 'command line');
  assert.match(lr.message, /optimizer\.lr=fast/);
  assert.ok(issues.find((i) => i.path === 'train.epochs'));
});

test('epochs and steps: exactly one', async () => {
  const both = await issuesOf(valid.replace('  epochs: 1', '  epochs: 1\n  steps: 3'));
  assert.match(both.map((i) => i.message).join(' '), /not both/);
  const neither = await issuesOf(valid.replace('  epochs: 1\n', ''));
  assert.match(neither.map((i) => i.message).join(' '), /train\.epochs or train\.steps/);
});

test('missing components and unknown kinds of values', async () => {
  const issues = await issuesOf('name: t\ntrain: {epochs: 1}\noptimizer: 5\n');
  const paths = issues.map((i) => i.path).sort();
  assert.ok(paths.includes('dataset') && paths.includes('model') && paths.includes('loss'), paths.join(','));
  assert.ok(issues.find((i) => i.path === 'optimizer' && /spec/.test(i.message)));
});

test('an override that switches the optimizer keeps the options the new one accepts', async () => {
  await withTmpDir(async (dir) => {
    mkdirSync(join(dir, 'c'));
    writeFileSync(join(dir, 'c', 'exp.yaml'), valid.replace('  lr: 0.1', '  lr: 0.1\n  momentum: 0.9'));
    const r = await loadExperiment('c/exp.yaml', ['optimizer.name=adam'], { cwd: dir });
    assert.equal(r.config.optimizer.name, 'adam');
    assert.equal(r.config.optimizer.lr, 0.1);
    assert.ok(!('momentum' in r.config.optimizer));
    assert.match(r.warnings.join('\n'), /optimizer\.momentum: dropped/);
  });
});
