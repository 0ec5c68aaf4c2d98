/**
 * colored-mnist against the IRM recipe (make_environment): every image found back among the bundled
 * digits (subsampled 2×), the binary label = (digit < 5) flipped at rate 0.25 in every environment,
 * the digit in exactly the channel of its colour, the colour agreeing with the label at 0.8 and 0.9
 * in the train environments and 0.1 in the test one; group = environment; determinism and options;
 * and the group annotations of mnist (class, head-medium-tail) kept through imbalance_ratio (long tail).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Dataset, SplitName } from '../../src/core/types.js';
import { loadMnistDigits } from '../../src/data/index.js';
import { all, build } from './helpers.js';

/** Subsampled digit key → digit (the bundled digits at rows and columns 0, 2, …, 26). */
function digitIndex(stride: number): Map<string, number> {
  const d = loadMnistDigits();
  const map = new Map<string, number>();
  for (let i = 0; i < d.y.length; i++) {
    const px: number[] = [];
    for (let a = 0; a < 28; a += stride) for (let b = 0; b < 28; b += stride) px.push(d.x[i * 784 + a * 28 + b]!);
    map.set(px.join(','), d.y[i]!);
  }
  return map;
}

interface Stats { rows: number; labelAgree: number; colorAgree: number }
function stats(ds: Dataset, split: SplitName, index: Map<string, number>, side: number): Map<number, Stats> {
  const { x, y, group } = all(ds, split);
  const size = side * side * 2;
  const out = new Map<number, Stats>();
  for (let i = 0; i < y.length; i++) {
    const ch = [[], []] as number[][];
    for (let p = 0; p < side * side; p++) for (const c of [0, 1]) ch[c]!.push(x[i * size + p * 2 + c]!);
    const nonzero = ch.map((v) => v.some((u) => u !== 0));
    assert.ok(!(nonzero[0] && nonzero[1]), `row ${i}: the digit is in one channel only`);
    const color = nonzero[1] ? 1 : 0;
    const digit = index.get(ch[color]!.join(','));
    assert.ok(digit !== undefined, `row ${i}: the image is a bundled digit`);
    const g = group![i]!;
    const s = out.get(g) ?? { rows: 0, labelAgree: 0, colorAgree: 0 };
    s.rows += 1;
    if (y[i] === (digit! < 5 ? 1 : 0)) s.labelAgree += 1;
    if (y[i] === color) s.colorAgree += 1;
    out.set(g, s);
  }
  return out;
}

test('colored-mnist: the IRM environments (label flips 0.25; colour agreement 0.8, 0.9 train, 0.1 test), group = environment', async () => {
  const ds = await build({ name: 'colored-mnist' }, 3);
  assert.deepEqual(ds.spec.inputShape, [14, 14, 2]);
  assert.equal(ds.spec.numClasses, 2);
  assert.equal(ds.spec.numGroups, 3);
  assert.deepEqual(ds.sizes, { train: 8000, test: 2000 });
  assert.deepEqual(ds.spec.groupCounts, [4000, 4000, 0]);
  const index = digitIndex(2);
  const train = stats(ds, 'train', index, 14);
  const test_ = stats(ds, 'test', index, 14);
  assert.deepEqual([...train.keys()].sort(), [0, 1]);
  assert.deepEqual([...test_.keys()], [2]);
  const want: [Map<number, Stats>, number, number][] = [[train, 0, 0.8], [train, 1, 0.9], [test_, 2, 0.1]];
  for (const [m, g, agree] of want) {
    const s = m.get(g)!;
    // binomial standard deviations: √(0.25·0.75/4000) ≈ 0.007, √(0.2·0.8/4000) ≈ 0.006
    assert.ok(Math.abs(s.labelAgree / s.rows - 0.75) < 0.03, `environment ${g}: label agreement ${s.labelAgree / s.rows}`);
    assert.ok(Math.abs(s.colorAgree / s.rows - agree) < 0.03, `environment ${g}: colour agreement ${s.colorAgree / s.rows}`);
  }
});

test('colored-mnist: deterministic in the data seed; options (three environments, no flips, 28×28)', async () => {
  const a = all(await build({ name: 'colored-mnist', train_size: 600, test_size: 300 }, 1), 'train');
  const b = all(await build({ name: 'colored-mnist', train_size: 600, test_size: 300 }, 1), 'train');
  const c = all(await build({ name: 'colored-mnist', train_size: 600, test_size: 300 }, 2), 'train');
  assert.deepEqual(Array.from(a.y), Array.from(b.y));
  assert.deepEqual(Array.from(a.x), Array.from(b.x));
  assert.notDeepEqual(Array.from(a.y), Array.from(c.y));

  const ds = await build({ name: 'colored-mnist', train_size: 900, test_size: 300, color_noise: [0, 1, 0.5], test_color_noise: 0, label_flip: 0, downsample: false }, 4);
  assert.deepEqual(ds.spec.inputShape, [28, 28, 2]);
  assert.equal(ds.spec.numGroups, 4);
  assert.deepEqual(ds.spec.groupCounts, [300, 300, 300, 0]);
  const index = digitIndex(1);
  const train = stats(ds, 'train', index, 28);
  const test_ = stats(ds, 'test', index, 28);
  for (const s of [...train.values(), ...test_.values()]) assert.equal(s.labelAgree, s.rows, 'label_flip 0: the label is digit < 5 everywhere');
  assert.equal(train.get(0)!.colorAgree, 300);
  assert.equal(train.get(1)!.colorAgree, 0);
  assert.ok(Math.abs(train.get(2)!.colorAgree / 300 - 0.5) < 0.1);
  assert.equal(test_.get(3)!.colorAgree, 300);
});

test('colored-mnist: sizes beyond the 10,000 bundled digits are refused', async () => {
  await assert.rejects(build({ name: 'colored-mnist', train_size: 9000, test_size: 2000 }), /exceeds the 10000 bundled digits/);
});

test('mnist groups: class (group = digit) and head-medium-tail (digits 0–2, 3–6, 7–9), kept through imbalance_ratio (long tail)', async () => {
  const byClass = await build({ name: 'mnist', train_size: 500, test_size: 200, groups: 'class' }, 0);
  assert.equal(byClass.spec.numGroups, 10);
  const a = all(byClass, 'test');
  assert.deepEqual(Array.from(a.group!), Array.from(a.y));
  const ht = await build({ name: 'mnist', train_size: 2000, test_size: 500, groups: 'head-medium-tail', imbalance_ratio: 10 }, 0);
  assert.equal(ht.spec.numGroups, 3);
  for (const split of ['train', 'test'] as const) {
    const { y, group } = all(ht, split);
    for (let i = 0; i < y.length; i++) assert.equal(group![i], y[i]! < 3 ? 0 : y[i]! < 7 ? 1 : 2);
  }
  const counts = ht.spec.groupCounts!;
  assert.ok(counts[0]! > counts[1]! / 4 * 3 && counts[2]! < counts[0]!, `head ${counts[0]} medium ${counts[1]} tail ${counts[2]}`);
  const plain = await build({ name: 'mnist', train_size: 500, test_size: 200 }, 0);
  assert.equal(plain.spec.numGroups, undefined);
  assert.equal(all(plain, 'train').group, undefined);
});
