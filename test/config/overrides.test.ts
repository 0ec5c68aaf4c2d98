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

test('overrides never write through a prototype: __proto__, constructor and prototype are refused, naming the override', () => {
  for (const raw of ['__proto__.polluted=1', 'optimizer.__proto__.lr=1', '+__proto__.x=1', '~__proto__', 'constructor.prototype.x=1', 'optimizer.prototype=1', 'optimizer={__proto__: {lr: 1}}', 'model.hidden=[{constructor: 1}]']) {
    assert.throws(() => parseOverride(raw), (err: Error) => err.message.includes(`override "${raw}"`) && /not allowed as a key/.test(err.message), raw);
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('keys an object inherits are not taken for config values', () => {
  const { value } = applyOverrides({ optimizer: { name: 'sgd' } }, [parseOverride('optimizer.toString.x=1'), parseOverride('+hasOwnProperty=2')]);
  assert.deepEqual(Object.keys(value), ['optimizer', 'hasOwnProperty']);
  assert.deepEqual((value.optimizer as Record<string, unknown>).toString, { x: 1 });
});

test('list indices: an override past the end or a non-index on a list is an error naming the override; + appends', () => {
  const base = { train: { eval_splits: ['train', 'test'] } };
  assert.throws(() => applyOverrides(base, [parseOverride('train.eval_splits.5=train')]), /override "train\.eval_splits\.5=train": train\.eval_splits has 2 items; index 5 is past its end/);
  assert.throws(() => applyOverrides(base, [parseOverride('train.eval_splits.foo=1')]), /override "train\.eval_splits\.foo=1": train\.eval_splits is a list; "foo" is not an index/);
  assert.throws(() => applyOverrides(base, [parseOverride('train.eval_splits.2=train')]), /past its end \(use \+/);
  assert.throws(() => applyOverrides(base, [parseOverride('~train.eval_splits.7')]), /override "~train\.eval_splits\.7"/);
  assert.deepEqual(applyOverrides(base, [parseOverride('+train.eval_splits.2=train')]).value, { train: { eval_splits: ['train', 'test', 'train'] } });
  assert.deepEqual(applyOverrides(base, [parseOverride('train.eval_splits.1=train')]).value, { train: { eval_splits: ['train', 'train'] } });
  assert.deepEqual(applyOverrides(base, [parseOverride('~train.eval_splits.0')]).value, { train: { eval_splits: ['test'] } });
});

test('override values that are hostile YAML are usage errors naming the override', () => {
  assert.throws(() => parseOverride('seed=*nowhere'), /override "seed=\*nowhere": value is not valid YAML/);
  const bomb = `x=[${Array.from({ length: 5 }, (_, i) => `&a${i} [${i === 0 ? 'lol,lol,lol,lol,lol,lol,lol,lol,lol' : Array(9).fill(`*a${i - 1}`).join(',')}]`).join(',')}]`;
  assert.throws(() => parseOverride(bomb), /value is not valid YAML/);
});

test('an override value that contains itself (an alias inside its anchor) is a usage error naming the override', () => {
  assert.throws(() => parseOverride('loss=&a [1, *a]'), /override "loss=&a \[1, \*a\]": the value contains itself at loss\.1/);
  assert.deepEqual(parseOverride('x=[&a 1, *a]').value, [1, 1], 'a plain alias is fine');
});
