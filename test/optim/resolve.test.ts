/** The spec resolver on optimizer specs: defaults filled recursively, every issue collected with its path. */
import '../support/tf.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOptimizer, optimizerRegistry } from '../../src/optim/index.js';
import { disposeParams, makeParams } from './helpers.js';
import { resolveSpec, schemaKeys, type PathIssue } from '../../src/core/resolve-spec.js';
import { isResolved } from '../../src/core/spec.js';

/** What the config loader does for `optimizer:`: resolve and collect, without throwing. */
function resolveOptimizerSpec(spec: unknown, at: readonly string[]) {
  const issues: PathIssue[] = [];
  const value = resolveSpec('optimizer', spec, at, { catalog: { optimizer: optimizerRegistry } }, issues);
  return { value, issues: issues.map((i) => ({ path: i.path.join('.'), message: i.message })) };
}

test('fills defaults, nested base included', () => {
  const { value, issues } = resolveOptimizerSpec({ name: 'sam', rho: 0.1, base: { name: 'sgd', lr: 0.1, momentum: 0.9 } }, ['optimizer']);
  assert.deepEqual(issues, []);
  assert.deepEqual(value, {
    name: 'sam', rho: 0.1, adaptive: false, eps: 1e-12, clip_grad_norm: null,
    base: { name: 'sgd', lr: 0.1, momentum: 0.9, dampening: 0, nesterov: false, clip_grad_norm: null, weight_decay: 0, decay_roles: ['kernel', 'bias'], no_decay: [], lr_mult: [], layer_decay: null },
  });
  assert.ok(isResolved(value!) && isResolved(value!.base as never), 'the spec and its base carry the resolved brand');
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
  assert.match(issues.find((i) => i.path === 'optimizer.base.base.wd')!.message, /^unknown key "wd".*; allowed: lr, betas, eps, amsgrad, clip_grad_norm, weight_decay, decay_scaled_by_lr, decay_roles, no_decay, lr_mult, layer_decay$/);
});

test('a missing base, an unknown base name and a non-object spec are issues', () => {
  assert.deepEqual(resolveOptimizerSpec({ name: 'sam' }, ['optimizer']).issues.map((i) => i.path), ['optimizer.base']);
  const unknown = resolveOptimizerSpec({ name: 'sam', base: { name: 'sgdd' } }, ['optimizer']).issues;
  assert.equal(unknown[0]!.path, 'optimizer.base.name');
  assert.match(unknown[0]!.message, /did you mean "sgd/);
  // a bare name is shorthand for {name} (as in the config); a list is not a spec
  assert.deepEqual(resolveOptimizerSpec('adam', ['optimizer']).issues, []);
  assert.equal(resolveOptimizerSpec(['adam'], ['optimizer']).issues[0]!.path, 'optimizer');
});

test('the library words a problem as the CLI does, and resolves a spec once', () => {
  assert.throws(
    () => optimizerRegistry.resolve({ name: 'sgd', lrr: 0.1 }, ['optimizer']),
    (e: unknown) => e instanceof Error && /optimizer\.lrr: unknown key "lrr" \(did you mean "lr"\?\); allowed: lr, /.test(e.message),
  );
  const resolved = optimizerRegistry.resolve({ name: 'sam', base: { name: 'sgd' } }, ['optimizer']);
  assert.equal(optimizerRegistry.resolve(resolved, ['optimizer']), resolved, 'a resolved spec is returned as is');
  assert.notEqual(optimizerRegistry.resolve({ ...resolved }, ['optimizer']), resolved, 'a copy is resolved again');
});

test('createOptimizer validates a raw spec once and a resolved one not at all', () => {
  const counts = new Map<string, number>();
  const spies = ['sam', 'sgd'].map((name) => {
    const schema = optimizerRegistry.get(name).schema as unknown as { safeParse: (x: unknown) => unknown };
    const original = schema.safeParse;
    schema.safeParse = (x: unknown) => {
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return original.call(schema, x);
    };
    return () => { schema.safeParse = original; };
  });
  try {
    const raw = { name: 'sam', base: { name: 'sgd', lr: 0.1 } };
    const params = makeParams([{ value: [1, 2] }]);
    createOptimizer(raw, params).dispose();
    assert.deepEqual(Object.fromEntries(counts), { sam: 1, sgd: 1 }, 'a raw spec (and its base) is resolved exactly once');
    const resolved = optimizerRegistry.resolve(raw, ['optimizer']);
    counts.clear();
    createOptimizer(resolved, params).dispose();
    assert.deepEqual(Object.fromEntries(counts), {}, 'a resolved spec is built without validating again');
    disposeParams(params);
  } finally {
    for (const restore of spies) restore();
  }
});

test('wrapper schemas do not list `base`; `nested` declares it (a generic resolver needs nothing else)', () => {
  for (const e of optimizerRegistry.entries) {
    assert.ok(!schemaKeys(e.schema).includes('base'), e.name);
    assert.ok(schemaKeys(e.schema).includes('clip_grad_norm'), `${e.name} accepts clip_grad_norm`);
    assert.ok(Number.isInteger(e.gradEvals) && e.gradEvals >= 1, `${e.name} declares its gradEvals`);
  }
  const wrappers = optimizerRegistry.entries.filter((e) => e.nested?.base).map((e) => e.name).sort();
  assert.deepEqual(wrappers, ['amp', 'asam', 'awp', 'bgr', 'cautious', 'fgr', 'fish', 'friendly-sam', 'gam', 'ghost-step', 'grokfast', 'gsam', 'lookahead', 'looksam', 'orthograd', 'rwp', 'sam', 'wsam']);
});
