/**
 * The semi-supervised label mask `dataset.labeled: N` (data/labeled.ts through finalizeDataset):
 * exactly N train rows keep their labels, class-balanced, chosen by the data seed; the others read
 * y = −1; the test split is untouched; classCounts count labelled rows; N above the train split is
 * a config error in transformIssues (so `validate` catches it) and on load.
 */
import '../support/tf.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { Rng } from '../../src/core/random.js';
import { finalizeDataset, transformShape, transformIssues, type RawData, type TransformOptions } from '../../src/data/index.js';
import { labeledRows } from '../../src/data/labeled.js';
import { all } from './helpers.js';

const defaults = (o: Record<string, unknown> = {}): TransformOptions => z.strictObject(transformShape).parse(o);

/** 3 classes, 40/30/20 train rows (interleaved), 15 test rows; feature = row id. */
function raw(): RawData {
  const labels = [...Array(40).fill(0), ...Array(30).fill(1), ...Array(20).fill(2)] as number[];
  const order = new Rng(5).permutation(labels.length);
  const y = Int32Array.from(order, (i) => labels[i]!);
  const x = Float32Array.from({ length: y.length }, (_, i) => i);
  const ty = Int32Array.from({ length: 15 }, (_, i) => i % 3);
  return {
    spec: { task: 'classification', inputShape: [1], inputKind: 'dense', numClasses: 3, outputDim: 3 },
    train: { n: y.length, x, y },
    test: { n: 15, x: Float32Array.from({ length: 15 }, (_, i) => i), y: ty },
    meta: {},
  };
}

test('labeled: exactly N labelled rows, class-balanced (remainder to the lowest class ids), the rest −1', () => {
  const r = raw();
  for (const n of [3, 10, 30, 31]) {
    const ds = finalizeDataset(r, defaults({ labeled: n }), 7);
    const y = all(ds, 'train').y as Int32Array;
    assert.equal(y.length, 90);
    const counts = [0, 0, 0];
    let unlabeled = 0;
    y.forEach((v, i) => {
      if (v === -1) unlabeled++;
      else {
        counts[v]!++;
        assert.equal(v, r.train.y[i], 'a kept label is the row\'s own');
      }
    });
    assert.equal(counts.reduce((a, b) => a + b, 0), n);
    assert.equal(unlabeled, 90 - n);
    const base = Math.floor(n / 3);
    assert.deepEqual(counts, [0, 1, 2].map((k) => base + (k < n % 3 ? 1 : 0)), `n=${n}`);
    assert.deepEqual(ds.spec.classCounts, counts, 'classCounts count the labelled rows');
    assert.deepEqual((ds.meta.transforms as { labeled: { per_class: number[] } }).labeled.per_class, counts);
    assert.deepEqual(Array.from(all(ds, 'test').y), Array.from(r.test.y), 'the test split keeps its labels');
  }
});

test('labeled: a class with too few rows gives what it has, the others fill up', () => {
  const { perClass, rows } = labeledRows(Int32Array.from([0, 0, 0, 0, 0, 1, 2, 2, 2, 2]), 3, 9, new Rng(1));
  assert.deepEqual(perClass, [4, 1, 4]);
  assert.equal(rows.length, 9);
});

test('labeled: the choice is a function of the data seed', () => {
  const r = raw();
  const mask = (seed: number) => Array.from(all(finalizeDataset(r, defaults({ labeled: 12 }), seed), 'train').y);
  assert.deepEqual(mask(3), mask(3));
  assert.notDeepEqual(mask(3), mask(4));
});

test('labeled: more rows than the train split (after subset), or a regression dataset, is an option error', () => {
  const d = { spec: { task: 'classification' as const, numClasses: 3 }, complete: true, sizes: { train: 90, test: 15 } };
  assert.match(transformIssues(defaults({ labeled: 91 }), d)[0]!.message, /91 labelled rows is more than the 90 train examples/);
  assert.match(transformIssues(defaults({ labeled: 50, subset: { train: 40 } }), d)[0]!.message, /50 labelled rows is more than the 40 train examples/);
  assert.deepEqual(transformIssues(defaults({ labeled: 90 }), d), []);
  assert.match(transformIssues(defaults({ labeled: 5 }), { ...d, spec: { task: 'regression' } })[0]!.message, /needs a classification dataset/);
  assert.throws(() => finalizeDataset(raw(), defaults({ labeled: 91 }), 0), /labeled: 91 labelled rows is more than the 90 train examples/);
  // the long tail shrinks the split only on load
  assert.throws(() => finalizeDataset(raw(), defaults({ labeled: 80, imbalance_ratio: 4 }), 0), /labelled rows is more than the \d+ train examples/);
});
