/** resolveOptimizerSpec: defaults filled recursively, every issue collected with its path. */
import '../support/tf.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { optimizerRegistry, resolveOptimizerSpec } from '../../src/optim/index.js';
import { schemaKeys } from '../../src/optim/resolve.js';

test('fills defaults, nested base included', () => {
  const { value, issues } = resolveOptimizerSpec({ name: 'sam', rho: 0.1, base: { name: 'sgd', lr: 0.1, momentum: 0.9 } }, ['optimizer']);
  assert.deepEqual(issues, []);
  assert.deepEqual(value, {
    name: 'sam', rho: 0.1, adaptive: false, eps: 1e-12, clip_grad_norm: null,
    base: { name: 'sgd', lr: 0.1, momentum: 0.9, dampening: 0, nesterov: false, clip_grad_norm: null, weight_decay: 0 },
  });
});

test('collects every issue at every level', () => {
  const { issues } = resolveOptimizerSpec(
    { name: 'gam', grad_rho: 'big', grad_rhoo: 1, base: { name: 'sam', base: { name: 'adamw', lr: -1, betas: [0.9], wd: 0.1 } } },
    ['optimizer'],
  );
  const paths = issues.map((i) => i.path).sort();
  assert.deepEqual(paths, [
    'optimizer.base.base.betas',
    'optimizer.base.base.lr',
    'optimizer.base.base.wd',
    'optimizer.grad_rho',
    'optimizer.grad_rhoo',
  ]);
  assert.match(issues.find((i) => i.path === 'optimizer.grad_rhoo')!.message, /did you mean "grad_rho"/);
  assert.match(issues.find((i) => i.path === 'optimizer.base.base.wd')!.message, /unknown option "wd" for optimizer "adamw"/);
});

test('a missing base, an unknown base name and a non-object spec are issues', () => {
  assert.deepEqual(resolveOptimizerSpec({ name: 'sam' }, ['optimizer']).issues.map((i) => i.path), ['optimizer.base']);
  const unknown = resolveOptimizerSpec({ name: 'sam', base: { name: 'sgdd' } }, ['optimizer']).issues;
  assert.equal(unknown[0]!.path, 'optimizer.base.name');
  assert.match(unknown[0]!.message, /did you mean "sgd/);
  assert.equal(resolveOptimizerSpec('adam', ['optimizer']).issues[0]!.path, 'optimizer');
});

test('wrapper schemas do not list `base`; `nested` declares it (a generic resolver needs nothing else)', () => {
  for (const e of optimizerRegistry.entries) {
    assert.ok(!schemaKeys(e.schema).includes('base'), e.name);
    assert.ok(schemaKeys(e.schema).includes('clip_grad_norm'), `${e.name} accepts clip_grad_norm`);
    assert.ok(Number.isInteger(e.gradEvals) && e.gradEvals >= 1, `${e.name} declares its gradEvals`);
  }
  const wrappers = optimizerRegistry.entries.filter((e) => e.nested?.base).map((e) => e.name).sort();
  assert.deepEqual(wrappers, ['asam', 'gam', 'gsam', 'orthograd', 'sam']);
});
