/**
 * Issue 14: hostile or unusual YAML is a config error with file:line (exit 2), never a stack
 * trace; names and data paths that no filesystem can hold are rejected by validation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadExperiment } from '../../src/config/load.js';
import { ConfigError, type ConfigIssue } from '../../src/core/errors.js';
import { MAX_NAME_LENGTH } from '../../src/config/schema.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { minima, runDirs } from '../support/cli.js';

const valid = `name: t
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
backend: cpu
`;
const lines = valid.split('\n').length; // the line after the last one of `valid`

async function issuesOf(text: string, overrides: string[] = []): Promise<readonly ConfigIssue[]> {
  return withTmpDir(async (dir) => {
    writeFileSync(join(dir, 'exp.yaml'), text);
    try {
      await loadExperiment('exp.yaml', overrides, { cwd: dir });
    } catch (err) {
      if (err instanceof ConfigError) return err.issues;
      throw err;
    }
    throw new Error('expected a ConfigError');
  });
}

const bomb = `${valid}a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
`;

test('an alias bomb is a config error at the first alias, not a stack trace', async () => {
  const issues = await issuesOf(bomb);
  assert.equal(issues.length, 1);
  assert.match(issues[0]!.message, /alias bomb/);
  assert.equal(issues[0]!.file, 'exp.yaml');
  assert.equal(issues[0]!.line, lines + 1);
});

test('an undefined alias and an alias inside its own anchor are reported at their line', async () => {
  let [issue] = await issuesOf(`${valid}seed2: *nowhere\n`);
  assert.match(issue!.message, /alias \*nowhere has no anchor &nowhere/);
  assert.deepEqual([issue!.file, issue!.line, issue!.column, issue!.path], ['exp.yaml', lines, 8, 'seed2']);
  [issue] = await issuesOf(`${valid}x:\n  y: &r [1, *r]\n`);
  assert.match(issue!.message, /inside the node it names/);
  assert.deepEqual([issue!.line, issue!.path], [lines + 1, 'x.y.1']);
  // an alias that is defined is fine (and still validated as the value it stands for)
  const ok = valid.replace('  lr: 0.1', '  lr: &lr 0.1').replace('  epochs: 1', '  epochs: 1\n  log_every: *lr');
  [issue] = await issuesOf(ok);
  assert.equal(issue!.path, 'train.log_every');
});

for (const key of ['__proto__', 'constructor', 'prototype']) {
  test(`a "${key}" key is refused at its line, at the top level and nested`, async () => {
    let issues = await issuesOf(`${valid}${key}: {a: 1}\n`);
    assert.equal(issues.length, 1);
    assert.deepEqual([issues[0]!.line, issues[0]!.path], [lines, key]);
    assert.match(issues[0]!.message, /not allowed as a key/);
    issues = await issuesOf(valid.replace('  lr: 0.1', `  lr: 0.1\n  ${key}:\n    lr: 1`));
    assert.deepEqual([issues[0]!.line, issues[0]!.column, issues[0]!.path], [12, 3, `optimizer.${key}`]);
    assert.equal(({} as Record<string, unknown>).a, undefined, 'no prototype was written');
  });
}

test('a null or empty key is reported at its own line', async () => {
  for (const key of ['null', '~', '""']) {
    const [issue] = await issuesOf(valid.replace('  hidden: [8]', `  hidden: [8]\n  ${key}: 3`));
    assert.deepEqual([issue!.file, issue!.line, issue!.path], ['exp.yaml', 7, 'model'], key);
    assert.match(issue!.message, /key is empty or null/);
  }
  const [issue] = await issuesOf(`${valid}? [a, b]\n: 1\n`);
  assert.match(issue!.message, /plain name/);
});

test('nesting thousands deep is a config error', async () => {
  const [issue] = await issuesOf(`${valid}deep: ${'['.repeat(20000)}${']'.repeat(20000)}\n`);
  assert.equal(issue!.file, 'exp.yaml');
  assert.match(issue!.message, /YAML/);
});

test(`a name longer than ${MAX_NAME_LENGTH} characters is rejected by validation, at its line`, async () => {
  let issues = await issuesOf(valid.replace('name: t', `name: ${'a'.repeat(300)}`));
  assert.deepEqual([issues[0]!.path, issues[0]!.line], ['name', 1]);
  assert.match(issues[0]!.message, /at most 234 characters/);
  issues = await issuesOf(valid, [`name=${'b'.repeat(MAX_NAME_LENGTH + 1)}`]);
  assert.equal(issues[0]!.file, 'command line');
  // the longest name fits a run folder with its timestamp and a collision suffix
  assert.equal(16 + MAX_NAME_LENGTH + 5, 255);
});

test('a data path with a component over 255 bytes (or over 4095 bytes in all) is rejected by validation', async () => {
  const csv = (path: string) => valid.replace('  name: moons', `  name: csv\n  path: ${path}`);
  let issues = await issuesOf(csv(`data/${'é'.repeat(130)}.csv`));
  assert.deepEqual([issues[0]!.path, issues[0]!.line], ['dataset.path', 4]);
  assert.match(issues[0]!.message, /264 bytes long; a file or folder name holds at most 255/);
  issues = await issuesOf(csv(Array.from({ length: 30 }, () => 'x'.repeat(200)).join('/')));
  assert.match(issues[0]!.message, /at most 4095/);
});

test('through the CLI: hostile files exit 2 with file:line, no stack trace, nothing written', async () => {
  await withTmpDir((dir) => {
    const cases: Record<string, string> = {
      'bomb.yaml': bomb,
      'alias.yaml': `${valid}seed2: *nowhere\n`,
      'proto.yaml': `${valid}__proto__: {a: 1}\n`,
      'long.yaml': valid.replace('name: t', `name: ${'a'.repeat(300)}`),
    };
    for (const [file, text] of Object.entries(cases)) {
      writeFileSync(join(dir, file), text);
      for (const command of ['validate', 'run']) {
        const r = minima([command, file], dir);
        assert.equal(r.code, 2, `${command} ${file}: ${r.stderr}`);
        assert.match(r.stderr, new RegExp(`${file.replace('.', '\\.')}:\\d+:\\d+: `), r.stderr);
        assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, r.stderr);
      }
    }
    assert.deepEqual(runDirs(join(dir, 'runs')), []);
    assert.equal(existsSync(join(dir, 'runs')), false);
  });
});
