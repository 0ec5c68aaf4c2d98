/** Per-group and worst-group accuracy on a hand example, accumulated over two batches. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGroupAccumulator } from '../../src/metrics/index.js';

test('group accuracy: per group over batches, worst over the groups seen, argmax ties to the first class', () => {
  const acc = createGroupAccumulator(2, 4);
  // batch 1: predictions 0, 1, 0 (tie → 0), 1; labels 0, 0, 0, 1; groups 0, 0, 1, 3
  acc.add(Float32Array.from([0.9, 0.1, 0.2, 0.8, 0.5, 0.5, 0.3, 0.7]), Int32Array.from([0, 0, 0, 1]), Int32Array.from([0, 0, 1, 3]));
  // batch 2: predictions 1, 1; labels 1, 0; groups 1, 3
  acc.add(Float32Array.from([0.4, 0.6, 0.1, 0.9]), Int32Array.from([1, 0]), Int32Array.from([1, 3]));
  assert.equal(acc.count, 6);
  // group 0: 1 of 2; group 1: 2 of 2; group 2: none (no key); group 3: 1 of 2
  assert.deepEqual(acc.result(), { group_acc_0: 0.5, group_acc_1: 1, group_acc_3: 0.5, worst_group_accuracy: 0.5 });
});

test('group accuracy: nothing added gives no keys; bad ids and shapes are refused', () => {
  assert.deepEqual(createGroupAccumulator(3, 2).result(), {});
  const acc = createGroupAccumulator(2, 2);
  assert.throws(() => acc.add(Float32Array.from([1, 0]), Int32Array.from([0]), Int32Array.from([2])), /group 2 outside \[0, 2\)/);
  assert.throws(() => acc.add(Float32Array.from([1, 0]), Int32Array.from([0]), Int32Array.from([0, 1])), /groups has 2 ids, expected 1/);
  assert.throws(() => acc.add(Float32Array.from([1, 0, 1]), Int32Array.from([0]), Int32Array.from([0])), /probs has 3 values/);
  assert.throws(() => createGroupAccumulator(2, 0), /numGroups/);
});
