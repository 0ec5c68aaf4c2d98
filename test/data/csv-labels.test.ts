/**
 * Issue 14: CSV labels never shift class ids silently. Empty and NaN label cells, numbers that are
 * not class ids (-1, 2.0), numbers mixed with names and duplicate header names are errors naming
 * the file, the row and the column; label_map says what other labels mean, and the mapping is
 * recorded (meta.label_map, spec.classNames).
 */
import '../support/tf.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, RunnerError } from '../../src/core/errors.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { all, build } from './helpers.js';
import { stringify } from 'yaml';
import { run } from '../../src/commands/run.js';
import { tinyConfig } from '../train/harness.js';
import { captureContext } from '../sweep/helpers.js';

const rows = (labels: readonly string[]) => `a,b,label\n${labels.map((l, i) => `${i},${i % 4},${l}`).join('\n')}\n`;
const twenty = (f: (i: number) => string) => Array.from({ length: 20 }, (_, i) => f(i));

async function fails(text: string, pattern: RegExp, options: Record<string, unknown> = {}): Promise<void> {
  await withTmpDir(async (dir) => {
    writeFileSync(join(dir, 'd.csv'), text);
    await assert.rejects(build({ name: 'csv', path: 'd.csv', ...options }, 0, dir, dir), (err: unknown) => {
      assert.ok(err instanceof RunnerError, String(err));
      assert.equal(err.exitCode, 2);
      assert.ok(err.message.includes(join(dir, 'd.csv')), err.message);
      assert.match(err.message, pattern);
      return true;
    });
  });
}

test('an empty or NaN label cell is an error naming the file, row, line and column', async () => {
  const labels = twenty((i) => String(i % 2));
  await fails(rows(labels.map((l, i) => (i === 6 ? '' : l))), /row 7 \(line 8\), column "label": empty label/);
  for (const nan of ['NaN', 'nan', ' NaN ', '-nan']) {
    await fails(rows(labels.map((l, i) => (i === 3 ? nan : l))), /row 4 \(line 5\), column "label": label "-?nan" is a missing value/i);
  }
  // a quoted field with a line break moves the line numbers, not the row numbers
  await fails(`a,b,label\n0,"x\ny",1\n1,1,\n`, /row 2 \(line 4\)/);
  // in a separate test file too
  await withTmpDir(async (dir) => {
    writeFileSync(join(dir, 'train.csv'), rows(labels));
    writeFileSync(join(dir, 'test.csv'), rows(['0', '1', 'NaN']));
    await assert.rejects(build({ name: 'csv', path: 'train.csv', test_path: 'test.csv' }, 0, dir, dir), /test\.csv: row 3 \(line 4\), column "label"/);
  });
});

test('a -1 (or 2.0, or a number among names) label is an error, never a silent shift of the ids', async () => {
  await fails(rows(twenty((i) => (i % 3 === 2 ? '-1' : String(i % 3)))), /row 3 \(line 4\), column "label": label "-1" is not a class id \(integer labels are class ids.*label_map/);
  await fails(rows(twenty((i) => `${i % 2}.0`)), /label "0\.0" is not a class id \(numeric labels/);
  await fails(rows(twenty((i) => (i % 2 ? 'cat' : '10'))), /label "10" is not a class id \(class ids mixed with names\)/);
  // an integer too large to be a class id (a damaged file, or regression targets) is refused, not allocated
  await fails(rows(twenty((i) => (i === 2 ? '1099511627776' : String(i % 2)))), /label 1099511627776 at row 3 \(line 4\), column "label" is too large for a class id/);
});

test('integer labels are the ids as they are; names in sorted order; both recorded', async () => {
  await withTmpDir(async (dir) => {
    writeFileSync(join(dir, 'i.csv'), rows(twenty((i) => String([0, 1, 3][i % 3]))));
    const ds = await build({ name: 'csv', path: 'i.csv', test_fraction: 0.25 }, 0, dir, dir);
    assert.equal(ds.spec.numClasses, 4, 'ids as they are: 0, 1 and 3 (2 is empty)');
    const { x, y } = all(ds, 'train');
    for (let r = 0; r < y.length; r++) assert.equal(y[r], [0, 1, 3][x[2 * r]! % 3]);
    assert.equal(ds.meta.label_map, undefined);
  });
});

test('label_map maps -1/1 labels (and names) to the ids it gives; unlisted labels are errors; recorded in meta', async () => {
  await withTmpDir(async (dir) => {
    writeFileSync(join(dir, 'pm.csv'), rows(twenty((i) => (i % 2 ? '1' : '-1'))));
    const ds = await build({ name: 'csv', path: 'pm.csv', label_map: { '-1': 0, '1': 1 } }, 0, dir, dir);
    assert.equal(ds.spec.numClasses, 2);
    assert.deepEqual(ds.spec.classNames, ['-1', '1']);
    assert.deepEqual(ds.meta.label_map, { '-1': 0, '1': 1 });
    for (const split of ['train', 'test'] as const) {
      const { x, y } = all(ds, split);
      for (let r = 0; r < y.length; r++) assert.equal(y[r], x[2 * r]! % 2);
    }
    const flipped = await build({ name: 'csv', path: 'pm.csv', label_map: { '-1': 1, '1': 0 } }, 0, dir, dir);
    const { x, y } = all(flipped, 'train');
    for (let r = 0; r < y.length; r++) assert.equal(y[r], 1 - (x[2 * r]! % 2));
  });
  await fails(rows(twenty((i) => ['a', 'b', 'c'][i % 3]!)), /row 3 \(line 4\), column "label": label "c" is not in dataset\.label_map \("a", "b"\)/, { label_map: { a: 0, b: 1 } });
  await withTmpDir(async (dir) => {
    writeFileSync(join(dir, 'd.csv'), rows(twenty((i) => String(i % 2))));
    await assert.rejects(build({ name: 'csv', path: 'd.csv', label_map: { 0: 0, 1: 0 } }, 0, dir, dir), (e) => e instanceof ConfigError && /at least two class ids/.test(e.message));
    await assert.rejects(build({ name: 'csv', path: 'd.csv', task: 'regression', label_map: { 0: 0, 1: 1 } }, 0, dir, dir), (e) => e instanceof ConfigError && /for classification/.test(e.message));
  });
});

test('duplicate header names are an error (also when only the header is read)', async () => {
  await fails(`a,label,a\n${twenty((i) => `${i},${i % 2},${i}`).join('\n')}\n`, /names column "a" twice/);
  await fails(`a, label ,label\n${twenty((i) => `${i},${i % 2},${i}`).join('\n')}\n`, /names column "label" twice/);
});

test('a run prints the label mapping it records in meta.json', async () => {
  await withTmpDir(async (dir) => {
    writeFileSync(join(dir, 'names.csv'), rows(twenty((i) => (i % 2 ? 'dog' : 'cat'))));
    writeFileSync(join(dir, 'names.yaml'), stringify(tinyConfig({ dataset: { name: 'csv', path: join(dir, 'names.csv') }, train: { steps: 2 } })));
    const c = captureContext(dir);
    assert.equal(await run({ config: 'names.yaml', runDir: join(dir, 'out') }, c.ctx), 0, c.err());
    assert.match(c.err(), /labels → class ids: "cat" → 0, "dog" → 1/);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'out', 'meta.json'), 'utf8')).dataset.label_map, { cat: 0, dog: 1 });
  });
});
