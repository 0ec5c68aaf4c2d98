import { tf } from '../support/tf.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/core/errors.js';
import { loadMnistDigits } from '../../src/data/index.js';
import { all, build, rowKey } from './helpers.js';

const bundled = (() => {
  const { y } = loadMnistDigits();
  const c = new Array<number>(10).fill(0);
  for (const v of y) c[v]! += 1;
  return c;
})();

function counts(y: ArrayLike<number>): number[] {
  const c = new Array<number>(10).fill(0);
  for (let i = 0; i < y.length; i++) c[y[i]!]! += 1;
  return c;
}

test('mnist: the bundled package holds 10,000 digits of every class', () => {
  assert.equal(bundled.reduce((a, b) => a + b, 0), 10000);
  assert.ok(bundled.every((c) => c > 800 && c < 1200), `per-class counts ${bundled}`);
  assert.ok(tf.getBackend() === 'cpu');
});

test('mnist: default split is 8000/2000, stratified within one example per class', async () => {
  const ds = await build({ name: 'mnist' });
  assert.deepEqual(ds.sizes, { train: 8000, test: 2000 });
  assert.deepEqual(ds.spec.inputShape, [28, 28, 1]);
  const train = all(ds, 'train');
  const test = all(ds, 'test');
  assert.equal(train.x.length, 8000 * 784);
  const tr = counts(train.y);
  const te = counts(test.y);
  assert.deepEqual(ds.spec.classCounts, tr);
  for (let k = 0; k < 10; k++) {
    // largest-remainder allocation: |n_k − 8000·c_k/10000| < 1, and the rest goes to test
    assert.ok(Math.abs(tr[k]! - (8000 * bundled[k]!) / 10000) < 1, `class ${k}: ${tr[k]} train`);
    assert.equal(tr[k]! + te[k]!, bundled[k]);
  }
  let lo = Infinity, hi = -Infinity;
  for (const v of train.x) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  assert.ok(lo === 0 && hi <= 1 && hi > 0.9);
});

test('mnist: train and test are disjoint and classes are interleaved', async () => {
  const ds = await build({ name: 'mnist', train_size: 3000, test_size: 1000 });
  assert.deepEqual(ds.sizes, { train: 3000, test: 1000 });
  const train = all(ds, 'train');
  const test = all(ds, 'test');
  const keys = new Set(Array.from({ length: 3000 }, (_, i) => rowKey(train.x, i, 784)));
  let shared = 0;
  for (let i = 0; i < 1000; i++) if (keys.has(rowKey(test.x, i, 784))) shared += 1;
  assert.equal(shared, 0);
  // not sorted by class: the first 100 training labels cover several digits
  assert.ok(new Set(train.y.slice(0, 100)).size >= 8);
  assert.ok(Math.abs(counts(test.y)[1]! - (1000 * bundled[1]!) / 10000) <= 1);
});

test('mnist: same data seed gives the same split, another seed another split', async () => {
  const a = all(await build({ name: 'mnist' }, 3), 'train');
  const b = all(await build({ name: 'mnist' }, 3), 'train');
  const c = all(await build({ name: 'mnist' }, 4), 'train');
  assert.deepEqual(a.y, b.y);
  assert.deepEqual(a.x.subarray(0, 784 * 20), b.x.subarray(0, 784 * 20));
  assert.notDeepEqual(a.y.subarray(0, 50), c.y.subarray(0, 50));
});

test('mnist: flatten gives [784]; impossible sizes are config errors', async () => {
  const ds = await build({ name: 'mnist', flatten: true, train_size: 100, test_size: 50 });
  assert.deepEqual(ds.spec.inputShape, [784]);
  assert.equal(ds.gather('test', Int32Array.from([0, 1])).x.length, 2 * 784);
  await assert.rejects(build({ name: 'mnist', train_size: 9000, test_size: 2000 }), (e: unknown) => e instanceof ConfigError && /exceeds/.test(e.message));
  await assert.rejects(build({ name: 'mnist', train_sz: 10 }), ConfigError);
});
