/**
 * train.sampler (src/data/samplers): the default reproduces today's order bit for bit; pk batches
 * hold exactly P classes × K rows each, distinct within a batch (RandomIdentitySampler); class-balanced
 * draws every class about equally often; every sampler's indices(s) are a pure function of
 * (seed, s): a fresh plan (a resumed run) asked for step s alone returns the same rows.
 */
import '../support/tf.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { Rng } from '../../src/core/random.js';
import { finalizeDataset, transformShape, type RawData } from '../../src/data/index.js';
import { pkEpoch } from '../../src/data/samplers/pk.js';
import { samplerSchema, type SamplerSpec } from '../../src/data/samplers/index.js';
import { BatchPlan } from '../../src/train/batches.js';
import type { Dataset } from '../../src/core/types.js';

/** n rows of 2 features; class of row i from `classOf(i)`; K classes. */
function dataset(n: number, K: number, classOf: (i: number) => number, options: Record<string, unknown> = {}): Dataset {
  const x = Float32Array.from({ length: n * 2 }, (_, j) => j);
  const y = Int32Array.from({ length: n }, (_, i) => classOf(i));
  const raw: RawData = {
    spec: { task: 'classification', inputShape: [2], inputKind: 'dense', numClasses: K, outputDim: K },
    train: { n, x, y },
    test: { n, x: x.slice(), y: y.slice() },
    meta: {},
  };
  return finalizeDataset(raw, z.strictObject(transformShape).parse(options), 0);
}

const labelsOf = (ds: Dataset, rows: Int32Array) => Array.from(ds.gather('train', rows).y as Int32Array);

test('the default sampler is today\'s order: the permutation of Rng.derive(seed, "order", epoch), bit for bit', () => {
  const ds = dataset(70, 3, (i) => i % 3);
  const plan = new BatchPlan(ds, 5, 16);
  const explicit = new BatchPlan(ds, 5, 16, { sampler: { name: 'shuffle' } });
  assert.equal(plan.stepsPerEpoch, 5);
  for (let s = 0; s < 3 * plan.stepsPerEpoch; s++) {
    const epoch = Math.floor(s / 5);
    const b = s % 5;
    const perm = Rng.derive(5, 'order', epoch).permutation(70);
    const want = Array.from(perm.subarray(b * 16, Math.min(70, (b + 1) * 16)));
    assert.deepEqual(Array.from(plan.indices(s).indices), want, `step ${s}`);
    assert.deepEqual(Array.from(explicit.indices(s).indices), want, `step ${s} (explicit shuffle)`);
    assert.equal(plan.indices(s).epoch, epoch);
  }
});

test('pk: every batch holds exactly P classes × K rows, none repeated within the batch', () => {
  // 6 classes of 10, 12, …, 20 rows: K = 4 divides none evenly, so chunks are dropped and refills happen
  const sizes = [10, 12, 14, 16, 18, 20];
  const classOf = (i: number) => { let c = 0, at = 0; while (i >= at + sizes[c]!) at += sizes[c++]!; return c; };
  const ds = dataset(90, 6, classOf);
  const plan = new BatchPlan(ds, 1, 12, { sampler: { name: 'pk', classes: 3, per_class: 4 } });
  for (let s = 0; s < 4 * plan.stepsPerEpoch; s++) {
    const { indices } = plan.indices(s);
    assert.equal(indices.length, 12);
    assert.equal(new Set(indices).size, 12, `step ${s}: rows distinct within the batch`);
    const y = labelsOf(ds, indices);
    const counts = new Map<number, number>();
    for (const c of y) counts.set(c, (counts.get(c) ?? 0) + 1);
    assert.equal(counts.size, 3, `step ${s}: 3 classes (${y.join(',')})`);
    for (const [c, k] of counts) assert.equal(k, 4, `step ${s}: class ${c} has ${k} rows`);
    // each class's K rows are consecutive, as RandomIdentitySampler's batch.extend(chunk) lays them out
    for (let j = 0; j < 3; j++) assert.equal(new Set(y.slice(4 * j, 4 * j + 4)).size, 1);
  }
});

test('pk: a class smaller than K is padded with its own rows (with replacement), as upstream', () => {
  const byClass = [Int32Array.from([0, 1]), Int32Array.from([2, 3, 4, 5, 6, 7])];
  const out = pkEpoch(byClass, 2, 3, 4, new Rng(3));
  for (let s = 0; s < 4; s++) {
    const batch = Array.from(out.subarray(6 * s, 6 * s + 6));
    const small = batch.filter((r) => r < 2);
    assert.equal(small.length, 3, `step ${s}: K = 3 rows of the 2-row class`);
    assert.equal(new Set(small).size, 2, 'both of its rows, one twice');
  }
  assert.throws(() => pkEpoch(byClass, 3, 2, 1, new Rng(3)), /3 classes per batch, but the train split has 2/);
});

test('pk: without refills an epoch visits each chunk once (no row twice until the pools refill)', () => {
  // 4 classes × 8 rows, P = 2, K = 4: 8 chunks, 4 batches use them all exactly once
  const byClass = [0, 1, 2, 3].map((c) => Int32Array.from({ length: 8 }, (_, i) => c * 8 + i));
  const out = pkEpoch(byClass, 2, 4, 4, new Rng(9));
  assert.equal(new Set(out).size, 32);
});

test('class-balanced: each class drawn about equally often, rows ∝ 1/n_class, N draws per epoch', () => {
  // a long tail: class 0 has 900 rows, class 1 90, class 2 10
  const ds = dataset(1000, 3, (i) => (i < 900 ? 0 : i < 990 ? 1 : 2));
  const plan = new BatchPlan(ds, 2, 100, { sampler: { name: 'class-balanced' } });
  const counts = [0, 0, 0];
  let draws = 0;
  for (let s = 0; s < 10 * plan.stepsPerEpoch; s++) {
    const { indices } = plan.indices(s);
    assert.equal(indices.length, 100);
    draws += indices.length;
    for (const c of labelsOf(ds, indices)) counts[c]! += 1;
  }
  assert.equal(draws, 10 * 1000, 'N draws per epoch');
  // each class 1/3 of 10000 draws: σ = √(10000·(1/3)(2/3)) ≈ 47, 4σ ≈ 190
  for (const c of counts) assert.ok(Math.abs(c - 10000 / 3) < 190, `class counts ${counts.join(', ')}`);
});

for (const spec of [{ name: 'shuffle' }, { name: 'pk', classes: 2, per_class: 5 }, { name: 'class-balanced' }] as SamplerSpec[]) {
  test(`${spec.name}: indices(s) from a fresh plan (a resumed run) equal the uninterrupted plan's, in any order of calls`, () => {
    const ds = dataset(53, 4, (i) => (i * 7) % 4);
    const a = new BatchPlan(ds, 11, 10, { sampler: spec });
    const seq = Array.from({ length: 3 * a.stepsPerEpoch }, (_, s) => Array.from(a.indices(s).indices));
    for (const s of [13, 0, 7, 5, 17, 6]) {
      const fresh = new BatchPlan(ds, 11, 10, { sampler: spec });
      assert.deepEqual(Array.from(fresh.indices(s).indices), seq[s], `step ${s}`);
    }
    const other = new BatchPlan(ds, 12, 10, { sampler: spec });
    assert.notDeepEqual(Array.from({ length: 6 }, (_, s) => Array.from(other.indices(s).indices)), seq.slice(0, 6), 'another seed, another order');
  });
}

test('train.sampler accepts a bare name and rejects unknown names and options', () => {
  assert.deepEqual(samplerSchema.parse('class-balanced'), { name: 'class-balanced' });
  assert.deepEqual(samplerSchema.parse({ name: 'pk', classes: 4, per_class: 8 }), { name: 'pk', classes: 4, per_class: 8 });
  assert.equal(samplerSchema.safeParse({ name: 'pk', classes: 4 }).success, false);
  assert.equal(samplerSchema.safeParse({ name: 'shuffle', classes: 4 }).success, false);
  assert.equal(samplerSchema.safeParse({ name: 'random' }).success, false);
});

test('class_split: train keeps its classes, test the held-out ones (all others by default), labels unchanged', () => {
  const ds = dataset(100, 10, (i) => i % 10, { class_split: { train: [0, 1, 2, 3, 4] } });
  assert.equal(ds.sizes.train, 50);
  assert.equal(ds.sizes.test, 50);
  const all = (split: 'train' | 'test') => Array.from(ds.gather(split, Int32Array.from({ length: ds.sizes[split] }, (_, i) => i)).y as Int32Array);
  assert.deepEqual([...new Set(all('train'))].sort(), [0, 1, 2, 3, 4]);
  assert.deepEqual([...new Set(all('test'))].sort(), [5, 6, 7, 8, 9]);
  assert.equal(ds.spec.numClasses, 10, 'labels keep their ids: the class count stays');
  const listed = dataset(100, 10, (i) => i % 10, { class_split: { train: [0, 1], test: [7] }, subset: { train: 10 } });
  assert.equal(listed.sizes.train, 10, 'subset draws from the kept rows');
  assert.deepEqual([...new Set(Array.from(listed.gather('test', Int32Array.from({ length: listed.sizes.test }, (_, i) => i)).y))], [7]);
});

/** n rows in D domains: domain of row i from `domainOf(i)` (group ids), 2 classes. */
function grouped(n: number, D: number, domainOf: (i: number) => number): Dataset {
  const x = Float32Array.from({ length: n * 2 }, (_, j) => j);
  const y = Int32Array.from({ length: n }, (_, i) => i % 2);
  const group = Int32Array.from({ length: n }, (_, i) => domainOf(i));
  const raw: RawData = {
    spec: { task: 'classification', inputShape: [2], inputKind: 'dense', numClasses: 2, outputDim: 2, numGroups: D },
    train: { n, x, y, group },
    test: { n, x: x.slice(), y: y.slice(), group: group.slice() },
    meta: {},
  };
  return finalizeDataset(raw, z.strictObject(transformShape).parse({}), 0);
}

test('domains: every batch holds batch_size / D rows of each domain, domain by domain; every row of a domain is visited before one recurs', () => {
  // domains of 5, 20 and 35 rows: the small one recurs within an epoch, the large one is partly visited
  const domainOf = (i: number) => (i < 5 ? 0 : i < 25 ? 1 : 2);
  const ds = grouped(60, 3, domainOf);
  const plan = new BatchPlan(ds, 3, 12, { sampler: { name: 'domains' } });
  assert.equal(plan.stepsPerEpoch, 5);
  const seen = [new Set<number>(), new Set<number>(), new Set<number>()];
  for (let s = 0; s < plan.stepsPerEpoch; s++) {
    const { indices } = plan.indices(s);
    assert.equal(indices.length, 12);
    Array.from(indices).forEach((r, j) => {
      assert.equal(domainOf(r), Math.floor(j / 4), `step ${s} row ${j}: domain slices in ascending order`);
      if (s === 0) seen[domainOf(r)]!.add(r);
    });
  }
  // step 0: 4 rows of domain 1 (20 rows), all distinct; domain 0 (5 rows) covers 4 distinct rows of its permutation
  assert.equal(seen[1]!.size, 4);
  assert.equal(seen[0]!.size, 4);
  const first20 = Array.from({ length: 5 }, (_, s) => Array.from(plan.indices(s).indices.subarray(4, 8))).flat();
  assert.equal(new Set(first20).size, 20, 'domain 1: one permutation of its 20 rows over the epoch');
  const small = Array.from({ length: 2 }, (_, s) => Array.from(plan.indices(s).indices.subarray(0, 4))).flat();
  assert.equal(new Set(small.slice(0, 5)).size, 5, 'domain 0: all 5 rows before any recurs');
});

test('domains: extra batch k is the step\'s slice of the k-th domain of a per-step random order, a pure function of (seed, step, k)', () => {
  const domainOf = (i: number) => i % 2;
  const ds = grouped(40, 2, domainOf);
  const plan = new BatchPlan(ds, 7, 8, { sampler: { name: 'domains' } });
  const fresh = new BatchPlan(ds, 7, 8, { sampler: { name: 'domains' } });
  const orders = new Set<string>();
  for (let s = 0; s < 12; s++) {
    const own = Array.from(plan.indices(s).indices);
    const order = Rng.derive(7, 'domains-order', s).permutation(2);
    for (let k = 0; k < 2; k++) {
      const rows = Array.from(plan.extraIndices(s, k));
      assert.deepEqual(rows, own.slice(order[k]! * 4, (order[k]! + 1) * 4), `step ${s} extra ${k}`);
      assert.ok(rows.every((r) => domainOf(r) === order[k]));
      assert.deepEqual(Array.from(fresh.extraIndices(s, k)), rows, 'a fresh plan (a resumed run) draws the same rows');
    }
    orders.add(Array.from(order).join());
  }
  assert.equal(orders.size, 2, 'both domain orders occur');
  assert.throws(() => plan.extraIndices(0, 2), /extra batch 2 asked for, but the train split has 2 domains/);
});

test('domains: a batch size that is not a multiple of the domains, or a dataset without groups, is refused', () => {
  const ds = grouped(30, 3, (i) => i % 3);
  assert.throws(() => new BatchPlan(ds, 0, 10, { sampler: { name: 'domains' } }).indices(0), /batch_size 10 is not a multiple of the 3 domains/);
  const plain = dataset(30, 3, (i) => i % 3);
  assert.throws(() => new BatchPlan(plain, 0, 9, { sampler: { name: 'domains' } }).indices(0), /no group ids/);
  assert.deepEqual(samplerSchema.parse('domains'), { name: 'domains' });
});
