/**
 * spurious-gaussian against its definition (group = 2y + s, s agreeing with y at the train and
 * test correlations, the layout [core | spurious | noise] with the stated means and noise), its
 * determinism, and group ids kept row by row through the shared transforms (subset, long tail,
 * label noise, normalisation) with `groupCounts` counted after them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Dataset, SplitName } from '../../src/core/types.js';
import { datasetRegistry, type DatasetEntry } from '../../src/data/index.js';
import { all, build, deps, rowKey } from './helpers.js';

const countsOf = (ids: ArrayLike<number>, n: number) => Array.from({ length: n }, (_, g) => Array.prototype.filter.call(ids, (v: number) => v === g).length);

function check(ds: Dataset, split: SplitName, o: { core: number; spu: number; noise: number }) {
  const { x, y, group } = all(ds, split);
  assert.ok(group instanceof Int32Array && group.length === y.length, 'one group id per row');
  const d = o.core + o.spu + o.noise;
  let aligned = 0;
  for (let i = 0; i < y.length; i++) {
    const g: number = group[i]!;
    const label = y[i]!;
    const s = g % 2;
    assert.equal(Math.floor(g / 2), label, 'group = 2y + s');
    if (s === label) aligned++;
    // spurious noise 0.1 around ±1: its sign is s̃ (a 10σ event otherwise)
    for (let j = 0; j < o.spu; j++) assert.equal(Math.sign(x[i * d + o.core + j]!), 2 * s - 1);
  }
  return { aligned: aligned / y.length, group };
}

test('spurious-gaussian: 4 groups (y, s); s agrees with y 95% in train, 50% in test; core and spurious means as stated', async () => {
  const ds = await build({ name: 'spurious-gaussian', n_train: 4000, n_test: 4000, core_dim: 2, noise_dim: 3 }, 5);
  assert.equal(ds.spec.numGroups, 4);
  assert.deepEqual(ds.spec.inputShape, [6]);
  const train = check(ds, 'train', { core: 2, spu: 1, noise: 3 });
  const test_ = check(ds, 'test', { core: 2, spu: 1, noise: 3 });
  assert.ok(Math.abs(train.aligned - 0.95) < 0.015, `train aligned fraction ${train.aligned}`);
  assert.ok(Math.abs(test_.aligned - 0.5) < 0.03, `test aligned fraction ${test_.aligned}`);
  assert.deepEqual(ds.spec.groupCounts, countsOf(train.group, 4));
  assert.equal(ds.spec.groupCounts!.reduce((a, b) => a + b, 0), 4000);
  for (const g of countsOf(test_.group, 4)) assert.ok(Math.abs(g / 4000 - 0.25) < 0.03, `test group share ${g / 4000}`);
  assert.deepEqual((ds.meta.group_counts as { train: number[] }).train, ds.spec.groupCounts);
  assert.ok(Math.abs((ds.meta.realised_aligned_fraction as { train: number }).train - train.aligned) < 1e-12);
  // E[x_core · ỹ] = core_strength = 1 (std 1), E[x_noise] = 0
  const { x, y } = all(ds, 'train');
  let core = 0, noise = 0;
  for (let i = 0; i < y.length; i++) {
    core += (x[i * 6]! + x[i * 6 + 1]!) * (2 * y[i]! - 1) / 2;
    noise += x[i * 6 + 5]!;
  }
  assert.ok(Math.abs(core / y.length - 1) < 0.05, `mean core margin ${core / y.length}`);
  assert.ok(Math.abs(noise / y.length) < 0.05, `mean noise ${noise / y.length}`);
});

test('spurious-gaussian: the correlations are options; the data seed fixes the data', async () => {
  const flipped = await build({ name: 'spurious-gaussian', n_train: 2000, n_test: 2000, spurious_correlation: 0.2, test_correlation: 1 }, 1);
  assert.ok(Math.abs(check(flipped, 'train', { core: 1, spu: 1, noise: 0 }).aligned - 0.2) < 0.03);
  assert.equal(check(flipped, 'test', { core: 1, spu: 1, noise: 0 }).aligned, 1);
  const a = await build({ name: 'spurious-gaussian', n_train: 50, n_test: 20 }, 9);
  const b = await build({ name: 'spurious-gaussian', n_train: 50, n_test: 20 }, 9);
  const c = await build({ name: 'spurious-gaussian', n_train: 50, n_test: 20 }, 10);
  assert.deepEqual(all(a, 'train'), all(b, 'train'));
  assert.deepEqual(all(a, 'test'), all(b, 'test'));
  assert.notDeepEqual(all(a, 'train').x, all(c, 'train').x);
});

test('spurious-gaussian: describe() reports the 4 groups without loading', () => {
  const entry = datasetRegistry.get('spurious-gaussian') as DatasetEntry;
  const d = entry.describe(entry.schema.parse({ core_dim: 3 }), deps());
  assert.equal(d.spec.numGroups, 4);
  assert.deepEqual(d.spec.inputShape, [4]);
  assert.equal(d.complete, true);
});

test('the transforms keep each row\'s group: subset, long tail, label noise, normalisation; groupCounts after them', async () => {
  const base = await build({ name: 'spurious-gaussian', n_train: 600, n_test: 100 }, 4);
  const full = all(base, 'train');
  const groupOf = new Map<string, number>();
  for (let i = 0; i < base.sizes.train; i++) groupOf.set(rowKey(full.x, i, 2), full.group![i]!);
  for (const transform of [
    { subset: { train: 200, test: 50 } },
    { imbalance_ratio: 5 },
    { label_noise: { type: 'symmetric', rate: 0.4 } },
    { subset: { train: 300 }, imbalance_ratio: 3, label_noise: { type: 'pairflip', rate: 0.3 } },
  ]) {
    const ds = await build({ name: 'spurious-gaussian', n_train: 600, n_test: 100, ...transform }, 4);
    const got = all(ds, 'train');
    assert.equal(got.group!.length, ds.sizes.train);
    for (let i = 0; i < ds.sizes.train; i++) assert.equal(got.group![i], groupOf.get(rowKey(got.x, i, 2)), `${JSON.stringify(transform)} row ${i}`);
    assert.deepEqual(ds.spec.groupCounts, countsOf(got.group!, 4), `${JSON.stringify(transform)} groupCounts`);
    if (got.cleanY) for (let i = 0; i < ds.sizes.train; i++) assert.equal(Math.floor(got.group![i]! / 2), got.cleanY[i], 'the group keeps the clean label');
    assert.equal(all(ds, 'test').group!.length, ds.sizes.test);
  }
  // normalisation changes x, not the groups; a gather of chosen rows carries their groups
  const norm = await build({ name: 'spurious-gaussian', n_train: 600, n_test: 100, normalize: true }, 4);
  assert.deepEqual(all(norm, 'train').group, full.group);
  assert.deepEqual(Array.from(base.gather('train', Int32Array.from([5, 1, 5])).group!), [full.group![5], full.group![1], full.group![5]]);
});

test('datasets without groups give no group ids and no group facts', async () => {
  const ds = await build({ name: 'blobs', n_train: 30, n_test: 10 }, 0);
  assert.equal(ds.spec.numGroups, undefined);
  assert.equal(ds.spec.groupCounts, undefined);
  assert.equal(all(ds, 'train').group, undefined);
  assert.equal(ds.meta.group_counts, undefined);
});
