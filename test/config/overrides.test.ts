import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyOverrides, parseOverride } from '../../src/config/overrides.js';

test('override values are YAML-typed', () => {
  assert.deepEqual(parseOverride('optimizer.lr=3e-4').value, 3e-4);
  assert.deepEqual(parseOverride('train.epochs=2').value, 2);
  assert.deepEqual(parseOverride('model.hidden=[128,64]').value, [128, 64]);
  assert.deepEqual(parseOverride('optimizer.nesterov=true').value, true);
  assert.deepEqual(parseOverride('name=abc').value, 'abc');
  assert.deepEqual(parseOverride('train.eval_every=null').value, null);
  assert.deepEqual(parseOverride('optimizer.betas=[0.9, 0.99]').path, ['optimizer', 'betas']);
});

test('+ adds, ~ deletes, malformed overrides are usage errors', () => {
  const base = { optimizer: { name: 'sgd', lr: 0.1, momentum: 0.9 }, train: { epochs: 1 } };
  const { value } = applyOverrides(base, [parseOverride('+optimizer.nesterov=true'), parseOverride('~optimizer.momentum'), parseOverride('train.steps=5')]);
  assert.deepEqual(value, { optimizer: { name: 'sgd', lr: 0.1, nesterov: true }, train: { epochs: 1, steps: 5 } });
  assert.deepEqual(base.optimizer.momentum, 0.9, 'the input is not mutated');
  assert.throws(() => parseOverride('optimizer.lr'), /key\.path=value/);
  assert.throws(() => parseOverride('optim izer.lr=1'), /dotted key path/);
  assert.throws(() => parseOverride('a=[1,'), /not valid YAML/);
});

test('changing a component name is remembered so stale options can be dropped', () => {
  const { value, renamed } = applyOverrides({ optimizer: { name: 'sgd', lr: 0.1, momentum: 0.9 } }, [parseOverride('optimizer.name=adam')]);
  assert.equal((value.optimizer as { name: string }).name, 'adam');
  assert.deepEqual([...renamed], ['optimizer']);
});
